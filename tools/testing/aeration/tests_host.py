# SPDX-License-Identifier: GPL-2.0
"""Tests of our QEMU (make qemu, patches/qemu): the host features Debian's
QEMU lacks.  Each returns a list of (name, ok, detail), as in tests.py."""

import contextlib
import errno
import os
import re
import select
import shutil
import subprocess
import time

from tests import run_kselftests
from vm import Guest, GuestError

LAZY_HOG_MIB = 1024         # the second hog, which reuses the first's memory
LAZY_RESERVE_MIB = 96       # what the first hog leaves of MemAvailable
LAZY_WITHIN_S = 20          # the hog's memory reported, at most (debug kernel)
SQUEEZE_SLACK_MIB = 32      # what the lowered limit leaves of the hog
CGROUP_V1 = "/sys/fs/cgroup/memory"
REPORT_RX = re.compile(r"virtio_balloon_report (\S+) offset: 0x[0-9a-f]+ "
                       r"size: 0x([0-9a-f]+) (\w+): (-?\d+)")
FALLBACK_RX = r"free-page-reporting-lazy needs private anonymous guest RAM"


def _proc_kb(pid, name, key):
    """A field of /proc/PID/@name (status, smaps_rollup), kB."""
    with open("/proc/%d/%s" % (pid, name)) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _lazyfree_kb(pid):
    return _proc_kb(pid, "smaps_rollup", "LazyFree")


def faults_cpu(pid):
    """Minor faults the process took so far (all its threads), and its CPU
    time (user + system, ms)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[7]),
            (int(fields[11]) + int(fields[12])) * 1000 //
            os.sysconf("SC_CLK_TCK"))


class RamFaults:
    """The page faults QEMU (all its threads) takes on guest RAM between
    enable() and disable(), counted by perf: every page-faults event with
    its address (perf record -c 1 -d), kept if the address lies in the
    guest RAM mapping.  Under TCG most of QEMU's minor faults are its own
    softmmu TLB tables (results/bench-2026-12-07b.md), whatever the guest
    does with its memory; these are the faults reusing reported memory
    costs the host.  TCG only: under KVM the vCPUs fault guest RAM in
    through get_user_pages, which raises no page-faults event.  total:
    every fault perf saw (all of QEMU's threads: /proc/PID/stat's minor
    faults over the same window, give or take the enable and disable).
    Errors leave count() None and say why in err."""

    def __init__(self, pid, mem_mib, path):
        self.pid, self.path = pid, path
        self.proc, self.ctl, self.ack = None, None, None
        self.err, self.total = None, None
        self.ram = self._ram(mem_mib << 20)
        if not self.ram:
            self.err = "no %d MiB anonymous mapping in QEMU" % mem_mib
        elif not shutil.which("perf"):
            self.err = "no perf (linux-perf)"
        else:
            self._start()

    def _ram(self, size):
        """The one private anonymous mapping of exactly @size bytes: guest
        RAM (QEMU maps its guard page apart, with other rights)."""
        found = []
        try:
            with open("/proc/%d/maps" % self.pid) as f:
                maps = f.readlines()
        except OSError:
            return None
        for line in maps:
            v = line.split()
            lo, hi = (int(x, 16) for x in v[0].split("-"))
            if hi - lo == size and v[1].startswith("rw") and \
                    v[1][3] == "p" and v[4] == "0" and len(v) == 5:
                found.append((lo, hi))
        return found[0] if len(found) == 1 else None

    def _start(self):
        # Disabled until enable(); perf acknowledges each command on ack
        # once it took effect.
        # No build ids: only the addresses are read.
        ctl_r, self.ctl = os.pipe()
        self.ack, ack_w = os.pipe()
        try:
            with open(self.path + ".log", "w") as log:
                self.proc = subprocess.Popen(
                    ["perf", "record", "-q", "-e", "page-faults", "-c", "1",
                     "-d", "-m", "128", "-D", "-1", "--no-buildid",
                     "--no-buildid-cache",
                     "--control", "fd:%d,%d" % (ctl_r, ack_w),
                     "-p", str(self.pid), "-o", self.path],
                    pass_fds=(ctl_r, ack_w), stdin=subprocess.DEVNULL,
                    stdout=log, stderr=log)
        except OSError as e:
            self.err = "perf record: %s" % e
            os.close(self.ctl)
            os.close(self.ack)
        finally:
            os.close(ctl_r)
            os.close(ack_w)

    def _log(self):
        """perf's last words, for an error."""
        try:
            with open(self.path + ".log", errors="replace") as f:
                lines = f.read().strip().splitlines()
        except OSError:
            return ""
        return " (perf: %s)" % lines[-1] if lines else ""

    def _cmd(self, what, timeout=30):
        if self.err:
            return
        try:
            os.write(self.ctl, what.encode() + b"\n")
            if not select.select([self.ack], [], [], timeout)[0] or \
                    not os.read(self.ack, 64).startswith(b"ack"):
                self.err = "perf did not acknowledge %s%s" % (
                    what, self._log())
        except OSError as e:
            self.err = "perf %s: %s%s" % (what, e, self._log())

    def enable(self):
        self._cmd("enable")

    def disable(self):
        self._cmd("disable")

    def count(self):
        """Stop perf; the faults on guest RAM while enabled, or None."""
        if self.proc:
            # perf ends on its own when QEMU has exited.
            if self.proc.poll() is None:
                try:
                    os.write(self.ctl, b"stop\n")
                except OSError:
                    pass
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.err = self.err or "perf did not stop"
            for fd in (self.ctl, self.ack):
                os.close(fd)
            self.proc = None
        if self.err:
            return None
        try:
            st = _perf(["report", "-i", self.path, "--stats"])
            lost = re.findall(r"^\s*LOST(?:_SAMPLES)? events:\s+(\d+)",
                              st, re.M)
            if any(int(n) for n in lost):
                self.err = "perf lost samples"
                return None
            addrs = [int(x, 16) for x in
                     _perf(["script", "-i", self.path, "-F",
                            "addr"]).split()]
        except (OSError, ValueError, subprocess.SubprocessError) as e:
            self.err = "perf: %s" % e
            return None
        lo, hi = self.ram
        self.total = len(addrs)
        return sum(lo <= a < hi for a in addrs)


def _perf(args, timeout=120):
    """perf's output; raises if it fails."""
    out = subprocess.run(["perf"] + args, capture_output=True, text=True,
                         timeout=timeout)
    if out.returncode != 0:
        raise OSError("perf %s: %s" % (args[0], out.stderr.strip()[-200:]))
    return out.stdout


def _minflt(pid):
    return faults_cpu(pid)[0]


def _vmstat(key):
    with open("/proc/vmstat") as f:
        for line in f:
            k, v = line.split()
            if k == key:
                return int(v)
    return 0


class MemCgroup:
    """A cgroup v1 memory controller group of our own, for one QEMU: no
    swapping, no limit until the test sets one.  Removed on exit (QEMU
    must have exited by then)."""

    def __init__(self, name):
        self.path = os.path.join(CGROUP_V1, "aeration-%s-%d" %
                                 (name, os.getpid()))

    def __enter__(self):
        try:
            os.mkdir(self.path)
            self.write("memory.swappiness", 0)
        except OSError as e:
            raise GuestError("no cgroup v1 memory controller group %s: %s"
                             % (self.path, e))
        return self

    def __exit__(self, *exc):
        for _ in range(50):
            try:
                os.rmdir(self.path)
                return
            except FileNotFoundError:
                return
            except OSError as e:
                if e.errno != errno.EBUSY:
                    raise GuestError("cannot remove %s: %s" % (self.path, e))
                time.sleep(0.1)

    def write(self, key, value):
        with open(os.path.join(self.path, key), "w") as f:
            f.write("%d\n" % value)

    def read(self, key):
        with open(os.path.join(self.path, key)) as f:
            return int(f.read().split()[0])


def _reports(guest, start=0):
    """virtio_balloon_report trace lines in QEMU's stderr from byte start
    on: {advice: [ranges, bytes, failed]}, and where the last whole line
    ends (the next start)."""
    out = {}
    with open(guest.stderr.name, "rb") as f:
        f.seek(start)
        data = f.read()
    data = data[:data.rfind(b"\n") + 1]
    for m in REPORT_RX.finditer(data.decode(errors="replace")):
        c = out.setdefault(m.group(3), [0, 0, 0])
        c[0] += 1
        c[1] += int(m.group(2), 16)
        c[2] += m.group(4) != "0"
    return out, start + len(data)


def _wait(cond, timeout, alive, period=0.2):
    """Poll cond() until it holds (True) or timeout s pass (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and alive():
        if cond():
            return True
        time.sleep(period)
    return False


def _hog(g, n, at_start=None, at_exiting=None, timeout=600):
    """Wait for hog n (1, 2) to start (then call at_start()), to have
    touched all its memory and begin to free it (at_exiting()) and to
    exit; its size in kB."""
    hit = g.wait_data(r"^@@ hog-start (\d+)", 300 if n == 1 else 60,
                      g.data_mark)
    if not hit:
        raise GuestError("%s: hog %d did not start" % (g.name, n))
    g.data_mark = hit[0] + 1
    if at_start:
        at_start()
    if not g.wait_data(r"^@@ hog-exiting", timeout, g.data_mark):
        raise GuestError("%s: hog %d did not finish" % (g.name, n))
    if at_exiting:
        at_exiting()
    if not g.wait_data(r"^@@ hog-exit ", timeout, g.data_mark):
        raise GuestError("%s: hog %d did not finish" % (g.name, n))
    return int(hit[2].group(1)) * 1024


def lazy_run(ctx, name, lazy, expect_lazy=None, squeeze=False, extra=None,
             kernel=None):
    """One guest running the lazyfree scenario on our QEMU, with
    free-page-reporting-lazy=on if lazy; expect_lazy (default: lazy) says
    whether the reported memory should stay as LazyFree or leave QEMU's
    RSS.  @kernel: the debug kernel unless given (the bench's pressure
    scenario).  Returns its figures (kB, faults, s)."""
    if expect_lazy is None:
        expect_lazy = lazy
    r = {"splats": []}
    with contextlib.ExitStack() as stack:
        cg = stack.enter_context(MemCgroup(name)) if squeeze else None
        g = Guest(kernel or ctx.debug_kernel, ctx.initrd, ctx.rundir, name,
                  control=True, qemu=ctx.qemu, cgroup=cg.path if cg else None,
                  extra=["-trace", "virtio_balloon_report"] +
                  list(extra or []),
                  balloon_props=["free-page-reporting-lazy=on"]
                  if lazy else [],
                  cmdline={"scenario": "lazyfree", "hog_mib": LAZY_HOG_MIB,
                           "reserve_mib": LAZY_RESERVE_MIB})
        g.data_mark = 0

        def finish():
            if g.proc:
                g.stop()
                r["splats"] = g.splats()
        stack.callback(finish)
        try:
            g.start()
            pid = g.proc.pid
            # Hog 1 takes all but LAZY_RESERVE_MIB: the host backs it all.
            # LazyFree before it: its memory is reported as it exits.
            # Its peak as it begins to free: reporting starts right away.
            lazy = {}
            r["hog1_kb"] = hog1 = _hog(
                g, 1, lambda: lazy.setdefault(0, _lazyfree_kb(pid)),
                lambda: r.setdefault("peak_kb", g.rss_kb()))
            lazy0 = lazy[0]
            t0 = time.monotonic()
            if expect_lazy:
                got = _wait(lambda: _lazyfree_kb(pid) - lazy0 >=
                            0.9 * hog1, LAZY_WITHIN_S, g.alive)
            else:
                got = _wait(lambda: g.rss_kb() <= r["peak_kb"] - 0.9 * hog1,
                            LAZY_WITHIN_S, g.alive)
            r["reported_s"] = time.monotonic() - t0 if got else None
            r["lazyfree_kb"] = _lazyfree_kb(pid) - lazy0
            r["rss1_kb"] = g.rss_kb()
            # Hog 2 can only take memory hog 1 had (and the host backed).
            _, off = _reports(g)
            f0 = _minflt(pid)
            g.send_control("g")
            r["hog2_kb"] = hog2 = _hog(g, 2)
            r["reuse_faults"] = _minflt(pid) - f0
            r["reuse_rss_kb"] = g.rss_kb() - r["rss1_kb"]
            # Its free, reported in full before the squeeze.
            r["reported2"] = _wait(
                lambda: sum(c[1] for c in _reports(g, off)[0].values()) >=
                0.9 * hog2 * 1024, LAZY_WITHIN_S, g.alive)
            if cg and r["reported2"]:
                usage = cg.read("memory.usage_in_bytes")
                r["usage_mib"] = usage >> 20
                r["lazy_before_kb"] = _lazyfree_kb(pid)
                lazyfreed0 = _vmstat("pglazyfreed")
                swap0 = _proc_kb(pid, "status", "VmSwap")
                rss_b = g.rss_kb()
                t1 = time.monotonic()
                try:
                    cg.write("memory.limit_in_bytes", usage -
                             ((hog2 // 1024 - SQUEEZE_SLACK_MIB) << 20))
                    r["squeeze_err"] = None
                except OSError as e:
                    r["squeeze_err"] = os.strerror(e.errno)
                r["squeeze_s"] = time.monotonic() - t1
                r["squeezed_kb"] = rss_b - g.rss_kb()
                r["swap_kb"] = _proc_kb(pid, "status", "VmSwap") - swap0
                r["lazyfreed_kb"] = (_vmstat("pglazyfreed") - lazyfreed0) * 4
                r["failcnt"] = cg.read("memory.failcnt")
                r["usage_after_mib"] = cg.read("memory.usage_in_bytes") >> 20
                # The guest gets all its memory back before it goes on.
                cg.write("memory.limit_in_bytes", -1)
            r["reports"], _ = _reports(g)
            with open(g.stderr.name, errors="replace") as f:
                r["fallback_warnings"] = len(re.findall(FALLBACK_RX,
                                                        f.read()))
            g.send_control("e")
            if g.wait_exit(120) != 0:
                raise GuestError("%s: the guest did not finish cleanly" %
                                 name)
        except OSError as e:
            raise GuestError("%s: %s" % (name, e))
    return r


def _mib(kb):
    return "%d MiB" % (kb // 1024)


def _trace_desc(rep):
    return " ".join("%s %d ranges %s (%d failed)" % (k, c[0],
                                                     _mib(c[1] // 1024),
                                                     c[2])
                    for k, c in sorted(rep.items())) or "no report traced"


def host_lazyfree(ctx):
    """Our QEMU, free-page-reporting-lazy=on: reported memory stays with QEMU
    as LazyFree, reusing it costs no host faults, a lowered memory limit
    takes it back without swap."""
    name = "host-lazyfree"
    try:
        lazy = lazy_run(ctx, name, True, squeeze=True)
        dontneed = lazy_run(ctx, name + "-discard", False)
    except GuestError as e:
        return [(name, False, str(e))]
    res = []
    rep = lazy["reports"]
    res.append((name + ": every reported range freed with MADV_FREE",
                rep.get("free", [0])[0] > 0 and list(rep) == ["free"] and
                rep["free"][2] == 0, "trace: " + _trace_desc(rep)))
    hog1 = lazy["hog1_kb"]
    res.append((name + ": the hog's memory stays with QEMU as LazyFree",
                lazy["reported_s"] is not None and
                lazy["rss1_kb"] >= lazy["peak_kb"] - 0.1 * hog1,
                "LazyFree grew by %s of the %s hog (%s); RSS %s at the "
                "hog's exit, %s then" % (
                    _mib(lazy["lazyfree_kb"]), _mib(hog1),
                    "90%% in %.1f s" % lazy["reported_s"]
                    if lazy["reported_s"] is not None
                    else "not 90%% within %d s" % LAZY_WITHIN_S,
                    _mib(lazy["peak_kb"]), _mib(lazy["rss1_kb"]))))
    # Reuse: after MADV_DONTNEED the host faults every page (or huge page)
    # of the second hog in again: about one fault per 2 MiB (463-577 for
    # 1 GiB in 10 runs: part of the hog lands on memory never discarded,
    # and QEMU faults for itself too), three quarters of that at least.
    # After MADV_FREE they are still mapped.  What QEMU takes meanwhile is
    # its own (TCG, threads) and the memory it backs anew (RSS +128-142
    # MiB, ~70 huge pages): 64-197 faults in those runs, so at most half
    # the control's (a quarter failed 2 in 10).
    hog2 = lazy["hog2_kb"]
    dn, lz = dontneed["reuse_faults"], lazy["reuse_faults"]
    ok = (dontneed["reported_s"] is not None and
          dn >= 0.75 * hog2 / 2048 and lz * 2 <= dn and
          lazy["reuse_rss_kb"] <= 0.25 * hog2)
    res.append((name + ": reusing reported memory costs no host faults", ok,
                "while the guest took %s again QEMU took %d minor faults "
                "and its RSS grew by %s; after MADV_DONTNEED %d faults "
                "(at most half of them, and a quarter of the hog; the hog's "
                "memory left QEMU %s)" % (
                    _mib(hog2), lz, _mib(lazy["reuse_rss_kb"]), dn,
                    "in %.1f s" % dontneed["reported_s"]
                    if dontneed["reported_s"] is not None else
                    "not within %d s (RSS %s at its exit, %s then)" % (
                        LAZY_WITHIN_S, _mib(dontneed["peak_kb"]),
                        _mib(dontneed["rss1_kb"])))))
    if "squeeze_s" not in lazy:
        res.append((name + ": a lowered memory limit takes it back without "
                    "swap", False, "the second hog's memory was not "
                    "reported within %d s" % LAZY_WITHIN_S))
    else:
        res.append((
            name + ": a lowered memory limit takes it back without swap",
            lazy["squeeze_err"] is None and
            lazy["squeezed_kb"] >= 0.9 * hog2 and lazy["swap_kb"] <= 0 and
            lazy["lazyfreed_kb"] >= 0.9 * hog2,
            "limit lowered by %d MiB (usage %d MiB, LazyFree %s) %sin "
            "%.1f s: RSS fell by %s, usage to %d MiB, host pglazyfreed "
            "grew by %s, swap by %s; failcnt %d" % (
                hog2 // 1024 - SQUEEZE_SLACK_MIB, lazy["usage_mib"],
                _mib(lazy["lazy_before_kb"]),
                "(refused: %s) " % lazy["squeeze_err"]
                if lazy["squeeze_err"] else "", lazy["squeeze_s"],
                _mib(lazy["squeezed_kb"]), lazy["usage_after_mib"],
                _mib(lazy["lazyfreed_kb"]), _mib(lazy["swap_kb"]),
                lazy["failcnt"])))
    rep = dontneed["reports"]
    res.append((name + "-discard: every reported range discarded",
                rep.get("discard", [0])[0] > 0 and list(rep) == ["discard"]
                and rep["discard"][2] == 0, "trace: " + _trace_desc(rep)))
    for tag, r in ((name, lazy), (name + "-discard", dontneed)):
        res.append((tag + ": clean console", not r["splats"],
                    "\n".join(r["splats"])))
    return res


def host_lazyfree_fallback(ctx):
    """Our QEMU, free-page-reporting-lazy=on over shared memory: discarded
    as before, said once."""
    name = "host-lazyfree-shared"
    try:
        r = lazy_run(ctx, name, True, expect_lazy=False, extra=[
            "-object", "memory-backend-memfd,id=mem0,size=2048M,share=on",
            "-machine", "memory-backend=mem0"])
    except GuestError as e:
        return [(name, False, str(e))]
    rep = r["reports"]
    return [
        (name + ": discarded instead, said once",
         r["fallback_warnings"] == 1 and list(rep) == ["discard"] and
         rep["discard"][2] == 0 and r["reported_s"] is not None,
         "%d warnings; trace: %s; 90%% of the %s hog off QEMU's RSS %s" % (
             r["fallback_warnings"], _trace_desc(rep), _mib(r["hog1_kb"]),
             "in %.1f s" % r["reported_s"] if r["reported_s"] is not None
             else "not within %d s" % LAZY_WITHIN_S)),
        (name + ": clean console", not r["splats"], "\n".join(r["splats"])),
    ]


def host_zeroed(ctx):
    """Our QEMU, x-free-page-reporting-init=on: reported pages known zero
    (the zeroed kselftest and the feature bits, debug kernel)."""
    return run_kselftests(ctx, "host-zeroed", features="5,6",
                          tests="balloon_features,zeroed", timeout=600,
                          qemu=ctx.qemu,
                          balloon_props=["x-free-page-reporting-init=on"],
                          extra=["-trace", "virtio_balloon_report_done"])


CHECK = [host_lazyfree, host_lazyfree_fallback, host_zeroed]
