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

#include <linux/scatterlist.h>

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
	 * (pageblock_order).  Becomes vm.aeration_order at registration.
	 */
	unsigned int order;
};

#ifdef CONFIG_PAGE_AERATION
int aeration_register(struct aeration_dev_info *aerdev);
void aeration_unregister(struct aeration_dev_info *aerdev);
#else
static inline int aeration_register(struct aeration_dev_info *aerdev)
{
	return -ENODEV;
}

static inline void aeration_unregister(struct aeration_dev_info *aerdev)
{
}
#endif

#endif /* _LINUX_AERATION_H */
