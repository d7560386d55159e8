// SPDX-License-Identifier: GPL-2.0-only
/*
 * A busy ring looked at on a timer (vsp_poll.h), on a worker thread: a
 * guest that signals only when its ring says so gets every answer, a
 * lone packet with the signals on masks nothing, a
 * packet sent while masked is answered by the look without a doorbell,
 * the first look that finds nothing unmasks, a stream's looks come
 * stream_us apart until one finds a single packet, a lone packet soon
 * after another pass masks with resume_us, a lone packet probes with
 * probe_us (a look that finds 2 starts a stream; one that does not makes
 * the next probe wait for more lone packets), a burst behind one
 * doorbell is all answered, and a channel closed right after a pass
 * reopens and polls again.
 */
#include <errno.h>
#include <string.h>

#include <enlighten/guids.h>
#include "server.h"
#include "server_priv.h"
#include "tap.h"
#include "test-vmbus-guest.h"

#define RAM	(16u << 20)
#define C4	ENL_VMBUS_MESSAGE_CONNECTION_ID_4
#define LOOK_US	200

static struct enl_hv *hv;
static struct enl_vmbus_server *srv;

/* ---- A class with its own loop that polls while busy: echoes ---- */

struct poll_state {
	struct enl_vsp_poll poll;
	uint64_t looks, unmasks;	/* the poll's counters */
	uint64_t probes, probe_hits;
};

static void *poll_create(struct enl_vsp_channel *ch)
{
	struct poll_state *st = g_new0(struct poll_state, 1);

	(void)ch;
	st->poll.looks = &st->looks;
	st->poll.unmasks = &st->unmasks;
	st->poll.probes = &st->probes;
	st->poll.probe_hits = &st->probe_hits;
	return st;
}

static int poll_open(struct enl_vsp_channel *ch, const uint8_t *ud)
{
	struct poll_state *st = enl_vsp_state(ch);

	(void)ud;
	enl_vsp_poll_open(&st->poll, ch, LOOK_US);
	return 0;
}

static void poll_signal(struct enl_vsp_channel *ch)
{
	struct poll_state *st = enl_vsp_state(ch);
	uint8_t buf[256];
	struct enl_ring_pkt pkt;
	unsigned int n = 0;

	while (enl_vsp_recv(ch, buf, sizeof(buf), &pkt) > 0) {
		struct enl_ring_iov iov = { buf + pkt.hdr_len,
					    pkt.len - pkt.hdr_len };

		n++;
		enl_vsp_send(ch, ENL_VMPKT_COMP, 0, pkt.trans_id, &iov, 1);
	}
	enl_vsp_recv_done(ch);
	enl_vsp_poll_after(&st->poll, n);
}

static void poll_close(struct enl_vsp_channel *ch)
{
	enl_vsp_poll_close(&((struct poll_state *)enl_vsp_state(ch))->poll);
}

static const struct enl_vsp_class poll_class = {
	.name = "poll",
	.class_guid = ENL_GUID_ECHO,
	.create = poll_create,
	.destroy = g_free,
	.on_open = poll_open,
	.on_signal = poll_signal,
	.on_close = poll_close,
};

/* ---- The guest ---- */

static struct guest_chan gc = {
	.relid = 1, .gpadl = 0xa1, .out_pfn = 0x100, .out_pages = 4,
	.in_pfn = 0x120, .in_pages = 4,
};
static unsigned int doorbells;

static uint64_t counter(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static struct poll_state *state(void)
{
	return enl_vsp_state(srv->chan[gc.relid]);
}

/* One packet; the doorbell only when the ring asks for it and ring is set. */
static bool send_pkt(uint64_t id, bool ring)
{
	struct enl_ring_iov iov = { &id, sizeof(id) };
	bool sig = false;

	if (enl_ring_write(&gc.out, ENL_VMPKT_DATA_INBAND,
			   ENL_VMPKT_FLAG_COMPLETION_REQUESTED, id, &iov, 1,
			   &sig))
		return false;
	if (sig && ring) {
		doorbells++;
		fake_guest_signal_async(hv, gc.conn_id);
	}
	return true;
}

static bool send_one(uint64_t id)
{
	return send_pkt(id, true);
}

/* The next answer within 5 s: its id, 0 if none. */
static uint64_t recv_one(void)
{
	uint8_t buf[256];
	struct enl_ring_pkt pkt;
	gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

	while (enl_ring_read(&gc.in, buf, sizeof(buf), &pkt) == -EAGAIN) {
		if (g_get_monotonic_time() > end)
			return 0;
		g_usleep(20);
	}
	if (enl_ring_read_commit(&gc.in))
		fake_guest_signal_async(hv, gc.conn_id);
	return pkt.type == ENL_VMPKT_COMP ? pkt.trans_id : 0;
}

static bool masked(void)
{
	return __atomic_load_n(&gc.out.ctl->interrupt_mask, __ATOMIC_ACQUIRE);
}

/*
 * Until the guest's signals are on (5 s at most), and with unmasks0,
 * after an unmask since that count (a look found nothing).
 */
static bool wait_unmasked(const uint64_t *unmasks0)
{
	gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

	while (masked() ||
	       (unmasks0 && counter(&state()->unmasks) == *unmasks0)) {
		if (g_get_monotonic_time() > end)
			return false;
		g_usleep(1000);
	}
	return true;
}

/* ---- Tests ---- */

static void test_one_at_a_time(void)
{
	uint64_t looks0 = counter(&state()->looks);
	unsigned int got = 0;

	doorbells = 0;
	for (uint64_t id = 1; id <= 200; id++) {
		if (!send_one(id) || recv_one() != id)
			break;
		got++;
	}
	tap_ok(got == 200,
	       "200 packets one at a time, the guest signalling only when its "
	       "ring says so: all answered, %u doorbell(s), %llu look(s)",
	       doorbells,
	       (unsigned long long)(counter(&state()->looks) - looks0));
	/*
	 * Masked only if a pass took two (the next came before it ended);
	 * then a look unmasks.
	 */
	tap_ok(wait_unmasked(NULL),
	       "idle again: the guest's signals are on");
}

static void set_period(void *data)
{
	state()->poll.period_us = GPOINTER_TO_UINT(data);
}

/* On the worker: the end of a pass that took n packets. */
static void pass_end(void *data)
{
	enl_vsp_poll_after(&state()->poll, GPOINTER_TO_UINT(data));
}

/*
 * Until neither the server nor the poll has a look booked or a pass
 * queued (5 s at most).
 */
static bool wait_no_recheck(struct enl_vsp_channel *ch)
{
	gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	bool pending;

	for (;;) {
		g_mutex_lock(&ch->sched_lock);
		pending = ch->recheck || ch->sched ||
			  __atomic_load_n(&state()->poll.armed,
					  __ATOMIC_RELAXED);
		g_mutex_unlock(&ch->sched_lock);
		if (!pending)
			return true;
		if (g_get_monotonic_time() > end)
			return false;
		g_usleep(1000);
	}
}

/*
 * A pass that took one packet with the guest's signals on leaves them on
 * and books nothing: a guest with one request outstanding signals its
 * next one anyway, and a look would only find an empty ring.
 */
static void test_lone_packet(void)
{
	struct enl_vsp_channel *ch = srv->chan[gc.relid];
	uint64_t looks0;
	bool ok = wait_no_recheck(ch);

	looks0 = counter(&state()->looks);
	enl_vsp_call(ch, pass_end, GUINT_TO_POINTER(1));
	tap_ok(ok && !masked() && !state()->poll.polling &&
	       !__atomic_load_n(&state()->poll.armed, __ATOMIC_RELAXED),
	       "a pass that took one packet, signals on: still on, no look "
	       "booked");
	g_usleep(2 * LOOK_US);
	tap_ok(counter(&state()->looks) == looks0, "and no look came");
}

/*
 * A pass that took 2 packets masks the guest's signals with a look booked
 * a second later: a packet sent meanwhile needs no doorbell, and the look
 * answers it. The pass's end is played on the worker once the server has
 * no pass of its own queued or booked (it looks again 10 ms after a pass
 * that moved packets), so nothing else can take the packet and the test
 * thread cannot miss the masked window.
 */
static void test_masked_look(void)
{
	struct enl_vsp_channel *ch = srv->chan[gc.relid];
	uint64_t looks0, unmasks0 = counter(&state()->unmasks);
	bool ok;

	enl_vsp_call(ch, set_period, GUINT_TO_POINTER(1000000));
	ok = wait_no_recheck(ch);
	looks0 = counter(&state()->looks);
	enl_vsp_call(ch, pass_end, GUINT_TO_POINTER(2));
	tap_ok(ok && masked(), "a pass that took 2 packets masks the guest's "
	       "signals");
	doorbells = 0;
	ok = ok && send_one(4000) && doorbells == 0 && recv_one() == 4000;
	tap_ok(ok && counter(&state()->looks) > looks0,
	       "a packet sent while masked, without a doorbell, is answered "
	       "by the look");
	tap_ok(wait_unmasked(&unmasks0), "then a look finds nothing and "
	       "unmasks");
	/* The look booked by the one that answered comes a second later. */
	wait_no_recheck(ch);
	enl_vsp_call(ch, set_period, GUINT_TO_POINTER(LOOK_US));
}

static void set_stream(void *data)
{
	state()->poll.stream_us = GPOINTER_TO_UINT(data);
}

static bool streaming(void)
{
	return __atomic_load_n(&state()->poll.streaming, __ATOMIC_RELAXED);
}

/*
 * stream_us: 2 packets since the last look was booked are a stream, and
 * the next look comes stream_us later (a second here, so that it cannot
 * be mistaken for the 200 us one); a look that finds 1 ends the stream
 * (a guest with one request outstanding sends no more), the one after it
 * comes period_us later, finds nothing and unmasks.
 */
static void test_stream(void)
{
	struct enl_vsp_channel *ch = srv->chan[gc.relid];
	uint64_t looks0, unmasks0 = counter(&state()->unmasks);
	gint64 t0, waited;
	bool ok;

	enl_vsp_call(ch, set_stream, GUINT_TO_POINTER(1000000));
	ok = wait_no_recheck(ch);
	looks0 = counter(&state()->looks);
	enl_vsp_call(ch, pass_end, GUINT_TO_POINTER(2));
	t0 = g_get_monotonic_time();
	tap_ok(ok && masked() && streaming(),
	       "stream: a pass that took 2 packets masks, the next look "
	       "stream_us away");
	doorbells = 0;
	ok = ok && send_one(5000) && doorbells == 0 && recv_one() == 5000;
	waited = g_get_monotonic_time() - t0;
	tap_ok(ok && waited >= 900000 && counter(&state()->looks) > looks0,
	       "stream: the packet sent meanwhile, without a doorbell, is "
	       "answered by that look (%lld ms)", (long long)(waited / 1000));
	tap_ok(wait_unmasked(&unmasks0) && !streaming(),
	       "stream: that look found 1, the stream ended; the next look "
	       "found none and unmasked");
	enl_vsp_call(ch, set_stream, GUINT_TO_POINTER(0));
}

static void set_resume(void *data)
{
	state()->poll.resume_us = GPOINTER_TO_UINT(data);
}

/*
 * resume_us: a lone packet soon after the last pass that took packets is
 * a stream going on (here after a look found nothing and unmasked): it
 * masks again at once. Long after, or without resume_us, it masks
 * nothing.
 */
static void test_resume(void)
{
	struct enl_vsp_channel *ch = srv->chan[gc.relid];
	uint64_t unmasks0 = counter(&state()->unmasks);
	bool ok;

	enl_vsp_call(ch, set_resume, GUINT_TO_POINTER(1000000));
	ok = wait_no_recheck(ch);
	enl_vsp_call(ch, pass_end, GUINT_TO_POINTER(2));
	ok = ok && masked() && wait_unmasked(&unmasks0);
	unmasks0 = counter(&state()->unmasks);
	enl_vsp_call(ch, pass_end, GUINT_TO_POINTER(1));
	tap_ok(ok && masked() && state()->poll.polling,
	       "resume: a lone packet soon after a pass that took 2 masks");
	ok = wait_unmasked(&unmasks0);
	tap_ok(ok, "resume: its look finds nothing and unmasks");
	g_usleep(1200000);
	unmasks0 = counter(&state()->unmasks);
	enl_vsp_call(ch, pass_end, GUINT_TO_POINTER(1));
	tap_ok(ok && !masked() && !state()->poll.polling,
	       "resume: a lone packet resume_us after the last masks nothing");
	enl_vsp_call(ch, set_resume, GUINT_TO_POINTER(0));
	enl_vsp_call(ch, pass_end, GUINT_TO_POINTER(1));
	tap_ok(!masked() && counter(&state()->unmasks) == unmasks0,
	       "without resume_us, one right after it masks nothing either");
}

static void set_probe(void *data)
{
	state()->poll.probe_us = GPOINTER_TO_UINT(data);
}

static bool probing(void)
{
	return __atomic_load_n(&state()->poll.probing, __ATOMIC_RELAXED);
}

/*
 * probe_us (half a second here): a lone packet with the signals on masks
 * them with a look probe_us later. Two packets sent meanwhile, without a
 * doorbell, are a stream: a hit, and the next lone packet probes again.
 * A probe whose look finds nothing makes the next probe wait: the lone
 * packet after it masks nothing, the one after that probes.
 */
static void test_probe(void)
{
	struct enl_vsp_channel *ch = srv->chan[gc.relid];
	uint64_t probes0, hits0, unmasks0 = counter(&state()->unmasks);
	bool ok;

	enl_vsp_call(ch, set_probe, GUINT_TO_POINTER(500000));
	ok = wait_no_recheck(ch);
	probes0 = counter(&state()->probes);
	hits0 = counter(&state()->probe_hits);
	enl_vsp_call(ch, pass_end, GUINT_TO_POINTER(1));
	tap_ok(ok && masked() && probing() &&
	       counter(&state()->probes) == probes0 + 1,
	       "probe: a lone packet masks, its look probe_us away");
	doorbells = 0;
	ok = ok && send_pkt(6000, false) && send_pkt(6001, false) &&
	     recv_one() == 6000 && recv_one() == 6001 && doorbells == 0;
	tap_ok(ok && counter(&state()->probe_hits) == hits0 + 1 &&
	       state()->poll.probe_skip == 0,
	       "probe: 2 sent meanwhile without a doorbell, answered by its "
	       "look: a hit, the next lone packet probes again");
	ok = wait_unmasked(&unmasks0) && wait_no_recheck(ch);
	unmasks0 = counter(&state()->unmasks);
	enl_vsp_call(ch, pass_end, GUINT_TO_POINTER(1));
	ok = ok && masked() && probing() && wait_unmasked(&unmasks0) &&
	     wait_no_recheck(ch);
	tap_ok(ok && counter(&state()->probe_hits) == hits0 + 1 &&
	       state()->poll.probe_skip == 1,
	       "probe: one whose look found nothing unmasks, no hit");
	enl_vsp_call(ch, pass_end, GUINT_TO_POINTER(1));
	tap_ok(!masked() && !probing(),
	       "probe: after a miss, the next lone packet masks nothing");
	unmasks0 = counter(&state()->unmasks);
	enl_vsp_call(ch, pass_end, GUINT_TO_POINTER(1));
	tap_ok(masked() && probing() &&
	       counter(&state()->probes) == probes0 + 3,
	       "probe: the one after it probes");
	ok = wait_unmasked(&unmasks0);
	enl_vsp_call(ch, set_probe, GUINT_TO_POINTER(0));
	tap_ok(ok && state()->poll.probe_skip == 3,
	       "probe: that miss too: the wait doubles (3 lone packets)");
}

static void test_burst(void)
{
	uint64_t unmasks0 = counter(&state()->unmasks);
	unsigned int sent = 0, got = 0;

	for (uint64_t id = 1000; id < 1032; id++)
		sent += send_pkt(id, false);
	fake_guest_signal_async(hv, gc.conn_id);
	for (uint64_t id = 1000; id < 1000 + sent; id++)
		got += recv_one() == id;
	tap_ok(sent == 32 && got == 32,
	       "a burst of 32 behind one doorbell: all answered in order");
	tap_ok(wait_unmasked(&unmasks0), "and unmasked once idle");
}

static void test_close_armed(void)
{
	uint64_t looks0, unmasks0;
	bool ok;

	/*
	 * A pass takes both and books a look; the close may come before it.
	 * No pass of the server's own may come between the two.
	 */
	ok = wait_no_recheck(srv->chan[gc.relid]) && send_pkt(2000, false) &&
	     send_pkt(2001, false);
	fake_guest_signal_async(hv, gc.conn_id);
	ok = ok && recv_one() == 2000 && recv_one() == 2001;
	guest_relid_msg(hv, C4, ENL_CHANNELMSG_CLOSECHANNEL, gc.relid);
	fake_hv_drain(hv);
	g_usleep(2 * LOOK_US);
	enl_ring_reset(&gc.out);
	enl_ring_reset(&gc.in);
	ok = ok && guest_chan_open(hv, C4, &gc, 8);
	tap_ok(ok && !state()->poll.polling && !state()->poll.armed,
	       "closed right after a pass, reopened: not polling");
	looks0 = counter(&state()->looks);
	unmasks0 = counter(&state()->unmasks);
	ok = true;
	for (uint64_t id = 3000; id < 3050 && ok; id++)
		ok = send_one(id) && recv_one() == id;
	ok = ok && wait_no_recheck(srv->chan[gc.relid]) &&
	     send_pkt(3050, false) && send_pkt(3051, false);
	fake_guest_signal_async(hv, gc.conn_id);
	ok = ok && recv_one() == 3050 && recv_one() == 3051;
	/* The look comes LOOK_US later, finds nothing and unmasks. */
	ok = ok && wait_unmasked(&unmasks0);
	tap_ok(ok && counter(&state()->looks) > looks0,
	       "after the reopen: 50 more one at a time and 2 behind one "
	       "doorbell all answered, looks on the timer again");
}

int main(void)
{
	hv = fake_hv_new(RAM, true);
	srv = enl_vmbus_server_new(hv);
	enl_vmbus_server_set_ram_fd(srv, hv->memfd);
	enl_vmbus_server_add_class(srv, &poll_class);
	tap_ok(enl_vmbus_server_offer(srv, "poll") == 1, "offered");
	guest_contact(hv, C4, ENL_VMBUS_VERSION_WIN10_V5_3, 0, 2);
	guest_simple(hv, C4, ENL_CHANNELMSG_REQUESTOFFERS);
	fake_hv_drain(hv);
	gc.conn_id = srv->chan[1]->conn_id;
	guest_chan_setup(hv, C4, &gc);
	tap_ok(guest_gpadl_created(hv, gc.gpadl) == 0 &&
	       guest_chan_open(hv, C4, &gc, 7), "opened");

	test_one_at_a_time();
	test_lone_packet();
	test_masked_look();
	test_stream();
	test_resume();
	test_probe();
	test_burst();
	test_close_armed();

	enl_vmbus_server_free(srv);
	fake_hv_free(hv);
	return tap_done();
}
