// SPDX-License-Identifier: GPL-2.0-only
/*
 * A whole VMBus session against the server over the fake SynIC: contact,
 * offers, GPADLs, open, echo through real rings in fake guest RAM (flow
 * control included), ctl verbs, close, teardown, rescind, unload.
 */
#include <errno.h>
#include <string.h>

#include <enlighten/guids.h>
#include "echo/echo.h"
#include "server.h"
#include "server_priv.h"
#include "tap.h"
#include "test-vmbus-guest.h"

#define RAM	(16u << 20)
#define C4	ENL_VMBUS_MESSAGE_CONNECTION_ID_4

static struct enl_hv *hv;
static struct enl_vmbus_server *srv;

static void test_contact(void)
{
	struct fake_msg *m;
	struct enl_vmbus_channel_version_response *r;

	guest_contact(hv, C4, ENL_VMBUS_VERSION_V6_0, 0, 2);
	m = expect_msg(hv, ENL_CHANNELMSG_VERSION_RESPONSE);
	r = m ? (void *)m->data : NULL;
	tap_ok(r && !r->version_supported, "6.0 refused so the guest falls back");
	g_free(m);
	guest_contact(hv, C4, ENL_VMBUS_VERSION_WIN10_V5_3, 1, 2);
	m = expect_msg(hv, ENL_CHANNELMSG_VERSION_RESPONSE);
	r = m ? (void *)m->data : NULL;
	tap_ok(r && r->version_supported && r->msg_conn_id == C4,
	       "5.3 accepted, msg_conn_id 4");
	tap_ok(m && m->vp == 1 && m->sint == 2 && m->type == ENL_HVMSG_VMBUS,
	       "answer posted on the vp/sint the guest named");
	g_free(m);
	tap_ok(enl_vmbus_server_version(srv) == ENL_VMBUS_VERSION_WIN10_V5_3,
	       "negotiated version recorded");
}

static void test_offers(uint32_t *relid, uint32_t *conn_id)
{
	struct fake_msg *m;
	struct enl_vmbus_channel_offer_channel *o;
	const struct enl_guid echo = ENL_GUID_ECHO;

	guest_simple(hv, C4, ENL_CHANNELMSG_REQUESTOFFERS);
	m = expect_msg(hv, ENL_CHANNELMSG_OFFERCHANNEL);
	o = m ? (void *)m->data : NULL;
	tap_ok(o && m->size == sizeof(*o) && o->child_relid == 1 &&
	       !memcmp(&o->offer.if_type, &echo, 16),
	       "one echo offer, relid 1");
	tap_ok(o && !o->monitor_allocated && o->connection_id > 4,
	       "no monitor, own connection id %u", o ? o->connection_id : 0);
	if (o) {
		*relid = o->child_relid;
		*conn_id = o->connection_id;
	}
	g_free(m);
	m = expect_msg(hv, ENL_CHANNELMSG_ALLOFFERS_DELIVERED);
	tap_ok(m != NULL, "then ALLOFFERS_DELIVERED");
	g_free(m);
}

static void test_big_gpadl(uint32_t relid)
{
	uint64_t pfns[100];
	unsigned int i;

	/* 100 pages: one header and four bodies, scattered backwards. */
	for (i = 0; i < 100; i++)
		pfns[i] = 2000 - 3 * i;
	guest_gpadl(hv, C4, relid, 0x77, pfns, 100);
	tap_ok(guest_gpadl_created(hv, 0x77) == 0, "100-page GPADL via 4 bodies created");
	tap_ok(!fake_hv_pop(hv), "exactly one GPADL_CREATED");
	guest_teardown(hv, C4, relid, 0x77);
	{
		struct fake_msg *m = expect_msg(hv, ENL_CHANNELMSG_GPADL_TORNDOWN);

		tap_ok(m && ((struct enl_vmbus_channel_gpadl_torndown *)
			     m->data)->gpadl == 0x77, "and torn down");
		g_free(m);
	}
}

static bool open_chan(struct guest_chan *gc)
{
	guest_chan_setup(hv, C4, gc);
	return !guest_gpadl_created(hv, gc->gpadl) &&
	       guest_chan_open(hv, C4, gc, 42);
}

/* Guest: send one inband packet of len bytes of pattern seed. */
static int guest_send(struct guest_chan *gc, uint32_t len, uint8_t seed,
		      uint64_t trans_id)
{
	uint8_t buf[4096];
	struct enl_ring_iov iov = { buf, len };
	bool sig = false;
	uint32_t i;
	int ret;

	for (i = 0; i < len; i++)
		buf[i] = seed + i;
	ret = enl_ring_write(&gc->out, ENL_VMPKT_DATA_INBAND, 0, trans_id,
			     &iov, 1, &sig);
	if (!ret && sig)
		fake_guest_signal(hv, gc->conn_id);
	return ret;
}

/*
 * Guest: read one echo and check it. 1 ok, 0 empty, -1 mismatch. A guest
 * write that found the host already reading does not signal (and so does
 * not settle), so an empty ring first waits for the workers to go idle.
 */
static int guest_recv(struct guest_chan *gc, uint32_t len, uint8_t seed,
		      uint64_t trans_id)
{
	uint8_t buf[8192];
	struct enl_ring_pkt pkt;
	uint32_t i;
	int ret = enl_ring_read(&gc->in, buf, sizeof(buf), &pkt);

	if (ret == -EAGAIN) {
		enl_vmbus_server_settle(srv);
		ret = enl_ring_read(&gc->in, buf, sizeof(buf), &pkt);
	}
	if (ret == -EAGAIN)
		return 0;
	if (ret < 0 || pkt.trans_id != trans_id || pkt.len - pkt.hdr_len <
	    len || pkt.type != ENL_VMPKT_DATA_INBAND)
		return -1;
	for (i = 0; i < len; i++)
		if (buf[pkt.hdr_len + i] != (uint8_t)(seed + i))
			return -1;
	return 1;
}

static void guest_commit(struct guest_chan *gc)
{
	if (enl_ring_read_commit(&gc->in))
		fake_guest_signal(hv, gc->conn_id);
}

static void test_echo(struct guest_chan *gc)
{
	guint sigs = fake_hv_nr_signals(hv);
	struct fake_signal last;
	int i, ok = 0;

	for (i = 0; i < 5; i++)
		guest_send(gc, 100 + i * 8, i, 1000 + i);
	for (i = 0; i < 5; i++)
		ok += guest_recv(gc, 100 + i * 8, i, 1000 + i) == 1;
	guest_commit(gc);
	tap_ok(ok == 5, "5 packets echoed with payload and trans_id");
	last = fake_hv_last_signal(hv);
	tap_ok(fake_hv_nr_signals(hv) > sigs && last.flag == gc->relid &&
	       last.sint == 2, "guest signalled on sint 2 with flag = relid");
	tap_ok(gc->out.ctl->read_index == gc->out.ctl->write_index,
	       "host consumed the guest->host ring");
}

/*
 * The guest floods without reading: the host must stop when its ring to the
 * guest is full, ask for a signal, and resume when the guest reads.
 */
static void test_flow_control(struct guest_chan *gc)
{
	const uint32_t len = 1000;
	int sent = 0, got = 0, bad = 0, r, rounds = 0;

	while (guest_send(gc, len, sent, sent) == 0)
		sent++;
	/*
	 * The last writes found the host still reading and did not signal (so
	 * did not settle): let the worker finish before looking at its state.
	 */
	enl_vmbus_server_settle(srv);
	tap_ok(sent > 3, "guest filled its ring with %d packets", sent);
	tap_ok(gc->in.ctl->pending_send_sz != 0,
	       "host waits with pending_send_sz %u", gc->in.ctl->pending_send_sz);
	tap_ok(gc->out.ctl->read_index != gc->out.ctl->write_index,
	       "unechoed packets stay in the guest->host ring");
	while (got < sent && rounds++ < 1000) {
		while ((r = guest_recv(gc, len, got, got)) == 1)
			got++;
		bad += r < 0;
		guest_commit(gc);
		if (r < 0)
			break;
	}
	tap_ok(got == sent && !bad, "all %d echoed in order, none dropped (%d)",
	       sent, got);
	tap_ok(gc->in.ctl->pending_send_sz == 0, "pending_send_sz cleared");
}

static void test_ctl(struct enl_ctl *ctl)
{
	char *out;
	int ret;

	ret = fake_ctl_run(ctl, "devices", &out);
	tap_ok(!ret && strstr(out, "1 echo 267a601f-3d52-4452-9f34-375f9d83e7cf") &&
	       strstr(out, " open"), "devices lists the open echo device");
	g_free(out);
	ret = fake_ctl_run(ctl, "stats", &out);
	tap_ok(!ret && strstr(out, "version 5.3") && strstr(out, "in_packets=") &&
	       strstr(out, "error bad_size 0"), "stats has version and counters");
	g_free(out);
	ret = fake_ctl_run(ctl, "version", &out);
	tap_ok(!ret && !strcmp(out, "5.3\n"), "version verb");
	g_free(out);
	ret = fake_ctl_run(ctl, "rescind 999", &out);
	tap_ok(ret < 0 && strstr(out, "999"), "rescind of a bad relid refused");
	g_free(out);
	ret = fake_ctl_run(ctl, "rescind 0x1", &out);
	tap_ok(ret == -EINVAL && strstr(out, "not a decimal"),
	       "rescind 0x1 refused, not read as relid 1 (%s)", out);
	g_free(out);
	ret = fake_ctl_run(ctl, "rescind 7", &out);
	tap_ok(ret == -ENOENT && strstr(out, "no channel with relid 7"),
	       "rescind of a relid nobody has refused (%s)", out);
	g_free(out);
	ret = fake_ctl_run(ctl, "fault bad-gpadl-created 7", &out);
	tap_ok(ret == -ENOENT, "fault on an unknown relid refused (%s)", out);
	g_free(out);
	ret = fake_ctl_run(ctl, "devices extra", &out);
	tap_ok(ret == -EINVAL && strstr(out, "unexpected argument 'extra'"),
	       "an extra argument refused (%s)", out);
	g_free(out);
	ret = fake_ctl_run(ctl, "fault nonsense", &out);
	tap_ok(ret == -EINVAL, "unknown fault kind refused");
	g_free(out);
}

static void test_close(struct guest_chan *gc)
{
	struct fake_msg *m;

	/* Teardown while open is deferred until the close. */
	guest_teardown(hv, C4, gc->relid, gc->gpadl);
	tap_ok(!fake_hv_pop(hv), "ring GPADL teardown waits for the close");
	guest_relid_msg(hv, C4, ENL_CHANNELMSG_CLOSECHANNEL, gc->relid);
	m = expect_msg(hv, ENL_CHANNELMSG_GPADL_TORNDOWN);
	tap_ok(m != NULL, "TORNDOWN once closed");
	g_free(m);
	tap_ok(g_hash_table_size(srv->gpadls) == 0, "no GPADL left");
}

static void test_rescind(struct enl_ctl *ctl)
{
	struct fake_msg *m;
	char *out;
	int relid, again;

	relid = enl_vmbus_server_offer(srv, "echo");
	m = expect_msg(hv, ENL_CHANNELMSG_OFFERCHANNEL);
	tap_ok(relid == 2 && m, "hot-added echo offered at once as relid %d",
	       relid);
	g_free(m);
	tap_ok(fake_ctl_run(ctl, "rescind 2", &out) == 0, "rescind via ctl");
	g_free(out);
	m = expect_msg(hv, ENL_CHANNELMSG_RESCIND_CHANNELOFFER);
	tap_ok(m && ((struct enl_vmbus_channel_rescind_offer *)m->data)
		       ->child_relid == 2, "RESCIND_CHANNELOFFER sent");
	g_free(m);
	again = enl_vmbus_server_offer(srv, "echo");
	tap_ok(again == 3, "relid 2 not reused before release (got %d)", again);
	fake_hv_drain(hv);
	guest_relid_msg(hv, C4, ENL_CHANNELMSG_RELID_RELEASED, 2);
	again = enl_vmbus_server_offer(srv, "echo");
	tap_ok(again == 2, "relid 2 reused after RELID_RELEASED");
	fake_hv_drain(hv);
	tap_ok(enl_vmbus_server_offer(srv, "nosuch") == -ENOENT,
	       "unknown class refused");
}

static void test_unload_reconnect(struct guest_chan *gc)
{
	struct fake_msg *m;
	struct enl_vmbus_channel_version_response *r;
	unsigned int offers = 0;

	/* Leave a GPADL and an open channel behind: unload drops them. */
	gc->gpadl = 0x99;
	tap_ok(open_chan(gc), "reopened echo");
	guest_simple(hv, C4, ENL_CHANNELMSG_UNLOAD);
	m = expect_msg(hv, ENL_CHANNELMSG_UNLOAD_RESPONSE);
	tap_ok(m != NULL, "UNLOAD_RESPONSE");
	g_free(m);
	tap_ok(enl_vmbus_server_unloads(srv) == 1 &&
	       g_hash_table_size(srv->gpadls) == 0 &&
	       enl_vmbus_server_version(srv) == 0,
	       "unload counted, GPADLs dropped, version reset");
	guest_contact(hv, ENL_VMBUS_MESSAGE_CONNECTION_ID,
		      ENL_VMBUS_VERSION_WIN10, 0, 0);
	m = expect_msg(hv, ENL_CHANNELMSG_VERSION_RESPONSE);
	r = m ? (void *)m->data : NULL;
	tap_ok(r && r->version_supported && m->sint == 2,
	       "4.0 on connection 1 accepted, answered on sint 2");
	g_free(m);
	guest_simple(hv, ENL_VMBUS_MESSAGE_CONNECTION_ID,
		     ENL_CHANNELMSG_REQUESTOFFERS);
	while ((m = fake_hv_pop(hv))) {
		offers += fake_msgtype(m) == ENL_CHANNELMSG_OFFERCHANNEL;
		g_free(m);
	}
	tap_ok(offers == 3, "all three channels offered again (%u)", offers);
}

static int ctl(struct enl_ctl *c, const char *line)
{
	char *out;
	int ret = fake_ctl_run(c, line, &out);

	g_free(out);
	return ret;
}

static uint64_t stat_muted(struct enl_ctl *c)
{
	char *out, *p;
	uint64_t n = 0;

	if (!fake_ctl_run(c, "stats", &out) && (p = strstr(out, "\nmuted ")))
		n = g_ascii_strtoull(p + 7, NULL, 10);
	g_free(out);
	return n;
}

/*
 * ctl `fault mute`: the next answer of a kind, for one relid, is left out
 * (the guest's view of a host that never answers); others still come.
 * On the 4.0 connection test_unload_reconnect left.
 */
static void test_mute(struct enl_ctl *c, struct guest_chan *gc)
{
	const uint32_t c1 = ENL_VMBUS_MESSAGE_CONNECTION_ID;
	struct enl_vsp_channel *ch = srv->chan[gc->relid];
	struct fake_msg *m;

	tap_ok(ctl(c, "fault mute nonsense") == -EINVAL &&
	       ctl(c, "fault mute open-result 999") == -EINVAL &&
	       ctl(c, "fault mute open-result 1 0") == -EINVAL &&
	       ctl(c, "fault mute open-result x") == -EINVAL,
	       "mute: unknown kind, bad relid and count 0 refused");
	tap_ok(!ctl(c, "fault mute gpadl-created 1"), "mute gpadl-created");
	gc->gpadl = 0x77;
	guest_chan_setup(hv, c1, gc);
	tap_ok(!fake_hv_pop(hv) && ch, "GPADL_CREATED left out");
	/* A mute for another relid leaves this one alone. */
	tap_ok(!ctl(c, "fault mute open-result 2"), "mute open-result of relid 2");
	guest_open(hv, c1, gc->relid, 43, gc->gpadl, 0, gc->out_pages);
	m = expect_msg(hv, ENL_CHANNELMSG_OPENCHANNEL_RESULT);
	tap_ok(m != NULL, "relid 1's OPEN_RESULT still sent");
	g_free(m);
	tap_ok(!ctl(c, "fault unmute"), "unmute");
	tap_ok(!ctl(c, "fault mute close 1"), "mute close of relid 1");
	guest_relid_msg(hv, c1, ENL_CHANNELMSG_CLOSECHANNEL, gc->relid);
	tap_ok(ch->state == ENL_CHAN_OPEN && !fake_hv_pop(hv),
	       "CLOSECHANNEL ignored: the host keeps the rings open");
	tap_ok(!ctl(c, "fault mute torndown 1"), "mute torndown of relid 1");
	guest_teardown(hv, c1, gc->relid, gc->gpadl);
	guest_relid_msg(hv, c1, ENL_CHANNELMSG_CLOSECHANNEL, gc->relid);
	tap_ok(ch->state == ENL_CHAN_OFFERED && !fake_hv_pop(hv) &&
	       g_hash_table_size(srv->gpadls) == 0,
	       "the next close closes; its GPADL goes, GPADL_TORNDOWN left out");
	tap_ok(!ctl(c, "fault mute open-result 1"), "mute open-result of relid 1");
	gc->gpadl = 0x78;
	guest_chan_setup(hv, c1, gc);
	m = expect_msg(hv, ENL_CHANNELMSG_GPADL_CREATED);
	g_free(m);
	guest_open(hv, c1, gc->relid, 44, gc->gpadl, 0, gc->out_pages);
	tap_ok(m && !fake_hv_pop(hv) && ch->state == ENL_CHAN_OPEN,
	       "OPEN_RESULT left out, the channel open on the host");
	tap_ok(!ctl(c, "fault mute unload-response 7"),
	       "mute unload-response (relid ignored)");
	guest_simple(hv, c1, ENL_CHANNELMSG_UNLOAD);
	tap_ok(!fake_hv_pop(hv) && enl_vmbus_server_unloads(srv) == 2 &&
	       enl_vmbus_server_version(srv) == 0 &&
	       g_hash_table_size(srv->gpadls) == 0,
	       "UNLOAD_RESPONSE left out, the host let go of everything");
	tap_ok(stat_muted(c) == 5, "stats: muted 5");
}

int main(void)
{
	struct enl_ctl *ctl = fake_ctl_new();
	struct guest_chan gc = {
		.gpadl = 0xe1e10, .out_pfn = 0x300, .out_pages = 4,
		.in_pfn = 0x200, .in_pages = 5,
	};
	uint32_t relid = 0, conn_id = 0;

	hv = fake_hv_new(RAM, true);
	srv = enl_vmbus_server_new(hv);
	/* No RAM fd: rings are aliased from the shared RAM mapping. */
	tap_ok(enl_vmbus_server_add_class(srv, &enl_vsp_echo_class) == 0,
	       "echo class added");
	tap_ok(enl_vmbus_server_add_class(srv, &enl_vsp_echo_class) == -EEXIST,
	       "twice refused");
	tap_ok(enl_vmbus_server_offer(srv, "echo") == 1, "echo queued as relid 1");
	tap_ok(!fake_hv_pop(hv), "no offer before contact");
	enl_vmbus_server_register_ctl(srv, ctl);

	test_contact();
	test_offers(&relid, &conn_id);
	gc.relid = relid;
	gc.conn_id = conn_id;
	test_big_gpadl(relid);
	tap_ok(open_chan(&gc), "echo channel opened on a discontiguous GPADL");
	test_echo(&gc);
	test_flow_control(&gc);
	test_ctl(ctl);
	test_close(&gc);
	test_rescind(ctl);
	test_unload_reconnect(&gc);
	test_mute(ctl, &gc);

	enl_vmbus_server_free(srv);
	fake_ctl_free(ctl);
	fake_hv_free(hv);
	return tap_done();
}
