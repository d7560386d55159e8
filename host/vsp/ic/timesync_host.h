/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host time sync service: SYNC once the channel is negotiated, SAMPLE every
 * interval. Version 4 samples carry the partition reference time at which
 * the host read its clock, so the guest can subtract the delivery delay.
 * The clock it reports can be shifted (a step) and made to drift (a rate)
 * so tests can simulate a host and guest clock that disagree. Guests that
 * report their clock back (childtime, up to version 3.0) show their last
 * offset; under version 4 the wire has no such field, and the guest's own
 * report (ts_report.h, over KVP) is the only view of its offset.
 */
#ifndef ENL_HOST_IC_TIMESYNC_H
#define ENL_HOST_IC_TIMESYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "ic_host.h"

struct enl_ts_view;

/* |drift| at most 1%: what a guest can follow through its tick. */
#define ENL_TS_HOST_DRIFT_MAX_PPM	10000

struct enl_ts_host {
	struct enl_ic_host ic;
	int64_t shift_ns;		/* added to the host clock we report */
	int32_t drift_ppm;		/* and this rate, since drift_from */
	gint64 drift_from;		/* host clock us (see use_steady) */
	int64_t rtt_ns;			/* last measured round trip */
	int64_t guest_offset_ns;	/* guest - reported host time */
	bool have_offset;
	gint64 sent_at;			/* monotonic us of the pending send */
	unsigned long syncs, samples;
	unsigned int interval_ms;
	GSource *timer;		/* on the thread-default context */
	/* The partition reference time (100 ns); NULL: none, sent as 0. */
	uint64_t (*ref_time)(void *ctx);
	void *ref_ctx;
	/* The guest's own report (ts_view.h), shown by ctl; may be NULL. */
	struct enl_ts_view *guest_view;
};

void enl_ts_host_init(struct enl_ts_host *ts);
/* Send a SYNC (hard set) or a SAMPLE: 0 or -errno. */
int enl_ts_host_send(struct enl_ts_host *ts, bool sync);
void enl_ts_host_set_interval(struct enl_ts_host *ts, unsigned int ms);
/* The host wall clock as reported to the guest, ns since 1970. */
int64_t enl_ts_host_now(const struct enl_ts_host *ts);
/* What the reported clock is ahead of the real one now (shift + drift). */
int64_t enl_ts_host_offset(const struct enl_ts_host *ts);
/* Report the clock shifted by shift_ns from now on (drift restarts). */
void enl_ts_host_set_shift(struct enl_ts_host *ts, int64_t shift_ns);
/*
 * Serve a steady clock from now on: the wall clock as it is now, advanced
 * by the monotonic clock, so steps of the machine's own wall clock (an NTP
 * step, the machine itself resumed from a pause) do not reach the guest,
 * whose emulated timers run on the monotonic clock. For tests: a step
 * there is a shift the test did not make. Shift and drift still apply.
 */
void enl_ts_host_use_steady_clock(void);
/* True when steady, with wall - monotonic (us) at the switch. */
bool enl_ts_host_steady_base(gint64 *base_us);
/* Let the reported clock run ppm faster (or slower): -EINVAL past the max. */
int enl_ts_host_set_drift(struct enl_ts_host *ts, int32_t ppm);

#endif /* ENL_HOST_IC_TIMESYNC_H */
