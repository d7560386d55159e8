// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real clock for enl-timesyncd: clock_gettime/clock_settime, adjtimex
 * single-shot slews and frequency (tick plus frequency), and NTP detection
 * from the kernel's clock state.
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

static int64_t sys_mono(void *ctx)
{
	struct timespec t;

	(void)ctx;
	/* Not CLOCK_MONOTONIC: our own frequency corrections move that. */
	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/*
 * The kernel's rate correction is the tick (us per USER_HZ tick, each
 * 1 us of a 10 ms tick being 100 ppm) plus the frequency (ppm << 16,
 * +-500 ppm). One correction in ppb is split: whole ticks, the rest
 * (+-half a tick step) in the frequency.
 */
static int64_t tick_ppb(void)
{
	long hz = sysconf(_SC_CLK_TCK);

	return (hz > 0 ? hz : 100) * 1000;
}

static long nominal_tick(void)
{
	long hz = sysconf(_SC_CLK_TCK);

	return 1000000 / (hz > 0 ? hz : 100);
}

static int sys_get_freq(void *ctx, int64_t *ppb)
{
	struct timex tx = { .modes = 0 };

	(void)ctx;
	if (adjtimex(&tx) < 0)
		return -errno;
	*ppb = (int64_t)(tx.tick - nominal_tick()) * tick_ppb() +
	       (int64_t)tx.freq * 1000 / 65536;
	return 0;
}

static int sys_set_freq(void *ctx, int64_t ppb)
{
	struct timex tx = { .modes = ADJ_TICK | ADJ_FREQUENCY };
	int64_t step = tick_ppb(), ticks, rest;

	(void)ctx;
	ticks = (ppb + (ppb < 0 ? -step / 2 : step / 2)) / step;
	rest = ppb - ticks * step;
	tx.tick = nominal_tick() + ticks;
	tx.freq = (long)(rest * 65536 / 1000);
	return adjtimex(&tx) < 0 ? -errno : 0;
}

static int sys_slew_left(void *ctx, int64_t *ns)
{
	struct timex tx = { .modes = ADJ_OFFSET_SS_READ };

	(void)ctx;
	if (adjtimex(&tx) < 0)
		return -errno;
	*ns = (int64_t)tx.offset * 1000;
	return 0;
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
	.mono = sys_mono,
	.get_freq = sys_get_freq,
	.set_freq = sys_set_freq,
	.slew_left = sys_slew_left,
};
