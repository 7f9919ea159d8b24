# SPDX-License-Identifier: GPL-2.0
"""make bench: aeration against the stock kernel, in the same run.

Every scenario runs its configurations in turn, repetition after
repetition (so that a noisy stretch of the machine hits all of them), and
reports medians with min-max and the ratio to the stock configuration.
Samples go to results.json, tables to results.md, plots (if matplotlib is
there) to *.png, all in the output directory.
"""

import json
import os
import platform
import re
import statistics
import subprocess
import time

from scenarios import MIB, Reclaim
from vm import QEMU, Guest, GuestError, RssSampler
import tests
import tests_host

RECLAIM_HOG_MIB = 1536
RECLAIM_LATER_S = 30        # "RSS 30 s later"
# The most it was before adaptation (bench-2026-12-03.md: 4 [0-8] MiB).
RECLAIM_RSS_LATER_MIB = 8
CHURN_MIB = 128             # the busy migration guest's working set
CHURN_NOTE = (
    "Runs whose destination guest failed (an oops, or its buffer check "
    "stopped) are counted below, not failed: QEMU 7.2 under TCG lost some "
    "of a busy guest's writes when it migrated it (fixed in QEMU 9.0; the "
    "host is 10.0 since 2026-12-01, where the count should be 0).  The "
    "figures are the migration's, from the source.")


def _vmstat_fields(lines):
    for line in reversed(lines):
        if line.startswith("@@ vmstat"):
            return dict(kv.split("=", 1) for kv in line.split()[2:]
                        if "=" in kv)
    return {}


def reclaim_run(ctx, kernel, name, cmdline=None, mem_mib=2048,
                hog_mib=RECLAIM_HOG_MIB, later_s=RECLAIM_LATER_S,
                t90_only=False):
    """One reclaim run: t50, t90, RSS above the base later_s after the
    exit, counters, and the RSS trace.  t90_only: stop once 90% is back
    (or after later_s), for t50 and t90 alone."""
    hold = later_s + 5
    with Reclaim(kernel, ctx.initrd, ctx.rundir, name, hog_mib=hog_mib,
                 mem_mib=mem_mib, hold_s=hold, cmdline=cmdline) as r:
        r.wait_hog()
        until = None
        if t90_only:
            took = r.peak - r.base
            # A sample past the line: time_to_return() needs one.
            until = lambda kb: kb >= 0.91 * took    # noqa: E731
        r.watch(later_s + 0.5, until=until)
        later = r.sampler.samples[-1][1] if r.sampler.samples else None
        t50, t90 = r.time_to_return(0.5), r.time_to_return(0.9)
        if t90_only:
            later, vm = None, {}
        else:
            r.guest.wait_data(r"^@@ vmstat", hold + 30)
            vm = _vmstat_fields(r.guest.data_lines())
        trace = [(round(t - r.t_exit, 2), kb // MIB)
                 for t, kb in r.sampler.samples
                 if t >= r.t_exit - 2 and t <= r.t_exit + later_s]
        splats = r.guest.splats()
    return {
        "t50_s": t50, "t90_s": t90,
        "took_mib": (r.peak - r.base) // MIB,
        "rss_later_mib": None if later is None else (later - r.base) // MIB,
        # Stock page_reporting counts nothing in /proc/vmstat.
        "reported": int(vm["aeration_pages_reported"])
        if "aeration_pages_reported" in vm else None,
        "rereported": int(vm["aeration_pages_rereported"])
        if "aeration_pages_rereported" in vm else None,
        "rss_trace": trace, "splats": len(splats),
    }


def _run_to_exit(g, timeout):
    """Boot g, wait for its scenario to end: its exit status."""
    try:
        g.start()
        return g.wait_exit(timeout)
    finally:
        g.stop()


def pf1_run(ctx, kernel, name, balloon, reporting, seconds, tasks,
            host=None):
    g = Guest(kernel, ctx.initrd, ctx.rundir, name, balloon=balloon,
              reporting=reporting,
              cmdline={"scenario": "pf1", "pf1_s": seconds,
                       "pf1_tasks": ",".join(str(t) for t in tasks)},
              **_host_kw(ctx, host))
    rc = _run_to_exit(g, 120 + 3 * seconds * len(tasks))
    out = {}
    for line in g.data_lines():
        m = re.match(r"^@@ pf1 tasks=(\d+) .* rate=(\d+)", line)
        if m:
            out["rate_%s" % m.group(1)] = int(m.group(2))
    if rc != 0 or len(out) != len(tasks):
        raise GuestError("pf1 in %s failed (exit %d)" % (name, rc))
    out["splats"] = len(g.splats())
    return out


WIS_TESTS = tuple("page_fault%d_%s" % (n, mode) for n in (1, 2, 3)
                  for mode in ("processes", "threads"))
WIS_TASKS = (1, 2)
WIS_METRICS = ["%s_%d" % (t, n) for t in WIS_TESTS for n in WIS_TASKS]


def wis_run(ctx, kernel, name, balloon, reporting, seconds):
    """will-it-scale's page fault tests (make bench WIS=...), iterations
    per second for each test and task count."""
    assert seconds >= 1     # -s 0 runs for ever
    g = Guest(kernel, ctx.wis_initrd, ctx.rundir, name, balloon=balloon,
              reporting=reporting,
              cmdline={"scenario": "wis", "wis_s": seconds,
                       "wis_tasks": ",".join(str(t) for t in WIS_TASKS)})
    rc = _run_to_exit(g, 120 + len(WIS_METRICS) * (seconds + 10) * 3)
    out = {}
    for line in g.data_lines():
        m = re.match(r"^@@ wis test=(\S+) tasks=(\d+) rate=(\d+)", line)
        if m:
            out["%s_%s" % (m.group(1), m.group(2))] = int(m.group(3))
    if rc != 0 or sorted(out) != sorted(WIS_METRICS):
        errs = [line for line in g.data_lines()
                if line.startswith("@@ wis-error")]
        raise GuestError("will-it-scale in %s failed (exit %d; no figure "
                         "for %s)%s" % (
                             name, rc,
                             " ".join(sorted(set(WIS_METRICS) - set(out))),
                             ": " + "; ".join(errs) if errs else ""))
    out["splats"] = len(g.splats())
    return out


def _qemu_faults_cpu(g):
    """QEMU's minor faults and CPU time (user + system, ms) so far."""
    return tests_host.faults_cpu(g.proc.pid)


# Issue 14's host modes, on our QEMU (make qemu): discarding reported
# ranges as Debian's QEMU does (the same binary's reference), freeing them
# with MADV_FREE, or discarding them and saying that they read zero.  The
# configurations without "our QEMU" in their names run on Debian's.
HOST_DISCARD = "discard"
HOST_LAZY = "lazy"
HOST_ZERO = "known zero"
HOST_PROPS = {HOST_DISCARD: [],
              HOST_LAZY: ["free-page-reporting-lazy=on"],
              HOST_ZERO: ["x-free-page-reporting-init=on"]}
OURS_QEMU = "our QEMU"
STOCK_OURS = "stock, no device, %s" % OURS_QEMU
# Ours without the device on our QEMU: the same kernel as the host modes'
# lines, the device taken away (bench-2026-12-07d.md).  The host modes'
# goals compare with stock's line (STOCK_OURS); this one says how much of
# a difference is our kernel's, and how much reporting's.
OURS_NODEV = "aeration, no device, %s" % OURS_QEMU
ALLOC_MIB = 1024            # the known-zero RFC's measure: 1 GiB
ALLOC_ROUNDS = 3


def _host_cfg(host, what="aeration + reporting"):
    """The configuration's name for ours (@what) on a host mode."""
    return "%s, %s, %s" % (what, OURS_QEMU, host)


def _host_kw(ctx, host):
    """Guest() arguments for a host mode (None: Debian's QEMU)."""
    if not host:
        return {}
    return {"qemu": ctx.qemu, "balloon_props": HOST_PROPS[host]}


def alloctime_run(ctx, kernel, name, host=None, mib=ALLOC_MIB,
                  rounds=ALLOC_ROUNDS):
    """Issue 14: how long faulting in @mib of reported memory takes (the
    mean of @rounds rounds in one guest), how long reporting it took, and
    the share of its pages the allocator did not clear again."""
    g = Guest(kernel, ctx.initrd, ctx.rundir, name,
              cmdline={"scenario": "alloctime", "alloc_mib": mib,
                       "rounds": rounds}, **_host_kw(ctx, host))
    rc = _run_to_exit(g, 300 + 120 * rounds)
    got = []
    for line in g.data_lines():
        m = re.match(r"^@@ alloc mib=\d+ s=([\d.]+) report_s=([\d.]+) "
                     r"skipped=(\d+) zeroed=(\d+)", line)
        if m:
            got.append((float(m.group(1)), float(m.group(2)),
                        int(m.group(3)), int(m.group(4))))
    if rc != 0 or len(got) != rounds:
        raise GuestError("alloctime in %s failed (exit %d)" % (name, rc))
    pages = mib * MIB // 4 * rounds

    def mean(k):
        return round(sum(r[k] for r in got) / rounds, 3)

    return {"alloc_s": mean(0), "report_s": mean(1),
            "skipped_pct": round(100.0 * sum(r[2] for r in got) / pages, 1),
            "zeroed_pct": round(100.0 * sum(r[3] for r in got) / pages, 1),
            "splats": len(g.splats())}


def pressure_run(ctx, kernel, name):
    """Issue 14: our QEMU in MADV_FREE mode in a memory cgroup; after the
    guest reused and freed 1 GiB, the limit is lowered by that much less
    32 MiB: how much of the 1 GiB the host takes back (RSS, and from
    LazyFree), how fast, and what reusing it cost before (minor faults).
    No swap figure: the host has none, and the group has swappiness 0."""
    r = tests_host.lazy_run(ctx, name, True, squeeze=True, kernel=kernel)
    if r.get("squeeze_s") is None or r.get("squeeze_err"):
        raise GuestError("pressure in %s: no squeeze (%s)" % (
            name, r.get("squeeze_err") or "not reported in time"))
    return {"back_pct": round(100.0 * r["squeezed_kb"] / r["hog2_kb"], 1),
            "lazyfreed_pct": round(100.0 * r["lazyfreed_kb"] /
                                   r["hog2_kb"], 1),
            "squeeze_s": round(r["squeeze_s"], 2),
            "reuse_minflt": r["reuse_faults"],
            "splats": len(r["splats"])}


CHURN_IDLE_S = 30
CHURN_BACK_MIB = 64         # less given back after a churn: no idle_t90_s
CHURN_BACK_S = 1.5          # ours at most: "within a second", 0.5 s samples


def _idle_t90(during, idle, t1):
    """Seconds after the churn's end until the host had 90% of what it
    gets back by the end of the idle time (its last sample), from host
    RSS at the churn's end; None if that is less than CHURN_BACK_MIB."""
    if not during or not idle:
        return None
    start, end = during[-1], idle[-1][1]
    if start - end < CHURN_BACK_MIB * MIB:
        return None
    for t, kb in idle:
        if kb <= start - 0.9 * (start - end):
            return round(t - t1, 2)
    return None


def churn_run(ctx, kernel, name, balloon, reporting, seconds, tasks, mib,
              cmdline=None, idle_s=CHURN_IDLE_S, wait_s=20, host=None):
    """Issue 13's churn: cycles done and their mean time, what QEMU
    spent meanwhile (CPU, minor faults), its mean RSS, and its RSS over
    the churn and the idle time after it."""
    args = {"scenario": "churn", "churn_s": seconds, "churn_tasks": tasks,
            "churn_mib": mib, "churn_idle_s": idle_s, "churn_wait_s": wait_s}
    args.update(cmdline or {})
    g = Guest(kernel, ctx.initrd, ctx.rundir, name, balloon=balloon,
              reporting=reporting, cmdline=args, **_host_kw(ctx, host))
    sampler, ram = None, None
    try:
        g.start()
        ram = tests_host.RamFaults(g.proc.pid, g.mem_mib,
                                   os.path.join(g.dir, "faults.data"))
        hit = g.wait_data(r"^@@ churn-start", 300)
        if not hit:
            raise GuestError("churn never started in %s" % name)
        ram.enable()
        f0, c0 = _qemu_faults_cpu(g)
        t0 = hit[1]
        sampler = RssSampler(g, period=0.5)
        sampler.start()
        end = g.wait_data(r"^@@ churn tasks=\d+ seconds=(\S+) cycles=(\d+) "
                          r"cycle_ms=(\d+) preempted=(\d+)",
                          3 * seconds + 300, hit[0])
        if not end:
            raise GuestError("churn did not finish in %s" % name)
        f1, c1 = _qemu_faults_cpu(g)
        ram.disable()
        t1 = end[1]
        rc = g.wait_exit(idle_s + 120)
    finally:
        if sampler:
            sampler.stop()
        g.stop()
        ram_faults = ram and ram.count()
    if ram and ram.err:
        print("   %s: no count of faults on guest RAM: %s" % (name, ram.err))
    elif ram:
        os.unlink(ram.path)
    if rc != 0:
        raise GuestError("churn in %s failed (exit %d)" % (name, rc))
    during = [kb for t, kb in sampler.samples if t0 <= t <= t1]
    idle = [(t, kb) for t, kb in sampler.samples if t > t1]
    # Our kernel's counters over the churn (none on stock): what was
    # reported, what came back from reported memory, how often it backed
    # off.
    ctr = []
    for line in g.data_lines():
        if line.startswith("@@ churn-counters"):
            ctr.append(dict(kv.split("=", 1) for kv in line.split()[2:]))
    guest = {}
    if len(ctr) == 2 and ctr[0]:
        d = {k: int(ctr[1][k]) - int(ctr[0][k]) for k in ctr[0]}
        guest = {"reported_mib": d["aeration_pages_reported"] >> 8,
                 "aerated_taken_mib": d["aeration_alloc_aerated"] >> 8,
                 "backoffs": d["aeration_backoffs"]}
    return dict(guest, **{
        "cycles": int(end[2].group(2)),
        "cycle_ms": int(end[2].group(3)),
        "preempted": int(end[2].group(4)),
        "qemu_cpu_ms": c1 - c0,
        "qemu_minflt": f1 - f0,
        "qemu_ram_faults": ram_faults,
        "qemu_perf_faults": ram.total if ram else None,
        "rss_mean_mib": (sum(during) // len(during)) // MIB
        if during else None,
        "rss_idle_mib": idle[-1][1] // MIB if idle else None,
        "idle_t90_s": _idle_t90(during, idle, t1),
        "rss_trace": [(round(t - t0, 1), kb // MIB)
                      for t, kb in sampler.samples],
        "splats": len(g.splats()),
    })


def migration_run(ctx, kernel, name, hinting, mem_mib=2048, hog_mib=1228,
                  churn_mib=0, cmdline=None, held_rehint=None):
    if held_rehint is not None:
        r = tests.held_migration(ctx, kernel, name, held_rehint)
        churn_mib = tests.ROUNDS_CHURN_MIB
    else:
        r = tests._migrate_once(ctx, kernel, name, hinting, mem_mib=mem_mib,
                                hog_mib=hog_mib, churn_mib=churn_mib,
                                cmdline=cmdline)
    drop = tests._drop_mib(r)
    ok = r.get("status") == "completed" and r.get("dst_bad") == 0
    out = {
        # QEMU now and then reports a completed migration's total-time
        # as 0: not a figure.
        "total_ms": r.get("total_ms") or None,
        "downtime_ms": r.get("downtime_ms"),
        "transferred_mib": (r.get("transferred") or 0) >> 20,
        "memfree_drop_mib": None if drop is None else round(drop),
        "ok": ok, "splats": len(r["splats"]),
    }
    if hinting:
        # What serving the hints cost: QEMU's iothread applies them.
        out["iothread_cpu_ms"] = r.get("iothread_cpu_ms")
    # Rounds that ended on the source, and the one still running at the
    # switch-over, which ends on the destination: not counting it would
    # keep only the runs whose round was quick.
    rounds = (r.get("rounds") or []) + (r.get("dst_rounds") or [])
    if rounds:
        # Our kernels only (the tracepoint): rounds, their time in the
        # guest, and what they lent the host in all.
        out["rounds"] = len(rounds)
        out["round_ms"] = sum(x.get("duration_us", 0)
                              for x in rounds) // 1000
        out["hinted_mib"] = sum(x.get("pages", 0) for x in rounds) >> 8
    if churn_mib:
        # A busy guest's destination: counted (see CHURN_NOTE), not
        # failed; what is measured here is the migration, on the source,
        # whose console must stay clean.
        out["dst_failed"] = int(not ok or bool(r["dst_splats"]))
        out["splats"] = len(r["splats"]) - len(r["dst_splats"])
    return out


WIDE = "aeration hints, window %d MiB" % tests.HINT_WIDE_WINDOW
NOADAPT = "aeration + reporting, adaptation off"
CHURN_MIB_CYCLE = 512
REHINT = "aeration hints, every round all (rehint)"


def _churn_hosts(ctx, scen, ch):
    """Churn on our QEMU: stock and ours without the device (the lines for
    this binary; OURS_NODEV above), ours on the MADV_FREE host with
    adaptation on (as shipped) and off (reporting every cycle: what the
    host mode must make cost-free), the same on the discarding host (the
    control, which costs), and on the known-zero host."""
    stock, ours = ctx.stock_kernel, ctx.kernel
    off = {"sysctl.vm.aeration_adaptive": 0}
    cfgs = [(label, lambda i, k=k, tag=tag: churn_run(
        ctx, k, "%s-%s-ourq-%d" % (scen, tag, i), False, False, tasks=1,
        host=HOST_DISCARD, **ch))
        for label, k, tag in ((STOCK_OURS, stock, "stock"),
                              (OURS_NODEV, ours, "aer-nodev"))]
    for what, host, cmdline in (
            ("aeration + reporting", HOST_LAZY, None),
            (NOADAPT, HOST_LAZY, off),
            (NOADAPT, HOST_DISCARD, off),
            ("aeration + reporting", HOST_ZERO, None)):
        tag = "%s%s" % ("noadapt-" if cmdline else "",
                        host.replace(" ", "-"))
        cfgs.append((_host_cfg(host, what),
                     lambda i, tag=tag, host=host, cmdline=cmdline: churn_run(
                         ctx, ours, "%s-aer-%s-%d" % (scen, tag, i), True,
                         True, tasks=1, host=host, cmdline=cmdline, **ch)))
    # bench --alt: that build on the MADV_FREE host, as shipped and
    # reporting every cycle, beside ours.
    for label, k in ((ctx.alt,) if ctx.alt else ()):
        for what, cmdline in (("aeration + reporting", None), (NOADAPT, off)):
            tag = "alt-%slazy" % ("noadapt-" if cmdline else "")
            cfgs.append(("%s (%s)" % (_host_cfg(HOST_LAZY, what), label),
                         lambda i, tag=tag, k=k, cmdline=cmdline: churn_run(
                             ctx, k, "%s-aer-%s-%d" % (scen, tag, i), True,
                             True, tasks=1, host=HOST_LAZY, cmdline=cmdline,
                             **ch)))
    return cfgs


def scenarios(ctx, quick):
    """[(scenario, [(config, function(rep) -> sample)], metrics)]"""
    stock, ours = ctx.stock_kernel, ctx.kernel
    # bench --alt: another build of ours, e.g. an older commit's, beside
    # this one in the migration scenarios.
    alt = (ctx.alt,) if ctx.alt else ()

    def alt_mig(prefix):
        return [("%s hints" % label, lambda i, k=k, label=label:
                 migration_run(ctx, k, "%s-%s-%d" % (prefix, label, i), True))
                for label, k in alt]
    tuned = {"sysctl.vm.aeration_delay_ms": 20,
             "sysctl.vm.aeration_high_wmark": 8}
    pf_s = 3 if quick else 8
    # Issue 14: our QEMU's host modes beside Debian's QEMU, each against
    # the same binary's reference (make bench builds our QEMU; make
    # check's smoke run has only a short alloctime on it).
    ourq = os.path.exists(ctx.qemu)
    if not ourq:
        print("no %s: no host modes (make qemu)" % ctx.qemu)
    hosts = ourq and not quick
    out = [
        ("reclaim", [
            ("stock reporting", lambda i: reclaim_run(
                ctx, stock, "reclaim-stock-%d" % i)),
            ("aeration", lambda i: reclaim_run(
                ctx, ours, "reclaim-aeration-%d" % i)),
        ] + ([] if ctx.lean else [
            ("aeration delay 20 ms, high mark 8", lambda i: reclaim_run(
                ctx, ours, "reclaim-tuned-%d" % i, cmdline=tuned)),
        ]) + ([] if quick or ctx.lean else [
            # What the settle pass buys: without it the high mark's rest
            # and the per-cpu lists stay with the guest.
            ("aeration, no settle pass", lambda i: reclaim_run(
                ctx, ours, "reclaim-nosettle-%d" % i,
                cmdline={"sysctl.vm.aeration_settle_ms": 0})),
        ]), ["t50_s", "t90_s", "rss_later_mib", "reported", "rereported"]),
        ("page_fault1", [
            ("stock, no device", lambda i: pf1_run(
                ctx, stock, "pf1-stock-%d" % i, False, False, pf_s, (1, 2))),
            ("stock + reporting", lambda i: pf1_run(
                ctx, stock, "pf1-stock-rep-%d" % i, True, True, pf_s,
                (1, 2))),
            ("aeration, no device", lambda i: pf1_run(
                ctx, ours, "pf1-aer-%d" % i, False, False, pf_s, (1, 2))),
            ("aeration + reporting", lambda i: pf1_run(
                ctx, ours, "pf1-aer-rep-%d" % i, True, True, pf_s, (1, 2))),
        ] + ([(STOCK_OURS, lambda i: pf1_run(
            ctx, stock, "pf1-stock-ourq-%d" % i, False, False, pf_s, (1, 2),
            host=HOST_DISCARD))] + [
            (_host_cfg(h), lambda i, h=h: pf1_run(
                ctx, ours, "pf1-aer-%s-%d" % (h.replace(" ", "-"), i), True,
                True, pf_s, (1, 2), host=h))
            for h in (HOST_LAZY, HOST_ZERO)] if hosts else []),
         ["rate_1", "rate_2"]),
        ("migration", [
            ("no hints", lambda i: migration_run(
                ctx, ours, "mig-none-%d" % i, False)),
            ("stock hints", lambda i: migration_run(
                ctx, stock, "mig-stock-%d" % i, True)),
            ("aeration hints", lambda i: migration_run(
                ctx, ours, "mig-aer-%d" % i, True)),
        ] + ([] if quick else [
            # The window trades MemFree for bytes: issue 4's bytes goal.
            (WIDE, lambda i: migration_run(
                ctx, ours, "mig-aer-wide-%d" % i, True,
                cmdline={"hint_window_mib": tests.HINT_WIDE_WINDOW})),
        ]) + alt_mig("mig"), ["total_ms", "transferred_mib", "downtime_ms",
                              "memfree_drop_mib", "rounds", "round_ms",
                              "hinted_mib", "iothread_cpu_ms"]),
        # The same guest, not idle: it keeps writing and freeing
        # CHURN_MIB while it migrates.
        ("migration-churn", [
            ("no hints", lambda i: migration_run(
                ctx, ours, "migc-none-%d" % i, False, churn_mib=CHURN_MIB)),
            ("stock hints", lambda i: migration_run(
                ctx, stock, "migc-stock-%d" % i, True, churn_mib=CHURN_MIB)),
            ("aeration hints", lambda i: migration_run(
                ctx, ours, "migc-aer-%d" % i, True, churn_mib=CHURN_MIB)),
        ], ["total_ms", "transferred_mib", "downtime_ms",
            "memfree_drop_mib", "rounds", "round_ms", "hinted_mib",
            "iothread_cpu_ms"]),
        # Many rounds: a guest freeing 64 MiB over and over, its migration
        # held from switching over for 12 s (tests.held_migration).  The
        # rehint configuration lends all free memory every round, as
        # before rounds remembered what the host had processed.
        ("migration-rounds", [
            ("aeration hints", lambda i: migration_run(
                ctx, ours, "migr-aer-%d" % i, True, held_rehint=0)),
            (REHINT, lambda i: migration_run(
                ctx, ours, "migr-rehint-%d" % i, True, held_rehint=1)),
        ], ["rounds", "round_ms", "hinted_mib", "iothread_cpu_ms",
            "transferred_mib", "memfree_drop_mib"]),
    ]
    # Issue 13: memory freed and taken back over and over, 60 s (5 s in
    # make check), one task and two; stock without a device is the line.
    # (make check: one task, short waits.)
    ch = {"seconds": 60, "mib": CHURN_MIB_CYCLE}
    if quick:
        ch.update(seconds=5, idle_s=5, wait_s=5)
    for scen, tasks in (("churn", 1),) + ((("churn-2", 2),) if not quick
                                         else ()):
        out.append((scen, [
            ("stock, no device", lambda i, t=tasks, sc=scen: churn_run(
                ctx, stock, "%s-stock-%d" % (sc, i), False, False,
                tasks=t, **ch)),
            ("stock + reporting", lambda i, t=tasks, sc=scen: churn_run(
                ctx, stock, "%s-stock-rep-%d" % (sc, i), True, True,
                tasks=t, **ch)),
            # Adaptation (on by default) against it off, the control.
            ("aeration + reporting", lambda i, t=tasks, sc=scen: churn_run(
                ctx, ours, "%s-aer-%d" % (sc, i), True, True, tasks=t,
                cmdline={"sysctl.vm.aeration_adaptive": 1}, **ch)),
        ] + ([] if ctx.lean else [
            (NOADAPT, lambda i, t=tasks, sc=scen: churn_run(
                ctx, ours, "%s-aer-noadapt-%d" % (sc, i), True, True,
                tasks=t, cmdline={"sysctl.vm.aeration_adaptive": 0}, **ch)),
        ]) + (_churn_hosts(ctx, scen, ch) if hosts and tasks == 1
               else []),
            ["cycles", "cycle_ms", "preempted", "qemu_cpu_ms", "qemu_minflt",
             "qemu_ram_faults", "rss_mean_mib", "rss_idle_mib",
             "idle_t90_s", "reported_mib", "aerated_taken_mib",
             "backoffs"]))
    if ourq:
        # The known-zero RFC's measure; make check: 256 MiB, one round,
        # the reference and known zero, so that it cannot rot.
        am = {"mib": 256, "rounds": 1} if quick else {}
        out.append(("alloctime", ([] if quick else [
            ("aeration + reporting", lambda i: alloctime_run(
                ctx, ours, "alloc-aer-%d" % i))]) + [
            (_host_cfg(h), lambda i, h=h: alloctime_run(
                ctx, ours, "alloc-aer-%s-%d" % (h.replace(" ", "-"), i),
                host=h, **am))
            for h in ((HOST_DISCARD, HOST_ZERO) if quick else
                      (HOST_DISCARD, HOST_LAZY, HOST_ZERO))],
            ["alloc_s", "report_s", "skipped_pct", "zeroed_pct"]))
    if hosts:
        out.append(("pressure", [
            (_host_cfg(HOST_LAZY), lambda i: pressure_run(
                ctx, ours, "pressure-aer-lazy-%d" % i)),
        ], ["back_pct", "lazyfreed_pct", "squeeze_s", "reuse_minflt"]))
    # make bench WIS=CHECKOUT: will-it-scale's own page fault tests,
    # beside page_fault1 above, the same configurations but ours without
    # a device (page_fault1 has that one).
    if ctx.wis_initrd:
        wis_s = 2 if quick else 5
        out.append(("will-it-scale", [
            ("stock, no device", lambda i: wis_run(
                ctx, stock, "wis-stock-%d" % i, False, False, wis_s)),
            ("stock + reporting", lambda i: wis_run(
                ctx, stock, "wis-stock-rep-%d" % i, True, True, wis_s)),
            ("aeration + reporting", lambda i: wis_run(
                ctx, ours, "wis-aer-rep-%d" % i, True, True, wis_s)),
        ], WIS_METRICS))
    # Growth with guest size: the same hog share of memory (3/4 for
    # reclaim, 3/5 for migration), stock against ours.
    sizes = ctx.sizes or ((1024,) if quick else (1024, 2048, 4096))
    rec, mig = [], []
    for mem in sizes:
        for label, k in (("stock", stock), ("aeration", ours)) + alt:
            rec.append(("%s %d MiB" % (label, mem),
                        lambda i, k=k, mem=mem, label=label: reclaim_run(
                            ctx, k, "scale-rec-%s-%d-%d" % (label, mem, i),
                            mem_mib=mem, hog_mib=mem * 3 // 4,
                            later_s=60, t90_only=True)))
            mig.append(("%s hints %d MiB" % (label, mem),
                        lambda i, k=k, mem=mem, label=label: migration_run(
                            ctx, k, "scale-mig-%s-%d-%d" % (label, mem, i),
                            True, mem_mib=mem, hog_mib=mem * 3 // 5)))
    out.append(("scale-reclaim", rec, ["t50_s", "t90_s"]))
    out.append(("scale-migration", mig, ["total_ms", "transferred_mib",
                                         "memfree_drop_mib"]))
    return out


def _stats(values):
    """Median, min, max over the runs with a figure; missing: the runs
    without one (a failed run, or a reclaim that never got 90% back),
    which a goal must not pass over."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v),
            "n": len(v), "missing": len(values) - len(v)}


def _missing(*stats):
    """A verdict's suffix for runs without a figure ('' when none)."""
    n = sum(st.get("missing", 0) for st in stats)
    return "; %d run(s) without a figure" % n if n else ""


def _fmt(x):
    if x is None:
        return "-"
    if isinstance(x, float) and abs(x) < 100:
        return "%.2f" % x
    return "%.0f" % x


def versions(ctx):
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True,
                                  timeout=30).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ours = (out([ctx.qemu, "--version"]) + " + patches/qemu"
            if os.path.exists(ctx.qemu) else None)
    return {"qemu": out([QEMU, "--version"]), "qemu_ours": ours,
            "host": platform.platform(),
            "cpu": cpu, "cpus": os.cpu_count(),
            "base": out(["dpkg-query", "-W", "-f=${Version}",
                         "linux-source-6.12"]),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def _find(results, scen, cfg, metric):
    for sc in results["scenarios"]:
        if sc["name"] != scen:
            continue
        for c in sc["configs"]:
            if c["name"] == cfg:
                return c["stats"].get(metric)
    return None


def _verdict(ok_median, ok_spread, near):
    """A goal met or missed by the medians; 'within the spread' when the
    min-max ranges do not bear the comparison out."""
    if ok_median:
        return "met" if ok_spread else "met by the medians, within the spread"
    return "missed, within the spread" if near else "missed"


def _pair_fig(a, b, ours, ref):
    return "%s %s [%s-%s] vs %s %s [%s-%s]: %.2f x" % (
        ours, _fmt(a["median"]), _fmt(a["min"]), _fmt(a["max"]), ref,
        _fmt(b["median"]), _fmt(b["min"]), _fmt(b["max"]),
        a["median"] / b["median"])


def _ratio_goal(results, scen, metric, ours, ref, k, le):
    """ours <= k x ref (le) or ours >= k x ref: (figures, verdict)."""
    a, b = (_find(results, scen, ours, metric),
            _find(results, scen, ref, metric))
    if not a or not b or not b["median"]:
        return "no figures", "not measured"
    if le:
        med = a["median"] <= k * b["median"]
        spread = a["max"] <= k * b["min"]
        near = a["min"] <= k * b["max"]
    else:
        med = a["median"] >= k * b["median"]
        spread = a["min"] >= k * b["max"]
        near = a["max"] >= k * b["min"]
    fig = _pair_fig(a, b, ours, ref)
    if a.get("missing"):
        return fig, "missed" + _missing(a, b)
    return fig, _verdict(med, spread, near) + _missing(b)


def _bound_goal(results, scen, metric, ours, bound, le=True):
    """ours <= bound (le) or ours >= bound."""
    a = _find(results, scen, ours, metric)
    if not a:
        return "no figures", "not measured"
    fig = "%s %s [%s-%s]" % (ours, _fmt(a["median"]), _fmt(a["min"]),
                            _fmt(a["max"]))
    if a.get("missing"):
        return fig, "missed" + _missing(a)
    if le:
        return fig, _verdict(a["median"] <= bound, a["max"] <= bound,
                             a["min"] <= bound)
    return fig, _verdict(a["median"] >= bound, a["min"] >= bound,
                         a["max"] >= bound)


def _growth_goal(results, scen, metric):
    """Growth from the smallest guest to the largest, ours against
    stock's (by the medians)."""
    sizes = {}
    for sc in results["scenarios"]:
        if sc["name"] != scen:
            continue
        for c in sc["configs"]:
            m = re.search(r"^(\w+).* (\d+) MiB$", c["name"])
            st = c["stats"].get(metric)
            if m and st:
                sizes.setdefault(m.group(1), {})[int(m.group(2))] = st
    g = {}
    for k, v in sizes.items():
        lo, hi = min(v), max(v)
        if lo != hi and v[lo]["min"] > 0:
            # median growth, and its least and most from the ranges
            g[k] = (lo, hi, v[hi]["median"] / v[lo]["median"],
                    v[hi]["min"] / v[lo]["max"],
                    v[hi]["max"] / v[lo]["min"])
    if "aeration" not in g or "stock" not in g:
        return "no figures", "not measured"
    a, b = g["aeration"], g["stock"]
    fig = ("%d to %d MiB: aeration x%.1f [%.1f-%.1f], stock x%.1f "
           "[%.1f-%.1f]" % (a[0], a[1], a[2], a[3], a[4], b[2], b[3], b[4]))
    return fig, _verdict(a[2] <= b[2], a[4] <= b[3], a[3] <= b[4])


def _within_goal(results, scen, metric, ours, ref, above=False):
    """ours no higher than ref's spread: its median at most ref's max
    (met outright when its max is), missed when even its min is over;
    @above: the other way round (a control that must cost)."""
    a, b = (_find(results, scen, ours, metric),
            _find(results, scen, ref, metric))
    if not a or not b or not b["median"]:
        return "no figures", "not measured"
    fig = _pair_fig(a, b, ours, ref)
    if a.get("missing"):
        return fig, "missed" + _missing(a, b)
    if above:
        return fig, _verdict(a["median"] > b["max"], a["min"] > b["max"],
                             a["max"] > b["max"]) + _missing(b)
    return fig, _verdict(a["median"] <= b["max"], a["max"] <= b["max"],
                         a["min"] <= b["max"]) + _missing(b)


# (goal, scenario, function(results) -> (figures, verdict))
GOALS = [
    ("reclaim t90 <= 1/4 of stock's", "reclaim",
     lambda r: _ratio_goal(r, "reclaim", "t90_s", "aeration",
                           "stock reporting", 0.25, True)),
    # Issue 13: adaptation must not slow a single large free down, nor
    # leave more with the guest (RECLAIM_RSS_LATER_MIB: before it).
    ("reclaim t90 <= 1 s", "reclaim",
     lambda r: _bound_goal(r, "reclaim", "t90_s", "aeration", 1.0)),
    ("reclaim RSS %d s later <= %d MiB (before adaptation)" %
     (RECLAIM_LATER_S, RECLAIM_RSS_LATER_MIB), "reclaim",
     lambda r: _bound_goal(r, "reclaim", "rss_later_mib", "aeration",
                           RECLAIM_RSS_LATER_MIB)),
]


def _rate_goals(scen, label, metric):
    """A rate with reporting on against stock without a device (>= 0.99)
    and against stock with reporting."""
    return [
        ("%s %s: ours with reporting >= 0.99 x baseline" % (scen, label),
         scen, lambda r: _ratio_goal(r, scen, metric, "aeration + reporting",
                                     "stock, no device", 0.99, False)),
        ("%s %s: ours with reporting >= stock with reporting" %
         (scen, label), scen,
         lambda r: _ratio_goal(r, scen, metric, "aeration + reporting",
                               "stock + reporting", 1.0, False)),
    ]


for _m, _t in (("rate_1", "1 task"), ("rate_2", "2 tasks")):
    GOALS += _rate_goals("page_fault1", _t, _m) + [
        ("page_fault1 %s: ours without device >= 0.99 x baseline" % _t,
         "page_fault1",
         lambda r, m=_m: _ratio_goal(r, "page_fault1", m,
                                     "aeration, no device",
                                     "stock, no device", 0.99, False)),
    ]
for _m in WIS_METRICS:
    GOALS += _rate_goals("will-it-scale", _m, _m)
for _s in ("migration", "migration-churn"):
    GOALS += [
        ("%s: time <= stock hints'" % _s, _s,
         lambda r, s=_s: _ratio_goal(r, s, "total_ms", "aeration hints",
                                     "stock hints", 1.0, True)),
        ("%s: bytes <= stock hints'" % _s, _s,
         lambda r, s=_s: _ratio_goal(r, s, "transferred_mib",
                                     "aeration hints", "stock hints", 1.0,
                                     True)),
        ("%s: MemFree drop <= 64 MiB" % _s, _s,
         lambda r, s=_s: _bound_goal(r, s, "memfree_drop_mib",
                                     "aeration hints", 64)),
    ]
for _s in ("churn", "churn-2"):
    GOALS += [
        ("%s: cycles >= 0.99 x stock without device" % _s, _s,
         lambda r, s=_s: _ratio_goal(r, s, "cycles", "aeration + reporting",
                                     "stock, no device", 0.99, False)),
        ("%s: QEMU CPU <= stock + reporting's" % _s, _s,
         lambda r, s=_s: _ratio_goal(r, s, "qemu_cpu_ms",
                                     "aeration + reporting",
                                     "stock + reporting", 1.0, True)),
        ("%s: QEMU minor faults <= stock + reporting's" % _s, _s,
         lambda r, s=_s: _ratio_goal(r, s, "qemu_minflt",
                                     "aeration + reporting",
                                     "stock + reporting", 1.0, True)),
        ("%s: QEMU faults on guest RAM <= stock + reporting's" % _s, _s,
         lambda r, s=_s: _ratio_goal(r, s, "qemu_ram_faults",
                                     "aeration + reporting",
                                     "stock + reporting", 1.0, True)),
        ("%s: memory back after it (t90) <= %.1f s" % (_s, CHURN_BACK_S), _s,
         lambda r, s=_s: _bound_goal(r, s, "idle_t90_s",
                                     "aeration + reporting", CHURN_BACK_S)),
    ]
# Issue 14: the host modes, each against our QEMU's own line.  Under TCG
# QEMU's CPU time is about one core whatever the guest does: its goal
# cannot tell much apart here (under KVM it could).  Its minor faults are
# mostly its softmmu TLB tables (results/bench-2026-12-07b.md): the goals
# that say what reuse costs the host count the faults on guest RAM
# (tests_host.RamFaults); the ones on all of QEMU's faults stay, named so.
# The "no device" is stock's line; OURS_NODEV adds two
# comparisons beside those goals.
_LAZY_OFF = _host_cfg(HOST_LAZY, NOADAPT)
_DISCARD_OFF = _host_cfg(HOST_DISCARD, NOADAPT)
_ALL_FLT = "all QEMU's minor faults (TCG: mostly its TLB tables)"
GOALS += [
    ("churn: MADV_FREE host, reporting every cycle (adaptation off): QEMU "
     "faults on guest RAM within the spread of no device", "churn",
     lambda r: _within_goal(r, "churn", "qemu_ram_faults", _LAZY_OFF,
                            STOCK_OURS)),
    ("churn: discarding host, reporting every cycle (the control): QEMU "
     "faults on guest RAM above the spread of no device", "churn",
     lambda r: _within_goal(r, "churn", "qemu_ram_faults", _DISCARD_OFF,
                            STOCK_OURS, above=True)),
    ("churn: MADV_FREE host, as shipped (adaptation on): QEMU faults on "
     "guest RAM within the spread of no device", "churn",
     lambda r: _within_goal(r, "churn", "qemu_ram_faults",
                            _host_cfg(HOST_LAZY), STOCK_OURS)),
    ("churn: ours without the device: QEMU faults on guest RAM within the "
     "spread of stock without it", "churn",
     lambda r: _within_goal(r, "churn", "qemu_ram_faults", OURS_NODEV,
                            STOCK_OURS)),
    ("churn: MADV_FREE host, reporting every cycle: QEMU faults on guest "
     "RAM within the spread of ours without the device", "churn",
     lambda r: _within_goal(r, "churn", "qemu_ram_faults", _LAZY_OFF,
                            OURS_NODEV)),
    ("churn: MADV_FREE host, reporting every cycle: %s within the spread "
     "of no device" % _ALL_FLT, "churn",
     lambda r: _within_goal(r, "churn", "qemu_minflt", _LAZY_OFF,
                            STOCK_OURS)),
    ("churn: MADV_FREE host, as shipped: %s within the spread of no "
     "device" % _ALL_FLT, "churn",
     lambda r: _within_goal(r, "churn", "qemu_minflt",
                            _host_cfg(HOST_LAZY), STOCK_OURS)),
    ("churn: MADV_FREE host, reporting every cycle: QEMU CPU within the "
     "spread of no device (TCG: about a core either way)", "churn",
     lambda r: _within_goal(r, "churn", "qemu_cpu_ms", _LAZY_OFF,
                            STOCK_OURS)),
    ("churn: MADV_FREE host, as shipped: cycles >= 0.99 x no device",
     "churn",
     lambda r: _ratio_goal(r, "churn", "cycles", _host_cfg(HOST_LAZY),
                           STOCK_OURS, 0.99, False)),
    ("pressure: MADV_FREE host: >= 90% of the freed 1 GiB back under a "
     "lowered limit", "pressure",
     lambda r: _bound_goal(r, "pressure", "back_pct", _host_cfg(HOST_LAZY),
                           90.0, le=False)),
    ("alloctime: known zero cuts the time to fault in 1 GiB of reported "
     "memory by >= 40% (TCG)", "alloctime",
     lambda r: _ratio_goal(r, "alloctime", "alloc_s", _host_cfg(HOST_ZERO),
                           _host_cfg(HOST_DISCARD), 0.6, True)),
]
for _m, _t in (("rate_1", "1 task"), ("rate_2", "2 tasks")):
    GOALS += [
        ("page_fault1 %s: ours with reporting on a %s host >= 0.99 x no "
         "device" % (_t, h), "page_fault1",
         lambda r, m=_m, h=h: _ratio_goal(r, "page_fault1", m, _host_cfg(h),
                                          STOCK_OURS, 0.99, False))
        for h in (HOST_LAZY, HOST_ZERO)]
GOALS += [
    # Issue 10 item 6: rounds that remember what the host processed.
    ("migration-rounds: memory lent <= 10% of every round all's",
     "migration-rounds",
     lambda r: _ratio_goal(r, "migration-rounds", "hinted_mib",
                           "aeration hints", REHINT, 0.1, True)),
    ("migration-rounds: round time <= 50% of every round all's",
     "migration-rounds",
     lambda r: _ratio_goal(r, "migration-rounds", "round_ms",
                           "aeration hints", REHINT, 0.5, True)),
    ("migration-rounds: iothread CPU <= every round all's",
     "migration-rounds",
     lambda r: _ratio_goal(r, "migration-rounds", "iothread_cpu_ms",
                           "aeration hints", REHINT, 1.0, True)),
    ("migration: bytes <= 30% of no hints'", "migration",
     lambda r: _ratio_goal(r, "migration", "transferred_mib",
                           "aeration hints", "no hints", 0.3, True)),
    ("migration, window %d MiB: bytes <= 30%% of no hints'"
     % tests.HINT_WIDE_WINDOW, "migration",
     lambda r: _ratio_goal(r, "migration", "transferred_mib", WIDE,
                           "no hints", 0.3, True)),
    ("migration, window %d MiB: time <= stock hints'"
     % tests.HINT_WIDE_WINDOW, "migration",
     lambda r: _ratio_goal(r, "migration", "total_ms", WIDE, "stock hints",
                           1.0, True)),
    ("migration, window %d MiB: MemFree drop <= the window + 16 MiB"
     % tests.HINT_WIDE_WINDOW, "migration",
     lambda r: _bound_goal(r, "migration", "memfree_drop_mib", WIDE,
                           tests.HINT_WIDE_WINDOW + 16)),
    ("reclaim t90 grows no worse than stock's", "scale-reclaim",
     lambda r: _growth_goal(r, "scale-reclaim", "t90_s")),
    ("hinted migration time grows no worse than stock's", "scale-migration",
     lambda r: _growth_goal(r, "scale-migration", "total_ms")),
    ("hinted migration bytes grow no worse than stock's", "scale-migration",
     lambda r: _growth_goal(r, "scale-migration", "transferred_mib")),
]


def verdicts(results):
    """[(goal, figures, verdict)] for the scenarios that ran."""
    ran = {sc["name"] for sc in results["scenarios"]}
    out = [(g, *fn(results)) for g, scen, fn in GOALS if scen in ran]
    if results["reps"] < 5:
        out = [(g, f, v + " (%d repetition(s): not a measurement)" %
                results["reps"]) for g, f, v in out]
    return out


def write_markdown(path, results, info, reps):
    ran_ours = any(OURS_QEMU in c["name"] for sc in results["scenarios"]
                   for c in sc["configs"])
    lines = ["# aeration bench", "",
             "%s; host %s, %s (%s CPUs); guests under TCG; %s; base "
             "linux-source-6.12 %s; %d repetition(s), configurations "
             "alternated%s." %
             (info["date"], info["host"], info["cpu"], info["cpus"],
              info["qemu"] + ("; configurations named \"%s\": %s" % (
                  OURS_QEMU, info["qemu_ours"])
                  if ran_ours and info.get("qemu_ours") else ""),
              info["base"], reps,
              ("; lean (no control configurations)"
               if results.get("lean") else "") +
              ("; only the configurations matching `%s`" %
               results["configs_rx"] if results.get("configs_rx")
               else "")), ""]
    if not results.get("complete", True):
        lines += ["**Incomplete**: the bench had not finished (it was in "
                  "%s); the tables hold the runs done." % (
                      results["scenarios"][-1]["name"]
                      if results["scenarios"] else "its start"), ""]
    lines += ["Each cell: median [min-max] over the repetitions; ratio: "
              "median over the first configuration's median.  A difference "
              "smaller than the spread is not a difference.", ""]
    goals = verdicts(results)
    if goals:
        lines += ["## Goals", "",
                  "Verdicts by the medians; 'within the spread' where the "
                  "min-max ranges overlap the goal's line.", "",
                  "| goal | figures | verdict |", "| --- | --- | --- |"]
        lines += ["| %s | %s | **%s** |" % g for g in goals]
        lines.append("")
    for scen in results["scenarios"]:
        lines.append("## %s" % scen["name"])
        lines.append("")
        head = "| configuration |"
        for m in scen["metrics"]:
            head += " %s | ratio |" % m
        lines.append(head)
        lines.append("|" + " --- |" * (1 + 2 * len(scen["metrics"])))
        base = scen["configs"][0]["stats"]
        for cfg in scen["configs"]:
            row = "| %s |" % cfg["name"]
            for m in scen["metrics"]:
                st = cfg["stats"].get(m)
                b = base.get(m)
                if st is None:
                    row += " - | - |"
                    continue
                row += " %s [%s-%s] |" % (_fmt(st["median"]),
                                          _fmt(st["min"]), _fmt(st["max"]))
                if b and b["median"] > 0:
                    row += " %.2f |" % (st["median"] / b["median"])
                else:
                    row += " - |"
            lines.append(row)
        failed = ["%s %d of %d" % (c["name"], sum(
            s.get("dst_failed", 0) for s in c["samples"]), len(c["samples"]))
            for c in scen["configs"]
            if any("dst_failed" in s for s in c["samples"])]
        if failed:
            lines += ["", CHURN_NOTE, "", "Destination failed: " +
                      "; ".join(failed) + "."]
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def plot(outdir, results):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not installed: no plots"
    made = []
    for scen in results["scenarios"]:
        if scen["name"].startswith("scale-"):
            metrics = scen["metrics"]
            fig, axes = plt.subplots(1, len(metrics),
                                     figsize=(4 * len(metrics), 4))
            for ax, m in zip(axes, metrics):
                lines = {}
                for cfg in scen["configs"]:
                    st = cfg["stats"].get(m)
                    mm = re.search(r"^(\w+).* (\d+) MiB$", cfg["name"])
                    if st is None or not mm:
                        continue
                    lines.setdefault(mm.group(1), []).append(
                        (int(mm.group(2)), st["median"], st["min"],
                         st["max"]))
                for label, pts in sorted(lines.items()):
                    pts.sort()
                    ax.errorbar([p[0] for p in pts], [p[1] for p in pts],
                                yerr=[[p[1] - p[2] for p in pts],
                                      [p[3] - p[1] for p in pts]],
                                marker="o", capsize=4, label=label)
                ax.set_xlabel("guest MiB")
                ax.set_title(m)
                ax.legend()
            fig.suptitle(scen["name"] + " (median, min-max)")
        elif scen["name"] in ("churn", "churn-2"):
            fig, ax = plt.subplots(figsize=(8, 4.5))
            for k, cfg in enumerate(scen["configs"]):
                for j, s in enumerate(cfg["samples"]):
                    tr = s.get("rss_trace") or []
                    if not tr:
                        continue
                    ax.plot([t for t, _ in tr], [mb for _, mb in tr],
                            color="C%d" % k, alpha=0.6,
                            label=cfg["name"] if j == 0 else None)
            ax.set_xlabel("s after the churn began (it idles after)")
            ax.set_ylabel("QEMU RSS (MiB)")
            ax.set_title("%s: host RSS during the churn, then idle" %
                         scen["name"])
            ax.legend()
        elif scen["name"] == "reclaim":
            fig, ax = plt.subplots(figsize=(8, 4.5))
            for k, cfg in enumerate(scen["configs"]):
                for j, s in enumerate(cfg["samples"]):
                    tr = s.get("rss_trace") or []
                    if not tr:
                        continue
                    ax.plot([t for t, _ in tr], [mb for _, mb in tr],
                            color="C%d" % k, alpha=0.6,
                            label=cfg["name"] if j == 0 else None)
            ax.set_xlabel("s after the hog's exit began")
            ax.set_ylabel("QEMU RSS (MiB)")
            ax.set_title("Reclaim: host RSS after a %d MiB hog exits" %
                         RECLAIM_HOG_MIB)
            ax.legend()
        else:
            metrics = scen["metrics"]
            # At most four plots a row (will-it-scale has twelve).
            cols = min(4, len(metrics))
            rows = (len(metrics) + cols - 1) // cols
            fig, axes = plt.subplots(rows, cols, squeeze=False,
                                     figsize=(4 * cols, 4 * rows))
            for ax in axes.flat[len(metrics):]:
                ax.set_visible(False)
            for ax, m in zip(axes.flat, metrics):
                names, med, lo, hi = [], [], [], []
                for cfg in scen["configs"]:
                    st = cfg["stats"].get(m)
                    if st is None:
                        continue
                    names.append(cfg["name"])
                    med.append(st["median"])
                    lo.append(st["median"] - st["min"])
                    hi.append(st["max"] - st["median"])
                ax.bar(range(len(names)), med, yerr=[lo, hi], capsize=4,
                       color=["C%d" % i for i in range(len(names))])
                ax.set_xticks(range(len(names)))
                ax.set_xticklabels(names, rotation=30, ha="right",
                                   fontsize=8)
                ax.set_title(m)
            fig.suptitle(scen["name"] + " (median, min-max)")
        fig.tight_layout()
        path = os.path.join(outdir, "%s.png" % scen["name"])
        fig.savefig(path, dpi=100)
        plt.close(fig)
        made.append(os.path.basename(path))
    return "plots: " + ", ".join(made)


def _save(outdir, results, info, reps, t0):
    results["seconds"] = round(time.monotonic() - t0)
    path = os.path.join(outdir, "results.json")
    with open(path + ".tmp", "w") as f:
        json.dump(results, f, indent=1)
    os.replace(path + ".tmp", path)
    path = os.path.join(outdir, "results.md")
    write_markdown(path + ".tmp", results, info, reps)
    os.replace(path + ".tmp", path)


def bench(ctx, outdir, reps, quick, only=None, configs_rx=None):
    """@only: the scenarios to run (all when empty); @configs_rx: a
    regular expression, only the configurations whose label it matches
    (results.md says so, and goals without their figures are not
    measured)."""
    os.makedirs(outdir, exist_ok=True)
    info = versions(ctx)
    results = {"info": info, "reps": reps, "quick": quick,
               "lean": ctx.lean, "complete": False, "scenarios": [],
               "configs_rx": configs_rx}
    failures = 0
    t0 = time.monotonic()
    for name, configs, metrics in scenarios(ctx, quick):
        if only and name not in only:
            continue
        if configs_rx:
            configs = [c for c in configs if re.search(configs_rx, c[0])]
            if not configs:
                continue
        print("== %s: %d configurations x %d" % (name, len(configs), reps),
              flush=True)
        scen = {"name": name, "metrics": metrics,
                "configs": [{"name": c, "samples": [], "stats": {}}
                            for c, _ in configs]}
        results["scenarios"].append(scen)
        for i in range(reps):
            for cfg, (cname, fn) in zip(scen["configs"], configs):
                t1 = time.monotonic()
                try:
                    s = fn(i)
                except GuestError as e:
                    s = {"error": str(e)}
                    failures += 1
                if s.get("splats"):
                    failures += 1
                cfg["samples"].append(s)
                print("   %-36s rep %d: %s (%.0f s)" %
                      (cname, i + 1, ", ".join(
                          "%s %s" % (m, _fmt(s.get(m))) for m in metrics)
                       if "error" not in s else s["error"],
                       time.monotonic() - t1), flush=True)
                cfg["stats"] = {m: _stats([x.get(m) for x in cfg["samples"]])
                                for m in metrics}
                # After every run: a long bench cut short keeps what it
                # did, marked incomplete.
                _save(outdir, results, info, reps, t0)
    results["complete"] = True
    _save(outdir, results, info, reps, t0)
    print(plot(outdir, results))
    print("results: %s (%d s)" % (os.path.join(outdir, "results.md"),
                                  results["seconds"]))
    return failures
