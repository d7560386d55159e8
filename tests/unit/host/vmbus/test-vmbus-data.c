// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VSP API for data devices: the in-flight table, GPA-direct packets
 * into iovecs, data GPADLs as scatter views (bounds, other channels'
 * GPADLs, teardown deferred while mapped, views dropped at close),
 * transfer-page packets and their completions, and one signal per batch
 * (or a flush).
 */
#include <errno.h>
#include <string.h>

#include <enlighten/guids.h>
#include "server.h"
#include "server_priv.h"
#include "tap.h"
#include "test-vmbus-guest.h"

#define RAM	(16u << 20)
#define PG	4096u
#define C4	ENL_VMBUS_MESSAGE_CONNECTION_ID_4

static struct enl_hv *hv;
static struct enl_vmbus_server *srv;

/* ---- In-flight table ---- */

static void test_inflight(void)
{
	struct enl_vsp_inflight *t = enl_vsp_inflight_new(4);
	struct enl_vsp_inflight_stats st;
	int reqs[6];
	uint64_t id[6];
	int i, added = 0;

	tap_ok(!enl_vsp_inflight_new(0) && !enl_vsp_inflight_new(65537),
	       "in-flight: sizes 0 and 65537 refused");
	for (i = 0; i < 4; i++)
		added += enl_vsp_inflight_add(t, &reqs[i], &id[i]) == 0 &&
			 id[i] != 0;
	tap_ok(added == 4 && enl_vsp_inflight_add(t, &reqs[4], &id[4]) ==
	       -ENOSPC, "in-flight: 4 of 4 added, a fifth refused");
	tap_ok(enl_vsp_inflight_add(t, NULL, &id[5]) == -EINVAL,
	       "in-flight: NULL request refused");
	tap_ok(enl_vsp_inflight_take(t, id[2]) == &reqs[2],
	       "in-flight: completion finds its request");
	tap_ok(!enl_vsp_inflight_take(t, id[2]), "in-flight: duplicate dropped");
	tap_ok(!enl_vsp_inflight_take(t, 0) &&
	       !enl_vsp_inflight_take(t, 0xffffffffffffffffull) &&
	       !enl_vsp_inflight_take(t, id[1] + (1ull << 32)),
	       "in-flight: ids never issued dropped (0, ~0, wrong generation)");
	enl_vsp_inflight_add(t, &reqs[5], &id[5]);
	tap_ok(id[5] != id[2] && !enl_vsp_inflight_take(t, id[2]) &&
	       enl_vsp_inflight_take(t, id[5]) == &reqs[5],
	       "in-flight: a reused slot does not answer its old id");
	enl_vsp_inflight_stats(t, &st);
	tap_ok(st.stale == 5 && st.completed == 2 && st.full == 1 &&
	       st.outstanding == 3,
	       "in-flight: stale %llu, completed %llu, full %llu, out %u",
	       (unsigned long long)st.stale, (unsigned long long)st.completed,
	       (unsigned long long)st.full, st.outstanding);
	tap_ok(enl_vsp_inflight_cancel(t, id[0]) == &reqs[0] &&
	       enl_vsp_inflight_pop(t) && enl_vsp_inflight_pop(t) &&
	       !enl_vsp_inflight_pop(t), "in-flight: cancel and pop empty it");
	enl_vsp_inflight_free(t);
}

/* ---- GPA-direct ---- */

struct range_spec {
	uint32_t count, offset, npfn;
	uint64_t pfn[4];
};

/* Packet with nr ranges and payload_len bytes of payload; its length. */
static uint32_t mk_gpa_direct(uint8_t *buf, const struct range_spec *r,
			      uint32_t nr, uint32_t payload_len,
			      uint32_t *hdr_len)
{
	struct enl_vmdata_gpa_direct h = { 0 };
	uint32_t pos = sizeof(h), i;

	memset(buf, 0, 1024);
	for (i = 0; i < nr; i++) {
		struct enl_gpa_range g = { r[i].count, r[i].offset };

		memcpy(buf + pos, &g, sizeof(g));
		pos += sizeof(g);
		memcpy(buf + pos, r[i].pfn, r[i].npfn * 8);
		pos += r[i].npfn * 8;
	}
	*hdr_len = pos;
	memset(buf + pos, 0x77, payload_len);
	h.d.type = ENL_VMPKT_DATA_USING_GPA_DIRECT;
	h.d.offset8 = pos / 8;
	h.d.len8 = (pos + payload_len + 7) / 8;
	h.range_cnt = nr;
	memcpy(buf, &h, sizeof(h));
	return pos + payload_len;
}

static int parse(const uint8_t *buf, uint32_t len, uint32_t hdr,
		 struct iovec *iov, uint32_t max, struct enl_gpa_direct *out)
{
	out->iov = iov;
	out->max_iov = max;
	return enl_gpa_direct_parse(&hv->mem, buf, len, hdr, out);
}

static bool iov_is(const struct iovec *v, uint64_t gpa, size_t len)
{
	return v->iov_base == hv->mem.base + gpa && v->iov_len == len;
}

static void test_gpa_direct(void)
{
	uint8_t buf[1024];
	struct iovec iov[8];
	struct enl_gpa_direct d;
	struct range_spec one = { 3 * PG - 300, 100, 3, { 0x10, 0x11, 0x12 } };
	struct range_spec scat = { 3 * PG - 300, 100, 3, { 0x10, 0x30, 0x20 } };
	struct range_spec pages[3] = {
		{ PG, 0, 1, { 0x40 } }, { PG, 0, 1, { 0x41 } },
		{ 100, 7, 1, { 0x90 } },
	};
	struct range_spec bad;
	uint32_t len, hdr;
	int ret;

	len = mk_gpa_direct(buf, &one, 1, 16, &hdr);
	ret = parse(buf, len, hdr, iov, 8, &d);
	tap_ok(!ret && d.niov == 1 && iov_is(&iov[0], 0x10 * PG + 100,
	       3 * PG - 300) && d.bytes == 3 * PG - 300 && d.nranges == 1,
	       "gpa-direct: one range over contiguous pages is one iovec");
	tap_ok(!ret && d.payload == buf + hdr && d.payload_len == 16,
	       "gpa-direct: payload found at offset8");
	len = mk_gpa_direct(buf, &scat, 1, 0, &hdr);
	ret = parse(buf, len, hdr, iov, 8, &d);
	tap_ok(!ret && d.niov == 3 && iov_is(&iov[0], 0x10 * PG + 100, PG - 100) &&
	       iov_is(&iov[1], 0x30 * PG, PG) && iov_is(&iov[2], 0x20 * PG, PG - 200),
	       "gpa-direct: scattered pages, offset into the first, short last");
	len = mk_gpa_direct(buf, pages, 3, 8, &hdr);
	ret = parse(buf, len, hdr, iov, 8, &d);
	tap_ok(!ret && d.niov == 2 && d.nranges == 3 &&
	       iov_is(&iov[0], 0x40 * PG, 2 * PG) && d.bytes == 2 * PG + 100 &&
	       iov_is(&iov[1], 0x90 * PG + 7, 100),
	       "gpa-direct: page-buffer ranges (one pfn each), neighbours merged");
	len = mk_gpa_direct(buf, &scat, 1, 0, &hdr);
	tap_ok(parse(buf, len, hdr, iov, 2, &d) == -E2BIG,
	       "gpa-direct: too few iovecs is -E2BIG");

	len = mk_gpa_direct(buf, &one, 1, 0, &hdr);
	buf[0] = ENL_VMPKT_DATA_INBAND;
	tap_ok(parse(buf, len, hdr, iov, 8, &d) == -EBADMSG,
	       "gpa-direct: another packet type refused");
	len = mk_gpa_direct(buf, &one, 1, 0, &hdr);
	tap_ok(parse(buf, len, 16, iov, 8, &d) == -EBADMSG &&
	       parse(buf, len, len + 8, iov, 8, &d) == -EBADMSG &&
	       parse(buf, 20, 20, iov, 8, &d) == -EBADMSG,
	       "gpa-direct: header or payload offset out of bounds refused");
	memcpy(&((struct enl_vmdata_gpa_direct *)buf)->range_cnt,
	       &(uint32_t){ 0 }, 4);
	tap_ok(parse(buf, len, hdr, iov, 8, &d) == -EBADMSG,
	       "gpa-direct: zero ranges refused");
	memcpy(&((struct enl_vmdata_gpa_direct *)buf)->range_cnt,
	       &(uint32_t){ 2 }, 4);
	tap_ok(parse(buf, len, hdr, iov, 8, &d) == -EBADMSG,
	       "gpa-direct: more ranges than the header holds refused");
	memcpy(&((struct enl_vmdata_gpa_direct *)buf)->range_cnt,
	       &(uint32_t){ 100000 }, 4);
	tap_ok(parse(buf, len, hdr, iov, 8, &d) == -EBADMSG,
	       "gpa-direct: absurd range count refused");
	bad = one;
	bad.offset = PG;
	len = mk_gpa_direct(buf, &bad, 1, 0, &hdr);
	tap_ok(parse(buf, len, hdr, iov, 8, &d) == -EBADMSG,
	       "gpa-direct: byte_offset past the page refused");
	bad = one;
	bad.count = 0;
	len = mk_gpa_direct(buf, &bad, 1, 0, &hdr);
	tap_ok(parse(buf, len, hdr, iov, 8, &d) == -EBADMSG,
	       "gpa-direct: empty range refused");
	bad = one;
	bad.count = 0xffffffffu;
	len = mk_gpa_direct(buf, &bad, 1, 0, &hdr);
	tap_ok(parse(buf, len, hdr, iov, 8, &d) == -EBADMSG,
	       "gpa-direct: byte_count needing more pfns than sent refused");
	bad = one;
	bad.pfn[1] = RAM / PG;
	len = mk_gpa_direct(buf, &bad, 1, 0, &hdr);
	tap_ok(parse(buf, len, hdr, iov, 8, &d) == -EFAULT,
	       "gpa-direct: pfn just past guest RAM refused");
	bad.pfn[1] = 0xffffffffffffffffull;
	len = mk_gpa_direct(buf, &bad, 1, 0, &hdr);
	tap_ok(parse(buf, len, hdr, iov, 8, &d) == -EFAULT,
	       "gpa-direct: pfn that overflows a GPA refused");
}

/* ---- A data VSP on a real channel ---- */

static void *completed[8];
static int ncompleted;

static int data_open(struct enl_vsp_channel *ch, const uint8_t *ud)
{
	(void)ch;
	(void)ud;
	return 0;
}

static int data_packet(struct enl_vsp_channel *ch,
		       const struct enl_ring_pkt *pkt, const void *data)
{
	void *req = enl_vsp_complete(enl_vsp_inflight(ch), pkt);

	(void)data;
	if (req && ncompleted < 8)
		completed[ncompleted++] = req;
	return 0;
}

static const struct enl_vsp_class data_class = {
	.name = "data",
	.class_guid = ENL_GUID_ECHO,
	.on_open = data_open,
	.on_packet = data_packet,
	.max_inflight = 2,
};

struct map_call {
	struct enl_vsp_channel *ch;
	uint32_t handle;
	struct enl_vsp_gpadl *view;
	int ret;
};

static void do_map(void *data)
{
	struct map_call *c = data;

	c->ret = enl_vsp_gpadl_map(c->ch, c->handle, &c->view);
}

static void do_unmap(void *data)
{
	enl_vsp_gpadl_unmap(data);
}

static int map(uint32_t relid, uint32_t handle, struct enl_vsp_gpadl **v)
{
	struct map_call c = { srv->chan[relid], handle, NULL, 0 };

	enl_vsp_call(c.ch, do_map, &c);
	*v = c.view;
	return c.ret;
}

static void unmap(uint32_t relid, struct enl_vsp_gpadl *v)
{
	enl_vsp_call(srv->chan[relid], do_unmap, v);
}

static bool open_chan(struct guest_chan *gc)
{
	guest_chan_setup(hv, C4, gc);
	return !guest_gpadl_created(hv, gc->gpadl) &&
	       guest_chan_open(hv, C4, gc, 1);
}

/* The main loop's deferred work (TORNDOWN after a worker's unmap). */
static struct fake_msg *torndown(uint32_t handle)
{
	struct fake_msg *m;

	while (g_main_context_iteration(NULL, FALSE))
		;
	m = fake_hv_pop(hv);
	if (m && (fake_msgtype(m) != ENL_CHANNELMSG_GPADL_TORNDOWN ||
		  ((struct enl_vmbus_channel_gpadl_torndown *)m->data)
			  ->gpadl != handle)) {
		g_free(m);
		return NULL;
	}
	return m;
}

static void test_views(void)
{
	static const uint64_t pfns[5] = { 0x400, 0x401, 0x500, 0x402, 0x600 };
	uint64_t other = 0x700;
	struct enl_vsp_gpadl *v, *v2;
	struct iovec iov[8];
	uint8_t pat[5000], back[5000];
	uint64_t errs = srv->stats.errors[ENL_VMBUS_ERR_GPADL_VIEW];
	struct fake_msg *m;
	unsigned int i;
	int n;

	guest_gpadl(hv, C4, 1, 0xd0, pfns, 5);
	guest_gpadl(hv, C4, 2, 0xd1, &other, 1);
	tap_ok(guest_gpadl_created(hv, 0xd0) == 0 && guest_gpadl_created(hv, 0xd1) == 0,
	       "view: data GPADLs created on relids 1 and 2");
	tap_ok(map(1, 0xd0, &v) == 0 && enl_vsp_gpadl_len(v) == 5 * PG &&
	       enl_vsp_gpadl_handle(v) == 0xd0, "view: 5-page GPADL mapped");
	n = v ? enl_vsp_gpadl_iov(v, 0, 5 * PG, iov, 8) : -1;
	tap_ok(n == 4 && iov_is(&iov[0], 0x400 * PG, 2 * PG) &&
	       iov_is(&iov[1], 0x500 * PG, PG) && iov_is(&iov[2], 0x402 * PG, PG) &&
	       iov_is(&iov[3], 0x600 * PG, PG),
	       "view: whole buffer as 4 pieces (adjacent pages merged)");
	n = v ? enl_vsp_gpadl_iov(v, 2 * PG - 10, 20, iov, 8) : -1;
	tap_ok(n == 2 && iov_is(&iov[0], 0x401 * PG + PG - 10, 10) &&
	       iov_is(&iov[1], 0x500 * PG, 10), "view: a range across pieces");
	n = v ? enl_vsp_gpadl_iov(v, 4 * PG + 5, 1, iov, 8) : -1;
	tap_ok(n == 1 && iov_is(&iov[0], 0x600 * PG + 5, 1),
	       "view: the last byte's page found");
	tap_ok(v && enl_vsp_gpadl_iov(v, 5 * PG, 1, iov, 8) == -ERANGE &&
	       enl_vsp_gpadl_iov(v, 1, 5 * PG, iov, 8) == -ERANGE &&
	       enl_vsp_gpadl_iov(v, 1, UINT64_MAX, iov, 8) == -ERANGE &&
	       enl_vsp_gpadl_iov(v, 0, 0, iov, 8) == -ERANGE,
	       "view: ranges outside the buffer (or overflowing) refused");
	tap_ok(v && enl_vsp_gpadl_iov(v, 0, 5 * PG, iov, 3) == -E2BIG,
	       "view: too few iovecs is -E2BIG");
	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + 1);
	tap_ok(v && !enl_vsp_gpadl_write(v, 3 * PG - 100, pat, sizeof(pat)) &&
	       !memcmp(hv->mem.base + 0x500 * PG + PG - 100, pat, 100) &&
	       !memcmp(hv->mem.base + 0x402 * PG, pat + 100, PG) &&
	       !memcmp(hv->mem.base + 0x600 * PG, pat + 100 + PG,
		       sizeof(pat) - 100 - PG),
	       "view: write lands in the guest's scattered pages");
	tap_ok(v && !enl_vsp_gpadl_read(v, 3 * PG - 100, back, sizeof(back)) &&
	       !memcmp(back, pat, sizeof(pat)) &&
	       enl_vsp_gpadl_read(v, 5 * PG - 1, back, 2) == -ERANGE,
	       "view: read back; reading past the end refused");

	tap_ok(map(1, 0xd1, &v2) == -EPERM && !v2,
	       "view: another channel's GPADL refused");
	tap_ok(map(1, 0xdead, &v2) == -ENOENT && !v2,
	       "view: unknown handle refused");
	tap_ok(srv->stats.errors[ENL_VMBUS_ERR_GPADL_VIEW] >= errs + 2,
	       "view: refusals counted (gpadl_view)");

	guest_teardown(hv, C4, 1, 0xd0);
	tap_ok(!fake_hv_pop(hv), "view: TEARDOWN of a mapped GPADL waits");
	tap_ok(map(1, 0xd0, &v2) == -ENOENT,
	       "view: a GPADL being torn down cannot be mapped again");
	unmap(1, v);
	m = torndown(0xd0);
	tap_ok(m != NULL, "view: TORNDOWN once the view is dropped");
	g_free(m);
	tap_ok(!g_hash_table_contains(srv->gpadls, GUINT_TO_POINTER(0xd0)),
	       "view: and the GPADL is gone");
}

/* Two ranges: 100 bytes at offset 50 of one page, then two whole pages. */
static void test_multirange(void)
{
	uint8_t buf[240] = { 0 };
	struct enl_vmbus_channel_gpadl_header *h = (void *)buf;
	uint64_t words[5] = {
		(uint64_t)50 << 32 | 100, 0x800,
		(uint64_t)0 << 32 | 2 * PG, 0x900, 0x901,
	};
	struct enl_vsp_gpadl *v = NULL;
	struct iovec iov[4];
	int n;

	h->header.msgtype = ENL_CHANNELMSG_GPADL_HEADER;
	h->child_relid = 1;
	h->gpadl = 0xd3;
	h->rangecount = 2;
	h->range_buflen = sizeof(words);
	memcpy(h->range, words, sizeof(words));
	fake_guest_post(hv, C4, buf, sizeof(*h) + sizeof(words));
	tap_ok(guest_gpadl_created(hv, 0xd3) == 0, "view: two-range GPADL created");
	tap_ok(map(1, 0xd3, &v) == 0 && enl_vsp_gpadl_len(v) == 100 + 2 * PG,
	       "view: its length is the sum of the ranges");
	n = v ? enl_vsp_gpadl_iov(v, 90, 20, iov, 4) : -1;
	tap_ok(n == 2 && iov_is(&iov[0], 0x800 * PG + 140, 10) &&
	       iov_is(&iov[1], 0x900 * PG, 10),
	       "view: byte_offset honoured, ranges laid end to end");
	unmap(1, v);
}

/* The VSP leaves a view mapped and the guest tears down, then closes. */
static void test_view_at_close(struct guest_chan *gc)
{
	static const uint64_t pfn = 0xa00;
	struct enl_vsp_gpadl *v = NULL;
	struct fake_msg *m;

	guest_gpadl(hv, C4, gc->relid, 0xd2, &pfn, 1);
	guest_gpadl_created(hv, 0xd2);
	tap_ok(map(gc->relid, 0xd2, &v) == 0, "view: mapped before close");
	guest_teardown(hv, C4, gc->relid, 0xd2);
	tap_ok(!fake_hv_pop(hv), "view: teardown pending");
	guest_relid_msg(hv, C4, ENL_CHANNELMSG_CLOSECHANNEL, gc->relid);
	m = torndown(0xd2);
	tap_ok(m != NULL, "view: close drops the forgotten view, TORNDOWN follows");
	g_free(m);
}

struct xfer_call {
	struct enl_vsp_channel *ch;
	void *req;
	const struct enl_vmtransfer_page_range *r;
	uint32_t nr;
	uint64_t buf_len;
	int ret;
};

static void do_xfer(void *data)
{
	struct xfer_call *c = data;

	/* NULL: the channel's own table. */
	c->ret = enl_vsp_send_xfer_pages(c->ch, NULL, c->req, 3, c->buf_len,
					 c->r, c->nr, "NVSPMSG!", 8);
}

static int xfer(struct guest_chan *gc, void *req,
		const struct enl_vmtransfer_page_range *r, uint32_t nr,
		uint64_t buf_len)
{
	struct xfer_call c = { srv->chan[gc->relid], req, r, nr, buf_len, 0 };

	enl_vsp_call(c.ch, do_xfer, &c);
	return c.ret;
}

static void guest_comp(struct guest_chan *gc, uint64_t trans_id)
{
	bool sig = false;
	uint64_t zero = 0;
	struct enl_ring_iov iov = { &zero, 8 };

	enl_ring_write(&gc->out, ENL_VMPKT_COMP, 0, trans_id, &iov, 1, &sig);
	fake_guest_signal(hv, gc->conn_id);
}

static void test_xfer(struct guest_chan *gc)
{
	static const struct enl_vmtransfer_page_range r[2] = {
		{ .byte_count = 100, .byte_offset = 0 },
		{ .byte_count = 200, .byte_offset = 4096 },
	};
	struct enl_vmtransfer_page_range bad = { 10, 8190 };
	struct enl_vmtransfer_page_packet_header h;
	struct enl_vmtransfer_page_range got[2];
	struct enl_vsp_inflight_stats st;
	uint8_t buf[256];
	struct enl_ring_pkt pkt;
	struct enl_vsp_inflight *table = enl_vsp_inflight(srv->chan[gc->relid]);
	int req1, req2, ret;

	tap_ok(table && table == enl_vsp_inflight(srv->chan[gc->relid]) &&
	       table != enl_vsp_inflight(srv->chan[gc->relid + 1]),
	       "in-flight: each channel has its own table, from the server");
	tap_ok(xfer(gc, &req1, r, 2, 8192) == 0,
	       "xfer: two ranges of an 8 KiB receive buffer sent");
	ret = enl_ring_read(&gc->in, buf, sizeof(buf), &pkt);
	memcpy(&h, buf, sizeof(h));
	memcpy(got, buf + sizeof(h), sizeof(got));
	tap_ok(ret > 0 && pkt.type == ENL_VMPKT_DATA_USING_XFER_PAGES &&
	       (pkt.flags & ENL_VMPKT_FLAG_COMPLETION_REQUESTED) &&
	       h.xfer_pageset_id == 3 && h.range_cnt == 2 &&
	       !memcmp(got, r, sizeof(got)) && pkt.hdr_len == 40 &&
	       !memcmp(buf + 40, "NVSPMSG!", 8) && pkt.trans_id,
	       "xfer: header, ranges and message as the guest sees them");
	enl_ring_read_commit(&gc->in);
	guest_comp(gc, pkt.trans_id);
	tap_ok(ncompleted == 1 && completed[0] == &req1,
	       "xfer: the guest's completion finds its request");
	guest_comp(gc, pkt.trans_id);
	guest_comp(gc, 0x1234);
	enl_vsp_inflight_stats(table, &st);
	tap_ok(ncompleted == 1 && st.stale == 2,
	       "xfer: duplicate and unknown completions dropped and counted");
	tap_ok(xfer(gc, &req2, &bad, 1, 8192) == -EINVAL &&
	       xfer(gc, &req2, r, 0, 8192) == -EINVAL &&
	       xfer(gc, &req2, r, 2, 4096) == -EINVAL,
	       "xfer: ranges outside the buffer, or none, refused");
	xfer(gc, &req1, r, 1, 8192);
	xfer(gc, &req2, r, 1, 8192);
	tap_ok(xfer(gc, &ret, r, 1, 8192) == -ENOSPC,
	       "xfer: a full in-flight table (the class's max_inflight 2) "
	       "refuses the send");
	while (enl_ring_read(&gc->in, buf, sizeof(buf), &pkt) > 0)
		;
	enl_ring_read_commit(&gc->in);
}

static void test_batch(struct guest_chan *gc)
{
	struct enl_vsp_channel *ch = srv->chan[gc->relid];
	struct enl_ring_iov iov = { "batch!!!", 8 };
	guint before = fake_hv_nr_signals(hv), mid;
	uint8_t buf[64];
	struct enl_ring_pkt pkt;
	int i, sent = 0;

	enl_vsp_batch_begin(ch);
	enl_vsp_batch_begin(ch);
	for (i = 0; i < 3; i++)
		sent += enl_vsp_send(ch, ENL_VMPKT_DATA_INBAND, 0, i, &iov, 1) == 0;
	enl_vsp_batch_end(ch);
	mid = fake_hv_nr_signals(hv);
	enl_vsp_batch_end(ch);
	tap_ok(sent == 3 && mid == before &&
	       fake_hv_nr_signals(hv) == before + 1,
	       "batch: 3 sends to an empty ring, nested batch, one signal at "
	       "the outer end");
	while (enl_ring_read(&gc->in, buf, sizeof(buf), &pkt) > 0)
		;
	enl_ring_read_commit(&gc->in);
	before = fake_hv_nr_signals(hv);
	enl_vsp_send(ch, ENL_VMPKT_DATA_INBAND, 0, 9, &iov, 1);
	tap_ok(fake_hv_nr_signals(hv) == before + 1,
	       "batch: outside a batch a send to an empty ring signals at once");
	while (enl_ring_read(&gc->in, buf, sizeof(buf), &pkt) > 0)
		;
	enl_ring_read_commit(&gc->in);

	/* A flush signals what is owed now; the batch goes on. */
	before = fake_hv_nr_signals(hv);
	enl_vsp_batch_begin(ch);
	enl_vsp_send(ch, ENL_VMPKT_DATA_INBAND, 0, 10, &iov, 1);
	mid = fake_hv_nr_signals(hv);
	enl_vsp_batch_flush(ch);
	tap_ok(mid == before && fake_hv_nr_signals(hv) == before + 1,
	       "batch: flush signals the send to an empty ring at once");
	enl_vsp_send(ch, ENL_VMPKT_DATA_INBAND, 0, 11, &iov, 1);
	enl_vsp_batch_flush(ch);
	tap_ok(fake_hv_nr_signals(hv) == before + 1,
	       "batch: a send behind one the guest has not read owes nothing");
	while (enl_ring_read(&gc->in, buf, sizeof(buf), &pkt) > 0)
		;
	enl_ring_read_commit(&gc->in);
	enl_vsp_send(ch, ENL_VMPKT_DATA_INBAND, 0, 12, &iov, 1);
	mid = fake_hv_nr_signals(hv);
	enl_vsp_batch_end(ch);
	tap_ok(mid == before + 1 && fake_hv_nr_signals(hv) == before + 2,
	       "batch: after a flush the batch still holds signals to its end");
	before = fake_hv_nr_signals(hv);
	enl_vsp_batch_flush(ch);
	tap_ok(fake_hv_nr_signals(hv) == before,
	       "batch: a flush outside a batch does nothing");
	while (enl_ring_read(&gc->in, buf, sizeof(buf), &pkt) > 0)
		;
	enl_ring_read_commit(&gc->in);
}

int main(void)
{
	struct guest_chan a = {
		.relid = 1, .gpadl = 0xa1, .out_pfn = 0x100, .out_pages = 4,
		.in_pfn = 0x120, .in_pages = 4,
	};
	struct guest_chan b = {
		.relid = 2, .gpadl = 0xb1, .out_pfn = 0x200, .out_pages = 4,
		.in_pfn = 0x220, .in_pages = 4,
	};

	hv = fake_hv_new(RAM, true);
	test_inflight();
	test_gpa_direct();

	srv = enl_vmbus_server_new(hv);
	enl_vmbus_server_set_ram_fd(srv, hv->memfd);
	enl_vmbus_server_add_class(srv, &data_class);
	enl_vmbus_server_offer(srv, "data");
	enl_vmbus_server_offer(srv, "data");
	guest_contact(hv, C4, ENL_VMBUS_VERSION_WIN10_V5_3, 0, 2);
	guest_simple(hv, C4, ENL_CHANNELMSG_REQUESTOFFERS);
	fake_hv_drain(hv);
	a.conn_id = srv->chan[1]->conn_id;
	b.conn_id = srv->chan[2]->conn_id;
	tap_ok(open_chan(&a) && open_chan(&b), "two data channels open");

	test_views();
	test_multirange();
	test_xfer(&a);
	test_batch(&a);
	test_view_at_close(&a);
	{
		struct enl_vsp_inflight_stats st;

		/* test_xfer left two outstanding; data_close takes none. */
		enl_vsp_inflight_stats(enl_vsp_inflight(srv->chan[1]), &st);
		tap_ok(st.outstanding == 0 &&
		       enl_vmbus_stat(&srv->chan[1]->stats.inflight_dropped) == 2,
		       "in-flight: what the VSP left at close is dropped and "
		       "counted");
	}

	enl_vmbus_server_free(srv);
	fake_hv_free(hv);
	return tap_done();
}
