// SPDX-License-Identifier: GPL-2.0
/*
 * memwatch: sample MemFree every INTERVAL_MS and print, every PRINT_MS, a
 * line for the host harness:
 *
 *   @@ memfree <uptime s> <MemFree kB now> <lowest MemFree kB since last line>
 *
 * so that a dip shorter than the print period (a fast migration) is seen.
 *
 *   memwatch [INTERVAL_MS [PRINT_MS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "aeration_util.h"

int main(int argc, char **argv)
{
	long interval = argc > 1 ? strtol(argv[1], NULL, 0) : 5;
	long print = argc > 2 ? strtol(argv[2], NULL, 0) : 200;
	long long now, low = -1;
	double next = 0, t;

	if (interval <= 0 || print < interval) {
		fprintf(stderr, "usage: memwatch [INTERVAL_MS [PRINT_MS]]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		now = meminfo_kb("MemFree");
		if (low < 0 || now < low)
			low = now;
		t = now_s();
		if (t >= next) {
			FILE *f = fopen("/proc/uptime", "r");
			double up = 0;

			if (f) {
				if (fscanf(f, "%lf", &up) != 1)
					up = 0;
				fclose(f);
			}
			printf("@@ memfree %.2f %lld %lld\n", up, now, low);
			low = -1;
			next = t + print / 1000.0;
		}
		usleep(interval * 1000);
	}
}
