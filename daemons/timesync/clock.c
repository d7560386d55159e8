// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real clock for enl-timesyncd: clock_gettime/clock_settime, adjtimex
 * single-shot slews, NTP daemon detection through /proc, and chrony's SOCK
 * refclock (chrony's documented struct sock_sample on a datagram socket).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/un.h>

#include "log.h"
#include "timesync.h"

/* Single-shot slews are clamped by the kernel to +-0.5 s. */
#define MAX_SLEW_US	500000

static int64_t sys_now(void *ctx)
{
	struct timespec t;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int sys_step(void *ctx, int64_t delta_ns)
{
	int64_t ns = sys_now(ctx) + delta_ns;
	struct timespec t = { ns / 1000000000, ns % 1000000000 };

	return clock_settime(CLOCK_REALTIME, &t) < 0 ? -errno : 0;
}

static int sys_slew(void *ctx, int64_t offset_ns)
{
	struct timex tx = { .modes = ADJ_OFFSET_SINGLESHOT };
	int64_t us = offset_ns / 1000;

	(void)ctx;
	if (us > MAX_SLEW_US)
		us = MAX_SLEW_US;
	if (us < -MAX_SLEW_US)
		us = -MAX_SLEW_US;
	tx.offset = us;
	return adjtimex(&tx) < 0 ? -errno : 0;
}

/* Scan /proc for a clock-disciplining daemon; re-scan once a minute. */
static bool sys_ntp_active(void *ctx)
{
	static const char *const names[] = {
		"chronyd", "ntpd", "systemd-timesyn", "openntpd", NULL
	};
	static time_t checked;
	static bool active;
	time_t now = time(NULL);
	struct dirent *de;
	DIR *dir;

	(void)ctx;
	if (checked && now - checked < 60)
		return active;
	checked = now;
	active = false;
	dir = opendir("/proc");
	if (!dir)
		return false;
	while (!active && (de = readdir(dir))) {
		char path[300], comm[32] = "";
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
		for (int i = 0; names[i]; i++)
			if (!strcmp(comm, names[i]))
				active = true;
	}
	closedir(dir);
	return active;
}

const struct enl_clock_ops enl_system_clock = {
	.now = sys_now,
	.step = sys_step,
	.slew = sys_slew,
	.ntp_active = sys_ntp_active,
};
