#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""aeration host harness.

  run.py --build DIR check [TEST...]   the tests; ends with "N passed, N failed"
  run.py --build DIR check --repeat N TEST...
                                       each TEST N times in a row (flakes)
  run.py --build DIR demo              watch memory go back to the host
  run.py --build DIR migrate [--hints] one migration after a hog, figures
  run.py --build DIR soak --minutes N  the long soak (make soak)
  run.py --build DIR bench [--reps N] [--quick] [SCENARIO...]
                                       aeration vs stock, build/bench/
         [--alt LABEL=BZIMAGE]         and another build of ours (an older
                                       commit's) in the migration scenarios
                                       and on the MADV_FREE host in churn
         [--sizes MIB,...]             the scale scenarios' guest sizes
"""

import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench as benchmod  # noqa: E402
import tests  # noqa: E402
import tests_host  # noqa: E402
import tests_world  # noqa: E402
from scenarios import MIB, Reclaim  # noqa: E402
from vm import GuestError  # noqa: E402


class Ctx:
    def __init__(self, build):
        self.build = build
        self.stock_kernel = os.path.join(build, "stock", "bzImage")
        self.kernel = os.path.join(build, "aeration", "bzImage")
        self.debug_kernel = os.path.join(build, "aeration-debug", "bzImage")
        self.kasan_kernel = os.path.join(build, "aeration-kasan", "bzImage")
        self.qemu = os.path.join(build, "qemu", "qemu-system-x86_64")
        self.initrd = os.path.join(build, "initramfs.cpio.gz")
        self.soak_initrd = os.path.join(build, "initramfs-soak.cpio.gz")
        self.tree = os.path.join(build, "src", "aeration")
        self.alt = None             # bench --alt: (label, bzImage)
        self.sizes = None           # bench --sizes
        self.lean = False           # bench --lean: no control configs
        self.wis_initrd = None      # bench --wis: will-it-scale's tests
        self.rundir = os.path.join(build, "runs",
                                   time.strftime("%Y%m%d-%H%M%S"))
        os.makedirs(self.rundir, exist_ok=True)


# Everything make check runs, in order: the bench smoke and the style,
# series and build-matrix gates last.
ALL = (tests.CHECK[:-4] + tests_world.CHECK + tests_host.CHECK +
       tests.CHECK[-4:])


def check(ctx, names, repeat=1):
    chosen = [t for t in ALL if not names or t.__name__ in names]
    unknown = set(names) - set(t.__name__ for t in ALL)
    if unknown:
        print("no such test: %s" % " ".join(sorted(unknown)))
        return 2
    passed = failed = 0
    bad_runs = {}           # result name -> repetitions it failed in
    top = ctx.rundir
    t0 = time.monotonic()
    for rep in range(1, repeat + 1):
        if repeat > 1:
            # One directory per repetition: every console is kept.
            ctx.rundir = os.path.join(top, "%02d" % rep)
            os.makedirs(ctx.rundir, exist_ok=True)
        for test in chosen:
            print("== %s%s: %s" % (test.__name__,
                                   " [%d/%d]" % (rep, repeat)
                                   if repeat > 1 else "",
                                   test.__doc__.splitlines()[0]), flush=True)
            t1 = time.monotonic()
            try:
                results = test(ctx)
            except GuestError as e:
                results = [(test.__name__, False, str(e))]
            for name, ok, detail in results:
                if ok:
                    passed += 1
                else:
                    failed += 1
                    bad_runs.setdefault(name, []).append(rep)
                print("%s %s%s" % ("PASS" if ok else "FAIL", name,
                                   (" (%s)" % detail) if detail and ok
                                   else ""))
                if not ok and detail:
                    print("     " + detail.replace("\n", "\n     "))
            print("   %.0f s" % (time.monotonic() - t1), flush=True)
    ctx.rundir = top
    if repeat > 1:
        reps = set(r for v in bad_runs.values() for r in v)
        print("%d of %d repetitions clean" % (repeat - len(reps), repeat))
        for name in sorted(bad_runs):
            print("  %s failed in %d: %s" % (
                name, len(bad_runs[name]),
                " ".join(str(r) for r in bad_runs[name])))
    print("runs in %s, %.0f s in all" % (ctx.rundir, time.monotonic() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def soak(ctx, minutes):
    """make soak: the soak for minutes, results as make check prints."""
    t0 = time.monotonic()
    failed = 0
    for name, ok, detail in tests_world.run_soak(ctx, "soak-long",
                                                 minutes * 60):
        failed += not ok
        print("%s %s%s" % ("PASS" if ok else "FAIL", name,
                           " (%s)" % detail if detail else ""))
    print("runs in %s, %.0f s in all" % (ctx.rundir, time.monotonic() - t0))
    print("%s" % ("soak passed" if not failed else
                  "soak: %d failed" % failed))
    return 1 if failed else 0


def demo(ctx, kernel, hog_mib, watch_s):
    print("Booting %s (2 GiB guest, 2 vCPUs, TCG) with a virtio-balloon "
          "device, free-page-reporting=on." % os.path.relpath(kernel))
    with Reclaim(kernel, ctx.initrd, ctx.rundir, "demo", hog_mib=hog_mib,
                 hold_s=watch_s + 5) as r:
        print("Guest runs a %d MiB memory hog that writes every page, "
              "then exits..." % hog_mib, flush=True)
        r.wait_hog()
        took = r.peak - r.base
        print("Hog done: QEMU RSS grew from %d to %d MiB.\n"
              % (r.base // MIB, r.peak // MIB))
        print("%8s %16s %14s %14s" % ("t (s)", "guest MemFree", "host RSS",
                                      "returned"))

        def tick(elapsed):
            free = r.memfree_kb()
            print("%8.0f %12s MiB %10d MiB %10d MiB"
                  % (elapsed, "?" if free is None else free // MIB,
                     (r.guest.rss_kb() or 0) // MIB, r.returned_kb() // MIB),
                  flush=True)
        r.watch(watch_s, tick=tick)
        got = r.returned_kb()
        t50, t90 = r.time_to_return(0.5), r.time_to_return(0.9)
        splats = r.guest.splats()

    def fmt(t):
        return "%.1f s" % t if t is not None else "not within %d s" % watch_s
    print("\nSummary: the hog took %d MiB of host memory; %d MiB (%.0f%%) "
          "went back to the host." % (took // MIB, got // MIB,
                                       100.0 * got / max(took, 1)))
    print("         50%% back after %s, 90%% back after %s (after the hog "
          "began to exit)." % (fmt(t50), fmt(t90)))
    print("         console, QMP and data logs: %s" %
          os.path.join(ctx.rundir, "demo"))
    if splats:
        print("Kernel problems in the console:\n" + "\n".join(splats))
        return 1
    return 0


def migrate(ctx, kernel, hints, balloon_mib):
    """One migration after a hog; prints query-migrate's figures."""
    name = "migrate-" + ("hints" if hints else "nohints")
    r = tests._migrate_once(ctx, kernel, name, hints,
                            balloon_mib=balloon_mib)
    print("%s, hints %s: %s; status %s; destination checked its buffer "
          "%s times, %s bad words; hint counters %s" %
          (os.path.relpath(kernel), "on" if hints else "off",
           tests._mig_fmt(r), r["status"], r.get("dst_passes"),
           r.get("dst_bad"), r.get("hintstat")))
    if r["splats"]:
        print("\n".join(r["splats"]))
        return 1
    return 0 if r["status"] == "completed" and r.get("dst_bad") == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", required=True)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("--repeat", type=int, default=1, metavar="N",
                   help="run the chosen tests N times in a row")
    c.add_argument("tests", nargs="*")
    d = sub.add_parser("demo")
    d.add_argument("--kernel")
    d.add_argument("--hog-mib", type=int, default=1536)
    d.add_argument("--seconds", type=int, default=30)
    m = sub.add_parser("migrate")
    m.add_argument("--kernel")
    m.add_argument("--hints", action="store_true")
    m.add_argument("--balloon-mib", type=int, default=0)
    so = sub.add_parser("soak")
    so.add_argument("--minutes", type=int, default=30)
    b = sub.add_parser("bench")
    b.add_argument("--reps", type=int, default=5)
    b.add_argument("--quick", action="store_true")
    b.add_argument("--out")
    b.add_argument("--alt", metavar="LABEL=BZIMAGE")
    b.add_argument("--sizes", metavar="MIB,...")
    b.add_argument("--wis", metavar="INITRAMFS",
                   help="an initramfs with will-it-scale's tests in /wis "
                   "(make bench WIS=CHECKOUT)")
    b.add_argument("--lean", action="store_true",
                   help="only the configurations the goals compare")
    b.add_argument("--configs", metavar="REGEX",
                   help="only the configurations whose label matches")
    b.add_argument("scenarios", nargs="*")
    a = ap.parse_args()
    ctx = Ctx(os.path.abspath(a.build))
    if a.cmd == "check":
        if a.repeat < 1:
            ap.error("--repeat wants a positive count")
        if a.repeat > 1 and not a.tests:
            ap.error("--repeat wants the tests named, e.g. --repeat 30 kunit")
        return check(ctx, a.tests, a.repeat)
    if a.cmd == "soak":
        if a.minutes < 1:
            ap.error("--minutes wants a positive count")
        return soak(ctx, a.minutes)
    if a.cmd == "bench":
        out = a.out or os.path.join(ctx.build, "bench")
        ctx.lean = a.lean
        if a.wis:
            if not os.path.isfile(a.wis):
                ap.error("--wis wants an initramfs, an existing file")
            ctx.wis_initrd = os.path.abspath(a.wis)
        elif "will-it-scale" in a.scenarios:
            ap.error("will-it-scale needs --wis (make bench WIS=CHECKOUT)")
        known = [n for n, _, _ in benchmod.scenarios(ctx, a.quick)]
        unknown = [n for n in a.scenarios if n not in known]
        if unknown:
            ap.error("no scenario %s; there are: %s" %
                     (", ".join(unknown), " ".join(known)))
        if a.configs:
            try:
                re.compile(a.configs)
            except re.error as e:
                ap.error("--configs wants a regular expression: %s" % e)
        if a.alt:
            label, _, path = a.alt.partition("=")
            if not label or not os.path.isfile(path):
                ap.error("--alt wants LABEL=BZIMAGE, an existing file")
            ctx.alt = (label, os.path.abspath(path))
        if a.sizes:
            try:
                ctx.sizes = tuple(int(x) for x in a.sizes.split(","))
            except ValueError:
                ctx.sizes = ()
            if not ctx.sizes or min(ctx.sizes) < 512:
                ap.error("--sizes wants MiB counts of 512 or more, "
                         "e.g. 2048,4096")
        return 1 if benchmod.bench(ctx, out, a.reps, a.quick,
                                   a.scenarios, a.configs) else 0
    if a.cmd == "migrate":
        return migrate(ctx, a.kernel or ctx.kernel, a.hints, a.balloon_mib)
    return demo(ctx, a.kernel or ctx.kernel, a.hog_mib, a.seconds)


if __name__ == "__main__":
    sys.exit(main())
