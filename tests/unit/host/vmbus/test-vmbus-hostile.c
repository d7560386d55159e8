// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hostile guests: truncated and unknown messages, wrong connections and
 * states, bogus relids, GPADLs outside RAM or with lying sizes, duplicate
 * handles, bad opens, corrupt rings, fault injection, and a burst of random
 * messages. Every case must end in an error counter, never a crash.
 */
#include <errno.h>
#include <string.h>

#include "echo/echo.h"
#include "server.h"
#include "server_priv.h"
#include "tap.h"
#include "test-vmbus-guest.h"

#define RAM	(4u << 20)
#define C4	ENL_VMBUS_MESSAGE_CONNECTION_ID_4

static struct enl_hv *hv;
static struct enl_vmbus_server *srv;

static uint64_t err(enum enl_vmbus_err e)
{
	return srv->stats.errors[e];
}

static uint32_t reply_status(uint32_t msgtype)
{
	struct fake_msg *m = expect_msg(hv, msgtype);
	uint32_t st = 0xdead;

	if (m && msgtype == ENL_CHANNELMSG_GPADL_CREATED)
		st = ((struct enl_vmbus_channel_gpadl_created *)m->data)
			->creation_status;
	else if (m && msgtype == ENL_CHANNELMSG_OPENCHANNEL_RESULT)
		st = ((struct enl_vmbus_channel_open_result *)m->data)->status;
	g_free(m);
	return st;
}

static void setup(bool want_fd)
{
	hv = fake_hv_new(RAM, want_fd);
	srv = enl_vmbus_server_new(hv);
	if (want_fd)
		enl_vmbus_server_set_ram_fd(srv, hv->memfd);
	enl_vmbus_server_add_class(srv, &enl_vsp_echo_class);
	enl_vmbus_server_offer(srv, "echo");
	enl_vmbus_server_offer(srv, "echo");
}

static void teardown(void)
{
	enl_vmbus_server_free(srv);
	fake_hv_free(hv);
}

static void connect(void)
{
	guest_contact(hv, C4, ENL_VMBUS_VERSION_WIN10_V5_3, 0, 2);
	guest_simple(hv, C4, ENL_CHANNELMSG_REQUESTOFFERS);
	fake_hv_drain(hv);
}

static void test_before_contact(void)
{
	uint8_t junk[240];
	unsigned int t;

	tap_ok(guest_simple(hv, C4, ENL_CHANNELMSG_REQUESTOFFERS) == 0 &&
	       err(ENL_VMBUS_ERR_BAD_STATE) == 1 && !fake_hv_pop(hv),
	       "REQUESTOFFERS before contact refused silently");
	tap_ok(fake_guest_post(hv, 7, junk, 8) ==
	       ENL_HV_STATUS_INVALID_CONNECTION_ID, "connection 7 is invalid");
	tap_ok(hv->ops->post_message(hv->ctx, C4, 1, junk, 241) ==
	       ENL_HV_STATUS_INVALID_PARAMETER, "241-byte message refused");
	tap_ok(hv->ops->post_message(hv->ctx, C4, 5, junk, 8) ==
	       ENL_HV_STATUS_INVALID_PARAMETER, "non-VMBus message type refused");
	/* Every type truncated at every length. */
	for (t = 0; t < 40; t++) {
		uint32_t len;

		for (len = 0; len < 40; len++) {
			memset(junk, 0, sizeof(junk));
			memcpy(junk, &t, len < 4 ? len : 4);
			fake_guest_post(hv, C4, junk, len);
		}
	}
	tap_ok(err(ENL_VMBUS_ERR_BAD_SIZE) > 40 && err(ENL_VMBUS_ERR_BAD_TYPE) > 40,
	       "counted: bad_size %llu bad_type %llu",
	       (unsigned long long)err(ENL_VMBUS_ERR_BAD_SIZE),
	       (unsigned long long)err(ENL_VMBUS_ERR_BAD_TYPE));
	fake_hv_drain(hv);
}

static void test_contact_rules(void)
{
	struct fake_msg *m;
	uint64_t before;

	guest_contact(hv, ENL_VMBUS_MESSAGE_CONNECTION_ID,
		      ENL_VMBUS_VERSION_WIN10_V5_2, 0, 2);
	m = expect_msg(hv, ENL_CHANNELMSG_VERSION_RESPONSE);
	tap_ok(m && !m->data[8] && err(ENL_VMBUS_ERR_BAD_CONNECTION) == 2,
	       "5.2 contact on connection 1 refused");
	g_free(m);
	guest_contact(hv, ENL_VMBUS_MESSAGE_CONNECTION_ID,
		      ENL_VMBUS_VERSION_WIN7, 0, 0);
	m = expect_msg(hv, ENL_CHANNELMSG_VERSION_RESPONSE);
	tap_ok(m && !m->data[8], "WIN7 refused");
	g_free(m);
	guest_contact(hv, C4, ENL_VMBUS_VERSION_WIN10_V5, 0, 16);
	m = expect_msg(hv, ENL_CHANNELMSG_VERSION_RESPONSE);
	tap_ok(m && !m->data[8] && err(ENL_VMBUS_ERR_BAD_VP) == 1,
	       "SINT 16 refused");
	g_free(m);
	connect();
	tap_ok(srv->connected, "connected at 5.3");
	guest_contact(hv, C4, ENL_VMBUS_VERSION_WIN10_V5_3, 0, 2);
	m = expect_msg(hv, ENL_CHANNELMSG_VERSION_RESPONSE);
	tap_ok(m && !m->data[8] && srv->connected,
	       "second contact refused, connection kept");
	g_free(m);
	tap_ok(guest_simple(hv, ENL_VMBUS_MESSAGE_CONNECTION_ID,
			    ENL_CHANNELMSG_REQUESTOFFERS) ==
	       ENL_HV_STATUS_INVALID_CONNECTION_ID,
	       "connection 1 invalid once 4 is agreed");
	before = err(ENL_VMBUS_ERR_BAD_STATE);
	guest_simple(hv, C4, ENL_CHANNELMSG_REQUESTOFFERS);
	tap_ok(!fake_hv_pop(hv) && err(ENL_VMBUS_ERR_BAD_STATE) == before + 1,
	       "REQUESTOFFERS twice ignored");
}

static void gpadl_raw(uint32_t relid, uint32_t handle, uint16_t buflen,
		      uint16_t ranges, uint32_t count, uint32_t offset,
		      const uint64_t *pfns, uint32_t npfns)
{
	uint8_t buf[240] = { 0 };
	struct enl_vmbus_channel_gpadl_header *h = (void *)buf;
	struct enl_gpa_range r = { count, offset };

	h->header.msgtype = ENL_CHANNELMSG_GPADL_HEADER;
	h->child_relid = relid;
	h->gpadl = handle;
	h->range_buflen = buflen;
	h->rangecount = ranges;
	memcpy(h->range, &r, sizeof(r));
	memcpy(h->range + 8, pfns, npfns * 8);
	fake_guest_post(hv, C4, buf, 28 + npfns * 8);
}

static void test_gpadl(void)
{
	uint64_t pfns[4] = { 10, 11, 12, 13 };
	uint64_t far[2] = { 10, RAM / 4096 };
	uint64_t huge[1] = { UINT64_MAX / 2 };
	struct enl_vmbus_channel_gpadl_body body = { 0 };

	guest_gpadl(hv, C4, 77, 0x10, pfns, 4);
	tap_ok(reply_status(ENL_CHANNELMSG_GPADL_CREATED) != 0 &&
	       err(ENL_VMBUS_ERR_BAD_RELID) == 1, "GPADL on relid 77 fails");
	guest_gpadl(hv, C4, 1, 0x11, far, 2);
	tap_ok(reply_status(ENL_CHANNELMSG_GPADL_CREATED) != 0 &&
	       err(ENL_VMBUS_ERR_GPADL_GPA) == 1, "pfn just past RAM fails");
	guest_gpadl(hv, C4, 1, 0x12, huge, 1);
	tap_ok(reply_status(ENL_CHANNELMSG_GPADL_CREATED) != 0 &&
	       err(ENL_VMBUS_ERR_GPADL_GPA) == 2, "pfn * 4096 overflowing fails");
	gpadl_raw(1, 0x13, 16, 0, 4096, 0, pfns, 1);
	tap_ok(reply_status(ENL_CHANNELMSG_GPADL_CREATED) != 0,
	       "rangecount 0 fails");
	gpadl_raw(1, 0x14, 17, 1, 4096, 0, pfns, 1);
	tap_ok(reply_status(ENL_CHANNELMSG_GPADL_CREATED) != 0,
	       "range_buflen not a multiple of 8 fails");
	/* byte_count claims 4 GiB - 1 but only 1 pfn follows. */
	gpadl_raw(1, 0x15, 16, 1, 0xffffffffu, 4095, pfns, 1);
	tap_ok(reply_status(ENL_CHANNELMSG_GPADL_CREATED) != 0 &&
	       err(ENL_VMBUS_ERR_GPADL_RANGE) >= 3,
	       "page count overflowing range_buflen fails");
	/* Two pfns in the buffer, a range that needs one: leftover words. */
	gpadl_raw(1, 0x16, 24, 1, 4096, 0, pfns, 2);
	tap_ok(reply_status(ENL_CHANNELMSG_GPADL_CREATED) != 0,
	       "range shorter than range_buflen fails");
	gpadl_raw(1, 0x17, 16, 1, 4096, 4096, pfns, 1);
	tap_ok(reply_status(ENL_CHANNELMSG_GPADL_CREATED) != 0,
	       "byte_offset of a whole page fails");

	/* A header promising 300 pfns, then a body that overruns it. */
	gpadl_raw(1, 0x18, 8 + 300 * 8, 1, 300 * 4096, 0, pfns, 4);
	tap_ok(!fake_hv_pop(hv), "incomplete GPADL waits for bodies");
	{
		uint8_t buf[240] = { 0 };
		struct enl_vmbus_channel_gpadl_body *b = (void *)buf;
		int i;

		b->header.msgtype = ENL_CHANNELMSG_GPADL_BODY;
		b->gpadl = 0x18;
		for (i = 0; i < 11; i++)
			fake_guest_post(hv, C4, buf, 240);
	}
	tap_ok(reply_status(ENL_CHANNELMSG_GPADL_CREATED) != 0 &&
	       !g_hash_table_contains(srv->gpadls, GUINT_TO_POINTER(0x18)),
	       "body overrun fails and forgets the GPADL");

	body.header.msgtype = ENL_CHANNELMSG_GPADL_BODY;
	body.gpadl = 0x4242;
	fake_guest_post(hv, C4, &body, sizeof(body));
	tap_ok(err(ENL_VMBUS_ERR_BAD_SIZE) > 0, "body without pfns is short");
	{
		uint8_t buf[24] = { 0 };

		memcpy(buf, &body, sizeof(body));
		fake_guest_post(hv, C4, buf, sizeof(buf));
	}
	tap_ok(err(ENL_VMBUS_ERR_GPADL_UNKNOWN) == 1 && !fake_hv_pop(hv),
	       "body for an unknown handle counted, no answer");
	guest_teardown(hv, C4, 1, 0x4242);
	tap_ok(err(ENL_VMBUS_ERR_GPADL_UNKNOWN) == 2 && !fake_hv_pop(hv),
	       "teardown of an unknown handle counted, no answer");

	guest_gpadl(hv, C4, 1, 0x20, pfns, 4);
	tap_ok(reply_status(ENL_CHANNELMSG_GPADL_CREATED) == 0, "good GPADL");
	guest_gpadl(hv, C4, 1, 0x20, pfns + 1, 2);
	tap_ok(reply_status(ENL_CHANNELMSG_GPADL_CREATED) != 0 &&
	       err(ENL_VMBUS_ERR_GPADL_DUP) == 1, "duplicate handle fails");
	tap_ok(g_hash_table_size(srv->gpadls) == 1 &&
	       ((struct enl_vmbus_gpadl *)g_hash_table_lookup(srv->gpadls,
			GUINT_TO_POINTER(0x20)))->npages == 4,
	       "the original GPADL is intact");
	guest_teardown(hv, C4, 2, 0x20);
	tap_ok(!fake_hv_pop(hv) && err(ENL_VMBUS_ERR_BAD_RELID) == 2,
	       "teardown through another relid refused");
}

static void test_open(void)
{
	struct guest_chan gc = {
		.relid = 1, .gpadl = 0x30, .out_pfn = 40, .out_pages = 2,
		.in_pfn = 30, .in_pages = 2,
	};
	uint64_t one[1] = { 50 };
	uint64_t before;

	guest_open(hv, C4, 99, 1, 0x20, 0, 2);
	tap_ok(reply_status(ENL_CHANNELMSG_OPENCHANNEL_RESULT) != 0,
	       "open of relid 99 fails");
	guest_open(hv, C4, 1, 1, 0x999, 0, 2);
	tap_ok(reply_status(ENL_CHANNELMSG_OPENCHANNEL_RESULT) != 0,
	       "open with an unknown GPADL fails");
	guest_open(hv, C4, 1, 1, 0x20, 0, 1);
	tap_ok(reply_status(ENL_CHANNELMSG_OPENCHANNEL_RESULT) != 0,
	       "downstream offset 1 fails");
	guest_open(hv, C4, 1, 1, 0x20, 0, 3);
	tap_ok(reply_status(ENL_CHANNELMSG_OPENCHANNEL_RESULT) != 0,
	       "a 1-page second ring fails");
	guest_open(hv, C4, 1, 1, 0x20, 0, 0xffffffffu);
	tap_ok(reply_status(ENL_CHANNELMSG_OPENCHANNEL_RESULT) != 0,
	       "downstream offset past the GPADL fails");
	guest_open(hv, C4, 2, 1, 0x20, 0, 2);
	tap_ok(reply_status(ENL_CHANNELMSG_OPENCHANNEL_RESULT) != 0,
	       "a GPADL of another relid fails");
	before = err(ENL_VMBUS_ERR_BAD_VP);
	guest_open(hv, C4, 1, 1, 0x20, 4096, 2);
	tap_ok(reply_status(ENL_CHANNELMSG_OPENCHANNEL_RESULT) != 0 &&
	       err(ENL_VMBUS_ERR_BAD_VP) == before + 1, "target vp 4096 fails");
	guest_gpadl(hv, C4, 1, 0x21, one, 1);
	reply_status(ENL_CHANNELMSG_GPADL_CREATED);
	guest_open(hv, C4, 1, 1, 0x21, 0, 1);
	tap_ok(reply_status(ENL_CHANNELMSG_OPENCHANNEL_RESULT) != 0,
	       "a 1-page GPADL fails");
	tap_ok(((struct enl_vmbus_gpadl *)g_hash_table_lookup(srv->gpadls,
			GUINT_TO_POINTER(0x20)))->users == 0,
	       "failed opens hold no GPADL reference");

	gc.conn_id = srv->chan[1]->conn_id;
	guest_chan_setup(hv, C4, &gc);
	reply_status(ENL_CHANNELMSG_GPADL_CREATED);
	guest_open(hv, C4, 1, 7, 0x30, 0, 2);
	tap_ok(reply_status(ENL_CHANNELMSG_OPENCHANNEL_RESULT) == 0,
	       "good open (discontiguous, via the RAM fd)");
	guest_open(hv, C4, 1, 8, 0x30, 0, 2);
	tap_ok(reply_status(ENL_CHANNELMSG_OPENCHANNEL_RESULT) != 0 &&
	       srv->chan[1]->state == ENL_CHAN_OPEN,
	       "second open fails, channel stays open");

	tap_ok(fake_guest_signal(hv, 12345) ==
	       ENL_HV_STATUS_INVALID_CONNECTION_ID &&
	       err(ENL_VMBUS_ERR_BAD_SIGNAL) == 1, "signal to nothing refused");
	fake_guest_signal(hv, srv->chan[2]->conn_id);
	tap_ok(err(ENL_VMBUS_ERR_BAD_SIGNAL) == 2, "signal to a closed channel counted");

	/* The guest lies about its write index. */
	gc.out.ctl->write_index = 12345;
	fake_guest_signal(hv, gc.conn_id);
	tap_ok(err(ENL_VMBUS_ERR_RING_CORRUPT) == 1 && srv->chan[1]->broken,
	       "corrupt guest->host ring stops the channel");
	fake_guest_signal(hv, gc.conn_id);
	tap_ok(err(ENL_VMBUS_ERR_RING_CORRUPT) == 1, "and it stays stopped");

	before = err(ENL_VMBUS_ERR_BAD_STATE);
	guest_relid_msg(hv, C4, ENL_CHANNELMSG_CLOSECHANNEL, 2);
	tap_ok(err(ENL_VMBUS_ERR_BAD_STATE) == before + 1,
	       "close of a closed channel");
	before = err(ENL_VMBUS_ERR_BAD_RELID);
	guest_relid_msg(hv, C4, ENL_CHANNELMSG_CLOSECHANNEL, 0);
	tap_ok(err(ENL_VMBUS_ERR_BAD_RELID) == before + 1, "close of relid 0");
	before = err(ENL_VMBUS_ERR_BAD_STATE);
	guest_relid_msg(hv, C4, ENL_CHANNELMSG_RELID_RELEASED, 1);
	tap_ok(err(ENL_VMBUS_ERR_BAD_STATE) == before + 1,
	       "release of a live relid");
	guest_relid_msg(hv, C4, ENL_CHANNELMSG_CLOSECHANNEL, 1);
	tap_ok(srv->chan[1]->state == ENL_CHAN_OFFERED, "close recovers it");
}

static void test_modify(void)
{
	struct enl_vmbus_channel_modifychannel m = { 0 };
	struct fake_msg *r;

	m.header.msgtype = ENL_CHANNELMSG_MODIFYCHANNEL;
	m.child_relid = 2;
	m.target_vp = 1;
	fake_guest_post(hv, C4, &m, sizeof(m));
	r = expect_msg(hv, ENL_CHANNELMSG_MODIFYCHANNEL_RESPONSE);
	tap_ok(r && !((struct enl_vmbus_channel_modifychannel_response *)
		      r->data)->status && srv->chan[2]->target_vp == 1,
	       "MODIFYCHANNEL answered on 5.3");
	g_free(r);
	m.child_relid = 55;
	fake_guest_post(hv, C4, &m, sizeof(m));
	r = expect_msg(hv, ENL_CHANNELMSG_MODIFYCHANNEL_RESPONSE);
	tap_ok(r && ((struct enl_vmbus_channel_modifychannel_response *)
		     r->data)->status, "MODIFYCHANNEL of relid 55 fails");
	g_free(r);
}

static void test_faults(void)
{
	struct enl_ctl *ctl = fake_ctl_new();
	struct fake_msg *m = NULL;
	char *out;

	enl_vmbus_server_register_ctl(srv, ctl);
	tap_ok(!fake_ctl_run(ctl, "fault bad-offer", &out) &&
	       (m = fake_hv_pop(hv)) && m->size < 196 &&
	       fake_msgtype(m) == ENL_CHANNELMSG_OFFERCHANNEL,
	       "fault bad-offer: a truncated offer");
	g_free(out);
	g_free(m);
	tap_ok(!fake_ctl_run(ctl, "fault oversize", &out) &&
	       (m = fake_hv_pop(hv)) && m->size == 240,
	       "fault oversize: a 240-byte unknown message");
	g_free(out);
	g_free(m);
	tap_ok(!fake_ctl_run(ctl, "fault bad-gpadl-created 1", &out) &&
	       (m = expect_msg(hv, ENL_CHANNELMSG_GPADL_CREATED)),
	       "fault bad-gpadl-created");
	g_free(out);
	g_free(m);
	tap_ok(fake_ctl_run(ctl, "fault corrupt-ring 1", &out) == -ENOENT,
	       "corrupt-ring needs an open channel");
	g_free(out);
	fake_ctl_free(ctl);
}

static void test_no_fd(void)
{
	struct guest_chan gc = {
		.relid = 1, .gpadl = 0x40, .out_pfn = 40, .out_pages = 2,
		.in_pfn = 30, .in_pages = 2,
	};
	struct guest_chan ok = {
		.relid = 2, .gpadl = 0x41, .out_pfn = 60, .out_pages = 2,
		.in_pfn = 62, .in_pages = 3,
	};

	setup(false);
	connect();
	guest_chan_setup(hv, C4, &gc);
	reply_status(ENL_CHANNELMSG_GPADL_CREATED);
	guest_open(hv, C4, 1, 1, 0x40, 0, 2);
	tap_ok(reply_status(ENL_CHANNELMSG_OPENCHANNEL_RESULT) != 0 &&
	       err(ENL_VMBUS_ERR_OPEN_RING) == 1,
	       "without a RAM fd a discontiguous ring fails cleanly");
	ok.conn_id = srv->chan[2]->conn_id;
	guest_chan_setup(hv, C4, &ok);
	reply_status(ENL_CHANNELMSG_GPADL_CREATED);
	guest_open(hv, C4, 2, 1, 0x41, 0, 2);
	tap_ok(reply_status(ENL_CHANNELMSG_OPENCHANNEL_RESULT) == 0,
	       "a contiguous ring works in place");
	hv->sint_ready = false;
	hv->ops->synic_changed(hv->ctx, 0);
	tap_ok(!srv->connected && g_hash_table_size(srv->gpadls) == 0,
	       "SINT disabled by the guest resets the connection");
	teardown();
}

/* Random messages with plausible headers, for the sanitizers. */
static void test_random(void)
{
	GRand *rnd = g_rand_new_with_seed(1234);
	uint8_t buf[240];
	int i, j;

	setup(true);
	connect();
	for (i = 0; i < 20000; i++) {
		uint32_t len = g_rand_int_range(rnd, 0, 241);

		for (j = 0; j < 240; j++)
			buf[j] = g_rand_int(rnd);
		buf[0] = g_rand_int_range(rnd, 0, 30);
		buf[1] = buf[2] = buf[3] = 0;
		if (g_rand_boolean(rnd))	/* a real relid, often */
			buf[8] = g_rand_int_range(rnd, 0, 4), buf[9] = 0,
			buf[10] = buf[11] = 0;
		fake_guest_post(hv, C4, buf, len);
		if (!(i % 64))
			fake_guest_signal(hv, ENL_VMBUS_CHANNEL_CONN_BASE +
					  g_rand_int_range(rnd, 0, 4));
		fake_hv_drain(hv);
	}
	tap_ok(srv->stats.messages_in >= 20000, "20000 random messages survived");
	g_rand_free(rnd);
	teardown();
}

int main(void)
{
	setup(true);
	test_before_contact();
	test_contact_rules();
	test_gpadl();
	test_open();
	test_modify();
	test_faults();
	teardown();
	test_no_fd();
	test_random();
	return tap_done();
}
