// SPDX-License-Identifier: GPL-2.0
/*
 * counters: after a large free, aeration reports it: the vmstat counters
 * advance by at least most of what was freed, the per-zone debugfs counts
 * equal a walk of the free lists exactly once the worker is idle, the
 * gauge of reported memory (nr_free_reported in /proc/vmstat and, per
 * zone, /proc/zoneinfo) agrees with them, and memory allocated back out of
 * reported pages is counted.
 */
#include <sys/mman.h>

#include "../kselftest.h"
#include "aeration_util.h"

#define HOG_MIB		512
#define WAIT_S		20
/*
 * The gauge goes through per-cpu deltas, folded by vm.stat_refresh just
 * before it is read: what the system frees or allocates between that
 * and the debugfs read is all that may differ.
 */
#define GAUGE_SLACK	1024

/* nr_free_reported summed over /proc/zoneinfo's zones; -1: none. */
static long long zoneinfo_reported(void)
{
	char line[256];
	long long v, sum = -1;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " nr_free_reported %lld", &v) == 1)
			sum = (sum < 0 ? 0 : sum) + v;
	fclose(f);
	return sum;
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
	if (read_vmstat("nr_free_reported") < 0)
		ksft_exit_fail_msg("no nr_free_reported in /proc/vmstat\n");
	ksft_set_plan(5);

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
		ksft_test_result_fail("nr_free_reported agrees\n");
	} else {
		long long vm, zi;

		write_file("/proc/sys/vm/stat_refresh", "1\n");
		vm = read_vmstat("nr_free_reported");
		zi = zoneinfo_reported();
		read_counts(&c);

		ksft_print_msg("zones: counts %lld raw, %lld aerated; walk %lld/%lld pages\n",
			       c.raw, c.aerated, c.walk_raw, c.walk_aerated);
		ksft_test_result(c.aerated >= want,
				 "debugfs shows the reported memory aerated\n");
		ksft_test_result(c.raw == c.walk_raw &&
				 c.aerated == c.walk_aerated,
				 "debugfs counts equal the walk\n");
		ksft_print_msg("nr_free_reported: vmstat %lld, zoneinfo %lld, debugfs %lld pages\n",
			       vm, zi, c.aerated);
		ksft_test_result(llabs(vm - c.aerated) <= GAUGE_SLACK &&
				 llabs(zi - c.aerated) <= GAUGE_SLACK,
				 "nr_free_reported agrees with debugfs within %d pages\n",
				 GAUGE_SLACK);
	}

	/* Take most of free memory back: some must come from aerated pages. */
	rep0 = read_vmstat("aeration_alloc_aerated");
	if (hog((meminfo_kb("MemFree") >> 10) * 3 / 4))
		ksft_exit_fail_msg("hog: %s\n", strerror(errno));
	ksft_test_result(read_vmstat("aeration_alloc_aerated") > rep0,
			 "alloc_aerated counts allocations of reported memory\n");
	ksft_finished();
}
