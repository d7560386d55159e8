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

void enl_ts_guest_init(struct enl_ts_guest *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->policy = ENL_TS_AUTO;
	ts->step_threshold_ns = 1000000000;
	ts->sync_min_ns = 1000000;
	enl_ts_disc_init(&ts->disc);
}

static bool may_adjust(struct enl_ts_guest *ts)
{
	if (ts->policy == ENL_TS_NEVER)
		return false;
	if (ts->policy == ENL_TS_AUTO && ts->clock.ntp_active &&
	    ts->clock.ntp_active(ts->clock.ctx)) {
		if (!ts->hands_off++)
			enl_notice("timesync: an NTP daemon disciplines the "
				   "clock; not adjusting it");
		/* What we learnt is void: the frequency is theirs now. */
		ts->disc_on = false;
		return false;
	}
	return true;
}

static bool can_discipline(const struct enl_ts_guest *ts)
{
	const struct enl_clock_ops *c = &ts->clock;

	return c->mono && c->get_freq && c->set_freq && c->slew_left;
}

static int step(struct enl_ts_guest *ts, int64_t off)
{
	/* A step ends the kernel's slew: the history starts over. */
	enl_ts_disc_reset(&ts->disc);
	ts->steps++;
	return ts->clock.step(ts->clock.ctx, off);
}

/* A sample within the step threshold: slew, and correct the frequency. */
static int discipline(struct enl_ts_guest *ts, int64_t off)
{
	const struct enl_clock_ops *c = &ts->clock;
	struct enl_ts_disc_out out;
	int64_t left = 0, ppb, before;
	int ret;

	ts->slews++;
	if (!can_discipline(ts))
		return c->slew(c->ctx, off);
	if (!ts->disc_on) {
		/* Start from what the kernel has: ours, or NTP's. */
		enl_ts_disc_reset(&ts->disc);
		ret = c->get_freq(c->ctx, &ppb);
		if (ret < 0)
			return ret;
		enl_ts_disc_set_freq(&ts->disc, ppb);
		ts->disc_on = true;
	} else {
		ret = c->slew_left(c->ctx, &left);
		if (ret < 0)
			return ret;
	}
	before = ts->disc.freq_ppb;
	enl_ts_disc_sample(&ts->disc, c->mono(c->ctx), off, ts->last_err_ns,
			   left, &out);
	if (out.set_freq) {
		ret = c->set_freq(c->ctx, out.freq_ppb);
		if (ret < 0)
			return ret;
		/* Tracking moves it a little every sample: log the jumps. */
		enl_log(llabs(out.freq_ppb - before) >= 10000 ? LOG_INFO :
			LOG_DEBUG, "timesync: frequency correction %+.3f ppm",
			out.freq_ppb / 1e3);
	}
	return c->slew(c->ctx, out.slew_ns);
}

static void adjust(struct enl_ts_guest *ts, uint8_t flags, int64_t off)
{
	int64_t mag = llabs(off);
	int ret;

	if (!may_adjust(ts))
		return;
	if ((flags & ENL_IC_TIMESYNC_FLAG_SYNC) && mag >= ts->sync_min_ns) {
		/* A hard request (boot, resume): step unless already close. */
		ret = step(ts, off);
		enl_info("timesync: stepped clock by %+.6f s", off / 1e9);
	} else if (mag > ts->step_threshold_ns) {
		ret = step(ts, off);
		enl_notice("timesync: offset %+.6f s beyond the step threshold;"
			   " stepped", off / 1e9);
	} else {
		ret = discipline(ts, off);
	}
	if (ret < 0)
		enl_log_rl(LOG_ERR, "timesync: adjusting the clock failed: %s",
			   strerror(-ret));
}

/*
 * Version 4: the delay since the host read its clock, from the reference
 * counter it stamped (ref0) and the one we read now. Sets *now to when we
 * read it; false when there is no usable stamp (delay 0 then).
 */
static bool ref_delay(struct enl_ts_guest *ts, uint64_t ref0,
		      uint64_t *delay, int64_t *now)
{
	struct enl_ts_ref r;
	int ret;

	if (!ref0 || !ts->clock.ref_time)
		return false;
	ret = ts->clock.ref_time(ts->clock.ctx, &r);
	if (ret < 0) {
		if (!ts->ref_fail++)
			enl_warn("timesync: cannot read the reference time "
				 "(%s); delivery delay not corrected",
				 strerror(-ret));
		return false;
	}
	if (r.ref < ref0 || r.ref - ref0 > ENL_TS_MAX_REF_DELAY) {
		enl_log_rl(LOG_WARNING, "timesync: host reference time %llu "
			   "against ours %llu: not believed",
			   (unsigned long long)ref0,
			   (unsigned long long)r.ref);
		ts->ref_bad++;
		return false;
	}
	*delay = r.ref - ref0;
	*now = r.at_ns;
	ts->last_err_ns = r.err_ns;
	ts->ref_used++;
	return true;
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
	ts->last_err_ns = 0;
	if (srv >= ENL_IC_TIMESYNC_VERSION_4_0) {
		struct enl_ic_timesync_ref_data d;

		if (m->body_len < sizeof(d))
			goto short_body;
		memcpy(&d, m->body, sizeof(d));
		parent = d.parenttime;
		flags = d.flags;
		ref_delay(ts, d.vmreferencetime, &delay, &now);
	} else {
		struct enl_ic_timesync_data d;

		if (m->body_len < sizeof(d))
			goto short_body;
		memcpy(&d, m->body, sizeof(d));
		parent = d.parenttime;
		flags = d.flags;
		/* Half the round trip the host measured: transit to us. */
		if (d.roundtriptime <= MAX_DELAY_100NS) {
			delay = d.roundtriptime / 2;
			ts->last_err_ns = (int64_t)delay * 100;
		}
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
	ts->last_delay_ns = (int64_t)delay * 100;
	if (flags & ENL_IC_TIMESYNC_FLAG_SYNC)
		ts->syncs++;
	else
		ts->samples++;
	enl_debug("timesync: offset %+.6f s (+-%.3f ms), delay %.3f ms",
		  off / 1e9, ts->last_err_ns / 1e6, ts->last_delay_ns / 1e6);
	if (ts->clock.refclock)
		ts->clock.refclock(ts->clock.ctx, now, off);
	if (ts->clock.report)
		ts->clock.report(ts->clock.ctx, now, off, ts->last_err_ns);
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
