/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's time sync service: SYNC steps the clock to host time plus the
 * delivery delay; SAMPLE disciplines it (discipline.h: slews the phase,
 * corrects the frequency), and steps only past a large threshold. The
 * delivery delay comes from version 4's reference time where the guest can
 * read the counter, else from half the host's round trip (up to 3.0). When
 * another NTP daemon owns the clock it keeps its hands off (and may feed
 * chrony a refclock sample instead). Clock operations are injectable so
 * tests never touch the real clock.
 */
#ifndef ENL_TIMESYNC_H
#define ENL_TIMESYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "discipline.h"
#include "icservice.h"

/* The partition reference time, read at guest wall clock at_ns +- err_ns. */
struct enl_ts_ref {
	uint64_t ref;			/* 100 ns units */
	int64_t at_ns, err_ns;
};

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
	/* Optional: read the reference counter: 0 or -errno. */
	int (*ref_time)(void *ctx, struct enl_ts_ref *r);
	/*
	 * Optional, all four or none: frequency discipline. mono is a clock
	 * our own corrections do not step (ns); the frequency correction is
	 * in ppb; slew_left is what the kernel has not yet slewed (ns).
	 */
	int64_t (*mono)(void *ctx);
	int (*get_freq)(void *ctx, int64_t *ppb);
	int (*set_freq)(void *ctx, int64_t ppb);
	int (*slew_left)(void *ctx, int64_t *ns);
	/* Optional: the offset just measured, to publish (ts_report.h). */
	void (*report)(void *ctx, int64_t at_ns, int64_t offset_ns,
		       int64_t err_ns);
	void *ctx;
};

enum enl_ts_policy {
	ENL_TS_AUTO,		/* adjust unless NTP disciplines the clock */
	ENL_TS_ALWAYS,
	ENL_TS_NEVER,		/* only report (and feed chrony) */
};

/* Beyond this (100 ns units: 60 s) a reference-time delay is not believed. */
#define ENL_TS_MAX_REF_DELAY	600000000ULL

struct enl_ts_guest {
	struct enl_clock_ops clock;
	enum enl_ts_policy policy;
	int64_t step_threshold_ns;	/* SAMPLE offsets beyond are stepped */
	int64_t sync_min_ns;		/* SYNC offsets below are left alone */
	int64_t last_offset_ns;		/* host - guest at the last message */
	int64_t last_err_ns;		/* its uncertainty */
	int64_t last_delay_ns;		/* delivery delay subtracted */
	struct enl_ts_disc disc;
	bool disc_on;			/* disc has history we own */
	unsigned long syncs, samples, steps, slews, hands_off, bad;
	/* ref_used: delay from the reference time; ref_bad: a stamp we
	 * did not believe; ref_fail: the counter could not be read. */
	unsigned long ref_used, ref_bad, ref_fail;
};

/* Zero ts and set the defaults (clock ops still to fill in). */
void enl_ts_guest_init(struct enl_ts_guest *ts);

extern const struct enl_ic_service_ops enl_ts_guest_ops;

/* The real clock: clock_gettime/clock_settime/adjtimex. */
extern const struct enl_clock_ops enl_system_clock;

#endif /* ENL_TIMESYNC_H */
