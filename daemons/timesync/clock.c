// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real clock for enl-timesyncd: clock_gettime/clock_settime, adjtimex
 * single-shot slews, NTP detection from the kernel's clock state, and
 * chrony's SOCK refclock (chrony's documented struct sock_sample on a
 * datagram socket).
 */
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

/*
 * Whether something disciplines the clock, from the kernel's own state:
 * an NTP daemon (chronyd, ntpd, systemd-timesyncd) that has synchronized
 * the clock clears STA_UNSYNC through adjtimex; a step (clock_settime,
 * ours included) and a long silence set it again. Unlike a process name,
 * this cannot be faked by an unprivileged user: ADJ_STATUS needs
 * CAP_SYS_TIME.
 */
static bool sys_ntp_active(void *ctx)
{
	struct timex tx = { .modes = 0 };

	(void)ctx;
	if (adjtimex(&tx) < 0)
		return false;
	return !(tx.status & STA_UNSYNC);
}

const struct enl_clock_ops enl_system_clock = {
	.now = sys_now,
	.step = sys_step,
	.slew = sys_slew,
	.ntp_active = sys_ntp_active,
};
