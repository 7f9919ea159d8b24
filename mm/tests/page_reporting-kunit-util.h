/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the aeration KUnit suites. */
#ifndef _MM_TESTS_PAGE_REPORTING_KUNIT_UTIL_H
#define _MM_TESTS_PAGE_REPORTING_KUNIT_UTIL_H

#include <linux/slab.h>
#include <linux/vmstat.h>

/* The system-wide value of one vm event counter (0 if out of memory). */
static unsigned long aeration_test_vm_event(enum vm_event_item item)
{
	unsigned long *ev = kcalloc(NR_VM_EVENT_ITEMS, sizeof(*ev), GFP_KERNEL);
	unsigned long v;

	if (!ev)
		return 0;
	all_vm_events(ev);
	v = ev[item];
	kfree(ev);
	return v;
}

#endif /* _MM_TESTS_PAGE_REPORTING_KUNIT_UTIL_H */
