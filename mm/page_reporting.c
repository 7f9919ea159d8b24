// SPDX-License-Identifier: GPL-2.0
/*
 * Free page reporting: the aeration engine.
 *
 * Free buddy pages of order >= vm.aeration_order are either raw (the host
 * still backs them) or aerated (reported: the host may have dropped their
 * memory).  Each tracked free list keeps its raw pages ahead of its aerated
 * ones (see mm/page_reporting.h), so the allocator hands out raw pages first and
 * the worker finds raw pages without walking aerated ones.  Aerated state
 * survives the buddy allocator: two aerated buddies merge into an aerated
 * page and an aerated page split at tracked orders leaves aerated pieces.
 *
 * When a zone's raw pages pass vm.aeration_high_wmark blocks, a work item
 * run after vm.aeration_delay_ms, on an idle CPU if one of the next few is,
 * takes raw pages off the free lists in batches of vm.aeration_batch (never
 * below the zone's low watermark), drops the zone lock, hands them to the
 * device and puts them back as aerated, until the zone is below half the
 * high mark.  Pages are off the free lists, invisible to the allocator,
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

#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/page-isolation.h>
#include <linux/page_reporting.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/sched/isolation.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "page_reporting.h"

#define CREATE_TRACE_POINTS
#include <trace/events/aeration.h>

DEFINE_STATIC_KEY_FALSE(page_reporting_enabled);

#define AERATION_BATCH_MAX	256	/* most ranges in one device call */
#define AERATION_WALK_CHUNK	256	/* free blocks per zone->lock hold */
#define AERATION_CPU_SCAN	8	/* other CPUs aeration_cpu() looks at */

/* Tunables, /proc/sys/vm/aeration_*; see Documentation/admin-guide/mm/aeration.rst */
/*
 * The lowest order reported, vm.aeration_order; pageblock_order once
 * known.  Exported as in stock page_reporting: a device may read it, and
 * one that writes it (hv_balloon, after the host refused a smaller order)
 * gets no smaller block from the next batch on; the worker then tracks
 * the zones from it (aeration_retrack()).
 */
unsigned int page_reporting_order = -1;
EXPORT_SYMBOL_GPL(page_reporting_order);
static bool aeration_order_set;		/* by the admin: devices keep it */
static unsigned int aeration_admin_order;	/* what the admin set */
static bool aeration_ready;		/* aeration_init() has run */
static int aeration_high_wmark = 32;	/* raw blocks of the tracked order per zone */
static int aeration_delay_ms = 100;
static int aeration_batch = 32;
static int aeration_settle_ms = 1000;	/* 0: no settle pass */
static int aeration_delay_max_ms = 10000;	/* backed off: the slowest */
static int aeration_adaptive = 1;	/* Documentation/mm/aeration.rst */

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
	AERATION_DEFERRED,	/* the look armed for a zone that backs off */
};

static struct {
	struct page_reporting_dev_info *dev;
	struct scatterlist *sgl;	/* dev_capacity(dev) entries */
	struct work_struct work;	/* aeration_process() */
	struct timer_list kick;		/* queues it: aeration_kick() */
	struct timer_list look;		/* DEFERRED: aeration_look() */
	atomic_t state;
	bool paused;			/* tracked orders are changing */
	bool held;			/* the host migrates us: page_reporting_hold() */
	bool settle_pending;		/* a settle pass is due at settle_at */
	unsigned long settle_at;	/* jiffies */
	unsigned int order;		/* the order zones are tracked from */
	unsigned long settles;		/* settle passes run */
	unsigned long runs;		/* runs of the worker (KUnit) */
	unsigned long looks;		/* of them, woken by the look (KUnit) */
	int cpu;			/* where the worker last ran (KUnit) */
	bool zeroes;			/* dev's reports known zero: page_zeroed_enable() */
} aer;

static DEFINE_MUTEX(aeration_mutex);
/* A pass of the worker or vm.aeration_report_now: aer.sgl, device calls. */
static DEFINE_MUTEX(aeration_pass_mutex);

static void aeration_adapt_reset(struct zone *zone);

static unsigned int dev_capacity(struct page_reporting_dev_info *prdev)
{
	return prdev->capacity ?: PAGE_REPORTING_CAPACITY;
}

/*
 * Register, unregister and order changes walk every zone and flip the
 * static key: they exclude memory hotplug (a zone being initialised) and
 * take the CPU hotplug lock first, in the order memory hotplug takes them
 * before it calls aeration_memory_notify() with aeration_mutex.
 */
static void aeration_lock(void)
{
	cpus_read_lock();
	get_online_mems();
	mutex_lock(&aeration_mutex);
}

static void aeration_unlock(void)
{
	mutex_unlock(&aeration_mutex);
	put_online_mems();
	cpus_read_unlock();
}

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
 * A CPU the worker may run on: up, and not isolated (isolcpus=, cpuset
 * partitions, or nohz_full=, which is the only source of HK_TYPE_WQ and
 * sets HK_TYPE_TICK with it).
 */
static bool aeration_cpu_ok(int cpu)
{
	return cpu_active(cpu) && !cpu_is_isolated(cpu);
}

/*
 * The CPU to run the worker on, chosen when it is to run, from a timer:
 * this one if it is idle, else the first idle one among the next
 * AERATION_CPU_SCAN CPUs it may run on, else this one (the workqueue's
 * choice), or, if the worker may not run on this one (isolated), the first
 * busy one it may run on, or any housekeeping one.  Left to the
 * workqueue, a pass ran where its timer fired: the CPU whose frees asked
 * for it, which was busy and kept it, or, for a timer armed on a CPU that
 * then went idle, the busy CPU that timer migration fires it on.  Either
 * way the worker preempted the program that frees
 * (Documentation/mm/aeration.rst).  Lockless reads of a few run queues.
 */
static int aeration_cpu(void)
{
	int this = smp_processor_id(), cpu, busy = -1, seen = 0;
	bool mine = aeration_cpu_ok(this);

	if (mine && available_idle_cpu(this))
		return this;
	for_each_cpu_wrap(cpu, cpu_active_mask, this) {
		if (cpu == this || !aeration_cpu_ok(cpu))
			continue;
		if (available_idle_cpu(cpu))
			return cpu;
		if (busy < 0)
			busy = cpu;
		if (++seen == AERATION_CPU_SCAN)
			break;
	}
	if (mine)
		return WORK_CPU_UNBOUND;
	return busy >= 0 ? busy : housekeeping_any_cpu(HK_TYPE_WQ);
}

/* Queue the worker now, on the CPU aeration_cpu() chooses. */
static void aeration_wake(void)
{
	queue_work_on(aeration_cpu(), system_freezable_wq, &aer.work);
}

/*
 * The worker's delay: a timer of ours rather than a delayed work's, so that
 * the CPU is chosen when the worker is to run.  Queues it whatever the
 * state, as a delayed work's timer would.
 */
static void aeration_kick(struct timer_list *unused)
{
	aeration_wake();
}

/*
 * Run the worker in @delay jiffies, as mod_delayed_work() would: a run
 * queued by a kick that already fired is taken back first (from the
 * worker, that is a next run, never itself).  A kick firing just then may
 * still queue one, which runs at once, a harmless extra run.
 */
static void aeration_kick_in(unsigned long delay)
{
	cancel_work(&aer.work);
	mod_timer(&aer.kick, jiffies + delay);
}

/* No kick armed, no run queued or running (until the next request). */
static void aeration_kick_cancel(void)
{
	timer_delete_sync(&aer.kick);
	cancel_work_sync(&aer.work);
}

/*
 * At least one jiffy: this runs under zone->lock, and a zero delay would
 * wake a worker (scheduler locks) from under it.  The freezable workqueue
 * keeps the worker (and a batch in flight) out of the way of suspend,
 * when the device is torn down.  A queued settle pass becomes this normal
 * pass: it is brought forward (or, for a long vm.aeration_delay_ms, pushed
 * back).  Callers store REQUESTED first: a worker that deletes the kick
 * when it starts serves them.
 */
static void aeration_queue(void)
{
	unsigned long delay = msecs_to_jiffies(READ_ONCE(aeration_delay_ms));

	aeration_kick_in(max(1UL, delay));
}

static void aeration_request(void)
{
	int old;

	/* Held for a migration: page_reporting_hold(false) requests. */
	if (READ_ONCE(aer.held) ||
	    atomic_read(&aer.state) == AERATION_REQUESTED)
		return;
	old = atomic_xchg(&aer.state, AERATION_REQUESTED);
	/* ACTIVE: the worker sees REQUESTED when it is done and requeues. */
	if (old != AERATION_REQUESTED && old != AERATION_ACTIVE)
		aeration_queue();
}

/* @zone's aerated pages change by @nr: the exact count and the gauge. */
static inline void aeration_account(struct zone *zone, long nr)
{
	zone->aeration.nr_aerated += nr;
	__mod_zone_page_state(zone, NR_FREE_REPORTED, nr);
}

/**
 * __aeration_add - put a free page on a tracked free list
 * @page: the page, PageReported if it is aerated
 * @zone: its zone, locked
 * @order: its order, tracked
 * @mt: the free list's migratetype
 * @tail: for a raw page, add it behind the other raw pages
 *
 * An aerated page goes to the boundary, behind every raw page and ahead of
 * the pages reported before it: once the raw pages are gone the allocator
 * takes the most recently reported memory first, which a host that frees
 * lazily (MADV_FREE) most likely still holds, and the memory reported long
 * ago stays given back.  A raw page goes to the head, or just before the
 * boundary for @tail: a page freed while the worker runs is never hidden
 * among the aerated ones.
 */
void __aeration_add(struct page *page, struct zone *zone, unsigned int order,
		    int mt, bool tail)
{
	struct list_head *list = free_list(zone, order, mt);
	struct list_head **bound = &zone->aeration.boundary[order][mt];

	if (PageReported(page)) {
		list_add_tail(&page->buddy_list, *bound ? *bound : list);
		*bound = &page->buddy_list;
		aeration_account(zone, 1L << order);
		return;
	}

	if (!tail)
		list_add(&page->buddy_list, list);
	else
		list_add_tail(&page->buddy_list, *bound ? *bound : list);

	if (is_migrate_isolate(mt))
		return;
	/* Read without the lock by the settle pass: WRITE_ONCE. */
	WRITE_ONCE(zone->aeration.nr_raw, zone->aeration.nr_raw + (1UL << order));
	/*
	 * Not for a zone that backs off while the worker is queued or the
	 * look armed (DEFERRED): it comes back for the zone at the end of
	 * its interval anyway, and a request would put other zones' settle
	 * pass off.  An idle worker (after a device error) is not coming
	 * back: request.
	 */
	if (zone->aeration.nr_raw > high_mark(zone) &&
	    (!READ_ONCE(zone->aeration.interval_ms) ||
	     atomic_read(&aer.state) == AERATION_IDLE))
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
		aeration_account(zone, -(1L << order));
		__ClearPageReported(page);
	} else if (!is_migrate_isolate(mt)) {
		WRITE_ONCE(zone->aeration.nr_raw,
			   zone->aeration.nr_raw - (1UL << order));
		/* Raw memory taken, and its low point: aeration_adapt(). */
		zone->aeration.nr_taken += 1UL << order;
		if (zone->aeration.nr_raw < zone->aeration.raw_min)
			zone->aeration.raw_min = zone->aeration.nr_raw;
	}
}

/**
 * __aeration_move - move a free page to the list of another migratetype
 * @page: the page, on the @old_mt list
 * @zone: its zone, locked
 * @order: its order, tracked
 * @old_mt: the list it is on
 * @new_mt: the list it goes to (a raw page behind the raw ones, an aerated
 *	    one ahead of the aerated ones)
 */
void __aeration_move(struct page *page, struct zone *zone, unsigned int order,
		     int old_mt, int new_mt)
{
	unsigned long taken = zone->aeration.nr_taken;
	unsigned long raw_min = zone->aeration.raw_min;
	bool aerated = PageReported(page);

	__aeration_del(page, zone, order, old_mt);
	list_del(&page->buddy_list);
	if (aerated)
		__SetPageReported(page);
	__aeration_add(page, zone, order, new_mt, true);
	/* Not taken: the same free page on another list. */
	zone->aeration.nr_taken = taken;
	zone->aeration.raw_min = raw_min;
}

/*
 * Turn up to AERATION_WALK_CHUNK aerated pages of @zone's free lists of
 * orders [@lo, @hi) into raw ones, each list from its boundary on.  Every
 * step leaves a valid list: the boundary moves one page towards the tail.
 * Return: true when those lists hold no aerated page any more.
 */
static bool aeration_unaerate(struct zone *zone, unsigned int lo,
			      unsigned int hi)
{
	unsigned int o, n = 0;
	int mt;

	lockdep_assert_held(&zone->lock);
	for (o = lo; o < hi; o++) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct list_head *list = free_list(zone, o, mt);
			struct list_head **bound = &zone->aeration.boundary[o][mt];
			struct page *page;

			while (*bound) {
				if (n++ == AERATION_WALK_CHUNK)
					return false;
				page = list_entry(*bound, struct page, buddy_list);
				*bound = page->buddy_list.next == list ? NULL :
					 page->buddy_list.next;
				__ClearPageReported(page);
				aeration_account(zone, -(1L << o));
				if (!is_migrate_isolate(mt))
					WRITE_ONCE(zone->aeration.nr_raw,
						   zone->aeration.nr_raw + (1UL << o));
			}
		}
	}
	return true;
}

/*
 * Start or stop tracking @zone's free lists from @order up (0: stop).
 * Lists that stop being tracked lose their aerated state first (their
 * pages are reported again if they become tracked later), a bounded
 * number of pages per zone->lock hold; callers pause the worker meanwhile
 * (aeration_pause()), which would only report them again.  The raw count
 * is then derived from nr_free; only the isolated lists (pageblocks being
 * isolated, a transient state) are walked for it.
 */
static void aeration_zone_set_order(struct zone *zone, unsigned int order)
{
	unsigned int old, o;
	unsigned long raw = 0;
	struct page *page;
	int mt;

	if (!zone_is_initialized(zone))
		return;		/* no free lists yet: aeration_memory_notify() */
	spin_lock_irq(&zone->lock);
	old = zone->aeration.order;
	if (old == order)
		goto out;
	if (old && (!order || order > old)) {
		while (!aeration_unaerate(zone, old,
					  order ? order : NR_PAGE_ORDERS)) {
			spin_unlock_irq(&zone->lock);
			cond_resched();
			spin_lock_irq(&zone->lock);
		}
	}
	if (!order) {
		WARN_ON_ONCE(zone->aeration.nr_aerated);
		aeration_account(zone, -(long)zone->aeration.nr_aerated);
		WRITE_ONCE(zone->aeration.nr_raw, 0);
		aeration_adapt_reset(zone);
		WRITE_ONCE(zone->reporting_orders, 0);
		WRITE_ONCE(zone->aeration.order, 0);
		goto out;
	}
	for (o = order; o < NR_PAGE_ORDERS; o++) {
		raw += zone->free_area[o].nr_free << o;
		list_for_each_entry(page, free_list(zone, o, MIGRATE_ISOLATE),
				    buddy_list)
			if (!PageReported(page))
				raw -= 1UL << o;
	}
	/* Newly tracked lists were untracked: no aerated page, no boundary. */
	for (o = order; o < (old ? old : NR_PAGE_ORDERS); o++)
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			WARN_ON_ONCE(zone->aeration.boundary[o][mt]);
	WRITE_ONCE(zone->aeration.order, order);
	WRITE_ONCE(zone->reporting_orders, GENMASK(NR_PAGE_ORDERS - 1, order));
	WRITE_ONCE(zone->aeration.nr_raw, raw - zone->aeration.nr_aerated);
	aeration_adapt_reset(zone);
out:
	spin_unlock_irq(&zone->lock);
}

/*
 * Keep the worker out while tracked orders change: it would report the
 * pages aeration_zone_set_order() turns raw, for nothing.  A pass in
 * progress stops after its batch in flight, which this waits for.  A
 * request made meanwhile is lost; aeration_resume() makes one.
 */
static void aeration_pause(void)
{
	lockdep_assert_held(&aeration_mutex);
	WRITE_ONCE(aer.paused, true);
	aeration_kick_cancel();
	/* The worker armed a timer; the timer may have queued it again. */
	timer_delete_sync(&aer.look);
	aeration_kick_cancel();
	/* And for vm.aeration_report_now, which stops after its batch. */
	mutex_lock(&aeration_pass_mutex);
	mutex_unlock(&aeration_pass_mutex);
	/* A request whose work was cancelled would block all others. */
	atomic_set(&aer.state, AERATION_IDLE);
	aer.settle_pending = false;
}

static void aeration_resume(void)
{
	lockdep_assert_held(&aeration_mutex);
	WRITE_ONCE(aer.paused, false);
	smp_mb();	/* pairs with aeration_idle_paused() */
	aeration_request();
}

/*
 * The worker found itself paused: idle, unless a resume came meanwhile,
 * whose request may have found the state REQUESTED and queued nothing.
 */
static void aeration_idle_paused(void)
{
	atomic_set(&aer.state, AERATION_IDLE);
	smp_mb();	/* pairs with aeration_resume() */
	if (!READ_ONCE(aer.paused))
		aeration_request();
}

/* Can @zone lend a block of @order from a list of @mt above its low mark? */
static bool aeration_room_for(struct zone *zone, unsigned int order, int mt)
{
	return aeration_wmark_room(zone, order, mt, low_wmark_pages(zone));
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
 * Take up to @max raw pages, @budget base pages at most (rounded up to a
 * block), off @zone's tracked lists, largest first, into aer.sgl.  Stops
 * rather than take the zone below its low watermark.
 */
static unsigned int aeration_isolate(struct zone *zone, unsigned int max,
				     unsigned long budget)
{
	unsigned int lowest = zone->aeration.order;
	unsigned long pages = 0;
	unsigned int n = 0, order;
	struct page *page;
	int mt;

	if (!lowest)
		return 0;
	/*
	 * Never below page_reporting_order, even before the zones are
	 * tracked from a device's new one (aeration_retrack()).
	 */
	lowest = max(lowest, READ_ONCE(page_reporting_order));
	sg_init_table(aer.sgl, max);
	for (order = MAX_PAGE_ORDER + 1; order-- > lowest && n < max;) {
		for (mt = 0; mt < MIGRATE_TYPES && n < max; mt++) {
			if (is_migrate_isolate(mt))
				continue;
			while (n < max && (page = last_raw(zone, order, mt))) {
				if (pages >= budget)
					goto out;
				if (!aeration_room_for(zone, order, mt))
					goto out;
				if (!aeration_isolate_page(page, order))
					goto out;
				sg_set_page(&aer.sgl[n++], page,
					    PAGE_SIZE << order, 0);
				pages += 1UL << order;
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
 * @page: first page, taken with aeration_isolate_page()
 * @order: its order
 * @how: AERATION_PUT_AERATED if it goes back aerated, with
 *	AERATION_PUT_ZEROED if it also reads zero (known zero)
 *
 * A page larger than a pageblock goes back whole if its pageblocks still
 * share one type (a free page's pageblocks do, and aeration_isolate_page()
 * keeps it), to the list of that type: pieces below a
 * tracked order would lose the aerated state and merge back into a raw
 * page, to be reported again.  Otherwise (one was isolated while the page
 * was off the lists) each pageblock goes back to the list of its own type,
 * as split_large_buddy() does for the normal free path, and the pieces
 * merge again where their types allow.  zone->lock must be held.
 */
void aeration_putback_range(struct page *page, unsigned int order,
			    unsigned int how)
{
	int mt = get_pageblock_migratetype(page);
	unsigned int piece = order;
	unsigned long done;

	for (done = pageblock_nr_pages; done < (1UL << order);
	     done += pageblock_nr_pages) {
		if (get_pageblock_migratetype(page + done) != mt) {
			piece = pageblock_order;
			break;
		}
	}

	for (done = 0; done < (1UL << order); done += 1UL << piece)
		aeration_putback_page(page + done, piece,
				      get_pageblock_migratetype(page + done),
				      how);
}

/* Give the batch back to the free lists, as @how says (above). */
static unsigned long aeration_return(struct zone *zone, unsigned int n,
				     unsigned int how)
{
	unsigned long pages = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		unsigned int order = get_order(aer.sgl[i].length);

		aeration_putback_range(sg_page(&aer.sgl[i]), order, how);
		pages += 1UL << order;
	}
	return pages;
}

/*
 * Report raw pages of @zone, @budget base pages at most, while it holds
 * more than @floor raw ones; with a *@deadline (jiffies; NULL: none, the
 * worker) stop past it with -ETIMEDOUT, or on a signal with -EINTR.  The
 * device's error otherwise; the pages reported are added to *@reported.
 */
static int aeration_zone(struct zone *zone, struct page_reporting_dev_info *dev,
			 unsigned long budget, unsigned long floor,
			 const unsigned long *deadline, unsigned long *reported)
{
	unsigned int max = min_t(unsigned int, READ_ONCE(aeration_batch),
				 min(dev_capacity(dev), AERATION_BATCH_MAX));
	unsigned long pages;
	unsigned int n, order, how;
	u64 t0, dt;
	int err;

	for (;;) {
		spin_lock_irq(&zone->lock);
		if (READ_ONCE(aer.paused) || READ_ONCE(aer.held) ||
		    !zone->aeration.order ||
		    zone->aeration.nr_raw <= floor || !budget) {
			spin_unlock_irq(&zone->lock);
			return 0;
		}
		n = aeration_isolate(zone, max, budget);
		spin_unlock_irq(&zone->lock);
		if (!n)
			return 0;

		order = get_order(aer.sgl[0].length);
		t0 = ktime_get_ns();
		err = dev->report(dev, aer.sgl, n);
		dt = ktime_get_ns() - t0;

		/* Reported; known zero too if the device said so and may. */
		if (WARN_ON_ONCE(err > 0 && err != PAGE_REPORTING_ZEROED))
			err = -EINVAL;
		how = AERATION_PUT_RAW;
		if (err >= 0) {
			how = AERATION_PUT_AERATED;
			if (err == PAGE_REPORTING_ZEROED && READ_ONCE(aer.zeroes) &&
			    READ_ONCE(page_zeroed_ok))
				how |= AERATION_PUT_ZEROED;
			err = 0;
		}
		spin_lock_irq(&zone->lock);
		pages = aeration_return(zone, n, how);
		spin_unlock_irq(&zone->lock);
		if (how & AERATION_PUT_ZEROED)
			count_vm_events(AERATION_PAGES_ZEROED, pages);

		trace_aeration_batch(zone, order, n, pages, dt, err);
		if (err)
			return err;
		budget -= min(budget, pages);
		*reported += pages;
		count_vm_events(AERATION_PAGES_REPORTED, pages);
		count_vm_event(AERATION_BATCHES);
		if (deadline && time_after(jiffies, *deadline))
			return -ETIMEDOUT;
		if (deadline && signal_pending(current))
			return -EINTR;
		cond_resched();
	}
}

/*
 * Adaptive reporting (vm.aeration_adaptive).  Reporting a block that the
 * guest allocates again soon costs twice, the host drops it and then
 * faults it back in, and gains nothing.  Between two of its passes each
 * zone keeps:
 *
 *  - reuse: pages allocated out of aerated ones within
 *    vm.aeration_delay_max_ms of the zone's last report
 *    (zone->aeration.nr_reused, counted by the allocator);
 *  - taken: raw pages that left its tracked lists, allocated or isolated
 *    (nr_taken, kept by __aeration_del(); not a buddy merging or a page
 *    changing lists; the pass's own isolations are behind the snapshot
 *    taken after it);
 *  - the low point of its raw count (raw_min): that many raw pages stayed
 *    free through the whole interval.
 *
 * At each pass of the zone:
 *
 *  - if the reuse is more than an eighth of the zone's last report (or
 *    of its high mark, if that is more), that is a verdict of reuse.  It
 *    is churn if the zone already backs off, or if the verdict before it
 *    was one of reuse too and at least half of what came back, then or
 *    now, was reported again since: memory that comes back, leaves and
 *    comes back again.  Memory taken once and kept (a workload growing,
 *    a program starting) is not churn, however many passes it spans, as
 *    nothing is freed and reported between them.  A verdict is
 *    forgotten once nothing the zone reported can count as reuse
 *    (vm.aeration_delay_max_ms after its last report), when the zone
 *    goes quiet, and with adaptation off.  On churn, back off: the
 *    interval becomes twice what it was (vm.aeration_delay_ms at first)
 *    and at least twice the time since the last report (within which
 *    the reuse came), at most vm.aeration_delay_max_ms;
 *  - otherwise, if less than half the high mark was taken from its raw
 *    memory, the zone went quiet: it stops backing off and forgets its
 *    last verdict of reuse;
 *  - otherwise it keeps its interval (at most the maximum).
 *
 * A zone that backs off is passed once per interval (the worker comes
 * back for it until it stops backing off) and reports only raw_min
 * pages, the coldest raw ones, those that stayed free the whole interval;
 * the settle pass leaves it alone.  Between its passes a timer looks
 * at it (aeration_look()) every quarter of the idle window,
 * 4 * vm.aeration_delay_ms (at least AERATION_IDLE_MIN_MS;
 * aeration_idle_window()): once no more was
 * taken from its raw memory, cut from aerated memory, allocated from
 * zones of its kind (the per-cpu lists hold THPs too) or freed over a whole
 * window than the rule above allows over an interval, scaled down to the
 * window (at least one block), the guest went idle, and the zone stops
 * backing off at once rather than at the end of an interval of up to
 * vm.aeration_delay_max_ms (aeration_zone_idle(), then the worker's
 * aeration_adapt_idle()).  It keeps its last
 * verdict of reuse for two windows: if it churns again by then, that was
 * a pause of its churn, the zone backs off at its next verdict and its
 * window doubles (up to a quarter of the maximum), until it goes quiet
 * at a pass or forgets the verdict.  Later, it forgets both.  So the
 * window outgrows the pauses of a program that churns, and stays short
 * enough that what an idle guest freed goes back to the host within a
 * second by default.
 *
 * A zone that does not back off reports as it always did: after
 * vm.aeration_delay_ms down to half the high mark, then the rest at the
 * settle pass.
 */
enum aeration_adapt_why {
	AERATION_ADAPT_REUSE = 0,	/* backed off: "reuse" */
	AERATION_ADAPT_QUIET = 1,	/* stopped backing off: "quiet" */
	AERATION_ADAPT_OFF = 2,		/* vm.aeration_adaptive off: "off" */
	AERATION_ADAPT_MAX = 3,		/* vm.aeration_delay_max_ms lowered */
	AERATION_ADAPT_GROWTH = 4,	/* reuse, not churn: interval kept */
	AERATION_ADAPT_IDLE = 5,	/* idle within an interval: "idle" */
};

#define AERATION_IDLE_MIN_MS	400	/* the shortest idle window */

static unsigned int interval_max(void)
{
	return max(READ_ONCE(aeration_delay_ms),
		   READ_ONCE(aeration_delay_max_ms));
}

/*
 * How long @zone, which backs off, must be idle to stop: jiffies.  Four
 * times vm.aeration_delay_ms, at least AERATION_IDLE_MIN_MS, or what the
 * zone learned: longer than its churn's pauses.
 */
static unsigned long aeration_idle_window(struct zone *zone)
{
	unsigned int ms = max_t(unsigned int, 4U * READ_ONCE(aeration_delay_ms),
				AERATION_IDLE_MIN_MS);

	/* What it learned, within a lowered maximum's bound too. */
	return msecs_to_jiffies(max(ms, min(zone->aeration.idle_ms,
					    interval_max() / 4)));
}

/* Forget what @zone learned of its pauses. */
static void aeration_idle_forget(struct zone *zone)
{
	zone->aeration.idle_ms = 0;
	zone->aeration.idle_ended = false;
}

/*
 * Activity of @zone: pages allocated from zones of its kind, from the
 * per-cpu lists too, which the counts of its free lists do not see (a
 * THP freed and taken again stays on a CPU's list), and pages freed
 * anywhere (a program unmapping its memory is not idle either, however
 * long that takes): a racy sum, for aeration_zone_idle().
 */
static unsigned long aeration_zone_activity(struct zone *zone)
{
	unsigned long sum = 0;
#ifdef CONFIG_VM_EVENT_COUNTERS
	enum vm_event_item item = PGALLOC_NORMAL - ZONE_NORMAL + zone_idx(zone);
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vm_event_state *ev = &per_cpu(vm_event_states, cpu);

		/* Other CPUs count meanwhile: a few pages off is fine. */
		sum += data_race(ev->event[item]) + data_race(ev->event[PGFREE]);
	}
#endif
	return sum;
}

/* Start a new interval of @zone's signal here; zone->lock held. */
static void aeration_adapt_mark(struct zone *zone)
{
	zone->aeration.raw_min = zone->aeration.nr_raw;
	zone->aeration.reused_seen = zone->aeration.nr_reused;
	zone->aeration.taken_seen = zone->aeration.nr_taken;
}

/*
 * Start @zone's idle window here, after a pass (the worker's, not under
 * zone->lock: the sum over the CPUs is no work for it).  A zone starts
 * backing off only at a pass, so it always has one by then.
 */
static void aeration_idle_mark(struct zone *zone)
{
	unsigned long seen;

	/* Counts taken under zone->lock, read without: a little late. */
	seen = data_race(zone->aeration.nr_taken + zone->aeration.nr_reused);
	seen += aeration_zone_activity(zone);
	/* The look reads and writes both without a lock: aeration_zone_idle(). */
	WRITE_ONCE(zone->aeration.idle_since, jiffies);
	WRITE_ONCE(zone->aeration.idle_seen, seen);
}

/* Start @zone's signal afresh, not backed off; zone->lock held. */
static void aeration_adapt_reset(struct zone *zone)
{
	WRITE_ONCE(zone->aeration.interval_ms, 0);
	zone->aeration.reported_last = 0;
	zone->aeration.reuse_until = jiffies;
	zone->aeration.reuse_prev = 0;
	zone->aeration.reported_since = 0;
	aeration_idle_forget(zone);
	aeration_adapt_mark(zone);
}

static void aeration_adapt_set(struct zone *zone, unsigned int ms,
			       enum aeration_adapt_why why,
			       unsigned long reused, unsigned long taken)
{
	unsigned int old = zone->aeration.interval_ms;

	if (ms == old)
		return;
	trace_aeration_adapt(zone, old, ms, why, reused,
			     zone->aeration.reported_last, taken);
	if (ms > old)
		count_vm_event(AERATION_BACKOFFS);
	else if (!ms && (why == AERATION_ADAPT_QUIET ||
			 why == AERATION_ADAPT_IDLE))
		count_vm_event(AERATION_BACKOFF_ENDS);
	/* Read locklessly by __aeration_add() and this worker. */
	WRITE_ONCE(zone->aeration.interval_ms, ms);
}

/*
 * Within an interval of @zone, which backs off: has it been idle for the
 * idle window?  Idle: no more taken, reused, allocated (per-cpu lists
 * included) or freed since idle_since, which moves to @now whenever more was,
 * than the interval's quiet allows (half the high mark) scaled down to
 * the window, or one block: as strict as the rule at a pass, per unit of
 * time.  Racy reads: a count a little late, or the CPUs' sum jumping as a
 * CPU goes offline (its events move to another), looks busy once at
 * worst.  idle_since and idle_seen are written here, by the worker or by
 * aeration_look() (never at once: the worker deletes the look first), and
 * by the passes of vm.aeration_report_now (aeration_idle_mark()), which
 * may race with the look: both store a time and the sum at that time, so
 * a mix of the two starts the window a few jiffies off, or makes the look
 * wake the worker, which looks again, for nothing.
 */
static bool aeration_zone_idle(struct zone *zone, unsigned long now)
{
	unsigned long window = aeration_idle_window(zone), used, quiet;
	/* Written under zone->lock, not taken here: see above. */
	unsigned long reused = data_race(zone->aeration.nr_reused);
	/* The same. */
	unsigned long taken = data_race(zone->aeration.nr_taken);

	quiet = high_mark(zone) / 2;
	quiet = min(quiet, mult_frac(quiet, jiffies_to_msecs(window),
				     max(READ_ONCE(zone->aeration.interval_ms),
					 1U)));
	quiet = max(quiet, 1UL << zone->aeration.order);
	used = reused + taken + aeration_zone_activity(zone);
	if (used - READ_ONCE(zone->aeration.idle_seen) > quiet) {
		WRITE_ONCE(zone->aeration.idle_since, now);
		WRITE_ONCE(zone->aeration.idle_seen, used);
		return false;
	}
	return !time_before(now, READ_ONCE(zone->aeration.idle_since) + window);
}

/*
 * A look at @zone, which backs off, within its interval: if it was idle
 * for the idle window (aeration_zone_idle()), it stops backing off and
 * keeps its last verdict of reuse for two windows: a churn whose pauses
 * are a little longer than the window is churn again at its next reuse
 * (aeration_adapt()).
 */
static bool aeration_adapt_idle(struct zone *zone, unsigned long now)
{
	unsigned long window = aeration_idle_window(zone);
	/* For the trace only: as aeration_zone_idle() reads them. */
	unsigned long reused = data_race(zone->aeration.nr_reused);
	/* The same. */
	unsigned long taken = data_race(zone->aeration.nr_taken);

	if (!aeration_zone_idle(zone, now))
		return false;
	aeration_adapt_set(zone, 0, AERATION_ADAPT_IDLE,
			   reused - zone->aeration.reused_seen,
			   taken - zone->aeration.taken_seen);
	zone->aeration.idle_ended = true;
	zone->aeration.idle_until = now + 2 * window;
	return true;
}

/* Adaptation off (vm.aeration_adaptive, or no room between the limits). */
static bool aeration_adapt_off(void)
{
	return !READ_ONCE(aeration_adaptive) ||
	       READ_ONCE(aeration_delay_max_ms) <= READ_ONCE(aeration_delay_ms);
}

/*
 * Within an interval of @ms of @zone (not one from long ago, or a wrapped
 * one)?  It ends at zone->aeration.next_pass.
 */
static bool aeration_in_interval(struct zone *zone, unsigned int ms,
				 unsigned long now)
{
	unsigned long next = zone->aeration.next_pass;

	return ms && time_in_range(now, next - msecs_to_jiffies(ms), next - 1);
}

/*
 * The rule above, for a pass of @zone: *@budget, the most pages it may
 * report now (ULONG_MAX: not backed off).  Return: false if the zone
 * waits for its interval instead, which ends at zone->aeration.next_pass.
 */
static bool aeration_adapt(struct zone *zone, unsigned long *budget)
{
	unsigned int old = zone->aeration.interval_ms, max_ms = interval_max();
	unsigned long now = jiffies, reused, taken, raw_min, since, ms;
	bool churn;

	if (aeration_adapt_off()) {
		aeration_adapt_set(zone, 0, AERATION_ADAPT_OFF, 0, 0);
		zone->aeration.reuse_prev = 0;
		aeration_idle_forget(zone);
		*budget = ULONG_MAX;
		return true;
	}
	/* A lowered maximum shortens the interval under way. */
	if (old > max_ms) {
		zone->aeration.next_pass -= msecs_to_jiffies(old - max_ms);
		aeration_adapt_set(zone, max_ms, AERATION_ADAPT_MAX, 0, 0);
		old = max_ms;
	}
	/*
	 * Within an interval: wait for its end, unless the guest went idle
	 * meanwhile.
	 */
	if (aeration_in_interval(zone, old, now)) {
		if (!aeration_adapt_idle(zone, now))
			return false;
		*budget = ULONG_MAX;
		return true;
	}

	spin_lock_irq(&zone->lock);
	reused = zone->aeration.nr_reused - zone->aeration.reused_seen;
	taken = zone->aeration.nr_taken - zone->aeration.taken_seen;
	raw_min = zone->aeration.raw_min;
	/*
	 * Nothing the zone reported can count as reuse any more: an old
	 * verdict of reuse says nothing about what comes next.
	 */
	if (!time_before(now, zone->aeration.reuse_until)) {
		zone->aeration.reuse_prev = 0;
		/* Still backing off: still its churn's pauses. */
		if (!old)
			aeration_idle_forget(zone);
	}
	spin_unlock_irq(&zone->lock);
	/*
	 * Seen idle, and no churn came back within two windows: that was
	 * no pause, what comes now is new (a program starting).
	 */
	if (zone->aeration.idle_ended &&
	    !time_before(now, zone->aeration.idle_until)) {
		zone->aeration.reuse_prev = 0;
		aeration_idle_forget(zone);
	}

	if (zone->aeration.reported_last &&
	    reused > max(zone->aeration.reported_last, high_mark(zone)) / 8) {
		/*
		 * Churn, not growth: memory came back after the last verdict
		 * of reuse too, and about as much as came back, then and now,
		 * was freed and reported again in between.
		 */
		churn = old || (zone->aeration.reuse_prev &&
				zone->aeration.reported_since >=
				max(zone->aeration.reuse_prev, reused) / 2);
		zone->aeration.reuse_prev = reused;
		zone->aeration.reported_since = 0;
		since = jiffies_to_msecs(min(now - zone->aeration.reported_at,
					     msecs_to_jiffies(max_ms)));
		ms = max_t(unsigned long, 2UL *
			   max_t(unsigned int, old, READ_ONCE(aeration_delay_ms)),
			   2 * since);
		ms = clamp_t(unsigned long, ms, 1, max_ms);
		/*
		 * Churn again after the zone was seen idle: that was a
		 * pause, the window was too short for its pauses.
		 */
		if (churn && zone->aeration.idle_ended) {
			zone->aeration.idle_ms =
				min(2 * jiffies_to_msecs(aeration_idle_window(zone)),
				    max_ms / 4);
			zone->aeration.idle_ended = false;
		}
		if (churn && ms > old)
			aeration_adapt_set(zone, ms, AERATION_ADAPT_REUSE,
					   reused, taken);
		else if (!churn)
			trace_aeration_adapt(zone, old, old,
					     AERATION_ADAPT_GROWTH, reused,
					     zone->aeration.reported_last, taken);
	} else if (old && taken <= high_mark(zone) / 2) {
		aeration_adapt_set(zone, 0, AERATION_ADAPT_QUIET, reused,
				   taken);
		zone->aeration.reuse_prev = 0;
		aeration_idle_forget(zone);
	}
	*budget = raw_min;
	if (!zone->aeration.interval_ms)
		*budget = ULONG_MAX;
	else
		zone->aeration.next_pass = now +
			msecs_to_jiffies(zone->aeration.interval_ms);
	return true;
}

/* @zone reported @reported pages: watch them come back; zone->lock held. */
static void aeration_adapt_reported(struct zone *zone, unsigned long reported)
{
	unsigned long now = jiffies;

	if (!reported)
		return;
	zone->aeration.reported_last = reported;
	zone->aeration.reported_at = now;
	zone->aeration.reported_since += reported;
	zone->aeration.reuse_until = now + msecs_to_jiffies(interval_max());
}

/* After a pass of @zone that reported @reported pages: the next interval. */
static void aeration_adapt_done(struct zone *zone, unsigned long reported)
{
	spin_lock_irq(&zone->lock);
	aeration_adapt_mark(zone);
	aeration_adapt_reported(zone, reported);
	spin_unlock_irq(&zone->lock);
	aeration_idle_mark(zone);
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

		if (order && aeration_room_for(zone, order, MIGRATE_MOVABLE))
			return true;
	}
	return false;
}

/*
 * Track every zone's free lists from @order on; aeration_lock() held, a
 * device registered, the worker paused.  The engine writes
 * page_reporting_order only here and with no device registered, so that
 * the worker takes no batch below it; a device may write it any time
 * (from its report callback), which aeration_isolate() and
 * aeration_retrack() follow.
 */
static void aeration_track_from(unsigned int order)
{
	struct zone *zone;

	WRITE_ONCE(page_reporting_order, order);
	for_each_zone(zone)
		aeration_zone_set_order(zone, order);
	WRITE_ONCE(aer.order, order);
}

static void aeration_apply_order(unsigned int order)
{
	aeration_pause();
	aeration_track_from(order);
	aeration_resume();
}

/*
 * A device wrote page_reporting_order (hv_balloon raises it to
 * pageblock_order when its host refuses smaller ranges): track the zones
 * from that order, within the range vm.aeration_order allows (a value
 * above MAX_PAGE_ORDER, which stopped stock reporting, gives
 * MAX_PAGE_ORDER).  The worker already reports nothing below it
 * (aeration_isolate()).  Read once the worker is paused: a batch in
 * flight may still write it.  It goes with the device: unregistering
 * brings back the admin's order, or pageblock_order.
 */
static void aeration_retrack(struct work_struct *work)
{
	unsigned int order;

	aeration_lock();
	if (READ_ONCE(aer.dev) &&
	    READ_ONCE(page_reporting_order) != aer.order) {
		aeration_pause();
		order = clamp_t(unsigned int, READ_ONCE(page_reporting_order),
				order_min, order_max);
		aeration_track_from(order);
		aeration_resume();
	}
	aeration_unlock();
}

static DECLARE_WORK(aeration_retrack_work, aeration_retrack);

/*
 * Should the settle pass drain the per-cpu lists into @zone?  Not for a
 * zone that is not tracked or, with the pages the drain brings, has no
 * room to report (they would only leave the CPUs' lists, which the next
 * allocations refill under the zone lock), nor when no CPU holds a page of
 * it; *@pcp: the pages they hold (a racy sum, for the tracepoint and this
 * choice).
 */
static bool aeration_settle_drain(struct zone *zone, unsigned long *pcp)
{
	unsigned int order = READ_ONCE(zone->aeration.order);
	struct per_cpu_pages *pcpl;
	unsigned long n = 0;
	int cpu;

	*pcp = 0;
	if (!order)
		return false;
	for_each_online_cpu(cpu) {
		pcpl = per_cpu_ptr(zone->per_cpu_pageset, cpu);
		n += READ_ONCE(pcpl->count);
	}
	*pcp = n;
	/* What the drain frees counts towards the room it needs. */
	return n && aeration_wmark_room(zone, order, MIGRATE_MOVABLE,
					low_wmark_pages(zone) -
					min(n, low_wmark_pages(zone)));
}

/*
 * When to come back for @zone, which backs off: at the end of its
 * interval, or a quarter of the idle window from @now if that comes first.
 */
static unsigned long aeration_zone_due(struct zone *zone, unsigned long now)
{
	unsigned long when = now + max(aeration_idle_window(zone) / 4, 1UL);

	if (time_before(zone->aeration.next_pass, when))
		when = zone->aeration.next_pass;
	return when;
}

/*
 * One zone's share of a pass: the settle pass (@settle) or a normal one.
 * A zone that backs off and waits for its interval is left alone; *@due
 * says when to come back for it, at the end of its interval or a quarter
 * of the idle window from now, whichever comes first, until it stops
 * backing off.  A run for that (@look) passes no other zone below its
 * mark.  *@passed: the zone reported something or stopped backing off.
 * Return: the device's error.
 */
static int aeration_pass_zone(struct zone *zone,
			      struct page_reporting_dev_info *dev, bool settle,
			      bool look, unsigned long *due, bool *have_due,
			      bool *passed)
{
	unsigned long budget, floor = high_mark(zone) / 2, when;
	unsigned int backoff = zone->aeration.interval_ms;
	unsigned long pcp = 0, reported = 0;
	bool drain = false, settled = false;
	int err = 0;

	if (!READ_ONCE(zone->aeration.order))
		return 0;
	/*
	 * A run that is a look at a zone that backs off leaves the others
	 * alone, unless they passed their mark: a pass every look would
	 * cut their signal into slices too short to see reuse in.
	 */
	if (look && !backoff &&
	    READ_ONCE(zone->aeration.nr_raw) <= high_mark(zone))
		return 0;
	if (!aeration_adapt(zone, &budget))
		goto wait;
	if (budget == ULONG_MAX && settle) {
		/*
		 * Per-cpu lists back to the buddy lists, where they merge
		 * and count as raw; per zone, as that waits for another
		 * drain in progress rather than skip.  Only where it can
		 * pay: a tracked zone with room to report above its low
		 * watermark and pages on some CPU's lists.
		 */
		drain = aeration_settle_drain(zone, &pcp);
		if (drain)
			drain_all_pages(zone);
		budget = READ_ONCE(zone->aeration.nr_raw);
		floor = 0;
		settled = true;
	}
	err = aeration_zone(zone, dev, budget, floor, NULL, &reported);
	aeration_adapt_done(zone, reported);
	/* Reported, or stopped backing off: the settle pass may pay. */
	if (reported || (backoff && !zone->aeration.interval_ms))
		*passed = true;
	if (settled)
		trace_aeration_settle_zone(zone, pcp, drain, reported);
wait:
	/*
	 * Back for a zone that backs off at the end of its interval, for
	 * its raw pages or to see that it went quiet, and meanwhile to see
	 * whether it went idle.
	 */
	if (zone->aeration.interval_ms) {
		when = aeration_zone_due(zone, jiffies);
		if (!*have_due || time_before(when, *due))
			*due = when;
		*have_due = true;
	}
	return err;
}

/*
 * The look at zones that back off, between their passes (DEFERRED): a
 * timer, not the worker, which woken that often preempted the program
 * that churns on its CPU (see Documentation/mm/aeration.rst).  Reads a
 * few counters in softirq context and wakes the worker only when it has
 * work: a zone's interval ended, a zone went idle (aeration_zone_idle()),
 * the rule changed under it, or the settle pass is due.  It runs only
 * between two runs of the worker, which deletes it first and arms it last,
 * and re-arms itself until it wakes the worker.
 */
static void aeration_look(struct timer_list *unused)
{
	unsigned long now = jiffies, due = 0;
	bool have_due = false;
	struct zone *zone;

	/* A request, a pause or a hold since: not ours to wake it. */
	if (READ_ONCE(aer.paused) || READ_ONCE(aer.held) ||
	    atomic_read(&aer.state) != AERATION_DEFERRED)
		return;
	if (aer.settle_pending) {
		if (!time_before(now, aer.settle_at))
			goto wake;
		due = aer.settle_at;
		have_due = true;
	}
	for_each_populated_zone(zone) {
		unsigned int ms = READ_ONCE(zone->aeration.interval_ms);
		unsigned long when;

		if (!ms || !READ_ONCE(zone->aeration.order))
			continue;
		/* aeration_adapt()'s first tests, and its look. */
		if (aeration_adapt_off() || ms > interval_max() ||
		    !aeration_in_interval(zone, ms, now) ||
		    aeration_zone_idle(zone, now))
			goto wake;
		when = aeration_zone_due(zone, now);
		if (!have_due || time_before(when, due))
			due = when;
		have_due = true;
	}
	if (have_due) {
		mod_timer(&aer.look, due);
		return;
	}
wake:
	aer.looks++;
	aeration_wake();
}

/*
 * Run as requested (a zone passed its high mark), as the settle pass
 * queued at the end of a requested pass, which nobody requested, or,
 * woken by the look (DEFERRED), for a zone that backs off at the end of
 * its interval, when it went idle or the rule changed, or for the settle
 * pass when it is due.
 */
static void aeration_process(struct work_struct *work)
{
	struct page_reporting_dev_info *dev = READ_ONCE(aer.dev);
	unsigned int settle_ms = READ_ONCE(aeration_settle_ms);
	bool failed = false, settle, have_due = false, passed = false;
	unsigned long due = 0, delay = 0, now;
	struct zone *zone;
	int old, next;

	/*
	 * Its fields are ours from here; it may have queued us.  A request
	 * that armed the kick since is served by this run: it stored
	 * REQUESTED before, and we read the state after.
	 */
	timer_delete_sync(&aer.look);
	timer_delete(&aer.kick);
	aer.runs++;
	aer.cpu = raw_smp_processor_id();
	if (WARN_ON_ONCE(!dev))
		return;
	if (READ_ONCE(aer.paused)) {
		aeration_idle_paused();
		return;
	}
	/* A device changed page_reporting_order: track zones from it. */
	if (READ_ONCE(page_reporting_order) != READ_ONCE(aer.order))
		queue_work(system_freezable_wq, &aeration_retrack_work);
	old = atomic_xchg(&aer.state, AERATION_ACTIVE);
	settle = old == AERATION_SETTLE ||
		 (old == AERATION_DEFERRED && aer.settle_pending &&
		  !time_before(jiffies, aer.settle_at));
	/* Held for a migration: nothing, until page_reporting_hold(false). */
	if (READ_ONCE(aer.held)) {
		aer.settle_pending = false;
		next = AERATION_IDLE;
		goto out;
	}
	/* A settle pass switched off since it was queued is a normal one. */
	if (settle && !settle_ms)
		settle = false;
	if (settle) {
		aer.settles++;
		aer.settle_pending = false;
	}
	mutex_lock(&aeration_pass_mutex);
	for_each_populated_zone(zone) {
		if (aeration_pass_zone(zone, dev, settle,
				       !settle && old == AERATION_DEFERRED,
				       &due, &have_due, &passed)) {
			failed = true;
			break;
		}
	}
	mutex_unlock(&aeration_pass_mutex);

	/*
	 * A request came in while we ran: run again after the delay.  Not
	 * after a device failure: our own put-back of the failed batch
	 * raises a request, and a broken device would be retried forever.
	 * The next free above the high mark tries again.
	 */
	if (failed) {
		aer.settle_pending = false;
		atomic_set(&aer.state, AERATION_IDLE);
		return;
	}
	if (READ_ONCE(aer.paused)) {
		aeration_idle_paused();
		return;
	}
	/*
	 * After a requested pass, the settle pass: even with nothing raw
	 * left, as what the per-cpu lists hold reaches the buddy lists by
	 * pcp high decay, below the mark.  Each requested pass puts it off
	 * again; a pass for a zone that backs off does not, and a deferred
	 * one that reported nothing and ended no backoff (a look at such a
	 * zone) needs none.  Such a zone wants a pass when its interval
	 * ends, or a look at it (aeration_look()), if that comes first; a
	 * request brings either forward.  The settle pass is queued before
	 * the state says so, so that a request after that finds it queued.
	 * It cannot run before this returns (a work item does not run twice
	 * at once).
	 */
	now = jiffies;
	if (!settle_ms || !aeration_room()) {
		aer.settle_pending = false;
	} else if (!settle && (old != AERATION_DEFERRED ||
			       (passed && !aer.settle_pending))) {
		aer.settle_at = now + msecs_to_jiffies(settle_ms);
		aer.settle_pending = true;
	}
	next = AERATION_IDLE;
	if (aer.settle_pending) {
		delay = time_after(aer.settle_at, now) ? aer.settle_at - now : 1;
		next = AERATION_SETTLE;
	}
	if (have_due) {
		unsigned long d = time_after(due, now) ? due - now : 1;

		if (next == AERATION_IDLE || d < delay) {
			delay = d;
			next = AERATION_DEFERRED;
		}
	}
	if (next == AERATION_SETTLE)
		aeration_kick_in(delay);
out:
	/*
	 * DEFERRED: the look, armed once the state says so, as it does
	 * nothing otherwise.  A request meanwhile queued us: we delete it
	 * when we run.
	 */
	if (atomic_cmpxchg(&aer.state, AERATION_ACTIVE, next) !=
	    AERATION_ACTIVE) {
		aeration_queue();
	} else if (next == AERATION_DEFERRED) {
		mod_timer(&aer.look, jiffies + delay);
	}
}

/**
 * page_reporting_register - start reporting free pages to a device
 * @prdev: the device; report must be set
 *
 * Only one device at a time.  Every free page of a tracked order starts out
 * raw, so the worker soon reports all free memory.  A device that sets
 * zeroes_reported may say that what it took reads zero
 * (PAGE_REPORTING_ZEROED), which the allocator then need not zero again,
 * unless it refuses (page_zeroed_enable()).
 *
 * Return: 0, -EINVAL for a bad @prdev, -EBUSY if a device is registered,
 * -ENOMEM.
 */
int page_reporting_register(struct page_reporting_dev_info *prdev)
{
	struct scatterlist *sgl;
	unsigned int cap;
	int err = 0;

	if (!prdev || !prdev->report)
		return -EINVAL;

	aeration_lock();
	if (aer.dev) {
		err = -EBUSY;
		goto out;
	}
	cap = min_t(unsigned int, dev_capacity(prdev), AERATION_BATCH_MAX);
	sgl = kmalloc_array(cap, sizeof(*sgl), GFP_KERNEL);
	if (!sgl) {
		err = -ENOMEM;
		goto out;
	}
	aer.sgl = sgl;
	/* The device's preference, unless the admin chose an order. */
	if (prdev->order && !aeration_order_set)
		page_reporting_order = clamp_t(int, prdev->order, order_min,
					       order_max);
	atomic_set(&aer.state, AERATION_IDLE);
	WRITE_ONCE(aer.dev, prdev);

	static_branch_enable_cpuslocked(&page_reporting_enabled);
	aeration_apply_order(page_reporting_order);
out:
	aeration_unlock();
	if (err)
		return err;
	/*
	 * Known-zero pages once registered (the first batches just go back
	 * unmarked), outside the CPU hotplug lock: that flips a static key.
	 */
	if (prdev->zeroes_reported && page_zeroed_enable()) {
		aeration_lock();
		if (aer.dev == prdev)
			WRITE_ONCE(aer.zeroes, true);
		aeration_unlock();
	}
	pr_info("reporting free pages of order >= %u, %u ranges a batch%s\n",
		page_reporting_order, min_t(unsigned int, aeration_batch, cap),
		READ_ONCE(aer.zeroes) ? ", the device zeroes them" : "");
	return 0;
}
EXPORT_SYMBOL_GPL(page_reporting_register);

/**
 * page_reporting_unregister - stop reporting to a device
 * @prdev: the device passed to page_reporting_register()
 *
 * Waits for a batch in flight; when this returns, every page is back on a
 * free list and the device is never called again.
 */
void page_reporting_unregister(struct page_reporting_dev_info *prdev)
{
	struct zone *zone;

	aeration_lock();
	if (!prdev || aer.dev != prdev)
		goto out;
	/* Stop tracking first: no hook can queue work after this. */
	aeration_pause();
	for_each_zone(zone)
		aeration_zone_set_order(zone, 0);
	WRITE_ONCE(aer.order, 0);
	aeration_kick_cancel();
	static_branch_disable_cpuslocked(&page_reporting_enabled);
	WRITE_ONCE(aer.dev, NULL);
	WRITE_ONCE(aer.zeroes, false);
	WRITE_ONCE(aer.paused, false);
	kfree(aer.sgl);
	aer.sgl = NULL;
	/* The device's preference or fallback goes with it. */
	page_reporting_order = aeration_order_set ? aeration_admin_order :
						   pageblock_order;
out:
	aeration_unlock();
}
EXPORT_SYMBOL_GPL(page_reporting_unregister);

/*
 * A zone that had no memory when the device registered (ZONE_MOVABLE, or
 * any zone of a node that comes later) gets its free lists only when
 * memory is onlined into it (init_currently_empty_zone()): start tracking
 * it then.  Its new pages went to the free lists untracked and count as
 * raw from here; the request gets them reported.  An untracked zone holds
 * no aerated page, so the worker need not be paused.  Memory hotplug
 * holds the CPU and memory hotplug locks (see aeration_lock()).
 *
 * A zone whose memory all went offline must have nothing counted and no
 * boundary left: memory onlined into it later starts from empty lists.
 */
static int aeration_memory_notify(struct notifier_block *nb,
				  unsigned long action, void *arg)
{
	bool newly = false, stale;
	struct zone *zone;
	unsigned int o;
	int mt;

	if (action != MEM_ONLINE && action != MEM_OFFLINE)
		return NOTIFY_OK;
	mutex_lock(&aeration_mutex);
	for_each_zone(zone) {
		if (!aer.dev || !zone_is_initialized(zone))
			continue;
		if (action == MEM_ONLINE) {
			if (!READ_ONCE(zone->aeration.order)) {
				aeration_zone_set_order(zone, aer.order);
				newly = true;
			}
			continue;
		}
		if (populated_zone(zone))
			continue;
		spin_lock_irq(&zone->lock);
		stale = zone->aeration.nr_raw || zone->aeration.nr_aerated;
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			for (mt = 0; mt < MIGRATE_TYPES; mt++)
				stale |= !!zone->aeration.boundary[o][mt];
		spin_unlock_irq(&zone->lock);
		WARN_ONCE(stale, "aeration: %s emptied with pages counted\n",
			  zone->name);
	}
	if (newly)
		aeration_request();
	mutex_unlock(&aeration_mutex);
	return NOTIFY_OK;
}

/* The admin sets the tracked order: devices keep it.  aeration_lock() held. */
static void aeration_set_order(unsigned int order)
{
	aeration_order_set = true;
	aeration_admin_order = order;
	/*
	 * Against what is tracked and the variable, which a device may have
	 * written: the admin's order overrides a device's fallback.
	 */
	if (aer.dev && (order != aer.order || order != page_reporting_order))
		aeration_apply_order(order);
	else
		WRITE_ONCE(page_reporting_order, order);
}

static int aeration_order_handler(const struct ctl_table *table, int write,
				  void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ctl_table t = *table;
	int order, err;

	t.data = &order;
	if (!write) {
		/* A read waits for no hotplug and no device call. */
		order = READ_ONCE(page_reporting_order);
		return proc_dointvec_minmax(&t, write, buffer, lenp, ppos);
	}
	aeration_lock();
	order = page_reporting_order;
	err = proc_dointvec_minmax(&t, write, buffer, lenp, ppos);
	if (!err)
		aeration_set_order(order);
	aeration_unlock();
	return err;
}

/*
 * page_reporting.page_reporting_order, the stock parameter: the same order
 * and the same range as vm.aeration_order.  Given on the command line it
 * is only stored (nothing is tracked yet).
 */
static int page_reporting_order_set(const char *val,
				    const struct kernel_param *kp)
{
	unsigned int order;
	int err;

	err = kstrtouint(val, 0, &order);
	if (err)
		return err;
	if (order < (unsigned int)order_min || order > (unsigned int)order_max)
		return -EINVAL;
	if (!READ_ONCE(aeration_ready)) {
		page_reporting_order = order;
		aeration_admin_order = order;
		aeration_order_set = true;
		return 0;
	}
	aeration_lock();
	aeration_set_order(order);
	aeration_unlock();
	return 0;
}

static const struct kernel_param_ops page_reporting_order_ops = {
	.set = page_reporting_order_set,
	.get = param_get_uint,
};

module_param_cb(page_reporting_order, &page_reporting_order_ops,
		&page_reporting_order, 0644);
MODULE_PARM_DESC(page_reporting_order, "Lowest order reported (vm.aeration_order)");

/*
 * vm.aeration_report_now: report every raw block of the tracked orders
 * now, each zone's per-cpu lists drained first, and return when the host
 * has them, within @ms; write-only.  Not below a zone's low watermark
 * (like the worker).  The time is checked after each device call (one in
 * flight is waited for).  Return: 0, -ENODEV without a device, -EBUSY
 * while reporting is held (a migration), -EAGAIN while the tracked orders
 * change or the device goes, -ETIMEDOUT past @ms (a worker's pass in
 * progress is waited for within it), -EINTR on a signal (checked between
 * batches), or the device's error; what was reported stays reported.
 */
static int aeration_report_now(unsigned int ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);
	struct page_reporting_dev_info *dev;
	struct zone *zone;
	int err = 0;

	/*
	 * aer.dev and aer.sgl change under aeration_mutex, after a pause,
	 * which waits for aeration_pass_mutex: never wait for the latter
	 * holding the former, which memory hotplug needs.
	 */
	for (;;) {
		/* Held by a pause, which waits for a batch in flight. */
		if (mutex_lock_interruptible(&aeration_mutex))
			return -EINTR;
		dev = aer.dev;
		if (!dev || aer.held) {
			mutex_unlock(&aeration_mutex);
			return dev ? -EBUSY : -ENODEV;
		}
		if (mutex_trylock(&aeration_pass_mutex))
			break;
		mutex_unlock(&aeration_mutex);
		/* A worker's pass: its end, within the bound, is polled. */
		if (signal_pending(current))
			return -EINTR;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		schedule_timeout_interruptible(msecs_to_jiffies(10));
	}
	mutex_unlock(&aeration_mutex);
	for_each_populated_zone(zone) {
		unsigned long pcp, reported = 0;

		if (READ_ONCE(aer.paused)) {
			err = -EAGAIN;
			break;
		}
		if (READ_ONCE(aer.held)) {
			err = -EBUSY;
			break;
		}
		if (!READ_ONCE(zone->aeration.order))
			continue;
		if (aeration_settle_drain(zone, &pcp))
			drain_all_pages(zone);
		err = aeration_zone(zone, dev, READ_ONCE(zone->aeration.nr_raw),
				    0, &deadline, &reported);
		aeration_adapt_done(zone, reported);
		if (!err && READ_ONCE(aer.paused))
			err = -EAGAIN;
		if (!err && READ_ONCE(aer.held))
			err = -EBUSY;
		if (!err && signal_pending(current))
			err = -EINTR;
		if (!err && time_after(jiffies, deadline))
			err = -ETIMEDOUT;
		if (err)
			break;
	}
	mutex_unlock(&aeration_pass_mutex);
	return err;
}

/**
 * page_reporting_hold - hold reporting while the host migrates the guest
 * @hold: true when a migration starts, false once it is over
 *
 * QEMU discards a reported range on the migration's source and does not
 * send it again, so a page reported after the migration sent it stays on
 * the destination as sent, memory the host holds for nothing.  While held
 * the worker reports nothing (a batch in flight completes) and
 * vm.aeration_report_now fails with -EBUSY.  The release asks for a
 * pass, which reports what was freed meanwhile, on the destination.  The
 * free page hint rounds (mm/page_hinting.c) hold it from a migration's
 * first round to the host's DONE.
 *
 * Context: process context; the release sleeps (aeration_mutex).
 */
void page_reporting_hold(bool hold)
{
	if (hold) {
		/*
		 * The worker and report-now stop after their batch; not
		 * waited for: the caller serves the host's hints, and a
		 * host that stopped answering reports must not stall them.
		 */
		WRITE_ONCE(aer.held, true);
		return;
	}
	mutex_lock(&aeration_mutex);
	WRITE_ONCE(aer.held, false);
	/* Pairs with the worker's atomic_xchg() before it reads held. */
	smp_mb();
	if (aer.dev)
		aeration_request();
	mutex_unlock(&aeration_mutex);
}

static int report_now_max = 60 * MSEC_PER_SEC;

static int aeration_report_now_handler(const struct ctl_table *table,
				       int write, void *buffer, size_t *lenp,
				       loff_t *ppos)
{
	struct ctl_table t = *table;
	int ms = 0, err;

	if (!write)
		return -EPERM;
	t.data = &ms;
	err = proc_dointvec_minmax(&t, write, buffer, lenp, ppos);
	if (err)
		return err;
	/* Nothing written (an empty line): no bound. */
	if (!ms)
		return -EINVAL;
	return aeration_report_now(ms);
}

/*
 * vm.aeration_adaptive, vm.aeration_delay_ms, vm.aeration_delay_max_ms:
 * a zone that backs off sees the change at its next pass, which is now,
 * after the new delay: a request queued before the write would keep the
 * old one (60 s, say, long after the admin lowered it).
 */
static int aeration_adapt_handler(const struct ctl_table *table, int write,
				  void *buffer, size_t *lenp, loff_t *ppos)
{
	int err = proc_dointvec_minmax(table, write, buffer, lenp, ppos);

	if (err || !write)
		return err;
	mutex_lock(&aeration_mutex);
	if (aer.dev) {
		aeration_request();
		if (atomic_read(&aer.state) == AERATION_REQUESTED)
			aeration_queue();
	}
	mutex_unlock(&aeration_mutex);
	return 0;
}

static int wmark_max = 1 << 20;
static int delay_max = 60 * MSEC_PER_SEC;
static int batch_max = AERATION_BATCH_MAX;

static struct ctl_table aeration_sysctls[] = {
	{
		.procname	= "aeration_order",
		.data		= &page_reporting_order,
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
		.proc_handler	= aeration_adapt_handler,
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
	{
		.procname	= "aeration_delay_max_ms",
		.data		= &aeration_delay_max_ms,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= aeration_adapt_handler,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &delay_max,
	},
	{
		.procname	= "aeration_adaptive",
		.data		= &aeration_adaptive,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= aeration_adapt_handler,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "aeration_report_now",
		.maxlen		= sizeof(int),
		.mode		= 0200,
		.proc_handler	= aeration_report_now_handler,
		.extra1		= SYSCTL_ONE,
		.extra2		= &report_now_max,
	},
};

/*
 * Count @zone's free blocks of order >= @order, raw and aerated, by pfn:
 * zone->lock is dropped every AERATION_WALK_CHUNK steps, so the counts are
 * exact only while nothing else changes the free lists.
 */
static void aeration_zone_count(struct zone *zone, unsigned int order,
				unsigned long *raw, unsigned long *aerated)
{
	unsigned long pfn = ALIGN(zone->zone_start_pfn, 1UL << order);
	unsigned long end = zone_end_pfn(zone);
	unsigned int steps = 0, o;
	struct page *page;

	spin_lock_irq(&zone->lock);
	while (pfn < end) {
		if (++steps % AERATION_WALK_CHUNK == 0) {
			spin_unlock_irq(&zone->lock);
			cond_resched();
			spin_lock_irq(&zone->lock);
		}
		page = pfn_to_online_page(pfn);
		if (!page || page_zone(page) != zone || !PageBuddy(page) ||
		    buddy_order(page) < order) {
			pfn += 1UL << order;
			continue;
		}
		o = buddy_order(page);
		if (PageReported(page))
			aerated[o]++;
		else
			raw[o]++;
		pfn += 1UL << o;
	}
	spin_unlock_irq(&zone->lock);
}

/*
 * /sys/kernel/debug/aeration/zones: per zone, the tracked order, the
 * counts, and the free blocks of each tracked order (a walk).
 */
static int aeration_zones_show(struct seq_file *m, void *v)
{
	unsigned long raw[NR_PAGE_ORDERS], aerated[NR_PAGE_ORDERS];
	unsigned long nr_raw, nr_aerated;
	unsigned int o, order;
	struct zone *zone;

	seq_puts(m, "# node zone order raw_pages aerated_pages [order:raw/aerated blocks ...]\n");
	/* Zones emptied by memory offlining too: they must show nothing. */
	for_each_zone(zone) {
		if (!zone_is_initialized(zone))
			continue;
		memset(raw, 0, sizeof(raw));
		memset(aerated, 0, sizeof(aerated));
		spin_lock_irq(&zone->lock);
		order = zone->aeration.order;
		nr_raw = zone->aeration.nr_raw;
		nr_aerated = zone->aeration.nr_aerated;
		spin_unlock_irq(&zone->lock);
		if (order)
			aeration_zone_count(zone, order, raw, aerated);
		seq_printf(m, "%d %s %u %lu %lu", zone_to_nid(zone), zone->name,
			   order, nr_raw, nr_aerated);
		for (o = order ? order : NR_PAGE_ORDERS; o < NR_PAGE_ORDERS; o++)
			seq_printf(m, " %u:%lu/%lu", o, raw[o], aerated[o]);
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(aeration_zones);

/*
 * /sys/kernel/debug/aeration/blocks: per zone, tracked order and
 * migratetype, the free blocks on each side of the boundary, up to
 * AERATION_BLOCKS_SHOWN of each: the coldest raw ones (the worker's next,
 * the allocator's last) and the aerated ones from the tail.  For tests
 * that need a pfn in a raw or an aerated block; a snapshot, the blocks
 * may be gone when it is read.
 */
#define AERATION_BLOCKS_SHOWN	4

static void aeration_block_show(struct seq_file *m, struct zone *zone,
				unsigned int order, int mt, const char *state,
				struct list_head *pos)
{
	seq_printf(m, "%d %s %u %d %s %lu\n", zone_to_nid(zone), zone->name,
		   order, mt, state,
		   page_to_pfn(list_entry(pos, struct page, buddy_list)));
}

/* One free list, under zone->lock: both ends of its raw and aerated runs. */
static void aeration_list_show(struct seq_file *m, struct zone *zone,
			       unsigned int order, int mt)
{
	struct list_head *list = free_list(zone, order, mt);
	struct list_head *bound = zone->aeration.boundary[order][mt];
	struct list_head *pos;
	unsigned int n = 0;

	/* Raw pages end where the aerated ones start (or at the head). */
	for (pos = bound ? bound->prev : list->prev;
	     pos != list && n < AERATION_BLOCKS_SHOWN; pos = pos->prev, n++)
		aeration_block_show(m, zone, order, mt, "raw", pos);
	if (!bound)
		return;
	for (pos = list->prev, n = 0; n < AERATION_BLOCKS_SHOWN;
	     pos = pos->prev, n++) {
		aeration_block_show(m, zone, order, mt, "aerated", pos);
		if (pos == bound)
			break;
	}
}

static int aeration_blocks_show(struct seq_file *m, void *v)
{
	struct zone *zone;
	unsigned int o;
	int mt;

	seq_puts(m, "# node zone order migratetype state pfn\n");
	for_each_populated_zone(zone) {
		spin_lock_irq(&zone->lock);
		for (o = zone->aeration.order; o && o < NR_PAGE_ORDERS; o++)
			for (mt = 0; mt < MIGRATE_TYPES; mt++)
				aeration_list_show(m, zone, o, mt);
		spin_unlock_irq(&zone->lock);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(aeration_blocks);

static int __init aeration_init(void)
{
	struct dentry *dir;

	INIT_WORK(&aer.work, aeration_process);
	timer_setup(&aer.kick, aeration_kick, 0);
	timer_setup(&aer.look, aeration_look, 0);
	if (page_reporting_order == -1U)
		page_reporting_order = pageblock_order;
	register_sysctl_init("vm", aeration_sysctls);
	hotplug_memory_notifier(aeration_memory_notify, DEFAULT_CALLBACK_PRI);
	dir = debugfs_create_dir("aeration", NULL);
	debugfs_create_file("zones", 0400, dir, NULL, &aeration_zones_fops);
	debugfs_create_file("blocks", 0400, dir, NULL, &aeration_blocks_fops);
	WRITE_ONCE(aeration_ready, true);
	return 0;
}

/* Before device drivers register (device_initcall). */
subsys_initcall(aeration_init);

#ifdef CONFIG_PAGE_REPORTING_KUNIT_TEST
#include "tests/page_reporting-kunit.h"
#include "tests/page_reporting-limits-kunit.h"
#include "tests/page_zeroed-kunit.h"
#endif
