/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-timesyncd's clock discipline, pure arithmetic (no clock is touched
 * here, so tests run it against a simulated one).
 *
 * Phase: every sample slews the whole offset through the kernel's
 * single-shot adjtime (500 ppm, bounded by the kernel: if the daemon dies
 * the slew still ends). Frequency: a persistent correction (the kernel's
 * tick plus frequency, what NTP daemons leave behind too) so the offset
 * stops coming back. Between two samples the offset moves by the residual
 * rate times the interval, minus the phase the kernel slewed meanwhile;
 * that residual rate, divided out, corrects the frequency:
 *  - small residuals (noise, a slowly changing rate) move it by half;
 *  - a large one is taken only when the next interval shows the same rate
 *    again. A host clock that steps (a phase jump, `ctl time shift`) shows
 *    one large residual, then none, and leaves the frequency alone; a
 *    clock that drifts shows the same one twice, and the frequency jumps
 *    to it.
 * The correction is bounded (max_ppb); a measurement less certain than
 * max_err_ns, or an interval shorter than ENL_TS_DISC_MIN_DT_NS, only
 * slews, and the next good sample measures over the longer interval.
 */
#ifndef ENL_TS_DISCIPLINE_H
#define ENL_TS_DISCIPLINE_H

#include <stdbool.h>
#include <stdint.h>

/* Shorter intervals say little about a rate. */
#define ENL_TS_DISC_MIN_DT_NS		2000000000LL
/* Residuals up to this (ppb) are tracked gently, larger ones confirmed. */
#define ENL_TS_DISC_SMALL_PPB		50000LL
/* Default bound on the correction: 0.5%. */
#define ENL_TS_DISC_MAX_PPB		5000000LL
/* adjtime's single-shot slews are kept within +-0.5 s. */
#define ENL_TS_DISC_MAX_SLEW_NS		500000000LL
/* Default: samples less certain than 2 ms do not measure a rate. */
#define ENL_TS_DISC_MAX_ERR_NS		2000000LL

struct enl_ts_disc {
	int64_t max_ppb, max_err_ns;
	int64_t freq_ppb;		/* the correction the kernel has */
	bool have_freq;			/* freq_ppb read from the kernel */
	bool have_prev;
	int64_t prev_mono_ns, prev_off_ns;
	int64_t slew_cmd_ns;		/* the slew last commanded */
	int64_t applied_ns;		/* phase slewed since prev */
	bool have_pending;
	int64_t pending_ppb;		/* a large residual not yet confirmed */
	int64_t last_resid_ppb;
	unsigned long updates, jumps;
};

struct enl_ts_disc_out {
	int64_t slew_ns;		/* single-shot slew to command now */
	bool set_freq;			/* freq_ppb changed: set it */
	int64_t freq_ppb;
};

void enl_ts_disc_init(struct enl_ts_disc *d);
/* The kernel's correction as read now (at start or after NTP let go). */
void enl_ts_disc_set_freq(struct enl_ts_disc *d, int64_t ppb);
/*
 * Forget the history (after a step, which also cancels the kernel's slew,
 * or while someone else owns the clock); the frequency stays.
 */
void enl_ts_disc_reset(struct enl_ts_disc *d);
/*
 * One sample: offset (host - guest) measured at mono_ns (a monotonic
 * clock) within +-err_ns, with slew_left_ns of the last slew not yet done
 * by the kernel.
 */
void enl_ts_disc_sample(struct enl_ts_disc *d, int64_t mono_ns,
			int64_t off_ns, int64_t err_ns, int64_t slew_left_ns,
			struct enl_ts_disc_out *out);

#endif /* ENL_TS_DISCIPLINE_H */
