/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the aeration selftests. */
#ifndef AERATION_UTIL_H
#define AERATION_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SYSCTL_DIR "/proc/sys/vm/"

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

/* Write a string to a sysctl in /proc/sys/vm; returns 0 or -errno. */
static inline int sysctl_write(const char *name, const char *s)
{
	char path[256];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), SYSCTL_DIR "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

static inline int sysctl_write_long(const char *name, long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", val);
	return sysctl_write(name, buf);
}

#endif
