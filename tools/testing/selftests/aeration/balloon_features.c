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

#define BALLOON_DRV "/sys/bus/virtio/drivers/virtio_balloon"

static int read_features(char *out, size_t len)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(BALLOON_DRV);
	FILE *f = NULL;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "virtio", 6))
			continue;
		snprintf(path, sizeof(path), BALLOON_DRV "/%s/features",
			 de->d_name);
		f = fopen(path, "r");
		break;
	}
	closedir(d);
	if (!f)
		return -1;
	if (!fgets(out, len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

int main(void)
{
	const char *expect = getenv("AERATION_EXPECT_FEATURES");
	char feat[256], *tok, *save, *list;
	int bound;

	ksft_print_header();
	ksft_set_plan(2);

	bound = read_features(feat, sizeof(feat)) == 0;
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
