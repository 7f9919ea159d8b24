/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Free page reporting hooks for the buddy allocator (mm-private).
 *
 * Every helper here is called with zone->lock held.  When no device is
 * registered the static key is off and each one is a patched-out branch.
 * With a device, a free list of a tracked order is kept as
 *
 *	head -> raw, raw, ..., raw | aerated, ..., aerated <- tail
 *	                           ^ zone->aeration.boundary[order][mt]
 *
 * so that the allocator (which takes from the head) hands out raw pages
 * first, then the most recently reported ones (an aerated page goes in at
 * the boundary), and the worker finds the coldest raw page at
 * boundary->prev.
 */
#ifndef _MM_PAGE_REPORTING_H
#define _MM_PAGE_REPORTING_H

#include <linux/jiffies.h>
#include <linux/jump_label.h>
#include <linux/mmzone.h>
#include <linux/page-flags.h>
#include <linux/page-isolation.h>
#include <linux/pageblock-flags.h>
#include <linux/pgtable.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmstat.h>

#include "internal.h"

/* How an isolated page goes back (aeration_putback_range() and _page()). */
#define AERATION_PUT_RAW	0
#define AERATION_PUT_AERATED	BIT(0)	/* the host has it */
#define AERATION_PUT_ZEROED	BIT(1)	/* and it reads zero: known zero */

#ifdef CONFIG_PAGE_REPORTING
DECLARE_STATIC_KEY_FALSE(page_reporting_enabled);
extern unsigned int page_reporting_order;

/*
 * Are the free lists of @order in @zone split into raw and aerated?  On
 * every free-list change: with a device registered, one load and one
 * branch (a zone's tracked orders as a mask, 0 when it is not tracked).
 */
static __always_inline bool aeration_tracked(struct zone *zone,
					     unsigned int order)
{
	return static_branch_unlikely(&page_reporting_enabled) &&
	       (READ_ONCE(zone->reporting_orders) & BIT(order));
}

/* Is @page, a free buddy page of @order, aerated (host may have dropped it)? */
static inline bool aeration_page_aerated(struct zone *zone, struct page *page,
					 unsigned int order)
{
	return aeration_tracked(zone, order) && PageReported(page);
}

void __aeration_add(struct page *page, struct zone *zone, unsigned int order,
		    int mt, bool tail);
void __aeration_del(struct page *page, struct zone *zone, unsigned int order,
		    int mt);
void __aeration_move(struct page *page, struct zone *zone,
		     unsigned int order, int old_mt, int new_mt);

/*
 * A free page of @order (aerated if @aerated) merges with @buddy, on a
 * list of @buddy_mt: the result is aerated only if both halves were.
 * Memory the host dropped that ends up in a raw page will be reported
 * again: count it.  A raw buddy leaving its list to merge is not taken
 * (aeration_adapt()): the deletion that follows counts it, undo that.
 */
static inline bool aeration_merge(struct zone *zone, unsigned int order,
				  bool aerated, struct page *buddy,
				  int buddy_mt)
{
	bool buddy_aerated;

	if (!aeration_tracked(zone, order))
		return false;
	buddy_aerated = PageReported(buddy);
	if (aerated != buddy_aerated)
		__count_vm_events(AERATION_PAGES_REREPORTED, 1UL << order);
	if (!buddy_aerated && !is_migrate_isolate(buddy_mt))
		zone->aeration.nr_taken -= 1UL << order;
	return aerated && buddy_aerated;
}

/*
 * Can @zone lend a free block of @order from a list of @mt to the host and
 * keep more than @mark pages free?  The allocator's own check, for the
 * allocations the block would have served: free CMA pages count only for a
 * CMA block, the highatomic reserve never does, and the lowmem reserve
 * that keeps a lower zone for its own allocations is not lent (checked
 * for movable user memory, the usual taker, which may come from any
 * zone).
 */
static inline bool aeration_wmark_room(struct zone *zone, unsigned int order,
				       int mt, unsigned long mark)
{
	return zone_watermark_ok(zone, 0, mark + (1UL << order),
				 gfp_zone(GFP_HIGHUSER_MOVABLE),
				 is_migrate_cma(mt) ? ALLOC_CMA : 0);
}

void aeration_putback_range(struct page *page, unsigned int order,
			    unsigned int how);
/* page_hinting.c: no reporting while the host migrates us. */
void page_reporting_hold(bool hold);
/* page_alloc.c: take a free page off its list, keeping its pageblock type. */
int aeration_isolate_page(struct page *page, unsigned int order);
/* page_alloc.c: give back a page the worker isolated. */
void aeration_putback_page(struct page *page, unsigned int order, int mt,
			   unsigned int how);

/*
 * An allocation of @order was cut from an aerated page of @zone (locked).
 * Soon after a report of the zone, that is memory the host dropped for
 * nothing: the adaptive worker's signal (mm/page_reporting.c).  The
 * pieces of a split below the tracked order are not aerated any more,
 * and the allocator takes them next: the whole block at that order is
 * reused.
 */
static inline void aeration_alloc_aerated(struct zone *zone,
					  unsigned int order)
{
	__count_vm_events(AERATION_ALLOC_AERATED, 1UL << order);
	if (time_before(jiffies, zone->aeration.reuse_until))
		zone->aeration.nr_reused +=
			1UL << max(order, zone->aeration.order);
}

#else
static inline bool aeration_tracked(struct zone *zone, unsigned int order)
{
	return false;
}

static inline bool aeration_page_aerated(struct zone *zone, struct page *page,
					 unsigned int order)
{
	return false;
}

static inline void __aeration_add(struct page *page, struct zone *zone,
				  unsigned int order, int mt, bool tail)
{
}

static inline void __aeration_del(struct page *page, struct zone *zone,
				  unsigned int order, int mt)
{
}

static inline void __aeration_move(struct page *page, struct zone *zone,
				   unsigned int order, int old_mt, int new_mt)
{
}

static inline bool aeration_merge(struct zone *zone, unsigned int order,
				  bool aerated, struct page *buddy,
				  int buddy_mt)
{
	return false;
}

static inline void aeration_alloc_aerated(struct zone *zone,
					  unsigned int order)
{
}

static inline void page_reporting_hold(bool hold)
{
}

/* Never reached: no page is aerated without CONFIG_PAGE_REPORTING. */
static inline void aeration_putback_page(struct page *page, unsigned int order,
					 int mt, unsigned int how)
{
	__putback_isolated_page(page, order, mt);
}
#endif /* CONFIG_PAGE_REPORTING */

#endif /* _MM_PAGE_REPORTING_H */
