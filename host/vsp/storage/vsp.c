// SPDX-License-Identifier: GPL-2.0-only
/*
 * The storage VSP's VMBus glue: for each open channel of a controller, a
 * storage queue and a VMSTOR engine (vstor.h) on the channel's worker.
 *
 * Packets are read in on_signal, at most STOR_BUDGET a pass: in-band ones
 * go to the engine as they are, GPA-direct ones after the server's parser
 * has turned their page ranges into iovecs over guest RAM (no copy). The
 * I/O they need reaches the kernel in one io_uring submission at the end
 * of the pass; the queue's eventfd, a source on the worker's context,
 * reaps finished commands and the engine's completions go out between
 * batch_begin/end: one guest signal per batch. A pass is a batch too,
 * except that once its inline I/O (tmpfs) copied STOR_FLUSH_BYTES the
 * answers written so far are signalled at once (enl_vsp_batch_flush), so
 * the guest works on them while large copies go on.
 *
 * Back-pressure, so that a guest cannot make the host queue without
 * bound: when the guest's ring has no room for an answer the engine keeps
 * it, the guest is asked to signal once there is room, and nothing more is
 * read until the engine has flushed; at ENL_STOR_VSP_MAX_OUTSTANDING SRBs
 * in flight the engine refuses the next (-EBUSY), which is held here and
 * offered again once an SRB completes. on_signal (not the server's default
 * drain) because the guest's signal on freed room must flush the engine
 * even when it sent nothing new.
 *
 * While the guest keeps sending, its signals are masked from the end of
 * a pass that finds more than one request (or any while masked) and the
 * ring is looked at every STOR_POLL_US instead (vsp_poll.h); the first
 * look that finds nothing unmasks. A lone request leaves them on, but
 * for a probe now and then (STOR_PROBE_US). A doorbell costs an emulated
 * guest's vCPU far more than a look costs us.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <enlighten/guids.h>
#include <enlighten/ring.h>

#include "stor_vsp.h"
#include "vsp.h"

#define STOR_BUDGET		64
#define STOR_QUEUE_DEPTH	128
/* Iovec pieces of one SRB: every page of the largest transfer, unaligned. */
#define SRB_MAX_IOV		(ENL_STOR_MAX_TRANSFER / 4096 + 2)
/*
 * How soon a busy channel's ring is looked at with the guest's signals
 * masked (vsp_poll.h): below the time a guest with one request
 * outstanding takes from an answer to its next request (some 60-100 us
 * at 1 vCPU under TCG without an I/O scheduler), so that its next
 * request finds the signals on again; while the guest streams (2 or
 * more requests between looks), every 200 us, so that its answers come
 * in batches.
 */
#define STOR_POLL_US		50
#define STOR_POLL_STREAM_US	200
/*
 * A guest that submits its requests one by one with many outstanding
 * (fio at QD32 with a CPU-bound vCPU: each answered before the next comes)
 * sends a lone packet each pass, as one with a single request outstanding
 * does. Some lone requests probe (vsp_poll.h probe_us): a look this much
 * later that finds 2 or more starts a stream. At 1 vCPU under TCG, 4k
 * randwrite QD32: 0.4 doorbells and 0.5 interrupts an I/O without, 0.04
 * and 0.25 with (docs/storage.md); the probe's backoff keeps a guest with
 * one request outstanding from waiting for the look but seldom.
 */
#define STOR_PROBE_US		200
/*
 * Data a pass may copy inline (tmpfs) while answers it already wrote wait
 * for the pass's one signal: beyond it the guest is signalled at once, so
 * that it takes those answers and sends more while we copy on (a 1 MiB
 * write is some 300 us of copying).
 */
#define STOR_FLUSH_BYTES	(256u << 10)

struct stor_chan {
	struct enl_stor_ctrl *c;
	struct enl_vsp_channel *ch;
	struct enl_stor_queue *q;
	struct enl_vstor *v;
	GSource *fd_src;
	uint8_t *buf;			/* the packet being handled */
	uint32_t buf_len;
	struct enl_ring_pkt held_pkt;	/* in buf, refused with -EBUSY */
	bool held;
	GList *delayed;			/* struct delayed: fault injection */
	struct enl_vsp_poll poll;	/* looks at a busy ring */
	struct iovec iov[SRB_MAX_IOV];
};

/* An answer held back by `disk fault delay`, sent from a timeout. */
struct delayed {
	struct stor_chan *sc;
	GSource *src;
	uint64_t trans_id;
	struct enl_vstor_packet pkt;
};

/* ---- The engine's way out ---- */

static int send_now(struct stor_chan *sc, uint64_t trans_id,
		    const struct enl_vstor_packet *pkt);

static gboolean send_delayed(gpointer data)
{
	struct delayed *d = data;
	struct stor_chan *sc = d->sc;
	struct enl_ring_iov iov = { &d->pkt, sizeof(d->pkt) };

	/* No room: the timeout comes round again. */
	if (enl_vsp_send(sc->ch, ENL_VMPKT_COMP, 0, d->trans_id, &iov, 1) ==
	    -EAGAIN)
		return G_SOURCE_CONTINUE;
	sc->delayed = g_list_remove(sc->delayed, d);
	g_source_unref(d->src);
	g_free(d);
	return G_SOURCE_REMOVE;
}

static void delay_answer(struct stor_chan *sc, uint64_t trans_id,
			 const struct enl_vstor_packet *pkt, uint32_t ms)
{
	struct delayed *d = g_new0(struct delayed, 1);

	d->sc = sc;
	d->trans_id = trans_id;
	d->pkt = *pkt;
	d->src = g_timeout_source_new(ms ? ms : 1);
	g_source_set_callback(d->src, send_delayed, d, NULL);
	g_source_attach(d->src, enl_vsp_context(sc->ch));
	sc->delayed = g_list_prepend(sc->delayed, d);
}

static void drop_delayed(struct stor_chan *sc)
{
	for (GList *l = sc->delayed; l; l = l->next) {
		struct delayed *d = l->data;

		g_source_destroy(d->src);
		g_source_unref(d->src);
		g_free(d);
	}
	g_list_free(sc->delayed);
	sc->delayed = NULL;
}

/*
 * An SRB's answer when a fault is armed: dropped (the engine thinks it
 * went), delayed, or sent corrupted; a send's result as send_pkt's.
 */
static int inject(struct stor_chan *sc, uint64_t trans_id,
		  const struct enl_vstor_packet *pkt)
{
	struct enl_stor_fault *f = &sc->c->owner->fault;
	struct enl_vstor_packet bad;
	uint32_t ms = 0;

	switch (enl_stor_fault_take(f, &ms)) {
	case ENL_STOR_FAULT_DROP:
		return 0;
	case ENL_STOR_FAULT_DELAY:
		delay_answer(sc, trans_id, pkt, ms);
		return 0;
	case ENL_STOR_FAULT_CORRUPT:
		bad = *pkt;
		enl_stor_fault_corrupt(&bad, __atomic_load_n(&f->corrupted,
							     __ATOMIC_RELAXED));
		return send_now(sc, trans_id, &bad);
	default:
		return send_now(sc, trans_id, pkt);
	}
}

static int send_pkt(void *ctx, uint64_t trans_id,
		    const struct enl_vstor_packet *pkt)
{
	struct stor_chan *sc = ctx;

	if (trans_id && __atomic_load_n(&sc->c->owner->fault.left,
					__ATOMIC_RELAXED) &&
	    enl_stor_fault_is_srb_answer(pkt))
		return inject(sc, trans_id, pkt);
	return send_now(sc, trans_id, pkt);
}

static int send_now(struct stor_chan *sc, uint64_t trans_id,
		    const struct enl_vstor_packet *pkt)
{
	struct enl_ring_iov iov = { pkt, sizeof(*pkt) };
	/* Answers are completions of the guest's requests; ENUMERATE_BUS is not. */
	uint16_t type = trans_id ? ENL_VMPKT_COMP : ENL_VMPKT_DATA_INBAND;
	int ret;

	for (;;) {
		ret = enl_vsp_send(sc->ch, type, 0, trans_id, &iov, 1);
		if (ret != -EAGAIN)
			return ret;
		/* The guest signals once there is room: on_signal flushes. */
		if (!enl_vsp_wait_for_space(sc->ch, sizeof(*pkt)))
			return -EAGAIN;
	}
}

/* The guest's CREATE_SUB_CHANNELS: offers made on the main loop next. */
static int make_subchannels(void *ctx, uint16_t n)
{
	struct stor_chan *sc = ctx;
	int ret = enl_vsp_create_subchannels(sc->ch, n);

	return ret < 0 ? ret : 0;
}

static const struct enl_vstor_ops stor_ops = {
	.send = send_pkt,
	.create_subchannels = make_subchannels,
};

/* ---- Packets ---- */

/* One packet to the engine: 0, or -EBUSY to hold it for later. */
static int deliver(struct stor_chan *sc, const struct enl_ring_pkt *pkt,
		   const uint8_t *data)
{
	struct enl_gpa_direct gd = { .iov = sc->iov, .max_iov = SRB_MAX_IOV };
	int ret;

	switch (pkt->type) {
	case ENL_VMPKT_DATA_INBAND:
		ret = enl_vstor_packet(sc->v, pkt->trans_id,
				       data + pkt->hdr_len,
				       pkt->len - pkt->hdr_len, NULL, 0);
		break;
	case ENL_VMPKT_DATA_USING_GPA_DIRECT:
		/* Ranges outside guest RAM or malformed: counted, dropped. */
		if (enl_vsp_gpa_direct(sc->ch, pkt, data, &gd)) {
			__atomic_add_fetch(&sc->c->st.bad_gpa, 1,
					   __ATOMIC_RELAXED);
			return 0;
		}
		ret = enl_vstor_packet(sc->v, pkt->trans_id, gd.payload,
				       gd.payload_len, gd.iov, gd.niov);
		break;
	default:
		__atomic_add_fetch(&sc->c->st.bad_type, 1, __ATOMIC_RELAXED);
		return 0;
	}
	if (ret == -EBUSY)
		__atomic_add_fetch(&sc->c->st.held, 1, __ATOMIC_RELAXED);
	/* -EBADMSG: counted and answered by the engine. */
	return ret == -EBUSY ? -EBUSY : 0;
}

/* ---- The pass ---- */

/* Bytes the queue moved so far (inline I/O counts as it is done). */
static uint64_t moved_bytes(struct stor_chan *sc)
{
	const struct enl_stor_stats *st = enl_stor_queue_stats(sc->q);

	return st->read_bytes + st->written_bytes;
}

static void stor_signal(struct enl_vsp_channel *ch)
{
	struct stor_chan *sc = enl_vsp_priv(ch);
	struct enl_ring_pkt pkt;
	unsigned int n = 0;
	uint64_t mark;
	int ret;

	/*
	 * Still no room: the guest signals again once it read (that signal
	 * is not masked), and the pass after it decides about polling.
	 */
	if (!sc || enl_vstor_flush(sc->v))
		return;
	if (sc->held) {
		if (deliver(sc, &sc->held_pkt, sc->buf))
			goto out;	/* an SRB's completion kicks us */
		sc->held = false;
	}
	mark = moved_bytes(sc);
	while (n < STOR_BUDGET) {
		ret = enl_vsp_recv_next(ch, &sc->buf, &sc->buf_len, &pkt);
		if (ret < 0)
			break;	/* empty, closing, or the ring is corrupt (counted) */
		n++;
		if (deliver(sc, &pkt, sc->buf)) {
			sc->held_pkt = pkt;
			sc->held = true;
			break;
		}
		if (moved_bytes(sc) - mark >= STOR_FLUSH_BYTES) {
			enl_vsp_batch_flush(ch);
			mark = moved_bytes(sc);
		}
	}
	if (n == STOR_BUDGET)
		enl_vsp_kick(ch);	/* more may wait: after other work */
out:
	enl_vsp_recv_done(ch);
	/* The pass's I/O in one system call. */
	enl_stor_queue_kick(sc->q);
	enl_vsp_poll_after(&sc->poll, n);
}

static gboolean on_queue_fd(gint fd, GIOCondition cond, gpointer data)
{
	struct stor_chan *sc = data;

	(void)fd;
	(void)cond;
	__atomic_add_fetch(&sc->c->st.reaps, 1, __ATOMIC_RELAXED);
	enl_vsp_batch_begin(sc->ch);
	enl_stor_queue_reap(sc->q);
	enl_vsp_batch_end(sc->ch);
	/* An SRB finished: a held packet may go in now. */
	if (sc->held)
		enl_vsp_kick(sc->ch);
	return G_SOURCE_CONTINUE;
}

/* ---- Channel life ---- */

static int stor_open(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	struct enl_stor_ctrl *c = enl_vsp_state(ch);
	struct stor_chan *sc;

	(void)user_data;
	if (!c || c->open)
		return -EBUSY;
	sc = g_new0(struct stor_chan, 1);
	sc->c = c;
	sc->ch = ch;
	sc->buf_len = 4096;
	sc->buf = g_malloc(sc->buf_len);
	sc->q = enl_stor_queue_new(c->t, STOR_QUEUE_DEPTH);
	sc->v = sc->q ? enl_vstor_new(c->t, sc->q, &c->cfg, &stor_ops, sc) :
			NULL;
	if (!sc->v) {
		if (sc->q)
			enl_stor_queue_free(sc->q);
		g_free(sc->buf);
		g_free(sc);
		return -ENOMEM;
	}
	sc->fd_src = enl_vsp_fd_watch(ch, enl_stor_queue_fd(sc->q),
				      on_queue_fd, sc);
	sc->poll.looks = &c->st.polls;
	sc->poll.unmasks = &c->st.unmasks;
	sc->poll.stream_us = STOR_POLL_STREAM_US;
	sc->poll.probe_us = STOR_PROBE_US;
	sc->poll.probes = &c->st.probes;
	sc->poll.probe_hits = &c->st.probe_hits;
	enl_vsp_poll_open(&sc->poll, ch, STOR_POLL_US);
	enl_vsp_set_priv(ch, sc);
	c->open = sc;
	c->st.opens++;
	return 0;
}

static void stor_close(struct enl_vsp_channel *ch)
{
	struct stor_chan *sc = enl_vsp_priv(ch);

	if (!sc)
		return;
	sc->c->open = NULL;
	g_source_destroy(sc->fd_src);
	g_source_unref(sc->fd_src);
	enl_vsp_poll_close(&sc->poll);
	/* Waits for the SRBs in flight; their answers go nowhere. */
	enl_vstor_free(sc->v);
	drop_delayed(sc);
	enl_stor_queue_free(sc->q);
	g_free(sc->buf);
	enl_vsp_set_priv(ch, NULL);
	g_free(sc);
}

bool enl_stor_ctrl_enumerate(struct enl_stor_ctrl *c)
{
	struct stor_chan *sc = c->open;

	if (!sc || !enl_vstor_ready(sc->v))
		return false;
	enl_vsp_batch_begin(sc->ch);
	enl_vstor_enumerate(sc->v);
	enl_vsp_batch_end(sc->ch);
	return true;
}

bool enl_stor_ctrl_engine_stats(struct enl_stor_ctrl *c,
				struct enl_vstor_stats *st, uint16_t *version)
{
	memset(st, 0, sizeof(*st));
	*version = 0;
	if (!c->open)
		return false;
	*st = *enl_vstor_stats(c->open->v);
	*version = enl_vstor_version(c->open->v);
	return true;
}

void enl_stor_ctrl_io_stats(struct enl_stor_ctrl *c, struct enl_stor_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (c->open)
		*st = *enl_stor_queue_stats(c->open->q);
}

unsigned int enl_stor_ctrl_inflight(struct enl_stor_ctrl *c)
{
	return c->open ? enl_stor_queue_inflight(c->open->q) : 0;
}

/* ---- The controllers ---- */

/*
 * The state of a new offer: a controller with its own target for a
 * primary; for a sub-channel, one that serves its primary's target
 * without the handshake.
 */
static struct enl_stor_ctrl *ctrl_new(struct enl_vsp_channel *ch,
				      const char *name, unsigned int luns)
{
	struct enl_vsp_channel *primary = enl_vsp_primary(ch);
	struct enl_stor_ctrl *c = g_new0(struct enl_stor_ctrl, 1);

	c->name = name;
	c->ch = ch;
	c->cfg.max_transfer = ENL_STOR_MAX_TRANSFER;
	c->cfg.max_outstanding = ENL_STOR_VSP_MAX_OUTSTANDING;
	if (primary) {
		c->owner = enl_vsp_state(primary);
		if (!c->owner) {
			g_free(c);
			return NULL;
		}
		c->t = c->owner->t;
		c->cfg.subchannel = true;
		return c;
	}
	c->owner = c;
	c->t = enl_stor_target_new(luns);
	if (!c->t) {
		g_free(c);
		return NULL;
	}
	return c;
}

static void *scsi_create(struct enl_vsp_channel *ch)
{
	struct enl_stor_ctrl *c = ctrl_new(ch, "scsi",
					   ENL_VSTOR_SCSI_MAX_LUNS);

	if (c)
		c->cfg.max_subchannels = ENL_STOR_VSP_MAX_SUBCHANNELS;
	return c;
}

static void *ide_create(struct enl_vsp_channel *ch)
{
	struct enl_stor_ctrl *c = ctrl_new(ch, "ide", ENL_VSTOR_IDE_MAX_LUNS);

	if (c)
		c->cfg.any_target = true;
	return c;
}

static void ctrl_destroy(void *state)
{
	struct enl_stor_ctrl *c = state;

	if (c->owner == c)
		enl_stor_target_free(c->t);
	g_free(c);
}

const struct enl_vsp_class enl_vsp_scsi_class = {
	.name = "scsi",
	.class_guid = ENL_GUID_SCSI,
	.create = scsi_create,
	.destroy = ctrl_destroy,
	.on_open = stor_open,
	.on_signal = stor_signal,
	.on_close = stor_close,
	.save = enl_stor_save,
	.reoffer = enl_stor_reoffer,
	.forget = enl_stor_forget,
};

const struct enl_vsp_class enl_vsp_ide_class = {
	.name = "ide",
	.class_guid = ENL_GUID_IDE,
	.create = ide_create,
	.destroy = ctrl_destroy,
	.on_open = stor_open,
	.on_signal = stor_signal,
	.on_close = stor_close,
	.save = enl_stor_save,
	.reoffer = enl_stor_reoffer,
	.forget = enl_stor_forget,
};
