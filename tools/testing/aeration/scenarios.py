# SPDX-License-Identifier: GPL-2.0
"""Host-side scenarios shared by the tests, the demo and the bench."""

import time

from vm import Guest, GuestError, RssSampler

MIB = 1024  # kB


class Reclaim:
    """Boot, run a hog that exits, watch the host get its memory back.

    Times are seconds after the hog's exit; sizes are kB of QEMU RSS.
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
        hit = g.wait_data(r"^@@ hog-exit", hog_timeout, hit[0])
        if not hit:
            raise GuestError("hog did not finish")
        self.t_exit = hit[1]
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
