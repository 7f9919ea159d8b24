// SPDX-License-Identifier: GPL-2.0
/*
 * hint_interface: what the free page hints show a guest that is not being
 * migrated: the three counters exist and do not move across a large free,
 * reporting and drop_caches (rounds only start when the host asks), the
 * aeration:aeration_hint_round event carries its
 * fields, and drop_caches still counts drop_pagecache.  The rounds
 * themselves are checked by
 * the host harness, which migrates guests.
 */
#include <sys/mman.h>
#include <sys/mount.h>

#include "../kselftest.h"
#include "aeration_util.h"

#define TRACING "/sys/kernel/tracing"
#define FORMAT TRACING "/events/aeration/aeration_hint_round/format"

static const char * const counters[] = {
	"aeration_hint_rounds",
	"aeration_pages_hinted",
	"aeration_balloon_pages_hinted",
};

static const char * const fields[] = {
	"u32 id;", "unsigned long free_pages;", "unsigned long balloon_pages;",
	"unsigned long skipped_pages;", "unsigned int batches;",
	"u64 duration_ns;", "u64 balloon_ns;", "u64 wait_ns;",
	"u64 max_wait_ns;", "int err;",
};

int main(void)
{
	long long v, d0, d1, before[ARRAY_SIZE(counters)];
	char buf[8192], *p;
	unsigned int i, missing = 0;
	size_t n, len;
	FILE *f;

	ksft_print_header();
	if (read_vmstat("aeration_pages_reported") < 0)
		ksft_exit_skip("no aeration counters in /proc/vmstat\n");
	ksft_set_plan(ARRAY_SIZE(counters) + 2);

	for (i = 0; i < ARRAY_SIZE(counters); i++)
		before[i] = read_vmstat(counters[i]);
	len = 256UL << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	memset(p, 1, len);
	munmap(p, len);
	wait_idle(2.5, 60);
	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		v = read_vmstat(counters[i]);
		ksft_test_result(before[i] >= 0 && v == before[i],
				 "%s present, still %lld after a free and reporting\n",
				 counters[i], v);
	}

	if (access(TRACING "/events", R_OK))
		mount("tracefs", TRACING, "tracefs", 0, NULL);
	f = fopen(FORMAT, "r");
	if (!f) {
		ksft_test_result_fail("aeration_hint_round event: %s\n",
				      strerror(errno));
	} else {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = 0;
		fclose(f);
		for (i = 0; i < ARRAY_SIZE(fields); i++) {
			if (!strstr(buf, fields[i])) {
				ksft_print_msg("no field '%s'\n", fields[i]);
				missing++;
			}
		}
		ksft_test_result(!missing, "aeration_hint_round event has its fields\n");
	}

	d0 = read_vmstat("drop_pagecache");
	f = fopen("/proc/sys/vm/drop_caches", "w");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	d1 = read_vmstat("drop_pagecache");
	for (i = 0; i < ARRAY_SIZE(counters); i++)
		if (read_vmstat(counters[i]) != before[i])
			d1 = -1;
	ksft_test_result(d0 >= 0 && d1 == d0 + 1,
			 "drop_caches counts drop_pagecache, no hint (%lld -> %lld)\n",
			 d0, d1);
	ksft_finished();
}
