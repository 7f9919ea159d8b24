// SPDX-License-Identifier: GPL-2.0
/*
 * sysctl_ranges: every vm.aeration_* sysctl accepts its documented range,
 * rejects values outside it with EINVAL, and keeps its value after a bad
 * write.
 */
#include "../kselftest.h"
#include "aeration_util.h"

struct knob {
	const char *name;
	long min, max;
};

static const struct knob knobs[] = {
	{ "aeration_order", 4, 10 },
	{ "aeration_high_wmark", 1, 1 << 20 },
	{ "aeration_delay_ms", 0, 60000 },
	{ "aeration_batch", 1, 256 },
	{ "aeration_settle_ms", 0, 60000 },
	{ "aeration_delay_max_ms", 0, 60000 },
	{ "aeration_adaptive", 0, 1 },
	{ "aeration_hint_order", 4, 10 },
	{ "aeration_hint_balloon", 0, 1 },
	{ "aeration_hint_rehint", 0, 1 },
	{ "aeration_hint_window_mib", 24, 4096 },
};

#define NKNOBS ARRAY_SIZE(knobs)

static void check_knob(const struct knob *k)
{
	char bad_hi[32], bad_lo[32];
	const char * const bad[] = { bad_lo, bad_hi, "abc\n", "-99999999999\n" };
	long orig = 0, v = 0;
	unsigned int i;
	int err;

	if (sysctl_read(k->name, &orig)) {
		ksft_test_result_fail("%s: readable\n", k->name);
		return;
	}
	ksft_print_msg("%s = %ld\n", k->name, orig);

	snprintf(bad_lo, sizeof(bad_lo), "%ld\n", k->min - 1);
	snprintf(bad_hi, sizeof(bad_hi), "%ld\n", k->max + 1);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err = sysctl_write(k->name, bad[i]);
		if (err != -EINVAL) {
			ksft_print_msg("%s: writing '%.*s' gave %d, want %d\n",
				       k->name, (int)strcspn(bad[i], "\n"),
				       bad[i], err, -EINVAL);
			ksft_test_result_fail("%s: bad writes fail with EINVAL\n",
					      k->name);
			goto restore;
		}
		if (sysctl_read(k->name, &v) || v != orig) {
			ksft_print_msg("%s: value changed to %ld by a bad write\n",
				       k->name, v);
			ksft_test_result_fail("%s: bad writes fail with EINVAL\n",
					      k->name);
			goto restore;
		}
	}
	ksft_test_result_pass("%s: bad writes fail with EINVAL, value kept\n",
			      k->name);

	/* Both ends of the range are accepted and read back. */
	err = sysctl_write_long(k->name, k->min);
	if (!err && !sysctl_read(k->name, &v) && v == k->min) {
		err = sysctl_write_long(k->name, k->max);
		if (!err && (sysctl_read(k->name, &v) || v != k->max))
			err = -ERANGE;
	} else if (!err) {
		err = -ERANGE;
	}
	ksft_test_result(!err, "%s: accepts %ld and %ld\n", k->name, k->min,
			 k->max);
restore:
	if (sysctl_write_long(k->name, orig))
		ksft_print_msg("%s: could not restore %ld\n", k->name, orig);
}

int main(void)
{
	long v;
	unsigned int i;

	ksft_print_header();
	if (sysctl_read("aeration_order", &v))
		ksft_exit_skip("no vm.aeration_* sysctls (not an aeration kernel)\n");
	ksft_set_plan(2 * NKNOBS);
	for (i = 0; i < NKNOBS; i++)
		check_knob(&knobs[i]);
	ksft_finished();
}
