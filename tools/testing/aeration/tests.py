# SPDX-License-Identifier: GPL-2.0
"""The tests make check runs.  Each returns a list of (name, ok, detail)."""

import os
import re
import subprocess
import sys
import time

from scenarios import MIB, Reclaim
from vm import Guest, GuestError

GIB = 1024 * MIB


def _splat_check(guest, name):
    splats = guest.splats()
    if splats:
        return [(name + ": clean console", False,
                 "kernel problem in the console:\n" + "\n".join(splats))]
    return [(name + ": clean console", True, "")]


def parse_tap(lines, prefix):
    """Top-level kselftest TAP results from the guest's data channel."""
    results = []
    for line in lines:
        m = re.match(r"^(not ok|ok) \d+ (.*?)(?: # (.*))?$", line)
        if not m:
            continue
        ok = m.group(1) == "ok"
        detail = m.group(3) or ""
        results.append(("%s: %s" % (prefix, m.group(2)), ok, detail))
    return results


def parse_ktap(console_lines):
    """KUnit results (one per test case) from a kernel console."""
    results = []
    suite = None
    for line in console_lines:
        line = re.sub(r"^\[\s*[\d.]+\]\s?", "", line)
        m = re.match(r"^\s*# Subtest: (\S+)", line)
        if m:
            suite = m.group(1)
            continue
        m = re.match(r"^(\s+)(not ok|ok) \d+ (\S+)(?: # (.*))?", line)
        if m and suite:
            ok = m.group(2) == "ok"
            directive = m.group(4) or ""
            results.append(("kunit: %s.%s" % (suite, m.group(3)), ok,
                            directive))
    return results


def kunit(ctx):
    """KUnit suite for the engine, in the debug kernel, fake device."""
    # No balloon device: the tests register their own fake one.
    g = Guest(ctx.debug_kernel, ctx.initrd, ctx.rundir, "kunit",
              balloon=False,
              cmdline={"scenario": "idle", "kunit.enable": "1",
                       "kunit.filter_glob": "aeration*", "loglevel": "7"})
    try:
        g.start()
        g.wait_exit(900)
    except GuestError as e:
        g.stop()
        return [("kunit", False, str(e))] + _splat_check(g, "kunit")
    lines = [l for _, l in g.console.lines]
    res = parse_ktap(lines)
    if not res:
        res = [("kunit", False, "no KUnit results on the console")]
    # The upstream parser must agree.
    kp = subprocess.run(
        [sys.executable, os.path.join(ctx.tree, "tools/testing/kunit/kunit.py"),
         "parse", g.console_path], capture_output=True, text=True)
    res.append(("kunit: kunit.py parse agrees", kp.returncode == 0,
                kp.stdout.strip().splitlines()[-1] if kp.stdout.strip()
                else kp.stderr.strip()[-500:]))
    return res + _splat_check(g, "kunit")


def kselftests(ctx):
    """Guest kselftests, on the debug kernel, with the real device."""
    g = Guest(ctx.debug_kernel, ctx.initrd, ctx.rundir, "kselftest",
              cmdline={"scenario": "kselftest",
                       "AERATION_EXPECT_FEATURES": "5"})
    try:
        g.start()
        rc = g.wait_exit(900)
    except GuestError as e:
        g.stop()
        return [("kselftest", False, str(e))] + _splat_check(g, "kselftest")
    res = parse_tap(g.data_lines(), "kselftest")
    if not res:
        res = [("kselftest", False, "no TAP results (exit %d)" % rc)]
    return res + _splat_check(g, "kselftest")


def _reclaim(ctx, kernel, name, reporting, want_kb, within_s):
    """Did the host get want_kb back within within_s of the hog's exit?"""
    with Reclaim(kernel, ctx.initrd, ctx.rundir, name,
                 reporting=reporting, hold_s=within_s + 10) as r:
        r.wait_hog()
        took = r.peak - r.base
        # Until 90% is back (for the t90 figure) or the time is up.
        r.watch(within_s, until=lambda kb: kb >= max(want_kb, 0.9 * took))
        got = r.returned_kb()
        t = r.time_to_return(min(1.0, want_kb / max(took, 1)))
        t50, t90 = r.time_to_return(0.5), r.time_to_return(0.9)
        splat = _splat_check(r.guest, name)

    def fmt(x):
        return "%.1f s" % x if x is not None else "-"
    detail = ("hog took %d MiB of host RSS, %d MiB back %s; t50 %s, t90 %s"
              % (took // MIB, got // MIB,
                 "after %.1f s" % t if t is not None
                 else "within %d s" % within_s, fmt(t50), fmt(t90)))
    hog_landed = took >= 1400 * MIB
    return [(name + ": hog reached the host", hog_landed,
             "RSS grew by %d MiB" % (took // MIB)),
            (name, got >= want_kb, detail)] + splat


def reclaim_aeration(ctx):
    """Our kernel gives back >= 90% of the hog within 5 s, and it stays down."""
    name = "reclaim-aeration"
    with Reclaim(ctx.debug_kernel, ctx.initrd, ctx.rundir, name,
                 hold_s=40) as r:
        r.wait_hog()
        took = r.peak - r.base
        want = 0.9 * took
        r.watch(5.0, until=lambda kb: kb >= want)
        t50, t90 = r.time_to_return(0.5), r.time_to_return(0.9)
        got5 = r.returned_kb()
        # Stays down: 10 s more, RSS never climbs back above the 90% line.
        r.watch(15.0)
        after = [kb for t, kb in r.sampler.samples if t > r.t_exit + 5.0]
        worst = max(after) if after else r.peak
        splat = _splat_check(r.guest, name)
    line = r.peak - want
    return [
        (name + ": hog reached the host", took >= 1400 * MIB,
         "RSS grew by %d MiB" % (took // MIB)),
        (name + ": >= 90% back within 5 s", t90 is not None and t90 <= 5.0,
         "%d of %d MiB back after 5 s; t50 %s, t90 %s" %
         (got5 // MIB, took // MIB,
          "%.1f s" % t50 if t50 is not None else "-",
          "%.1f s" % t90 if t90 is not None else "never")),
        (name + ": stays down", worst <= line + 64 * MIB,
         "highest RSS 5-20 s after exit %d MiB, 90%% line %d MiB" %
         (worst // MIB, line // MIB)),
    ] + splat


def unplug(ctx):
    """Device hot-unplugged mid-reporting: memory back to normal, no splat."""
    name = "unplug"
    g = Guest(ctx.debug_kernel, ctx.initrd, ctx.rundir, name,
              cmdline={"scenario": "unplug"})
    try:
        g.start()
        hit = g.wait_data(r"^@@ hog-exit", 600)
        if not hit:
            raise GuestError("hog never finished")
        time.sleep(0.3)
        g.qmp.cmd("device_del", id="balloon0")
        rc = g.wait_exit(120)
    except GuestError as e:
        g.stop()
        return [(name, False, str(e))] + _splat_check(g, name)
    res = [l for l in g.data_lines() if l.startswith("@@ result")]
    detail = res[-1][len("@@ result "):] if res else "no result (exit %d)" % rc
    return [(name + ": memory back after device_del", rc == 0, detail)] + \
        _splat_check(g, name)


def reclaim_stock(ctx):
    """Stock 6.12 reporting gives >= 1 GiB back within 60 s."""
    return _reclaim(ctx, ctx.stock_kernel, "reclaim-stock", True, GIB, 60)


def reclaim_control(ctx):
    """Without free-page-reporting=on the same assertion must not hold:
    proof the reclaim test measures the device, not something else."""
    res = _reclaim(ctx, ctx.stock_kernel, "reclaim-control", False, GIB, 30)
    out = []
    for name, ok, detail in res:
        if name == "reclaim-control":
            name, ok = ("reclaim-control: nothing back without reporting",
                        not ok)
        out.append((name, ok, detail))
    return out


def style(ctx):
    """checkpatch --strict, sparse and W=1 on what we add and change."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    out = []
    cp = subprocess.run([os.path.join(top, "scripts/checkpatch.sh"),
                         ctx.tree, top], capture_output=True, text=True)
    out.append(("style: checkpatch --strict clean", cp.returncode == 0,
                (cp.stdout + cp.stderr).strip()[-3000:]))
    lint = subprocess.run(
        [os.path.join(top, "scripts/lint.sh"), ctx.tree,
         os.path.join(ctx.build, "aeration-debug"),
         os.path.join(ctx.build, "src", "base"),
         os.path.join(ctx.build, "stock")], capture_output=True, text=True)
    out.append(("style: no new sparse or W=1 warnings", lint.returncode == 0,
                (lint.stdout + lint.stderr).strip()[-3000:]))
    return out


CHECK = [kunit, kselftests, reclaim_aeration, unplug, reclaim_stock,
         reclaim_control, style]
