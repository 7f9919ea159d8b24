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
                 hold_s=60, mem_mib=2048, reporting=True, cmdline=None):
        args = {"scenario": "reclaim", "hog_mib": hog_mib,
                "hold_s": hold_s}
        args.update(cmdline or {})
        self.hog_mib, self.hold_s = hog_mib, hold_s
        self.guest = Guest(kernel, initrd, rundir, name, mem_mib=mem_mib,
                           reporting=reporting, cmdline=args)
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


class Migration:
    """Migrate a guest that ran a hog to a second QEMU over a unix socket.

    The source guest runs the 'migrate' scenario (hog that exits, then
    MemFree every 0.2 s); the destination starts with -incoming.  Returns
    query-migrate's figures and the guest's MemFree drop during migration.
    """

    def __init__(self, kernel, initrd, rundir, name, hinting=False,
                 hog_mib=1228, mem_mib=2048, bandwidth=1 << 30,
                 cmdline=None):
        args = {"scenario": "migrate", "hog_mib": hog_mib}
        args.update(cmdline or {})
        common = dict(mem_mib=mem_mib, reporting=False, hinting=hinting,
                      cmdline=args)
        self.sock = os.path.join(rundir, name + ".mig")
        self.src = Guest(kernel, initrd, rundir, name + "-src", **common)
        self.dst = Guest(kernel, initrd, rundir, name + "-dst",
                         incoming="unix:" + self.sock, **common)
        self.bandwidth = bandwidth

    def run(self, timeout=600):
        src, dst = self.src, self.dst
        try:
            src.start()
            hit = src.wait_data(r"^@@ ready", timeout)
            if not hit:
                raise GuestError("guest never got ready for migration")
            dst.start()
            time.sleep(1.0)             # a few MemFree samples first
            t0 = time.monotonic()
            src.migrate("unix:" + self.sock, max_bandwidth=self.bandwidth)
            info = src.wait_migration(timeout)
            t1 = time.monotonic()
            if info.get("status") != "completed":
                raise GuestError("migration %s" % info.get("status"))
            # The guest goes on at the destination.
            alive = dst.wait_data(r"^@@ memfree", 30)
        finally:
            src.stop()
            dst.stop()
        before = [int(l.split()[3]) for t, l in src.data.lines
                  if l.startswith("@@ memfree ") and t < t0]
        # Field 4 is the lowest sample since the previous line: a line
        # up to one print period after the end still covers the migration.
        during = [int(l.split()[4]) for t, l in src.data.lines
                  if l.startswith("@@ memfree ") and t0 <= t <= t1 + 0.3]
        ram = info.get("ram", {})
        return {
            "total_ms": info.get("total-time"),
            "downtime_ms": info.get("downtime"),
            "transferred": ram.get("transferred"),
            "duplicate": ram.get("duplicate"),
            "memfree_before_kb": before[-1] if before else None,
            "memfree_min_kb": min(during) if during else None,
            "dst_running": bool(alive),
            "splats": src.splats() + dst.splats(),
        }
