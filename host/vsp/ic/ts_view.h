/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the guest reported of its own clock (ENL_TS_REPORT_KEY in its KVP
 * guest pool, enlighten/ic_timesync.h): written from the KVP offer's
 * answers, read by `ctl time` on the time sync offer's thread, hence the
 * lock. One per VM: it outlives KVP offers. Guest text: a value that does
 * not parse is counted and leaves the last good report as it was.
 */
#ifndef ENL_HOST_TS_VIEW_H
#define ENL_HOST_TS_VIEW_H

#include <stdbool.h>
#include <glib.h>

#include "ts_report.h"

struct enl_ts_view {
	GMutex lock;			/* a static one needs no init */
	bool have;
	struct enl_ts_report r;
	gint64 seen_at;			/* host wall clock us it came in */
	unsigned long updates, bad;
};

/* A value of the report key from the guest: parsed, kept, or counted. */
void enl_ts_view_put(struct enl_ts_view *v, const char *value);
/* A copy of the whole view, consistent. */
void enl_ts_view_get(struct enl_ts_view *v, struct enl_ts_view *out);

#endif /* ENL_HOST_TS_VIEW_H */
