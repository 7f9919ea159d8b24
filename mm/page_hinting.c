// SPDX-License-Identifier: GPL-2.0
/*
 * Aeration: free page hints for live migration.
 *
 * While the host migrates the guest it asks, once per dirty-bitmap sync,
 * for a round of hints: ranges of guest memory whose contents do not
 * matter, which it then leaves out of the migration.  A hint is only safe
 * while the guest cannot write the range: the host clears the range from
 * its dirty bitmap when it processes the hint, and a write that lands
 * before that, in an earlier bitmap sync, would be lost.
 *
 * The stock driver meets that by allocating all free memory and holding it
 * until migration ends.  Here a round walks each zone by pfn, takes free
 * pages of order >= vm.aeration_hint_order off the free lists in batches,
 * queues each batch on the device, and puts it back (aerated pages stay
 * aerated) as soon as the device says the host has processed it.  Up to
 * AERATION_HINT_DEPTH batches are queued at once, so that the host works on
 * one while the guest collects the next; together they hold at most
 * vm.aeration_hint_window_mib (48 MiB) of free memory away from the
 * allocator.  The window sets how fast a round goes against a host that
 * applies hints only now and then (see Documentation/mm/aeration.rst).
 * A pfn cursor, not the free lists, orders the walk, so pages that go back
 * are never hinted twice in a round.
 *
 * The host asks for a round after every bitmap sync, but a block hinted
 * once stays out of the migration until someone writes it.  So a
 * migration's rounds remember, one bit per block of the first round's
 * hint order, what the host has processed (struct hint_map), and the
 * allocator tells them what it takes and frees (aeration_hint_taken(),
 * aeration_hint_freed(), behind a static key that is on only while a map
 * exists): a later round lends only blocks that changed since, and lends
 * nothing (it still walks the zones) when none did.  Balloon pages are
 * hinted until one round's balloon pass completed.  The map goes when the
 * host says the migration is over (aeration_hint_done()) or no round used
 * it for a minute.  A bit is only ever a reason not to hint: a wrong one
 * costs the host a page it sends, never the guest a write.
 *
 * Inflated balloon pages are hinted too (vm.aeration_hint_balloon): the
 * host dropped them at inflation, so sending them is wasted work.  Each
 * hinted balloon page's lock is held until the host has processed it, so
 * that it is not deflated and written meanwhile; the balloon lock is not
 * held across a wait, so the balloon (and deflate-on-OOM) goes on.
 *
 * Locking: zone->lock only while collecting or returning a batch, bounded
 * by HINT_SCAN_STEPS pfn steps; never across a device call.  hint_mutex
 * serialises rounds.
 */
#define pr_fmt(fmt) "aeration: " fmt

#include <linux/balloon_compaction.h>
#include <linux/bitmap.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/page-isolation.h>
#include <linux/page_hinting.h>
#include <linux/rcupdate.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sysctl.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "page_hinting.h"
#include "page_reporting.h"

#include <trace/events/aeration.h>

#define HINT_MAX_RANGES		256	/* ranges in one batch */
#define HINT_SCAN_STEPS		1024	/* pfn steps per zone->lock hold */
#define HINT_BALLOON_PAGES	16384	/* balloon pages sorted at once */
#define HINT_BALLOON_LOCKED	1024	/* balloon pages per pages_lock hold */

/* Tunables, /proc/sys/vm/aeration_hint_*; see the admin guide. */
static int hint_order = -1;		/* pageblock_order once known */
static int hint_balloon = 1;
static int hint_window_mib = 48;	/* free memory lent at once */
static int hint_rehint;			/* every round hints everything */

static int hint_order_min = PAGE_ALLOC_COSTLY_ORDER + 1;
static int hint_order_max = MAX_PAGE_ORDER;
/* Each batch may take one block of the top order: aeration_hint_init(). */
static int hint_window_min;
static int hint_window_max;

static DEFINE_MUTEX(hint_mutex);

/*
 * What this migration's rounds have hinted, one bit per 2^shift pages from
 * pfn base << shift:
 *
 * hinted: the block was free and unchanged since before the bitmap sync
 *	that preceded the round which hinted it, the host processed the
 *	hint, and nobody has taken any of it from the free lists since.  The
 *	host then holds it clean (its dirty bitmap cleared, no write since
 *	the sync): it needs no further hint.
 * changed[cur]: some of the block was taken from or freed to the free
 *	lists since the current round began; changed[!cur]: during the
 *	round before.  A block with neither bit set has been free and
 *	untouched since the previous round began, which was before the
 *	host's latest bitmap sync; only such a block's hint is remembered.
 *	The first round of a migration can tell nothing (the host synced
 *	before the map existed) and remembers nothing.
 *
 * The allocator clears hinted bits and sets changed bits under the zone's
 * lock, the round sets hinted bits under it while the block is off the
 * free lists: atomic bit operations, because two zones' bits may share a
 * word.  Readers outside hint_mutex hold a zone lock: an RCU read side
 * (interrupts off; on PREEMPT_RT the lock takes rcu_read_lock()).
 *
 * "Since the round before began" is only known to be "since before the
 * host's latest sync" if the host applied some of that round's hints (it
 * was still in the round): the windows move on only after such a round.
 */
struct hint_map {
	struct aeration_hint_dev *owner;
	unsigned long base;		/* first pfn >> shift */
	unsigned long nbits;
	unsigned int shift;
	unsigned int cur;		/* changed[cur]: this round's */
	bool confirmed;			/* the last round had a batch applied */
	u32 last_id;			/* the last round's command id */
	unsigned long last_end;		/* jiffies when it ended */
	bool balloon_done;		/* inflated pages hinted already */
	unsigned long *hinted;
	unsigned long *changed[2];
	unsigned long bits[];		/* the three bitmaps */
};

static struct hint_map __rcu *hint_map;
DEFINE_STATIC_KEY_FALSE(aeration_hint_tracking);

/* Index of the bit for @pfn, or >= map->nbits outside the map. */
static unsigned long hint_bit(struct hint_map *map, unsigned long pfn)
{
	return (pfn >> map->shift) - map->base;
}

/* Bits [*@bit, *@end) of @map for [pfn, pfn + 2^order); false if none. */
static bool hint_bits(struct hint_map *map, unsigned long pfn,
		      unsigned int order, unsigned long *bit,
		      unsigned long *end)
{
	*bit = hint_bit(map, pfn);
	if (*bit >= map->nbits)
		return false;
	*end = min(hint_bit(map, pfn + (1UL << order) - 1) + 1, map->nbits);
	return true;
}

/*
 * Called by the allocator, see aeration_hint_taken() and
 * aeration_hint_freed(), with the zone's lock held.
 */
void __aeration_hint_changed(unsigned long pfn, unsigned int order,
			     bool taken)
{
	struct hint_map *map = rcu_dereference_check(hint_map,
						     rcu_read_lock_any_held());
	unsigned long bit, end, i;
	unsigned long *changed;

	if (!map || !hint_bits(map, pfn, order, &bit, &end))
		return;
	if (taken) {
		i = bit;
		for_each_set_bit_from(i, map->hinted, end)
			clear_bit(i, map->hinted);
	}
	changed = map->changed[READ_ONCE(map->cur)];
	for (i = bit; i < end; i++)
		if (!test_bit(i, changed))
			set_bit(i, changed);
}

static bool hint_bits_all(const unsigned long *bits, unsigned long bit,
			  unsigned long end)
{
	return find_next_zero_bit(bits, end, bit) >= end;
}

static bool hint_bits_none(const unsigned long *bits, unsigned long bit,
			   unsigned long end)
{
	return find_next_bit(bits, end, bit) >= end;
}

/* Does the host hold this free block clean already? */
static bool hint_map_hinted(struct hint_map *map, unsigned long pfn,
			    unsigned int order)
{
	unsigned long bit, end;

	if (!map || order < map->shift ||
	    !hint_bits(map, pfn, order, &bit, &end))
		return false;
	return hint_bits_all(map->hinted, bit, end);
}

/*
 * Before a free block is isolated (which counts as a change): has it been
 * untouched since this round began (*@quiet), and since the round before
 * began, so since before the host's latest sync (return)?
 */
static bool hint_map_fresh(struct hint_map *map, unsigned long pfn,
			   unsigned int order, bool *quiet)
{
	unsigned long bit, end;

	/* A smaller block shares its bits: its neighbours' changes count. */
	*quiet = false;
	if (!map || order < map->shift ||
	    !hint_bits(map, pfn, order, &bit, &end))
		return false;
	*quiet = hint_bits_none(map->changed[map->cur], bit, end);
	return *quiet && hint_bits_none(map->changed[!map->cur], bit, end);
}

/*
 * The round's own isolation and putback of a block are no change: undo the
 * bits they set, for a block that had none set this round before (quiet).
 * Under the zone's lock, so nobody else changed the block meanwhile.
 */
static void hint_map_unchange(struct hint_map *map, unsigned long pfn,
			      unsigned int order)
{
	unsigned long bit, end;
	unsigned long *changed;

	if (!map || !hint_bits(map, pfn, order, &bit, &end))
		return;
	changed = map->changed[map->cur];
	for (; bit < end; bit++)
		clear_bit(bit, changed);
}

static void hint_map_mark(struct hint_map *map, unsigned long pfn,
			  unsigned int order)
{
	unsigned long bit, end;

	if (!map || order < map->shift ||
	    !hint_bits(map, pfn, order, &bit, &end))
		return;
	for (; bit < end; bit++)
		set_bit(bit, map->hinted);
}

/*
 * Start from nothing: no hint remembered, every block changed.  Plain
 * stores race with the allocator's atomic ones to the same words: either
 * order leaves the bits a round may rely on cleared or set as wanted.
 */
static void hint_map_reset(struct hint_map *map)
{
	bitmap_zero(map->hinted, map->nbits);
	bitmap_fill(map->changed[0], map->nbits);
	bitmap_fill(map->changed[1], map->nbits);
	map->balloon_done = false;
}

/*
 * A new round: what changed during the previous one becomes changed[!cur],
 * and changed[cur] starts empty, if the previous round was confirmed (or
 * @force: the map starts from nothing).  Taking each zone's lock once
 * makes sure no allocator still sets bits in the bitmap being emptied.
 */
static void hint_map_next_round(struct hint_map *map, bool force)
{
	unsigned int next = !map->cur;
	struct zone *zone;

	if (!force && !map->confirmed)
		return;
	map->confirmed = false;
	bitmap_zero(map->changed[next], map->nbits);
	WRITE_ONCE(map->cur, next);
	for_each_populated_zone(zone) {
		spin_lock_irq(&zone->lock);
		spin_unlock_irq(&zone->lock);
	}
}

/*
 * The map for a round of @hdev answering command @id, made on its first
 * round; NULL (hint everything, remember nothing) while another device's
 * migration has the map, or without memory for one.  Command ids grow
 * within a migration: one that does not is a new migration whose DONE was
 * not seen, which starts from nothing.
 */
static struct hint_map *hint_map_get(struct aeration_hint_dev *hdev, u32 id,
				     unsigned int order)
{
	struct hint_map *map = rcu_dereference_protected(hint_map,
					lockdep_is_held(&hint_mutex));
	unsigned long start = ULONG_MAX, end = 0, nbits, longs;
	struct zone *zone;

	if (map) {
		if (map->owner != hdev)
			return NULL;
		if (id <= map->last_id)
			hint_map_reset(map);
		hint_map_next_round(map, id <= map->last_id);
		map->last_id = id;
		return map;
	}
	for_each_populated_zone(zone) {
		start = min(start, zone->zone_start_pfn);
		end = max(end, zone_end_pfn(zone));
	}
	if (start >= end)
		return NULL;
	start >>= order;
	nbits = ((end - 1) >> order) - start + 1;
	longs = BITS_TO_LONGS(nbits);
	map = kvzalloc(struct_size(map, bits, 3 * longs),
		       GFP_KERNEL | __GFP_NOWARN);
	if (!map) {
		pr_info_ratelimited("no memory to remember hints: every round hints all free memory\n");
		return NULL;
	}
	map->owner = hdev;
	map->base = start;
	map->nbits = nbits;
	map->shift = order;
	map->last_id = id;
	map->hinted = map->bits;
	map->changed[0] = map->bits + longs;
	map->changed[1] = map->bits + 2 * longs;
	hint_map_reset(map);
	/* The allocator keeps the bits before the first one is relied on. */
	static_branch_enable(&aeration_hint_tracking);
	rcu_assign_pointer(hint_map, map);
	hint_map_next_round(map, true);
	return map;
}

/* Under hint_mutex: the map goes, and with it the allocator's hooks. */
static void hint_map_free(void)
{
	struct hint_map *map = rcu_dereference_protected(hint_map,
					lockdep_is_held(&hint_mutex));

	RCU_INIT_POINTER(hint_map, NULL);
	static_branch_disable(&aeration_hint_tracking);
	synchronize_rcu();
	kvfree(map);
}

/*
 * A guest that missed the host's DONE (it came with the next id, or
 * during the switch-over) would keep the map, and its next migration
 * would not hint what it remembers: a map no round used for
 * HINT_MAP_IDLE goes.  A migration whose syncs are further apart starts
 * its next round from nothing, which costs one full round.
 */
#define HINT_MAP_IDLE	(60 * HZ)

/*
 * Reporting is held from a migration's first round until the host says
 * DONE (page_reporting_hold()), the device goes or is reset, or no round
 * came for HINT_HOLD_IDLE: longer than HINT_MAP_IDLE, since a large
 * guest's first pass on a slow link may take minutes between two rounds,
 * and that pass is what the hold is for.  Under hint_mutex.
 */
#define HINT_HOLD_IDLE	(600 * HZ)

static bool hint_holding;
static unsigned long hint_last_round;

static void hint_release(void)
{
	if (hint_holding) {
		hint_holding = false;
		page_reporting_hold(false);
	}
}

static void hint_idle_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(hint_idle_work, hint_idle_fn);

static void hint_idle_fn(struct work_struct *work)
{
	unsigned long now = jiffies;
	struct hint_map *map;

	mutex_lock(&hint_mutex);
	map = rcu_dereference_protected(hint_map, lockdep_is_held(&hint_mutex));
	if (map && time_after_eq(now, map->last_end + HINT_MAP_IDLE))
		hint_map_free();
	if (time_after_eq(now, hint_last_round + HINT_HOLD_IDLE))
		hint_release();
	else if (hint_holding)
		mod_delayed_work(system_wq, &hint_idle_work,
				 hint_last_round + HINT_HOLD_IDLE - now);
	mutex_unlock(&hint_mutex);
}

/**
 * aeration_hint_done - the host says the migration is over
 * @hdev: the device whose rounds served it
 *
 * Forget what @hdev's rounds hinted: the next migration's rounds hint all
 * free memory again; and report free pages again (page_reporting_hold()).
 * Call when the host sends DONE, and before the device goes away or is
 * reset.  Serialised with rounds.
 *
 * Context: process context; sleeps (hint_mutex, synchronize_rcu()).
 */
void aeration_hint_done(struct aeration_hint_dev *hdev)
{
	struct hint_map *map;

	mutex_lock(&hint_mutex);
	map = rcu_dereference_protected(hint_map, lockdep_is_held(&hint_mutex));
	if (map && map->owner == hdev)
		hint_map_free();
	hint_release();
	mutex_unlock(&hint_mutex);
}
EXPORT_SYMBOL_GPL(aeration_hint_done);

/* A free buddy page lent to the device. */
struct hint_block {
	struct page *page;
	unsigned int order;
	bool aerated;
	bool fresh, quiet;	/* see hint_map_fresh() */
};

/*
 * One batch: free pages of one zone, or balloon pages (zone NULL).
 * Adjacent blocks go to the device as one range: the host takes a lock per
 * range (QEMU's migration bitmap), and a contended lock is what a round
 * mostly waits for.
 */
struct hint_batch {
	struct scatterlist *sgl;	/* max entries */
	unsigned int n;			/* ranges in sgl */
	struct hint_block *blk;		/* max entries, free pages only */
	unsigned int nblk;
	struct zone *zone;
	unsigned long pages;
};

/*
 * Up to AERATION_HINT_DEPTH batches are with the device at once, oldest at
 * head: the host processes one while the next is collected and queued.
 */
struct hint_round {
	struct aeration_hint_dev *hdev;
	struct hint_batch b[AERATION_HINT_DEPTH];
	unsigned int head, count;
	unsigned long *pfns;		/* balloon scratch */
	unsigned int max;
	unsigned int order;
	unsigned long batch_pages;	/* free memory in one batch, at most */
	struct hint_map *map;		/* what is hinted already, or NULL */
	bool rehint;			/* hint it again all the same */
	unsigned long free_pages;
	unsigned long balloon_pages;
	unsigned long skipped;		/* free pages hinted in an earlier round */
	unsigned int batches;
	u64 wait_ns;			/* in ->wait: the host's share */
	u64 max_wait_ns;
	int err;			/* first error from ->wait */
};

/*
 * Give a batch of free pages back to its zone, aerated pages aerated;
 * if @applied, the host processed them: remember the fresh ones, before
 * anyone can take them.
 */
static void hint_putback(struct hint_round *r, struct hint_batch *b,
			 bool applied)
{
	struct hint_block *blk;
	unsigned int i;

	spin_lock_irq(&b->zone->lock);
	for (i = 0; i < b->nblk; i++) {
		blk = &b->blk[i];
		if (blk->fresh && applied)
			hint_map_mark(r->map, page_to_pfn(blk->page), blk->order);
		/*
		 * Never known zero: on a migration's destination a hinted
		 * page holds whatever an earlier pass sent, or nothing.
		 */
		aeration_putback_range(blk->page, blk->order,
				       blk->aerated ? AERATION_PUT_AERATED :
						      AERATION_PUT_RAW);
		if (blk->quiet)
			hint_map_unchange(r->map, page_to_pfn(blk->page),
					  blk->order);
	}
	spin_unlock_irq(&b->zone->lock);
}

/* Wait until the host is done with the oldest batch, then return it. */
static void hint_retire(struct hint_round *r)
{
	struct hint_batch *b = &r->b[r->head];
	u64 t0 = ktime_get_ns();
	int err = r->hdev->wait(r->hdev, b->sgl);

	t0 = ktime_get_ns() - t0;
	r->wait_ns += t0;
	r->max_wait_ns = max(r->max_wait_ns, t0);
	if (b->zone)
		hint_putback(r, b, !err);
	if (!err) {
		if (b->zone)
			r->free_pages += b->pages;
		else
			r->balloon_pages += b->pages;
		r->batches++;
	} else if (!r->err) {
		r->err = err;
	}
	r->head = (r->head + 1) % AERATION_HINT_DEPTH;
	r->count--;
}

static void hint_drain(struct hint_round *r)
{
	while (r->count)
		hint_retire(r);
}

/* The slot for the next batch; the oldest is retired if all are busy. */
static struct hint_batch *hint_slot(struct hint_round *r)
{
	struct hint_batch *b;

	if (r->count == AERATION_HINT_DEPTH)
		hint_retire(r);
	b = &r->b[(r->head + r->count) % AERATION_HINT_DEPTH];
	sg_init_table(b->sgl, r->max);
	b->n = 0;
	b->nblk = 0;
	b->pages = 0;
	b->zone = NULL;
	return b;
}

/* Queue the batch hint_slot() gave; if the device refuses, return it now. */
static int hint_send(struct hint_round *r, struct hint_batch *b)
{
	int err;

	sg_mark_end(&b->sgl[b->n - 1]);
	err = r->hdev->hint(r->hdev, b->sgl, b->n);
	if (err) {
		if (b->zone)
			hint_putback(r, b, false);
		return err;
	}
	r->count++;
	return r->err;
}

/*
 * Take up to one batch of free pages of order >= r->order off @zone's free
 * lists, from *@pfn on, into @b.  *@low is set when lending another block
 * would take the zone to its high watermark (the walk leaves the zone
 * alone then): a guest under memory pressure keeps its free memory, and
 * no allocation falls below the low watermark because of a hint.
 */
static void hint_collect(struct hint_round *r, struct hint_batch *b,
			 struct zone *zone, unsigned long *pfn, bool *low)
{
	unsigned long step = 1UL << r->order, end = zone_end_pfn(zone);
	unsigned int steps;

	b->zone = zone;
	spin_lock_irq(&zone->lock);
	for (steps = 0; *pfn < end && b->nblk < r->max && steps < HINT_SCAN_STEPS;
	     steps++) {
		struct hint_block *blk = &b->blk[b->nblk];
		struct page *page = pfn_to_online_page(*pfn);
		unsigned int order;
		int mt;

		if (!page || page_zone(page) != zone || !PageBuddy(page)) {
			*pfn += step;
			continue;
		}
		/* A buddy of order >= r->order starts on a step boundary. */
		order = buddy_order(page);
		if (order < r->order) {
			*pfn += step;
			continue;
		}
		if (!r->rehint && hint_map_hinted(r->map, *pfn, order)) {
			r->skipped += 1UL << order;
			*pfn += 1UL << order;
			continue;
		}
		if (b->n && b->pages + (1UL << order) > r->batch_pages)
			break;
		mt = get_pageblock_migratetype(page);
		if (is_migrate_isolate(mt)) {
			*pfn += 1UL << order;
			continue;
		}
		/* Lend only what leaves the zone above its high watermark. */
		if (!aeration_wmark_room(zone, order, mt, high_wmark_pages(zone))) {
			*low = true;
			break;
		}
		blk->aerated = aeration_page_aerated(zone, page, order);
		blk->fresh = hint_map_fresh(r->map, *pfn, order, &blk->quiet);
		if (!aeration_isolate_page(page, order)) {
			*low = true;
			break;
		}
		if (blk->quiet)
			hint_map_unchange(r->map, *pfn, order);
		blk->page = page;
		blk->order = order;
		b->nblk++;
		/* Right behind the previous block: extend its range. */
		if (b->n && page_to_pfn(sg_page(&b->sgl[b->n - 1])) +
		    (b->sgl[b->n - 1].length >> PAGE_SHIFT) == *pfn)
			b->sgl[b->n - 1].length += PAGE_SIZE << order;
		else
			sg_set_page(&b->sgl[b->n++], page, PAGE_SIZE << order, 0);
		b->pages += 1UL << order;
		*pfn += 1UL << order;
	}
	spin_unlock_irq(&zone->lock);
}

static int hint_zone(struct hint_round *r, struct zone *zone)
{
	unsigned long pfn = ALIGN(zone->zone_start_pfn, 1UL << r->order);
	struct hint_batch *b;
	bool low = false;
	int err = 0;

	while (!err && !low && pfn < zone_end_pfn(zone)) {
		b = hint_slot(r);
		hint_collect(r, b, zone, &pfn, &low);
		if (b->n)
			err = hint_send(r, b);
		cond_resched();
	}
	return err;
}

/*
 * With init_on_free or page poisoning a free page's contents are defined
 * (zeroes, the poison: post_alloc_hook() relies on them) and were written
 * when it was freed.  A hint lets the host skip that write if the page was
 * sent before it, earlier in the same migration: the destination would
 * have the old data.  Such pages are never hinted; the host sends them
 * (zero pages cheaply).  The stock driver is immune: it frees what it
 * hinted, which writes them again.
 */
static bool aeration_hint_free_pages(void)
{
	return !want_init_on_free() && !page_poisoning_enabled_static();
}

static int cmp_pfn(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Queue @n sorted balloon pfns, contiguous runs as one range each. */
static int hint_pfns(struct hint_round *r, unsigned int n)
{
	struct hint_batch *b;
	unsigned int i = 0, len;
	int err = 0;

	while (!err && i < n) {
		b = hint_slot(r);
		while (b->n < r->max && i < n) {
			for (len = 1; i + len < n && len < SZ_1G / PAGE_SIZE &&
			     r->pfns[i + len] == r->pfns[i] + len; len++)
				;
			sg_set_page(&b->sgl[b->n++], pfn_to_page(r->pfns[i]),
				    len * PAGE_SIZE, 0);
			b->pages += len;
			i += len;
		}
		err = hint_send(r, b);
	}
	return err;
}

/*
 * Walk the balloon once round.  Each pass rotates up to half of what is
 * inflated then (at most HINT_BALLOON_PAGES; a balloon of one page is not
 * hinted) from the head of the list to its tail,
 * HINT_BALLOON_LOCKED at a time under pages_lock, taking each page's lock
 * (trylock_page(): a page being deflated or migrated is skipped), sorts
 * them and queues them as ranges.  The page lock keeps a hinted page
 * inflated until the host is done with it: deflating
 * (balloon_page_list_dequeue()) and balloon compaction
 * (isolate_movable_page()) skip locked pages.  Nothing else is held across
 * the host's wait, so the balloon inflates and deflates meanwhile, the
 * OOM notifier included, from the half of it not in this pass.  A page
 * compaction isolates between two passes may be hinted twice or not at
 * all, which is harmless.
 */
static int hint_balloon_pages(struct hint_round *r)
{
	struct aeration_hint_dev *hdev = r->hdev;
	struct balloon_dev_info *b = hdev->balloon;
	unsigned long left = hdev->balloon_pages, pass;
	unsigned int n, seen, i;
	unsigned long flags;
	int err = 0;

	while (!err && left) {
		struct page *page;

		/* Half of what is inflated now: the rest can deflate. */
		pass = min_t(unsigned long, READ_ONCE(*hdev->balloon_now) / 2,
			     HINT_BALLOON_PAGES);
		if (!pass)
			break;
		for (n = 0, seen = 0; seen < pass && seen < left;) {
			unsigned int k = seen;

			spin_lock_irqsave(&b->pages_lock, flags);
			for (; seen < pass && seen < left &&
			     seen < k + HINT_BALLOON_LOCKED &&
			     !list_empty(&b->pages); seen++) {
				page = list_first_entry(&b->pages, struct page,
							lru);
				list_move_tail(&page->lru, &b->pages);
				if (trylock_page(page))
					r->pfns[n++] = page_to_pfn(page);
			}
			spin_unlock_irqrestore(&b->pages_lock, flags);
			if (seen == k)
				break;
		}
		if (!seen)
			break;
		sort(r->pfns, n, sizeof(r->pfns[0]), cmp_pfn, NULL);
		err = hint_pfns(r, n);
		hint_drain(r);
		for (i = 0; i < n; i++)
			unlock_page(pfn_to_page(r->pfns[i]));
		left -= seen;
		cond_resched();
	}
	return err ?: r->err;
}

static void hint_free(struct hint_round *r)
{
	unsigned int i;

	for (i = 0; i < AERATION_HINT_DEPTH; i++) {
		kfree(r->b[i].blk);
		kfree(r->b[i].sgl);
	}
	kvfree(r->pfns);
}

static int hint_alloc(struct hint_round *r)
{
	unsigned int i;

	r->pfns = kvmalloc_array(HINT_BALLOON_PAGES, sizeof(*r->pfns),
				 GFP_KERNEL);
	if (!r->pfns)
		return -ENOMEM;
	for (i = 0; i < AERATION_HINT_DEPTH; i++) {
		r->b[i].sgl = kmalloc_array(r->max, sizeof(*r->b[i].sgl),
					    GFP_KERNEL);
		r->b[i].blk = kmalloc_array(r->max, sizeof(*r->b[i].blk),
					    GFP_KERNEL);
		if (!r->b[i].sgl || !r->b[i].blk)
			return -ENOMEM;
	}
	return 0;
}

/**
 * aeration_hint_round - hint all free (and ballooned) memory to the host
 * @hdev: the device; hint, wait and capacity must be set
 * @id: the host's command id for this round (a smaller one than the last
 *	round's starts a new migration; and the tracepoint)
 *
 * Queues, with @hdev->hint, the inflated balloon pages if @hdev->balloon
 * is set and vm.aeration_hint_balloon is on, then batches of free ranges of
 * order >= vm.aeration_hint_order, until done or until ->hint or ->wait
 * returns an error.  Within one migration (until aeration_hint_done()),
 * a range the host processed in an earlier round is not hinted again
 * unless it was taken from the free lists since, nor are balloon pages,
 * unless vm.aeration_hint_rehint is set; a ->wait that returns an error
 * says the host may not have processed the batch.  At most
 * AERATION_HINT_DEPTH batches are queued at once, each with at most
 * 1/AERATION_HINT_DEPTH of vm.aeration_hint_window_mib of free memory; a
 * batch of free pages is off the free lists from its ->hint until its
 * ->wait returns.  May sleep; rounds are serialised.
 *
 * Return: 0 when every range was hinted, the first error from ->hint or
 * ->wait, which ended the round, -EINVAL for a bad @hdev or -ENOMEM.
 */
int aeration_hint_round(struct aeration_hint_dev *hdev, u32 id)
{
	struct hint_round r = { .hdev = hdev };
	struct zone *zone;
	u64 t0, t_balloon;
	int err;

	if (!hdev || !hdev->hint || !hdev->wait ||
	    hdev->capacity < AERATION_HINT_DEPTH ||
	    (hdev->balloon && !hdev->balloon_now))
		return -EINVAL;

	mutex_lock(&hint_mutex);
	r.max = min_t(unsigned int, hdev->capacity / AERATION_HINT_DEPTH,
		      HINT_MAX_RANGES);
	r.order = READ_ONCE(hint_order);
	r.batch_pages = ((unsigned long)READ_ONCE(hint_window_mib) <<
			 (20 - PAGE_SHIFT)) / AERATION_HINT_DEPTH;
	err = hint_alloc(&r);
	if (err)
		goto out;
	if (!hint_holding) {
		hint_holding = true;
		page_reporting_hold(true);
	}
	/* No free page is hinted under init_on_free: nothing to remember. */
	if (aeration_hint_free_pages())
		r.map = hint_map_get(hdev, id, r.order);
	r.rehint = READ_ONCE(hint_rehint);

	t0 = ktime_get_ns();

	/*
	 * Balloon pages first: they are few ranges, and the host reads them
	 * as zero pages quickly, so a late hint for them is a wasted one.
	 */
	if (hdev->balloon && READ_ONCE(hint_balloon) &&
	    (r.rehint || !r.map || !r.map->balloon_done)) {
		err = hint_balloon_pages(&r);
		if (!err && r.map)
			r.map->balloon_done = true;
	}
	t_balloon = ktime_get_ns() - t0;
	if (!aeration_hint_free_pages()) {
		pr_info_once("free pages not hinted: init_on_free or page poisoning sets their contents\n");
	} else {
		for_each_populated_zone(zone) {
			if (err)
				break;
			err = hint_zone(&r, zone);
		}
	}
	hint_drain(&r);
	err = err ?: r.err;
	if (r.map) {
		/* A batch applied: the host was still in this round. */
		r.map->confirmed = r.batches > 0;
		r.map->last_end = jiffies;
	}
	hint_last_round = jiffies;
	mod_delayed_work(system_wq, &hint_idle_work, HINT_MAP_IDLE);

	count_vm_event(AERATION_HINT_ROUNDS);
	count_vm_events(AERATION_PAGES_HINTED, r.free_pages);
	count_vm_events(AERATION_BALLOON_PAGES_HINTED, r.balloon_pages);
	trace_aeration_hint_round(id, r.free_pages, r.balloon_pages,
				  r.skipped, r.batches, ktime_get_ns() - t0,
				  t_balloon, r.wait_ns, r.max_wait_ns, err);
out:
	hint_free(&r);
	mutex_unlock(&hint_mutex);
	return err;
}
EXPORT_SYMBOL_GPL(aeration_hint_round);

static struct ctl_table aeration_hint_sysctls[] = {
	{
		.procname	= "aeration_hint_order",
		.data		= &hint_order,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &hint_order_min,
		.extra2		= &hint_order_max,
	},
	{
		.procname	= "aeration_hint_balloon",
		.data		= &hint_balloon,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "aeration_hint_rehint",
		.data		= &hint_rehint,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "aeration_hint_window_mib",
		.data		= &hint_window_mib,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &hint_window_min,
		.extra2		= &hint_window_max,
	},
};

static int __init aeration_hint_init(void)
{
	if (hint_order < 0)
		hint_order = pageblock_order;
	/* Below this a batch's one block could overrun the window. */
	hint_window_min = DIV_ROUND_UP(AERATION_HINT_DEPTH *
				       (PAGE_SIZE << MAX_PAGE_ORDER), SZ_1M);
	hint_window_max = max(hint_window_min, 4096);
	hint_window_mib = clamp(hint_window_mib, hint_window_min,
				hint_window_max);
	register_sysctl_init("vm", aeration_hint_sysctls);
	return 0;
}
subsys_initcall(aeration_hint_init);

#ifdef CONFIG_PAGE_REPORTING_KUNIT_TEST
#include "tests/page_hinting-kunit.h"
#endif
