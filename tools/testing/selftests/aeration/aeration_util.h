/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the aeration selftests. */
#ifndef AERATION_UTIL_H
#define AERATION_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SYSCTL_DIR "/proc/sys/vm/"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#endif

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read a /proc/vmstat counter; -1 if it is not there. */
static inline long long read_vmstat(const char *name)
{
	char key[128];
	long long val;
	FILE *f = fopen("/proc/vmstat", "r");
	long long ret = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%127s %lld", key, &val) == 2) {
		if (!strcmp(key, name)) {
			ret = val;
			break;
		}
	}
	fclose(f);
	return ret;
}

static inline long long meminfo_kb(const char *name)
{
	char line[256];
	size_t len = strlen(name);
	long long ret = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, len) && line[len] == ':') {
			ret = strtoll(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return ret;
}

/* Read an integer sysctl in /proc/sys/vm; returns 0 or -errno. */
static inline int sysctl_read(const char *name, long *val)
{
	char path[256], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSCTL_DIR "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*val = strtol(buf, NULL, 10);
	return 0;
}

/* Write a string to a file (truncating it); returns 0 or -errno. */
static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Write a string to a sysctl in /proc/sys/vm; returns 0 or -errno. */
static inline int sysctl_write(const char *name, const char *s)
{
	char path[256];

	snprintf(path, sizeof(path), SYSCTL_DIR "%s", name);
	return write_file(path, s);
}

static inline int sysctl_write_long(const char *name, long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", val);
	return sysctl_write(name, buf);
}

static long adaptive_saved = -1;

static inline void adaptive_restore(void)
{
	if (adaptive_saved >= 0)
		sysctl_write_long("aeration_adaptive", adaptive_saved);
}

/*
 * vm.aeration_adaptive off until the program exits, however it exits
 * (ksft_exit_*() too): for tests whose hogs are churn by design and that
 * want every batch.
 */
static inline void adaptive_off(void)
{
	if (sysctl_read("aeration_adaptive", &adaptive_saved)) {
		adaptive_saved = -1;
		return;
	}
	atexit(adaptive_restore);
	sysctl_write_long("aeration_adaptive", 0);
}

/* Map @mib MiB and write every page: the mapping, or NULL. */
static inline char *grab(size_t mib)
{
	size_t len = mib << 20, off;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	for (off = 0; off < len; off += 4096)
		p[off] = 1;
	return p;
}

/* grab(), then unmap: memory freed at once. */
static inline int hog(size_t mib)
{
	char *p = grab(mib);

	return p ? munmap(p, mib << 20) : -1;
}

#define BALLOON_DRV "/sys/bus/virtio/drivers/virtio_balloon"

/*
 * The virtio-balloon device's negotiated features, as sysfs shows them
 * (one '0' or '1' per bit, bit 0 first): 0, or -1 if none is bound.
 */
static inline int balloon_features_read(char *out, size_t len)
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

#define ZONES_FILE	"/sys/kernel/debug/aeration/zones"
#define ZONES_SEP	"\t\n "

struct counts {
	long long raw, aerated, walk_raw, walk_aerated;
};

/*
 * Sum the debugfs zones file over the zones: the engine's counts and the
 * walk of the free lists, in pages.
 */
static inline int read_counts(struct counts *c)
{
	char line[4096], *tok, *save;
	FILE *f = fopen(ZONES_FILE, "r");

	if (!f)
		return -1;
	memset(c, 0, sizeof(*c));
	while (fgets(line, sizeof(line), f)) {
		int field = 0;

		if (line[0] == '#')
			continue;
		for (tok = strtok_r(line, ZONES_SEP, &save); tok;
		     tok = strtok_r(NULL, ZONES_SEP, &save), field++) {
			unsigned int o;
			long long r, a;

			if (field == 3) {
				c->raw += atoll(tok);
			} else if (field == 4) {
				c->aerated += atoll(tok);
			} else if (field > 4 &&
				   sscanf(tok, "%u:%lld/%lld", &o, &r, &a) == 3) {
				c->walk_raw += r << o;
				c->walk_aerated += a << o;
			}
		}
	}
	fclose(f);
	return 0;
}

/*
 * Until aeration_batches stays put for @idle_s (longer than the settle
 * pass: the worker is idle), at most @limit_s; seconds taken, or -1.
 */
static inline double wait_idle(double idle_s, double limit_s)
{
	double t0 = now_s(), last_change = t0;
	long long last = read_vmstat("aeration_batches"), b;

	while (now_s() - t0 < limit_s) {
		usleep(100 * 1000);
		b = read_vmstat("aeration_batches");
		if (b != last) {
			last = b;
			last_change = now_s();
		} else if (now_s() - last_change >= idle_s) {
			return last_change - t0;
		}
	}
	return -1;
}

/*
 * The host's control port, a third serial port: opened once, early, so that
 * no byte the host sends is dropped, raw and non-blocking.
 */
#define CONTROL_PORT	"/dev/ttyS2"

static int control_fd = -1;

static inline int control_open(void)
{
	struct termios t;

	control_fd = open(CONTROL_PORT, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (control_fd < 0)
		return -1;
	if (!tcgetattr(control_fd, &t)) {
		cfmakeraw(&t);
		tcsetattr(control_fd, TCSANOW, &t);
	}
	return 0;
}

/* The next command byte, waiting up to @ms (-1: for ever); 0 if none. */
static inline char control_poll(int ms)
{
	struct pollfd pfd = { .fd = control_fd, .events = POLLIN };
	char c;

	while (poll(&pfd, 1, ms) > 0) {
		if (read(control_fd, &c, 1) == 1 && c != '\n' && c != '\r')
			return c;
	}
	return 0;
}

#endif
