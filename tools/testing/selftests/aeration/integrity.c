// SPDX-License-Identifier: GPL-2.0
/*
 * integrity: no page in use is ever reported.  One process keeps a buffer
 * of known contents and verifies it again and again while others allocate
 * and free memory in large chunks, so that aeration reports continuously.
 * A page reported while in use would come back from the host as zeros.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "aeration_util.h"

#define BUF_MIB		256
#define CHURN_MIB	384
#define CHURNERS	2
#define DURATION_S	20

static void churn(unsigned int seed)
{
	size_t len = (size_t)CHURN_MIB << 20, off;
	double end = now_s() + DURATION_S;

	while (now_s() < end) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(1);
		for (off = 0; off < len; off += 4096)
			p[off] = (char)(seed + off);
		munmap(p, len);
		usleep(50 * 1000 + (seed % 7) * 10 * 1000);
	}
	_exit(0);
}

static inline uint64_t pattern(size_t i)
{
	return (i * 0x9e3779b97f4a7c15ULL) ^ 0xa5a5a5a5a5a5a5a5ULL;
}

int main(void)
{
	size_t words = ((size_t)BUF_MIB << 20) / sizeof(uint64_t), i;
	long long rep0, rep;
	unsigned long passes = 0, bad = 0, zero_pages = 0;
	pid_t pids[CHURNERS];
	uint64_t *buf;
	double end;
	int n, st, failed = 0;

	ksft_print_header();
	rep0 = read_vmstat("aeration_pages_reported");
	if (rep0 < 0)
		ksft_exit_skip("no aeration counters in /proc/vmstat\n");
	ksft_set_plan(2);
	/*
	 * The churners are churn: adaptation would back off and report
	 * less while the buffer is checked, and the check wants the most.
	 */
	adaptive_off();

	buf = mmap(NULL, (size_t)BUF_MIB << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	for (i = 0; i < words; i++)
		buf[i] = pattern(i);

	for (n = 0; n < CHURNERS; n++) {
		pids[n] = fork();
		if (pids[n] == 0)
			churn(n * 1000 + 1);
	}

	end = now_s() + DURATION_S;
	while (now_s() < end) {
		for (i = 0; i < words; i++) {
			if (buf[i] == pattern(i))
				continue;
			if (bad++ < 5)
				ksft_print_msg("word %zu: %#llx, want %#llx\n", i,
					       (unsigned long long)buf[i],
					       (unsigned long long)pattern(i));
			if (buf[i] == 0 && (i % 512) == 0)
				zero_pages++;
			buf[i] = pattern(i);
		}
		passes++;
	}
	for (n = 0; n < CHURNERS; n++) {
		if (waitpid(pids[n], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			failed++;
	}
	rep = read_vmstat("aeration_pages_reported");
	ksft_print_msg("%lu passes over %d MiB, %lld pages reported meanwhile\n",
		       passes, BUF_MIB, rep - rep0);
	ksft_print_msg("%d churners failed\n", failed);
	/* The check means nothing unless reporting really ran meanwhile. */
	ksft_test_result(rep - rep0 >= (CHURN_MIB << 8) && !failed,
			 "aeration reported while the buffer was checked\n");
	ksft_test_result(bad == 0 && passes > 0,
			 "buffer intact (%lu bad words, %lu zeroed pages)\n",
			 bad, zero_pages);
	ksft_finished();
}
