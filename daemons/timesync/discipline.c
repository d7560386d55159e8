// SPDX-License-Identifier: GPL-2.0-only
/* enl-timesyncd's clock discipline (see discipline.h). */
#include "discipline.h"

#include <stdlib.h>
#include <string.h>

void enl_ts_disc_init(struct enl_ts_disc *d)
{
	memset(d, 0, sizeof(*d));
	d->max_ppb = ENL_TS_DISC_MAX_PPB;
	d->max_err_ns = ENL_TS_DISC_MAX_ERR_NS;
}

void enl_ts_disc_set_freq(struct enl_ts_disc *d, int64_t ppb)
{
	d->freq_ppb = ppb;
	d->have_freq = true;
}

void enl_ts_disc_reset(struct enl_ts_disc *d)
{
	d->have_prev = false;
	d->have_pending = false;
	d->slew_cmd_ns = 0;
	d->applied_ns = 0;
}

static int64_t clamp(int64_t v, int64_t max)
{
	return v > max ? max : v < -max ? -max : v;
}

/* Two residuals that tell the same rate: same sign, within half. */
static bool confirms(int64_t a, int64_t b)
{
	if ((a < 0) != (b < 0))
		return false;
	return llabs(a - b) * 2 <= (llabs(a) > llabs(b) ? llabs(a) : llabs(b));
}

static void update_freq(struct enl_ts_disc *d, int64_t resid)
{
	int64_t step;

	d->last_resid_ppb = resid;
	if (llabs(resid) <= ENL_TS_DISC_SMALL_PPB) {
		step = resid / 2;
		d->have_pending = false;
	} else if (d->have_pending && confirms(d->pending_ppb, resid)) {
		step = (d->pending_ppb + resid) / 2;
		d->have_pending = false;
	} else {
		/* A phase jump, or the first sight of a new rate: wait. */
		d->pending_ppb = resid;
		d->have_pending = true;
		d->jumps++;
		return;
	}
	d->freq_ppb = clamp(d->freq_ppb + step, d->max_ppb);
	d->updates++;
}

void enl_ts_disc_sample(struct enl_ts_disc *d, int64_t mono_ns,
			int64_t off_ns, int64_t err_ns, int64_t slew_left_ns,
			struct enl_ts_disc_out *out)
{
	int64_t old = d->freq_ppb, dt;

	/* What the kernel slewed of the last command is phase we moved. */
	d->applied_ns += d->slew_cmd_ns - slew_left_ns;
	out->slew_ns = clamp(off_ns, ENL_TS_DISC_MAX_SLEW_NS);
	d->slew_cmd_ns = out->slew_ns;
	out->set_freq = false;
	out->freq_ppb = d->freq_ppb;
	if (!d->have_prev) {
		if (err_ns > d->max_err_ns)
			return;
		d->have_prev = true;
		goto keep;
	}
	dt = mono_ns - d->prev_mono_ns;
	if (dt < ENL_TS_DISC_MIN_DT_NS || err_ns > d->max_err_ns)
		return;
	/*
	 * off - prev_off = (rate error) * dt - applied: the residual rate in
	 * ppb. In double: a long interval times 1e9 overflows an int64_t.
	 */
	update_freq(d, (int64_t)((double)(off_ns - d->prev_off_ns +
					  d->applied_ns) * 1e9 / (double)dt));
	out->freq_ppb = d->freq_ppb;
	out->set_freq = d->freq_ppb != old || !d->have_freq;
	d->have_freq = true;
keep:
	d->prev_mono_ns = mono_ns;
	d->prev_off_ns = off_ns;
	d->applied_ns = 0;
}
