// SPDX-License-Identifier: GPL-2.0
/*
 * Aeration: asynchronous free page reporting.
 *
 * Free buddy pages of order >= vm.aeration_order are either raw (the host
 * still backs them) or aerated (reported: the host may have dropped their
 * memory).  Each tracked free list keeps its raw pages ahead of its aerated
 * ones (see mm/aeration.h), so the allocator hands out raw pages first and
 * the worker finds raw pages without walking aerated ones.  Aerated state
 * survives the buddy allocator: two aerated buddies merge into an aerated
 * page and an aerated page split at tracked orders leaves aerated pieces.
 *
 * When a zone's raw pages pass vm.aeration_high_wmark blocks, a delayed work
 * item takes raw pages off the free lists in batches of vm.aeration_batch
 * (never below the zone's low watermark), drops the zone lock, hands them to
 * the device and puts them back as aerated, until the zone is below half
 * the high mark.  Pages are off the free lists, invisible to the allocator,
 * for as long as the host may be acting on them.
 *
 * The high mark leaves up to that many raw blocks per zone behind, and the
 * per-cpu lists hold more.  So that an idle guest gives back all of its free
 * memory, the worker runs once more vm.aeration_settle_ms after each
 * requested pass (if a zone has room above its low watermark), unless a
 * request came first: that settle pass drains the per-cpu lists and
 * reports the raw pages it finds.  A guest that keeps freeing above the
 * high mark keeps postponing it; raw pages freed after it, below the mark,
 * wait for the next request.
 *
 * Locking: the list hooks run under zone->lock.  aeration_mutex serialises
 * register, unregister and order changes; the worker never takes it and
 * never calls the device with zone->lock held.
 */
#define pr_fmt(fmt) "aeration: " fmt

#include <linux/aeration.h>
#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/page-isolation.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include "aeration.h"
#include "internal.h"
#include "page_reporting.h"

#define CREATE_TRACE_POINTS
#include <trace/events/aeration.h>

DEFINE_STATIC_KEY_FALSE(aeration_enabled);

#define AERATION_BATCH_MAX	256	/* most ranges in one device call */

/* Tunables, /proc/sys/vm/aeration_*; see Documentation/admin-guide/mm/aeration.rst */
static int aeration_order = -1;		/* pageblock_order once known */
static int aeration_high_wmark = 32;	/* raw blocks of aeration_order per zone */
static int aeration_delay_ms = 100;
static int aeration_batch = 32;
static int aeration_settle_ms = 1000;	/* 0: no settle pass */

/*
 * Orders below PAGE_ALLOC_COSTLY_ORDER + 1 live mostly on per-cpu lists and
 * would make re-classifying (a walk under zone->lock) long.
 */
static int order_min = PAGE_ALLOC_COSTLY_ORDER + 1;
static int order_max = MAX_PAGE_ORDER;

enum {
	AERATION_IDLE,		/* nothing to do */
	AERATION_REQUESTED,	/* work queued, or to run again */
	AERATION_ACTIVE,	/* work running */
	AERATION_SETTLE,	/* work queued as the settle pass */
};

static struct {
	struct aeration_dev_info *dev;
	struct scatterlist *sgl;	/* dev->capacity entries */
	struct delayed_work work;
	atomic_t state;
	unsigned long settles;		/* settle passes run */
} aer;

static DEFINE_MUTEX(aeration_mutex);

static inline struct list_head *free_list(struct zone *zone,
					  unsigned int order, int mt)
{
	return &zone->free_area[order].free_list[mt];
}

static unsigned long high_mark(struct zone *zone)
{
	return (unsigned long)READ_ONCE(aeration_high_wmark) <<
		zone->aeration.order;
}

/*
 * At least one jiffy: this runs under zone->lock, and a zero delay would
 * wake a worker (scheduler locks) from under it.  The freezable workqueue
 * keeps the worker (and a batch in flight) out of the way of suspend,
 * when the device is torn down.  A queued settle pass becomes this normal
 * pass: it is brought forward (or, for a long vm.aeration_delay_ms, pushed
 * back).
 */
static void aeration_queue(void)
{
	unsigned long delay = msecs_to_jiffies(READ_ONCE(aeration_delay_ms));

	mod_delayed_work(system_freezable_wq, &aer.work, max(1UL, delay));
}

static void aeration_request(void)
{
	int old;

	if (atomic_read(&aer.state) == AERATION_REQUESTED)
		return;
	old = atomic_xchg(&aer.state, AERATION_REQUESTED);
	/* ACTIVE: the worker sees REQUESTED when it is done and requeues. */
	if (old == AERATION_IDLE || old == AERATION_SETTLE)
		aeration_queue();
}

/**
 * __aeration_add - put a free page on a tracked free list
 * @page: the page, PageReported if it is aerated
 * @zone: its zone, locked
 * @order: its order, tracked
 * @mt: the free list's migratetype
 * @tail: for a raw page, add it behind the other raw pages
 *
 * An aerated page goes to the very tail, behind every raw page.  A raw page
 * goes to the head, or just before the boundary for @tail: a page freed
 * while the worker runs is never hidden among the aerated ones.
 */
void __aeration_add(struct page *page, struct zone *zone, unsigned int order,
		    int mt, bool tail)
{
	struct list_head *list = free_list(zone, order, mt);
	struct list_head **bound = &zone->aeration.boundary[order][mt];

	if (PageReported(page)) {
		list_add_tail(&page->buddy_list, list);
		if (!*bound)
			*bound = &page->buddy_list;
		zone->aeration.nr_aerated += 1UL << order;
		return;
	}

	if (!tail)
		list_add(&page->buddy_list, list);
	else
		list_add_tail(&page->buddy_list, *bound ? *bound : list);

	if (is_migrate_isolate(mt))
		return;
	zone->aeration.nr_raw += 1UL << order;
	if (zone->aeration.nr_raw > high_mark(zone))
		aeration_request();
}

/**
 * __aeration_del - take a page off a tracked free list
 * @page: the page
 * @zone: its zone, locked
 * @order: its order, tracked
 * @mt: the free list's migratetype
 *
 * Moves the boundary past @page if it was the first aerated page and clears
 * the aerated state: no page leaves the buddy allocator PageReported.  The
 * caller unlinks the page.
 */
void __aeration_del(struct page *page, struct zone *zone, unsigned int order,
		    int mt)
{
	struct list_head **bound = &zone->aeration.boundary[order][mt];

	if (PageReported(page)) {
		if (*bound == &page->buddy_list) {
			struct list_head *next = page->buddy_list.next;

			*bound = next == free_list(zone, order, mt) ? NULL : next;
		}
		zone->aeration.nr_aerated -= 1UL << order;
		__ClearPageReported(page);
	} else if (!is_migrate_isolate(mt)) {
		zone->aeration.nr_raw -= 1UL << order;
	}
}

/**
 * __aeration_move - move a free page to the list of another migratetype
 * @page: the page, on the @old_mt list
 * @zone: its zone, locked
 * @order: its order, tracked
 * @old_mt: the list it is on
 * @new_mt: the list it goes to (at the tail of its kind)
 */
void __aeration_move(struct page *page, struct zone *zone, unsigned int order,
		     int old_mt, int new_mt)
{
	bool aerated = PageReported(page);

	__aeration_del(page, zone, order, old_mt);
	list_del(&page->buddy_list);
	if (aerated)
		__SetPageReported(page);
	__aeration_add(page, zone, order, new_mt, true);
}

/*
 * Start or stop tracking @zone's free lists from @order up (0: stop).
 * Lists that stop being tracked lose their aerated state (their pages are
 * simply reported again if they become tracked later); the raw count is
 * derived from nr_free, so nothing else has to be walked.  The walk is
 * bounded by the number of free blocks at the orders that change.
 */
static void aeration_zone_set_order(struct zone *zone, unsigned int order)
{
	unsigned int old, o, lo;
	unsigned long raw = 0;
	struct page *page;
	int mt;

	if (!zone_is_initialized(zone))
		return;		/* no free lists yet: tracked from next time */
	spin_lock_irq(&zone->lock);
	old = zone->aeration.order;
	lo = old ? old : NR_PAGE_ORDERS;
	for (o = lo; o < NR_PAGE_ORDERS; o++) {
		if (order && o >= order)
			break;
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			list_for_each_entry(page, free_list(zone, o, mt),
					    buddy_list) {
				if (PageReported(page)) {
					__ClearPageReported(page);
					zone->aeration.nr_aerated -= 1UL << o;
				}
			}
			zone->aeration.boundary[o][mt] = NULL;
		}
	}
	if (!order) {
		memset(&zone->aeration, 0, sizeof(zone->aeration));
		spin_unlock_irq(&zone->lock);
		return;
	}
	for (o = order; o < NR_PAGE_ORDERS; o++) {
		raw += zone->free_area[o].nr_free << o;
		list_for_each_entry(page, free_list(zone, o, MIGRATE_ISOLATE),
				    buddy_list)
			if (!PageReported(page))
				raw -= 1UL << o;
	}
	zone->aeration.order = order;
	zone->aeration.nr_raw = raw - zone->aeration.nr_aerated;
	spin_unlock_irq(&zone->lock);
}

/* Can @zone lend a block of @order and stay above its low watermark? */
static bool aeration_room_for(struct zone *zone, unsigned int order)
{
	return zone_page_state(zone, NR_FREE_PAGES) >=
	       low_wmark_pages(zone) + (1UL << order);
}

/* The raw page the worker takes next from a list: the coldest one. */
static struct page *last_raw(struct zone *zone, unsigned int order, int mt)
{
	struct list_head *list = free_list(zone, order, mt);
	struct list_head *bound = zone->aeration.boundary[order][mt];
	struct list_head *prev = bound ? bound->prev : list->prev;

	return prev == list ? NULL : list_entry(prev, struct page, buddy_list);
}

/*
 * Take up to @max raw pages off @zone's tracked lists, largest first, into
 * aer.sgl.  Stops rather than take the zone below its low watermark.
 */
static unsigned int aeration_isolate(struct zone *zone, unsigned int max)
{
	unsigned int lowest = zone->aeration.order;
	unsigned int n = 0, order;
	struct page *page;
	int mt;

	if (!lowest)
		return 0;
	sg_init_table(aer.sgl, max);
	for (order = MAX_PAGE_ORDER + 1; order-- > lowest && n < max;) {
		for (mt = 0; mt < MIGRATE_TYPES && n < max; mt++) {
			if (is_migrate_isolate(mt))
				continue;
			while (n < max && (page = last_raw(zone, order, mt))) {
				if (!aeration_room_for(zone, order))
					goto out;
				if (!__isolate_free_page(page, order))
					goto out;
				sg_set_page(&aer.sgl[n++], page,
					    PAGE_SIZE << order, 0);
			}
		}
	}
out:
	if (n)
		sg_mark_end(&aer.sgl[n - 1]);
	return n;
}

/**
 * aeration_putback_range - return an isolated free page to the free lists
 * @page: first page, taken with __isolate_free_page()
 * @order: its order
 * @aerated: it goes back aerated
 *
 * Each pageblock goes back to the list of its own type: one may have been
 * isolated while the page was off the lists (as split_large_buddy() does
 * for the normal free path).  The pieces merge again where their types
 * allow.  zone->lock must be held.
 */
void aeration_putback_range(struct page *page, unsigned int order,
			    bool aerated)
{
	unsigned int piece = min_t(unsigned int, order, pageblock_order);
	unsigned long done;

	for (done = 0; done < (1UL << order); done += 1UL << piece)
		aeration_putback_page(page + done, piece,
				      get_pageblock_migratetype(page + done),
				      aerated);
}

/* Give the batch back to the free lists: aerated if it was reported. */
static unsigned long aeration_return(struct zone *zone, unsigned int n,
				     bool aerated)
{
	unsigned long pages = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		unsigned int order = get_order(aer.sgl[i].length);

		aeration_putback_range(sg_page(&aer.sgl[i]), order, aerated);
		pages += 1UL << order;
	}
	return pages;
}

/*
 * Report @zone down to half its high mark; or, to @settle, the raw pages
 * it has now (not more: frees go on meanwhile).
 */
static int aeration_zone(struct zone *zone, struct aeration_dev_info *dev,
			 bool settle)
{
	unsigned int max = min_t(unsigned int, READ_ONCE(aeration_batch),
				 min(dev->capacity, AERATION_BATCH_MAX));
	unsigned long pages, budget = ULONG_MAX;
	unsigned int n, order;
	u64 t0, dt;
	int err;

	if (settle)
		budget = READ_ONCE(zone->aeration.nr_raw);
	for (;;) {
		spin_lock_irq(&zone->lock);
		if (!zone->aeration.order || !zone->aeration.nr_raw || !budget ||
		    (!settle && zone->aeration.nr_raw <= high_mark(zone) / 2)) {
			spin_unlock_irq(&zone->lock);
			return 0;
		}
		n = aeration_isolate(zone, max);
		spin_unlock_irq(&zone->lock);
		if (!n)
			return 0;

		order = get_order(aer.sgl[0].length);
		t0 = ktime_get_ns();
		err = dev->report(dev, aer.sgl, n);
		dt = ktime_get_ns() - t0;

		spin_lock_irq(&zone->lock);
		pages = aeration_return(zone, n, !err);
		spin_unlock_irq(&zone->lock);

		trace_aeration_batch(zone, order, n, pages, dt, err);
		if (err)
			return err;
		budget -= min(budget, pages);
		count_vm_events(AERATION_PAGES_REPORTED, pages);
		count_vm_event(AERATION_BATCHES);
		cond_resched();
	}
}

/*
 * Room to report in some zone?  Otherwise a settle pass would only drain
 * per-cpu lists into zones that keep their pages anyway.
 */
static bool aeration_room(void)
{
	struct zone *zone;

	for_each_populated_zone(zone) {
		unsigned int order = READ_ONCE(zone->aeration.order);

		if (order && aeration_room_for(zone, order))
			return true;
	}
	return false;
}

/*
 * Run as requested (a zone passed its high mark), or as the settle pass
 * queued at the end of the last run, which nobody requested.
 */
static void aeration_process(struct work_struct *work)
{
	struct aeration_dev_info *dev = READ_ONCE(aer.dev);
	unsigned int settle_ms = READ_ONCE(aeration_settle_ms);
	bool failed = false, settle;
	struct zone *zone;
	int old, next;

	if (WARN_ON_ONCE(!dev))
		return;
	old = atomic_xchg(&aer.state, AERATION_ACTIVE);
	settle = old == AERATION_SETTLE;
	/* A settle pass switched off since it was queued does nothing. */
	if (settle && !settle_ms)
		goto done;
	if (settle)
		aer.settles++;
	for_each_populated_zone(zone) {
		/*
		 * Per-cpu lists back to the buddy lists, where they merge
		 * and count as raw; per zone, as that waits for another
		 * drain in progress rather than skip.
		 */
		if (settle)
			drain_all_pages(zone);
		if (aeration_zone(zone, dev, settle)) {
			failed = true;
			break;
		}
	}

	/*
	 * A request came in while we ran: run again after the delay.  Not
	 * after a device failure: our own put-back of the failed batch
	 * raises a request, and a broken device would be retried forever.
	 * The next free above the high mark tries again.
	 */
	if (failed) {
		atomic_set(&aer.state, AERATION_IDLE);
		return;
	}
done:
	/*
	 * After a normal pass, the settle pass: even with nothing raw left,
	 * as what the per-cpu lists hold reaches the buddy lists by pcp high
	 * decay, below the mark.  Queued before the state says so, so that
	 * a request after that finds it queued and brings it forward.  It
	 * cannot run before this returns (a work item does not run twice
	 * at once).
	 */
	next = AERATION_IDLE;
	if (!settle && settle_ms && aeration_room()) {
		mod_delayed_work(system_freezable_wq, &aer.work,
				 msecs_to_jiffies(settle_ms));
		next = AERATION_SETTLE;
	}
	if (atomic_cmpxchg(&aer.state, AERATION_ACTIVE, next) !=
	    AERATION_ACTIVE)
		aeration_queue();
}

/* One engine owns PG_reported and the free list order: not both. */
static bool page_reporting_active(void)
{
#ifdef CONFIG_PAGE_REPORTING
	return static_key_enabled(&page_reporting_enabled);
#else
	return false;
#endif
}

/**
 * aeration_register - start reporting free pages to a device
 * @aerdev: the device; report and capacity must be set
 *
 * Only one device at a time.  Every free page of a tracked order starts out
 * raw, so the worker soon reports all free memory.
 *
 * Return: 0, -EINVAL for a bad @aerdev, -EBUSY if a device is registered,
 * -ENOMEM.
 */
int aeration_register(struct aeration_dev_info *aerdev)
{
	struct scatterlist *sgl;
	struct zone *zone;
	unsigned int cap;
	int err = 0;

	if (!aerdev || !aerdev->report || !aerdev->capacity)
		return -EINVAL;

	mutex_lock(&aeration_mutex);
	if (aer.dev || page_reporting_active()) {
		err = -EBUSY;
		goto out;
	}
	cap = min_t(unsigned int, aerdev->capacity, AERATION_BATCH_MAX);
	sgl = kmalloc_array(cap, sizeof(*sgl), GFP_KERNEL);
	if (!sgl) {
		err = -ENOMEM;
		goto out;
	}
	aer.sgl = sgl;
	if (aerdev->order)
		aeration_order = clamp_t(int, aerdev->order, order_min,
					 order_max);
	atomic_set(&aer.state, AERATION_IDLE);
	WRITE_ONCE(aer.dev, aerdev);

	static_branch_enable(&aeration_enabled);
	for_each_zone(zone)
		aeration_zone_set_order(zone, aeration_order);
	aeration_request();
	pr_info("reporting free pages of order >= %d, %u ranges a batch\n",
		aeration_order, min_t(unsigned int, aeration_batch,
				      aerdev->capacity));
out:
	mutex_unlock(&aeration_mutex);
	return err;
}
EXPORT_SYMBOL_GPL(aeration_register);

/**
 * aeration_unregister - stop reporting to a device
 * @aerdev: the device passed to aeration_register()
 *
 * Waits for a batch in flight; when this returns, every page is back on a
 * free list and the device is never called again.
 */
void aeration_unregister(struct aeration_dev_info *aerdev)
{
	struct zone *zone;

	mutex_lock(&aeration_mutex);
	if (!aerdev || aer.dev != aerdev)
		goto out;
	/* Stop tracking first: no hook can queue work after this. */
	for_each_zone(zone)
		aeration_zone_set_order(zone, 0);
	cancel_delayed_work_sync(&aer.work);
	static_branch_disable(&aeration_enabled);
	WRITE_ONCE(aer.dev, NULL);
	kfree(aer.sgl);
	aer.sgl = NULL;
out:
	mutex_unlock(&aeration_mutex);
}
EXPORT_SYMBOL_GPL(aeration_unregister);

static int aeration_order_handler(const struct ctl_table *table, int write,
				  void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ctl_table t = *table;
	struct zone *zone;
	int order, err;

	mutex_lock(&aeration_mutex);
	order = aeration_order;
	t.data = &order;
	err = proc_dointvec_minmax(&t, write, buffer, lenp, ppos);
	if (!err && write && order != aeration_order) {
		aeration_order = order;
		if (aer.dev) {
			for_each_zone(zone)
				aeration_zone_set_order(zone, order);
			aeration_request();
		}
	}
	mutex_unlock(&aeration_mutex);
	return err;
}

static int wmark_max = 1 << 20;
static int delay_max = 60 * MSEC_PER_SEC;
static int batch_max = AERATION_BATCH_MAX;

static struct ctl_table aeration_sysctls[] = {
	{
		.procname	= "aeration_order",
		.data		= &aeration_order,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= aeration_order_handler,
		.extra1		= &order_min,
		.extra2		= &order_max,
	},
	{
		.procname	= "aeration_high_wmark",
		.data		= &aeration_high_wmark,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &wmark_max,
	},
	{
		.procname	= "aeration_delay_ms",
		.data		= &aeration_delay_ms,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &delay_max,
	},
	{
		.procname	= "aeration_batch",
		.data		= &aeration_batch,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &batch_max,
	},
	{
		.procname	= "aeration_settle_ms",
		.data		= &aeration_settle_ms,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &delay_max,
	},
};

/* /sys/kernel/debug/aeration/zones: per zone and order, raw and aerated. */
static int aeration_zones_show(struct seq_file *m, void *v)
{
	unsigned long raw[NR_PAGE_ORDERS], aerated[NR_PAGE_ORDERS];
	unsigned long nr_raw, nr_aerated;
	unsigned int o, order;
	struct zone *zone;
	struct page *page;
	int mt;

	seq_puts(m, "# node zone order raw_pages aerated_pages [order:raw/aerated blocks ...]\n");
	for_each_populated_zone(zone) {
		memset(raw, 0, sizeof(raw));
		memset(aerated, 0, sizeof(aerated));
		spin_lock_irq(&zone->lock);
		order = zone->aeration.order;
		nr_raw = zone->aeration.nr_raw;
		nr_aerated = zone->aeration.nr_aerated;
		for (o = order ? order : NR_PAGE_ORDERS; o < NR_PAGE_ORDERS; o++)
			for (mt = 0; mt < MIGRATE_TYPES; mt++)
				list_for_each_entry(page, free_list(zone, o, mt),
						    buddy_list) {
					if (PageReported(page))
						aerated[o]++;
					else
						raw[o]++;
				}
		spin_unlock_irq(&zone->lock);
		seq_printf(m, "%d %s %u %lu %lu", zone_to_nid(zone), zone->name,
			   order, nr_raw, nr_aerated);
		for (o = order ? order : NR_PAGE_ORDERS; o < NR_PAGE_ORDERS; o++)
			seq_printf(m, " %u:%lu/%lu", o, raw[o], aerated[o]);
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(aeration_zones);

static int __init aeration_init(void)
{
	struct dentry *dir;

	INIT_DELAYED_WORK(&aer.work, aeration_process);
	if (aeration_order < 0)
		aeration_order = pageblock_order;
	register_sysctl_init("vm", aeration_sysctls);
	dir = debugfs_create_dir("aeration", NULL);
	debugfs_create_file("zones", 0400, dir, NULL, &aeration_zones_fops);
	return 0;
}

/* Before device drivers register (device_initcall). */
subsys_initcall(aeration_init);

#ifdef CONFIG_AERATION_KUNIT_TEST
#include "tests/aeration-kunit.h"
#endif
