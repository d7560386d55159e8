// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-timesyncd's clock discipline on a simulated guest clock: the host
 * clock runs d ppb faster than the uncorrected guest's; each second the
 * guest gains its frequency correction and up to 500 us of the pending
 * single-shot slew (what the kernel's second_overflow does); the host
 * sends a sample every 5 s. Convergence on a drift the slews alone cannot
 * follow, no frequency jump on a phase jump, noise, the bound.
 */
#include <stdlib.h>
#include <string.h>

#include "discipline.h"
#include "tap.h"

#define MS	1000000LL
#define PPM	1000LL

struct sim {
	struct enl_ts_disc d;
	bool freq_on;		/* false: slews only, what adjtime alone does */
	int64_t drift_ppb;	/* host rate minus uncorrected guest rate */
	int64_t x;		/* host - guest, ns */
	int64_t freq;		/* the kernel's correction, ppb */
	int64_t left;		/* the kernel's slew still to do, ns */
	int64_t t;		/* seconds */
	int64_t noise_ns;	/* samples off by up to this, either way */
	int64_t err_ns;
	unsigned int seed;
};

static void sim_init(struct sim *s, int64_t drift_ppb, bool freq_on)
{
	memset(s, 0, sizeof(*s));
	enl_ts_disc_init(&s->d);
	enl_ts_disc_set_freq(&s->d, 0);
	s->drift_ppb = drift_ppb;
	s->freq_on = freq_on;
	s->seed = 12345;
}

static int64_t noise(struct sim *s)
{
	if (!s->noise_ns)
		return 0;
	s->seed = s->seed * 1103515245 + 12345;
	return (int64_t)((s->seed >> 8) % (uint64_t)(2 * s->noise_ns + 1)) -
	       s->noise_ns;
}

static void sample(struct sim *s)
{
	struct enl_ts_disc_out out;

	enl_ts_disc_sample(&s->d, s->t * 1000 * MS, s->x + noise(s),
			   s->err_ns, s->left, &out);
	if (s->freq_on && out.set_freq)
		s->freq = out.freq_ppb;
	s->left = out.slew_ns;
}

/* Run for secs seconds, a sample every 5. */
static void run(struct sim *s, int secs)
{
	for (int i = 0; i < secs; i++) {
		int64_t chunk = s->left > 500000 ? 500000 :
				s->left < -500000 ? -500000 : s->left;

		s->x += s->drift_ppb - s->freq - chunk;
		s->left -= chunk;
		s->t++;
		if (s->t % 5 == 0)
			sample(s);
	}
}

static void test_drift(void)
{
	struct sim s, old;

	/* The case: 3 ms every 2 s, i.e. 1500 ppm. */
	sim_init(&old, 1500 * PPM, false);
	run(&old, 60);
	sim_init(&s, 1500 * PPM, true);
	run(&s, 60);
	tap_ok(llabs(old.x) > 30 * MS,
	       "slews alone fall behind a 1500 ppm drift (%.1f ms after 60 s)",
	       old.x / 1e6);
	tap_ok(llabs(s.x) < 1 * MS && llabs(s.freq - 1500 * PPM) < 20 * PPM,
	       "1500 ppm drift: converged in 60 s (offset %.3f ms, "
	       "correction %.1f ppm)", s.x / 1e6, s.freq / 1e3);
	run(&s, 60);
	tap_ok(llabs(s.x) < 100000 && s.d.jumps == 1,
	       "and stays there (offset %.3f ms, one unconfirmed residual)",
	       s.x / 1e6);
	/* The drift stops: the correction comes back down. */
	s.drift_ppb = 0;
	run(&s, 60);
	tap_ok(llabs(s.x) < 1 * MS && llabs(s.freq) < 20 * PPM,
	       "drift gone: back to %.1f ppm, offset %.3f ms", s.freq / 1e3,
	       s.x / 1e6);
	sim_init(&s, -40 * PPM, true);
	run(&s, 120);
	tap_ok(llabs(s.x) < 200000 && llabs(s.freq + 40 * PPM) < 5 * PPM,
	       "a small drift (-40 ppm) tracked: %.1f ppm, offset %.3f ms",
	       s.freq / 1e3, s.x / 1e6);
}

static void test_phase_jump(void)
{
	struct sim s;

	sim_init(&s, 0, true);
	run(&s, 30);
	s.x += 10 * MS;		/* ctl time shift 10: a step of the host */
	run(&s, 60);
	tap_ok(llabs(s.freq) < 2 * PPM && llabs(s.x) < 1 * MS,
	       "a 10 ms host step is slewed, frequency untouched (%.1f ppm, "
	       "offset %.3f ms)", s.freq / 1e3, s.x / 1e6);
	s.x -= 200 * MS;
	run(&s, 600);
	tap_ok(llabs(s.freq) < 2 * PPM && llabs(s.x) < 1 * MS,
	       "a -200 ms host step likewise (%.1f ppm, offset %.3f ms)",
	       s.freq / 1e3, s.x / 1e6);
}

static void test_noise(void)
{
	struct sim s;
	int64_t worst = 0;

	sim_init(&s, 100 * PPM, true);
	s.noise_ns = 300000;
	s.err_ns = 300000;
	run(&s, 120);
	for (int i = 0; i < 60; i++) {
		run(&s, 5);
		if (llabs(s.freq - 100 * PPM) > worst)
			worst = llabs(s.freq - 100 * PPM);
	}
	tap_ok(worst < 60 * PPM && llabs(s.x) < 1 * MS,
	       "+-0.3 ms of noise: correction within %.1f ppm of 100, "
	       "offset %.3f ms", worst / 1e3, s.x / 1e6);
}

static void test_bounds(void)
{
	struct sim s;
	struct enl_ts_disc_out out;

	sim_init(&s, 8000 * PPM, true);
	run(&s, 60);
	tap_ok(s.freq == ENL_TS_DISC_MAX_PPB,
	       "8000 ppm: the correction stops at the bound (%.1f ppm)",
	       s.freq / 1e3);
	sim_init(&s, 1500 * PPM, true);
	s.err_ns = ENL_TS_DISC_MAX_ERR_NS + 1;
	run(&s, 60);
	tap_ok(s.freq == 0 && s.d.updates == 0,
	       "uncertain samples never move the frequency");
	/* The kernel slews nothing here (left = what was commanded). */
	sim_init(&s, 0, true);
	enl_ts_disc_sample(&s.d, 0, 0, 0, 0, &out);
	enl_ts_disc_sample(&s.d, 1000 * MS, 10000, 0, 0, &out);
	enl_ts_disc_sample(&s.d, 1500 * MS, 15000, 0, 10000, &out);
	tap_ok(s.d.updates == 0 && !out.set_freq && out.slew_ns == 15000,
	       "intervals under 2 s only slew");
	enl_ts_disc_sample(&s.d, 2500 * MS, 25000, 0, 15000, &out);
	tap_ok(s.d.updates == 1 && out.set_freq && out.freq_ppb == 5000,
	       "the next sample measures over the whole 2.5 s (10 ppm, "
	       "half taken: %lld ppb)", (long long)out.freq_ppb);
	enl_ts_disc_sample(&s.d, 0, 3 * 1000 * MS, 0, 0, &out);
	tap_ok(out.slew_ns == ENL_TS_DISC_MAX_SLEW_NS,
	       "a slew is kept within 0.5 s");
}

int main(void)
{
	test_drift();
	test_phase_jump();
	test_noise();
	test_bounds();
	return tap_done();
}
