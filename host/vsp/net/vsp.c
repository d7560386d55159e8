// SPDX-License-Identifier: GPL-2.0-only
/*
 * The network VSP's VMBus glue: for each channel of a NIC, queue `index`
 * of its engine (net_dev.h) and of its TAP (net_tap.h), on the channel's
 * worker.
 *
 * Guest to host: packets are read in on_signal, at most NET_BUDGET a pass.
 * In-band ones are NVSP messages for the engine; GPA-direct ones are
 * SEND_RNDIS_PKT with the frame in guest pages, which the server's parser
 * turns into iovecs over guest RAM (the engine writes the frame to the TAP
 * from there, no copy); completions finish our transfer-page packets
 * through the queue's in-flight table. The engine's answer completes the
 * guest's packet when the guest asked for it; an answer the ring has no
 * room for is kept, the guest is asked to signal on room, and nothing more
 * is read until it is out, so a guest that stops reading cannot grow us.
 *
 * Host to guest: the queue's TAP fd is a source on the worker's context.
 * Frames go into free receive sections, up to 64 in one transfer-page
 * packet, sent between batch_begin/end (one signal per batch). Reading
 * stops while no section is free (a timer with backoff looks again, and a
 * completion on the queue resumes at once) or while the guest's ring has
 * no room for a whole transfer (the guest's signal on room resumes);
 * before the guest gave a receive buffer nothing is read and the kernel
 * keeps (or drops) the frames.
 *
 * The engine's setup state is the primary channel's: setup messages on a
 * sub-channel are refused (counted by the engine), and before the primary
 * changes or drops the guest's buffers (INIT, SEND/REVOKE_*_BUF, close)
 * every sub-channel's queue is stopped on its own context, so no other
 * thread is inside the data path then; a stopped queue does nothing until
 * the guest opens that channel again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <enlighten/guids.h>
#include <enlighten/ring.h>

#include "nic.h"
#include "server.h"

#define NET_BUDGET		64
/* Transfers one channel may have out: more than the sections can fill. */
#define NIC_INFLIGHT_MAX	65536
/* Iovec pieces of a GPA-direct packet (the engine takes up to 72). */
#define NIC_GD_MAX_IOV		72
/* A transfer-page packet's payload at its largest. */
#define NIC_XFER_MAX_BYTES	(sizeof(struct enl_vmtransfer_page_packet_header) - \
				 sizeof(struct enl_vmpacket_descriptor) + \
				 ENL_NET_XFER_MAX_RANGES * \
				 sizeof(struct enl_vmtransfer_page_range) + \
				 sizeof(struct enl_nvsp_message))
/* TAP frames one wake-up hands on before other sources get a turn. */
#define RX_BUDGET		256
#define RETRY_MIN_MS		1
#define RETRY_MAX_MS		50

/* ---- The spec the next offer takes, and the NICs there are ---- */

static GMutex nics_lock;
static struct enl_nic_spec next_spec;
static bool next_spec_set;
static int create_err;
static char *create_msg;
static GPtrArray *nics;		/* struct enl_nic * */
static unsigned int mac_serial;

void enl_nic_set_next(const struct enl_nic_spec *spec)
{
	g_mutex_lock(&nics_lock);
	next_spec = *spec;
	next_spec_set = true;
	create_err = 0;
	g_clear_pointer(&create_msg, g_free);
	g_mutex_unlock(&nics_lock);
}

int enl_nic_take_error(char **msg)
{
	int err;

	g_mutex_lock(&nics_lock);
	err = create_err;
	*msg = create_msg;
	create_msg = NULL;
	create_err = 0;
	/* An offer that found no relid never took it: it is not the next's. */
	next_spec_set = false;
	g_mutex_unlock(&nics_lock);
	return err;
}

int enl_nic_offer(struct enl_vmbus_server *srv, const struct enl_nic_spec *spec,
		  int *err, char **why)
{
	int relid;

	enl_nic_set_next(spec);
	relid = enl_vmbus_server_offer(srv, "network");
	/* Also drops the spec when no relid was free to offer on. */
	*err = enl_nic_take_error(why);
	return relid;
}

unsigned int enl_nic_relids(uint32_t *relids, unsigned int max)
{
	unsigned int n = 0;

	g_mutex_lock(&nics_lock);
	for (guint i = 0; nics && i < nics->len && n < max; i++)
		relids[n++] = ((struct enl_nic *)nics->pdata[i])->relid;
	g_mutex_unlock(&nics_lock);
	return n;
}

struct enl_nic *enl_nic_of_state(void *state)
{
	return state ? ((struct nic_queue *)state)->nic : NULL;
}

const char *enl_nic_tap_name(const struct enl_nic *n)
{
	return n->tap ? enl_tap_name(n->tap) : "";
}

/* ---- Sending ---- */

static struct nic_queue *queue_get(struct enl_nic *n, unsigned int i)
{
	return i < ENL_NIC_MAX_QUEUES ? n->queues[i] : NULL;
}

/* A completion of the guest's packet tid; -EAGAIN: the guest signals on room. */
static int send_reply(struct nic_queue *q, uint64_t tid,
		      const struct enl_nvsp_message *msg, uint32_t len)
{
	struct enl_ring_iov iov = { msg, len };
	int ret;

	for (;;) {
		ret = enl_vsp_send(q->ch, ENL_VMPKT_COMP, 0, tid, &iov,
				   len ? 1 : 0);
		if (ret != -EAGAIN)
			return ret;
		if (!enl_vsp_wait_for_space(q->ch, len))
			return -EAGAIN;
	}
}

static int nic_send_xfer(void *ctx, const struct enl_net_xfer *x)
{
	struct enl_nic *n = ctx;
	uint64_t span = enl_net_recv_span(n->dev);
	int ret = -ENOTCONN;

	/*
	 * The data path checked the ring's room before it built the batch;
	 * a control message from another thread may have taken it since.
	 */
	for (int tries = 0; tries < 100; tries++) {
		struct nic_queue *q;

		g_mutex_lock(&n->lock);
		q = queue_get(n, x->queue);
		ret = q && q->open ?
		      enl_vsp_send_xfer_pages(q->ch, q_inflight(q),
					      (void *)(uintptr_t)x->tid,
					      x->pageset_id, span, x->ranges,
					      x->nranges, &x->msg,
					      sizeof(x->msg)) : -ENOTCONN;
		g_mutex_unlock(&n->lock);
		if (ret != -EAGAIN)
			break;
		g_usleep(200);
	}
	if (ret)
		nic_count(n, xfer_errors);
	return ret;
}

/* ---- The engine's other ways out ---- */

static int nic_map(void *ctx, uint32_t gpadl, struct enl_net_view *v)
{
	struct enl_nic *n = ctx;
	struct nic_queue *q0 = n->queues[0];
	struct enl_vsp_gpadl *view;
	struct iovec *iov;
	uint64_t len;
	uint32_t max;
	int slot, ret;

	if (!q0 || !q0->open)
		return -ENOTCONN;
	slot = !n->views[0].view ? 0 : !n->views[1].view ? 1 : -1;
	if (slot < 0)
		return -EBUSY;
	ret = enl_vsp_gpadl_map(q0->ch, gpadl, &view);
	if (ret)
		return ret;
	len = enl_vsp_gpadl_len(view);
	/* One piece per page at most (pages are checked guest RAM). */
	max = (uint32_t)MIN(len / 4096 + 2, 1u << 20);
	iov = g_new(struct iovec, max);
	ret = enl_vsp_gpadl_iov(view, 0, len, iov, max);
	if (ret < 0) {
		g_free(iov);
		enl_vsp_gpadl_unmap(view);
		return ret;
	}
	g_mutex_lock(&n->lock);
	n->views[slot].view = view;
	n->views[slot].handle = gpadl;
	n->views[slot].iov = iov;
	g_mutex_unlock(&n->lock);
	v->iov = iov;
	v->iovcnt = (unsigned int)ret;
	return 0;
}

static void nic_unmap(void *ctx, uint32_t gpadl)
{
	struct enl_nic *n = ctx;

	for (int i = 0; i < 2; i++) {
		struct enl_vsp_gpadl *view = n->views[i].view;

		if (!view || n->views[i].handle != gpadl)
			continue;
		g_mutex_lock(&n->lock);
		n->views[i].view = NULL;
		g_mutex_unlock(&n->lock);
		enl_vsp_gpadl_unmap(view);
		g_clear_pointer(&n->views[i].iov, g_free);
		return;
	}
}

static uint32_t nic_subchannels(void *ctx, uint32_t more)
{
	struct enl_nic *n = ctx;
	struct nic_queue *q0 = n->queues[0];
	uint32_t had = __atomic_load_n(&n->subs_wanted, __ATOMIC_RELAXED);
	uint32_t want = had + more;
	int ret;

	if (want > n->spec.queues - 1)
		want = n->spec.queues - 1;
	if (!q0 || want <= had)
		return 0;
	ret = enl_vsp_create_subchannels(q0->ch, want);
	if (ret <= (int)had)
		return 0;
	__atomic_store_n(&n->subs_wanted, (uint32_t)ret, __ATOMIC_RELAXED);
	return (uint32_t)ret - had;
}

static int nic_tx_frame(void *ctx, unsigned int queue,
			const struct virtio_net_hdr_v1 *vh,
			const struct iovec *iov, unsigned int iovcnt)
{
	struct enl_nic *n = ctx;
	struct nic_queue *q;
	size_t len = 0;
	int ret;

	if (!n->tap)
		return -ENODEV;
	ret = enl_tap_write(n->tap, queue % enl_tap_queues(n->tap), vh, iov,
			    iovcnt);
	/* Called on this queue's own context: its state stays meanwhile. */
	q = queue < ENL_NIC_MAX_QUEUES ?
	    __atomic_load_n(&n->queues[queue], __ATOMIC_ACQUIRE) : NULL;
	if (!q)
		return ret;
	if (ret) {
		__atomic_add_fetch(&q->tap_drops, 1, __ATOMIC_RELAXED);
		return ret;
	}
	for (unsigned int i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	__atomic_add_fetch(&q->frames_down, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&q->bytes_down, len, __ATOMIC_RELAXED);
	return ret;
}

static void nic_offloads(void *ctx, unsigned int tun_flags)
{
	struct enl_nic *n = ctx;

	if (n->tap && enl_tap_set_offload(n->tap, tun_flags))
		g_warning("net: %s: TUNSETOFFLOAD %#x refused",
			  enl_tap_name(n->tap), tun_flags);
}

static const struct enl_net_ops nic_ops = {
	.map_buffer = nic_map,
	.unmap_buffer = nic_unmap,
	.open_subchannels = nic_subchannels,
	.tx_frame = nic_tx_frame,
	.send_xfer = nic_send_xfer,
	.offloads_changed = nic_offloads,
};

/* ---- TAP to guest ---- */

static void rx_pump(struct nic_queue *q);

static gboolean on_tap(gint fd, GIOCondition cond, gpointer data)
{
	(void)fd;
	(void)cond;
	rx_pump(data);
	return G_SOURCE_CONTINUE;
}

static void rx_start(struct nic_queue *q)
{
	int fd;

	if (q->tap_src || !q->nic->tap || q->index >= enl_tap_queues(q->nic->tap))
		return;
	fd = enl_tap_fd(q->nic->tap, q->index);
	q->tap_src = enl_vsp_fd_watch(q->ch, fd, on_tap, q);
}

static void rx_stop(struct nic_queue *q)
{
	if (q->tap_src) {
		g_source_destroy(q->tap_src);
		g_clear_pointer(&q->tap_src, g_source_unref);
	}
	if (q->retry_src) {
		g_source_destroy(q->retry_src);
		g_clear_pointer(&q->retry_src, g_source_unref);
	}
}

static void rx_resume(struct nic_queue *q)
{
	if (!q->open || q->stopped || q->tap_src)
		return;
	rx_stop(q);
	rx_start(q);
	/* Frames read before the pause: the fd may not wake us for them. */
	if (q->tap_src && q->next_frame < q->nframes)
		rx_pump(q);
}

static gboolean on_retry(gpointer data)
{
	struct nic_queue *q = data;

	g_clear_pointer(&q->retry_src, g_source_unref);
	rx_resume(q);
	return G_SOURCE_REMOVE;
}

/* Stop reading; with a retry timer when only free sections are missing. */
static void rx_pause(struct nic_queue *q, unsigned int retry_ms)
{
	rx_stop(q);
	if (!retry_ms)
		return;
	q->retry_src = g_timeout_source_new(retry_ms);
	g_source_set_callback(q->retry_src, on_retry, q, NULL);
	g_source_attach(q->retry_src, enl_vsp_context(q->ch));
}

static void rx_pump(struct nic_queue *q)
{
	static __thread unsigned int backoff = RETRY_MIN_MS;
	struct enl_nic *n = q->nic;
	struct enl_net_xfer x;
	int budget = RX_BUDGET;
	bool drained = false;	/* the last read stopped at EAGAIN */

	if (!q->open || q->stopped)
		return;
	enl_vsp_batch_begin(q->ch);
	while (budget > 0 || q->next_frame < q->nframes) {
		if (!enl_net_free_sections(n->dev)) {
			if (!enl_net_recv_span(n->dev)) {
				/* No buffer yet: its SEND_RECV_BUF resumes. */
				rx_pause(q, 0);
				break;
			}
			nic_count(n, section_waits);
			rx_pause(q, backoff);
			backoff = MIN(backoff * 2, RETRY_MAX_MS);
			break;
		}
		if (!enl_vsp_wait_for_space(q->ch, NIC_XFER_MAX_BYTES)) {
			nic_count(n, ring_waits);
			rx_pause(q, 0);		/* the guest signals on room */
			break;
		}
		backoff = RETRY_MIN_MS;
		if (q->next_frame == q->nframes) {
			int got;

			/* Readable again, the fd wakes us: no read to fail. */
			if (drained)
				break;
			got = enl_tap_read_batch(n->tap, q->index, q->frames,
						 NIC_RX_BATCH);
			if (got < 0)
				nic_count(n, tap_errors);
			if (got <= 0)
				break;
			drained = got < NIC_RX_BATCH;
			q->nframes = (unsigned int)got;
			q->next_frame = 0;
		}
		enl_net_xfer_begin(n->dev, q->index, &x);
		while (q->next_frame < q->nframes) {
			struct enl_tap_frame *f = &q->frames[q->next_frame];
			struct iovec iov = { f->buf, f->len };

			if (enl_net_xfer_frame(n->dev, &x, &f->vh, &iov, 1) ==
			    -ENOSPC)
				break;
			q->next_frame++;
			budget--;
			__atomic_add_fetch(&q->frames_up, 1, __ATOMIC_RELAXED);
			__atomic_add_fetch(&q->bytes_up, f->len, __ATOMIC_RELAXED);
		}
		if (!x.nranges) {
			/*
			 * Sections are free, but not enough for this frame
			 * (a coalesced one takes several): wait for more.
			 */
			nic_count(n, section_waits);
			rx_pause(q, backoff);
			backoff = MIN(backoff * 2, RETRY_MAX_MS);
			break;
		}
		/* A failed send is counted (xfer_errors); its frames are lost. */
		enl_net_xfer_send(n->dev, &x);
	}
	enl_vsp_batch_end(q->ch);
}

/* ---- Guest to host ---- */

/* On a sub-channel's context: no more data path there until it reopens. */
static void stop_on_ctx(void *data)
{
	struct nic_queue *q = data;
	void *req;

	rx_stop(q);
	q->stopped = true;
	q->nframes = q->next_frame = 0;
	/* Its transfers' sections go with the engine's reset. */
	while ((req = enl_vsp_inflight_pop(q_inflight(q))))
		;
}

/* On the primary's context: stop every sub-channel's data path. */
static void stop_subs(struct enl_nic *n)
{
	struct nic_queue *subs[ENL_NIC_MAX_QUEUES];
	unsigned int k = 0;

	g_mutex_lock(&n->lock);
	for (unsigned int i = 1; i < ENL_NIC_MAX_QUEUES; i++)
		if (n->queues[i] && n->queues[i]->open)
			subs[k++] = n->queues[i];
	g_mutex_unlock(&n->lock);
	/* The queues cannot go: freeing them is the main thread's, waiting on us. */
	for (unsigned int i = 0; i < k; i++)
		enl_vsp_call(subs[i]->ch, stop_on_ctx, subs[i]);
}

static bool changes_buffers(uint32_t type)
{
	return type == ENL_NVSP_MSG_INIT ||
	       type == ENL_NVSP_MSG1_SEND_RECV_BUF ||
	       type == ENL_NVSP_MSG1_SEND_SEND_BUF ||
	       type == ENL_NVSP_MSG1_REVOKE_RECV_BUF ||
	       type == ENL_NVSP_MSG1_REVOKE_SEND_BUF;
}

static uint32_t nvsp_type(const void *msg, uint32_t len)
{
	uint32_t t = 0;

	if (len >= sizeof(t))
		memcpy(&t, msg, sizeof(t));
	return GUINT32_FROM_LE(t);
}

/* The send indirection table, once every sub-channel asked for is open. */
static void maybe_send_table(struct enl_nic *n)
{
	struct enl_nvsp_indirection_msg m;
	struct nic_queue *q0 = n->queues[0];
	uint32_t want = __atomic_load_n(&n->subs_wanted, __ATOMIC_RELAXED);
	unsigned int open = __atomic_load_n(&n->open_queues, __ATOMIC_RELAXED);
	struct enl_ring_iov iov = { &m, sizeof(m) };

	if (!want || open != want + 1 || !q0 || !q0->open ||
	    enl_net_nvsp_version(n->dev) < ENL_NVSP_VERSION_5)
		return;
	enl_net_send_table(n->dev, open, &m);
	if (!enl_vsp_send(q0->ch, ENL_VMPKT_DATA_INBAND, 0, 0, &iov, 1))
		nic_count(n, tables_sent);
}

/*
 * One packet from the ring; false when its answer is owed (the ring had
 * no room): stop reading until it is out.
 */
static bool handle(struct nic_queue *q, const struct enl_ring_pkt *pkt,
		   const uint8_t *data)
{
	struct enl_nic *n = q->nic;
	struct enl_gpa_direct gd = { .iov = q->gd_iov, .max_iov = NIC_GD_MAX_IOV };
	struct enl_nvsp_message reply;
	enum enl_net_reply r = ENL_NET_REPLY_NONE;
	const uint8_t *msg = data + pkt->hdr_len;
	uint32_t len = pkt->len - pkt->hdr_len, type;
	void *req;
	int ret;

	switch (pkt->type) {
	case ENL_VMPKT_COMP:
		req = enl_vsp_complete(q_inflight(q), pkt);
		if (!req) {
			nic_count(n, stale_completions);
			return true;
		}
		if (!q->stopped)
			enl_net_recv_complete(n->dev, (uintptr_t)req, msg, len);
		return true;
	case ENL_VMPKT_DATA_INBAND:
		type = nvsp_type(msg, len);
		if (!q->stopped && q->index == 0 && changes_buffers(type))
			stop_subs(n);
		if (!q->stopped)
			r = enl_net_nvsp(n->dev, q->index, msg, len, NULL, &reply);
		if (q->index == 0 && type == ENL_NVSP_MSG1_SEND_RECV_BUF)
			rx_resume(q);
		if (q->index == 0 && type == ENL_NVSP_MSG5_SUBCHANNEL)
			maybe_send_table(n);
		break;
	case ENL_VMPKT_DATA_USING_GPA_DIRECT:
		/* Ranges outside guest RAM or malformed: counted, dropped. */
		if (enl_vsp_gpa_direct(q->ch, pkt, data, &gd)) {
			nic_count(n, bad_gpa);
			return true;
		}
		msg = gd.payload;
		len = gd.payload_len;
		type = nvsp_type(msg, len);
		if (!q->stopped) {
			struct enl_net_view v = { gd.iov, gd.niov };

			if (q->index == 0 && changes_buffers(type))
				stop_subs(n);
			r = enl_net_nvsp(n->dev, q->index, msg, len, &v, &reply);
		}
		break;
	default:
		nic_count(n, bad_type);
		return true;
	}
	if (q->stopped && type == ENL_NVSP_MSG1_SEND_RNDIS_PKT) {
		/* Not taken: the guest hears so rather than waiting. */
		memset(&reply, 0, sizeof(reply));
		reply.hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE;
		reply.msg.rndis_complete.status = ENL_NVSP_STAT_FAIL;
		r = ENL_NET_REPLY_MSG;
	}
	if (r == ENL_NET_REPLY_NONE ||
	    !(pkt->flags & ENL_VMPKT_FLAG_COMPLETION_REQUESTED))
		return true;
	len = r == ENL_NET_REPLY_MSG ? sizeof(reply) : 0;
	ret = send_reply(q, pkt->trans_id, &reply, len);
	if (ret != -EAGAIN)
		return true;	/* sent, or the channel is going */
	nic_count(n, replies_held);
	q->owed = true;
	q->owed_tid = pkt->trans_id;
	q->owed_msg = reply;
	q->owed_len = len;
	return false;
}

static void net_signal(struct enl_vsp_channel *ch)
{
	struct nic_queue *q = enl_vsp_priv(ch);
	struct enl_ring_pkt pkt;
	unsigned int n = 0, asks = 0;
	bool comps = false;
	int ret;

	if (!q)
		return;
	if (q->owed) {
		if (send_reply(q, q->owed_tid, &q->owed_msg, q->owed_len) ==
		    -EAGAIN)
			return;		/* still no room: the guest signals again */
		q->owed = false;
	}
	while (n < NET_BUDGET) {
		ret = enl_vsp_recv_next(ch, &q->buf, &q->buf_len, &pkt);
		if (ret < 0)
			break;	/* empty, closing, or the ring is corrupt (counted) */
		n++;
		/*
		 * A completion answers our transfer: a ping's comes with its
		 * reply, one request outstanding all the same.
		 */
		if (pkt.type != ENL_VMPKT_COMP)
			asks++;
		else
			comps = true;
		__atomic_add_fetch(&q->guest_packets, 1, __ATOMIC_RELAXED);
		if (!handle(q, &pkt, q->buf))
			break;
	}
	if (n == NET_BUDGET)
		enl_vsp_kick(ch);	/* more may wait: after other work */
	enl_vsp_recv_done(ch);
	/* Completions alone still show a guest at work (a receiving one). */
	enl_vsp_poll_after(&q->poll, asks ? asks : comps);
	/*
	 * Sections came back, or the guest signalled room in its ring: a
	 * paused TAP reader goes on.
	 */
	if (!q->tap_src)
		rx_resume(q);
}

/* ---- Channel life ---- */

static int net_open(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	struct nic_queue *q = enl_vsp_state(ch);
	struct enl_nic *n;

	(void)user_data;
	if (!q || q->open)
		return -EBUSY;
	n = q->nic;
	if (q->index) {
		struct nic_queue *q0 = n->queues[0];

		/* Sub-channels serve a set-up primary only. */
		if (!q0 || !q0->open)
			return -ENOTCONN;
	}
	q->buf_len = 4096;
	q->buf = g_malloc(q->buf_len);
	q->gd_iov = g_new(struct iovec, NIC_GD_MAX_IOV);
	q->frames = g_new0(struct enl_tap_frame, NIC_RX_BATCH);
	/* Untouched pages of it cost nothing; big frames come with GSO only. */
	q->frame_mem = g_malloc((size_t)NIC_RX_BATCH * NIC_FRAME_CAP);
	for (unsigned int i = 0; i < NIC_RX_BATCH; i++) {
		q->frames[i].buf = q->frame_mem + (size_t)i * NIC_FRAME_CAP;
		q->frames[i].cap = NIC_FRAME_CAP;
	}
	q->nframes = q->next_frame = 0;
	q->owed = false;
	q->stopped = false;
	q->poll.looks = &n->st.poll_looks;
	q->poll.unmasks = &n->st.poll_unmasks;
	q->poll.resume_us = NIC_RESUME_US;
	enl_vsp_poll_open(&q->poll, ch, NIC_POLL_US);
	if (q->index == 0) {
		enl_net_reset(n->dev);
		__atomic_store_n(&n->subs_wanted, 0, __ATOMIC_RELAXED);
	} else if (n->tap && q->index < enl_tap_queues(n->tap)) {
		enl_tap_set_queue(n->tap, q->index, true);
	}
	g_mutex_lock(&n->lock);
	q->open = true;
	g_mutex_unlock(&n->lock);
	enl_vsp_set_priv(ch, q);
	__atomic_add_fetch(&n->open_queues, 1, __ATOMIC_RELAXED);
	nic_count(n, opens);
	if (q->index)
		rx_start(q);	/* the primary's starts with its buffer */
	if (q->index)
		maybe_send_table(n);
	return 0;
}

static void net_close(struct enl_vsp_channel *ch)
{
	struct nic_queue *q = enl_vsp_priv(ch);
	struct enl_nic *n;

	if (!q)
		return;
	n = q->nic;
	rx_stop(q);
	if (q->index == 0)
		stop_subs(n);
	g_mutex_lock(&n->lock);
	q->open = false;
	g_mutex_unlock(&n->lock);
	if (q->index == 0) {
		while (enl_vsp_inflight_pop(q_inflight(q)))
			;
		/* The guest's buffers go before the server drops its views. */
		enl_net_reset(n->dev);
	} else {
		/*
		 * Its transfers' sections are free again (unless stopped)
		 * when the guest closed it. After a rescind the guest may
		 * still read the packets in its ring: their sections stay
		 * the guest's until it revokes the buffer (or the primary
		 * closes), or they would hold other frames by then.
		 */
		bool keep = enl_vsp_rescinded(ch);
		void *req;

		while ((req = enl_vsp_inflight_pop(q_inflight(q))))
			if (!q->stopped && !keep)
				enl_net_recv_complete(n->dev, (uintptr_t)req,
						      NULL, 0);
		if (n->tap && q->index < enl_tap_queues(n->tap))
			enl_tap_set_queue(n->tap, q->index, false);
	}
	__atomic_sub_fetch(&n->open_queues, 1, __ATOMIC_RELAXED);
	g_clear_pointer(&q->buf, g_free);
	g_clear_pointer(&q->gd_iov, g_free);
	g_clear_pointer(&q->frames, g_free);
	g_clear_pointer(&q->frame_mem, g_free);
	enl_vsp_poll_close(&q->poll);
	q->nframes = q->next_frame = 0;
	q->owed = false;
	enl_vsp_set_priv(ch, NULL);
}

/* ---- NICs ---- */

static void set_error(int err, char *msg)
{
	g_mutex_lock(&nics_lock);
	create_err = err;
	g_free(create_msg);
	create_msg = msg;
	g_mutex_unlock(&nics_lock);
}

static struct enl_nic *nic_new(struct enl_vsp_channel *ch)
{
	struct enl_nic *n = g_new0(struct enl_nic, 1);
	struct enl_net_cfg cfg = { 0 };
	unsigned int serial;
	int ret;

	g_mutex_lock(&nics_lock);
	if (next_spec_set)
		n->spec = next_spec;
	next_spec_set = false;
	serial = ++mac_serial;
	g_mutex_unlock(&nics_lock);
	if (!n->spec.queues)
		n->spec.queues = ENL_NIC_DEFAULT_QUEUES;
	if (!n->spec.mtu)
		n->spec.mtu = ENL_NIC_DEFAULT_MTU;
	if (!n->spec.mac_set) {
		/* Hyper-V's OUI, then this process and a serial. */
		uint32_t pid = (uint32_t)getpid();
		uint8_t mac[6] = { 0x00, 0x15, 0x5d, (uint8_t)(pid >> 8),
				   (uint8_t)pid, (uint8_t)serial };

		memcpy(n->spec.mac, mac, 6);
	}
	g_mutex_init(&n->lock);
	n->relid = enl_vsp_relid(ch);
	if (n->spec.tap[0]) {
		ret = enl_tap_open(n->spec.tap, n->spec.queues, &n->tap);
		if (ret) {
			set_error(ret, g_strdup_printf("TAP %s: %s", n->spec.tap,
						       g_strerror(-ret)));
			goto fail;
		}
		if (n->spec.mtu_set) {
			ret = enl_tap_set_mtu(n->tap, n->spec.mtu);
			if (ret) {
				set_error(ret, g_strdup_printf("TAP %s: MTU %u: %s",
						n->spec.tap, n->spec.mtu,
						g_strerror(-ret)));
				goto fail;
			}
		}
		/* Queue i is read once sub-channel i is open. */
		for (unsigned int i = 1; i < n->spec.queues; i++)
			enl_tap_set_queue(n->tap, i, false);
	}
	memcpy(cfg.mac, n->spec.mac, 6);
	cfg.max_mtu = n->spec.mtu;
	cfg.link_speed_bps = n->spec.speed_mbps ?
			     n->spec.speed_mbps * 1000000ull : 10000000000ull;
	cfg.max_nvsp_version = n->spec.max_nvsp;
	cfg.max_queues = n->spec.queues;
	cfg.send_section_size = 6144;
	/* A 64 KiB coalesced packet in 5 fragments, 12 in a transfer. */
	cfg.recv_section_min = NIC_RECV_SECTION;
	cfg.link_up = !n->spec.link_down;
	n->dev = enl_net_new(&cfg, &nic_ops, n);
	if (!n->dev) {
		set_error(-EINVAL, g_strdup_printf("the engine refused mtu=%u "
						   "queues=%u", n->spec.mtu,
						   n->spec.queues));
		goto fail;
	}
	g_mutex_lock(&nics_lock);
	if (!nics)
		nics = g_ptr_array_new();
	g_ptr_array_add(nics, n);
	g_mutex_unlock(&nics_lock);
	return n;
fail:
	enl_tap_close(n->tap);
	g_mutex_clear(&n->lock);
	g_free(n);
	return NULL;
}

static void nic_free(struct enl_nic *n)
{
	g_mutex_lock(&nics_lock);
	g_ptr_array_remove(nics, n);
	if (!nics->len)
		g_clear_pointer(&nics, g_ptr_array_unref);
	g_mutex_unlock(&nics_lock);
	enl_net_free(n->dev);
	enl_tap_close(n->tap);
	g_mutex_clear(&n->lock);
	g_free(n);
}

static void *net_create(struct enl_vsp_channel *ch)
{
	struct enl_vsp_channel *primary = enl_vsp_primary(ch);
	struct nic_queue *q = g_new0(struct nic_queue, 1);

	q->ch = ch;
	if (primary) {
		struct nic_queue *q0 = enl_vsp_state(primary);

		q->index = enl_vsp_sub_index(ch);
		if (!q0 || q->index >= q0->nic->spec.queues) {
			g_free(q);
			return NULL;
		}
		q->nic = q0->nic;
	} else {
		q->nic = nic_new(ch);
		if (!q->nic) {
			g_free(q);
			return NULL;
		}
	}
	g_mutex_lock(&q->nic->lock);
	q->nic->queues[q->index] = q;
	g_mutex_unlock(&q->nic->lock);
	return q;
}

static void net_destroy(void *state)
{
	struct nic_queue *q = state;
	struct enl_nic *n = q->nic;

	g_mutex_lock(&n->lock);
	n->queues[q->index] = NULL;
	g_mutex_unlock(&n->lock);
	if (q->index == 0)
		nic_free(n);	/* after its sub-channels: the registry's order */
	g_free(q);
}

const struct enl_vsp_class enl_vsp_net_class = {
	.name = "network",
	.class_guid = ENL_GUID_NETWORK,
	/* Every receive section can be a transfer of its own. */
	.max_inflight = NIC_INFLIGHT_MAX,
	.create = net_create,
	.destroy = net_destroy,
	.on_open = net_open,
	.on_signal = net_signal,
	.on_close = net_close,
	.save = enl_nic_save,
	.reoffer = enl_nic_reoffer,
	.forget = enl_nic_forget,
};
