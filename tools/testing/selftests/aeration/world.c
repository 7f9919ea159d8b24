// SPDX-License-Identifier: GPL-2.0
/*
 * world: guest-side steps of the wider test world (zones and nodes, memory
 * hotplug, memory failure, contiguous allocations, compaction).  Each
 * subcommand prints TAP lines ("ok N TAG: ...") for the harness, prefixed
 * by the caller's TAG so that one scenario can run several.
 *
 *   world zones TAG [NID:ZONE ...]   per-zone counts equal the walk (idle);
 *                                    the zones named must be tracked
 *   world keep TAG MIB               integrity buffer: fill, wait for
 *                                    SIGUSR1, check, exit
 *   world poison TAG                 hard-poison and soft-offline free pages
 *                                    in raw and aerated blocks, unpoison
 *   world contig TAG                 a 1 GiB hugetlb page and a CMA range
 *                                    cut from aerated memory, freed again
 *   world compact TAG SECONDS        THP churn and compaction while
 *                                    reporting runs
 *   world zero TAG MIB               fresh anonymous memory reads zero
 */
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "aeration_util.h"

#define MAX_ZONES	32
#define BLOCKS_FILE	"/sys/kernel/debug/aeration/blocks"
#define HWPOISON_DIR	"/sys/kernel/debug/hwpoison/"
#define HUGE_1G_DIR	"/sys/kernel/mm/hugepages/hugepages-1048576kB/"
#define CMA_DIR		"/sys/kernel/debug/cma/reserved/"
#define KPF_BUDDY	10
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT	26
#endif
#define KPF_HWPOISON	19

static const char *tag = "world";
static int test_nr;
static int failures;

static void result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d %s: ", ok ? "ok" : "not ok", ++test_nr, tag);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failures++;
}

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("@@ %s ", tag);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* What a shell command prints, as data lines, when a step went wrong. */
static void diag(const char *cmd)
{
	char buf[1024];
	FILE *p;

	fflush(stdout);
	snprintf(buf, sizeof(buf), "( %s ) 2>&1 | sed 's/^/@@ shell /'", cmd);
	p = popen(buf, "r");
	if (!p)
		return;
	while (fgets(buf, sizeof(buf), p))
		fputs(buf, stdout);
	pclose(p);
	fflush(stdout);
}

struct zinfo {
	int nid;
	char name[16];
	unsigned int order;
	long long raw, aerated, walk_raw, walk_aerated;
};

/* One line per populated zone from the debugfs zones file. */
static int read_zones(struct zinfo *z, int max)
{
	char line[4096], *tok, *save;
	FILE *f = fopen(ZONES_FILE, "r");
	int n = 0;

	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		struct zinfo *zi = &z[n];
		int field = 0;

		if (line[0] == '#')
			continue;
		memset(zi, 0, sizeof(*zi));
		for (tok = strtok_r(line, ZONES_SEP, &save); tok;
		     tok = strtok_r(NULL, ZONES_SEP, &save), field++) {
			unsigned int o;
			long long r, a;

			switch (field) {
			case 0:
				zi->nid = atoi(tok);
				break;
			case 1:
				snprintf(zi->name, sizeof(zi->name), "%s", tok);
				break;
			case 2:
				zi->order = atoi(tok);
				break;
			case 3:
				zi->raw = atoll(tok);
				break;
			case 4:
				zi->aerated = atoll(tok);
				break;
			default:
				if (sscanf(tok, "%u:%lld/%lld", &o, &r, &a) == 3) {
					zi->walk_raw += r << o;
					zi->walk_aerated += a << o;
				}
			}
		}
		n++;
	}
	fclose(f);
	return n;
}

static struct zinfo *find_zone(struct zinfo *z, int n, int nid,
			       const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (z[i].nid == nid && !strcmp(z[i].name, name))
			return &z[i];
	return NULL;
}

/*
 * Once the worker is idle: every populated zone is tracked and its counts
 * equal the walk of its free lists.  Returns the number of zones.
 */
static int check_zones(const char *when, char **want, int nwant,
		       struct zinfo *z)
{
	double idle = wait_idle(2.5, 90);
	const char *sep = when ? ": " : "";
	int n, i;

	if (!when)
		when = "";
	result(idle >= 0, "%s%sthe worker went idle", when, sep);
	n = read_zones(z, MAX_ZONES);
	result(n > 0, "%s%sdebugfs zones readable (%d zones)", when, sep, n);
	for (i = 0; i < n; i++) {
		printf("@@ %s zone %d %s order %u raw %lld aerated %lld walk %lld/%lld\n",
		       *when ? when : tag, z[i].nid, z[i].name, z[i].order,
		       z[i].raw, z[i].aerated, z[i].walk_raw,
		       z[i].walk_aerated);
		result(z[i].order > 0, "%s%snode %d %s is tracked", when, sep,
		       z[i].nid, z[i].name);
		result(z[i].raw == z[i].walk_raw &&
		       z[i].aerated == z[i].walk_aerated,
		       "%s%snode %d %s counts equal the walk (%lld/%lld vs %lld/%lld)",
		       when, sep, z[i].nid, z[i].name, z[i].raw, z[i].aerated,
		       z[i].walk_raw, z[i].walk_aerated);
	}
	for (i = 0; i < nwant; i++) {
		char name[16];
		int nid;

		if (sscanf(want[i], "%d:%15s", &nid, name) != 2) {
			result(0, "%s%sbad zone spec '%s'", when, sep, want[i]);
			continue;
		}
		result(!!find_zone(z, n, nid, name),
		       "%s%snode %d %s is populated", when, sep, nid, name);
	}
	return n;
}

static int cmd_zones(int argc, char **argv)
{
	struct zinfo z[MAX_ZONES];

	check_zones(NULL, argv, argc, z);
	return failures ? 1 : 0;
}

/* The integrity buffer: every word says where it is. */
static int cmd_keep(int argc, char **argv)
{
	size_t size, i, bad = 0;
	sigset_t usr1;
	uint64_t *buf;
	int sig;

	if (argc < 1)
		return 2;
	/* Blocked from the start: a signal sent early waits for sigwait(). */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	size = strtoul(argv[0], NULL, 0) << 20;
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED) {
		result(0, "integrity buffer of %zu MiB mapped", size >> 20);
		return 1;
	}
	for (i = 0; i < size / 8; i++)
		buf[i] = 0x5eed000000000000ULL ^ i;
	note("keep-ready %zu", size >> 20);
	sigwait(&usr1, &sig);
	for (i = 0; i < size / 8; i++)
		if (buf[i] != (0x5eed000000000000ULL ^ i))
			bad++;
	result(!bad, "integrity buffer of %zu MiB intact (%zu bad words)",
	       size >> 20, bad);
	return bad ? 1 : 0;
}

static int write_ul(const char *path, unsigned long v, int hex)
{
	char buf[32];

	snprintf(buf, sizeof(buf), hex ? "0x%lx\n" : "%lu\n", v);
	return write_file(path, buf);
}

static long read_long(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 0);
}

static uint64_t read_kpageflags(unsigned long pfn)
{
	uint64_t flags = 0;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &flags, sizeof(flags), pfn * 8) != sizeof(flags))
		flags = 0;
	close(fd);
	return flags;
}

/*
 * The @nth (from 0) movable free block of the given state in the blocks
 * file, one per zone/order line group; 0 if none.
 */
static unsigned long pick_block(const char *state, int nth,
				unsigned int *order)
{
	char line[256], zone[16], st[16];
	unsigned long pfn, found = 0;
	unsigned int o;
	int nid, mt;
	FILE *f = fopen(BLOCKS_FILE, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' ||
		    sscanf(line, "%d %15s %u %d %15s %lu", &nid, zone, &o, &mt,
			   st, &pfn) != 6)
			continue;
		/* MIGRATE_MOVABLE is 1 */
		if (mt != 1 || strcmp(st, state) || nth-- > 0)
			continue;
		found = pfn;
		*order = o;
		break;
	}
	fclose(f);
	return found;
}

/*
 * Pages of the hog: none may be one of the poisoned pfns.  Read through
 * /proc/self/pagemap (root sees pfns).
 */
static int hog_avoids(const unsigned long *pfns, int npfn, size_t mib)
{
	size_t size = mib << 20, i, pages = size / 4096;
	int fd, hit = 0, k;
	uint64_t ent;
	char *buf;

	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		return -1;
	for (i = 0; i < size; i += 4096)
		buf[i] = 1;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0) {
		munmap(buf, size);
		return -1;
	}
	for (i = 0; i < pages; i++) {
		if (pread(fd, &ent, 8, ((uintptr_t)buf / 4096 + i) * 8) != 8)
			break;
		for (k = 0; k < npfn; k++)
			if ((ent & (1ULL << 63)) &&
			    (ent & ((1ULL << 55) - 1)) == pfns[k])
				hit++;
	}
	close(fd);
	munmap(buf, size);
	return hit;
}

/* Does the kernel log hold "0x<pfn>: <what>"? */
static int dmesg_has(unsigned long pfn, const char *what)
{
	char line[512], want[128];
	FILE *p = popen("dmesg", "r");
	int found = 0;

	if (!p)
		return 0;
	snprintf(want, sizeof(want), "%#lx: %s", pfn, what);
	while (fgets(line, sizeof(line), p))
		if (strstr(line, want))
			found = 1;
	pclose(p);
	return found;
}

/*
 * Memory failure on free pages: hard poison (hwpoison_inject) and soft
 * offline (sysfs) of pages inside a raw and an aerated block.  The block is
 * split around the page, its counts stay exact, the page never comes back
 * to the allocator until it is unpoisoned.
 */
static int cmd_poison(int argc, char **argv)
{
	unsigned long blk[4], pfns[4], before;
	unsigned int ord[4] = { 0 };
	struct zinfo z[MAX_ZONES];
	const char *how[4] = { "hard-poison", "soft-offline", "hard-poison",
			       "soft-offline" };
	const char *where[4] = { "aerated", "raw", "raw", "aerated" };
	long hwc, wmark = 32, settle = 1000;
	int i, err, hit;

	(void)argc;
	(void)argv;
	check_zones("poison-before", NULL, 0, z);
	/* Keep new raw blocks raw: no reporting until the end. */
	sysctl_read("aeration_high_wmark", &wmark);
	sysctl_read("aeration_settle_ms", &settle);
	sysctl_write_long("aeration_high_wmark", 1 << 20);
	sysctl_write_long("aeration_settle_ms", 0);
	if (system("memhog 256 >/dev/null"))
		result(0, "hog for raw blocks ran");
	usleep(500 * 1000);
	/* Two blocks of each kind, each poisoned once, inside. */
	blk[0] = pick_block("aerated", 0, &ord[0]);
	blk[1] = pick_block("raw", 0, &ord[1]);
	blk[2] = pick_block("raw", 1, &ord[2]);
	blk[3] = pick_block("aerated", 1, &ord[3]);
	for (i = 0; i < 4; i++) {
		note("block %s %lu order %u", where[i], blk[i], ord[i]);
		if (!blk[i]) {
			result(0, "found two raw and two aerated movable blocks");
			return 1;
		}
	}
	result(1, "found two raw and two aerated movable blocks");
	pfns[0] = blk[0] + 17;
	pfns[1] = blk[1] + 33;
	pfns[2] = blk[2] + (1UL << ord[2]) - 5;
	pfns[3] = blk[3] + (1UL << ord[3]) - 200;
	before = meminfo_kb("HardwareCorrupted");
	for (i = 0; i < 4; i++) {
		/* Still free (the raw ones are the coldest: last handed out)? */
		result((read_kpageflags(blk[i]) >> KPF_BUDDY) & 1,
		       "the %s block at pfn %#lx is free before the injection",
		       where[i], blk[i]);
		if (i & 1)
			err = write_ul("/sys/devices/system/memory/soft_offline_page",
				       pfns[i] << 12, 1);
		else
			err = write_ul(HWPOISON_DIR "corrupt-pfn", pfns[i], 1);
		result(!err, "%s of pfn %#lx in a %s block (%s)", how[i],
		       pfns[i], where[i], err ? strerror(-err) : "done");
		if (!(i & 1))
			result(dmesg_has(pfns[i], "recovery action for free buddy page: Recovered"),
			       "memory_failure() took pfn %#lx as a free page",
			       pfns[i]);
		result((read_kpageflags(pfns[i]) >> KPF_HWPOISON) & 1,
		       "pfn %#lx is marked poisoned", pfns[i]);
	}
	hwc = meminfo_kb("HardwareCorrupted");
	result(hwc - (long)before == 16,
	       "HardwareCorrupted grew by 4 pages (%ld kB)", hwc - (long)before);
	sysctl_write_long("aeration_high_wmark", wmark);
	sysctl_write_long("aeration_settle_ms", settle);
	check_zones("poisoned", NULL, 0, z);
	for (i = 0; i < 4; i++)
		result(!((read_kpageflags(pfns[i]) >> KPF_BUDDY) & 1),
		       "poisoned pfn %#lx is not free", pfns[i]);
	/* Take most of memory: none of it may be a poisoned page. */
	hit = hog_avoids(pfns, 4, (meminfo_kb("MemAvailable") >> 10) * 9 / 10);
	result(hit == 0, "a hog of 90%% of available memory never gets a poisoned page (%d)",
	       hit);
	check_zones("after-hog", NULL, 0, z);
	for (i = 0; i < 4; i++) {
		err = write_ul(HWPOISON_DIR "unpoison-pfn", pfns[i], 1);
		result(!err, "unpoison pfn %#lx (%s)", pfns[i],
		       err ? strerror(-err) : "done");
	}
	hwc = meminfo_kb("HardwareCorrupted");
	result(hwc == (long)before, "HardwareCorrupted back to %lu kB (%ld)",
	       before, hwc);
	check_zones("unpoisoned", NULL, 0, z);
	return failures ? 1 : 0;
}

static long long batches_now(void)
{
	return read_vmstat("aeration_pages_reported");
}

/* Reported pages grow by at least @pages within @limit_s. */
static int reported_again(long long since, long long pages, double limit_s)
{
	double t0 = now_s();

	while (now_s() - t0 < limit_s) {
		if (batches_now() - since >= pages)
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

static int cmd_contig(int argc, char **argv)
{
	long long alloc0, rep0;
	struct zinfo z[MAX_ZONES];
	size_t gib = 1UL << 30, i;
	long nr = 0, cma_pages = 65536;
	int tries, err, ok, bad = 0;
	char *p;

	(void)argc;
	(void)argv;
	check_zones("contig-before", NULL, 0, z);
	alloc0 = read_vmstat("aeration_alloc_aerated");
	/* A gigantic page: alloc_contig_range() over aerated memory. */
	for (tries = 0; tries < 5 && nr < 1; tries++) {
		write_file(HUGE_1G_DIR "nr_hugepages", "1\n");
		nr = read_long(HUGE_1G_DIR "nr_hugepages");
	}
	result(nr == 1, "a 1 GiB hugetlb page allocated at run time (%d tries)",
	       tries);
	if (nr != 1)
		diag("ls /sys/kernel/mm/hugepages; grep -i huge /proc/meminfo; "
		     "dmesg | grep -i -E 'huge|cma|gbpages'");
	if (nr == 1) {
		p = mmap(NULL, gib, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			 (30 << MAP_HUGE_SHIFT), -1, 0);
		result(p != MAP_FAILED, "1 GiB page mapped");
		if (p != MAP_FAILED) {
			for (i = 0; i < gib; i += 4096)
				if (p[i])
					bad++;
			for (i = 0; i < gib; i += 4096)
				p[i] = (char)(i >> 12);
			for (i = 0; i < gib; i += 4096)
				if (p[i] != (char)(i >> 12))
					bad++;
			result(!bad, "1 GiB page reads zero, then what was written (%d bad)",
			       bad);
			munmap(p, gib);
		}
		result(read_vmstat("aeration_alloc_aerated") - alloc0 >= 262144 / 2,
		       "the 1 GiB page was cut from aerated memory (%lld pages)",
		       read_vmstat("aeration_alloc_aerated") - alloc0);
		check_zones("gigantic-held", NULL, 0, z);
		rep0 = batches_now();
		write_file(HUGE_1G_DIR "nr_hugepages", "0\n");
		result(read_long(HUGE_1G_DIR "nr_hugepages") == 0,
		       "1 GiB page freed");
		ok = reported_again(rep0, 262144 * 9 / 10, 30);
		result(ok, "its memory reported again (%lld pages)",
		       batches_now() - rep0);
	}
	check_zones("gigantic-freed", NULL, 0, z);

	/* CMA: the debugfs allocator takes a range out of aerated blocks. */
	alloc0 = read_vmstat("aeration_alloc_aerated");
	err = write_ul(CMA_DIR "alloc", cma_pages, 0);
	result(!err, "CMA allocation of %ld pages (%s)", cma_pages,
	       err ? strerror(-err) : "done");
	if (err)
		diag("ls /sys/kernel/debug/cma /sys/kernel/debug/cma/*; "
		     "grep -i cma /proc/meminfo");
	result(read_vmstat("aeration_alloc_aerated") - alloc0 >= cma_pages / 2,
	       "the CMA range was cut from aerated memory (%lld pages)",
	       read_vmstat("aeration_alloc_aerated") - alloc0);
	check_zones("cma-held", NULL, 0, z);
	rep0 = batches_now();
	err = write_ul(CMA_DIR "free", cma_pages, 0);
	result(!err, "CMA range freed (%s)", err ? strerror(-err) : "done");
	ok = reported_again(rep0, cma_pages * 9 / 10, 30);
	result(ok, "the CMA range reported again (%lld pages)",
	       batches_now() - rep0);
	check_zones("cma-freed", NULL, 0, z);
	return failures ? 1 : 0;
}

/*
 * THP churn (faults of 2 MiB pages, partial frees that split them) with
 * proactive compaction and compact_memory, while reporting runs with its
 * most aggressive settings.  How much compaction took from aerated
 * memory is reported, not judged: it depends on the layout.
 */
static int cmd_compact(int argc, char **argv)
{
	long long alloc0, compact0, rep0;
	int seconds = argc > 0 ? atoi(argv[0]) : 30;
	struct zinfo z[MAX_ZONES];
	size_t size = 256UL << 20, i;
	double t0;
	int rounds = 0;
	char *p;

	check_zones("compact-before", NULL, 0, z);
	write_file("/sys/kernel/mm/transparent_hugepage/enabled", "madvise\n");
	write_file("/sys/kernel/mm/transparent_hugepage/defrag", "madvise\n");
	sysctl_write_long("compaction_proactiveness", 100);
	sysctl_write_long("aeration_delay_ms", 0);
	sysctl_write_long("aeration_high_wmark", 1);
	alloc0 = read_vmstat("aeration_alloc_aerated");
	compact0 = read_vmstat("compact_migrate_scanned");
	rep0 = read_vmstat("aeration_pages_reported");
	t0 = now_s();
	while (now_s() - t0 < seconds) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		madvise(p, size, MADV_HUGEPAGE);
		for (i = 0; i < size; i += 4096)
			p[i] = (char)i;
		/* Free every other 1 MiB: splits the THPs, fragments. */
		for (i = 0; i < size; i += 2 << 20)
			madvise(p + i, 1 << 20, MADV_DONTNEED);
		if (rounds % 4 == 3)
			write_file("/proc/sys/vm/compact_memory", "1\n");
		munmap(p, size);
		rounds++;
	}
	note("compact rounds %d thp %lld alloc_aerated %lld scanned %lld reported %lld",
	     rounds, read_vmstat("thp_fault_alloc"),
	     read_vmstat("aeration_alloc_aerated") - alloc0,
	     read_vmstat("compact_migrate_scanned") - compact0,
	     read_vmstat("aeration_pages_reported") - rep0);
	result(rounds > 0, "THP churn ran %d rounds", rounds);
	result(read_vmstat("aeration_pages_reported") > rep0,
	       "reporting ran meanwhile");
	sysctl_write_long("aeration_delay_ms", 100);
	sysctl_write_long("aeration_high_wmark", 32);
	sysctl_write_long("compaction_proactiveness", 0);

	/*
	 * Compaction alone: memory fragmented by 4 KiB holes, everything free
	 * reported, then compact_memory; what it takes from aerated memory
	 * is what alloc_aerated gains meanwhile.
	 */
	p = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		long long a0, m0, g0;

		madvise(p, 2 * size, MADV_NOHUGEPAGE);
		for (i = 0; i < 2 * size; i += 4096)
			p[i] = 1;
		for (i = 0; i < 2 * size; i += 8192)
			madvise(p + i, 4096, MADV_DONTNEED);
		wait_idle(2.5, 60);
		a0 = read_vmstat("aeration_alloc_aerated");
		m0 = read_vmstat("compact_migrate_scanned");
		g0 = read_vmstat("pgmigrate_success");
		write_file("/proc/sys/vm/compact_memory", "1\n");
		note("compact_memory alone: alloc_aerated %lld scanned %lld migrated %lld",
		     read_vmstat("aeration_alloc_aerated") - a0,
		     read_vmstat("compact_migrate_scanned") - m0,
		     read_vmstat("pgmigrate_success") - g0);
		munmap(p, 2 * size);
	}
	sysctl_write_long("compaction_proactiveness", 20);
	check_zones("compact-after", NULL, 0, z);
	return failures ? 1 : 0;
}

/* Fresh anonymous memory (order-0 faults, nothing written) reads zero. */
static int cmd_zero(int argc, char **argv)
{
	size_t size = (argc > 0 ? strtoul(argv[0], NULL, 0) : 512) << 20, i;
	size_t bad = 0;
	uint64_t *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	madvise(p, size, MADV_NOHUGEPAGE);
	/*
	 * A write fault per page (a read would map the zero page); the one
	 * word written is not checked.
	 */
	for (i = 0; i < size / 8; i += 512)
		p[i] = 0;
	for (i = 0; i < size / 8; i++)
		if (p[i])
			bad++;
	result(!bad, "%zu MiB of fresh memory reads zero (%zu bad words)",
	       size >> 20, bad);
	munmap(p, size);
	return bad ? 1 : 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "zones", cmd_zones },
	{ "keep", cmd_keep },
	{ "poison", cmd_poison },
	{ "contig", cmd_contig },
	{ "compact", cmd_compact },
	{ "zero", cmd_zero },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 3) {
		fprintf(stderr, "usage: world zones|keep|poison|contig|compact|zero TAG ...\n");
		return 2;
	}
	tag = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 3, argv + 3);
	fprintf(stderr, "world: no command '%s'\n", argv[1]);
	return 2;
}
