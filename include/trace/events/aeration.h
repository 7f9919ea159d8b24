/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM aeration

#if !defined(_TRACE_AERATION_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_AERATION_H

#include <linux/mmzone.h>
#include <linux/tracepoint.h>

/* One batch handed to the device and back. */
TRACE_EVENT(aeration_batch,

	TP_PROTO(struct zone *zone, unsigned int order, unsigned int nents,
		 unsigned long pages, u64 latency_ns, int err),

	TP_ARGS(zone, order, nents, pages, latency_ns, err),

	TP_STRUCT__entry(
		__field(int, nid)
		__field(int, zid)
		__field(unsigned int, order)
		__field(unsigned int, nents)
		__field(unsigned long, pages)
		__field(u64, latency_ns)
		__field(int, err)
	),

	TP_fast_assign(
		__entry->nid = zone_to_nid(zone);
		__entry->zid = zone_idx(zone);
		__entry->order = order;
		__entry->nents = nents;
		__entry->pages = pages;
		__entry->latency_ns = latency_ns;
		__entry->err = err;
	),

	TP_printk("nid=%d zid=%d order=%u nents=%u pages=%lu latency_us=%llu err=%d",
		  __entry->nid, __entry->zid, __entry->order, __entry->nents,
		  __entry->pages, __entry->latency_ns / 1000, __entry->err)
);

/*
 * The settle pass in one zone: the pages the CPUs' lists held of it, whether
 * they were drained into it, and the pages reported then.
 */
TRACE_EVENT(aeration_settle_zone,

	TP_PROTO(struct zone *zone, unsigned long pcp_pages, bool drained,
		 unsigned long reported),

	TP_ARGS(zone, pcp_pages, drained, reported),

	TP_STRUCT__entry(
		__field(int, nid)
		__field(int, zid)
		__field(unsigned long, pcp_pages)
		__field(bool, drained)
		__field(unsigned long, reported)
	),

	TP_fast_assign(
		__entry->nid = zone_to_nid(zone);
		__entry->zid = zone_idx(zone);
		__entry->pcp_pages = pcp_pages;
		__entry->drained = drained;
		__entry->reported = reported;
	),

	TP_printk("nid=%d zid=%d pcp_pages=%lu drained=%d reported=%lu",
		  __entry->nid, __entry->zid, __entry->pcp_pages,
		  __entry->drained, __entry->reported)
);

/*
 * A zone's reporting interval changed (mm/page_reporting.c, "Adaptive
 * reporting"): from old_ms to new_ms (0: not backed off) because of why
 * (reuse; quiet, at a pass, or idle, between passes; off; max: the maximum
 * was lowered; growth: reuse, interval kept); reused: pages cut
 * from aerated ones since its last pass, against reported_last, its last
 * report; taken: raw pages taken meanwhile.
 */
TRACE_EVENT(aeration_adapt,

	TP_PROTO(struct zone *zone, unsigned int old_ms, unsigned int new_ms,
		 int why, unsigned long reused, unsigned long reported_last,
		 unsigned long taken),

	TP_ARGS(zone, old_ms, new_ms, why, reused, reported_last, taken),

	TP_STRUCT__entry(
		__field(int, nid)
		__field(int, zid)
		__field(unsigned int, old_ms)
		__field(unsigned int, new_ms)
		__field(int, why)
		__field(unsigned long, reused)
		__field(unsigned long, reported_last)
		__field(unsigned long, taken)
	),

	TP_fast_assign(
		__entry->nid = zone_to_nid(zone);
		__entry->zid = zone_idx(zone);
		__entry->old_ms = old_ms;
		__entry->new_ms = new_ms;
		__entry->why = why;
		__entry->reused = reused;
		__entry->reported_last = reported_last;
		__entry->taken = taken;
	),

	TP_printk("nid=%d zid=%d old_ms=%u new_ms=%u why=%s reused=%lu reported_last=%lu taken=%lu",
		  __entry->nid, __entry->zid, __entry->old_ms, __entry->new_ms,
		  __print_symbolic(__entry->why, { 0, "reuse" }, { 1, "quiet" },
				   { 2, "off" }, { 3, "max" }, { 4, "growth" },
				   { 5, "idle" }),
		  __entry->reused, __entry->reported_last, __entry->taken)
);

/*
 * One free page hint round, from the host's command id to our STOP.
 * balloon_ns: until the free pages' walk began (the balloon pages).
 */
TRACE_EVENT(aeration_hint_round,

	TP_PROTO(u32 id, unsigned long free_pages, unsigned long balloon_pages,
		 unsigned long skipped_pages, unsigned int batches,
		 u64 duration_ns, u64 balloon_ns, u64 wait_ns, u64 max_wait_ns,
		 int err),

	TP_ARGS(id, free_pages, balloon_pages, skipped_pages, batches,
		duration_ns, balloon_ns, wait_ns, max_wait_ns, err),

	TP_STRUCT__entry(
		__field(u32, id)
		__field(unsigned long, free_pages)
		__field(unsigned long, balloon_pages)
		__field(unsigned long, skipped_pages)
		__field(unsigned int, batches)
		__field(u64, duration_ns)
		__field(u64, balloon_ns)
		__field(u64, wait_ns)
		__field(u64, max_wait_ns)
		__field(int, err)
	),

	TP_fast_assign(
		__entry->id = id;
		__entry->free_pages = free_pages;
		__entry->balloon_pages = balloon_pages;
		__entry->skipped_pages = skipped_pages;
		__entry->batches = batches;
		__entry->duration_ns = duration_ns;
		__entry->balloon_ns = balloon_ns;
		__entry->wait_ns = wait_ns;
		__entry->max_wait_ns = max_wait_ns;
		__entry->err = err;
	),

	TP_printk("id=%u pages=%lu free_pages=%lu balloon_pages=%lu skipped_pages=%lu batches=%u duration_us=%llu balloon_us=%llu wait_us=%llu max_wait_us=%llu err=%d",
		  __entry->id, __entry->free_pages + __entry->balloon_pages,
		  __entry->free_pages, __entry->balloon_pages,
		  __entry->skipped_pages, __entry->batches, __entry->duration_ns / 1000,
		  __entry->balloon_ns / 1000, __entry->wait_ns / 1000, __entry->max_wait_ns / 1000,
		  __entry->err)
);

#endif /* _TRACE_AERATION_H */

#include <trace/define_trace.h>
