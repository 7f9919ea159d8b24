# SPDX-License-Identifier: GPL-2.0
"""Guest shapes: every kind of guest the wider tests boot, declared here.

A shape says the memory (and how it is laid out: NUMA nodes, DIMM slots,
virtio-mem), the devices beyond the balloon, the kernel variant and the
kernel command line.  vm.Guest turns it into QEMU arguments; the tests
name a shape instead of building QEMU command lines of their own.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    name: str
    doc: str
    mem_mib: int = 2048
    smp: int = 2
    # vCPU sockets: one per NUMA node (a node boundary inside one socket's
    # shared cache makes the guest kernel warn).
    sockets: int = 1
    # MiB of RAM per NUMA node (their sum is mem_mib), one vCPU each in
    # turn; () for a guest without -numa.
    nodes: tuple = ()
    # pc-dimm slots and the most memory hotplug may reach (0: none).
    slots: int = 0
    maxmem_mib: int = 0
    # Which of the harness's kernels: "debug" (make check's), "kernel"
    # (ours, no debug options), "stock".
    kernel: str = "debug"
    cmdline: tuple = ()      # (key, value) pairs
    qemu: tuple = ()         # further QEMU arguments (objects, devices)

    def mem_arg(self):
        arg = "%dM" % self.mem_mib
        if self.slots:
            arg += ",slots=%d" % self.slots
        if self.maxmem_mib:
            arg += ",maxmem=%dM" % self.maxmem_mib
        return arg

    def smp_arg(self):
        if self.sockets == 1:
            return str(self.smp)
        return "%d,sockets=%d,cores=%d,threads=1" % (
            self.smp, self.sockets, self.smp // self.sockets)

    def qemu_args(self):
        args = []
        for i, mib in enumerate(self.nodes):
            args += ["-object", "memory-backend-ram,id=node%d,size=%dM"
                     % (i, mib),
                     "-numa", "node,nodeid=%d,memdev=node%d,cpus=%d"
                     % (i, i, i % self.smp)]
        return args + list(self.qemu)

    def kernel_path(self, ctx):
        return {"debug": ctx.debug_kernel, "kernel": ctx.kernel,
                "stock": ctx.stock_kernel}[self.kernel]


DEFAULT = Shape("default", "2 GiB, one node, DMA32 only: the guest every "
                "older test boots")

ZONES = Shape(
    "zones", "5 GiB over two NUMA nodes (3 + 2 GiB): node 0 has DMA and "
    "DMA32, node 1 Normal and (movablecore=1G) Movable",
    mem_mib=5120, nodes=(3072, 2048), sockets=2,
    cmdline=(("movablecore", "1G"),))

DIMM = Shape(
    "dimm", "2 GiB, 4 DIMM slots, up to 8 GiB: the test plugs a 1 GiB "
    "pc-dimm with QMP (object-add, device_add) and onlines it movable",
    slots=4, maxmem_mib=8192)

VIRTIO_MEM = Shape(
    "virtio-mem", "2 GiB plus a virtio-mem device of up to 1 GiB "
    "(2 MiB blocks, starts empty), onlined movable",
    maxmem_mib=4096, cmdline=(("memhp_default_state", "online_movable"),),
    qemu=("-object", "memory-backend-ram,id=vmem0,size=1G",
          "-device", "virtio-mem-pci,id=vm0,memdev=vmem0,"
          "block-size=2M,requested-size=0"))

CONTIG = Shape(
    "contig", "3.25 GiB (all below 4 GiB) with a 1 GiB CMA area for "
    "gigantic hugetlb pages (hugetlb_cma=1G, which needs a free aligned "
    "GiB: [2G,3G) here, boot-time reservations go above it and the initrd "
    "below; -cpu max has 1 GiB pages) and a 256 MiB one for the CMA "
    "debugfs allocator (cma=, below 1 GiB)",
    mem_mib=3328, cmdline=(("hugetlb_cma", "1G"), ("cma", "256M@256M-1G")))

PAGE_POISON = Shape("page-poison", "2 GiB, page_poison=1",
                    cmdline=(("page_poison", "1"),))
INIT_ON_FREE = Shape("init-on-free", "2 GiB, init_on_free=1",
                     cmdline=(("init_on_free", "1"),))
INIT_ON_ALLOC = Shape("init-on-alloc", "2 GiB, init_on_alloc=1",
                      cmdline=(("init_on_alloc", "1"),))

ALL = [DEFAULT, ZONES, DIMM, VIRTIO_MEM, CONTIG, PAGE_POISON, INIT_ON_FREE,
       INIT_ON_ALLOC]
