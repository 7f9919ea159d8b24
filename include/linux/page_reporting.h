/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Free page reporting, the device side.
 *
 * A device (virtio-balloon, hv_balloon) registers a report callback.  The
 * reporting worker hands it batches of free pages, taken off the buddy free
 * lists for the duration of the call: when the callback returns, the host
 * is done with them and they go back to the free lists as "aerated"
 * (reported), behind the raw ones, where the worker does not look again.
 * See Documentation/mm/aeration.rst.
 */
#ifndef _LINUX_PAGE_REPORTING_H
#define _LINUX_PAGE_REPORTING_H

#include <linux/mmzone.h>
#include <linux/scatterlist.h>

/* Ranges in one report when the device does not say (->capacity 0). */
#define PAGE_REPORTING_CAPACITY		32

/*
 * ->report() returns this (> 0) when the host has finished with the pages
 * and every one of them now reads zero (it discarded them): the allocator
 * then need not zero them again (known-zero free pages, mm/page_alloc.c).
 * Only a device that sets ->zeroes_reported may.
 */
#define PAGE_REPORTING_ZEROED		1

struct page_reporting_dev_info {
	/*
	 * Report @nents free ranges in @sg to the host.  May sleep.  The
	 * pages are owned by the caller until this returns; return 0 once
	 * the host has finished with them (PAGE_REPORTING_ZEROED if they
	 * also read zero now), or a negative errno if they were not reported
	 * (they then stay raw and are offered again later).
	 */
	int (*report)(struct page_reporting_dev_info *prdev,
		      struct scatterlist *sg, unsigned int nents);

	/*
	 * Lowest order worth reporting for this device, or 0 for the default
	 * (pageblock_order).  Becomes page_reporting_order (vm.aeration_order)
	 * at registration unless the admin has set that, and goes with the
	 * device.
	 */
	unsigned int order;

	/* Most ranges one call may carry; 0: PAGE_REPORTING_CAPACITY. */
	unsigned int capacity;

	/*
	 * ->report() may return PAGE_REPORTING_ZEROED.  Set before
	 * page_reporting_register(); the allocator may refuse (page
	 * poisoning, hibernation), and then treats it as 0.
	 */
	bool zeroes_reported;
};

/* Tear-down and bring-up for page reporting devices */
void page_reporting_unregister(struct page_reporting_dev_info *prdev);
int page_reporting_register(struct page_reporting_dev_info *prdev);
#endif /*_LINUX_PAGE_REPORTING_H */
