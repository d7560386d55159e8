// SPDX-License-Identifier: GPL-2.0-only
/* Host time sync service: SYNC at open, periodic SAMPLEs, shift and drift. */
#include "timesync_host.h"
#include "ic_timer.h"

#include <errno.h>
#include <string.h>
#include <enlighten/ic_timesync.h>

static const uint32_t ts_versions[] = {
	ENL_IC_TIMESYNC_VERSION_4_0, ENL_IC_TIMESYNC_VERSION_3_0,
	ENL_IC_TIMESYNC_VERSION_1_0,
};

/*
 * The clock served: the wall clock, or (steady) the wall clock at the
 * switch advanced by the monotonic clock. One enl-host serves one VM.
 */
static bool clock_steady;
static gint64 steady_base_us;

void enl_ts_host_use_steady_clock(void)
{
	steady_base_us = g_get_real_time() - g_get_monotonic_time();
	clock_steady = true;
}

bool enl_ts_host_steady_base(gint64 *base_us)
{
	*base_us = steady_base_us;
	return clock_steady;
}

static gint64 host_clock_us(void)
{
	return clock_steady ? steady_base_us + g_get_monotonic_time() :
			      g_get_real_time();
}

static int64_t offset_at(const struct enl_ts_host *ts, gint64 real_us)
{
	/* In double: ppm times decades of ns would overflow an int64_t. */
	return ts->shift_ns +
	       (int64_t)((double)(real_us - ts->drift_from) *
			 ts->drift_ppm / 1000.0);
}

int64_t enl_ts_host_offset(const struct enl_ts_host *ts)
{
	return offset_at(ts, host_clock_us());
}

int64_t enl_ts_host_now(const struct enl_ts_host *ts)
{
	gint64 real_us = host_clock_us();

	return real_us * 1000 + offset_at(ts, real_us);
}

void enl_ts_host_set_shift(struct enl_ts_host *ts, int64_t shift_ns)
{
	ts->shift_ns = shift_ns;
	ts->drift_from = host_clock_us();
}

int enl_ts_host_set_drift(struct enl_ts_host *ts, int32_t ppm)
{
	if (ppm > ENL_TS_HOST_DRIFT_MAX_PPM || ppm < -ENL_TS_HOST_DRIFT_MAX_PPM)
		return -EINVAL;
	/* The clock goes on from where the old rate took it: no step. */
	enl_ts_host_set_shift(ts, enl_ts_host_offset(ts));
	ts->drift_ppm = ppm;
	return 0;
}

static uint64_t filetime(int64_t ns)
{
	return (uint64_t)(ns / 100) + ENL_IC_TIMESYNC_EPOCH_DELTA;
}

int enl_ts_host_send(struct enl_ts_host *ts, bool sync)
{
	uint8_t flags = sync ? ENL_IC_TIMESYNC_FLAG_SYNC :
			       ENL_IC_TIMESYNC_FLAG_SAMPLE;
	int ret;

	ts->sent_at = g_get_monotonic_time();
	if (ts->ic.srv >= ENL_IC_TIMESYNC_VERSION_4_0) {
		/*
		 * The clock and the reference counter read back to back: the
		 * guest adds the counter's progress until it handles the
		 * message. 0 tells guests there is no counter.
		 */
		struct enl_ic_timesync_ref_data d = {
			.parenttime = filetime(enl_ts_host_now(ts)),
			.vmreferencetime = ts->ref_time ?
					   ts->ref_time(ts->ref_ctx) : 0,
			.flags = flags,
		};

		ret = enl_ic_host_request(&ts->ic, &d, sizeof(d));
	} else {
		struct enl_ic_timesync_data d = {
			.parenttime = filetime(enl_ts_host_now(ts)),
			.roundtriptime = (uint64_t)(ts->rtt_ns / 100),
			.flags = flags,
		};

		ret = enl_ic_host_request(&ts->ic, &d, sizeof(d));
	}
	if (!ret) {
		if (sync)
			ts->syncs++;
		else
			ts->samples++;
	}
	return ret;
}

static void ts_ready(void *ctx)
{
	enl_ts_host_send(ctx, true);
}

static void ts_response(void *ctx, const struct enl_ic_msg *m)
{
	struct enl_ts_host *ts = ctx;
	struct enl_ic_timesync_data d;
	int64_t diff;

	ts->rtt_ns = (g_get_monotonic_time() - ts->sent_at) * 1000;
	if (ts->ic.srv >= ENL_IC_TIMESYNC_VERSION_4_0 ||
	    m->hdr->status != ENL_HV_S_OK || m->body_len < sizeof(d))
		return;
	memcpy(&d, m->body, sizeof(d));
	/*
	 * Guests that only echo leave childtime as we sent it (zero); beyond
	 * about three years apart it is garbage, and would overflow below.
	 */
	diff = (int64_t)(d.childtime - d.parenttime);
	if (!d.childtime || diff > 1000000000000000LL ||
	    diff < -1000000000000000LL)
		return;
	ts->guest_offset_ns = diff * 100;
	ts->have_offset = true;
}

static const struct enl_ic_host_ops ts_ops = {
	.name = "timesync",
	.msgtype = ENL_ICMSGTYPE_TIMESYNC,
	.srv_versions = ts_versions,
	.n_srv_versions = G_N_ELEMENTS(ts_versions),
	.ready = ts_ready,
	.response = ts_response,
};

void enl_ts_host_init(struct enl_ts_host *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->drift_from = host_clock_us();
	enl_ic_host_init(&ts->ic, &ts_ops, ts);
}

static gboolean ts_timer(gpointer data)
{
	enl_ts_host_send(data, false);
	return G_SOURCE_CONTINUE;
}

void enl_ts_host_set_interval(struct enl_ts_host *ts, unsigned int ms)
{
	ts->interval_ms = ms;
	enl_ic_timer_set(&ts->timer, ms, ts_timer, ts);
}
