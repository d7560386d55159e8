// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-timesyncd's logic against enl-host's time sync service over a
 * socketpair, on a fake guest clock: SYNC steps, SAMPLE slews small offsets
 * and steps large ones, hands off to NTP, feeds chrony, every version,
 * malformed input, version 4's reference time against a delivery delay,
 * the steady host clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <enlighten/ic_timesync.h>

#include "chrony.h"
#include "log.h"
#include "pair.h"
#include "tap.h"
#include "timesync.h"
#include "timesync_host.h"

/* The guest clock is the real one plus skew; step and slew move the skew. */
struct fake_clock {
	int64_t skew_ns;
	int steps, slews;
	int64_t last_slew;
	bool ntp;
	int refclocks;
	/* The reference counter as the guest reads it; ref_err: fail so. */
	int64_t ref_ahead;		/* 100 ns ahead of the host's */
	int ref_err;
};

/* Both sides read one counter: the monotonic clock, in 100 ns. */
static uint64_t ref_now(void)
{
	return (uint64_t)g_get_monotonic_time() * 10;
}

static int f_ref_time(void *ctx, struct enl_ts_ref *r)
{
	struct fake_clock *c = ctx;

	if (c->ref_err)
		return c->ref_err;
	r->ref = ref_now() + (uint64_t)c->ref_ahead;
	r->at_ns = g_get_real_time() * 1000 + c->skew_ns;
	r->err_ns = 1000;
	return 0;
}

/* The host's stamp: its clock and counter as read delay_100ns ago. */
static int64_t host_delay_100ns;

static uint64_t h_ref_time(void *ctx)
{
	(void)ctx;
	return ref_now() - (uint64_t)host_delay_100ns;
}

static int64_t f_now(void *ctx)
{
	return g_get_real_time() * 1000 + ((struct fake_clock *)ctx)->skew_ns;
}

static int f_step(void *ctx, int64_t d)
{
	struct fake_clock *c = ctx;

	c->skew_ns += d;
	c->steps++;
	return 0;
}

/* A slew that completes at once: what convergence would reach. */
static int f_slew(void *ctx, int64_t d)
{
	struct fake_clock *c = ctx;

	c->skew_ns += d;
	c->slews++;
	c->last_slew = d;
	return 0;
}

static bool f_ntp(void *ctx)
{
	return ((struct fake_clock *)ctx)->ntp;
}

static void f_ref(void *ctx, int64_t at, int64_t off)
{
	(void)at;
	(void)off;
	((struct fake_clock *)ctx)->refclocks++;
}

static void setup(struct pair *p, struct enl_ts_guest *g, struct fake_clock *c,
		  struct enl_ts_host *h, const uint32_t *v, size_t nv)
{
	enl_ts_guest_init(g);
	g->clock = (struct enl_clock_ops){
		.now = f_now, .step = f_step, .slew = f_slew,
		.ntp_active = f_ntp, .refclock = f_ref,
		.ref_time = f_ref_time, .ctx = c,
	};
	enl_ts_host_init(h);
	h->ref_time = h_ref_time;
	if (v)
		enl_ic_host_set_versions(&h->ic, v, nv);
	pair_open(p, &enl_ts_guest_ops, g, &h->ic);
	pair_host_open(p);
	pair_pump(p);
}

#define MS 1000000LL

static void test_discipline(const uint32_t *v, const char *name)
{
	struct fake_clock c = { .skew_ns = -7 * 1000 * MS };
	struct enl_ts_guest g;
	struct enl_ts_host h;
	struct pair p;

	setup(&p, &g, &c, &h, v, v ? 1 : 0);
	tap_ok(h.ic.state == ENL_IC_HOST_READY, "%s: negotiated %u.%u", name,
	       ENL_IC_VERSION_MAJOR(h.ic.srv), ENL_IC_VERSION_MINOR(h.ic.srv));
	tap_ok(g.syncs == 1 && c.steps == 1 && llabs(c.skew_ns) < 20 * MS,
	       "%s: SYNC at open steps a 7 s skew (residual %.3f ms)", name,
	       c.skew_ns / 1e6);

	/* 50 ms of drift: slewed, never stepped. */
	h.shift_ns = 50 * MS;
	enl_ts_host_send(&h, false);
	pair_pump(&p);
	tap_ok(c.steps == 1 && c.slews == 1 && llabs(c.last_slew - 50 * MS) <
	       20 * MS, "%s: 50 ms offset slewed (%.3f ms), no step", name,
	       c.last_slew / 1e6);
	tap_ok(llabs(c.skew_ns - 50 * MS) < 20 * MS,
	       "%s: residual after slewing %.3f ms", name,
	       (c.skew_ns - 50 * MS) / 1e6);

	/* 10 s: stepped once. */
	h.shift_ns += 10000 * MS;
	enl_ts_host_send(&h, false);
	pair_pump(&p);
	tap_ok(c.steps == 2 && llabs(c.skew_ns - h.shift_ns) < 20 * MS,
	       "%s: 10 s offset stepped once (residual %.3f ms)", name,
	       (c.skew_ns - h.shift_ns) / 1e6);
	enl_ts_host_send(&h, false);
	pair_pump(&p);
	tap_ok(c.steps == 2, "%s: converged, no further step", name);
	if (h.ic.srv < ENL_IC_TIMESYNC_VERSION_4_0)
		tap_ok(h.have_offset && llabs(h.guest_offset_ns) < 20 * MS,
		       "%s: host sees the guest's offset (%.3f ms)", name,
		       h.guest_offset_ns / 1e6);
	tap_ok(c.refclocks == (int)(g.syncs + g.samples),
	       "%s: every sample offered to the refclock hook", name);
	pair_close(&p);
}

/*
 * A message that took 300 ms to reach the guest (the daemon descheduled,
 * the host busy): version 4's reference stamp says so, and the guest's
 * clock ends on the host's time, not 300 ms behind it.
 */
static void test_ref_delay(void)
{
	struct fake_clock c = { 0 };
	struct enl_ts_guest g;
	struct enl_ts_host h;
	struct pair p;

	setup(&p, &g, &c, &h, NULL, 0);
	tap_ok(g.ref_used == 1 && c.steps == 0,
	       "v4: SYNC at open used the reference time, no step needed");
	/* The host read its clock 300 ms before the guest handles it. */
	host_delay_100ns = 3000000;
	enl_ts_host_set_shift(&h, -300 * MS);
	enl_ts_host_send(&h, true);
	pair_pump(&p);
	tap_ok(g.ref_used == 2 && llabs(g.last_delay_ns - 300 * MS) < 5 * MS &&
	       llabs(g.last_offset_ns) < 5 * MS && c.steps == 0,
	       "v4: 300 ms delivery delay cancelled (delay %.3f ms, offset "
	       "%+.3f ms, steps %d)", g.last_delay_ns / 1e6,
	       g.last_offset_ns / 1e6, c.steps);
	/* Without a counter the same message looks 300 ms old: stepped. */
	c.ref_err = -ENOTTY;
	enl_ts_host_send(&h, true);
	pair_pump(&p);
	tap_ok(g.ref_fail == 1 && c.steps == 1 &&
	       llabs(c.skew_ns + 300 * MS) < 5 * MS,
	       "v4: no readable counter: delay not corrected (stepped %.3f ms)",
	       c.skew_ns / 1e6);
	/* A stamp from the future, or a minute old, is not believed. */
	c.ref_err = 0;
	c.skew_ns = 0;
	c.ref_ahead = -10000000;
	enl_ts_host_send(&h, false);
	pair_pump(&p);
	c.ref_ahead = (int64_t)ENL_TS_MAX_REF_DELAY + 10000000;
	enl_ts_host_send(&h, false);
	pair_pump(&p);
	tap_ok(g.ref_bad == 2 && g.ref_used == 2,
	       "v4: reference stamps ahead of ours or past 60 s ignored");
	host_delay_100ns = 0;
	pair_close(&p);
}

static void test_hands_off(void)
{
	struct fake_clock c = { .skew_ns = 3000 * MS, .ntp = true };
	struct enl_ts_guest g;
	struct enl_ts_host h;
	struct pair p;

	setup(&p, &g, &c, &h, NULL, 0);
	enl_ts_host_send(&h, false);
	pair_pump(&p);
	tap_ok(c.steps == 0 && c.slews == 0 && g.hands_off == 2 &&
	       llabs(g.last_offset_ns + 3000 * MS) < 20 * MS,
	       "NTP running: offset measured, clock untouched");
	c.ntp = false;
	g.policy = ENL_TS_NEVER;
	enl_ts_host_send(&h, true);
	pair_pump(&p);
	tap_ok(c.steps == 0, "policy never: SYNC does not step");
	g.policy = ENL_TS_ALWAYS;
	c.ntp = true;
	enl_ts_host_send(&h, true);
	pair_pump(&p);
	tap_ok(c.steps == 1, "policy always: steps even with NTP running");
	pair_close(&p);
}

static void test_malformed(void)
{
	struct fake_clock c = { 0 };
	struct enl_ts_guest g;
	struct enl_ts_host h;
	struct enl_ic_timesync_data d = { .parenttime = 5, .flags = 1 };
	uint8_t buf[512];
	struct pair p;
	int n;

	setup(&p, &g, &c, &h, (const uint32_t[]){ ENL_IC_TIMESYNC_VERSION_3_0 },
	      1);
	n = enl_ic_build(buf, sizeof(buf), ENL_ICMSGTYPE_TIMESYNC,
			 ENL_IC_FW_VERSION_3_0, ENL_IC_TIMESYNC_VERSION_3_0,
			 9, &d, sizeof(d));
	pair_inject(&p, buf, (size_t)n);
	pair_take(&p, buf, sizeof(buf));
	tap_ok(((struct enl_icmsg_hdr *)(buf + 8))->status == ENL_HV_E_FAIL &&
	       g.bad == 1 && c.steps == 0,
	       "host time before 1970: E_FAIL, clock untouched");
	d.parenttime = UINT64_MAX;
	n = enl_ic_build(buf, sizeof(buf), ENL_ICMSGTYPE_TIMESYNC,
			 ENL_IC_FW_VERSION_3_0, ENL_IC_TIMESYNC_VERSION_3_0,
			 9, &d, sizeof(d));
	pair_inject(&p, buf, (size_t)n);
	pair_take(&p, buf, sizeof(buf));
	tap_ok(g.bad == 2 && c.steps == 0,
	       "host time that overflows: E_FAIL, clock untouched");
	/*
	 * Found by tests/fuzz (fuzz-ic-guest): the last host time that fits
	 * passed the range check, and adding half the round trip overflowed
	 * the nanoseconds (signed overflow; a wild step in practice).
	 */
	d.parenttime = ENL_IC_TIMESYNC_EPOCH_DELTA + INT64_MAX / 100;
	d.roundtriptime = 100;
	n = enl_ic_build(buf, sizeof(buf), ENL_ICMSGTYPE_TIMESYNC,
			 ENL_IC_FW_VERSION_3_0, ENL_IC_TIMESYNC_VERSION_3_0,
			 9, &d, sizeof(d));
	pair_inject(&p, buf, (size_t)n);
	pair_take(&p, buf, sizeof(buf));
	tap_ok(((struct enl_icmsg_hdr *)(buf + 8))->status == ENL_HV_E_FAIL &&
	       g.bad == 3 && c.steps == 0,
	       "last host time plus its round trip: E_FAIL, no overflow");
	n = enl_ic_build(buf, sizeof(buf), ENL_ICMSGTYPE_TIMESYNC,
			 ENL_IC_FW_VERSION_3_0, ENL_IC_TIMESYNC_VERSION_3_0,
			 9, &d, 20);
	pair_inject(&p, buf, (size_t)n);
	pair_take(&p, buf, sizeof(buf));
	tap_ok(g.bad == 4, "timesync body too short: E_FAIL");
	pair_close(&p);
}

static void test_chrony(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/enl-chrony-XXXXXX";
	struct {
		long sec, usec;
		double offset;
		int pulse, leap, pad, magic;
	} s;
	int fd;

	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp");
		return;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", dir);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	tap_ok(enl_chrony_send(sa.sun_path, 1700000000123456789LL, -25 * MS)
	       == 0, "chrony sample sent");
	tap_ok(recv(fd, &s, sizeof(s), 0) == sizeof(s) &&
	       s.magic == 0x534f434b && s.sec == 1700000000 &&
	       s.usec == 123456 && s.offset > -0.0251 && s.offset < -0.0249,
	       "chrony SOCK refclock sample: magic, time and offset");
	close(fd);
	unlink(sa.sun_path);
	rmdir(dir);
}

/*
 * The steady clock (enl-host run --host-clock steady): the wall clock at
 * the switch advanced by the monotonic one; shift and drift still apply.
 * Nothing steps this process's wall clock, so the two agree.
 */
static void test_steady(void)
{
	struct fake_clock c = { 0 };
	struct enl_ts_guest g;
	struct enl_ts_host h;
	struct pair p;
	gint64 base;

	tap_ok(!enl_ts_host_steady_base(&base), "the wall clock is the default");
	enl_ts_host_use_steady_clock();
	tap_ok(enl_ts_host_steady_base(&base) &&
	       llabs(base + g_get_monotonic_time() - g_get_real_time()) < 5000,
	       "steady: wall - monotonic taken at the switch");
	setup(&p, &g, &c, &h, NULL, 0);
	enl_ts_host_set_shift(&h, 2000 * MS);
	tap_ok(llabs(enl_ts_host_now(&h) - g_get_real_time() * 1000 - 2000 * MS) <
	       5 * MS, "steady: the shift applies");
	enl_ts_host_send(&h, true);
	pair_pump(&p);
	tap_ok(c.steps == 1 && llabs(c.skew_ns - 2000 * MS) < 5 * MS,
	       "steady: the guest follows it (stepped %.3f ms)", c.skew_ns / 1e6);
	pair_close(&p);
}

int main(void)
{
	enl_log_init("test-ic-timesync", true);
	test_discipline(NULL, "v4.0");
	test_discipline((const uint32_t[]){ ENL_IC_TIMESYNC_VERSION_3_0 },
			"v3.0");
	test_discipline((const uint32_t[]){ ENL_IC_TIMESYNC_VERSION_1_0 },
			"v1.0");
	test_ref_delay();
	test_hands_off();
	test_malformed();
	test_chrony();
	/* Last: the switch is for the process's life. */
	test_steady();
	return tap_done();
}
