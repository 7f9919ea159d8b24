/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Free page hints from the free lists (CONFIG_PAGE_HINTING), the device
 * side; mm/page_hinting.c.
 */
#ifndef _LINUX_PAGE_HINTING_H
#define _LINUX_PAGE_HINTING_H

#include <linux/errno.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct balloon_dev_info;

/*
 * Free page hints (virtio-balloon's FREE_PAGE_HINT, used by live migration):
 * the host asks for a round of hints, the device calls aeration_hint_round()
 * and gets every free range of order >= vm.aeration_hint_order (and, with
 * vm.aeration_hint_balloon, the inflated balloon pages) through ->hint in
 * small batches, up to AERATION_HINT_DEPTH of them queued at once.  Free
 * pages are off the free lists only while their batch is with the host.
 * Later rounds of the same migration hint only what changed; the device
 * calls aeration_hint_done() when the host says the migration is over.
 */
#define AERATION_HINT_DEPTH	6

struct aeration_hint_dev {
	/*
	 * Queue @nents ranges in @sg for the host; do not wait.  Return 0,
	 * or a negative errno to end the round (the host said stop, or the
	 * device goes away): @sg was then not queued.
	 */
	int (*hint)(struct aeration_hint_dev *hdev, struct scatterlist *sg,
		    unsigned int nents);
	/*
	 * Wait until the host is done with the ranges queued as @sg; the
	 * caller reuses the pages when this returns, so it must not return
	 * before, unless the host can no longer act on them (a negative
	 * errno then ends the round).  Return 0 only if the host applied
	 * them, as far as the device can tell: the round then remembers
	 * the ranges that had not changed (not hinted again during this
	 * migration while they stay free).  May sleep.
	 */
	int (*wait)(struct aeration_hint_dev *hdev, struct scatterlist *sg);
	/*
	 * Ranges the device can hold at once, over all queued batches; at
	 * least AERATION_HINT_DEPTH.
	 */
	unsigned int capacity;
	/*
	 * Optional: the device's inflated pages, also hinted (the host holds
	 * no data for them); @balloon_pages bounds the walk, and
	 * *@balloon_now (read without a lock) is the balloon's size now: a
	 * pass locks at most half of it.  A hinted page is locked
	 * (trylock_page() under @balloon->pages_lock) until the host is done
	 * with it: the device's deflate must skip locked pages, as
	 * balloon_page_list_dequeue() does.
	 */
	struct balloon_dev_info *balloon;
	unsigned long balloon_pages;
	const unsigned int *balloon_now;
};

#ifdef CONFIG_PAGE_HINTING
int aeration_hint_round(struct aeration_hint_dev *hdev, u32 id);
void aeration_hint_done(struct aeration_hint_dev *hdev);
#else
static inline int aeration_hint_round(struct aeration_hint_dev *hdev, u32 id)
{
	return -ENODEV;
}

static inline void aeration_hint_done(struct aeration_hint_dev *hdev)
{
}
#endif

#endif /* _LINUX_PAGE_HINTING_H */
