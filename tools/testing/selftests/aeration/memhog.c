// SPDX-License-Identifier: GPL-2.0
/*
 * memhog: take SIZE MiB of anonymous memory, write every page, optionally
 * hold it, and exit (freeing it all at once).  Prints progress markers for
 * the host harness on stdout.
 *
 *   memhog [-h SECONDS] [-p PATTERN] [-c COMMAND] SIZE_MIB
 *
 * COMMAND runs (sh -c) while the memory is held, before the exit.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long size, off, page = sysconf(_SC_PAGESIZE);
	unsigned int hold = 0, pattern = 0xa5;
	const char *cmd = NULL;
	double t0;
	char *buf;
	int opt;

	while ((opt = getopt(argc, argv, "c:h:p:")) != -1) {
		switch (opt) {
		case 'c':
			cmd = optarg;
			break;
		case 'h':
			hold = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			pattern = strtoul(optarg, NULL, 0);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	size = strtoul(argv[optind], NULL, 0) << 20;
	if (!size)
		goto usage;

	t0 = now();
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "memhog: mmap %lu MiB: %s\n", size >> 20,
			strerror(errno));
		return 1;
	}
	/* Real contents in every page, so the host cannot see zero pages. */
	for (off = 0; off < size; off += page)
		memset(buf + off, pattern ^ (uint8_t)(off / page), 64);
	printf("memhog: %lu MiB touched in %.3f s\n", size >> 20, now() - t0);
	fflush(stdout);
	if (hold)
		sleep(hold);
	if (cmd && system(cmd))
		fprintf(stderr, "memhog: '%s' failed\n", cmd);
	fflush(stdout);
	/* The exit (freeing it all) starts now: the harness times from here. */
	printf("@@ hog-exiting\n");
	fflush(stdout);
	return 0;
usage:
	fprintf(stderr, "usage: memhog [-h SECONDS] [-p PATTERN] [-c COMMAND] SIZE_MIB\n");
	return 2;
}
