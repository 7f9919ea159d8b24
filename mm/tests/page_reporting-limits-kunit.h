/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for aeration's limits: the top tracked order, the watermark
 * a worker leaves alone, changing the tracked order, and an admin's order
 * across a device that comes and goes, the stock order parameter, the
 * default capacity and a delay knob's write re-arming a queued pass.
 * Included after page_reporting-kunit.h,
 * whose fake device, setup and checks they share.
 */

static struct ctl_table *knob(const char *name)
{
	struct ctl_table *t;

	for (t = aeration_sysctls; t < aeration_sysctls +
	     ARRAY_SIZE(aeration_sysctls); t++)
		if (t->procname && !strcmp(t->procname, name))
			return t;
	return NULL;
}

static struct ctl_table *order_knob(void)
{
	return knob("aeration_order");
}

/*
 * A block above pageblock order, isolated and put back aerated, stays one
 * aerated block: put back as pageblock-sized pieces, it merged back into a
 * raw block below the tracked order's reach, which the worker took again,
 * forever (vm.aeration_order=10 on x86-64).
 */
static void aeration_test_top_order_putback(struct kunit *test)
{
	const unsigned int top = MAX_PAGE_ORDER;
	struct page *page = NULL;
	struct fake_dev fd;
	struct zone *zone;
	bool whole = false, aerated = false;

	if (top <= pageblock_order)
		kunit_skip(test, "no order above pageblock order");
	aeration_delay_ms = 60000;	/* the worker stays out */
	page_reporting_order = top;
	fake_init(&fd, 8);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);

	for_each_populated_zone(zone) {
		spin_lock_irq(&zone->lock);
		page = last_raw(zone, top, MIGRATE_MOVABLE);
		if (page && !__isolate_free_page(page, top))
			page = NULL;
		spin_unlock_irq(&zone->lock);
		if (page)
			break;
	}
	if (!page) {
		page_reporting_unregister(&fd.info);
		kunit_skip(test, "no free order-%u block", top);
	}
	spin_lock_irq(&zone->lock);
	aeration_putback_range(page, top, AERATION_PUT_AERATED);
	whole = PageBuddy(page) && buddy_order(page) == top;
	aerated = whole && PageReported(page);
	spin_unlock_irq(&zone->lock);
	KUNIT_EXPECT_TRUE_MSG(test, whole, "put back in pieces");
	KUNIT_EXPECT_TRUE_MSG(test, aerated, "put back raw");
	check_all_zones(test);
	page_reporting_unregister(&fd.info);
}

/*
 * The worker stays above the low watermark by the allocator's own check:
 * the highatomic reserve never counts, free CMA pages only for a CMA
 * block.  A zone made up for the check alone.
 */
static void aeration_test_room_watermark(struct kunit *test)
{
	const unsigned int order = pageblock_order;
	const unsigned long low = 1000, spare = 100;
	struct zone *z = kunit_kzalloc(test, sizeof(*z), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, z);
	z->_watermark[WMARK_LOW] = low;
	atomic_long_set(&z->vm_stat[NR_FREE_PAGES],
			low + (1UL << order) + spare);
	KUNIT_EXPECT_TRUE(test, aeration_room_for(z, order, MIGRATE_MOVABLE));

	z->nr_free_highatomic = 2 * spare;
	KUNIT_EXPECT_FALSE_MSG(test, aeration_room_for(z, order, MIGRATE_MOVABLE),
			       "highatomic reserve counted as free");
	z->nr_free_highatomic = 0;
#ifdef CONFIG_CMA
	atomic_long_set(&z->vm_stat[NR_FREE_CMA_PAGES], 2 * spare);
	KUNIT_EXPECT_FALSE_MSG(test, aeration_room_for(z, order, MIGRATE_MOVABLE),
			       "free CMA counted for a movable block");
	KUNIT_EXPECT_TRUE(test, aeration_room_for(z, order, MIGRATE_CMA));
	atomic_long_set(&z->vm_stat[NR_FREE_CMA_PAGES], 0);
#endif
	atomic_long_set(&z->vm_stat[NR_FREE_PAGES], low + (1UL << order));
	KUNIT_EXPECT_FALSE_MSG(test, aeration_room_for(z, order, MIGRATE_MOVABLE),
			       "would reach the low watermark");
}

/*
 * After an order change the worker is asked to run again: a request whose
 * work the pause cancelled, left REQUESTED, blocked every later request
 * (reporting stopped for good after a write of vm.aeration_order).
 */
static void expect_queued(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, atomic_read(&aer.state), AERATION_REQUESTED);
	KUNIT_EXPECT_TRUE_MSG(test, timer_pending(&aer.kick),
			      "requested, nothing queued");
}

/*
 * Everything reported, then the tracked order raised to the top and back,
 * and tracking stopped: each change leaves exact counts and no aerated
 * page on an untracked list, though it is made a bounded number of pages
 * per zone->lock hold.
 */
static void aeration_test_order_change(struct kunit *test)
{
	unsigned long aerated = 0;
	struct fake_dev fd;
	struct zone *zone;
	char s[8];

	aeration_delay_ms = 1;
	page_reporting_order = pageblock_order;
	fake_init(&fd, 64);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	run_worker();
	for_each_populated_zone(zone)
		aerated += READ_ONCE(zone->aeration.nr_aerated);
	/* More than one zone->lock hold's worth to turn raw. */
	KUNIT_EXPECT_GT(test, aerated >> pageblock_order,
			(unsigned long)AERATION_WALK_CHUNK);

	aeration_delay_ms = 60000;	/* the worker stays out from here */
	snprintf(s, sizeof(s), "%d", order_max);
	KUNIT_EXPECT_EQ(test, write_knob(order_knob(), s), 0);
	for_each_populated_zone(zone)
		KUNIT_EXPECT_EQ(test, READ_ONCE(zone->aeration.order),
				(unsigned int)order_max);
	check_all_zones(test);
	expect_queued(test);
	snprintf(s, sizeof(s), "%d", (int)pageblock_order);
	KUNIT_EXPECT_EQ(test, write_knob(order_knob(), s), 0);
	check_all_zones(test);
	expect_queued(test);
	page_reporting_unregister(&fd.info);
	check_all_zones(test);
	KUNIT_EXPECT_EQ(test, fd.bad, 0U);
}

/*
 * The device's preferred order holds only while the admin set none, and
 * goes with the device; an order the admin set survives a device coming
 * and going.
 */
static void aeration_test_order_admin(struct kunit *test)
{
	bool saved_set = aeration_order_set;
	const int pref = order_min + 1, admin = order_min + 2;
	struct fake_dev fd;
	struct zone *zone;
	char s[8];

	aeration_delay_ms = 60000;	/* the worker stays out */
	aeration_order_set = false;
	page_reporting_order = pageblock_order;
	fake_init(&fd, 8);
	fd.info.order = pref;

	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	KUNIT_EXPECT_EQ(test, page_reporting_order, pref);
	page_reporting_unregister(&fd.info);
	KUNIT_EXPECT_EQ(test, page_reporting_order, (int)pageblock_order);

	snprintf(s, sizeof(s), "%d", admin);
	KUNIT_EXPECT_EQ(test, write_knob(order_knob(), s), 0);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	KUNIT_EXPECT_EQ(test, page_reporting_order, admin);
	for_each_populated_zone(zone)
		KUNIT_EXPECT_EQ(test, READ_ONCE(zone->aeration.order),
				(unsigned int)admin);
	page_reporting_unregister(&fd.info);
	KUNIT_EXPECT_EQ(test, page_reporting_order, admin);
	aeration_order_set = saved_set;
}

/*
 * page_reporting.page_reporting_order, the stock parameter, is
 * vm.aeration_order: the same range (EINVAL outside it, value kept), and a
 * write re-tracks the zones as the sysctl does and counts as the admin's.
 */
static void aeration_test_order_param(struct kunit *test)
{
	bool saved_set = aeration_order_set;
	const unsigned int want = order_min + 1;
	static const char * const bad[] = { "3", "11", "-1", "x", "" };
	unsigned int i, before;
	struct fake_dev fd;
	struct zone *zone;
	char s[8];

	aeration_delay_ms = 60000;	/* the worker stays out */
	aeration_order_set = false;
	page_reporting_order = pageblock_order;
	fake_init(&fd, 8);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);

	before = page_reporting_order;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (!strcmp(bad[i], "11") && order_max >= 11)
			continue;
		if (!strcmp(bad[i], "3") && order_min <= 3)
			continue;
		KUNIT_EXPECT_LT_MSG(test, page_reporting_order_set(bad[i], NULL),
				    0, "\"%s\" accepted", bad[i]);
		KUNIT_EXPECT_EQ(test, page_reporting_order, before);
	}
	KUNIT_EXPECT_FALSE(test, aeration_order_set);

	snprintf(s, sizeof(s), "%u", want);
	KUNIT_EXPECT_EQ(test, page_reporting_order_set(s, NULL), 0);
	KUNIT_EXPECT_EQ(test, page_reporting_order, want);
	KUNIT_EXPECT_TRUE(test, aeration_order_set);
	for_each_populated_zone(zone)
		KUNIT_EXPECT_EQ(test, READ_ONCE(zone->aeration.order), want);
	check_all_zones(test);
	page_reporting_unregister(&fd.info);
	/* The admin's value stays when the device goes. */
	KUNIT_EXPECT_EQ(test, page_reporting_order, want);
	aeration_order_set = saved_set;
}

/*
 * A device that gives no capacity gets PAGE_REPORTING_CAPACITY ranges a
 * call: no more, and (the sysctl allowing more, with a guest's free memory
 * in many blocks) that many.
 */
static void aeration_test_default_capacity(struct kunit *test)
{
	struct fake_dev fd;

	aeration_high_wmark = 1;
	aeration_delay_ms = 0;
	aeration_batch = AERATION_BATCH_MAX;
	fake_init(&fd, 0);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	run_worker();
	page_reporting_unregister(&fd.info);
	KUNIT_EXPECT_EQ(test, fd.max_nents,
			(unsigned int)PAGE_REPORTING_CAPACITY);
	KUNIT_EXPECT_EQ(test, fd.bad, 0U);
	check_all_zones(test);
}

/*
 * The worker takes no block below page_reporting_order, whatever is
 * tracked: above every order, nothing; at pageblock order (zones tracked
 * from order_min), blocks of that order or larger only.
 */
static void aeration_test_isolate_bound(struct kunit *test)
{
	unsigned int n, i, small = 0, taken = 0;
	struct fake_dev fd;
	struct zone *zone;

	if (order_min >= pageblock_order)
		kunit_skip(test, "no order below pageblock order to track from");
	aeration_delay_ms = 60000;	/* the worker stays out */
	page_reporting_order = order_min;
	fake_init(&fd, 8);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	for_each_populated_zone(zone) {
		spin_lock_irq(&zone->lock);
		WRITE_ONCE(page_reporting_order, NR_PAGE_ORDERS);
		n = aeration_isolate(zone, 1, ULONG_MAX);
		if (n)
			aeration_return(zone, n, false);
		KUNIT_EXPECT_EQ_MSG(test, n, 0U, "%s: a block below the order",
				    zone->name);
		WRITE_ONCE(page_reporting_order, pageblock_order);
		n = aeration_isolate(zone, 4, ULONG_MAX);
		for (i = 0; i < n; i++)
			small += aer.sgl[i].length < PAGE_SIZE << pageblock_order;
		taken += n;
		if (n)
			aeration_return(zone, n, false);
		WRITE_ONCE(page_reporting_order, order_min);
		spin_unlock_irq(&zone->lock);
	}
	KUNIT_EXPECT_GT_MSG(test, taken, 0U, "no pageblock-order block taken");
	KUNIT_EXPECT_EQ_MSG(test, small, 0U, "blocks below pageblock order");
	check_all_zones(test);
	page_reporting_unregister(&fd.info);
}

/*
 * hv_balloon's fallback: a report callback that raises page_reporting_order
 * (hv_balloon: to pageblock order, when the host refuses smaller ranges)
 * and fails the batch.  From the next batch on no smaller block is
 * reported, the zones are then tracked from the new order, and it goes
 * with the device: the admin's order comes back.
 */
static unsigned int raised_order;

static int raising_report(struct page_reporting_dev_info *info,
			  struct scatterlist *sg, unsigned int nents)
{
	struct fake_dev *fd = container_of(info, struct fake_dev, info);
	struct scatterlist *s;
	unsigned int i;

	if (!fd->calls++) {
		WRITE_ONCE(page_reporting_order, raised_order);
		return -EINVAL;
	}
	for_each_sg(sg, s, nents, i)
		if (s->length < (PAGE_SIZE << raised_order))
			fd->bad++;
	return 0;
}

static void aeration_test_device_raises_order(struct kunit *test)
{
	const unsigned int low = order_min;
	struct fake_dev fd;
	struct zone *zone;
	struct page *page;
	char s[8];

	raised_order = min_t(unsigned int, pageblock_order + 1, order_max);
	if (low >= raised_order)
		kunit_skip(test, "no order to raise to");
	aeration_high_wmark = 1;
	aeration_delay_ms = 0;
	snprintf(s, sizeof(s), "%u", low);	/* the admin's order */
	KUNIT_ASSERT_EQ(test, write_knob(order_knob(), s), 0);
	fake_init(&fd, 8);
	fd.info.report = raising_report;
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	run_worker();
	KUNIT_ASSERT_GE(test, fd.calls, 1U);

	/* A free above the high mark asks again (the failure idled it). */
	page = alloc_pages(GFP_KERNEL, low);
	KUNIT_ASSERT_NOT_NULL(test, page);
	__free_pages(page, low);
	run_worker();
	flush_work(&aeration_retrack_work);
	run_worker();
	KUNIT_EXPECT_GT(test, fd.calls, 1U);
	KUNIT_EXPECT_EQ_MSG(test, fd.bad, 0U, "blocks below the raised order");
	for_each_populated_zone(zone)
		KUNIT_EXPECT_EQ(test, READ_ONCE(zone->aeration.order),
				raised_order);
	check_all_zones(test);
	page_reporting_unregister(&fd.info);
	KUNIT_EXPECT_EQ(test, page_reporting_order, low);
}

/*
 * A pass queued while vm.aeration_delay_ms was long is brought forward
 * when the knob is written: it kept the delay it was queued with, so
 * after the delay went from 60000 back to 100 the next pass still came a
 * minute later.  The device's first call says the pass ran (one way: the
 * worker's state may turn back to REQUESTED while it runs).
 */
static void aeration_test_knob_rearms(struct kunit *test)
{
	struct ctl_table *t = knob("aeration_delay_ms");
	unsigned long deadline;
	struct fake_dev fd;

	KUNIT_ASSERT_NOT_NULL(test, t);
	aeration_delay_ms = 60000;
	fake_init(&fd, 64);
	/* Registering queues the first pass, 60 s out. */
	KUNIT_ASSERT_EQ(test, page_reporting_register(&fd.info), 0);
	expect_queued(test);
	KUNIT_EXPECT_TRUE(test, time_after(READ_ONCE(aer.kick.expires),
					   jiffies + 10 * HZ));
	KUNIT_EXPECT_EQ(test, write_knob(t, "1"), 0);
	deadline = jiffies + 10 * HZ;
	while (!READ_ONCE(fd.calls) && time_before(jiffies, deadline))
		msleep(20);
	KUNIT_EXPECT_GT_MSG(test, READ_ONCE(fd.calls), 0U,
			    "the pass still waits the delay it was queued with");
	page_reporting_unregister(&fd.info);
	KUNIT_EXPECT_EQ(test, fd.bad, 0U);
}

static struct kunit_case aeration_limits_cases[] = {
	KUNIT_CASE(aeration_test_top_order_putback),
	KUNIT_CASE(aeration_test_room_watermark),
	KUNIT_CASE(aeration_test_order_change),
	KUNIT_CASE(aeration_test_order_admin),
	KUNIT_CASE(aeration_test_order_param),
	KUNIT_CASE(aeration_test_default_capacity),
	KUNIT_CASE(aeration_test_isolate_bound),
	KUNIT_CASE(aeration_test_device_raises_order),
	KUNIT_CASE(aeration_test_knob_rearms),
	{}
};

static struct kunit_suite aeration_limits_suite = {
	.name = "aeration_limits",
	.init = aeration_test_init,
	.exit = aeration_test_exit,
	.test_cases = aeration_limits_cases,
};

kunit_test_suite(aeration_limits_suite);
