// SPDX-License-Identifier: GPL-2.0
/*
 * zerocheck: with init_on_free=1, memory that was freed during a hinted
 * migration must read as zero when it is allocated again on the
 * destination (the kernel trusts it to be zero and does not clear it for
 * __GFP_ZERO).  Run in a guest that the host migrates, driven by bytes on
 * the control port (/dev/ttyS2):
 *
 *  1. take HOG_MIB and write a non-zero pattern over it ("@@ zc-filled");
 *     then rewrite an 8 MiB buffer over and over until told otherwise, so
 *     that the migration does not converge;
 *  2. on 'f' (the host's first pass has sent the pattern), free the hog:
 *     the kernel zeroes it, a write the migration must carry
 *     ("@@ zc-freed <hint rounds>");
 *  3. once two more hint rounds ended, which may have covered the freed
 *     memory, say so ("@@ zc-covered <rounds> <pages hinted>");
 *  4. on 's', stop dirtying (the host lets the migration end);
 *  5. on 'c' (sent to the destination), take CHECK_MIB of fresh anonymous
 *     memory (order-0 write faults, no THP, no data written) and count the
 *     words that are not zero ("@@ zc-check <MiB> <bad words>").
 *
 *   zerocheck HOG_MIB CHECK_MIB
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aeration_util.h"

#define DIRTY_BYTES	(8 << 20)

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/*
 * Rewrite @dirty until the host sends @cmd, saying "zc-covered" once the
 * hint rounds reach @rounds (if not 0).
 */
static int dirty_until(char cmd, char *dirty, long long rounds)
{
	double t0 = now_s();
	unsigned char v = 0;
	bool said = !rounds;
	char c;

	for (;;) {
		if (now_s() - t0 > 900)
			return -1;
		if (!said && read_vmstat("aeration_hint_rounds") >= rounds) {
			printf("@@ zc-covered %lld %lld\n",
			       read_vmstat("aeration_hint_rounds"),
			       read_vmstat("aeration_pages_hinted"));
			said = true;
		}
		memset(dirty, ++v | 1, DIRTY_BYTES);
		c = control_poll(1);
		if (c == cmd)
			return 0;
	}
}

int main(int argc, char **argv)
{
	size_t hog_len, check_len, i, words, bad = 0;
	long long rounds;
	uint64_t *p;
	char *dirty;

	if (argc != 3)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	hog_len = (size_t)atol(argv[1]) << 20;
	check_len = (size_t)atol(argv[2]) << 20;
	if (control_open()) {
		printf("@@ error: %s\n", CONTROL_PORT);
		return 1;
	}

	dirty = map(DIRTY_BYTES);
	p = map(hog_len);
	if (!dirty || !p)
		return 1;
	for (i = 0; i < hog_len / sizeof(*p); i++)
		p[i] = 0x5a5a5a5a5a5a5a5aULL ^ i;
	printf("@@ zc-filled %zu\n", hog_len >> 20);

	if (dirty_until('f', dirty, 0))
		return 1;
	munmap(p, hog_len);
	rounds = read_vmstat("aeration_hint_rounds");
	printf("@@ zc-freed %lld\n", rounds);
	if (dirty_until('s', dirty, rounds + 2))
		return 1;
	printf("@@ zc-stopped\n");

	while (control_poll(-1) != 'c')
		;
	p = map(check_len);
	if (!p)
		return 1;
	words = check_len / sizeof(*p);
	/* Write faults, no data written: the kernel's "zeroed" pages. */
	if (madvise(p, check_len, MADV_POPULATE_WRITE)) {
		printf("@@ error: MADV_POPULATE_WRITE\n");
		return 1;
	}
	for (i = 0; i < words; i++)
		if (p[i])
			bad++;
	printf("@@ zc-check %zu %zu\n", check_len >> 20, bad);
	return 0;
}
