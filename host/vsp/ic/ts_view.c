// SPDX-License-Identifier: GPL-2.0-only
/* The guest's time sync report as the host last saw it (ts_view.h). */
#include "ts_view.h"

#include <string.h>

void enl_ts_view_put(struct enl_ts_view *v, const char *value)
{
	struct enl_ts_report r;
	bool ok = enl_ts_report_parse(value, &r);
	unsigned long bad;

	g_mutex_lock(&v->lock);
	if (ok) {
		v->r = r;
		v->have = true;
		v->seen_at = g_get_real_time();
		v->updates++;
	} else {
		v->bad++;
	}
	bad = v->bad;
	g_mutex_unlock(&v->lock);
	/* Every enumeration brings it again: log the 1st, 2nd, 4th... */
	if (!ok && !(bad & (bad - 1)))
		g_warning("ic timesync: the guest's report does not parse; "
			  "ignored (%lu so far)", bad);
}

void enl_ts_view_get(struct enl_ts_view *v, struct enl_ts_view *out)
{
	g_mutex_lock(&v->lock);
	out->have = v->have;
	out->r = v->r;
	out->seen_at = v->seen_at;
	out->updates = v->updates;
	out->bad = v->bad;
	g_mutex_unlock(&v->lock);
}
