/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Aeration: asynchronous free page reporting, the device side.
 *
 * A device (virtio-balloon) registers a report callback.  The aeration
 * worker hands it batches of free pages, taken off the buddy free lists for
 * the duration of the call: when the callback returns, the host is done
 * with them and they go back to the free lists as "aerated".
 */
#ifndef _LINUX_AERATION_H
#define _LINUX_AERATION_H

#include <linux/errno.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct balloon_dev_info;

struct aeration_dev_info {
	/*
	 * Report @nents free ranges in @sg to the host.  May sleep.  The
	 * pages are owned by the caller until this returns; return 0 once
	 * the host has finished with them, or a negative errno if they were
	 * not reported (they then stay raw and are offered again later).
	 */
	int (*report)(struct aeration_dev_info *aerdev,
		      struct scatterlist *sg, unsigned int nents);
	/* Most ranges one call may carry (the device's queue size). */
	unsigned int capacity;
	/*
	 * Lowest order worth reporting for this device, or 0 for the default
	 * (pageblock_order).  Becomes vm.aeration_order at registration
	 * unless the admin has set that, and goes with the device.
	 */
	unsigned int order;
};

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

#ifdef CONFIG_PAGE_AERATION
int aeration_register(struct aeration_dev_info *aerdev);
void aeration_unregister(struct aeration_dev_info *aerdev);
int aeration_hint_round(struct aeration_hint_dev *hdev, u32 id);
void aeration_hint_done(struct aeration_hint_dev *hdev);
#else
static inline int aeration_register(struct aeration_dev_info *aerdev)
{
	return -ENODEV;
}

static inline void aeration_unregister(struct aeration_dev_info *aerdev)
{
}

static inline int aeration_hint_round(struct aeration_hint_dev *hdev, u32 id)
{
	return -ENODEV;
}

static inline void aeration_hint_done(struct aeration_hint_dev *hdev)
{
}
#endif

#endif /* _LINUX_AERATION_H */
