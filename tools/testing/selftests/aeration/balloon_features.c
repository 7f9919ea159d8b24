// SPDX-License-Identifier: GPL-2.0
/*
 * balloon_features: the virtio-balloon device is bound and the features the
 * host offered were negotiated.  Which features are expected comes from the
 * environment the harness sets (AERATION_EXPECT_FEATURES, bit numbers), so
 * the same binary checks a guest booted with and without reporting.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kselftest.h"
#include "aeration_util.h"

int main(void)
{
	const char *expect = getenv("AERATION_EXPECT_FEATURES");
	char feat[256], *tok, *save, *list;
	int bound;

	ksft_print_header();
	ksft_set_plan(2);

	bound = balloon_features_read(feat, sizeof(feat)) == 0;
	ksft_test_result(bound, "virtio-balloon device bound\n");
	if (!bound) {
		ksft_test_result_skip("negotiated features\n");
		ksft_finished();
	}
	ksft_print_msg("features %s\n", feat);

	if (!expect || !*expect) {
		ksft_test_result_skip("negotiated features (none expected)\n");
		ksft_finished();
	}
	list = strdup(expect);
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned int bit = strtoul(tok, NULL, 0);

		if (bit >= strlen(feat) || feat[bit] != '1') {
			ksft_print_msg("feature bit %u not negotiated\n", bit);
			ksft_test_result_fail("negotiated features\n");
			ksft_finished();
		}
	}
	ksft_test_result_pass("negotiated features %s\n", expect);
	ksft_finished();
}
