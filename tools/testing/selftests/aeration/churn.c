// SPDX-License-Identifier: GPL-2.0
/*
 * churn: each of TASKS processes maps SIZE MiB of anonymous memory, writes
 * one byte in every page, unmaps it, sleeps PAUSE_MS and starts again, for
 * SECONDS: memory freed and taken back over and over, what reporting must
 * not slow down.  Prints, for the host harness, when it starts and:
 *
 *   @@ churn-start
 *   @@ churn tasks=N seconds=S cycles=C cycle_ms=M preempted=P
 *
 * P: how often the tasks were preempted (involuntary context switches),
 * in all: the CPU time other work took from them.
 *
 *   churn TASKS SECONDS [SIZE_MIB [PAUSE_MS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aeration_util.h"

static long long run(double seconds, size_t len, long page, long pause_ms)
{
	double end = now_s() + seconds;
	long long cycles = 0;
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
		cycles++;
		usleep(pause_ms * 1000);
	}
	return cycles;
}

int main(int argc, char **argv)
{
	long tasks = argc > 1 ? strtol(argv[1], NULL, 0) : 1;
	double seconds = argc > 2 ? strtod(argv[2], NULL) : 60;
	long mib = argc > 3 ? strtol(argv[3], NULL, 0) : 512;
	long pause_ms = argc > 4 ? strtol(argv[4], NULL, 0) : 100;
	long page = sysconf(_SC_PAGESIZE);
	long long cycles = 0, preempted = 0, n[2];
	int fds[2], status, failed = 0;
	double t0, t1;
	long i;

	if (tasks < 1 || tasks > 64 || seconds <= 0 || mib < 1 ||
	    pause_ms < 0) {
		fprintf(stderr, "usage: churn TASKS SECONDS [SIZE_MIB [PAUSE_MS]]\n");
		return 2;
	}
	if (pipe(fds))
		return 1;
	printf("@@ churn-start\n");
	fflush(stdout);
	t0 = now_s();
	for (i = 0; i < tasks; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (!pid) {
			struct rusage ru;

			n[0] = run(seconds, (size_t)mib << 20, page, pause_ms);
			if (getrusage(RUSAGE_SELF, &ru))
				_exit(1);
			n[1] = ru.ru_nivcsw;
			if (write(fds[1], n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(n[0] < 0);
		}
	}
	close(fds[1]);
	for (i = 0; i < tasks; i++) {
		if (read(fds[0], n, sizeof(n)) != sizeof(n) || n[0] < 0) {
			failed = 1;
		} else {
			cycles += n[0];
			preempted += n[1];
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	t1 = now_s();
	if (failed || !cycles) {
		fprintf(stderr, "churn: a task failed\n");
		return 1;
	}
	printf("@@ churn tasks=%ld seconds=%.2f cycles=%lld cycle_ms=%.0f preempted=%lld\n",
	       tasks, t1 - t0, cycles, 1000.0 * (t1 - t0) * tasks / cycles,
	       preempted);
	return 0;
}
