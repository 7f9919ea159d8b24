/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for known-zero free pages (PG_zeroed, mm/page_alloc.c): a
 * reporting device that clears what it takes says so, and the allocator
 * keeps those pages known zero until someone may write them.  Included at
 * the end of mm/page_reporting.c, after page_reporting-kunit.h, whose fake
 * device (with ->zero: it clears every page reported) and helpers they
 * use; the same rules: no other reporting device may be registered.
 *
 * The first device that zeroes turns known-zero pages on for good, so the
 * case that must see none runs first, and the lying device last.  DEBUG_VM
 * kernels (these tests run on one) check every known-zero page the
 * allocator hands out unzeroed and count one that is not zero in
 * aeration_zero_wrong: the honest cases expect none.
 */

/* Allocations with interrupts off: no reclaim, movable (reported lists). */
#define ZEROED_GFP	(__GFP_MOVABLE | __GFP_HIGHMEM | GFP_NOWAIT | \
			 __GFP_NOWARN)

/* Free pages of @zone known zero (the marked heads' blocks); @clear: unmark. */
static unsigned long zeroed_pages(struct zone *zone, bool clear)
{
	unsigned long pages = 0;
	struct page *page;
	unsigned int order;
	int mt;

	spin_lock_irq(&zone->lock);
	for (order = 0; order < NR_PAGE_ORDERS; order++)
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			list_for_each_entry(page,
					    &zone->free_area[order].free_list[mt],
					    buddy_list) {
				if (!PageZeroed(page))
					continue;
				pages += 1UL << order;
				if (clear)
					__ClearPageZeroed(page);
			}
	spin_unlock_irq(&zone->lock);
	return pages;
}

static unsigned long zeroed_pages_all(void)
{
	unsigned long pages = 0;
	struct zone *zone;

	for_each_populated_zone(zone)
		pages += zeroed_pages(zone, false);
	return pages;
}

/* Report everything to @fd and take it out again. */
static void report_all_to(struct kunit *test, struct fake_dev *fd)
{
	aeration_high_wmark = 1;
	aeration_delay_ms = 0;
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd->info), 0);
	run_worker();
	KUNIT_EXPECT_GT(test, fd->pages, 0UL);
	KUNIT_EXPECT_EQ(test, fd->bad, 0U);
}

/*
 * Only a device that may (->zeroes_reported) and says so for the batch
 * (PAGE_REPORTING_ZEROED) makes pages known zero: one that zeroes but
 * returns 0, and one that returns PAGE_REPORTING_ZEROED without
 * ->zeroes_reported, make none.
 */
static void aeration_test_zeroed_unconfirmed(struct kunit *test)
{
	unsigned long z0 = aeration_test_vm_event(AERATION_PAGES_ZEROED);
	unsigned long marked = zeroed_pages_all();
	struct fake_dev fd;

	fake_init(&fd, 32);
	fd.info.zeroes_reported = true;		/* may, but does not say so */
	report_all_to(test, &fd);
	page_reporting_unregister(&fd.info);

	fake_init(&fd, 32);
	fd.zero = true;				/* says so, but may not */
	report_all_to(test, &fd);
	page_reporting_unregister(&fd.info);

	KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_PAGES_ZEROED),
			z0);
	/* None made (merges may drop some a real device left). */
	KUNIT_EXPECT_LE(test, zeroed_pages_all(), marked);
	check_all_zones(test);
}

/*
 * Allocate with __GFP_ZERO until one allocation of @order came from
 * known-zero memory (its zeroing skipped, or found wrong by the DEBUG_VM
 * check), at most MERGE_TRIES times, holding on to the others (a raw block
 * freed meanwhile comes first); return it, or NULL.  *@tries says how
 * many it took.
 */
static struct page *alloc_skipped(unsigned int order, unsigned int *tries)
{
	struct page *held[MERGE_TRIES], *p = NULL;
	unsigned long flags, s;
	unsigned int n = 0, i;

	while (n < MERGE_TRIES) {
		local_irq_save(flags);
		s = cpu_event(AERATION_ZERO_SKIPPED) +
		    cpu_event(AERATION_ZERO_WRONG);
		p = alloc_pages(ZEROED_GFP | __GFP_ZERO, order);
		s = cpu_event(AERATION_ZERO_SKIPPED) +
		    cpu_event(AERATION_ZERO_WRONG) - s;
		local_irq_restore(flags);
		if (!p || s == 1UL << order)
			break;
		held[n++] = p;
		p = NULL;
	}
	for (i = 0; i < n; i++)
		__free_pages(held[i], order);
	*tries = n + 1;
	return p;
}

static bool pages_zero(struct page *page, unsigned int nr)
{
	unsigned int i;
	bool zero = true;

	for (i = 0; zero && i < nr; i++) {
		void *addr = kmap_local_page(page + i);

		zero = !memchr_inv(addr, 0, PAGE_SIZE);
		kunmap_local(addr);
	}
	return zero;
}

#define ZEROED_SMALL	1024	/* order-0 allocations, across per-cpu lists */
#define ZEROED_SMALL_MAX 8192	/* more, until one comes from known zero */

/*
 * A device that clears what it takes and says so: every page it was given
 * goes back known zero, allocations with __GFP_ZERO skip the clearing
 * (a pageblock, and order-0 pages through the per-cpu lists, whose drain
 * passes the mark back), and a page written after that is cleared again.
 */
static void aeration_test_zeroed_report(struct kunit *test)
{
	unsigned long z0 = aeration_test_vm_event(AERATION_PAGES_ZEROED);
	unsigned long w0 = aeration_test_vm_event(AERATION_ZERO_WRONG);
	struct page **small, *p;
	unsigned int i, tries, nskip = 0;
	unsigned long flags, s;
	long raw;
	struct fake_dev fd;

	small = kunit_kcalloc(test, ZEROED_SMALL_MAX, sizeof(*small),
			      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, small);
	fake_init(&fd, 32);
	fd.zero = true;
	fd.info.zeroes_reported = true;
	report_all_to(test, &fd);
	if (!READ_ONCE(aer.zeroes)) {
		page_reporting_unregister(&fd.info);
		kunit_skip(test, "the allocator refuses known-zero pages");
	}
	KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_PAGES_ZEROED) - z0,
			fd.pages);
	KUNIT_EXPECT_GT(test, zeroed_pages_all(), 0UL);
	check_all_zones(test);

	/* A whole pageblock, cut from a known-zero block. */
	p = alloc_skipped(pageblock_order, &tries);
	KUNIT_EXPECT_NOT_NULL_MSG(test, p,
				  "no pageblock allocation skipped its zeroing in %u",
				  tries);
	if (p) {
		KUNIT_EXPECT_FALSE(test, PageZeroed(p));
		KUNIT_EXPECT_TRUE(test, pages_zero(p, pageblock_nr_pages));
		__free_pages(p, pageblock_order);
	}

	/*
	 * Order-0, refilled from known-zero blocks into the per-cpu lists:
	 * raw memory goes first (the pageblock just freed, and whatever its
	 * known-zero buddy merged into), so go on until one came from a
	 * known-zero block.
	 */
	/* Free memory not reported, which goes first (the gauges: roughly). */
	raw = global_zone_page_state(NR_FREE_PAGES) -
	      global_zone_page_state(NR_FREE_REPORTED);
	for (i = 0; i < ZEROED_SMALL_MAX && (i < ZEROED_SMALL || !nskip);
	     i++) {
		local_irq_save(flags);
		s = cpu_event(AERATION_ZERO_SKIPPED);
		small[i] = alloc_page(ZEROED_GFP | __GFP_ZERO);
		nskip += cpu_event(AERATION_ZERO_SKIPPED) - s;
		local_irq_restore(flags);
		if (!small[i])
			break;
		KUNIT_EXPECT_FALSE(test, PageZeroed(small[i]));
		KUNIT_EXPECT_TRUE(test, pages_zero(small[i], 1));
	}
	KUNIT_EXPECT_GT_MSG(test, nskip, 0U,
			    "none of %u order-0 allocations skipped its zeroing (about %ld free pages were not reported)",
			    i, raw);
	/* Known-zero pages left on the per-cpu lists go back known zero. */
	drain_all_pages(NULL);

	/* Written after the report, freed: never known zero again. */
	for (i = 0; i < ZEROED_SMALL_MAX && small[i]; i++) {
		void *addr = kmap_local_page(small[i]);

		bool marked;

		memset(addr, 0x5a, PAGE_SIZE);
		kunmap_local(addr);
		/* On this CPU's per-cpu list now (or merged): not marked. */
		local_irq_save(flags);
		__free_page(small[i]);
		/* the bit itself: the page may be someone's by now */
		marked = test_bit(PG_zeroed, &small[i]->flags);
		local_irq_restore(flags);
		KUNIT_EXPECT_FALSE(test, marked);
	}
	for (i = 0; i < ZEROED_SMALL; i++) {
		small[i] = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO |
				      __GFP_NOWARN);
		if (!small[i])
			break;
		KUNIT_EXPECT_TRUE(test, pages_zero(small[i], 1));
	}
	for (i = 0; i < ZEROED_SMALL && small[i]; i++)
		__free_page(small[i]);
	check_all_zones(test);
	page_reporting_unregister(&fd.info);
	check_all_zones(test);
	KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_ZERO_WRONG), w0);
}

/*
 * Put the halves of @p (order @half + 1, the test's, zero) back as @p_how
 * and @b_how under one hold of the zone lock, and take the merged block
 * off again.  Return whether it was known zero (-1: it did not merge,
 * -2: it could not be taken off) and, in *@dropped, this CPU's count of
 * pages that lost their mark.
 */
static int zeroed_merge(struct page *p, unsigned int half, unsigned int p_how,
			unsigned int b_how, unsigned long *dropped)
{
	struct zone *zone = page_zone(p);
	struct page *b = p + (1U << half);
	unsigned long d;
	int ret = -1;

	spin_lock_irq(&zone->lock);
	d = cpu_event(AERATION_ZERO_DROPPED);
	aeration_putback_page(p, half, get_pageblock_migratetype(p), p_how);
	aeration_putback_page(b, half, get_pageblock_migratetype(b), b_how);
	*dropped = cpu_event(AERATION_ZERO_DROPPED) - d;
	if (PageBuddy(p) && buddy_order(p) == half + 1) {
		ret = !!PageZeroed(p);
		if (!__isolate_free_page(p, half + 1))
			ret = -2;
	}
	spin_unlock_irq(&zone->lock);
	return ret;
}

/*
 * A merge keeps the mark only if both halves carry it: known zero +
 * known zero is known zero, known zero + anything else is not (and the
 * known-zero half is counted as dropped).
 */
static void aeration_test_zeroed_merge(struct kunit *test)
{
	unsigned int top = min_t(unsigned int, pageblock_order,
				 MAX_PAGE_ORDER - 1), half = top - 1, i;
	struct page *q, *p, *other;
	unsigned long dropped;
	struct fake_dev fd;
	int merged;

	aeration_delay_ms = 60000;	/* keep the worker out of this test */
	fake_init(&fd, 32);
	fd.zero = true;
	fd.info.zeroes_reported = true;
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	/*
	 * @p, a zero block of order @top, whose buddy (@other) the test
	 * holds: the halves merge back into @p and no further.
	 */
	q = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO | __GFP_NOWARN,
			top + 1);
	KUNIT_ASSERT_NOT_NULL(test, q);
	split_page(q, top + 1);
	p = q;
	other = q + (1U << top);
	for (i = 0; i < (1U << top); i++)	/* as __isolate_free_page() leaves it */
		set_page_count(p + i, 0);

	merged = zeroed_merge(p, half, AERATION_PUT_ZEROED,
			      AERATION_PUT_ZEROED, &dropped);
	KUNIT_EXPECT_EQ_MSG(test, merged, 1, "known zero + known zero");
	KUNIT_EXPECT_EQ(test, dropped, 0UL);
	if (merged >= 0) {
		merged = zeroed_merge(p, half, AERATION_PUT_ZEROED,
				      AERATION_PUT_RAW, &dropped);
		KUNIT_EXPECT_EQ_MSG(test, merged, 0, "known zero + raw");
		KUNIT_EXPECT_EQ(test, dropped, 1UL << half);
	}
	if (merged >= 0) {
		merged = zeroed_merge(p, half, AERATION_PUT_RAW,
				      AERATION_PUT_ZEROED, &dropped);
		KUNIT_EXPECT_EQ_MSG(test, merged, 0, "raw + known zero");
		KUNIT_EXPECT_EQ(test, dropped, 1UL << half);
	}
	if (merged >= 0) {
		struct zone *zone = page_zone(p);

		spin_lock_irq(&zone->lock);
		aeration_putback_page(p, top, get_pageblock_migratetype(p),
				      AERATION_PUT_RAW);
		spin_unlock_irq(&zone->lock);
	}
	free_range(other, top);
	page_reporting_unregister(&fd.info);
	check_all_zones(test);
}

/*
 * A known-zero block taken off the free lists (as compaction or a hint
 * would), written and put back: no longer known zero, nor is what it
 * merges into.
 */
static void aeration_test_zeroed_taken(struct kunit *test)
{
	unsigned int order = pageblock_order, o, found = 0;
	struct page *page = NULL, *head;
	struct fake_dev fd;
	struct zone *zone;
	int mt;

	fake_init(&fd, 32);
	fd.zero = true;
	fd.info.zeroes_reported = true;
	report_all_to(test, &fd);
	aeration_delay_ms = 60000;	/* the worker stays out from here */
	for_each_populated_zone(zone) {
		spin_lock_irq(&zone->lock);
		for (mt = 0; mt < MIGRATE_PCPTYPES && !found; mt++)
			list_for_each_entry(page,
					    &zone->free_area[order].free_list[mt],
					    buddy_list)
				if (PageZeroed(page) &&
				    __isolate_free_page(page, order)) {
					found = 1;
					break;
				}
		spin_unlock_irq(&zone->lock);
		if (found)
			break;
	}
	if (!found) {
		page_reporting_unregister(&fd.info);
		kunit_skip(test, "no known-zero block of order %u", order);
	}
	KUNIT_EXPECT_FALSE(test, PageZeroed(page));
	fake_fill(page, 1U << order, 0x5a);
	spin_lock_irq(&zone->lock);
	aeration_putback_page(page, order, get_pageblock_migratetype(page),
			      AERATION_PUT_RAW);
	/* The block it is part of now, merged or not. */
	for (o = order, head = NULL; o < NR_PAGE_ORDERS; o++) {
		struct page *h = page - (page_to_pfn(page) & ((1UL << o) - 1));

		if (PageBuddy(h) && buddy_order(h) == o) {
			head = h;
			break;
		}
	}
	KUNIT_EXPECT_NOT_NULL(test, head);
	if (head)
		KUNIT_EXPECT_FALSE(test, PageZeroed(head));
	spin_unlock_irq(&zone->lock);
	page_reporting_unregister(&fd.info);
	check_all_zones(test);
}

/* Clear every mark: what a lying device left must not be believed. */
static void zeroed_forget_all(void)
{
	struct zone *zone;

	drain_all_pages(NULL);
	for_each_populated_zone(zone)
		zeroed_pages(zone, true);
}

/*
 * The positive control: a device that says zero and leaves 0xa5.  A
 * __GFP_ZERO allocation of its memory is not cleared, so the check of
 * DEBUG_VM kernels finds it (aeration_zero_wrong) and clears it; without
 * DEBUG_VM the pattern would show through.  Whatever marks it leaves are
 * cleared at the end.
 */
static void aeration_test_zeroed_liar(struct kunit *test)
{
	unsigned long w0 = aeration_test_vm_event(AERATION_ZERO_WRONG);
	unsigned int tries, bad = 0, i;
	struct fake_dev fd;
	struct page *p;

	fake_init(&fd, 32);
	fd.zero = true;
	fd.fill = 0xa5;
	fd.info.zeroes_reported = true;
	report_all_to(test, &fd);
	page_reporting_unregister(&fd.info);
	p = alloc_skipped(pageblock_order, &tries);
	if (p) {
		for (i = 0; i < pageblock_nr_pages; i++)
			bad += !pages_zero(p + i, 1);
		__free_pages(p, pageblock_order);
	}
	zeroed_forget_all();
	KUNIT_ASSERT_NOT_NULL_MSG(test, p,
				  "no pageblock allocation skipped its zeroing in %u",
				  tries);
	if (IS_ENABLED(CONFIG_DEBUG_VM) && !IS_ENABLED(CONFIG_KMSAN)) {
		KUNIT_EXPECT_EQ(test, bad, 0U);
		KUNIT_EXPECT_GE(test, aeration_test_vm_event(AERATION_ZERO_WRONG) - w0,
				pageblock_nr_pages);
	} else {
		KUNIT_EXPECT_EQ(test, bad, (unsigned int)pageblock_nr_pages);
	}
	check_all_zones(test);
}

static struct kunit_case aeration_zeroed_test_cases[] = {
	KUNIT_CASE(aeration_test_zeroed_unconfirmed),	/* first: see above */
	KUNIT_CASE(aeration_test_zeroed_report),
	KUNIT_CASE(aeration_test_zeroed_merge),
	KUNIT_CASE(aeration_test_zeroed_taken),
	KUNIT_CASE(aeration_test_zeroed_liar),		/* last: see above */
	{}
};

static struct kunit_suite aeration_zeroed_test_suite = {
	.name = "aeration_zeroed",
	.init = aeration_test_init,
	.exit = aeration_test_exit,
	.test_cases = aeration_zeroed_test_cases,
};

kunit_test_suite(aeration_zeroed_test_suite);
