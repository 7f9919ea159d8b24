# SPDX-License-Identifier: GPL-2.0
"""The wider test world: zones and nodes, memory hotplug, virtio-mem,
memory failure, contiguous allocations, compaction, boot variants.

Each test boots a guest shape declared in shapes.py with the debug kernel
and real QEMU; the guest side is tools/testing/selftests/aeration/world.c
and the scenarios in guest/scenarios/.  Each returns (name, ok, detail).
"""

import os
import re
import time

import shapes
import tests
from scenarios import MIB, Reclaim
from tests import _splat_check, parse_tap
from vm import Guest, GuestError

GIB = 1024 * MIB          # kB, as RSS figures are
GIB_BYTES = 1 << 30


def _zonefree(lines, when):
    """{(nid, zone): free pages} from '@@ zonefree WHEN NID ZONE PAGES'."""
    out = {}
    for line in lines:
        f = line.split()
        if len(f) == 6 and f[:3] == ["@@", "zonefree", when]:
            out[(int(f[3]), f[4])] = int(f[5])
    return out


def _zone_notes(lines, step):
    """{(nid, zone): (order, raw, aerated)} from world's zone notes of a
    step ('@@ STEP zone NID ZONE order O raw R aerated A walk ...')."""
    out = {}
    rx = re.compile(r"^@@ (\S+) zone (\d+) (\S+) order (\d+) raw (-?\d+) "
                    r"aerated (-?\d+)")
    for line in lines:
        m = rx.match(line)
        if m and m.group(1) == step:
            out[(int(m.group(2)), m.group(3))] = tuple(
                int(m.group(k)) for k in (4, 5, 6))
    return out


def _spread(name, lines, zones, share=0.25):
    """The hog took at least share of each named zone's free pages."""
    before, peak = _zonefree(lines, "before"), _zonefree(lines, "peak")
    res = []
    for z in zones:
        b, p = before.get(z), peak.get(z)
        ok = b is not None and p is not None and b > 0 and \
            (b - p) >= share * b
        res.append(("%s: the hog reached node %d %s" % (name, z[0], z[1]),
                    ok, "free pages %s before, %s at the hog's peak"
                    % (b, p)))
    return res


def _reclaim_checks(name, r, want_share=0.9, within_s=5.0, min_mib=0):
    took = r.peak - r.base
    t90 = r.time_to_return(want_share)
    return [(name + ": hog reached the host", took >= min_mib * MIB,
             "RSS grew by %d MiB" % (took // MIB)),
            (name + ": >= %d%% back within %.0f s" % (want_share * 100,
                                                      within_s),
             t90 is not None and t90 <= within_s,
             "%d of %d MiB back; t%d %s" % (
                 r.returned_kb() // MIB, took // MIB, want_share * 100,
                 "%.1f s" % t90 if t90 is not None else "never"))]


def _finish(name, g, timeout=600):
    """Wait for the guest's end; its TAP results, exit status, console."""
    try:
        rc = g.wait_exit(timeout)
    except GuestError as e:
        g.stop()
        return [(name, False, str(e))]
    res = parse_tap(g.data_lines(), name)
    if not res:
        res = [(name, False, "no TAP results")]
    res.append((name + ": guest scenario passed", rc == 0,
                "exit %d" % rc))
    return res


ZONES_WITHIN_S = 10.0


def world_zones(ctx):
    """Two nodes, DMA32 + Normal + Movable: a hog over every zone comes
    back >= 90% within 10 s; per-zone counts equal the walk."""
    name = "zones"
    shape = shapes.ZONES
    want = [(0, "DMA32"), (1, "Normal"), (1, "Movable")]
    with Reclaim(shape.kernel_path(ctx), ctx.initrd, ctx.rundir, name,
                 hog_mib=4352, hold_s=12, shape=shape,
                 cmdline={"scenario": "zones",
                          "zones_want": ",".join("%d:%s" % z
                                                 for z in want)}) as r:
        r.wait_hog(boot_timeout=300)
        # 4.3 GiB go back at the host's pace, one 128 MiB batch per
        # 100-200 ms: t90 3.7, 3.7, 4.8, 7.3 and 4.1 s in five runs (the
        # 5 s of issue 11 failed one of them).  The share catches a zone left
        # untracked (Normal and Movable hold 1 GiB of the hog each: 77%
        # back at most without one), the time an engine at stock's pace
        # (12 s for 1.5 GiB); speed is make bench's.
        r.watch(ZONES_WITHIN_S,
                until=lambda kb: kb >= 0.9 * (r.peak - r.base))
        res = _reclaim_checks(name, r, min_mib=4000,
                              within_s=ZONES_WITHIN_S)
        res += _finish(name, r.guest)
        res += _spread(name, r.guest.data_lines(), want)
        res += _splat_check(r.guest, name)
    return res


def _wait_line(g, pattern, timeout, start=0):
    hit = g.wait_data(pattern, timeout, start)
    if not hit:
        raise GuestError("guest %s: no '%s' within %d s"
                         % (g.name, pattern, timeout))
    return hit


def _memdev_gone(g, dev_id, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        devs = g.qmp.cmd("query-memory-devices")
        if not any(d.get("data", {}).get("id") == dev_id for d in devs):
            return True
        time.sleep(0.2)
    return False


def dimm_hotplug(ctx):
    """A pc-dimm added after the balloon registered, onlined movable, is
    tracked and reported; offlined with aerated pages and removed."""
    name = "dimm"
    shape = shapes.DIMM
    res = []
    with Reclaim(shape.kernel_path(ctx), ctx.initrd, ctx.rundir, name,
                 hog_mib=2304, hold_s=8, shape=shape,
                 cmdline={"scenario": "dimm"}) as r:
        g = r.guest
        try:
            _wait_line(g, r"^@@ dimm-ready", 300)
            g.qmp.cmd("object-add", **{"qom-type": "memory-backend-ram",
                                       "id": "dimm-mem1", "size": GIB_BYTES})
            g.qmp.cmd("device_add", driver="pc-dimm", id="dimm1",
                      memdev="dimm-mem1")
            r.wait_hog(boot_timeout=300)
            # KASAN slows the guest about threefold: a wider bound there.
            within = getattr(ctx, "reclaim_within_s", 5.0)
            r.watch(within, until=lambda kb: kb >= 0.9 * (r.peak - r.base))
            res += _reclaim_checks(name, r, within_s=within, min_mib=2000)
            hit = _wait_line(g, r"^@@ dimm-offline (\d+)", 300)
            if hit[2].group(1) == "0":
                g.qmp.cmd("device_del", id="dimm1")
                gone = _memdev_gone(g, "dimm1", 120)
                res.append((name + ": device_del removes the DIMM", gone,
                            "query-memory-devices"))
        except GuestError as e:
            res.append((name, False, str(e)))
        res += _finish(name, g)
        lines = g.data_lines()
        res += _spread(name, lines, [(0, "Movable")])
        # The DIMM's memory was reported: most of it aerated once idle.
        notes = _zone_notes(lines, "reported")
        mov = notes.get((0, "Movable"))
        res.append((name + ": the DIMM's zone holds aerated memory",
                    mov is not None and mov[2] >= 3 * GIB_BYTES // 4 // 4096,
                    "Movable order/raw/aerated %s (want >= 768 MiB aerated)"
                    % (mov,)))
        res += _splat_check(g, name)
    return res


def virtio_mem(ctx):
    """virtio-mem: plug 1 GiB, use it, unplug it while aeration reports,
    three times: unplug completes, counts exact, reporting goes on."""
    name = "vmem"
    shape = shapes.VIRTIO_MEM
    res = []
    g = Guest(shape.kernel_path(ctx), ctx.initrd, ctx.rundir, name,
              shape=shape, cmdline={"scenario": "vmem", "cycles": "3"})
    try:
        g.start()
        pos = 0
        for c in range(1, 4):
            hit = _wait_line(g, r"^@@ vmem-plug %d$" % c, 300, pos)
            g.qmp.cmd("qom-set", path="/machine/peripheral/vm0",
                      property="requested-size", value=GIB_BYTES)
            hit = _wait_line(g, r"^@@ vmem-hogged %d$" % c, 600, hit[0])
            t0 = time.monotonic()
            g.qmp.cmd("qom-set", path="/machine/peripheral/vm0",
                      property="requested-size", value=0)
            deadline = t0 + 120
            size = None
            while time.monotonic() < deadline:
                size = g.qmp.cmd("qom-get", path="/machine/peripheral/vm0",
                                 property="size")
                if size == 0:
                    break
                time.sleep(0.2)
            res.append(("%s: cycle %d unplug completes" % (name, c),
                        size == 0, "device size %s after %.1f s" %
                        (size, time.monotonic() - t0)))
            pos = hit[0]
    except GuestError as e:
        res.append((name, False, str(e)))
    res += _finish(name, g)
    return res + _splat_check(g, name)


def _step(ctx, name, shape, cmd, arg=None, timeout=600):
    """Boot shape, run 'world CMD' (and an integrity buffer) in it."""
    cmdline = {"scenario": "step", "world_cmd": cmd}
    if arg is not None:
        cmdline["world_arg"] = str(arg)
    g = Guest(shape.kernel_path(ctx), ctx.initrd, ctx.rundir, name,
              shape=shape, cmdline=cmdline)
    try:
        g.start()
    except GuestError as e:
        return [(name, False, str(e))], g
    res = _finish(name, g, timeout)
    return res + _splat_check(g, name), g


def memory_failure(ctx):
    """Hard poison and soft offline of free pages in raw and aerated
    blocks, then unpoison: counts exact, the page never handed out."""
    res, _ = _step(ctx, "poison", shapes.DEFAULT, "poison")
    return res


def contig(ctx):
    """A 1 GiB hugetlb page and a CMA range cut from aerated memory, freed
    and reported again."""
    res, _ = _step(ctx, "contig", shapes.CONTIG, "contig")
    return res


def compaction(ctx):
    """THP churn, proactive compaction and compact_memory while reporting
    runs with delay 0 and high mark 1: counts exact, no splat."""
    res, g = _step(ctx, "compact", shapes.DEFAULT, "compact", 30)
    for line in g.data_lines():
        if line.startswith("@@ compact compact"):
            res.append(("compact: figures", True, line[3:]))
    return res


def _variant(ctx, shape, poison):
    """One boot variant: reporting as documented, memory intact.  With
    page poisoning every free page holds the poison from boot (resident on
    the host), and QEMU, told the poison value, keeps what is reported."""
    name = shape.name
    with Reclaim(shape.kernel_path(ctx), ctx.initrd, ctx.rundir, name,
                 hog_mib=1024, hold_s=8, shape=shape,
                 cmdline={"scenario": "variant"}) as r:
        r.wait_hog(boot_timeout=300)
        r.watch(5.0, until=lambda kb: not poison and
                kb >= 0.9 * (r.peak - r.base))
        if poison:
            last = r.sampler.samples[-1][1] if r.sampler.samples else 0
            res = [(name + ": poisoned free memory is resident from boot",
                    r.base >= 0.9 * shape.mem_mib * MIB,
                    "RSS %d MiB before the hog" % (r.base // MIB)),
                   (name + ": the host keeps reported memory (poison value)",
                    last >= r.peak - 64 * MIB,
                    "RSS %d MiB at the hog's peak, %d MiB 5 s after its exit"
                    % (r.peak // MIB, last // MIB))]
        else:
            res = _reclaim_checks(name, r, min_mib=900)
        res += _finish(name, r.guest)
        lines = r.guest.data_lines()
        registered = any("reporting free pages of order" in l
                         for l in lines if l.startswith("@@ dmesg"))
        res.append((name + ": reporting registered", registered,
                    "dmesg line 'aeration: reporting free pages ...'"))
        res += _splat_check(r.guest, name)
    return res


def boot_variants(ctx):
    """page_poison=1 (QEMU keeps the memory), init_on_free=1 and
    init_on_alloc=1 (memory back): nothing corrupts."""
    return (_variant(ctx, shapes.PAGE_POISON, True) +
            _variant(ctx, shapes.INIT_ON_FREE, False) +
            _variant(ctx, shapes.INIT_ON_ALLOC, False))


SOAK_RAM_SLACK_MIB = 32
SOAK_REPORTED_PCT = 80
SOAK_LOAD_AFTER_S = 10


def run_soak(ctx, name, seconds, migrate_every=30):
    """stress-ng for seconds in a guest that reports aggressively and is
    migrated (hinted) to a new QEMU every migrate_every seconds; then
    the load stops and the last QEMU's RSS must fall back."""
    common = dict(reporting=True, hinting=True,
                  cmdline={"scenario": "soak", "soak_s": str(seconds)})
    guests = [Guest(ctx.debug_kernel, ctx.soak_initrd, ctx.rundir,
                    name + "-0", **common)]
    res, statuses = [], []
    try:
        guests[0].start()
        _wait_line(guests[0], r"^@@ soak-start", 300)
        end = time.monotonic() + seconds
        n, t_last = 0, None
        # The last migration starts SOAK_LOAD_AFTER_S before the end
        # or earlier.
        while time.monotonic() + migrate_every + SOAK_LOAD_AFTER_S < end:
            time.sleep(migrate_every)
            n += 1
            sock = os.path.join(ctx.rundir, "%s-%d.mig" % (name, n))
            dst = Guest(ctx.debug_kernel, ctx.soak_initrd, ctx.rundir,
                        "%s-%d" % (name, n), incoming="unix:" + sock,
                        **common)
            dst.start()
            time.sleep(1.0)
            src = guests[-1]
            # A long allowed downtime: the busy guest switches over after
            # its first pass, whose hint round is what this is for.
            src.migrate("unix:" + sock, max_bandwidth=1 << 30,
                        downtime_ms=5000)
            info = src.wait_migration(300)
            statuses.append(info.get("status"))
            if info.get("status") == "completed":
                t_last = time.monotonic()
                guests.append(dst)
                src.stop()
            else:
                dst.stop()
        last = guests[-1]
        stop = _wait_line(last, r"^@@ soak-stopped", seconds + 300)
        t_stop = time.monotonic()
        rss_stop, ram_stop = last.rss_kb(), last.ram_rss_kb()
        hit = _wait_line(last, r"^@@ soak-after zone ", 120, stop[0])
        settled = _wait_line(last, r"^@@ soak-settled", 120, hit[0])
        ram_settled = last.ram_rss_kb()
        _wait_line(last, r"^@@ soak-rebound", 60, settled[0])
        again = _wait_line(last, r"^@@ soak-rebound zone ", 120, settled[0])
        rss_after, ram_after = last.rss_kb(), last.ram_rss_kb()
        _wait_line(last, r"^@@ soak-done", 60, again[0])

        def memfree_before(i):
            free = [l for _, l in last.data.lines[:i]
                    if l.startswith("@@ memfree ")]
            return int(free[-1].split()[3]) if free else None

        free_kb = memfree_before(hit[0])
        free2_kb = memfree_before(again[0])
        used_kb = last.mem_mib * 1024 - free2_kb if free2_kb else None
        res.append((name + ": migrations completed",
                    statuses and all(s == "completed" for s in statuses),
                    "%d migrations: %s" % (len(statuses),
                                           " ".join(map(str, statuses)))))
        # The load's last SOAK_LOAD_AFTER_S (or more) ran on the last
        # QEMU: what it touched there is what reporting must give back.
        gap = t_stop - t_last if t_last else None
        res.append((name + ": the load ran on the last QEMU >= %d s" %
                    SOAK_LOAD_AFTER_S,
                    gap is not None and gap >= SOAK_LOAD_AFTER_S,
                    "%s s from the last migration to the stop" %
                    ("%.0f" % gap if gap is not None else "no migration")))
        # The guest reports what it can: free memory in blocks of the
        # reporting order, but not smaller fragments (6% of free memory
        # after the load in one run), nor untracked zones (DMA).
        aerated_kb = 4 * sum(a for _, _, a in _zone_notes(
            last.data_lines(), "soak-after").values())
        aerated2_kb = 4 * sum(a for _, _, a in _zone_notes(
            last.data_lines(), "soak-rebound").values())
        res.append((name + ": the guest reported >= %d%% of its free memory"
                    % SOAK_REPORTED_PCT,
                    free_kb is not None and
                    aerated_kb * 100 >= free_kb * SOAK_REPORTED_PCT,
                    "%d of %s MiB free reported" % (
                        aerated_kb // MIB, free_kb and free_kb // MIB)))
        # What the host keeps of the guest's RAM (QEMU's own memory, TCG's
        # code cache above all, left out: 75 MiB in two runs, 170 MiB
        # under QEMU 7.2): what the guest uses, what it has not reported,
        # and SOAK_RAM_SLACK_MIB; that is, all of its RAM but what it
        # reported, plus SOAK_RAM_SLACK_MIB.  It catches pages counted as
        # reported that the host still holds; a guest that reports little
        # passes it and fails the share above.  Without reporting the
        # last QEMU keeps what the load touched on it (784-826 MiB for
        # about 195 MiB used).  Pages the guest reported while a
        # migration was sending them stay on the destination (QEMU sends
        # no discarded page again: 450-1100 MiB here), so the guest rebinds
        # the balloon driver first and reports all free memory again.
        if ram_after is None:
            why = ("no single %d MiB mapping in /proc/%d/smaps" %
                   (last.mem_mib, last.proc.pid))
        else:
            why = ("guest RAM held %s MiB at the stop, %s MiB once the "
                   "engine was idle (the migrations' copies of reported "
                   "pages included; guest had %d MiB reported), %d MiB "
                   "%.0f s after the stop, after the guest rebound the "
                   "balloon driver (QEMU RSS %s, %s MiB); guest uses %s "
                   "MiB and has %s MiB free not reported, bound %d MiB "
                   "over that" %
                   (ram_stop and ram_stop // MIB,
                    ram_settled and ram_settled // MIB, aerated_kb // MIB,
                    ram_after // MIB, time.monotonic() - t_stop,
                    rss_stop and rss_stop // MIB,
                    rss_after and rss_after // MIB,
                    used_kb and used_kb // MIB,
                    free2_kb and (free2_kb - aerated2_kb) // MIB,
                    SOAK_RAM_SLACK_MIB))
        bound_kb = (last.mem_mib * MIB - aerated2_kb +
                    SOAK_RAM_SLACK_MIB * MIB)
        res.append((name + ": host RSS falls back when the load stops",
                    ram_after is not None and ram_after <= bound_kb, why))
    except GuestError as e:
        res.append((name, False, str(e)))
    res += _finish(name, guests[-1], 300)
    for g in guests[:-1]:
        res += parse_tap(g.data_lines(), name)
    for line in guests[-1].data_lines():
        f = line.split()
        # '@@ stress stress-ng: metrc: [PID] NAME OPS REAL USR SYS ...'
        if len(f) >= 8 and f[3] == "metrc:" and f[6].isdigit():
            res.append(("%s: stress-ng %s ran" % (name, f[5]), True,
                        "%s bogo ops in %s s" % (f[6], f[7])))
    for g in guests:
        res += _splat_check(g, g.name)
    return res


def soak(ctx):
    """Two minutes of stress-ng with aggressive reporting and a migration
    every 30 s: no splat, buffer intact, counts exact, RSS falls back."""
    return run_soak(ctx, "soak", 120)


class _KasanCtx:
    """The harness's context with the KASAN kernel as the debug kernel."""

    def __init__(self, ctx):
        self.__dict__.update(ctx.__dict__)
        self.debug_kernel = ctx.kasan_kernel
        self.reclaim_within_s = 15.0
        self.rundir = os.path.join(ctx.rundir, "kasan")
        os.makedirs(self.rundir, exist_ok=True)


def kasan(ctx):
    """The KASAN kernel (debug + generic KASAN): KUnit, guest kselftests,
    pc-dimm hotplug, virtio-mem and memory failure, no report."""
    k = _KasanCtx(ctx)
    res = []
    for t in (tests.kunit, tests.kselftests, dimm_hotplug, virtio_mem,
              memory_failure):
        res += [("kasan: " + n, ok, d) for n, ok, d in t(k)]
        if t is tests.kunit:
            try:
                with open(os.path.join(k.rundir, "kunit",
                                       "console.log")) as f:
                    on = "KernelAddressSanitizer initialized" in f.read()
            except OSError:
                on = False
            res.append(("kasan: KASAN is on", on,
                        "'KernelAddressSanitizer initialized' on the "
                        "console"))
    return res


CHECK = [world_zones, dimm_hotplug, virtio_mem, memory_failure, contig,
         compaction, boot_variants, soak, kasan]
