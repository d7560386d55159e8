/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest for the network engine's tests: receive and send buffers in
 * memory cut into 4 KiB pieces (as a GPADL maps), the engine's callbacks
 * recording what it hands the VMBus side and the backend, and helpers that
 * speak NVSP and RNDIS like Linux's netvsc.
 */
#ifndef ENL_TEST_NET_GUEST_H
#define ENL_TEST_NET_GUEST_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_tun.h>

#include "net_priv.h"
#include "tap.h"

#define G_RECV_GPADL	11
#define G_SEND_GPADL	22
#define G_RECV_SIZE	(2u << 20)
#define G_SEND_SIZE	(1u << 20)
#define G_PIECE		4096u
#define G_MAX_XFERS	256
#define G_MAX_FRAMES	64

struct g_frame {
	struct virtio_net_hdr_v1 vh;
	uint8_t data[70000];
	size_t len;
	unsigned int queue, iovcnt;
};

static struct {
	uint8_t *recv, *send;
	struct iovec recv_iov[G_RECV_SIZE / G_PIECE];
	struct iovec send_iov[G_SEND_SIZE / G_PIECE];
	int mapped[2];
	bool fail_map;
	struct enl_net_xfer xfers[G_MAX_XFERS];
	unsigned int nxfers;
	struct g_frame *frames;
	unsigned int nframes;
	uint32_t sub_offer;	/* how many sub-channels the host can offer */
	unsigned int tun_flags, offl_calls;
	int tx_ret;
	uint32_t req_id;
} g;

static int g_map(void *ctx, uint32_t gpadl, struct enl_net_view *v)
{
	(void)ctx;
	if (g.fail_map)
		return -EIO;
	if (gpadl == G_RECV_GPADL) {
		v->iov = g.recv_iov;
		v->iovcnt = G_RECV_SIZE / G_PIECE;
		g.mapped[0]++;
		return 0;
	}
	if (gpadl == G_SEND_GPADL) {
		v->iov = g.send_iov;
		v->iovcnt = G_SEND_SIZE / G_PIECE;
		g.mapped[1]++;
		return 0;
	}
	return -ENOENT;
}

static inline void g_unmap(void *ctx, uint32_t gpadl)
{
	(void)ctx;
	g.mapped[gpadl == G_RECV_GPADL ? 0 : 1]--;
}

static inline uint32_t g_subchannels(void *ctx, uint32_t n)
{
	(void)ctx;
	return n < g.sub_offer ? n : g.sub_offer;
}

static int g_tx(void *ctx, unsigned int q, const struct virtio_net_hdr_v1 *vh,
		const struct iovec *iov, unsigned int cnt)
{
	struct g_frame *f;

	(void)ctx;
	if (g.tx_ret)
		return g.tx_ret;
	if (g.nframes == G_MAX_FRAMES)
		return -ENOSPC;
	f = &g.frames[g.nframes++];
	f->vh = *vh;
	f->queue = q;
	f->iovcnt = cnt;
	f->len = 0;
	for (unsigned int i = 0; i < cnt; i++) {
		if (f->len + iov[i].iov_len > sizeof(f->data))
			abort();
		memcpy(f->data + f->len, iov[i].iov_base, iov[i].iov_len);
		f->len += iov[i].iov_len;
	}
	return 0;
}

static int g_send_xfer(void *ctx, const struct enl_net_xfer *x)
{
	(void)ctx;
	if (g.nxfers == G_MAX_XFERS)
		return -ENOSPC;
	g.xfers[g.nxfers++] = *x;
	return 0;
}

static inline void g_offloads(void *ctx, unsigned int flags)
{
	(void)ctx;
	g.tun_flags = flags;
	g.offl_calls++;
}

static const struct enl_net_ops g_ops = {
	.map_buffer = g_map,
	.unmap_buffer = g_unmap,
	.open_subchannels = g_subchannels,
	.tx_frame = g_tx,
	.send_xfer = g_send_xfer,
	.offloads_changed = g_offloads,
};

static const struct enl_net_cfg g_cfg = {
	.mac = { 0x00, 0x15, 0x5d, 0x12, 0x34, 0x56 },
	.max_mtu = 9000,
	.link_speed_bps = 10000000000ull,
	.max_queues = 4,
	.send_section_size = 6144,
	.link_up = true,
};

static inline void g_setup(void)
{
	g.recv = calloc(1, G_RECV_SIZE);
	g.send = calloc(1, G_SEND_SIZE);
	g.frames = calloc(G_MAX_FRAMES, sizeof(*g.frames));
	if (!g.recv || !g.send || !g.frames)
		abort();
	for (unsigned int i = 0; i < G_RECV_SIZE / G_PIECE; i++)
		g.recv_iov[i] = (struct iovec){ g.recv + i * G_PIECE, G_PIECE };
	for (unsigned int i = 0; i < G_SEND_SIZE / G_PIECE; i++)
		g.send_iov[i] = (struct iovec){ g.send + i * G_PIECE, G_PIECE };
}

static inline void g_teardown(void)
{
	free(g.recv);
	free(g.send);
	free(g.frames);
}

/* One NVSP message from the guest; the reply kind, *r filled. */
static inline enum enl_net_reply g_nvsp(struct enl_net_dev *d,
				 const struct enl_nvsp_message *m,
				 struct enl_nvsp_message *r)
{
	memset(r, 0xee, sizeof(*r));
	return enl_net_nvsp(d, 0, m, sizeof(*m), NULL, r);
}

static inline uint32_t g_init(struct enl_net_dev *d, uint32_t lo, uint32_t hi,
		       uint32_t *ver)
{
	struct enl_nvsp_message m = { .hdr.msg_type = ENL_NVSP_MSG_INIT };
	struct enl_nvsp_message r;

	m.msg.init.min_version = lo;
	m.msg.init.max_version = hi;
	if (g_nvsp(d, &m, &r) != ENL_NET_REPLY_MSG ||
	    r.hdr.msg_type != ENL_NVSP_MSG_INIT_COMPLETE)
		return 0xdead;
	if (ver)
		*ver = r.msg.init_complete.negotiated_version;
	return r.msg.init_complete.status;
}

/* Linux's connect: version (falling back), NDIS config and version, buffers. */
static inline bool g_connect(struct enl_net_dev *d, uint32_t mtu)
{
	static const uint32_t vers[] = {
		ENL_NVSP_VERSION_61, ENL_NVSP_VERSION_6, ENL_NVSP_VERSION_5,
		ENL_NVSP_VERSION_4, ENL_NVSP_VERSION_2, ENL_NVSP_VERSION_1,
	};
	struct enl_nvsp_message m, r;
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < 6; i++)
		if (g_init(d, vers[i], vers[i], NULL) == ENL_NVSP_STAT_SUCCESS)
			break;
	if (i == 6)
		return false;
	v = vers[i];
	if (v >= ENL_NVSP_VERSION_2) {
		memset(&m, 0, sizeof(m));
		m.hdr.msg_type = ENL_NVSP_MSG2_SEND_NDIS_CONFIG;
		m.msg.ndis_config.mtu = mtu + 14;
		m.msg.ndis_config.capability = ENL_NVSP_CAP_IEEE8021Q |
			(v >= ENL_NVSP_VERSION_5 ? ENL_NVSP_CAP_TEAMING : 0);
		if (g_nvsp(d, &m, &r) != ENL_NET_REPLY_NONE)
			return false;
	}
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_NDIS_VERSION;
	m.msg.ndis_version.major = 6;
	m.msg.ndis_version.minor = v <= ENL_NVSP_VERSION_4 ? 1 : 30;
	if (g_nvsp(d, &m, &r) != ENL_NET_REPLY_NONE)
		return false;
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RECV_BUF;
	m.msg.buffer.gpadl_handle = G_RECV_GPADL;
	m.msg.buffer.id = ENL_NVSP_RECV_BUFFER_ID;
	if (g_nvsp(d, &m, &r) != ENL_NET_REPLY_MSG ||
	    r.msg.recv_buf_complete.status != ENL_NVSP_STAT_SUCCESS)
		return false;
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_SEND_BUF;
	m.msg.buffer.gpadl_handle = G_SEND_GPADL;
	m.msg.buffer.id = ENL_NVSP_SEND_BUFFER_ID;
	return g_nvsp(d, &m, &r) == ENL_NET_REPLY_MSG &&
	       r.msg.send_buf_complete.status == ENL_NVSP_STAT_SUCCESS;
}

/* Put bytes in send section `sec` and send them; the completion status. */
static inline uint32_t g_send_section(struct enl_net_dev *d, uint32_t sec,
			       const void *msg, uint32_t len, uint32_t size)
{
	struct enl_nvsp_message m = { .hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT };
	struct enl_nvsp_message r;

	memcpy(g.send + (size_t)sec * 6144, msg, len);
	m.msg.rndis.channel_type = ENL_NVSP_CHANNEL_CONTROL;
	m.msg.rndis.section_index = sec;
	m.msg.rndis.section_size = size;
	if (g_nvsp(d, &m, &r) != ENL_NET_REPLY_MSG ||
	    r.hdr.msg_type != ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE)
		return 0xdead;
	return r.msg.rndis_complete.status;
}

/* Send bytes as a GPA-direct packet, cut at 4 KiB like guest pages. */
static inline uint32_t g_send_gpa(struct enl_net_dev *d, const void *msg,
				  uint32_t len)
{
	struct enl_nvsp_message m = { .hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT };
	struct enl_nvsp_message r;
	struct iovec iov[40];
	struct enl_net_view v = { iov, 0 };

	for (uint32_t o = 0; o < len && v.iovcnt < 40; o += G_PIECE) {
		iov[v.iovcnt].iov_base = (uint8_t *)msg + o;
		iov[v.iovcnt++].iov_len = len - o < G_PIECE ? len - o : G_PIECE;
	}
	m.msg.rndis.section_index = ENL_NVSP_NO_SECTION;
	if (enl_net_nvsp(d, 0, &m, sizeof(m), &v, &r) != ENL_NET_REPLY_MSG ||
	    r.hdr.msg_type != ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE)
		return 0xdead;
	return r.msg.rndis_complete.status;
}

static inline uint32_t g_send(struct enl_net_dev *d, const void *msg, uint32_t len)
{
	return g_send_section(d, 0, msg, len, len);
}

/* The RNDIS message of range `i` of the last transfer, and its length. */
static inline const uint8_t *g_last_msg(uint32_t i, uint32_t *len)
{
	const struct enl_net_xfer *x;

	if (!g.nxfers)
		return NULL;
	x = &g.xfers[g.nxfers - 1];
	if (i >= x->nranges)
		return NULL;
	if (len)
		*len = x->ranges[i].byte_count;
	return g.recv + x->ranges[i].byte_offset;
}

/* Complete every transfer the guest holds, as Linux does after NAPI. */
static inline void g_complete_all(struct enl_net_dev *d)
{
	struct enl_nvsp_message c = {
		.hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE,
		.msg.rndis_complete.status = ENL_NVSP_STAT_SUCCESS,
	};

	for (unsigned int i = 0; i < g.nxfers; i++)
		enl_net_recv_complete(d, g.xfers[i].tid, &c, 8);
	g.nxfers = 0;
}

/* A QUERY; the completion's status, info copied to out (olen bytes). */
static inline uint32_t g_query(struct enl_net_dev *d, uint32_t oid, const void *in,
			uint32_t ilen, void *out, uint32_t *olen)
{
	uint8_t b[512];
	struct enl_rndis_hdr *h = (void *)b;
	struct enl_rndis_query_request *q = (void *)(h + 1);
	const struct enl_rndis_query_complete *c;
	const uint8_t *m;
	uint32_t len;

	memset(b, 0, sizeof(b));
	h->type = ENL_RNDIS_MSG_QUERY;
	h->len = sizeof(*h) + sizeof(*q) + ilen;
	q->req_id = ++g.req_id;
	q->oid = oid;
	q->info_buflen = ilen;
	q->info_buf_offset = ilen ? sizeof(*q) : 0;
	if (ilen)
		memcpy(q + 1, in, ilen);
	g.nxfers = 0;
	if (g_send(d, b, h->len) != ENL_NVSP_STAT_SUCCESS)
		return 0xdead0001;
	m = g_last_msg(0, &len);
	if (!m || len < 8 + sizeof(*c) ||
	    ((const struct enl_rndis_hdr *)m)->type != ENL_RNDIS_MSG_QUERY_C)
		return 0xdead0002;
	c = (const void *)(m + 8);
	if (c->req_id != g.req_id)
		return 0xdead0003;
	if (olen) {
		*olen = c->info_buflen;
		if (c->info_buflen) {
			if (c->info_buf_offset < sizeof(*c) ||
			    8 + c->info_buf_offset + c->info_buflen > len)
				return 0xdead0004;
			memcpy(out, m + 8 + c->info_buf_offset, c->info_buflen);
		}
	}
	g_complete_all(d);
	return c->status;
}

static inline uint32_t g_set(struct enl_net_dev *d, uint32_t oid, const void *in,
		      uint32_t ilen)
{
	uint8_t b[4096];
	struct enl_rndis_hdr *h = (void *)b;
	struct enl_rndis_set_request *s = (void *)(h + 1);
	const struct enl_rndis_set_complete *c;
	const uint8_t *m;
	uint32_t len;

	memset(b, 0, sizeof(b));
	h->type = ENL_RNDIS_MSG_SET;
	h->len = sizeof(*h) + sizeof(*s) + ilen;
	s->req_id = ++g.req_id;
	s->oid = oid;
	s->info_buflen = ilen;
	s->info_buf_offset = sizeof(*s);
	memcpy(s + 1, in, ilen);
	g.nxfers = 0;
	if (g_send(d, b, h->len) != ENL_NVSP_STAT_SUCCESS)
		return 0xdead0001;
	m = g_last_msg(0, &len);
	if (!m || len != 8 + sizeof(*c) ||
	    ((const struct enl_rndis_hdr *)m)->type != ENL_RNDIS_MSG_SET_C)
		return 0xdead0002;
	c = (const void *)(m + 8);
	if (c->req_id != g.req_id)
		return 0xdead0003;
	g_complete_all(d);
	return c->status;
}

static inline uint32_t g_rndis_init(struct enl_net_dev *d,
			     struct enl_rndis_init_complete *out)
{
	struct {
		struct enl_rndis_hdr h;
		struct enl_rndis_init_request q;
	} ENL_PACKED m = {
		{ ENL_RNDIS_MSG_INIT, sizeof(m) },
		{ .req_id = ++g.req_id, .major = 1, .minor = 0,
		  .max_xfer_size = 0x4000 },
	};
	const uint8_t *r;
	uint32_t len;

	g.nxfers = 0;
	if (g_send(d, &m, sizeof(m)) != ENL_NVSP_STAT_SUCCESS)
		return 0xdead0001;
	r = g_last_msg(0, &len);
	if (!r || len != 8 + sizeof(*out) ||
	    ((const struct enl_rndis_hdr *)r)->type != ENL_RNDIS_MSG_INIT_C)
		return 0xdead0002;
	memcpy(out, r + 8, sizeof(*out));
	g_complete_all(d);
	return out->req_id == g.req_id ? out->status : 0xdead0003;
}

/* A device brought up the way Linux's netvsc does, at NVSP `top`. */
static inline struct enl_net_dev *g_up(uint32_t top)
{
	struct enl_net_cfg cfg = g_cfg;
	struct enl_rndis_init_complete ic;
	struct enl_net_dev *d;

	cfg.max_nvsp_version = top;
	d = enl_net_new(&cfg, &g_ops, NULL);
	if (!d || !g_connect(d, 1500) || g_rndis_init(d, &ic)) {
		enl_net_free(d);
		return NULL;
	}
	return d;
}

#endif /* ENL_TEST_NET_GUEST_H */
