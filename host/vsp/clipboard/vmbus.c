// SPDX-License-Identifier: GPL-2.0-only
/*
 * The clipboard service on a VMBus channel, on the channel's worker. A
 * transfer is many 8 KiB
 * packets, more than the guest's ring holds, so the engine's sends may say
 * -EAGAIN: then pending_send_sz asks the guest to signal once it has read
 * enough, and that signal resumes the engine. Hence an on_signal handler
 * of our own (the default drain only calls us when packets arrive).
 */
#include <errno.h>
#include <string.h>
#include <glib.h>
#include <enlighten/guids.h>

#include "clip_glue.h"
#include "ctl.h"
#include "server.h"
#include "vsp.h"

/*
 * Each offer's engine and receive buffer (grown to the largest packet the
 * guest sent), on its channel's worker. A ctl verb waiting on the main
 * loop for the guest holds a reference: the channel may go meanwhile.
 */
struct clip_inst {
	struct enl_clip_host h;
	uint8_t *rxbuf;
	uint32_t rxbuf_len;
	int refs;		/* atomic */
	int gone;		/* atomic: its channel was freed */
};

static int clip_send(void *tctx, const void *pkt, size_t len)
{
	struct enl_vsp_channel *ch = tctx;
	struct enl_ring_iov iov = { pkt, (uint32_t)len };
	int ret;

	for (;;) {
		ret = enl_vsp_send(ch, ENL_VMPKT_DATA_INBAND, 0, 0, &iov, 1);
		if (ret != -EAGAIN)
			return ret;
		/* Room may have appeared before the guest saw the request. */
		if (!enl_vsp_wait_for_space(ch, (uint32_t)len))
			return -EAGAIN;
	}
}

static void *clip_create(struct enl_vsp_channel *ch)
{
	struct clip_inst *in = g_new0(struct clip_inst, 1);

	(void)ch;
	enl_clip_host_init(&in->h, 0);
	in->rxbuf_len = 2 * ENL_CLIP_MAX_PKT_SIZE;
	in->rxbuf = g_malloc(in->rxbuf_len);
	in->refs = 1;
	return in;
}

static void clip_unref(struct clip_inst *in)
{
	if (!g_atomic_int_dec_and_test(&in->refs))
		return;
	enl_clip_host_free(&in->h);
	g_free(in->rxbuf);
	g_free(in);
}

static void clip_destroy(void *state)
{
	struct clip_inst *in = state;

	g_atomic_int_set(&in->gone, 1);
	clip_unref(in);
}

static int clip_open(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	struct clip_inst *in = enl_vsp_state(ch);

	(void)user_data;
	enl_vsp_set_priv(ch, &in->h);
	return enl_clip_host_open(&in->h, clip_send, ch);
}

/* Packets one pass takes before it yields the (main) loop. */
#define CLIP_BUDGET	64

/*
 * The packets in the ring, at most CLIP_BUDGET: 2 if it stopped there,
 * 1 if it read any, 0 if none, -errno to stop.
 */
static int drain_once(struct enl_vsp_channel *ch, struct enl_clip_host *h)
{
	struct clip_inst *in = enl_vsp_state(ch);
	struct enl_ring_pkt pkt;
	int ret, got = 0, n = 0;

	for (;;) {
		if (n == CLIP_BUDGET) {
			enl_vsp_recv_done(ch);
			return 2;
		}
		ret = enl_vsp_recv(ch, in->rxbuf, in->rxbuf_len, &pkt);
		if (ret == -ENOBUFS) {
			/* Bounded by the guest's ring size, which it paid for. */
			in->rxbuf_len = pkt.len;
			in->rxbuf = g_realloc(in->rxbuf, in->rxbuf_len);
			continue;
		}
		if (ret < 0)
			break;
		got = 1;
		n++;
		/* The engine drops (and counts) whatever is malformed. */
		if (pkt.type == ENL_VMPKT_DATA_INBAND && pkt.hdr_len <= pkt.len)
			enl_clip_host_recv(h, in->rxbuf + pkt.hdr_len,
					   pkt.len - pkt.hdr_len);
		if (enl_vsp_priv(ch) != h)
			return -ENOTCONN;
	}
	enl_vsp_recv_done(ch);
	return ret == -EAGAIN ? got : ret;
}

static void clip_signal(struct enl_vsp_channel *ch)
{
	struct enl_clip_host *h = enl_vsp_priv(ch);
	int ret;

	if (!h)
		return;
	do {
		/* The guest's signal may mean "room again" as well as "data". */
		if (enl_clip_blocked(&h->e))
			enl_clip_resume(&h->e);
		/*
		 * Read until a pass after the commit finds nothing: a packet
		 * written before the commit raised no signal (the guest saw
		 * a non-empty ring), so we must look once more ourselves.
		 */
		ret = drain_once(ch, h);
	} while (ret == 1);
	/* A guest that keeps the ring full gets the loop in turns only. */
	if (ret == 2)
		enl_vsp_kick(ch);
}

static void clip_close(struct enl_vsp_channel *ch)
{
	enl_clip_host_close(enl_vsp_priv(ch));
}

static const struct enl_vsp_class clip_class = {
	.name = "clipboard",
	.class_guid = ENL_GUID_CLIPBOARD,
	.on_open = clip_open,
	.on_signal = clip_signal,
	.on_close = clip_close,
	.create = clip_create,
	.destroy = clip_destroy,
};

int enl_clip_register_vmbus(struct enl_vmbus_server *srv)
{
	return enl_vmbus_server_add_class(srv, &clip_class);
}

struct verb_target {
	struct enl_vsp_channel *ch;
	struct clip_inst *in;
};

struct call {
	void (*fn)(struct enl_clip_host *h, void *data);
	struct enl_clip_host *h;
	void *data;
};

static void call_on_worker(void *data)
{
	struct call *c = data;

	c->fn(c->h, c->data);
}

static bool call_engine(void *ctx, void (*fn)(struct enl_clip_host *h,
					      void *data), void *data)
{
	struct verb_target *t = ctx;
	struct call c = { fn, &t->in->h, data };

	/* Freeing the channel is the main thread's work, as is this call. */
	if (g_atomic_int_get(&t->in->gone))
		return false;
	enl_vsp_call(t->ch, call_on_worker, &c);
	return true;
}

/* The verb on the offer named by --relid N, or the first one. */
static int ctl_clipboard(void *ctx, struct enl_ctl_req *req)
{
	struct verb_target t;
	const struct enl_clip_ctl_ops ops = { call_engine, &t };
	int ret;

	t.ch = enl_vsp_ctl_find(ctx, "clipboard", &req->argc, req->argv,
				req->out);
	t.in = t.ch ? enl_vsp_state(t.ch) : NULL;
	if (!t.in)
		return -ENODEV;
	g_atomic_int_inc(&t.in->refs);
	ret = enl_clip_ctl(&ops, req);
	clip_unref(t.in);
	return ret;
}

void enl_clip_register_ctl_vmbus(struct enl_vmbus_server *srv,
				 struct enl_ctl *ctl)
{
	static const struct enl_ctl_verb verbs[] = {
		{ "clipboard", ctl_clipboard,
		  ENL_CLIP_CTL_USAGE " [--relid N]", 0 },
	};

	ENL_CTL_ADD_VERBS(ctl, srv, verbs);
}
