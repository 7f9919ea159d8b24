/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for aeration's limits: the top tracked order, the watermark
 * a worker leaves alone, changing the tracked order, and an admin's order
 * across a device that comes and goes.  Included after aeration-kunit.h,
 * whose fake device, setup and checks they share.
 */

static struct ctl_table *order_knob(void)
{
	return &aeration_sysctls[0];	/* vm.aeration_order */
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
	aeration_order = top;
	fake_init(&fd, 8);
	KUNIT_ASSERT_EQ(test, aeration_register(&fd.info), 0);

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
		aeration_unregister(&fd.info);
		kunit_skip(test, "no free order-%u block", top);
	}
	spin_lock_irq(&zone->lock);
	aeration_putback_range(page, top, true);
	whole = PageBuddy(page) && buddy_order(page) == top;
	aerated = whole && PageReported(page);
	spin_unlock_irq(&zone->lock);
	KUNIT_EXPECT_TRUE_MSG(test, whole, "put back in pieces");
	KUNIT_EXPECT_TRUE_MSG(test, aerated, "put back raw");
	check_all_zones(test);
	aeration_unregister(&fd.info);
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
	KUNIT_EXPECT_TRUE_MSG(test, delayed_work_pending(&aer.work),
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
	aeration_order = pageblock_order;
	fake_init(&fd, 64);
	KUNIT_ASSERT_EQ(test, aeration_register(&fd.info), 0);
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
	aeration_unregister(&fd.info);
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
	aeration_order = pageblock_order;
	fake_init(&fd, 8);
	fd.info.order = pref;

	KUNIT_ASSERT_EQ(test, aeration_register(&fd.info), 0);
	KUNIT_EXPECT_EQ(test, aeration_order, pref);
	aeration_unregister(&fd.info);
	KUNIT_EXPECT_EQ(test, aeration_order, (int)pageblock_order);

	snprintf(s, sizeof(s), "%d", admin);
	KUNIT_EXPECT_EQ(test, write_knob(order_knob(), s), 0);
	KUNIT_ASSERT_EQ(test, aeration_register(&fd.info), 0);
	KUNIT_EXPECT_EQ(test, aeration_order, admin);
	for_each_populated_zone(zone)
		KUNIT_EXPECT_EQ(test, READ_ONCE(zone->aeration.order),
				(unsigned int)admin);
	aeration_unregister(&fd.info);
	KUNIT_EXPECT_EQ(test, aeration_order, admin);
	aeration_order_set = saved_set;
}

static struct kunit_case aeration_limits_cases[] = {
	KUNIT_CASE(aeration_test_top_order_putback),
	KUNIT_CASE(aeration_test_room_watermark),
	KUNIT_CASE(aeration_test_order_change),
	KUNIT_CASE(aeration_test_order_admin),
	{}
};

static struct kunit_suite aeration_limits_suite = {
	.name = "aeration_limits",
	.init = aeration_test_init,
	.exit = aeration_test_exit,
	.test_cases = aeration_limits_cases,
};

kunit_test_suite(aeration_limits_suite);
