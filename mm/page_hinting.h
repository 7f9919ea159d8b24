/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Free page hint hooks for the buddy allocator (mm-private): while a
 * migration's hints are remembered, the allocator tells mm/page_hinting.c
 * which free blocks change.  Called with zone->lock held; a patched-out
 * branch otherwise.
 */
#ifndef _MM_PAGE_HINTING_H
#define _MM_PAGE_HINTING_H

#include <linux/jump_label.h>
#include <linux/mm.h>

#ifdef CONFIG_PAGE_HINTING
/* On while a migration's hints are remembered (page_hinting.c). */
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
static inline void aeration_hint_taken(struct page *page, unsigned int order)
{
}

static inline void aeration_hint_freed(unsigned long pfn, unsigned int order)
{
}

#endif /* CONFIG_PAGE_HINTING */

#endif /* _MM_PAGE_HINTING_H */
