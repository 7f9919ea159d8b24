// SPDX-License-Identifier: GPL-2.0
/*
 * orders: every vm.aeration_order in a range, set while the guest frees
 * memory, must reach an idle worker; changing the order up and down in the
 * middle of a pass must lose no page.  Lines for the host harness, which
 * samples QEMU's RSS at each of them:
 *
 *   @@ order-hog <order> <MiB>            the hog holds its memory
 *   @@ order-idle <order> <s to idle> <batches> <raw> <aerated> <walk raw>
 *      <walk aerated> <rereported>        batches stopped growing
 *   @@ order-busy <order> <batches>       they did not, within the limit
 *   @@ flip <free kB before> <free kB after> <raw> <aerated> <walk raw>
 *      <walk aerated> <idle s>
 *
 * raw/aerated are the zones' counts and walk the debugfs walk of the free
 * lists, in pages, summed over the zones.  Free memory is MemFree plus the
 * per-cpu lists, after the worker went idle both times.
 *
 *   orders MIN MAX HOG_MIB
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aeration_util.h"

#define IDLE_S		2.5	/* no batch for longer than the settle pass */
#define LIMIT_S		60.0

/* MemFree plus the per-cpu lists, kB. */
static long long allfree_kb(void)
{
	char line[256];
	long long pcp = 0, n;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &n) == 1)
			pcp += n;
	fclose(f);
	return meminfo_kb("MemFree") + pcp * (getpagesize() / 1024);
}

/* A child takes @mib, writes it, says so, and exits when told (a pipe). */
static pid_t start_hog(long mib, int order, int *release)
{
	int up[2], down[2];
	pid_t pid;
	char c;

	if (pipe(up) || pipe(down))
		return -1;
	pid = fork();
	if (pid == 0) {
		size_t len = (size_t)mib << 20;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		close(up[0]);
		close(down[1]);
		if (p == MAP_FAILED)
			_exit(1);
		memset(p, 0x5a, len);
		if (write(up[1], "r", 1) != 1)
			_exit(1);
		if (read(down[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	if (pid < 0 || read(up[0], &c, 1) != 1)
		return -1;
	close(up[0]);
	printf("@@ order-hog %d %ld\n", order, mib);
	fflush(stdout);
	*release = down[1];
	return pid;
}

static int set_order(int order)
{
	if (sysctl_write_long("aeration_order", order)) {
		printf("@@ error: aeration_order=%d: %s\n", order,
		       strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int min, max, order, release, status, rc = 0;
	long long before, after;
	struct counts c;
	long mib;
	double t;
	pid_t pid;

	if (argc != 4)
		return 2;
	min = atoi(argv[1]);
	max = atoi(argv[2]);
	mib = atol(argv[3]);
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (order = min; order <= max; order++) {
		pid = start_hog(mib, order, &release);
		if (pid < 0)
			return 1;
		/* Set while the hog's memory goes back to the allocator. */
		close(release);
		if (set_order(order))
			return 1;
		waitpid(pid, &status, 0);
		t = wait_idle(IDLE_S, LIMIT_S);
		if (t < 0) {
			printf("@@ order-busy %d %lld\n", order,
			       read_vmstat("aeration_batches"));
			rc = 1;
			continue;
		}
		if (read_counts(&c))
			return 1;
		printf("@@ order-idle %d %.1f %lld %lld %lld %lld %lld %lld\n",
		       order, t, read_vmstat("aeration_batches"), c.raw,
		       c.aerated, c.walk_raw, c.walk_aerated,
		       read_vmstat("aeration_pages_rereported"));
	}

	/* Up and down while a pass reports a large free. */
	if (set_order(9) || wait_idle(IDLE_S, LIMIT_S) < 0)
		return 1;
	before = allfree_kb();
	pid = start_hog(mib, 0, &release);
	if (pid < 0)
		return 1;
	/* The worker runs between flips: each one stops a pass mid-way. */
	if (sysctl_write_long("aeration_delay_ms", 0))
		return 1;
	close(release);
	waitpid(pid, &status, 0);
	for (order = 0; order < 6; order++) {
		static const int flips[] = { 10, 4, 9, 10, 5, 9 };

		if (set_order(flips[order]))
			return 1;
		usleep(50 * 1000);
	}
	t = wait_idle(IDLE_S, LIMIT_S);
	sysctl_write_long("aeration_delay_ms", 100);
	after = allfree_kb();
	if (read_counts(&c))
		return 1;
	printf("@@ flip %lld %lld %lld %lld %lld %lld %.1f\n", before, after,
	       c.raw, c.aerated, c.walk_raw, c.walk_aerated, t);
	return rc;
}
