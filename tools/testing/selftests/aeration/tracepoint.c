// SPDX-License-Identifier: GPL-2.0
/*
 * tracepoint: every batch handed to the device shows up as an
 * aeration:aeration_batch event with its zone, order, pages and latency.
 */
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "../kselftest.h"
#include "aeration_util.h"

#define TRACING "/sys/kernel/tracing"
#define EVENT TRACING "/events/aeration/aeration_batch"

/* The event's TP_printk() after its name. */
static const char fmt[] =
	"nid=%d zid=%d order=%u nents=%u pages=%lu latency_us=%lu err=%d";

int main(void)
{
	size_t len = 384UL << 20, off;
	char line[512], *p;
	long long bat0, bat;
	int events = 0, well_formed = 0;
	FILE *f;

	ksft_print_header();
	if (access(TRACING "/trace", R_OK))
		mount("tracefs", TRACING, "tracefs", 0, NULL);
	if (access(EVENT "/enable", W_OK))
		ksft_exit_skip("no aeration:aeration_batch event\n");
	ksft_set_plan(2);
	/*
	 * The hog below takes what the tests before it freed, within
	 * seconds: churn, for which adaptation may hold its memory back for
	 * an interval.  That is adapt's to test; here every batch counts.
	 */
	adaptive_off();

	/* Idle before and after: every batch between is one event. */
	if (wait_idle(2.5, 60) < 0)
		ksft_exit_fail_msg("the worker never went idle\n");
	write_file(TRACING "/trace", "");
	if (write_file(EVENT "/enable", "1"))
		ksft_exit_fail_msg("cannot enable the event\n");

	bat0 = read_vmstat("aeration_batches");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	for (off = 0; off < len; off += 4096)
		p[off] = 1;
	munmap(p, len);
	if (wait_idle(2.5, 60) < 0)
		ksft_print_msg("the worker did not go idle\n");
	write_file(EVENT "/enable", "0");
	bat = read_vmstat("aeration_batches");

	f = fopen(TRACING "/trace", "r");
	if (!f)
		ksft_exit_fail_msg("cannot read the trace\n");
	while (fgets(line, sizeof(line), f)) {
		unsigned int order, nents;
		unsigned long pages, lat;
		int nid, zid, err;
		char *ev = strstr(line, "aeration_batch: ");

		if (!ev)
			continue;
		events++;
		if (sscanf(ev + strlen("aeration_batch: "), fmt,
			   &nid, &zid, &order, &nents, &pages, &lat, &err) == 7 &&
		    nents > 0 && pages >= nents && err == 0)
			well_formed++;
		if (events == 1)
			ksft_print_msg("%s", ev);
	}
	fclose(f);
	ksft_print_msg("%d events, %lld batches counted\n", events, bat - bat0);
	ksft_test_result(events > 0 && events == bat - bat0,
			 "one event per batch\n");
	ksft_test_result(events > 0 && well_formed == events,
			 "events carry zone, order, pages and latency\n");
	ksft_finished();
}
