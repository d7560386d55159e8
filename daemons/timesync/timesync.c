// SPDX-License-Identifier: GPL-2.0-only
/* Guest time sync service logic (see timesync.h). */
#include "timesync.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <enlighten/ic_timesync.h>

#include "log.h"

static const uint32_t ts_versions[] = {
	ENL_IC_TIMESYNC_VERSION_4_0, ENL_IC_TIMESYNC_VERSION_3_0,
	ENL_IC_TIMESYNC_VERSION_1_0,
};

/* Largest delay we believe a host reports: one second. */
#define MAX_DELAY_100NS	10000000ULL
/* 100 ns units since 1970 past which ns no longer fit an int64_t. */
#define MAX_UNIX_100NS	((uint64_t)INT64_MAX / 100)

static bool may_adjust(struct enl_ts_guest *ts)
{
	if (ts->policy == ENL_TS_NEVER)
		return false;
	if (ts->policy == ENL_TS_AUTO && ts->clock.ntp_active &&
	    ts->clock.ntp_active(ts->clock.ctx)) {
		if (!ts->hands_off++)
			enl_notice("timesync: an NTP daemon disciplines the "
				   "clock; not adjusting it");
		return false;
	}
	return true;
}

static void adjust(struct enl_ts_guest *ts, uint8_t flags, int64_t off)
{
	int64_t mag = llabs(off);
	int ret = 0;

	if (!may_adjust(ts))
		return;
	if (flags & ENL_IC_TIMESYNC_FLAG_SYNC) {
		/* A hard request (boot, resume): step unless already close. */
		if (mag < ts->sync_min_ns)
			return;
		ret = ts->clock.step(ts->clock.ctx, off);
		ts->steps++;
		enl_info("timesync: stepped clock by %+.6f s", off / 1e9);
	} else if (mag > ts->step_threshold_ns) {
		ret = ts->clock.step(ts->clock.ctx, off);
		ts->steps++;
		enl_notice("timesync: offset %+.6f s beyond the step threshold;"
			   " stepped", off / 1e9);
	} else {
		ret = ts->clock.slew(ts->clock.ctx, off);
		ts->slews++;
	}
	if (ret < 0)
		enl_log_rl(LOG_ERR, "timesync: adjusting the clock failed: %s",
			   strerror(-ret));
}

static uint32_t ts_handle(void *ctx, struct enl_ic_msg *m, uint32_t srv,
			  size_t buf_size, size_t *resp_len)
{
	struct enl_ts_guest *ts = ctx;
	uint64_t parent, delay = 0;
	int64_t now, host_ns, off;
	uint8_t flags;

	(void)buf_size;
	(void)resp_len;
	now = ts->clock.now(ts->clock.ctx);
	if (srv >= ENL_IC_TIMESYNC_VERSION_4_0) {
		struct enl_ic_timesync_ref_data d;

		if (m->body_len < sizeof(d))
			goto short_body;
		memcpy(&d, m->body, sizeof(d));
		parent = d.parenttime;
		flags = d.flags;
	} else {
		struct enl_ic_timesync_data d;

		if (m->body_len < sizeof(d))
			goto short_body;
		memcpy(&d, m->body, sizeof(d));
		parent = d.parenttime;
		flags = d.flags;
		/* Half the round trip the host measured: transit to us. */
		if (d.roundtriptime <= MAX_DELAY_100NS)
			delay = d.roundtriptime / 2;
		/* Report our clock back so the host can see our offset. */
		d.childtime = (uint64_t)(now / 100) +
			      ENL_IC_TIMESYNC_EPOCH_DELTA;
		memcpy(m->body, &d, sizeof(d));
	}
	/* With the delay added, as it is below: the edge must not overflow. */
	if (parent < ENL_IC_TIMESYNC_EPOCH_DELTA ||
	    parent - ENL_IC_TIMESYNC_EPOCH_DELTA > MAX_UNIX_100NS - delay) {
		enl_log_rl(LOG_WARNING, "timesync: host time %llu out of range",
			   (unsigned long long)parent);
		ts->bad++;
		return ENL_HV_E_FAIL;
	}
	host_ns = (int64_t)(parent - ENL_IC_TIMESYNC_EPOCH_DELTA + delay) * 100;
	off = host_ns - now;
	ts->last_offset_ns = off;
	if (flags & ENL_IC_TIMESYNC_FLAG_SYNC)
		ts->syncs++;
	else
		ts->samples++;
	if (ts->clock.refclock)
		ts->clock.refclock(ts->clock.ctx, now, off);
	adjust(ts, flags, off);
	return ENL_HV_S_OK;

short_body:
	enl_log_rl(LOG_WARNING, "timesync: body of %zu bytes too short for "
		   "version %u.%u", m->body_len, ENL_IC_VERSION_MAJOR(srv),
		   ENL_IC_VERSION_MINOR(srv));
	ts->bad++;
	return ENL_HV_E_FAIL;
}

const struct enl_ic_service_ops enl_ts_guest_ops = {
	.name = "timesync",
	.msgtype = ENL_ICMSGTYPE_TIMESYNC,
	.versions = ENL_IC_VERSIONS(enl_ic_fw_versions, ts_versions),
	.handle = ts_handle,
};
