/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's time sync service: SYNC steps the clock to host time plus the
 * measured delay; SAMPLE disciplines it by slewing, and steps only past a
 * large threshold. When another NTP daemon owns the clock it keeps its
 * hands off (and may feed chrony a refclock sample instead). Clock
 * operations are injectable so tests never touch the real clock.
 */
#ifndef ENL_TIMESYNC_H
#define ENL_TIMESYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "icservice.h"

struct enl_clock_ops {
	int64_t (*now)(void *ctx);		/* CLOCK_REALTIME, ns */
	int (*step)(void *ctx, int64_t delta_ns);
	int (*slew)(void *ctx, int64_t offset_ns);
	/*
	 * Another daemon disciplines the clock (chronyd, ntpd, timesyncd):
	 * the real clock asks the kernel (STA_UNSYNC clear).
	 */
	bool (*ntp_active)(void *ctx);
	/* Optional: hand a sample to chrony (offset = host - guest). */
	void (*refclock)(void *ctx, int64_t at_ns, int64_t offset_ns);
	void *ctx;
};

enum enl_ts_policy {
	ENL_TS_AUTO,		/* adjust unless NTP disciplines the clock */
	ENL_TS_ALWAYS,
	ENL_TS_NEVER,		/* only report (and feed chrony) */
};

struct enl_ts_guest {
	struct enl_clock_ops clock;
	enum enl_ts_policy policy;
	int64_t step_threshold_ns;	/* SAMPLE offsets beyond are stepped */
	int64_t sync_min_ns;		/* SYNC offsets below are left alone */
	int64_t last_offset_ns;		/* host - guest at the last message */
	unsigned long syncs, samples, steps, slews, hands_off, bad;
};

extern const struct enl_ic_service_ops enl_ts_guest_ops;

/* The real clock: clock_gettime/clock_settime/adjtimex. */
extern const struct enl_clock_ops enl_system_clock;

#endif /* ENL_TIMESYNC_H */
