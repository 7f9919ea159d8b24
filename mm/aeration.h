/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Aeration hooks for the buddy allocator (mm-private).
 *
 * Every helper here is called with zone->lock held.  When no device is
 * registered the static key is off and each one is a patched-out branch.
 * With a device, a free list of a tracked order is kept as
 *
 *	head -> raw, raw, ..., raw | aerated, ..., aerated <- tail
 *	                           ^ zone->aeration.boundary[order][mt]
 *
 * so that the allocator (which takes from the head) hands out raw pages
 * first and the worker finds the coldest raw page at boundary->prev.
 */
#ifndef _MM_AERATION_H
#define _MM_AERATION_H

#include <linux/jump_label.h>
#include <linux/mmzone.h>
#include <linux/page-flags.h>
#include <linux/vmstat.h>

#include "internal.h"

#ifdef CONFIG_PAGE_AERATION
DECLARE_STATIC_KEY_FALSE(aeration_enabled);

/* Are the free lists of @order in @zone split into raw and aerated? */
static __always_inline bool aeration_tracked(struct zone *zone,
					     unsigned int order)
{
	return static_branch_unlikely(&aeration_enabled) &&
	       zone->aeration.order && order >= zone->aeration.order;
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
 * A free page of @order (aerated if @aerated) merges with @buddy: the
 * result is aerated only if both halves were.  Memory the host dropped
 * that ends up in a raw page will be reported again: count it.
 */
static inline bool aeration_merge(struct zone *zone, unsigned int order,
				  bool aerated, struct page *buddy)
{
	bool buddy_aerated;

	if (!aeration_tracked(zone, order))
		return false;
	buddy_aerated = PageReported(buddy);
	if (aerated != buddy_aerated)
		__count_vm_events(AERATION_PAGES_REREPORTED, 1UL << order);
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
			    bool aerated);
/* page_alloc.c: give back a page the worker isolated. */
void aeration_putback_page(struct page *page, unsigned int order, int mt,
			   bool aerated);

/* An allocation of @order was cut from an aerated page. */
static inline void aeration_alloc_aerated(unsigned int order)
{
	__count_vm_events(AERATION_ALLOC_AERATED, 1UL << order);
}

/* On while a migration's hints are remembered (aeration_hint.c). */
DECLARE_STATIC_KEY_FALSE(aeration_hint_tracking);
void __aeration_hint_changed(unsigned long pfn, unsigned int order,
			     bool taken);

/*
 * The free pages [@page, @page + 2^@order) leave the free lists to be
 * used (allocated, isolated, offlined): the host must get them again if
 * they are freed during this migration.  Not called when a free page only
 * merges with its buddy.
 */
static __always_inline void aeration_hint_taken(struct page *page,
						unsigned int order)
{
	if (static_branch_unlikely(&aeration_hint_tracking))
		__aeration_hint_changed(page_to_pfn(page), order, true);
}

/* The pages [@pfn, @pfn + 2^@order) come to the free lists. */
static __always_inline void aeration_hint_freed(unsigned long pfn,
						unsigned int order)
{
	if (static_branch_unlikely(&aeration_hint_tracking))
		__aeration_hint_changed(pfn, order, false);
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
				  bool aerated, struct page *buddy)
{
	return false;
}

static inline void aeration_alloc_aerated(unsigned int order)
{
}

static inline void aeration_hint_taken(struct page *page, unsigned int order)
{
}

static inline void aeration_hint_freed(unsigned long pfn, unsigned int order)
{
}

/* Never reached: no page is aerated without CONFIG_PAGE_AERATION. */
static inline void aeration_putback_page(struct page *page, unsigned int order,
					 int mt, bool aerated)
{
	__putback_isolated_page(page, order, mt);
}
#endif /* CONFIG_PAGE_AERATION */

#endif /* _MM_AERATION_H */
