/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for aeration, included at the end of mm/page_reporting.c so that
 * they reach its statics.  They drive the real buddy allocator of the
 * running kernel with a fake reporting device, so they must run with no
 * other reporting device registered (boot without virtio-balloon, or
 * without free-page-reporting).
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/kasan.h>
#include <linux/kthread.h>

#include "page_reporting-kunit-util.h"

struct fake_dev {
	struct page_reporting_dev_info info;
	int err;			/* what report() returns */
	/*
	 * Fill every page reported with @fill (0: clear it) and say it
	 * reads zero (PAGE_REPORTING_ZEROED): a device that lies if @fill.
	 */
	bool zero;
	u8 fill;
	unsigned int calls;
	unsigned int max_nents;
	unsigned int bad;		/* pages that were not isolated */
	unsigned long pages;
	struct completion *gate;	/* report() waits on it if set */
	struct completion entered;
	/*
	 * A page of the test's: when a batch carries it as a block of
	 * @watch_order, its pageblocks are isolated (MIGRATE_ISOLATE)
	 * while the device holds it, so that it goes back to a list no
	 * allocation takes from, and the test finds it as the worker left
	 * it.
	 */
	struct page *watch;
	unsigned int watch_order;
	bool watch_seen;
	bool watch_free;		/* not seen, but still free after */
	int watch_err;
	/* Pages reported once aer.settles passed @settles0: a settle pass. */
	unsigned long settles0;
	unsigned long settle_pages;
	/*
	 * A page of the test's: the type of its pageblocks while the device
	 * holds it (blocks_mt()), -1 until a batch carries it.
	 */
	struct page *held;
	int held_mt;
};

/* The type of all pageblocks of @nr pages at @page; MIGRATE_TYPES: mixed. */
static int blocks_mt(struct page *page, unsigned long nr)
{
	int mt = get_pageblock_migratetype(page);
	unsigned long i;

	for (i = pageblock_nr_pages; i < nr; i += pageblock_nr_pages)
		if (get_pageblock_migratetype(page + i) != mt)
			return MIGRATE_TYPES;
	return mt;
}

/* Write isolated free pages as a host would: mapped, not instrumented. */
static void fake_fill(struct page *page, unsigned int nr, u8 fill)
{
	unsigned int n;

	debug_pagealloc_map_pages(page, nr);
	kasan_disable_current();
	for (n = 0; n < nr; n++) {
		void *addr = kmap_local_page(page + n);

		memset(addr, fill, PAGE_SIZE);
		kunmap_local(addr);
	}
	kasan_enable_current();
	debug_pagealloc_unmap_pages(page, nr);
}

static int fake_report(struct page_reporting_dev_info *info, struct scatterlist *sg,
		       unsigned int nents)
{
	struct fake_dev *fd = container_of(info, struct fake_dev, info);
	struct scatterlist *s;
	unsigned int i;

	fd->calls++;
	fd->max_nents = max(fd->max_nents, nents);
	for_each_sg(sg, s, nents, i) {
		struct page *page = sg_page(s);

		/* Isolated: off the free lists, not handed to anyone. */
		if (PageBuddy(page) || page_count(page) || PageReported(page) ||
		    PageZeroed(page) ||
		    s->length < (PAGE_SIZE << page_reporting_order))
			fd->bad++;
		if (fd->zero)
			fake_fill(page, s->length >> PAGE_SHIFT, fd->fill);
		fd->pages += s->length >> PAGE_SHIFT;
		if (READ_ONCE(aer.settles) > fd->settles0)
			fd->settle_pages += s->length >> PAGE_SHIFT;
		if (page == READ_ONCE(fd->held))
			fd->held_mt = blocks_mt(page, s->length >> PAGE_SHIFT);
		if (page == READ_ONCE(fd->watch) &&
		    s->length == PAGE_SIZE << fd->watch_order) {
			unsigned long pfn = page_to_pfn(page);
			unsigned long end = pfn + (1UL << fd->watch_order);

			fd->watch_seen = true;
			fd->watch_err = start_isolate_page_range(pfn, end,
								 MIGRATE_MOVABLE,
								 0, GFP_KERNEL);
		}
	}
	if (fd->gate) {
		complete(&fd->entered);
		wait_for_completion(fd->gate);
	}
	if (fd->zero && !fd->err)
		return PAGE_REPORTING_ZEROED;
	return fd->err;
}

static void fake_init(struct fake_dev *fd, unsigned int capacity)
{
	memset(fd, 0, sizeof(*fd));
	fd->info.report = fake_report;
	fd->info.capacity = capacity;
	fd->settles0 = ULONG_MAX;
	fd->held_mt = -1;
	init_completion(&fd->entered);
}

/* Saved tunables, restored by every test's exit. */
static int saved_order, saved_high, saved_delay, saved_batch, saved_settle;
static int saved_delay_max, saved_adaptive;
static bool saved_order_set;
static unsigned int saved_admin_order;
static bool skipped;		/* exit runs after a skip too: leave all be */

static int aeration_test_init(struct kunit *test)
{
	skipped = READ_ONCE(aer.dev);
	if (skipped) {
		kunit_skip(test, "a reporting device is registered");
		return 0;
	}
	saved_order = page_reporting_order;
	saved_order_set = aeration_order_set;
	saved_admin_order = aeration_admin_order;
	saved_high = aeration_high_wmark;
	saved_delay = aeration_delay_ms;
	saved_batch = aeration_batch;
	saved_settle = aeration_settle_ms;
	saved_delay_max = aeration_delay_max_ms;
	saved_adaptive = aeration_adaptive;
	/* No settle pass behind a test's back; aeration_test_settle() has one. */
	aeration_settle_ms = 0;
	/*
	 * Tests allocate what they had reported: no backing off behind
	 * their backs either; the adaptation tests turn it on.
	 */
	aeration_adaptive = 0;
	return 0;
}

static void aeration_test_exit(struct kunit *test)
{
	if (skipped)
		return;
	/*
	 * A test that stopped early may have left its fake device in, and a
	 * re-track of a device's order queued: neither outlives its test.
	 */
	flush_work(&aeration_retrack_work);
	if (READ_ONCE(aer.dev))
		page_reporting_unregister(aer.dev);
	WRITE_ONCE(aer.held, false);	/* aeration_test_report_now() */
	page_reporting_order = saved_order;
	aeration_order_set = saved_order_set;
	aeration_admin_order = saved_admin_order;
	aeration_high_wmark = saved_high;
	aeration_delay_ms = saved_delay;
	aeration_batch = saved_batch;
	aeration_settle_ms = saved_settle;
	aeration_delay_max_ms = saved_delay_max;
	aeration_adaptive = saved_adaptive;
}

/*
 * The invariants, checked by walking the lists under the lock: raw pages
 * ahead of aerated ones, the boundary at the first aerated page, and the
 * counts equal to what the lists hold.  Untracked lists hold no aerated
 * page.
 */
static void check_zone(struct kunit *test, struct zone *zone)
{
	unsigned long raw = 0, aerated = 0, nr_raw, nr_aerated;
	unsigned int o, order, flagged_untracked = 0, misplaced = 0;
	unsigned long gauge, gauge_ref;
	unsigned int bad_boundary = 0;
	struct page *page;
	int mt;

	spin_lock_irq(&zone->lock);
	order = zone->aeration.order;
	/* The hot path's mask says the same as the order. */
	KUNIT_EXPECT_EQ_MSG(test, zone->reporting_orders,
			    order ? (unsigned int)GENMASK(NR_PAGE_ORDERS - 1, order) : 0U,
			    "%s: tracked orders mask, order %u", zone->name, order);
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct list_head *first = NULL;
			bool seen_aerated = false;

			list_for_each_entry(page, free_list(zone, o, mt),
					    buddy_list) {
				bool a = PageReported(page);

				if (!order || o < order) {
					flagged_untracked += a;
					continue;
				}
				if (a) {
					if (!seen_aerated)
						first = &page->buddy_list;
					seen_aerated = true;
					aerated += 1UL << o;
				} else {
					misplaced += seen_aerated;
					if (!is_migrate_isolate(mt))
						raw += 1UL << o;
				}
			}
			if (order && o >= order &&
			    zone->aeration.boundary[o][mt] != first)
				bad_boundary++;
		}
	}
	nr_raw = zone->aeration.nr_raw;
	nr_aerated = zone->aeration.nr_aerated;
	/*
	 * The gauge: every change to it holds zone->lock, but a CPU folding
	 * its delta into the zone's total does not, and a snapshot taken
	 * meanwhile misses that delta.  Not for long: look again.
	 */
	gauge_ref = nr_aerated;
	for (o = 0; o < 100; o++) {
		gauge = zone_page_state_snapshot(zone, NR_FREE_REPORTED);
		if (gauge == gauge_ref)
			break;
		spin_unlock_irq(&zone->lock);
		usleep_range(100, 200);
		spin_lock_irq(&zone->lock);
		gauge_ref = zone->aeration.nr_aerated;
	}
	spin_unlock_irq(&zone->lock);
	/* Expectations may allocate: not under zone->lock. */
	KUNIT_EXPECT_EQ_MSG(test, gauge, gauge_ref,
			    "zone %s nr_free_reported", zone->name);
	if (order) {
		KUNIT_EXPECT_EQ_MSG(test, raw, nr_raw, "zone %s raw count",
				    zone->name);
		KUNIT_EXPECT_EQ_MSG(test, aerated, nr_aerated,
				    "zone %s aerated count", zone->name);
	}
	KUNIT_EXPECT_EQ_MSG(test, misplaced, 0, "raw page behind the boundary");
	KUNIT_EXPECT_EQ_MSG(test, bad_boundary, 0, "boundary not at the first aerated page");
	KUNIT_EXPECT_EQ_MSG(test, flagged_untracked, 0, "aerated page on an untracked list");
}

static void check_all_zones(struct kunit *test)
{
	struct zone *zone;

	for_each_populated_zone(zone)
		check_zone(test, zone);
}

/*
 * The worker queued, its kick armed (aeration_kick()), or the look that
 * may queue it armed (aeration_look()).
 */
static bool worker_queued(void)
{
	return work_pending(&aer.work) || timer_pending(&aer.kick) ||
	       timer_pending(&aer.look);
}

/*
 * Run the worker now if it is queued, its kick or the look armed (then as
 * a look run, whether or not the look would have queued it); and wait for
 * it.
 */
static void flush_worker(void)
{
	bool armed = timer_delete_sync(&aer.look);

	if (timer_delete_sync(&aer.kick) || armed)
		queue_work(system_freezable_wq, &aer.work);
	flush_work(&aer.work);
}

/* Run the worker now, until no zone asks for more (bounded). */
static void run_worker(void)
{
	int i;

	for (i = 0; i < 100; i++) {
		flush_worker();
		/* Not a queued settle pass: that one is for its test to see. */
		if (atomic_read(&aer.state) == AERATION_IDLE ||
		    atomic_read(&aer.state) == AERATION_SETTLE)
			break;
	}
}

static void aeration_test_register(struct kunit *test)
{
	struct fake_dev fd, other;
	struct page_reporting_dev_info none = { .capacity = 4 };
	struct zone *zone;

	aeration_delay_ms = 60000;	/* keep the worker out of this test */
	fake_init(&fd, 8);
	fake_init(&other, 8);
	KUNIT_EXPECT_EQ(test, page_reporting_register(&none), -EINVAL);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	KUNIT_EXPECT_EQ(test, page_reporting_register(&other.info), -EBUSY);
	KUNIT_EXPECT_TRUE(test, static_key_enabled(&page_reporting_enabled));
	for_each_populated_zone(zone)
		KUNIT_EXPECT_EQ(test, zone->aeration.order,
				(unsigned int)page_reporting_order);
	check_all_zones(test);
	page_reporting_unregister(&other.info);	/* not registered: no effect */
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(aer.dev), &fd.info);
	page_reporting_unregister(&fd.info);
	KUNIT_EXPECT_FALSE(test, static_key_enabled(&page_reporting_enabled));
	for_each_populated_zone(zone)
		KUNIT_EXPECT_EQ(test, zone->aeration.order, 0U);
	check_all_zones(test);
	KUNIT_EXPECT_EQ(test, fd.calls, 0U);
}

static void aeration_test_report_all(struct kunit *test)
{
	unsigned long rep0 = aeration_test_vm_event(AERATION_PAGES_REPORTED);
	unsigned long bat0 = aeration_test_vm_event(AERATION_BATCHES);
	struct fake_dev fd;
	struct zone *zone;

	aeration_high_wmark = 1;	/* report everything */
	aeration_delay_ms = 0;
	fake_init(&fd, 32);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	run_worker();
	check_all_zones(test);
	KUNIT_EXPECT_GT(test, fd.calls, 0U);
	KUNIT_EXPECT_EQ(test, fd.bad, 0U);
	KUNIT_EXPECT_LE(test, fd.max_nents, 32U);
	KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_PAGES_REPORTED) - rep0, fd.pages);
	KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_BATCHES) - bat0,
			(unsigned long)fd.calls);
	for_each_populated_zone(zone) {
		/* Zones with room above the low watermark end with no raw. */
		if (zone_page_state(zone, NR_FREE_PAGES) >
		    low_wmark_pages(zone) + 4 * MAX_ORDER_NR_PAGES)
			KUNIT_EXPECT_LE_MSG(test, zone->aeration.nr_raw,
					    1UL << zone->aeration.order,
					    "zone %s", zone->name);
	}
	page_reporting_unregister(&fd.info);
	check_all_zones(test);
}

/* Report everything with @batch and a device of @capacity; no call > @max. */
static void check_batch_limit(struct kunit *test, int batch,
			      unsigned int capacity, unsigned int max)
{
	struct fake_dev fd;

	aeration_batch = batch;
	fake_init(&fd, capacity);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	run_worker();
	page_reporting_unregister(&fd.info);
	KUNIT_EXPECT_GT(test, fd.calls, 0U);
	KUNIT_EXPECT_LE(test, fd.max_nents, max);
	KUNIT_EXPECT_EQ(test, fd.bad, 0U);
}

static void aeration_test_batch_limits(struct kunit *test)
{
	aeration_high_wmark = 1;
	aeration_delay_ms = 0;
	check_batch_limit(test, 3, 32, 3);	/* the sysctl limits */
	check_batch_limit(test, 32, 2, 2);	/* the device's capacity limits */
	check_all_zones(test);
}

static void aeration_test_device_failure(struct kunit *test)
{
	unsigned long rep0 = aeration_test_vm_event(AERATION_PAGES_REPORTED);
	unsigned long free0 = global_zone_page_state(NR_FREE_PAGES);
	struct fake_dev fd;
	struct zone *zone;

	aeration_high_wmark = 1;
	aeration_delay_ms = 0;
	fake_init(&fd, 32);
	fd.err = -EIO;
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	run_worker();
	/* The worker stops at the first failure and does not retry by itself. */
	KUNIT_EXPECT_EQ(test, fd.calls, 1U);
	KUNIT_EXPECT_FALSE(test, worker_queued());
	/* Failed batches count nothing and leave the pages raw, on the lists. */
	KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_PAGES_REPORTED), rep0);
	for_each_populated_zone(zone)
		KUNIT_EXPECT_EQ(test, zone->aeration.nr_aerated, 0UL);
	check_all_zones(test);
	page_reporting_unregister(&fd.info);
	/* Nothing lost: within noise of what other tasks allocate meanwhile. */
	KUNIT_EXPECT_LT(test, abs((long)global_zone_page_state(NR_FREE_PAGES) -
				  (long)free0), 4L * MAX_ORDER_NR_PAGES);
}

struct unreg_ctx {
	struct fake_dev *fd;
	struct completion done;
};

static int unregister_thread(void *data)
{
	struct unreg_ctx *c = data;

	page_reporting_unregister(&c->fd->info);
	complete(&c->done);
	return 0;
}

static void aeration_test_unregister_in_flight(struct kunit *test)
{
	unsigned long free0 = global_zone_page_state(NR_FREE_PAGES);
	DECLARE_COMPLETION_ONSTACK(gate);
	struct unreg_ctx ctx;
	struct task_struct *t;
	struct fake_dev fd;
	struct zone *zone;
	unsigned long held;

	aeration_high_wmark = 1;
	aeration_delay_ms = 0;
	fake_init(&fd, 32);
	fd.gate = &gate;
	init_completion(&ctx.done);
	ctx.fd = &fd;
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&fd.entered, 10 * HZ), 0UL);

	/* A batch is in the device: its pages are off the free lists. */
	held = fd.pages;
	KUNIT_EXPECT_GT(test, held, 0UL);
	t = kthread_run(unregister_thread, &ctx, "aeration-unreg");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	msleep(200);
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&ctx.done),
			       "unregister returned with a batch in flight");
	complete(&gate);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&ctx.done, 10 * HZ), 0UL);

	KUNIT_EXPECT_EQ(test, fd.calls, 1U);	/* never called again */
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(aer.dev), NULL);
	for_each_populated_zone(zone)
		KUNIT_EXPECT_EQ(test, zone->aeration.order, 0U);
	check_all_zones(test);
	KUNIT_EXPECT_LT(test, abs((long)global_zone_page_state(NR_FREE_PAGES) -
				  (long)free0), 4L * MAX_ORDER_NR_PAGES);
}

/* Free a range of a split_page()d allocation as one non-compound page. */
static void free_range(struct page *page, unsigned int order)
{
	unsigned int i;

	for (i = 1; i < (1U << order); i++)
		set_page_count(page + i, 0);
	__free_pages(page, order);
}

/*
 * This CPU's count of @item.  With interrupts off it moves only for what
 * this CPU does: exact where the system-wide count is not, as other CPUs
 * allocate and free meanwhile.
 */
static unsigned long cpu_event(enum vm_event_item item)
{
	return raw_cpu_read(vm_event_states.event[item]);
}

/*
 * Allocate a block of @order, movable (from the lists the worker reported),
 * without sleeping, and return how much of ALLOC_AERATED it counted: 0 or
 * 1 << @order.
 */
static struct page *alloc_counted(unsigned int order, gfp_t gfp,
				  unsigned long *aerated)
{
	unsigned long flags, aa;
	struct page *p;

	local_irq_save(flags);
	aa = cpu_event(AERATION_ALLOC_AERATED);
	p = alloc_pages(gfp | GFP_NOWAIT | __GFP_NOWARN, order);
	*aerated = cpu_event(AERATION_ALLOC_AERATED) - aa;
	local_irq_restore(flags);
	return p;
}

#define MERGE_TRIES	8

/*
 * A top-order block allocated from an aerated one.  Every free block was
 * reported, but other CPUs free raw ones meanwhile, and those come first:
 * hold on to them and try again.
 */
static struct page *alloc_aerated_top(struct kunit *test)
{
	unsigned int top = MAX_PAGE_ORDER, n = 0, i;
	struct page *held[MERGE_TRIES], *p = NULL;
	unsigned long aa;

	while (n < MERGE_TRIES) {
		p = alloc_counted(top, __GFP_MOVABLE, &aa);
		if (!p)
			break;
		KUNIT_EXPECT_TRUE_MSG(test, aa == 0 || aa == 1UL << top,
				      "alloc_aerated counted %lu pages", aa);
		if (aa)
			break;
		held[n++] = p;
		p = NULL;
	}
	for (i = 0; i < n; i++)
		__free_pages(held[i], top);
	return p;
}

/*
 * Free @p, one half of a split top-order block whose other half the test
 * holds, and have the worker report it.  The fake device isolates its
 * pageblock while it holds it: it goes back to the MIGRATE_ISOLATE list,
 * where no allocation takes it, and the test takes it off again.  Return
 * false if the worker never had it: a free page is anyone's to allocate,
 * and another task took it first (the caller starts over).  Else the test
 * owns @p again, and *@aerated says how the worker left it.
 */
static bool report_half(struct kunit *test, struct fake_dev *fd,
			struct page *p, unsigned int half, bool *aerated)
{
	struct zone *zone = page_zone(p);
	unsigned long pfn = page_to_pfn(p);
	bool back;

	fd->watch_seen = false;
	fd->watch_err = 0;
	fd->watch_order = half;
	fd->watch_free = false;
	WRITE_ONCE(fd->watch, p);
	free_range(p, half);
	drain_all_pages(zone);
	/*
	 * Freed, @p went to the head of the raw part, which allocations take
	 * first and the worker (coldest first) reaches last: while boot
	 * frees and allocates around the test it is gone before the worker
	 * gets to it.  Put it back at the tail: the coldest raw page.
	 */
	spin_lock_irq(&zone->lock);
	if (PageBuddy(p) && buddy_order(p) == half &&
	    __isolate_free_page(p, half))
		aeration_putback_range(p, half, AERATION_PUT_RAW);
	spin_unlock_irq(&zone->lock);
	run_worker();
	WRITE_ONCE(fd->watch, NULL);
	flush_worker();	/* no batch in flight past here */
	if (!fd->watch_seen) {
		/* For the message: still there, unreported, or taken? */
		spin_lock_irq(&zone->lock);
		fd->watch_free = PageBuddy(p) && buddy_order(p) == half;
		spin_unlock_irq(&zone->lock);
		return false;
	}
	KUNIT_EXPECT_EQ_MSG(test, fd->watch_err, 0, "isolating the reported half");

	spin_lock_irq(&zone->lock);
	back = PageBuddy(p) && buddy_order(p) == half &&
	       is_migrate_isolate(get_pageblock_migratetype(p));
	*aerated = back && PageReported(p);
	if (back)
		back = __isolate_free_page(p, half);
	spin_unlock_irq(&zone->lock);
	if (!fd->watch_err)
		undo_isolate_page_range(pfn, pfn + (1UL << half),
					MIGRATE_MOVABLE);
	KUNIT_ASSERT_TRUE_MSG(test, back, "reported half not back where it went");
	return true;
}

/*
 * Put @p and @b, both halves of a top-order block the test owns (off the
 * free lists), back as @p_aerated and @b_aerated.  Under one hold of the
 * zone lock: they merge, the test looks at the result and takes it off
 * again, and nobody else sees it.  Return the merged block's state (-1 if
 * it did not merge) and, in *@rereported, this CPU's REREPORTED count.
 */
static int merge_halves(struct page *p, struct page *b, unsigned int half,
			bool p_aerated, bool b_aerated,
			unsigned long *rereported)
{
	struct zone *zone = page_zone(p);
	unsigned long rr;
	int ret = -1;

	spin_lock_irq(&zone->lock);
	rr = cpu_event(AERATION_PAGES_REREPORTED);
	aeration_putback_page(p, half, get_pageblock_migratetype(p),
			      p_aerated ? AERATION_PUT_AERATED : AERATION_PUT_RAW);
	aeration_putback_page(b, half, get_pageblock_migratetype(b),
			      b_aerated ? AERATION_PUT_AERATED : AERATION_PUT_RAW);
	*rereported = cpu_event(AERATION_PAGES_REREPORTED) - rr;
	if (PageBuddy(p) && buddy_order(p) == half + 1) {
		ret = PageReported(p);
		if (!__isolate_free_page(p, half + 1))
			ret = -2;
	}
	spin_unlock_irq(&zone->lock);
	return ret;
}

/*
 * Splitting: an allocation of the lowest tracked order cut from an
 * aerated block (ALLOC_AERATED counted on this CPU) leaves pieces that
 * expand() put back on the free lists: the buddies of the allocation from
 * its order up, each free and of its order.  They must be aerated.  Such
 * a split is seen right after the allocation, with interrupts still off
 * on this CPU; an allocation that took a free block of its own order
 * leaves none (its buddy was not free), or whose block was raw, does not
 * count, and the test tries again, holding on to what it got so that the
 * allocator has to cut a larger block.
 */
static void check_split(struct kunit *test, unsigned int order)
{
	unsigned int n = 0, i, o, pieces = 0, raw = 0;
	struct page *held[MERGE_TRIES];
	unsigned long flags, aa, pfn;
	struct zone *zone;
	struct page *q;

	while (!pieces && n < MERGE_TRIES) {
		local_irq_save(flags);
		aa = cpu_event(AERATION_ALLOC_AERATED);
		q = alloc_pages(GFP_NOWAIT | __GFP_NOWARN, order);
		aa = cpu_event(AERATION_ALLOC_AERATED) - aa;
		if (q) {
			zone = page_zone(q);
			pfn = page_to_pfn(q);
			spin_lock(&zone->lock);
			for (o = order; aa && o < MAX_PAGE_ORDER; o++) {
				unsigned long bp = (pfn & ~((1UL << o) - 1)) ^
						   (1UL << o);
				struct page *piece = pfn_to_online_page(bp);

				if (!piece || page_zone(piece) != zone ||
				    !PageBuddy(piece) || buddy_order(piece) != o)
					break;
				pieces++;
				raw += !PageReported(piece);
			}
			spin_unlock(&zone->lock);
		}
		local_irq_restore(flags);
		if (!q)
			break;
		held[n++] = q;
	}
	for (i = 0; i < n; i++)
		__free_pages(held[i], order);
	KUNIT_EXPECT_GT_MSG(test, pieces, 0U,
			    "no split of an aerated block in %u allocations", n);
	KUNIT_EXPECT_EQ_MSG(test, raw, 0U, "split left %u of %u pieces raw",
			    raw, pieces);
}

static void aeration_test_merge_split(struct kunit *test)
{
	unsigned int top = MAX_PAGE_ORDER, half = MAX_PAGE_ORDER - 1;
	unsigned long rr;
	struct page *p, *b;
	unsigned int i, tries, unreported = 0, ndecoy = 0;
	struct page *decoy[2 * MERGE_TRIES], *d;
	struct zone *zone;
	struct fake_dev fd;
	bool aerated;
	int merged;

	aeration_high_wmark = 1;
	aeration_delay_ms = 0;
	page_reporting_order = half - 1;	/* the splitting case below needs it */
	fake_init(&fd, 32);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	run_worker();

	/*
	 * Everything is aerated: a top-order allocation comes from it.  One
	 * half freed and reported: aerated, its buddy still in use.
	 */
	for (tries = 0; tries < MERGE_TRIES; tries++) {
		/*
		 * Two lone blocks of @half's order (their buddies held) ahead
		 * of @p on its list: at boot @p is often the only one, and
		 * the first allocation that splits a block takes it before
		 * the worker gets to it (seen: 8 tries in a row).
		 */
		for (i = 0; i < 2; i++) {
			d = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, top);
			if (!d)
				break;
			split_page(d, top);
			free_range(d, half);
			decoy[ndecoy++] = d + (1 << half);
		}
		p = alloc_aerated_top(test);
		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "no aerated top-order block");
		split_page(p, top);
		b = p + (1 << half);
		if (report_half(test, &fd, p, half, &aerated))
			break;
		unreported += fd.watch_free;
		/* @p went to someone else: let go of @b too, start over. */
		free_range(b, half);
	}
	for (i = 0; i < ndecoy; i++)
		free_range(decoy[i], half);
	KUNIT_ASSERT_LT_MSG(test, tries, MERGE_TRIES,
			    "the worker never reported the freed half (%u of %u times it was still free)",
			    unreported, tries);
	KUNIT_EXPECT_TRUE_MSG(test, aerated, "reported half not aerated");
	zone = page_zone(p);

	/* The other half comes back from the device: aerated + aerated. */
	for (i = 0; i < (1U << half); i++)	/* as __isolate_free_page() leaves it */
		set_page_count(b + i, 0);
	merged = merge_halves(p, b, half, true, true, &rr);
	KUNIT_EXPECT_EQ_MSG(test, merged, 1, "aerated + aerated");
	KUNIT_EXPECT_EQ(test, rr, 0UL);
	check_zone(test, zone);

	/* Aerated + raw gives raw, and the aerated half is counted. */
	if (merged >= 0) {
		merged = merge_halves(p, b, half, true, false, &rr);
		KUNIT_EXPECT_EQ_MSG(test, merged, 0, "aerated + raw");
		KUNIT_EXPECT_EQ(test, rr, 1UL << half);
		check_zone(test, zone);
	}
	if (merged >= 0) {
		spin_lock_irq(&zone->lock);
		aeration_putback_page(p, top, get_pageblock_migratetype(p),
				      AERATION_PUT_RAW);
		spin_unlock_irq(&zone->lock);
	}

	/* Splitting, with every tracked page aerated again. */
	run_worker();
	check_split(test, half - 1);
	check_all_zones(test);
	page_reporting_unregister(&fd.info);
	check_all_zones(test);
}

/*
 * Report everything to @fd, then take a top-order movable block off the
 * free lists as the worker would.  Return it with its zone's lock held and
 * its pages' counts at zero, for aeration_putback_page(); skip the test
 * when no other block of its list is still aerated.
 */
static struct page *take_top_block(struct kunit *test, struct fake_dev *fd,
				   struct zone **zonep, int *mtp)
	__acquires(&(*zonep)->lock)
{
	unsigned int top = MAX_PAGE_ORDER, i;
	struct zone *zone;
	struct page *p;

	aeration_high_wmark = 1;
	aeration_delay_ms = 0;
	fake_init(fd, 32);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd->info), 0);
	run_worker();
	aeration_delay_ms = 60000;	/* keep the worker off our page */
	/* Movable: from the movable lists, no pageblock stolen. */
	p = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, top);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zone = page_zone(p);
	*mtp = get_pageblock_migratetype(p);
	spin_lock_irq(&zone->lock);
	if (!zone->aeration.boundary[top][*mtp]) {
		spin_unlock_irq(&zone->lock);
		__free_pages(p, top);
		page_reporting_unregister(&fd->info);
		kunit_skip(test, "no aerated block left on the list");
	}
	for (i = 0; i < (1U << top); i++)
		set_page_count(p + i, 0);
	*zonep = zone;
	return p;
}

/*
 * A raw page freed "to the tail" (FPI_TO_TAIL: memory onlining, isolation
 * undo, the worker's failure path) lands ahead of the aerated pages, where
 * the worker finds it next: never hidden on the aerated side.
 */
static void aeration_test_tail_free(struct kunit *test)
{
	struct page *p, *next;
	struct fake_dev fd;
	struct zone *zone;
	bool reported;
	int mt;

	p = take_top_block(test, &fd, &zone, &mt);
	aeration_putback_page(p, MAX_PAGE_ORDER, mt, AERATION_PUT_RAW);
	next = last_raw(zone, MAX_PAGE_ORDER, mt);
	reported = PageReported(p);
	spin_unlock_irq(&zone->lock);
	/* (no KUNIT_EXPECT under the lock: a failure report may sleep) */
	KUNIT_EXPECT_PTR_EQ(test, next, p);
	KUNIT_EXPECT_FALSE(test, reported);
	check_zone(test, zone);
	page_reporting_unregister(&fd.info);
}

/*
 * A block going back aerated (just reported) goes in at the boundary, ahead
 * of the blocks reported before it: after the raw pages the allocator takes
 * the most recently reported memory, which a lazily freeing host still
 * holds, not the memory reported longest ago.
 */
static void aeration_test_newest_first(struct kunit *test)
{
	struct list_head *bound, *old, *next;
	struct fake_dev fd;
	struct zone *zone;
	struct page *p;
	bool reported;
	int mt;

	p = take_top_block(test, &fd, &zone, &mt);
	old = zone->aeration.boundary[MAX_PAGE_ORDER][mt];
	aeration_putback_page(p, MAX_PAGE_ORDER, mt, AERATION_PUT_AERATED);
	bound = zone->aeration.boundary[MAX_PAGE_ORDER][mt];
	next = p->buddy_list.next;
	reported = PageReported(p);
	spin_unlock_irq(&zone->lock);
	KUNIT_EXPECT_TRUE(test, reported);
	KUNIT_EXPECT_PTR_EQ(test, bound, &p->buddy_list);
	/* The block reported before it comes next. */
	KUNIT_EXPECT_PTR_EQ(test, next, old);
	check_zone(test, zone);
	page_reporting_unregister(&fd.info);
}

/* Is @p on @zone's free list of @order and @mt?  zone->lock held. */
static bool on_free_list(struct zone *zone, struct page *p, unsigned int order,
			 int mt)
{
	struct page *q;

	list_for_each_entry(q, free_list(zone, order, mt), buddy_list)
		if (q == p)
			return true;
	return false;
}

/*
 * A report is no allocation: the worker takes a block off the lists without
 * changing its pageblocks' type, as __isolate_free_page() does for
 * compaction (UNMOVABLE or RECLAIMABLE to MOVABLE), and it goes back to the
 * list of that type.  The type is read while the device holds the block,
 * where that change would show: no allocation can race with it there.
 */
static void aeration_test_report_keeps_type(struct kunit *test)
{
	unsigned int top = MAX_PAGE_ORDER;
	bool listed = false, aerated = false;
	struct fake_dev fd;
	struct zone *zone;
	struct page *p;
	unsigned long i;
	int mt;

	p = take_top_block(test, &fd, &zone, &mt);
	if (mt != MIGRATE_MOVABLE) {	/* CMA: not ours to retype */
		aeration_putback_page(p, top, mt, AERATION_PUT_RAW);
		spin_unlock_irq(&zone->lock);
		page_reporting_unregister(&fd.info);
		kunit_skip(test, "no movable top-order block");
	}
	/* Its pageblocks unmovable, as if the kernel had stolen them. */
	for (i = 0; i < (1UL << top); i += pageblock_nr_pages)
		set_pageblock_migratetype(p + i, MIGRATE_UNMOVABLE);
	WRITE_ONCE(fd.held, p);
	aeration_putback_page(p, top, MIGRATE_UNMOVABLE, AERATION_PUT_RAW);
	spin_unlock_irq(&zone->lock);
	run_worker();
	WRITE_ONCE(fd.held, NULL);

	spin_lock_irq(&zone->lock);
	/* Free and aerated: not allocated since its report. */
	if (PageBuddy(p) && buddy_order(p) == top && PageReported(p)) {
		aerated = true;
		listed = on_free_list(zone, p, top, MIGRATE_UNMOVABLE);
	}
	/* Movable again, if it is still free and unmovable. */
	if (PageBuddy(p) && buddy_order(p) == top &&
	    blocks_mt(p, 1UL << top) == MIGRATE_UNMOVABLE &&
	    aeration_isolate_page(p, top)) {
		for (i = 0; i < (1UL << top); i += pageblock_nr_pages)
			set_pageblock_migratetype(p + i, mt);
		aeration_putback_page(p, top, mt, aerated ?
				      AERATION_PUT_AERATED : AERATION_PUT_RAW);
	}
	spin_unlock_irq(&zone->lock);
	check_zone(test, zone);
	page_reporting_unregister(&fd.info);
	if (fd.held_mt < 0)
		kunit_skip(test, "the block was allocated before its report");
	KUNIT_EXPECT_EQ_MSG(test, fd.held_mt, MIGRATE_UNMOVABLE,
			    "the report changed its pageblocks' type");
	if (aerated)
		KUNIT_EXPECT_TRUE_MSG(test, listed,
				      "not back on the unmovable list");
}

/*
 * The first aerated top-order block of a movable list, and its zone; NULL
 * if none.  It may be taken once the zone lock is dropped.
 */
static struct page *aerated_top_block(struct zone **zonep)
{
	struct page *p = NULL;
	struct list_head *b;
	struct zone *z;

	for_each_populated_zone(z) {
		spin_lock_irq(&z->lock);
		b = z->aeration.boundary[MAX_PAGE_ORDER][MIGRATE_MOVABLE];
		if (b) {
			p = list_entry(b, struct page, buddy_list);
			*zonep = z;
		}
		spin_unlock_irq(&z->lock);
		if (p)
			break;
	}
	return p;
}

/*
 * Pageblock isolation (memory offlining, CMA, alloc_contig_range) moves
 * free pages to the MIGRATE_ISOLATE list and back: an aerated block stays
 * aerated and counted, and is not offered for reporting while isolated.
 * The raw count must not move with it; the rest of the system (the
 * initramfs being unpacked, at boot) may free raw blocks meanwhile, so
 * up to three tries: an aerated block that counted as raw would move
 * the count by its size every time.
 */
static void aeration_test_pageblock_isolation(struct kunit *test)
{
	unsigned int top = MAX_PAGE_ORDER;
	unsigned long pfn, raw_iso = 0, raw_back = 0, raw_before = 0;
	struct fake_dev fd;
	struct zone *zone = NULL;
	bool iso_aerated, back_aerated;
	struct page *p = NULL;
	int try, err;

	aeration_high_wmark = 1;
	aeration_delay_ms = 0;
	fake_init(&fd, 32);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	run_worker();
	aeration_delay_ms = 60000;

	p = aerated_top_block(&zone);
	if (!p) {
		page_reporting_unregister(&fd.info);
		kunit_skip(test, "no aerated movable block");
	}
	pfn = page_to_pfn(p);
	for (try = 0; try < 3; try++) {
		/*
		 * Put back from isolation, the block went in at the boundary,
		 * the next the allocator takes: pick the first aerated one
		 * again.
		 */
		if (try) {
			p = aerated_top_block(&zone);
			if (!p)
				break;
			pfn = page_to_pfn(p);
		}
		raw_before = READ_ONCE(zone->aeration.nr_raw);
		err = start_isolate_page_range(pfn, pfn + (1UL << top),
					       MIGRATE_MOVABLE, 0, GFP_KERNEL);
		KUNIT_ASSERT_EQ(test, err, 0);
		spin_lock_irq(&zone->lock);
		iso_aerated = PageBuddy(p) && PageReported(p) &&
			      get_pageblock_migratetype(p) == MIGRATE_ISOLATE;
		raw_iso = zone->aeration.nr_raw;
		spin_unlock_irq(&zone->lock);
		check_zone(test, zone);

		undo_isolate_page_range(pfn, pfn + (1UL << top),
					MIGRATE_MOVABLE);
		spin_lock_irq(&zone->lock);
		back_aerated = PageBuddy(p) && PageReported(p);
		raw_back = zone->aeration.nr_raw;
		spin_unlock_irq(&zone->lock);
		check_zone(test, zone);

		KUNIT_EXPECT_TRUE_MSG(test, iso_aerated,
				      "aerated block not kept on the isolate list");
		KUNIT_EXPECT_TRUE_MSG(test, back_aerated,
				      "aerated block lost its state");
		if (!iso_aerated || !back_aerated)
			break;
		if (raw_iso == raw_before && raw_back == raw_iso)
			break;
	}
	/* An aerated block moving around does not count as raw anywhere. */
	KUNIT_EXPECT_EQ(test, raw_before, raw_iso);
	KUNIT_EXPECT_EQ(test, raw_iso, raw_back);
	page_reporting_unregister(&fd.info);
}

/* Register @fd at pageblock_order and report everything free. */
static void register_all_reported(struct kunit *test, struct fake_dev *fd)
{
	aeration_high_wmark = 1;
	aeration_delay_ms = 0;
	page_reporting_order = pageblock_order;
	fake_init(fd, 32);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd->info), 0);
	run_worker();
}

#ifdef CONFIG_MEMORY_FAILURE
/*
 * A page of an aerated top-order block taken off for poison
 * (take_page_off_buddy(), as memory_failure() and soft offline do for a
 * free page): the pieces at tracked orders stay aerated, counts exact,
 * and again once the page is given back (put_page_back_buddy(), as
 * unpoison does).
 */
static void aeration_test_poison_split(struct kunit *test)
{
	unsigned int top = MAX_PAGE_ORDER;
	struct page *p = NULL, *half = NULL, *target;
	struct zone *zone = NULL;
	bool taken, whole, half_aerated, back = false;
	struct fake_dev fd;

	register_all_reported(test, &fd);
	aeration_delay_ms = 60000;
	p = aerated_top_block(&zone);
	if (!p) {
		page_reporting_unregister(&fd.info);
		kunit_skip(test, "no aerated movable block");
	}
	if (top - 1 < page_reporting_order) {
		page_reporting_unregister(&fd.info);
		kunit_skip(test, "half a top-order block is not tracked");
	}
	/* The page is in the lower half: the upper one is a whole piece. */
	target = p + 5;
	half = p + (1UL << (top - 1));
	taken = take_page_off_buddy(target);
	spin_lock_irq(&zone->lock);
	/*
	 * Someone may have taken the block since we looked: then the half
	 * is not a free page of order top - 1, and nothing is to be said.
	 */
	whole = PageBuddy(half) && buddy_order(half) == top - 1;
	half_aerated = whole && PageReported(half);
	spin_unlock_irq(&zone->lock);
	check_zone(test, zone);
	if (taken) {
		/* As memory_failure() leaves it: poisoned, one reference. */
		SetPageHWPoison(target);
		page_ref_inc(target);
		back = put_page_back_buddy(target);
		check_zone(test, zone);
	}
	if (!taken || !whole) {
		page_reporting_unregister(&fd.info);
		kunit_skip(test, "the block was taken meanwhile");
	}
	page_reporting_unregister(&fd.info);
	KUNIT_EXPECT_TRUE_MSG(test, taken, "free page not taken off");
	KUNIT_EXPECT_TRUE_MSG(test, back, "page not given back");
	KUNIT_EXPECT_TRUE_MSG(test, half_aerated,
			      "the aerated block's other half came back raw");
}
#endif

static void aeration_test_high_wmark_trigger(struct kunit *test)
{
	struct page *blk[3];
	struct fake_dev fd;
	struct zone *zone;
	unsigned int order = pageblock_order, i;
	unsigned long raw;

	register_all_reported(test, &fd);
	for (i = 0; i < ARRAY_SIZE(blk); i++) {
		blk[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER);
		KUNIT_ASSERT_NOT_NULL(test, blk[i]);
	}
	zone = page_zone(blk[0]);
	for (i = 1; i < ARRAY_SIZE(blk); i++) {
		if (page_zone(blk[i]) != zone) {
			for (i = 0; i < ARRAY_SIZE(blk); i++)
				__free_pages(blk[i], MAX_PAGE_ORDER);
			kunit_skip(test, "blocks from different zones");
		}
	}

	/*
	 * Nothing queued to begin with: under a mark no zone reaches, a last
	 * pass reports whatever the rest of the system freed since
	 * registration (above the mark of one block), and nothing requeues it.
	 */
	aeration_delay_ms = 60000;	/* so that we see the work queued */
	WRITE_ONCE(aeration_high_wmark, INT_MAX >> MAX_PAGE_ORDER);
	run_worker();
	if (worker_queued()) {
		for (i = 0; i < ARRAY_SIZE(blk); i++)
			__free_pages(blk[i], MAX_PAGE_ORDER);
		page_reporting_unregister(&fd.info);
		kunit_skip(test, "the worker does not go idle");
	}

	/* Mark: room for one more top-order block of raw pages, not two. */
	raw = READ_ONCE(zone->aeration.nr_raw);
	WRITE_ONCE(aeration_high_wmark,
		   ((raw + MAX_ORDER_NR_PAGES) >> order) + 1);
	__free_pages(blk[0], MAX_PAGE_ORDER);
	KUNIT_EXPECT_FALSE_MSG(test, worker_queued(),
			       "worker queued below the high mark (raw %lu)",
			       zone->aeration.nr_raw);
	__free_pages(blk[1], MAX_PAGE_ORDER);
	KUNIT_EXPECT_TRUE_MSG(test, worker_queued(),
			      "worker not queued above the high mark (raw %lu)",
			      zone->aeration.nr_raw);
	__free_pages(blk[2], MAX_PAGE_ORDER);
	check_zone(test, zone);
	page_reporting_unregister(&fd.info);
}

/*
 * Three top-order blocks freed just above a high mark (vm.aeration_order at
 * pageblock_order) and reported one block a batch: the requested pass stops
 * at half the mark with one top-order block still raw.
 */
static void free_blocks_leave_raw(struct kunit *test, struct zone **zonep)
{
	struct page *blk[3];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(blk); i++) {
		blk[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER);
		if (!blk[i]) {
			while (i--)
				__free_pages(blk[i], MAX_PAGE_ORDER);
			KUNIT_FAIL_AND_ABORT(test, "no top-order block");
		}
	}
	*zonep = page_zone(blk[0]);
	aeration_batch = 1;
	aeration_high_wmark = (3 << (MAX_PAGE_ORDER - pageblock_order)) - 1;
	aeration_delay_ms = 0;
	for (i = 0; i < ARRAY_SIZE(blk); i++)
		__free_pages(blk[i], MAX_PAGE_ORDER);
	run_worker();
}

/*
 * Once the requested pass is done, no other may be requested: other CPUs
 * free memory meanwhile, and a request would run a pass (and queue a
 * settle pass) of its own.  No zone reaches the largest mark; a pass
 * queued before it is raised finds nothing to do, and is flushed here.
 * What is reported from then on, only a settle pass reports.
 */
static void no_more_requests(void)
{
	WRITE_ONCE(aeration_high_wmark, wmark_max);
}

/* The zone's raw count, under its lock. */
static unsigned long zone_raw(struct zone *zone)
{
	unsigned long raw;

	spin_lock_irq(&zone->lock);
	raw = zone->aeration.nr_raw;
	spin_unlock_irq(&zone->lock);
	return raw;
}

#define SETTLE_TRIES	5

static void aeration_test_settle(struct kunit *test)
{
	unsigned long left = 0, settles;
	unsigned int calls, tries;
	struct fake_dev fd;
	struct zone *zone;
	int i;

	register_all_reported(test, &fd);

	/*
	 * No settle pass: the raw rest below the mark stays, nothing queued.
	 * The rest is free memory, which other tasks may allocate before we
	 * look: then there is nothing to watch, and we start over.
	 */
	settles = aer.settles;
	for (tries = 0; !left && tries < SETTLE_TRIES; tries++) {
		free_blocks_leave_raw(test, &zone);
		no_more_requests();
		flush_worker();
		left = zone_raw(zone);
	}
	KUNIT_ASSERT_GT_MSG(test, left, 0UL, "zone %s: nothing left raw, %u tries",
			    zone->name, tries);
	calls = fd.calls;
	msleep(100);
	flush_worker();
	KUNIT_EXPECT_EQ_MSG(test, fd.calls, calls, "reported with no request");
	KUNIT_EXPECT_FALSE(test, worker_queued());
	KUNIT_EXPECT_EQ(test, aer.settles, settles);

	/*
	 * With one, queued by the requested pass: it reports the rest
	 * without a request, and is not queued again.
	 */
	aeration_settle_ms = 20;
	left = 0;
	for (tries = 0; !left && tries < SETTLE_TRIES; tries++) {
		settles = aer.settles;
		WRITE_ONCE(fd.settles0, settles);
		fd.settle_pages = 0;
		free_blocks_leave_raw(test, &zone);
		no_more_requests();
		/* Queued, or turned by a request into a pass that queues it. */
		KUNIT_EXPECT_NE_MSG(test, atomic_read(&aer.state), AERATION_IDLE,
				    "no settle pass queued");
		left = zone_raw(zone);
		for (i = 0; i < 50 && aer.settles == settles; i++)
			msleep(20);
		KUNIT_ASSERT_EQ_MSG(test, aer.settles, settles + 1,
				    "no settle pass within a second");
		flush_worker();
	}
	KUNIT_ASSERT_GT_MSG(test, left, 0UL, "zone %s: nothing left raw, %u tries",
			    zone->name, tries);
	KUNIT_EXPECT_GT_MSG(test, fd.settle_pages, 0UL,
			    "settle pass reported nothing of %lu raw pages", left);
	KUNIT_EXPECT_EQ(test, fd.bad, 0U);
	KUNIT_EXPECT_FALSE(test, worker_queued());
	KUNIT_EXPECT_EQ(test, aer.settles, settles + 1);
	check_zone(test, zone);
	page_reporting_unregister(&fd.info);
}

#define ADAPT_BLOCKS	8

/*
 * @n top-order blocks into @blk, all of one zone (@zone, if not NULL):
 * that zone, or NULL (all given back).
 */
static struct zone *alloc_top_n(struct page **blk, unsigned int n,
				struct zone *zone)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		blk[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER);
		if (!blk[i] || (zone && page_zone(blk[i]) != zone)) {
			if (blk[i])
				__free_pages(blk[i], MAX_PAGE_ORDER);
			while (i--)
				__free_pages(blk[i], MAX_PAGE_ORDER);
			return NULL;
		}
		zone = page_zone(blk[i]);
	}
	return zone;
}

/* ADAPT_BLOCKS top-order blocks of one zone, or NULL. */
static struct zone *alloc_top_blocks(struct page **blk)
{
	return alloc_top_n(blk, ADAPT_BLOCKS, NULL);
}

static void free_top_blocks(struct page **blk)
{
	unsigned int i;

	for (i = 0; i < ADAPT_BLOCKS; i++)
		__free_pages(blk[i], MAX_PAGE_ORDER);
}

/*
 * Blocks reported, allocated again (in two steps, a pass between: growth)
 * and freed, then allocated again at once and freed: with adaptation the
 * zone backs off the second time (churn) and its pass leaves them raw
 * (its budget is what
 * stayed raw since the last pass, next to nothing); once nothing more is
 * taken the worker comes back by itself, the zone stops backing off and
 * reports them.  Without adaptation (@adaptive false, the control) the
 * same pass reports them.
 */
static void check_adapt(struct kunit *test, bool adaptive)
{
	unsigned long backoffs, ends, pages, reused, blocks;
	struct page *blk[ADAPT_BLOCKS];
	struct zone *zone, *half;
	struct fake_dev fd;
	int i, round;

	register_all_reported(test, &fd);
	blocks = ADAPT_BLOCKS * MAX_ORDER_NR_PAGES;
	/* Short intervals: the quiet pass below comes within a second. */
	aeration_delay_max_ms = 1000;
	/* Reported once: the zone's last report is about these blocks. */
	zone = alloc_top_blocks(blk);
	if (!zone) {
		page_reporting_unregister(&fd.info);
		kunit_skip(test, "no %d top-order blocks in one zone",
			   ADAPT_BLOCKS);
	}
	pages = fd.pages;
	free_top_blocks(blk);
	flush_worker();
	/* (A later pass for the rest of the system may own reported_last.) */
	KUNIT_ASSERT_GE(test, fd.pages - pages, blocks / 2);
	/* From here on: what the zone reported last is those blocks. */
	aeration_adaptive = adaptive;

	/*
	 * Memory the host just dropped, allocated again: reuse.  Then freed
	 * again: a request, whose pass runs now.  The first time is growth:
	 * half the blocks taken, a pass that sees that reuse and reports
	 * next to nothing, the other half taken (reuse again, but nothing
	 * went back between).  Not churn: the blocks are reported.  The
	 * second time they came back after being reported: churn.
	 */
	aeration_delay_ms = 100;
	for (round = 0; round < 2; round++) {
		reused = zone->aeration.nr_reused;
		if (!round) {
			half = alloc_top_n(blk, ADAPT_BLOCKS / 2, zone);
			KUNIT_ASSERT_PTR_EQ(test, half, zone);
			aeration_request();
			flush_worker();
			half = alloc_top_n(blk + ADAPT_BLOCKS / 2,
					   ADAPT_BLOCKS / 2, zone);
			KUNIT_ASSERT_PTR_EQ(test, half, zone);
		} else {
			KUNIT_ASSERT_PTR_EQ(test, alloc_top_blocks(blk), zone);
		}
		KUNIT_EXPECT_GE_MSG(test, zone->aeration.nr_reused - reused,
				    blocks / 2, "reuse not counted");
		backoffs = aeration_test_vm_event(AERATION_BACKOFFS);
		pages = fd.pages;
		free_top_blocks(blk);
		flush_worker();
		if (round && adaptive)
			break;
		KUNIT_EXPECT_EQ_MSG(test, zone->aeration.interval_ms, 0U,
				    "round %d: backed off", round);
		KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_BACKOFFS),
				backoffs);
		KUNIT_EXPECT_GE_MSG(test, fd.pages - pages, blocks / 2,
				    "round %d: the blocks were not reported",
				    round);
	}
	if (!adaptive)
		goto out;
	KUNIT_EXPECT_GE_MSG(test, zone->aeration.interval_ms, 200U,
			    "did not back off");
	KUNIT_EXPECT_GT(test, aeration_test_vm_event(AERATION_BACKOFFS),
			backoffs);
	KUNIT_EXPECT_LT_MSG(test, fd.pages - pages, blocks / 2,
			    "backed off but reported the blocks");

	/*
	 * Quiet: the worker comes back at the end of the interval.  What
	 * the rest of the system takes meanwhile must stay under half the
	 * mark: raise it (the pass then reports down to half of it).
	 */
	ends = aeration_test_vm_event(AERATION_BACKOFF_ENDS);
	WRITE_ONCE(aeration_high_wmark, 64);
	for (i = 0; i < 250 && READ_ONCE(zone->aeration.interval_ms); i++)
		msleep(20);
	KUNIT_EXPECT_EQ_MSG(test, zone->aeration.interval_ms, 0U,
			    "still backing off after 5 s of quiet");
	KUNIT_EXPECT_GT(test, aeration_test_vm_event(AERATION_BACKOFF_ENDS),
			ends);
	/* Not backing off: a request reports them all again. */
	WRITE_ONCE(aeration_high_wmark, 1);
	pages = fd.pages;
	aeration_request();
	flush_worker();
	KUNIT_EXPECT_GE_MSG(test, fd.pages - pages, blocks / 2,
			    "quiet, but the blocks were not reported");
out:
	check_zone(test, zone);
	KUNIT_EXPECT_EQ(test, fd.bad, 0U);
	page_reporting_unregister(&fd.info);
}

static void aeration_test_adapt(struct kunit *test)
{
	check_adapt(test, true);
}

static void aeration_test_adapt_off(struct kunit *test)
{
	check_adapt(test, false);
}

/*
 * Register @fd, adaptation on, vm.aeration_delay_ms @delay_ms: the first
 * tracked zone, busy from a block on (high / 2 * window / interval is
 * less than one).
 */
static struct zone *register_adaptive(struct kunit *test, struct fake_dev *fd,
				      int delay_ms)
{
	struct zone *zone;

	aeration_delay_ms = 60000;
	fake_init(fd, 64);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd->info), 0);
	for_each_populated_zone(zone) {
		if (READ_ONCE(zone->aeration.order))
			break;
	}
	KUNIT_ASSERT_NOT_NULL(test, zone);
	aeration_adaptive = 1;
	aeration_delay_max_ms = 60000;
	aeration_high_wmark = 32;
	aeration_delay_ms = delay_ms;
	return zone;
}

/* Wait up to @timeout jiffies for @zone to stop backing off: whether it did. */
static bool wait_backoff_end(struct zone *zone, unsigned long timeout)
{
	unsigned long deadline = jiffies + timeout;

	while (READ_ONCE(zone->aeration.interval_ms) &&
	       time_before(jiffies, deadline))
		msleep(20);
	return !READ_ONCE(zone->aeration.interval_ms);
}

/* A pass now (after vm.aeration_delay_ms), whatever the state was. */
static void request_pass(void)
{
	aeration_request();
	if (atomic_read(&aer.state) == AERATION_REQUESTED)
		aeration_queue();
}

/* Back off @zone for a minute, as a pass would; the worker kept out. */
static void back_off_by_hand(struct zone *zone)
{
	lockdep_assert_held(&aeration_pass_mutex);
	spin_lock_irq(&zone->lock);
	aeration_adapt_mark(zone);
	spin_unlock_irq(&zone->lock);
	aeration_idle_mark(zone);
	WRITE_ONCE(zone->aeration.interval_ms, 60000);
	zone->aeration.next_pass = jiffies + msecs_to_jiffies(60000);
}

/*
 * A zone that backs off stops as soon as it has been idle for the idle
 * window (4 * vm.aeration_delay_ms), not at the end of its interval: what
 * a churn freed went back to the host only up to vm.aeration_delay_max_ms
 * after the churn stopped.  More than the window's share of the interval's
 * quiet taken (at least a block) starts the window again.  First
 * aeration_adapt() called as the worker would, the worker kept out (a
 * 60 s delay, aeration_pass_mutex); then the worker and its look
 * (aeration_look()), which must see the zone idle long before the
 * interval ends.
 */
static void aeration_test_idle_ends_backoff(struct kunit *test)
{
	unsigned long budget, ends, window, before;
	struct zone *zone;
	struct fake_dev fd;

	/* A 1 s window: a sleep of half of it stays within it, mostly. */
	zone = register_adaptive(test, &fd, 250);
	window = aeration_idle_window(zone);
	KUNIT_EXPECT_GE(test, jiffies_to_msecs(window), 1000U);
	ends = aeration_test_vm_event(AERATION_BACKOFF_ENDS);

	mutex_lock(&aeration_pass_mutex);
	back_off_by_hand(zone);
	KUNIT_EXPECT_FALSE_MSG(test, aeration_adapt(zone, &budget),
			       "idle for no time, stopped backing off");
	msleep(jiffies_to_msecs(window) * 3 / 4);
	/* Busy: a block and more taken. */
	spin_lock_irq(&zone->lock);
	zone->aeration.nr_taken += (1UL << zone->aeration.order) + 1;
	spin_unlock_irq(&zone->lock);
	before = jiffies;
	KUNIT_EXPECT_FALSE_MSG(test, aeration_adapt(zone, &budget),
			       "busy, stopped backing off");
	KUNIT_EXPECT_FALSE_MSG(test, time_before(zone->aeration.idle_since,
						 before),
			       "a block taken, not seen busy");
	msleep(jiffies_to_msecs(window) / 2);
	/* (Unless the sleep overslept by half a window: nothing to see.) */
	if (time_before(jiffies + window / 8,
			zone->aeration.idle_since + window))
		KUNIT_EXPECT_FALSE_MSG(test, aeration_adapt(zone, &budget),
				       "idle for half a window, stopped backing off");
	KUNIT_EXPECT_EQ(test, READ_ONCE(zone->aeration.interval_ms), 60000U);
	msleep(jiffies_to_msecs(window) / 2 + 2 * jiffies_to_msecs(1));
	KUNIT_EXPECT_TRUE_MSG(test, aeration_adapt(zone, &budget),
			      "idle for a window, still backing off");
	KUNIT_EXPECT_EQ(test, budget, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, READ_ONCE(zone->aeration.interval_ms), 0U);

	/* The worker: a pass now, looks at the zone until it is idle. */
	back_off_by_hand(zone);
	mutex_unlock(&aeration_pass_mutex);
	/* (The event sum takes the CPU hotplug lock: not under the mutex.) */
	KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_BACKOFF_ENDS),
			ends + 1);
	request_pass();
	KUNIT_EXPECT_TRUE_MSG(test, wait_backoff_end(zone, 5 * window),
			      "the worker did not see the zone idle within 5 windows");
	KUNIT_EXPECT_EQ(test, aeration_test_vm_event(AERATION_BACKOFF_ENDS),
			ends + 2);
	flush_worker();
	check_zone(test, zone);
	page_reporting_unregister(&fd.info);
	KUNIT_EXPECT_EQ(test, fd.bad, 0U);
}

/*
 * vm.aeration_report_now reports what the high mark and the delay leave
 * raw, at once, and returns when the device has it; a device error comes
 * back to the writer.  While reporting is held (page_reporting_hold(), a
 * migration) neither it nor the worker reports, until the release.
 */
static void aeration_test_report_now(struct kunit *test)
{
	struct page *blk[ADAPT_BLOCKS];
	unsigned long pages, blocks = ADAPT_BLOCKS * MAX_ORDER_NR_PAGES;
	struct fake_dev fd;
	struct zone *zone;

	register_all_reported(test, &fd);
	zone = alloc_top_blocks(blk);
	if (!zone) {
		page_reporting_unregister(&fd.info);
		kunit_skip(test, "no %d top-order blocks in one zone",
			   ADAPT_BLOCKS);
	}
	aeration_delay_ms = 60000;	/* the worker stays out */
	no_more_requests();
	flush_worker();
	free_top_blocks(blk);
	KUNIT_EXPECT_GE(test, zone_raw(zone), blocks);
	pages = fd.pages;
	KUNIT_EXPECT_EQ(test, aeration_report_now(10000), 0);
	KUNIT_EXPECT_GE(test, fd.pages - pages, blocks);
	KUNIT_EXPECT_LT_MSG(test, zone_raw(zone), blocks,
			    "raw blocks left after report-now");

	/* Held (a migration): nothing reported, not even now; then it is. */
	page_reporting_hold(true);
	zone = alloc_top_blocks(blk);
	KUNIT_ASSERT_NOT_NULL(test, zone);
	free_top_blocks(blk);
	pages = fd.pages;
	KUNIT_EXPECT_EQ(test, aeration_report_now(10000), -EBUSY);
	WRITE_ONCE(aeration_high_wmark, 1);
	aeration_delay_ms = 0;
	aeration_request();
	flush_worker();
	KUNIT_EXPECT_EQ_MSG(test, fd.pages, pages, "reported while held");
	page_reporting_hold(false);
	/* A run that saw the hold may be what the flush waits for. */
	flush_worker();
	flush_worker();
	KUNIT_EXPECT_GE_MSG(test, fd.pages - pages, blocks / 2,
			    "not reported after the hold");
	aeration_delay_ms = 60000;
	no_more_requests();
	flush_worker();

	fd.err = -EIO;
	zone = alloc_top_blocks(blk);
	KUNIT_ASSERT_NOT_NULL(test, zone);
	free_top_blocks(blk);
	KUNIT_EXPECT_EQ(test, aeration_report_now(10000), -EIO);
	KUNIT_EXPECT_GE(test, zone_raw(zone), blocks / 2);
	check_zone(test, zone);
	KUNIT_EXPECT_EQ(test, fd.bad, 0U);
	page_reporting_unregister(&fd.info);
}

static int write_knob(struct ctl_table *t, const char *s)
{
	char buf[32];
	size_t len = strscpy(buf, s, sizeof(buf));
	loff_t pos = 0;

	return t->proc_handler(t, 1, buf, &len, &pos);
}

static void aeration_test_sysctls(struct kunit *test)
{
	static const char * const bad[] = { "0", "-1", "abc", "99999999999" };
	struct ctl_table *t;
	unsigned int i;
	int before;

	for (t = aeration_sysctls; t < aeration_sysctls +
	     ARRAY_SIZE(aeration_sysctls); t++) {
		int *val = t->data;
		int max = *(int *)t->extra2;
		char s[16];

		if (!val) {
			/* vm.aeration_report_now: bad input, then no device. */
			for (i = 0; i < ARRAY_SIZE(bad); i++)
				KUNIT_EXPECT_EQ_MSG(test, write_knob(t, bad[i]),
						    -EINVAL, "%s = %s",
						    t->procname, bad[i]);
			snprintf(s, sizeof(s), "%d", max + 1);
			KUNIT_EXPECT_EQ(test, write_knob(t, s), -EINVAL);
			KUNIT_EXPECT_EQ(test, write_knob(t, ""), -EINVAL);
			KUNIT_EXPECT_EQ(test, write_knob(t, "\n"), -EINVAL);
			KUNIT_EXPECT_EQ(test, write_knob(t, "100"), -ENODEV);
			continue;
		}
		before = *val;
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			if (!strcmp(bad[i], "0") && *(int *)t->extra1 == 0)
				continue;	/* 0 is valid here */
			KUNIT_EXPECT_EQ_MSG(test, write_knob(t, bad[i]), -EINVAL,
					    "%s = %s", t->procname, bad[i]);
			KUNIT_EXPECT_EQ(test, *val, before);
		}
		snprintf(s, sizeof(s), "%d", max + 1);
		KUNIT_EXPECT_EQ_MSG(test, write_knob(t, s), -EINVAL, "%s = %s",
				    t->procname, s);
		KUNIT_EXPECT_EQ(test, *val, before);
		snprintf(s, sizeof(s), "%d", max);
		KUNIT_EXPECT_EQ(test, write_knob(t, s), 0);
		KUNIT_EXPECT_EQ(test, *val, max);
		snprintf(s, sizeof(s), "%d", before);
		KUNIT_EXPECT_EQ(test, write_knob(t, s), 0);
		KUNIT_EXPECT_EQ(test, *val, before);
	}
}

/* Take a block and more from @zone's raw memory, as far as the look sees. */
static void keep_busy(struct zone *zone)
{
	spin_lock_irq(&zone->lock);
	zone->aeration.nr_taken += (1UL << zone->aeration.order) + 1;
	spin_unlock_irq(&zone->lock);
}

/* The look armed, or running (between its expiry and its mod_timer()). */
static bool look_armed(void)
{
	return timer_pending(&aer.look) ||
	       atomic_read(&aer.state) == AERATION_DEFERRED;
}

/*
 * While a zone backs off and stays busy, the look (aeration_look(), a
 * timer) does not wake the worker; once the zone's interval ends, it does,
 * and once it is idle.  A worker woken every quarter of the idle window
 * ran beside the program that frees, which an idle CPU then pulled over,
 * away from what it had freed to its CPU's per-cpu lists.  Unregistering
 * while the look is armed leaves nothing to run.
 */
static void aeration_test_look_busy(struct kunit *test)
{
	unsigned long looks, woke, window, deadline, end, runs;
	struct zone *zone;
	struct fake_dev fd;
	bool timed;
	int round;

	/* A 400 ms window: a look every 100 ms. */
	zone = register_adaptive(test, &fd, 100);
	window = aeration_idle_window(zone);

	/*
	 * Round 0 ends with the zone idle, round 1 with its interval, a
	 * second after it began, busy all along.
	 */
	for (round = 0; round < 2; round++) {
		mutex_lock(&aeration_pass_mutex);
		back_off_by_hand(zone);
		if (round)
			zone->aeration.next_pass = jiffies + HZ;
		mutex_unlock(&aeration_pass_mutex);
		/* A pass finds it within its interval, and arms the look. */
		keep_busy(zone);
		request_pass();
		deadline = jiffies + 5 * HZ;
		while (!(atomic_read(&aer.state) == AERATION_DEFERRED &&
			 timer_pending(&aer.look)) &&
		       time_before(jiffies, deadline)) {
			keep_busy(zone);
			msleep(20);
		}
		KUNIT_ASSERT_EQ_MSG(test, atomic_read(&aer.state),
				    AERATION_DEFERRED,
				    "round %d: no look armed for a zone that backs off",
				    round);
		looks = READ_ONCE(aer.looks);

		/*
		 * Busy: a block and more taken every 20 ms, for five windows
		 * (round 1: until 0.2 s before the interval's end, unless a
		 * slow first pass left no time for it).
		 */
		end = round ? zone->aeration.next_pass - HZ / 5 :
			      jiffies + 5 * window;
		timed = time_before(jiffies, end);
		while (time_before(jiffies, end)) {
			keep_busy(zone);
			msleep(20);
		}
		woke = READ_ONCE(aer.looks) - looks;
		if (timed) {
			KUNIT_EXPECT_EQ_MSG(test, woke, 0UL,
					    "round %d: the look woke the worker %lu times while the zone was busy",
					    round, woke);
			KUNIT_EXPECT_NE(test,
					READ_ONCE(zone->aeration.interval_ms),
					0U);
			KUNIT_EXPECT_TRUE_MSG(test, look_armed(),
					      "round %d: the look stopped looking",
					      round);
		}
		if (round)
			break;

		/* Idle: within a window and a quarter, and a pass. */
		KUNIT_EXPECT_TRUE_MSG(test, wait_backoff_end(zone, 5 * window),
				      "the look did not see the zone idle within 5 windows");
		KUNIT_EXPECT_GT(test, READ_ONCE(aer.looks), looks);
		flush_worker();
	}

	/* Round 1: busy, but the interval ends: the look wakes the worker. */
	deadline = jiffies + 2 * HZ;
	while (READ_ONCE(aer.looks) == looks && time_before(jiffies, deadline)) {
		keep_busy(zone);
		msleep(20);
	}
	KUNIT_EXPECT_GT_MSG(test, READ_ONCE(aer.looks), looks,
			    "the look did not wake the worker at the interval's end");

	/* Back off again, the look armed: unregister leaves nothing behind. */
	mutex_lock(&aeration_pass_mutex);
	back_off_by_hand(zone);
	mutex_unlock(&aeration_pass_mutex);
	request_pass();
	deadline = jiffies + 5 * HZ;
	while (!look_armed() && time_before(jiffies, deadline)) {
		keep_busy(zone);
		msleep(20);
	}
	KUNIT_EXPECT_TRUE(test, look_armed());
	check_zone(test, zone);
	page_reporting_unregister(&fd.info);
	KUNIT_EXPECT_FALSE(test, worker_queued());
	runs = READ_ONCE(aer.runs);
	msleep(jiffies_to_msecs(window));
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(aer.runs), runs,
			    "the worker ran after unregistering");
	KUNIT_EXPECT_FALSE(test, worker_queued());
	KUNIT_EXPECT_EQ(test, fd.bad, 0U);
}

/*
 * Request a pass from this CPU and keep it busy (a spin, which voluntary
 * preemption does not preempt) until the worker moved @ctr, for at most a
 * second: the CPU the worker last ran on then, -1 if it did not run.
 */
static int busy_request(unsigned long *ctr, int *this)
{
	unsigned long old, deadline = jiffies + HZ;
	bool ran;

	migrate_disable();
	*this = smp_processor_id();
	old = READ_ONCE(*ctr);
	request_pass();
	while (READ_ONCE(*ctr) == old && time_before(jiffies, deadline))
		cpu_relax();
	ran = READ_ONCE(*ctr) != old;
	migrate_enable();
	flush_work(&aer.work);
	return ran ? READ_ONCE(aer.cpu) : -1;
}

/*
 * The worker runs on an idle CPU, not on the busy one that asked for it:
 * a requested pass (its timer fires on the requesting CPU, which stays
 * busy), and the settle pass after it (its timer, armed by the worker on
 * a CPU that then goes idle, fires on the busy one by timer migration).
 * Run where their timers fired, they preempted the program whose frees
 * asked for them (Documentation/mm/aeration.rst).  A worker queued on this
 * CPU cannot run while it spins, or (full preemption) runs here.  A few
 * tries, in case the other CPUs were busy when the worker was queued.
 */
static void aeration_test_worker_cpu(struct kunit *test)
{
	int round, try, cpu, this = -1, ran_on = -1, ok = 0;
	struct fake_dev fd;

	for_each_cpu(cpu, cpu_active_mask)
		ok += aeration_cpu_ok(cpu);
	if (ok < 2)
		kunit_skip(test, "one CPU for the worker");
	fake_init(&fd, 64);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	/* Only the passes we ask for: no zone passes its mark, no backoff. */
	WRITE_ONCE(aeration_high_wmark, INT_MAX >> MAX_PAGE_ORDER);
	aeration_adaptive = 0;
	aeration_delay_ms = 20;
	for (round = 0; round < 2; round++) {
		/* Round 1: the settle pass 50 ms after the requested one. */
		aeration_settle_ms = round ? 50 : 0;
		run_worker();
		for (try = 0; try < 5; try++) {
			ran_on = busy_request(round ? &aer.settles : &aer.runs,
					      &this);
			run_worker();
			if (ran_on >= 0 && ran_on != this)
				break;
		}
		KUNIT_EXPECT_TRUE_MSG(test, ran_on >= 0 && ran_on != this,
				      "%s pass asked for on CPU %d ran on %d (-1: not within 1 s), %d tries",
				      round ? "settle" : "requested", this,
				      ran_on, try);
	}
	page_reporting_unregister(&fd.info);
	KUNIT_EXPECT_EQ(test, fd.bad, 0U);
}

static struct kunit_case aeration_test_cases[] = {
	KUNIT_CASE(aeration_test_sysctls),
	KUNIT_CASE(aeration_test_register),
	KUNIT_CASE(aeration_test_report_all),
	KUNIT_CASE(aeration_test_batch_limits),
	KUNIT_CASE(aeration_test_device_failure),
	KUNIT_CASE(aeration_test_unregister_in_flight),
	KUNIT_CASE(aeration_test_merge_split),
	KUNIT_CASE(aeration_test_tail_free),
	KUNIT_CASE(aeration_test_newest_first),
	KUNIT_CASE(aeration_test_report_keeps_type),
	KUNIT_CASE(aeration_test_pageblock_isolation),
#ifdef CONFIG_MEMORY_FAILURE
	KUNIT_CASE(aeration_test_poison_split),
#endif
	KUNIT_CASE(aeration_test_high_wmark_trigger),
	KUNIT_CASE(aeration_test_settle),
	KUNIT_CASE(aeration_test_adapt),
	KUNIT_CASE(aeration_test_adapt_off),
	KUNIT_CASE(aeration_test_idle_ends_backoff),
	KUNIT_CASE_SLOW(aeration_test_look_busy),
	KUNIT_CASE(aeration_test_worker_cpu),
	KUNIT_CASE(aeration_test_report_now),
	{}
};

static struct kunit_suite aeration_test_suite = {
	.name = "aeration",
	.init = aeration_test_init,
	.exit = aeration_test_exit,
	.test_cases = aeration_test_cases,
};

kunit_test_suite(aeration_test_suite);
