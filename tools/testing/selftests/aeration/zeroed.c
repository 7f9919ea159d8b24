// SPDX-License-Identifier: GPL-2.0
/*
 * zeroed: reported pages known to be zero.  With a balloon device that
 * offers VIRTIO_BALLOON_F_DEVICE_INIT_REPORTED (bit 6), memory the guest
 * wrote, freed and reported comes back to new mappings without being
 * cleared again (aeration_zero_skipped), by order-0 faults and by THP
 * faults, and reads zero, every word.  Without it, the same memory is
 * cleared as always: nothing counted known zero, nothing skipped, and
 * zero just the same.  Skipped with init_on_free=1 (nothing to skip:
 * freed memory is cleared at once) and on other architectures than x86
 * (order-0 faults allocate with __GFP_ZERO there).
 */
#include <sys/mman.h>

#include "../kselftest.h"
#include "aeration_util.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

#define DIRTY_MIB	512	/* written, freed, reported */
#define MAP_MIB		256	/* then mapped again and checked */
#define INIT_REPORTED	6

static long long pages(long long mib)
{
	return (mib << 20) / sysconf(_SC_PAGESIZE);
}

/* Write a pattern over DIRTY_MIB, free it, report it: pages known zero. */
static long long dirty_and_report(void)
{
	long long z0 = read_vmstat("aeration_pages_zeroed");
	size_t len = (size_t)DIRTY_MIB << 20;
	char *p = grab(DIRTY_MIB);
	int err;

	if (!p)
		ksft_exit_fail_msg("mmap %d MiB: %s\n", DIRTY_MIB,
				   strerror(errno));
	memset(p, 0xa5, len);
	munmap(p, len);
	err = sysctl_write("aeration_report_now", "30000\n");
	if (err)
		ksft_exit_fail_msg("vm.aeration_report_now: %d\n", err);
	return read_vmstat("aeration_pages_zeroed") - z0;
}

/*
 * Map MAP_MIB with @advice, fault it all in for writing without writing
 * it, and count the words that are not zero; *@skipped: the pages the
 * allocator did not clear meanwhile, *@thp: THP faults.
 */
static long long map_and_check(int advice, long long *skipped,
			       long long *thp)
{
	long long s0 = read_vmstat("aeration_zero_skipped"), bad = 0;
	long long t0 = read_vmstat("thp_fault_alloc");
	size_t len = (size_t)MAP_MIB << 20, i;
	unsigned long *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	if (madvise(p, len, advice) || madvise(p, len, MADV_POPULATE_WRITE))
		ksft_exit_fail_msg("madvise: %s\n", strerror(errno));
	*skipped = read_vmstat("aeration_zero_skipped") - s0;
	*thp = read_vmstat("thp_fault_alloc") - t0;
	for (i = 0; i < len / sizeof(*p); i++)
		bad += p[i] != 0;
	munmap(p, len);
	return bad;
}

int main(void)
{
	static const struct {
		const char *name;
		int advice;
	} maps[] = {
		{ "order-0 faults", MADV_NOHUGEPAGE },
		{ "THP faults", MADV_HUGEPAGE },
	};
	long long zeroed, skipped, bad, thp, w0;
	char feat[256], cmdline[4096] = "";
	unsigned int i;
	int offered;
	FILE *f;

	ksft_print_header();
#ifndef __x86_64__
	ksft_exit_skip("order-0 faults may not allocate with __GFP_ZERO here\n");
#endif
	f = fopen("/proc/cmdline", "r");
	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = '\0';
		fclose(f);
	}
	if (strstr(cmdline, "init_on_free=1"))
		ksft_exit_skip("init_on_free=1: freed memory is cleared at once\n");
	if (balloon_features_read(feat, sizeof(feat)))
		ksft_exit_skip("no virtio-balloon device\n");
	if (access(SYSCTL_DIR "aeration_report_now", W_OK))
		ksft_exit_skip("no vm.aeration_report_now\n");
	offered = strlen(feat) > INIT_REPORTED && feat[INIT_REPORTED] == '1';
	ksft_print_msg("features %s: reported pages %sknown zero\n", feat,
		       offered ? "" : "not ");
	ksft_set_plan(2 + 2 * ARRAY_SIZE(maps));
	adaptive_off();		/* every free reported, churn or not */
	w0 = read_vmstat("aeration_zero_wrong");

	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		zeroed = dirty_and_report();
		if (!i) {
			ksft_print_msg("%lld pages reported known zero\n",
				       zeroed);
			ksft_test_result(offered ? zeroed >= pages(DIRTY_MIB / 2) :
					 zeroed == 0,
					 "reported pages known zero: %s\n",
					 offered ? "at least half of them" :
					 "none");
		}
		bad = map_and_check(maps[i].advice, &skipped, &thp);
		ksft_print_msg("%s: %lld pages not cleared, %lld THP faults, %lld words not zero\n",
			       maps[i].name, skipped, thp, bad);
		ksft_test_result(!bad, "%s: %d MiB read zero\n", maps[i].name,
				 MAP_MIB);
		if (maps[i].advice == MADV_HUGEPAGE && !thp) {
			ksft_test_result_skip("%s: no THP\n", maps[i].name);
			continue;
		}
		ksft_test_result(offered ? skipped >= pages(MAP_MIB / 4) :
				 skipped == 0,
				 "%s: %s\n", maps[i].name,
				 offered ? "a quarter or more not cleared again" :
				 "every page cleared");
	}
	/* DEBUG_VM kernels check what they skip: nothing known zero was not. */
	ksft_test_result(read_vmstat("aeration_zero_wrong") <= w0,
			 "no page known zero that was not\n");
	adaptive_restore();
	ksft_finished();
}
