// SPDX-License-Identifier: GPL-2.0
/*
 * adapt: a guest that allocates, touches and frees the same memory over
 * and over makes its zone back off (aeration_backoffs advances) and stop
 * handing that memory to the host: from its fourth cycle on it reports
 * less than a quarter of what the same churn reports with
 * vm.aeration_adaptive=0 (the control, which must report at least one
 * cycle's worth).  Once the churn stops, the zone sees the guest idle and
 * goes back to reporting at vm.aeration_delay_ms (aeration_backoff_ends
 * advances) within IDLE_BACK_S, far less than its interval, and what the
 * churn freed is reported within MEMORY_BACK_S of its end.  (The counters
 * are the system's: a guest whose memory is in one zone, as the tests',
 * sees its own.)  And growth is not churn: a program that takes
 * reported memory in steps, with passes between them, and keeps it,
 * does not make the zone back off, and what it frees at its exit is
 * reported within a few seconds.
 */
#include <sys/mman.h>
#include <sys/mount.h>

#include "../kselftest.h"
#include "aeration_util.h"

#define CHURN_MIB	256
#define PAUSE_MS	200	/* longer than vm.aeration_delay_ms */
#define HIGH_WMARK	8	/* blocks: 16 MiB, well below a cycle's free */
#define CHURN_S		10	/* at least, and at least CHURN_CYCLES */
#define CHURN_CYCLES	6
#define STEADY_FROM	3	/* measured: the cycles from this one on */
/*
 * The longest interval: at least three of the control's cycles (a zone
 * must see a whole cycle in one interval), at least 10 s.  The zone may
 * still see the churn in the interval after it, then needs a quiet one;
 * a third for the timers.
 */
#define DELAY_MAX_MIN_MS	10000
#define RAW_LEFT_MIB	16	/* the high mark's worth, at most, once idle */
/*
 * The idle window is 4 * vm.aeration_delay_ms, 400 ms; a look at the zone
 * every 100 ms; the rest for TCG's timers.  Far below the interval the
 * churn leaves (seconds), which is when the zone saw it quiet before.
 */
#define IDLE_BACK_S	2
/* 3/4 of a cycle reported: the first pass, at most a settle pass more. */
#define MEMORY_BACK_S	3
#define GROW_STEPS	3
#define GROW_STEP_MIB	128	/* the program's growth per step */
#define GROW_TEMP_MIB	40	/* freed at each step: well above the mark */
#define GROW_PAUSE_MS	2000	/* a pass and a settle pass per step */
#define GROW_BACK_S	5	/* its exit's memory reported within */
#define PCP_FRACTION	4096	/* per-cpu lists: 1/4096 of the zone */
#define TRACING		"/sys/kernel/tracing"
#define ADAPT_EVENT	TRACING "/events/aeration/aeration_adapt/enable"
#define CHURN_END	"adapt: churn end"

static const char * const knobs[] = {
	"aeration_adaptive", "aeration_delay_max_ms", "aeration_delay_ms",
	"aeration_settle_ms", "aeration_high_wmark",
};

struct churn {
	int cycles;
	long long steady_reported;	/* pages */
	double cycle_s;
};

/*
 * A program that grows by GROW_STEP_MIB per step and keeps it; each step
 * also frees a GROW_TEMP_MIB buffer, which requests a pass that sees the
 * growth as reuse and reports a little.  Then it exits.  Return: seconds
 * until 3/4 of what it freed was reported, or -1.
 */
static double grow(long long *backoffs, long long *taken, int *passes)
{
	long long b0 = read_vmstat("aeration_backoffs"), rep0, bat;
	struct counts c0, c1;
	long pcp_fraction = 0;
	char *p[GROW_STEPS], *t;
	double t0;
	int i;

	if (read_counts(&c0))
		return -1;
	/*
	 * Small per-cpu lists: the temporary buffer reaches the buddy lists
	 * at once (the churn above grew them to hold far more than it).
	 */
	if (sysctl_read("percpu_pagelist_high_fraction", &pcp_fraction) ||
	    sysctl_write_long("percpu_pagelist_high_fraction", PCP_FRACTION))
		return -1;
	*passes = 0;
	for (i = 0; i < GROW_STEPS; i++) {
		p[i] = grab(GROW_STEP_MIB);
		t = grab(GROW_TEMP_MIB);
		if (!p[i] || !t) {
			sysctl_write_long("percpu_pagelist_high_fraction",
					  pcp_fraction);
			return -1;
		}
		bat = read_vmstat("aeration_batches");
		munmap(t, (size_t)GROW_TEMP_MIB << 20);
		usleep(GROW_PAUSE_MS * 1000);
		/* The temporary buffer was reported: a pass, a verdict. */
		if (read_vmstat("aeration_batches") > bat)
			(*passes)++;
	}
	sysctl_write_long("percpu_pagelist_high_fraction", pcp_fraction);
	/* Aerated memory the program holds now (the walk's count). */
	if (read_counts(&c1))
		return -1;
	*taken = c0.aerated - c1.aerated;
	rep0 = read_vmstat("aeration_pages_reported");
	t0 = now_s();
	for (i = 0; i < GROW_STEPS; i++)
		munmap(p[i], (size_t)GROW_STEP_MIB << 20);
	while (read_vmstat("aeration_pages_reported") - rep0 <
	       (long long)GROW_STEPS * GROW_STEP_MIB * 256 * 3 / 4) {
		if (now_s() - t0 > 4 * GROW_BACK_S)
			break;
		usleep(50 * 1000);
	}
	*backoffs = read_vmstat("aeration_backoffs") - b0;
	return now_s() - t0;
}

/*
 * The first aeration_adapt event after the churn's end (its marker in the
 * trace) that stops a backoff: its why= and old_ms=, 0 if found.
 */
static int first_end(char *why, size_t len, unsigned int *old_ms)
{
	char line[512], w[16];
	unsigned int o, n;
	int marked = 0, ret = -1;
	char *ev;
	FILE *f;

	f = fopen(TRACING "/trace", "r");
	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f)) {
		if (strstr(line, CHURN_END))
			marked = 1;
		ev = strstr(line, "aeration_adapt: ");
		if (!marked || !ev)
			continue;
		ev = strstr(ev, "old_ms=");
		if (ev && sscanf(ev, "old_ms=%u new_ms=%u why=%15s", &o, &n,
				 w) == 3 && !n) {
			snprintf(why, len, "%s", w);
			*old_ms = o;
			ret = 0;
		}
	}
	fclose(f);
	return ret;
}

/* Allocate, touch and free CHURN_MIB, PAUSE_MS apart, for a while. */
static int churn(struct churn *r)
{
	double t0 = now_s();
	long long rep0 = 0;

	for (r->cycles = 0;
	     r->cycles < CHURN_CYCLES || now_s() - t0 < CHURN_S; r->cycles++) {
		if (r->cycles == STEADY_FROM)
			rep0 = read_vmstat("aeration_pages_reported");
		if (hog(CHURN_MIB))
			return -1;
		usleep(PAUSE_MS * 1000);
	}
	r->steady_reported = read_vmstat("aeration_pages_reported") - rep0;
	r->cycle_s = (now_s() - t0) / r->cycles;
	return 0;
}

int main(void)
{
	long saved[ARRAY_SIZE(knobs)];
	long long backoffs, ends, cycle = CHURN_MIB << 8;
	struct churn off, on;
	struct counts c;
	unsigned int i;
	double t0, quiet_s, grow_s, idle_s = -1, back_s = -1;
	long long rep0, ends_churn;
	unsigned int end_old_ms = 0;
	char end_why[16] = "none";
	int traced;
	long long grow_backoffs = -1, grow_taken = 0;
	int grow_passes = 0;
	long delay_max_ms;

	ksft_print_header();
	if (read_vmstat("aeration_backoffs") < 0)
		ksft_exit_skip("no aeration_backoffs in /proc/vmstat\n");
	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (sysctl_read(knobs[i], &saved[i]))
			ksft_exit_fail_msg("%s unreadable\n", knobs[i]);
	ksft_set_plan(7);
	/* The defaults, whatever an earlier test left. */
	if (sysctl_write_long("aeration_delay_ms", 100) ||
	    sysctl_write_long("aeration_settle_ms", 1000) ||
	    sysctl_write_long("aeration_high_wmark", HIGH_WMARK))
		ksft_exit_fail_msg("could not set the tunables\n");

	/* The control. */
	sysctl_write_long("aeration_adaptive", 0);
	if (churn(&off))
		ksft_exit_fail_msg("churn: %s\n", strerror(errno));
	ksft_print_msg("adaptive=0: %d cycles (%.2f s each), %lld pages reported from cycle %d\n",
		       off.cycles, off.cycle_s, off.steady_reported, STEADY_FROM);
	wait_idle(2.5, 30);

	delay_max_ms = 3000 * off.cycle_s;
	if (delay_max_ms < DELAY_MAX_MIN_MS)
		delay_max_ms = DELAY_MAX_MIN_MS;
	if (delay_max_ms > 60000)
		delay_max_ms = 60000;
	quiet_s = 3.0 * delay_max_ms / 1000;
	ksft_print_msg("vm.aeration_delay_max_ms = %ld\n", delay_max_ms);
	sysctl_write_long("aeration_delay_max_ms", delay_max_ms);
	sysctl_write_long("aeration_adaptive", 1);
	backoffs = read_vmstat("aeration_backoffs");
	ends = read_vmstat("aeration_backoff_ends");
	/* Which rule ends the backoff: the tracepoint says. */
	if (access(TRACING "/trace", R_OK))
		mount("tracefs", TRACING, "tracefs", 0, NULL);
	write_file(TRACING "/trace", "");
	traced = !write_file(ADAPT_EVENT, "1");
	if (churn(&on))
		ksft_exit_fail_msg("churn: %s\n", strerror(errno));
	write_file(TRACING "/trace_marker", CHURN_END);
	ends_churn = read_vmstat("aeration_backoff_ends") - ends;
	ends += ends_churn;
	ksft_print_msg("adaptive=1: %d cycles (%.2f s each), %lld pages reported from cycle %d\n",
		       on.cycles, on.cycle_s, on.steady_reported, STEADY_FROM);
	ksft_print_msg("adaptive=1: %lld backoffs, %lld ends during the churn\n",
		       read_vmstat("aeration_backoffs") - backoffs, ends_churn);
	/*
	 * Its pauses are shorter than the idle window: none is idle, but
	 * one may be before the zone learns how long they are.
	 */
	ksft_test_result(read_vmstat("aeration_backoffs") > backoffs &&
			 ends_churn <= 1,
			 "churn: the zone backs off, and stays backed off (%lld ends)\n",
			 ends_churn);
	ksft_test_result(off.steady_reported >= cycle &&
			 on.steady_reported * 4 < off.steady_reported,
			 "churn: reports < 1/4 of the control's (%lld vs %lld pages; control >= %lld)\n",
			 on.steady_reported, off.steady_reported, cycle);

	/*
	 * Idle: back to fast reporting, and what the churn freed reported,
	 * both within a second or two (the wait itself is longer, to tell
	 * the figures).
	 */
	t0 = now_s();
	rep0 = read_vmstat("aeration_pages_reported");
	while (now_s() - t0 < quiet_s && (idle_s < 0 || back_s < 0)) {
		if (idle_s < 0 && read_vmstat("aeration_backoff_ends") > ends)
			idle_s = now_s() - t0;
		if (back_s < 0 && read_vmstat("aeration_pages_reported") - rep0 >=
				  cycle * 3 / 4)
			back_s = now_s() - t0;
		usleep(20 * 1000);
	}
	if (traced) {
		write_file(ADAPT_EVENT, "0");
		first_end(end_why, sizeof(end_why), &end_old_ms);
	}
	ksft_print_msg("backoff ended %.2f s after the churn (-1: not within %.0f s)\n",
		       idle_s, quiet_s);
	ksft_print_msg("its end: why=%s old_ms=%u\n", end_why, end_old_ms);
	ksft_print_msg("3/4 of a cycle reported %.2f s after it\n", back_s);
	/* Seen idle: not the end of an interval that happened to be near. */
	ksft_test_result(idle_s >= 0 && idle_s <= IDLE_BACK_S &&
			 (!traced || !strcmp(end_why, "idle")),
			 "idle: back to vm.aeration_delay_ms within %d s%s\n",
			 IDLE_BACK_S, traced ? ", seen idle" : "");
	ksft_test_result(back_s >= 0 && back_s <= MEMORY_BACK_S,
			 "idle: 3/4 of the churn's memory reported within %d s\n",
			 MEMORY_BACK_S);
	if (wait_idle(2.5, 60) < 0 || read_counts(&c))
		c.raw = -1;
	ksft_print_msg("idle: %lld raw, %lld aerated pages\n", c.raw, c.aerated);
	ksft_test_result(c.raw >= 0 && c.raw <= RAW_LEFT_MIB << 8,
			 "quiet: free memory reported (<= %d MiB raw)\n",
			 RAW_LEFT_MIB);

	/* Growth, adaptive still on, the zone quiet and its verdict gone. */
	grow_s = grow(&grow_backoffs, &grow_taken, &grow_passes);
	ksft_print_msg("growth: %lld aerated pages taken, %d/%d steps passed\n",
		       grow_taken, grow_passes, GROW_STEPS);
	ksft_print_msg("growth: %lld backoffs, exit reported in %.1f s\n",
		       grow_backoffs, grow_s);
	/*
	 * Growth into reported memory, seen by a pass at each step: reuse,
	 * and the zone does not mind.
	 */
	ksft_test_result(grow_s >= 0 && grow_backoffs == 0 &&
			 grow_passes == GROW_STEPS &&
			 grow_taken >= GROW_STEPS * GROW_STEP_MIB * 256 / 2,
			 "growth: reported memory taken (%lld pages) with a pass at each step, the zone does not back off\n",
			 grow_taken);
	ksft_test_result(grow_s >= 0 && grow_s <= GROW_BACK_S,
			 "growth: its exit's memory reported within %d s\n",
			 GROW_BACK_S);

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		sysctl_write_long(knobs[i], saved[i]);
	ksft_finished();
}
