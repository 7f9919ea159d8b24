/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for aeration's free page hints, included at the end of
 * mm/page_hinting.c.  A fake device checks every batch against the live
 * allocator while it "holds" it: free ranges isolated from queueing until
 * the wait for them, of the hint order, at most AERATION_HINT_DEPTH
 * batches and vm.aeration_hint_window_mib of free memory at once, no page
 * twice in a round, by ascending pfn within a zone; balloon pages locked
 * from queueing until the wait for them, contiguous ones in one range, a
 * page someone else holds left alone.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/memblock.h>
#include <linux/vmalloc.h>

#include "page_reporting-kunit-util.h"

struct fake_hint {
	struct aeration_hint_dev hdev;
	int err;			/* what hint() returns ... */
	unsigned int err_at;		/* ... from this call on (0: first) */
	int wait_err;			/* what wait() returns */
	unsigned int calls, queued, waits;
	unsigned int inflight, max_inflight;
	unsigned int early;		/* waited for a batch not queued */
	/* Queued batches, oldest first: each wait must be for the oldest. */
	struct scatterlist *fifo[AERATION_HINT_DEPTH];
	unsigned int fifo_head, out_of_order;
	unsigned int returned_early;	/* free pages back before the wait */
	unsigned int max_nents;
	unsigned int bad_free;		/* free ranges not isolated/too small */
	unsigned int bad_balloon;	/* balloon ranges without the lock */
	unsigned int twice;		/* pages hinted twice */
	unsigned int downward;		/* free ranges below the one before */
	unsigned long next_pfn;		/* end of the last free range ... */
	struct zone *zone;		/* ... in this zone */
	unsigned long max_bytes;	/* largest batch of free memory */
	unsigned long lent, max_lent;	/* free memory with the device */
	unsigned long free_pages, balloon_pages;
	unsigned long *seen;		/* one bit per pfn */
	unsigned long nbits;
	/* Free ranges of the last call, to check they went back. */
	struct page *last[HINT_MAX_RANGES];
	unsigned int nlast;
	/* Balloon ranges, to check coalescing. */
	unsigned int balloon_ranges;
	/* The fake balloon's list: most of its pages locked at once. */
	struct balloon_dev_info *balloon;
	unsigned int max_locked;
};

static int fake_hint(struct aeration_hint_dev *hdev, struct scatterlist *sg,
		     unsigned int nents)
{
	struct fake_hint *fh = container_of(hdev, struct fake_hint, hdev);
	unsigned long bytes = 0, i;
	struct scatterlist *s;
	unsigned int k;

	if (fh->err && fh->calls >= fh->err_at) {
		fh->calls++;
		return fh->err;
	}
	fh->calls++;
	fh->queued++;
	if (fh->inflight < AERATION_HINT_DEPTH)
		fh->fifo[(fh->fifo_head + fh->inflight) % AERATION_HINT_DEPTH] = sg;
	fh->inflight++;
	fh->max_inflight = max(fh->max_inflight, fh->inflight);
	fh->max_nents = max(fh->max_nents, nents);
	fh->nlast = 0;
	for_each_sg(sg, s, nents, k) {
		struct page *page = sg_page(s);
		unsigned long n = s->length >> PAGE_SHIFT;
		unsigned long pfn = page_to_pfn(page);

		/* Balloon pages are allocated (a reference each), free ones not. */
		if (page_count(page) && fh->balloon && !k) {
			struct page *bp;
			unsigned int locked = 0;

			spin_lock_irq(&fh->balloon->pages_lock);
			list_for_each_entry(bp, &fh->balloon->pages, lru)
				locked += PageLocked(bp);
			spin_unlock_irq(&fh->balloon->pages_lock);
			fh->max_locked = max(fh->max_locked, locked);
		}
		if (page_count(page)) {
			/* Locked, so that no deflate takes them meanwhile. */
			for (i = 0; i < n; i++)
				if (PageBuddy(page + i) || !PageLocked(page + i))
					fh->bad_balloon++;
			fh->balloon_pages += n;
			fh->balloon_ranges++;
		} else {
			if (PageBuddy(page) || page_count(page) ||
			    s->length < (PAGE_SIZE << hint_order))
				fh->bad_free++;
			fh->free_pages += n;
			bytes += s->length;
			if (page_zone(page) == fh->zone && pfn < fh->next_pfn)
				fh->downward++;
			fh->zone = page_zone(page);
			fh->next_pfn = pfn + n;
			fh->last[fh->nlast++] = page;
		}
		for (i = pfn; i < pfn + n && i < fh->nbits; i++)
			if (__test_and_set_bit(i, fh->seen))
				fh->twice++;
	}
	fh->max_bytes = max(fh->max_bytes, bytes);
	fh->lent += bytes;
	fh->max_lent = max(fh->max_lent, fh->lent);
	return 0;
}

static int fake_wait(struct aeration_hint_dev *hdev, struct scatterlist *sg)
{
	struct fake_hint *fh = container_of(hdev, struct fake_hint, hdev);
	struct scatterlist *s;
	unsigned int k;

	if (!fh->inflight) {
		fh->early++;
		return 0;
	}
	if (fh->fifo[fh->fifo_head] != sg)
		fh->out_of_order++;
	fh->fifo_head = (fh->fifo_head + 1) % AERATION_HINT_DEPTH;
	fh->inflight--;
	fh->waits++;
	/*
	 * Free pages are still off the lists while we wait, balloon pages
	 * still locked.
	 */
	for_each_sg(sg, s, sg_nents(sg), k) {
		if (PageBuddy(sg_page(s)))
			fh->returned_early++;
		if (!page_count(sg_page(s)))	/* not a balloon page */
			fh->lent -= s->length;
		else if (!PageLocked(sg_page(s)))
			fh->bad_balloon++;
	}
	return fh->wait_err;
}

static void fake_hint_done(void *hdev)
{
	aeration_hint_done(hdev);
}

static struct fake_hint *fake_hint_new(struct kunit *test)
{
	struct fake_hint *fh = kunit_kzalloc(test, sizeof(*fh), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fh);
	/* A test that stops early must not leave its map behind. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fake_hint_done,
							&fh->hdev), 0);
	fh->hdev.hint = fake_hint;
	fh->hdev.wait = fake_wait;
	fh->hdev.capacity = 64 * AERATION_HINT_DEPTH;
	fh->nbits = max_pfn;
	fh->seen = vzalloc(BITS_TO_LONGS(fh->nbits) * sizeof(long));
	KUNIT_ASSERT_NOT_NULL(test, fh->seen);
	return fh;
}

/* Each test's first round starts a migration of its own. */
static void fake_hint_free(struct fake_hint *fh)
{
	aeration_hint_done(&fh->hdev);
	vfree(fh->seen);
}

/* A new round of the same migration: forget what the fake saw. */
static void fake_hint_again(struct fake_hint *fh)
{
	bitmap_zero(fh->seen, fh->nbits);
	fh->free_pages = 0;
	fh->balloon_pages = 0;
	fh->twice = 0;
	fh->zone = NULL;
	fh->next_pfn = 0;
}

/*
 * Ranges of the last batch are free again after the round.  Allow a few
 * to have been allocated since (boot goes on around the test).
 */
static void expect_last_returned(struct kunit *test, struct fake_hint *fh)
{
	unsigned int i, free = 0;

	for (i = 0; i < fh->nlast; i++)
		if (is_free_buddy_page(fh->last[i]))
			free++;
	KUNIT_EXPECT_GE_MSG(test, free * 4, fh->nlast * 3,
			    "%u of the last batch's %u ranges are free",
			    free, fh->nlast);
}

/*
 * What every completed round of free pages must show: nothing bad or
 * twice, never more than the window lent and nothing still lent, and most
 * of an idle guest's free memory (mostly large blocks) hinted.
 */
static void expect_clean_round(struct kunit *test, struct fake_hint *fh,
			       unsigned long free0)
{
	KUNIT_EXPECT_EQ(test, fh->bad_free, 0U);
	KUNIT_EXPECT_EQ(test, fh->twice, 0U);
	KUNIT_EXPECT_LE_MSG(test, fh->max_lent,
			    (unsigned long)hint_window_mib << 20,
			    "window %d MiB", hint_window_mib);
	KUNIT_EXPECT_EQ(test, fh->lent, 0UL);
	KUNIT_EXPECT_GE_MSG(test, fh->free_pages * 2, free0,
			    "window %d MiB: hinted %lu of %lu free pages",
			    hint_window_mib, fh->free_pages, free0);
}

static void aeration_hint_test_all(struct kunit *test)
{
	unsigned long rounds0 = aeration_test_vm_event(AERATION_HINT_ROUNDS);
	unsigned long hinted0 = aeration_test_vm_event(AERATION_PAGES_HINTED);
	unsigned long free0 = global_zone_page_state(NR_FREE_PAGES);
	struct fake_hint *fh;

	fh = fake_hint_new(test);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 2), 0);
	KUNIT_EXPECT_GT(test, fh->calls, 1U);
	/* Every queued batch waited for, never more than the depth at once. */
	KUNIT_EXPECT_EQ(test, fh->waits, fh->queued);
	KUNIT_EXPECT_EQ(test, fh->early, 0U);
	KUNIT_EXPECT_EQ_MSG(test, fh->out_of_order, 0U,
			    "waited for a batch that was not the oldest");
	KUNIT_EXPECT_EQ(test, fh->returned_early, 0U);
	KUNIT_EXPECT_LE(test, fh->max_inflight, (unsigned int)AERATION_HINT_DEPTH);
	KUNIT_EXPECT_EQ(test, fh->downward, 0U);
	KUNIT_EXPECT_LE(test, fh->max_bytes,
			((unsigned long)hint_window_mib << 20) / AERATION_HINT_DEPTH);
	expect_clean_round(test, fh, free0);
	KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_HINT_ROUNDS) - rounds0, 1UL);
	KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_PAGES_HINTED) - hinted0,
			fh->free_pages);
	expect_last_returned(test, fh);
	/* Nothing held: free memory is back (a few blocks of slack). */
	KUNIT_EXPECT_GE(test, global_zone_page_state(NR_FREE_PAGES) +
			4 * MAX_ORDER_NR_PAGES, free0);
	fake_hint_free(fh);
}

/*
 * A device that holds few ranges: a batch never carries more than its share
 * of the capacity.  Free memory is made fragmented first (every other
 * block of a run allocated), so that batches have ranges to spare.
 */
#define FRAG_BLOCKS	64

static void aeration_hint_test_capacity(struct kunit *test)
{
	unsigned long free0 = global_zone_page_state(NR_FREE_PAGES);
	struct page *blk[FRAG_BLOCKS];
	struct fake_hint *fh;
	unsigned int i, n;

	for (n = 0; n < FRAG_BLOCKS; n++) {
		blk[n] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, pageblock_order);
		if (!blk[n])
			break;
	}
	for (i = 0; i < n; i += 2)
		__free_pages(blk[i], pageblock_order);

	fh = fake_hint_new(test);
	fh->hdev.capacity = 2 * AERATION_HINT_DEPTH;
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 8), 0);
	KUNIT_EXPECT_LE(test, fh->max_nents, 2U);
	KUNIT_EXPECT_EQ(test, fh->out_of_order, 0U);
	expect_clean_round(test, fh, free0);
	fake_hint_free(fh);
	for (i = 1; i < n; i += 2)
		__free_pages(blk[i], pageblock_order);
}

/*
 * The device asks to stop after a few batches: no more are queued, those
 * already queued are waited for and go back, the error is passed on.
 */
static void aeration_hint_test_stop(struct kunit *test)
{
	unsigned long hinted0 = aeration_test_vm_event(AERATION_PAGES_HINTED);
	struct fake_hint *fh;

	fh = fake_hint_new(test);
	fh->err = -EINTR;
	fh->err_at = 3;
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 3), -EINTR);
	KUNIT_EXPECT_EQ(test, fh->calls, 4U);
	KUNIT_EXPECT_EQ(test, fh->queued, 3U);
	KUNIT_EXPECT_EQ(test, fh->waits, 3U);
	KUNIT_EXPECT_EQ(test, fh->returned_early, 0U);
	KUNIT_EXPECT_GT(test, fh->nlast, 0U);
	KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_PAGES_HINTED) - hinted0,
			fh->free_pages);
	expect_last_returned(test, fh);
	fake_hint_free(fh);
}

/* A higher hint order: only ranges of that order or more. */
static void aeration_hint_test_order(struct kunit *test)
{
	int saved = hint_order;
	struct fake_hint *fh;

	hint_order = MAX_PAGE_ORDER;
	fh = fake_hint_new(test);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 4), 0);
	hint_order = saved;
	KUNIT_EXPECT_GT(test, fh->calls, 0U);
	KUNIT_EXPECT_EQ(test, fh->bad_free, 0U);
	KUNIT_EXPECT_EQ(test, fh->twice, 0U);
	fake_hint_free(fh);
}

static void restore_window(void *saved)
{
	hint_window_mib = *(int *)saved;
}

/*
 * The smallest and a wider window than the default: never more free
 * memory lent at once, and everything is hinted all the same.
 */
static void aeration_hint_test_window(struct kunit *test)
{
	int *saved = kunit_kzalloc(test, sizeof(*saved), GFP_KERNEL);
	int sizes[] = { hint_window_min, clamp(4 * hint_window_mib,
					       hint_window_min,
					       hint_window_max) };
	unsigned long free0 = global_zone_page_state(NR_FREE_PAGES);
	unsigned long lent[ARRAY_SIZE(sizes)];
	struct fake_hint *fh;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, saved);
	*saved = hint_window_mib;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, restore_window,
							saved), 0);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		hint_window_mib = sizes[i];
		fh = fake_hint_new(test);
		KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 7 + i), 0);
		expect_clean_round(test, fh, free0);
		lent[i] = fh->max_lent;
		fake_hint_free(fh);
	}
	/* The wider window did lend more at once. */
	KUNIT_EXPECT_GT(test, lent[1], lent[0]);
}

#define FAKE_BALLOON_BLOCK_ORDER	4
#define FAKE_BALLOON_SINGLES		8

/*
 * A fake balloon: one block of 16 pages split into single pages (one
 * range once sorted, whatever the list order) and a few lone pages.
 * Every page is hinted once, under the lock, and stays on the list.
 */
static void aeration_hint_test_balloon(struct kunit *test)
{
	unsigned long bal0 = aeration_test_vm_event(AERATION_BALLOON_PAGES_HINTED);
	unsigned int nblock = 1U << FAKE_BALLOON_BLOCK_ORDER;
	unsigned int i, total = nblock + FAKE_BALLOON_SINGLES, listed = 0;
	unsigned int inflated;
	struct balloon_dev_info b;
	struct page *block, *page, *tmp;
	struct fake_hint *fh;

	balloon_devinfo_init(&b);
	block = alloc_pages(GFP_KERNEL, FAKE_BALLOON_BLOCK_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, block);
	split_page(block, FAKE_BALLOON_BLOCK_ORDER);
	/* Interleave: odd pages at the head, even ones at the tail. */
	for (i = 0; i < nblock; i++) {
		if (i & 1)
			list_add(&block[i].lru, &b.pages);
		else
			list_add_tail(&block[i].lru, &b.pages);
	}
	for (i = 0; i < FAKE_BALLOON_SINGLES; i++) {
		page = alloc_page(GFP_KERNEL);
		if (!page)
			break;
		list_add(&page->lru, &b.pages);
	}
	total = nblock + i;

	fh = fake_hint_new(test);
	fh->hdev.balloon = &b;
	fh->hdev.balloon_pages = total;
	/* As if the list were half of what is inflated: one pass takes it. */
	inflated = 2 * total;
	fh->hdev.balloon_now = &inflated;
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 5), 0);
	KUNIT_EXPECT_EQ(test, fh->balloon_pages, (unsigned long)total);
	KUNIT_EXPECT_EQ(test, fh->bad_balloon, 0U);
	KUNIT_EXPECT_EQ(test, fh->twice, 0U);
	/* The block is one range: at most one more range than singles. */
	KUNIT_EXPECT_LE(test, fh->balloon_ranges, total - nblock + 1);
	for (i = 0; i < nblock; i++)
		KUNIT_EXPECT_TRUE(test, test_bit(page_to_pfn(block + i), fh->seen));
	KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_BALLOON_PAGES_HINTED) - bal0,
			(unsigned long)total);
	list_for_each_entry(page, &b.pages, lru)
		KUNIT_EXPECT_FALSE(test, PageLocked(page));

	/* A later round of the same migration leaves the balloon alone. */
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 6), 0);
	KUNIT_EXPECT_EQ(test, fh->balloon_pages, 0UL);

	/* All of it inflated: a pass never locks more than half of it. */
	aeration_hint_done(&fh->hdev);
	inflated = total;
	fh->balloon = &b;
	bitmap_zero(fh->seen, fh->nbits);
	fh->balloon_pages = 0;
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 6), 0);
	KUNIT_EXPECT_EQ(test, fh->balloon_pages, (unsigned long)total);
	KUNIT_EXPECT_GT(test, fh->max_locked, 0U);
	KUNIT_EXPECT_LE(test, fh->max_locked, total / 2);
	fh->balloon = NULL;

	/* A page someone holds (a deflate in progress) is left alone. */
	aeration_hint_done(&fh->hdev);
	bitmap_zero(fh->seen, fh->nbits);
	fh->balloon_pages = 0;
	lock_page(block);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 7), 0);
	KUNIT_EXPECT_FALSE(test, test_bit(page_to_pfn(block), fh->seen));
	KUNIT_EXPECT_EQ(test, fh->balloon_pages, (unsigned long)total - 1);
	KUNIT_EXPECT_TRUE(test, PageLocked(block));
	unlock_page(block);
	KUNIT_EXPECT_EQ(test, fh->bad_balloon, 0U);

	/* Switched off: no balloon page is hinted. */
	aeration_hint_done(&fh->hdev);
	hint_balloon = 0;
	bitmap_zero(fh->seen, fh->nbits);
	fh->balloon_pages = 0;
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 6), 0);
	hint_balloon = 1;
	KUNIT_EXPECT_EQ(test, fh->balloon_pages, 0UL);

	list_for_each_entry_safe(page, tmp, &b.pages, lru) {
		list_del(&page->lru);
		__free_page(page);
		listed++;
	}
	KUNIT_EXPECT_EQ(test, listed, total);
	fake_hint_free(fh);
}

#define REMEMBER_BLOCKS	16

/* Of @nr blocks of pageblock order at @pfns, how many did the fake see? */
static unsigned int seen_blocks(struct fake_hint *fh, const unsigned long *pfns,
				unsigned int nr)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr; i++)
		n += pfns[i] < fh->nbits && test_bit(pfns[i], fh->seen);
	return n;
}

/* Drain every zone's per-cpu lists (waits for a drain under way). */
static void drain_zones(void)
{
	struct zone *zone;

	for_each_populated_zone(zone)
		drain_all_pages(zone);
}

/*
 * Take up to REMEMBER_BLOCKS blocks of pageblock order (not written: the
 * round only sees them leave and come back) and free them.
 */
static unsigned int take_and_free(unsigned long *pfns)
{
	struct page *page;
	unsigned int i, n;

	/*
	 * From the free lists (blocks a round hinted), not per-cpu lists;
	 * movable, the type most free blocks have, so that they are not
	 * stolen from another type's list.
	 */
	drain_zones();
	for (n = 0; n < REMEMBER_BLOCKS; n++) {
		page = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN,
				   pageblock_order);
		if (!page)
			break;
		pfns[n] = page_to_pfn(page);
	}
	for (i = 0; i < n; i++)
		__free_pages(pfn_to_page(pfns[i]), pageblock_order);
	/* Blocks of pageblock order may sit on the per-cpu lists. */
	drain_zones();
	return n;
}

/*
 * Rounds of one migration.  A hint is remembered only for a block free
 * and untouched since the round before began (so since before the host's
 * latest sync): the first round remembers nothing, the second all it
 * hints, a block taken and freed is hinted in the next two rounds and
 * then no more, and nothing else is hinted again (a few blocks of slack
 * for boot going on around the test).  After aeration_hint_done(), a
 * command id that does not grow, or with vm.aeration_hint_rehint, all of
 * it again.
 */
static void aeration_hint_test_remember(struct kunit *test)
{
	unsigned long free0 = global_zone_page_state(NR_FREE_PAGES);
	unsigned long pfns[REMEMBER_BLOCKS], *first;
	unsigned long again, first_pages;
	struct fake_hint *fh;
	unsigned int n;

	fh = fake_hint_new(test);
	first = vzalloc(BITS_TO_LONGS(fh->nbits) * sizeof(long));
	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 10), 0);
	expect_clean_round(test, fh, free0);
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 11), 0);
	KUNIT_EXPECT_EQ(test, fh->twice, 0U);
	expect_clean_round(test, fh, free0);
	first_pages = fh->free_pages;
	bitmap_copy(first, fh->seen, fh->nbits);

	n = take_and_free(pfns);
	KUNIT_ASSERT_GT(test, n, REMEMBER_BLOCKS / 2);
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 12), 0);
	KUNIT_EXPECT_EQ(test, fh->bad_free, 0U);
	KUNIT_EXPECT_EQ(test, fh->twice, 0U);
	KUNIT_EXPECT_GE_MSG(test, seen_blocks(fh, pfns, n) * 4, n * 3,
			    "%u of %u blocks taken and freed again were hinted again",
			    seen_blocks(fh, pfns, n), n);
	/*
	 * What the second round hinted and nobody took is not hinted again:
	 * a freed block may merge with a hinted buddy and is hinted whole
	 * then (twice what was taken), and boot frees and allocates tens of
	 * MiB meanwhile (seen: 49 blocks), so an eighth of it at most, where
	 * a round that remembers nothing hints it all.
	 */
	bitmap_and(first, first, fh->seen, fh->nbits);
	again = bitmap_weight(first, fh->nbits);
	KUNIT_EXPECT_LE_MSG(test, again * 8, first_pages,
			    "%lu of the second round's %lu pages hinted again",
			    again, first_pages);
	KUNIT_EXPECT_LT(test, fh->free_pages * 4, first_pages);
	/* Changed during the round before: hinted once more, then no more. */
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 13), 0);
	KUNIT_EXPECT_GE_MSG(test, seen_blocks(fh, pfns, n) * 4, n * 3,
			    "%u of %u blocks hinted in the round after the change",
			    seen_blocks(fh, pfns, n), n);
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 14), 0);
	KUNIT_EXPECT_LE_MSG(test, seen_blocks(fh, pfns, n) * 4, n,
			    "%u of %u blocks still hinted two rounds after the change",
			    seen_blocks(fh, pfns, n), n);
	KUNIT_EXPECT_LT(test, fh->free_pages * 4, first_pages);

	/*
	 * Batches the host did not apply (->wait failed) are hinted in the
	 * next round: fail the second round of a migration (the first that
	 * remembers), which lends the lowest free blocks.
	 */
	aeration_hint_done(&fh->hdev);
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 20), 0);
	fake_hint_again(fh);
	fh->wait_err = -EINTR;
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 21), -EINTR);
	fh->wait_err = 0;
	bitmap_copy(first, fh->seen, fh->nbits);
	again = bitmap_weight(first, fh->nbits);
	KUNIT_EXPECT_GT(test, again, 0UL);
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 22), 0);
	bitmap_and(first, first, fh->seen, fh->nbits);
	KUNIT_EXPECT_GE_MSG(test, bitmap_weight(first, fh->nbits) * 4, again * 3,
			    "%u of the %lu pages of unapplied batches hinted again",
			    bitmap_weight(first, fh->nbits), again);
	/* A command id that does not grow: a new migration. */
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 3), 0);
	expect_clean_round(test, fh, free0);

	/*
	 * vm.aeration_hint_rehint, after a round that remembered (the next
	 * one would skip nearly all): everything hinted again.
	 */
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 4), 0);
	hint_rehint = 1;
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 5), 0);
	hint_rehint = 0;
	expect_clean_round(test, fh, free0);

	/* DONE: the next migration starts from nothing. */
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 6), 0);
	KUNIT_EXPECT_LT(test, fh->free_pages * 4, first_pages);
	aeration_hint_done(&fh->hdev);
	KUNIT_EXPECT_FALSE(test, static_key_enabled(&aeration_hint_tracking));
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 7), 0);
	expect_clean_round(test, fh, free0);
	vfree(first);
	fake_hint_free(fh);
}

/*
 * A migration's first round holds reporting (page_reporting_hold()), its
 * later rounds keep it held, and the host's DONE releases it.
 */
static void aeration_hint_test_hold(struct kunit *test)
{
	struct fake_hint *fh;

	fh = fake_hint_new(test);
	KUNIT_EXPECT_FALSE_MSG(test, hint_holding, "held before any round");
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 2), 0);
	KUNIT_EXPECT_TRUE_MSG(test, hint_holding,
			      "the first round did not hold reporting");
	fake_hint_again(fh);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&fh->hdev, 2), 0);
	KUNIT_EXPECT_TRUE_MSG(test, hint_holding,
			      "a later round released reporting");
	aeration_hint_done(&fh->hdev);
	KUNIT_EXPECT_FALSE_MSG(test, hint_holding,
			       "DONE did not release reporting");
	fake_hint_free(fh);
}

static void aeration_hint_test_bad_dev(struct kunit *test)
{
	struct aeration_hint_dev hdev = { .capacity = 1 };

	KUNIT_EXPECT_EQ(test, aeration_hint_round(NULL, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&hdev, 2), -EINVAL);
	hdev.hint = fake_hint;
	hdev.capacity = 64;
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&hdev, 2), -EINVAL);
	hdev.wait = fake_wait;
	hdev.capacity = AERATION_HINT_DEPTH - 1;
	KUNIT_EXPECT_EQ(test, aeration_hint_round(&hdev, 2), -EINVAL);
}

static struct kunit_case aeration_hint_test_cases[] = {
	KUNIT_CASE(aeration_hint_test_bad_dev),
	KUNIT_CASE(aeration_hint_test_all),
	KUNIT_CASE(aeration_hint_test_stop),
	KUNIT_CASE(aeration_hint_test_order),
	KUNIT_CASE(aeration_hint_test_window),
	KUNIT_CASE(aeration_hint_test_balloon),
	KUNIT_CASE(aeration_hint_test_capacity),
	KUNIT_CASE(aeration_hint_test_remember),
	KUNIT_CASE(aeration_hint_test_hold),
	{}
};

static struct kunit_suite aeration_hint_test_suite = {
	.name = "aeration_hint",
	.test_cases = aeration_hint_test_cases,
};

kunit_test_suite(aeration_hint_test_suite);
