// SPDX-License-Identifier: GPL-2.0
/*
 * counters: after a large free, aeration reports it: the vmstat counters
 * advance by at least most of what was freed, the per-zone debugfs counts
 * equal a walk of the free lists exactly once the worker is idle, and
 * memory allocated back out of reported pages is counted.
 */
#include <sys/mman.h>

#include "../kselftest.h"
#include "aeration_util.h"

#define HOG_MIB		512
#define WAIT_S		20

static int hog(size_t mib)
{
	size_t len = mib << 20, off;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	for (off = 0; off < len; off += 4096)
		p[off] = 1;
	return munmap(p, len);
}

int main(void)
{
	long long rep0, bat0, rep, bat;
	struct counts c;
	long long want = (HOG_MIB / 2) << 8;	/* pages: half the hog */
	double t0;

	ksft_print_header();
	rep0 = read_vmstat("aeration_pages_reported");
	bat0 = read_vmstat("aeration_batches");
	if (rep0 < 0)
		ksft_exit_skip("no aeration counters in /proc/vmstat\n");
	if (read_vmstat("aeration_pages_rereported") < 0 ||
	    read_vmstat("aeration_alloc_aerated") < 0)
		ksft_exit_fail_msg("some aeration_ counters are missing\n");
	ksft_set_plan(4);

	if (hog(HOG_MIB))
		ksft_exit_fail_msg("hog: %s\n", strerror(errno));
	t0 = now_s();
	do {
		usleep(200 * 1000);
		rep = read_vmstat("aeration_pages_reported");
		bat = read_vmstat("aeration_batches");
	} while (rep - rep0 < want && now_s() - t0 < WAIT_S);
	ksft_print_msg("after a %d MiB free: %lld pages in %lld batches, %.1f s\n",
		       HOG_MIB, rep - rep0, bat - bat0, now_s() - t0);
	ksft_test_result(rep - rep0 >= want && bat > bat0,
			 "pages_reported advances by >= %lld pages\n", want);

	/* Quiet (no batch for longer than the settle pass): exact. */
	if (wait_idle(2.5, 60) < 0 || read_counts(&c)) {
		ksft_test_result_fail("debugfs shows the reported memory aerated\n");
		ksft_test_result_fail("debugfs counts equal the walk\n");
	} else {
		ksft_print_msg("zones: counts %lld raw, %lld aerated; walk %lld/%lld pages\n",
			       c.raw, c.aerated, c.walk_raw, c.walk_aerated);
		ksft_test_result(c.aerated >= want,
				 "debugfs shows the reported memory aerated\n");
		ksft_test_result(c.raw == c.walk_raw &&
				 c.aerated == c.walk_aerated,
				 "debugfs counts equal the walk\n");
	}

	/* Take most of free memory back: some must come from aerated pages. */
	rep0 = read_vmstat("aeration_alloc_aerated");
	if (hog((meminfo_kb("MemFree") >> 10) * 3 / 4))
		ksft_exit_fail_msg("hog: %s\n", strerror(errno));
	ksft_test_result(read_vmstat("aeration_alloc_aerated") > rep0,
			 "alloc_aerated counts allocations of reported memory\n");
	ksft_finished();
}
