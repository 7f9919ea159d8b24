// SPDX-License-Identifier: GPL-2.0
/*
 * pressure: take all available memory and EXTRA_MIB more, a MiB at a
 * time, in a guest whose balloon deflates on OOM: the extra can only come
 * from the balloon.  Waits for a byte on the control port (/dev/ttyS2)
 * first, so that the host can start a migration.  Lines:
 *
 *   @@ pressure-start <MiB to take> <MemAvailable kB>
 *   @@ pressure-done <MiB taken> <slowest MiB, ms> <s in all> <balloon pages deflated>
 *
 * The slowest MiB is how long the allocator (and the OOM notifier that
 * deflates the balloon) kept the program waiting at worst.  If the OOM
 * killer picks it instead, there is no done line.
 *
 *   pressure EXTRA_MIB
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aeration_util.h"

int main(int argc, char **argv)
{
	long extra, want, i;
	double t0, t1, slowest = 0;
	long long deflated;
	char *p;

	if (argc != 2)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	extra = atol(argv[1]);
	if (control_open()) {
		printf("@@ error: %s\n", CONTROL_PORT);
		return 1;
	}
	printf("@@ pressure-waiting\n");
	while (control_poll(-1) != 'g')
		;
	want = meminfo_kb("MemAvailable") / 1024 + extra;
	p = mmap(NULL, (size_t)want << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	deflated = read_vmstat("balloon_deflate");
	printf("@@ pressure-start %ld %lld\n", want, meminfo_kb("MemAvailable"));
	t0 = now_s();
	for (i = 0; i < want; i++) {
		t1 = now_s();
		memset(p + ((size_t)i << 20), 0x33, 1 << 20);
		t1 = now_s() - t1;
		if (t1 > slowest)
			slowest = t1;
	}
	printf("@@ pressure-done %ld %.0f %.1f %lld\n", want, slowest * 1000,
	       now_s() - t0, read_vmstat("balloon_deflate") - deflated);
	return 0;
}
