// SPDX-License-Identifier: GPL-2.0-only
/*
 * No lost wakeups on the data path, with a guest that waits only for
 * signals: each guest "vCPU" thread writes by the ring's rules (a signal
 * only on empty -> non-empty while the host is unmasked, on the channel's
 * doorbell), then sleeps until enl-host raises its channel's event, and
 * reads the way enl_vmbus's tasklet does (mask, drain, commit, unmask,
 * look again). Three channels at once on their workers: one idles past
 * the host's look-again timer before each small burst (the window where
 * a lost signal is never covered), one ping-pongs at QD1 without a pause,
 * and one sends bursts larger than its inbound ring, so the host blocks
 * on pending_send_sz and the guest's commit must wake it. A wait with no
 * event for 5 s is a lost wakeup, reported with the side that lost it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "echo/echo.h"
#include "server.h"
#include "server_priv.h"
#include "tap.h"
#include "test-vmbus-guest.h"

#define RAM	(16u << 20)
#define C4	ENL_VMBUS_MESSAGE_CONNECTION_ID_4
#define WAIT_US	(5 * G_USEC_PER_SEC)

static struct enl_hv *hv;
static struct enl_vmbus_server *srv;

struct strict {
	struct guest_chan *gc;
	const char *name;
	int rounds;
	uint32_t burst_max;	/* packets per round: 1..burst_max */
	uint32_t len;		/* payload bytes of each */
	int idle_us;		/* pause before each round (0: none) */
	int gap_us;		/* at most this between packets of a burst */
	uint32_t seed;
	/* Results. */
	int rounds_done;
	uint64_t sent, got;
	int bad;
	char lost[200];		/* why the last wait ran out, or "" */
};

static uint32_t next_rand(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* The guest's HvSignalEvent: its channel doorbell, as the pci transport. */
static void guest_signal(struct guest_chan *gc)
{
	fake_guest_ring(hv, gc->conn_id);
}

/* The tasklet: mask, drain, commit (signal if asked), unmask, look again. */
static void guest_drain(struct strict *s)
{
	struct guest_chan *gc = s->gc;
	struct enl_ring_pkt pkt;
	uint8_t buf[4096];
	int r;

	for (;;) {
		enl_ring_intr_mask(&gc->in);
		while ((r = enl_ring_read(&gc->in, buf, sizeof(buf), &pkt)) > 0) {
			if (pkt.trans_id != s->got + 1)
				s->bad++;
			s->got++;
		}
		if (r != -EAGAIN)
			s->bad++;
		if (enl_ring_read_commit(&gc->in))
			guest_signal(gc);
		if (!enl_ring_intr_unmask(&gc->in))
			return;
	}
}

/* Why no event came: which side holds the packets. */
static void explain(struct strict *s)
{
	struct guest_chan *gc = s->gc;
	struct enl_vsp_channel *ch = srv->chan[gc->relid];
	uint32_t ow = enl_load_once(&gc->out.ctl->write_index);
	uint32_t orr = enl_load_once(&gc->out.ctl->read_index);

	if (ow != orr)
		snprintf(s->lost, sizeof(s->lost),
			 "guest -> host: enl-host left %u bytes unread (its mask %u, "
			 "%llu signals in, %llu passes)",
			 (ow - orr) % gc->out.size,
			 enl_load_once(&gc->out.ctl->interrupt_mask),
			 (unsigned long long)enl_vmbus_stat(&ch->stats.signals_in),
			 (unsigned long long)enl_vmbus_stat(&ch->stats.passes));
	else if (enl_ring_bytes_to_read(&gc->in))
		snprintf(s->lost, sizeof(s->lost),
			 "host -> guest: %u bytes of answers never signalled "
			 "(guest mask %u, %d events in all)",
			 enl_ring_bytes_to_read(&gc->in),
			 enl_load_once(&gc->in.ctl->interrupt_mask),
			 fake_hv_signals_for(hv, gc->relid));
	else
		snprintf(s->lost, sizeof(s->lost),
			 "both rings empty, %llu of %llu answers: packets lost",
			 (unsigned long long)s->got,
			 (unsigned long long)s->sent);
}

/* Sleep until the channel's event count moves past *seen; false after 5 s. */
static bool wait_event(struct strict *s, int *seen)
{
	gint64 end = g_get_monotonic_time() + WAIT_US;
	int now;

	while ((now = fake_hv_signals_for(hv, s->gc->relid)) == *seen) {
		if (g_get_monotonic_time() > end)
			return false;
		g_usleep(20);
	}
	*seen = now;
	return true;
}

static gpointer vcpu_main(gpointer data)
{
	struct strict *s = data;
	struct guest_chan *gc = s->gc;
	int seen = fake_hv_signals_for(hv, gc->relid), i;
	uint8_t buf[4096];
	struct enl_ring_iov iov = { buf, s->len };
	uint32_t n, k;
	bool sig;

	memset(buf, 0x5a, sizeof(buf));
	for (i = 0; i < s->rounds && !s->lost[0]; i++) {
		if (s->idle_us)
			g_usleep(s->idle_us + next_rand(&s->seed) % s->idle_us);
		n = 1 + next_rand(&s->seed) % s->burst_max;
		for (k = 0; k < n; k++) {
			/* Full: the host's answers make room, as they come. */
			while (enl_ring_write(&gc->out, ENL_VMPKT_DATA_INBAND, 0,
					      s->sent + 1, &iov, 1, &sig) == -EAGAIN) {
				if (!wait_event(s, &seen)) {
					explain(s);
					return NULL;
				}
				guest_drain(s);
			}
			s->sent++;
			if (sig)
				guest_signal(gc);
			/* Land the next one while the host may be mid-pass. */
			if (s->gap_us && k + 1 < n)
				g_usleep(next_rand(&s->seed) % s->gap_us);
		}
		while (s->got < s->sent) {
			if (!wait_event(s, &seen)) {
				explain(s);
				return NULL;
			}
			guest_drain(s);
		}
		s->rounds_done++;
	}
	return NULL;
}

static bool open_chan(struct guest_chan *gc)
{
	guest_chan_setup(hv, C4, gc);
	return guest_gpadl_created(hv, gc->gpadl) == 0 &&
	       guest_chan_open(hv, C4, gc, 9);
}

int main(void)
{
	/* Rings: out_pages/in_pages include each ring's control page. */
	struct guest_chan a = {
		.relid = 1, .gpadl = 0xa1, .out_pfn = 0x100, .out_pages = 5,
		.in_pfn = 0x120, .in_pages = 5,
	};
	struct guest_chan b = {
		.relid = 2, .gpadl = 0xb1, .out_pfn = 0x200, .out_pages = 5,
		.in_pfn = 0x220, .in_pages = 5,
	};
	struct guest_chan c = {
		.relid = 3, .gpadl = 0xc1, .out_pfn = 0x300, .out_pages = 9,
		.in_pfn = 0x320, .in_pages = 2,
	};
	struct strict s[3] = {
		{ .gc = &a, .name = "idle, then a burst", .rounds = 150,
		  .burst_max = 6, .len = 64, .idle_us = 12000, .gap_us = 150,
		  .seed = 1 },
		{ .gc = &b, .name = "QD1 ping-pong", .rounds = 4000,
		  .burst_max = 1, .len = 16, .seed = 2 },
		{ .gc = &c, .name = "bursts past the inbound ring", .rounds = 300,
		  .burst_max = 40, .len = 500, .seed = 3 },
	};
	GThread *t[3];
	int i;

	hv = fake_hv_new(RAM, true);
	srv = enl_vmbus_server_new(hv);
	enl_vmbus_server_set_ram_fd(srv, hv->memfd);
	enl_vmbus_server_add_class(srv, &enl_vsp_echo_class);
	hv->doorbells = true;
	for (i = 0; i < 3; i++)
		enl_vmbus_server_offer(srv, "echo");
	guest_contact(hv, C4, ENL_VMBUS_VERSION_WIN10_V5_3, 0, 2);
	guest_simple(hv, C4, ENL_CHANNELMSG_REQUESTOFFERS);
	fake_hv_drain(hv);
	a.conn_id = srv->chan[1]->conn_id;
	b.conn_id = srv->chan[2]->conn_id;
	c.conn_id = srv->chan[3]->conn_id;
	tap_ok(open_chan(&a) && open_chan(&b) && open_chan(&c) &&
	       srv->chan[1]->worker && srv->chan[1]->doorbell,
	       "three echo channels open, each on its worker and doorbell");

	for (i = 0; i < 3; i++)
		t[i] = g_thread_new(s[i].name, vcpu_main, &s[i]);
	for (i = 0; i < 3; i++)
		g_thread_join(t[i]);
	for (i = 0; i < 3; i++) {
		tap_ok(!s[i].lost[0] && s[i].rounds_done == s[i].rounds &&
		       s[i].got == s[i].sent,
		       "%s: %d of %d rounds, %llu answers, each woken by an event",
		       s[i].name, s[i].rounds_done, s[i].rounds,
		       (unsigned long long)s[i].got);
		if (s[i].lost[0])
			tap_diag("lost wakeup on relid %u: %s", s[i].gc->relid,
				 s[i].lost);
		tap_ok(!s[i].bad, "%s: answers intact and in order", s[i].name);
	}
	tap_ok(enl_vmbus_stat(&srv->chan[3]->stats.passes) >
	       (uint64_t)s[2].rounds &&
	       srv->chan[3]->out.stats.full > 0,
	       "the inbound ring filled: enl-host waited for room (%llu full)",
	       (unsigned long long)srv->chan[3]->out.stats.full);

	enl_vmbus_server_free(srv);
	fake_hv_free(hv);
	return tap_done();
}
