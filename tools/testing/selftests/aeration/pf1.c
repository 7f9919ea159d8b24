// SPDX-License-Identifier: GPL-2.0
/*
 * pf1: our own page_fault1 (after will-it-scale's): each of TASKS processes
 * maps SIZE MiB of anonymous memory, writes one byte in every page, unmaps
 * it and starts again, for SECONDS.  Every fault allocates a page and every
 * unmap frees them, so this measures the allocator's fast paths, where
 * aeration's hooks are.  Prints, for the host harness:
 *
 *   @@ pf1 tasks=N seconds=S pages=P rate=R        (R: pages per second)
 *
 *   pf1 TASKS SECONDS [SIZE_MIB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aeration_util.h"

static long long run(double seconds, size_t len, long page)
{
	double end = now_s() + seconds;
	long long pages = 0;
	size_t off;
	char *p;

	while (now_s() < end) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -1;
		for (off = 0; off < len; off += page)
			p[off] = 1;
		munmap(p, len);
		pages += len / page;
	}
	return pages;
}

int main(int argc, char **argv)
{
	long tasks = argc > 1 ? strtol(argv[1], NULL, 0) : 1;
	double seconds = argc > 2 ? strtod(argv[2], NULL) : 10;
	long mib = argc > 3 ? strtol(argv[3], NULL, 0) : 128;
	long page = sysconf(_SC_PAGESIZE);
	long long total = 0, n;
	int fds[2], status, failed = 0;
	double t0, t1;
	long i;

	if (tasks < 1 || tasks > 64 || seconds <= 0 || mib < 1) {
		fprintf(stderr, "usage: pf1 TASKS SECONDS [SIZE_MIB]\n");
		return 2;
	}
	if (pipe(fds))
		return 1;
	t0 = now_s();
	for (i = 0; i < tasks; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (!pid) {
			n = run(seconds, (size_t)mib << 20, page);
			if (write(fds[1], &n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(n < 0);
		}
	}
	close(fds[1]);
	for (i = 0; i < tasks; i++) {
		if (read(fds[0], &n, sizeof(n)) != sizeof(n) || n < 0)
			failed = 1;
		else
			total += n;
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	t1 = now_s();
	if (failed) {
		fprintf(stderr, "pf1: a task failed\n");
		return 1;
	}
	printf("@@ pf1 tasks=%ld seconds=%.2f pages=%lld rate=%.0f\n",
	       tasks, t1 - t0, total, total / (t1 - t0));
	return 0;
}
