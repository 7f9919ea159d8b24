# SPDX-License-Identifier: GPL-2.0
"""Host-side scenarios shared by the tests, the demo and the bench."""

import os
import time

from vm import Guest, GuestError, RssSampler

MIB = 1024  # kB


class Reclaim:
    """Boot, run a hog that exits, watch the host get its memory back.

    Times are seconds after the hog's exit began; sizes are kB of QEMU RSS.
    """

    def __init__(self, kernel, initrd, rundir, name, hog_mib=1536,
                 hold_s=60, mem_mib=2048, reporting=True, cmdline=None,
                 shape=None):
        args = {"scenario": "reclaim", "hog_mib": hog_mib,
                "hold_s": hold_s}
        args.update(cmdline or {})
        self.hog_mib, self.hold_s = hog_mib, hold_s
        self.guest = Guest(kernel, initrd, rundir, name, mem_mib=mem_mib,
                           reporting=reporting, cmdline=args, shape=shape)
        self.sampler = None
        self.t_exit = None
        self.peak = self.base = None

    def __enter__(self):
        self.guest.start()
        self.sampler = RssSampler(self.guest)
        self.sampler.start()
        return self

    def __exit__(self, etype, exc, tb):
        if self.sampler:
            self.sampler.stop()
            self.sampler.save(os.path.join(self.guest.dir, "rss.tsv"))
        self.guest.stop()
        if isinstance(exc, GuestError):
            splats = self.guest.splats()
            if splats:
                exc.args = ("%s; console:\n%s" % (exc, "\n".join(splats)),)

    def wait_hog(self, boot_timeout=180, hog_timeout=600):
        g = self.guest
        hit = g.wait_data(r"^@@ hog-start", boot_timeout)
        if not hit:
            raise GuestError("guest never started the hog")
        self.base = g.rss_kb()
        # Time from the start of the hog's exit (memhog says when it
        # returns), not from its end: freeing 1.5 GiB takes a while.
        start = g.wait_data(r"^@@ hog-exiting", hog_timeout, hit[0])
        hit = g.wait_data(r"^@@ hog-exit ", hog_timeout, hit[0])
        if not hit or not start:
            raise GuestError("hog did not finish")
        self.t_exit = start[1]
        self.peak = self.sampler.peak(until=self.t_exit + 0.2)
        return self

    def returned_kb(self):
        """Host memory back since the hog's peak, by the latest sample."""
        if not self.sampler.samples:
            return 0
        return self.peak - self.sampler.samples[-1][1]

    def memfree_kb(self):
        for _, line in reversed(self.guest.data.lines):
            if line.startswith("@@ memfree "):
                return int(line.split()[3])
        return None

    def watch(self, seconds, until=None, tick=None):
        """Follow the host RSS for up to seconds after the hog's exit.

        until(returned_kb) ends the watch early; tick(elapsed) is called
        about once a second.
        """
        next_tick = 0.0
        # Judge only once a sample taken after the hog's exit is in.
        while (not self.sampler.samples or
               self.sampler.samples[-1][0] < self.t_exit):
            if not self.guest.alive():
                return
            time.sleep(0.02)
        while True:
            elapsed = time.monotonic() - self.t_exit
            if elapsed >= seconds or not self.guest.alive():
                return
            if until and until(self.returned_kb()):
                return
            if tick and elapsed >= next_tick:
                tick(elapsed)
                next_tick += 1.0
            time.sleep(0.1)

    def time_to_return(self, fraction):
        """Seconds after the hog's exit until the host got back fraction of
        the memory the hog took (peak - base), or None."""
        target = self.peak - fraction * (self.peak - self.base)
        t = self.sampler.first_at_or_below(target, self.t_exit)
        return None if t is None else t - self.t_exit


def _fields(lines, tag, t_from=None, t_to=None):
    """[(time, [int fields])] of data lines '@@ tag ...' within a window."""
    out = []
    for t, line in lines:
        if not line.startswith("@@ %s " % tag):
            continue
        if (t_from is not None and t < t_from) or \
                (t_to is not None and t > t_to):
            continue
        try:
            out.append((t, [float(x) for x in line.split()[2:]]))
        except ValueError:
            pass
    return out


class Migration:
    """Migrate a guest that ran a hog to a second QEMU over a unix socket.

    The source guest runs the 'migrate' scenario: a hog that exits (so
    free memory holds data), then memwatch: MemFree every 5 ms (lowest
    per line), the hint counters, and a buffer of known contents checked
    all the time.  Optionally balloon_mib is inflated first, and churn_mib
    keeps being allocated, written and freed in the guest.  Each
    migrate() starts a new destination QEMU; cancel_after cancels the
    migration that many seconds in.
    """

    def __init__(self, kernel, initrd, rundir, name, hinting=False,
                 hog_mib=1228, mem_mib=2048, bandwidth=1 << 30,
                 balloon_mib=0, buf_mib=32, churn_mib=0, cmdline=None,
                 dst_paused=False):
        args = {"scenario": "migrate", "hog_mib": hog_mib,
                "buf_mib": buf_mib}
        if churn_mib:
            args["churn_mib"] = churn_mib
        args.update(cmdline or {})
        self.common = dict(mem_mib=mem_mib, reporting=False,
                           hinting=hinting, cmdline=args)
        self.kernel, self.initrd = kernel, initrd
        self.rundir, self.name = rundir, name
        self.mem_mib, self.balloon_mib = mem_mib, balloon_mib
        self.src = Guest(kernel, initrd, rundir, name + "-src",
                         **self.common)
        self.dsts = []
        self.bandwidth = bandwidth
        # Destinations that stay paused after the migration (-S), so that
        # their RAM can be compared with the source's.
        self.dst_extra = ["-S"] if dst_paused else []

    def __enter__(self):
        return self

    def __exit__(self, etype, exc, tb):
        self.close()

    def close(self):
        for g in [self.src] + self.dsts:
            if g.proc:
                g.stop()

    def splats(self, src=True, dsts=True):
        out = []
        for g in ([self.src] if src else []) + (self.dsts if dsts else []):
            if g.proc:
                out += g.splats()
        return out

    def prepare(self, timeout=600):
        src = self.src
        src.start()
        if not src.wait_data(r"^@@ ready", timeout):
            raise GuestError("guest never got ready for migration")
        if not src.wait_data(r"^@@ verify ", 60):
            raise GuestError("memwatch did not start")
        if self.balloon_mib:
            target = (self.mem_mib - self.balloon_mib) << 20
            src.qmp.cmd("balloon", value=target)
            deadline = time.monotonic() + 180
            while src.qmp.cmd("query-balloon")["actual"] > target:
                if time.monotonic() > deadline:
                    raise GuestError("balloon did not reach %d MiB"
                                     % (target >> 20))
                time.sleep(0.5)
        time.sleep(1.0)                 # a few MemFree samples first
        return self

    def migrate(self, cancel_after=None, during=None, timeout=600,
                slow_until=None):
        """One migration to a new destination; query-migrate's figures and
        the source's MemFree during it.  during=(seconds, fn): call fn()
        that long after the start.  slow_until=(bytes/s, fn, seconds): the
        link starts at that bandwidth and goes to the migration's own once
        fn(source) is true (or that many seconds passed), which the
        result's "slow_s" and "slow_met" tell."""
        src = self.src
        n = len(self.dsts) + 1
        sock = os.path.join(self.rundir, "%s-%d.mig" % (self.name, n))
        dst = Guest(self.kernel, self.initrd, self.rundir,
                    "%s-dst%d" % (self.name, n), incoming="unix:" + sock,
                    extra=self.dst_extra, **self.common)
        self.dsts.append(dst)
        dst.start()
        time.sleep(1.0)
        io0 = src.iothread_cpu_ms()
        t0 = time.monotonic()
        slow = {}
        if slow_until is None:
            src.migrate("unix:" + sock, max_bandwidth=self.bandwidth)
        else:
            src.migrate("unix:" + sock, max_bandwidth=slow_until[0])
            deadline = t0 + slow_until[2]
            met = False
            while time.monotonic() < deadline:
                met = slow_until[1](src)
                if met:
                    break
                time.sleep(0.05)
            src.qmp.cmd("migrate-set-parameters",
                        **{"max-bandwidth": self.bandwidth})
            slow = {"slow_s": time.monotonic() - t0, "slow_met": met}
        if during is not None:
            time.sleep(during[0])
            during[1]()
        if cancel_after is not None:
            time.sleep(cancel_after)
            src.qmp.cmd("migrate_cancel")
        info = src.wait_migration(timeout)
        t1 = time.monotonic()
        io1 = src.iothread_cpu_ms()
        if info.get("status") != "completed":
            dst.stop()
        before = _fields(src.data.lines, "memfree", t_to=t0)
        # Field 3 is the lowest sample since the previous line: a line up
        # to one print period after the end still covers the migration.
        # After a switch-over that line comes from the destination (a
        # migration shorter than the print period has no other).
        during = _fields(src.data.lines, "memfree", t0, t1 + 0.3)
        if info.get("status") == "completed" and dst.wait_data(
                r"^@@ memfree ", 5):
            during += _fields(dst.data.lines, "memfree")[:1]
        ram = info.get("ram", {})
        return {
            "status": info.get("status"),
            "total_ms": info.get("total-time"),
            "downtime_ms": info.get("downtime"),
            "transferred": ram.get("transferred"),
            "duplicate": ram.get("duplicate"),
            "normal": ram.get("normal"),
            "memfree_before_kb": int(before[-1][1][1]) if before else None,
            "memfree_min_kb": int(min(f[2] for _, f in during))
            if during else None,
            "t_end": t1,
            "iothread_cpu_ms": None if io0 is None or io1 is None
            else io1 - io0,
            **slow,
        }

    def verify_running(self, guest, passes=2, timeout=60):
        """Does guest (the destination) go on checking its buffer?  Returns
        (full passes seen there, bad words) once it made passes more."""
        first = guest.wait_data(r"^@@ verify (\d+) (\d+)", timeout)
        if not first:
            return None, None
        start = int(first[2].group(1))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = _fields(guest.data.lines, "verify")
            if last and last[-1][1][0] >= start + passes:
                return int(last[-1][1][0]), int(last[-1][1][1])
            if not guest.alive():
                break
            time.sleep(0.2)
        last = _fields(guest.data.lines, "verify")
        return (int(last[-1][1][0]), int(last[-1][1][1])) if last else \
            (None, None)

    def compare_ram(self, dst, page=4096):
        """Pages of guest RAM that differ between the stopped source and
        a paused destination (QMP pmemsave of both), and the first few."""
        paths = []
        for g in (self.src, dst):
            path = os.path.join(g.dir, "ram.bin")
            g.qmp.cmd("pmemsave", val=0, size=self.mem_mib << 20,
                      filename=path)
            paths.append(path)
        bad, first = 0, []
        with open(paths[0], "rb") as a, open(paths[1], "rb") as b:
            off = 0
            while True:
                x, y = a.read(1 << 20), b.read(1 << 20)
                if not x and not y:
                    break
                if x != y:
                    for i in range(0, max(len(x), len(y)), page):
                        if x[i:i + page] != y[i:i + page]:
                            bad += 1
                            if len(first) < 8:
                                first.append("%#x" % (off + i))
                off += 1 << 20
        for p in paths:
            os.unlink(p)
        return bad, first

    @staticmethod
    def hintstat(guest):
        """Latest (rounds, pages hinted, balloon pages, drop_pagecache)."""
        last = _fields(guest.data.lines, "hintstat")
        return tuple(int(x) for x in last[-1][1]) if last else None

    @staticmethod
    def memfree_now(guest, after):
        vals = _fields(guest.data.lines, "memfree", t_from=after)
        return int(vals[-1][1][1]) if vals else None
