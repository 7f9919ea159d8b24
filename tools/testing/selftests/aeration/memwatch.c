// SPDX-License-Identifier: GPL-2.0
/*
 * memwatch: sample MemFree every INTERVAL_MS and print, every PRINT_MS,
 * lines for the host harness:
 *
 *   @@ memfree <uptime s> <MemFree kB now> <lowest MemFree kB since last line>
 *   @@ hintstat <hint rounds> <pages hinted> <balloon pages hinted> <drop_pagecache>
 *   @@ verify <full passes> <bad words>          (with BUF_MIB)
 *   @@ trace <event fields>     (each aeration_hint_round event, if enabled)
 *
 * so that a dip shorter than the print period (a fast migration) is seen.
 * With BUF_MIB, a buffer of that size is filled with a known pattern and
 * checked a slice per sample, all the time, so a migration that loses or
 * corrupts guest memory shows up as bad words.
 *
 *   memwatch [INTERVAL_MS [PRINT_MS [BUF_MIB]]]
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aeration_util.h"

#define SLICE_WORDS	((256 << 10) / sizeof(uint64_t))	/* 256 KiB a sample */

static uint64_t pattern(size_t i)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL;
}

#define TRACE_PIPE	"/sys/kernel/tracing/trace_pipe"
#define TRACE_EVENT	"aeration_hint_round: "

static char trace_buf[8192];
static size_t trace_len;

/* Print the complete trace lines that came in, without blocking. */
static void print_trace(int fd)
{
	char *line, *nl, *ev;
	ssize_t n;

	while ((n = read(fd, trace_buf + trace_len,
			 sizeof(trace_buf) - 1 - trace_len)) > 0) {
		trace_len += n;
		trace_buf[trace_len] = 0;
		line = trace_buf;
		while ((nl = strchr(line, '\n'))) {
			*nl = 0;
			ev = strstr(line, TRACE_EVENT);
			if (ev)
				printf("@@ trace %s\n", ev + strlen(TRACE_EVENT));
			line = nl + 1;
		}
		trace_len = strlen(line);
		memmove(trace_buf, line, trace_len);
		if (trace_len == sizeof(trace_buf) - 1)
			trace_len = 0;	/* a line too long: drop it */
	}
}

static double read_uptime(void)
{
	FILE *f = fopen("/proc/uptime", "r");
	double up = 0;

	if (f) {
		if (fscanf(f, "%lf", &up) != 1)
			up = 0;
		fclose(f);
	}
	return up;
}

int main(int argc, char **argv)
{
	long interval = argc > 1 ? strtol(argv[1], NULL, 0) : 5;
	long print = argc > 2 ? strtol(argv[2], NULL, 0) : 200;
	long buf_mib = argc > 3 ? strtol(argv[3], NULL, 0) : 0;
	long long now, low = -1, passes = 0, bad = 0;
	size_t words = 0, pos = 0, i, end;
	uint64_t *buf = NULL;
	double next = 0, t;
	int trace_fd = open(TRACE_PIPE, O_RDONLY | O_NONBLOCK);

	if (interval <= 0 || print < interval || buf_mib < 0) {
		fprintf(stderr, "usage: memwatch [INTERVAL_MS [PRINT_MS [BUF_MIB]]]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (buf_mib) {
		words = (size_t)buf_mib << 20 >> 3;
		buf = mmap(NULL, words * sizeof(*buf), PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		for (i = 0; i < words; i++)
			buf[i] = pattern(i);
	}
	for (;;) {
		now = meminfo_kb("MemFree");
		if (low < 0 || now < low)
			low = now;
		if (buf) {
			end = pos + SLICE_WORDS < words ? pos + SLICE_WORDS : words;
			for (i = pos; i < end; i++)
				if (buf[i] != pattern(i))
					bad++;
			pos = end;
			if (pos == words) {
				pos = 0;
				passes++;
			}
		}
		t = now_s();
		if (t >= next) {
			printf("@@ memfree %.2f %lld %lld\n", read_uptime(), now, low);
			printf("@@ hintstat %lld %lld %lld %lld\n",
			       read_vmstat("aeration_hint_rounds"),
			       read_vmstat("aeration_pages_hinted"),
			       read_vmstat("aeration_balloon_pages_hinted"),
			       read_vmstat("drop_pagecache"));
			if (buf)
				printf("@@ verify %lld %lld\n", passes, bad);
			if (trace_fd >= 0)
				print_trace(trace_fd);
			low = -1;
			next = t + print / 1000.0;
		}
		usleep(interval * 1000);
	}
}
