/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host time sync service: SYNC once the channel is negotiated, SAMPLE every
 * interval, with a settable shift of the clock it reports so tests can
 * simulate drift. Guests that report their clock back (childtime, up to
 * version 3.0, as enl-timesyncd does) show their last offset.
 */
#ifndef ENL_HOST_IC_TIMESYNC_H
#define ENL_HOST_IC_TIMESYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "ic_host.h"

struct enl_ts_host {
	struct enl_ic_host ic;
	int64_t shift_ns;		/* added to the host clock we report */
	int64_t rtt_ns;			/* last measured round trip */
	int64_t guest_offset_ns;	/* guest - reported host time */
	bool have_offset;
	gint64 sent_at;			/* monotonic us of the pending send */
	unsigned long syncs, samples;
	unsigned int interval_ms;
	GSource *timer;		/* on the thread-default context */
};

void enl_ts_host_init(struct enl_ts_host *ts);
/* Send a SYNC (hard set) or a SAMPLE: 0 or -errno. */
int enl_ts_host_send(struct enl_ts_host *ts, bool sync);
void enl_ts_host_set_interval(struct enl_ts_host *ts, unsigned int ms);
/* The host wall clock as reported to the guest, ns since 1970. */
int64_t enl_ts_host_now(const struct enl_ts_host *ts);

#endif /* ENL_HOST_IC_TIMESYNC_H */
