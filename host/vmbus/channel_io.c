// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ring side of a channel, on its context: process passes (a guest
 * signal or a kick queues one; it drains at most ENL_VMBUS_DRAIN_BUDGET
 * packets, then queues itself again behind other work), and the VSP calls
 * that read, send and signal, which are safe from any thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "hv.h"
#include "server_priv.h"

void enl_vmbus_chan_signal_guest(struct enl_vsp_channel *ch)
{
	uint32_t vp = __atomic_load_n(&ch->target_vp, __ATOMIC_RELAXED);

	/* Channel events ride on the VMBus SINT, flag = relid (WIN8+). */
	if (enl_hv_signal_event(ch->srv->hv, vp, ch->srv->msg_sint, ch->relid))
		enl_vmbus_error(ch->srv, ENL_VMBUS_ERR_REPLY_FAILED,
				"signal relid %u on vp %u", ch->relid, vp);
	else
		enl_vmbus_stat_inc(&ch->stats.signals_out);
}

static void ring_corrupt(struct enl_vsp_channel *ch, const char *ring)
{
	g_atomic_int_set(&ch->broken, 1);
	enl_vmbus_error(ch->srv, ENL_VMBUS_ERR_RING_CORRUPT,
			"relid %u: %s ring corrupt, channel stopped",
			ch->relid, ring);
}

static bool usable(struct enl_vsp_channel *ch)
{
	return g_atomic_int_get(&ch->active) && !g_atomic_int_get(&ch->broken);
}

/* Results of one drain pass. */
enum {
	DRAIN_EMPTY,		/* ring empty */
	DRAIN_BLOCKED,		/* the VSP said -EAGAIN: the packet stays */
	DRAIN_BUDGET,		/* more may be there: come back later */
	DRAIN_CORRUPT,
	DRAIN_CLOSED,		/* closed from a callback */
};

/* Hand up to budget packets to the VSP; in_lock held. *moved: how many. */
static int drain(struct enl_vsp_channel *ch, unsigned int budget,
		 unsigned int *moved)
{
	struct enl_ring_pkt pkt;
	unsigned int n = 0;
	int ret = 0, why = DRAIN_EMPTY;

	while (n < budget && (ret = enl_ring_peek(&ch->in, &pkt)) == 0) {
		if (pkt.len > ch->pktbuf_len) {
			g_free(ch->pktbuf);
			ch->pktbuf = g_malloc(pkt.len);
			ch->pktbuf_len = pkt.len;
		}
		if (enl_ring_copy(&ch->in, &pkt, 0, ch->pktbuf, pkt.len)) {
			ret = -EIO;
			break;
		}
		ret = ch->cls->on_packet(ch, &pkt, ch->pktbuf);
		if (!g_atomic_int_get(&ch->active)) {
			*moved = n;
			return DRAIN_CLOSED;
		}
		if (ret == -EAGAIN) {
			why = DRAIN_BLOCKED;
			break;
		}
		enl_ring_skip(&ch->in, &pkt);
		n++;
	}
	*moved = n;
	if (n == budget)
		why = DRAIN_BUDGET;
	else if (ret == -EIO)
		why = DRAIN_CORRUPT;
	if (enl_ring_read_commit(&ch->in))
		enl_vmbus_chan_signal_guest(ch);
	return why;
}

/* What a pass did, for what comes after it. */
enum pass_end {
	PASS_IDLE,		/* nothing moved: wait for a signal */
	PASS_MOVED,		/* moved packets: look again a little later */
	PASS_BLOCKED,		/* nothing moved, blocked on a full ring */
	PASS_AGAIN,		/* more to do now: queue another pass */
};

/* Packets sent to the guest so far (any thread sends). */
static uint64_t out_packets(struct enl_vsp_channel *ch)
{
	uint64_t n;

	g_mutex_lock(&ch->out_lock);
	n = ch->out.stats.packets;
	g_mutex_unlock(&ch->out_lock);
	return n;
}

/* One pass on ctx. */
static enum pass_end process(struct enl_vsp_channel *ch)
{
	enum pass_end end = PASS_IDLE;
	unsigned int moved = 0;
	int ret;

	g_rec_mutex_lock(&ch->in_lock);
	if (!usable(ch))
		goto out;
	enl_vmbus_stat_inc(&ch->stats.passes);
	/* What the VSP sends during the pass: one signal at its end. */
	enl_vsp_batch_begin(ch);
	if (ch->cls->on_signal) {
		uint64_t in0 = ch->in.stats.packets, out0 = out_packets(ch);

		/*
		 * Its own loop. Look again later only if it moved packets (a
		 * lost signal may follow) or left some unread without moving
		 * any (backing off): an idle channel costs no wakeups.
		 */
		ch->cls->on_signal(ch);
		enl_vsp_batch_end(ch);
		if (!usable(ch))
			goto out;
		if (ch->in.stats.packets != in0 || out_packets(ch) != out0)
			end = PASS_MOVED;
		else if (enl_ring_bytes_to_read(&ch->in))
			end = PASS_BLOCKED;
		goto out;
	}
	/* No signals from the guest while we are reading anyway. */
	enl_ring_intr_mask(&ch->in);
	ret = drain(ch, ENL_VMBUS_DRAIN_BUDGET, &moved);
	switch (ret) {
	case DRAIN_CLOSED:
		break;
	case DRAIN_CORRUPT:
		ring_corrupt(ch, "guest->host");
		break;
	case DRAIN_BUDGET:
		/* Stay masked: we come back without being asked. */
		enl_vmbus_stat_inc(&ch->stats.budget_hits);
		end = PASS_AGAIN;
		break;
	default:
		/*
		 * Unmask, then look again: a packet written before the guest
		 * saw the unmask raised no signal. Blocked, the guest's
		 * signal on freed space resumes us.
		 */
		if (enl_ring_intr_unmask(&ch->in) && ret == DRAIN_EMPTY)
			end = PASS_AGAIN;
		else if (moved)
			end = PASS_MOVED;
		else if (ret == DRAIN_BLOCKED)
			end = PASS_BLOCKED;
		break;
	}
	enl_vsp_batch_end(ch);
out:
	g_rec_mutex_unlock(&ch->in_lock);
	return end;
}

static gboolean recheck_cb(gpointer data)
{
	struct enl_vsp_channel *ch = data;

	g_mutex_lock(&ch->sched_lock);
	g_source_unref(ch->recheck);
	ch->recheck = NULL;
	g_mutex_unlock(&ch->sched_lock);
	enl_vmbus_stat_inc(&ch->stats.rechecks);
	enl_vmbus_chan_wake(ch);
	return G_SOURCE_REMOVE;
}

/*
 * After a pass that moved packets, look once more soon; blocked without
 * progress, keep looking with a growing delay; idle, wait for a signal.
 */
static void arm_recheck(struct enl_vsp_channel *ch, enum pass_end end)
{
	unsigned int ms;

	if (end == PASS_MOVED)
		ch->recheck_ms = ENL_VMBUS_RECHECK_MS;
	else if (end == PASS_BLOCKED)
		ch->recheck_ms = MIN(MAX(ch->recheck_ms, ENL_VMBUS_RECHECK_MS / 2) * 2,
				     ENL_VMBUS_RECHECK_MAX_MS);
	else
		return;
	ms = ch->recheck_ms;
	g_mutex_lock(&ch->sched_lock);
	if (!ch->recheck) {
		ch->recheck = g_timeout_source_new(ms);
		g_source_set_callback(ch->recheck, recheck_cb, ch, NULL);
		g_source_attach(ch->recheck, ch->ctx);
	}
	g_mutex_unlock(&ch->sched_lock);
}

/* A pass now, on ctx; a queued one (if any) stays queued. */
static void run_pass(struct enl_vsp_channel *ch)
{
	enum pass_end end;

	g_mutex_lock(&ch->sched_lock);
	ch->in_pass = true;
	g_mutex_unlock(&ch->sched_lock);

	end = process(ch);

	/*
	 * Behind the context's other work, not in a loop here. Queued before
	 * in_pass drops, so that enl_vmbus_chan_settle() never sees neither.
	 */
	if (end == PASS_AGAIN)
		enl_vmbus_chan_wake(ch);
	g_mutex_lock(&ch->sched_lock);
	ch->in_pass = false;
	g_mutex_unlock(&ch->sched_lock);
	if (end != PASS_AGAIN)
		arm_recheck(ch, end);
}

static gboolean process_cb(gpointer data)
{
	struct enl_vsp_channel *ch = data;

	g_mutex_lock(&ch->sched_lock);
	g_source_unref(ch->sched);
	ch->sched = NULL;
	/*
	 * In the same section: between two, enl_vmbus_chan_settle() saw
	 * neither a pass queued nor one running, and returned before this one
	 * (asan/test-vmbus-data 48 in stop 35's CI).
	 */
	ch->in_pass = true;
	g_mutex_unlock(&ch->sched_lock);
	run_pass(ch);
	return G_SOURCE_REMOVE;
}

/*
 * The guest rang this channel's own doorbell: the pass runs right here,
 * on the thread the doorbell woke, with no stop on the main thread and no
 * idle source in between. A ring without the bit (the main thread took
 * it and wakes us too, or a ring meant for the vector's last owner) still
 * gets a pass: an empty one costs less than reasoning about which it was.
 */
static gboolean doorbell_cb(gint fd, GIOCondition cond, gpointer data)
{
	struct enl_vsp_channel *ch = data;

	(void)cond;
	if (enl_hv_doorbell_take(ch->srv->hv, ch->conn_id, fd)) {
		enl_vmbus_stat_inc(&ch->stats.signals_in);
		enl_vmbus_stat_inc(&ch->stats.doorbell_signals);
	}
	run_pass(ch);
	return G_SOURCE_CONTINUE;
}

void enl_vmbus_chan_doorbell_bind(struct enl_vsp_channel *ch)
{
	int fd = enl_hv_doorbell_bind(ch->srv->hv, ch->conn_id);

	/* None left (or no such transport): the shared doorbell serves. */
	if (fd < 0)
		return;
	ch->doorbell = enl_vsp_fd_watch(ch, fd, doorbell_cb, ch);
}

void enl_vmbus_chan_doorbell_unbind(struct enl_vsp_channel *ch)
{
	if (!ch->doorbell)
		return;
	/* Polled no more before the vector can go to another channel. */
	g_source_destroy(ch->doorbell);
	g_clear_pointer(&ch->doorbell, g_source_unref);
	enl_hv_doorbell_unbind(ch->srv->hv, ch->conn_id);
}

void enl_vmbus_chan_wake(struct enl_vsp_channel *ch)
{
	GSource *s;

	g_mutex_lock(&ch->sched_lock);
	if (!ch->sched) {
		s = g_idle_source_new();
		g_source_set_priority(s, G_PRIORITY_DEFAULT);
		g_source_set_callback(s, process_cb, ch, NULL);
		ch->sched = s;	/* our reference, dropped by process_cb */
		g_source_attach(s, ch->ctx);
	}
	g_mutex_unlock(&ch->sched_lock);
}

void enl_vsp_kick(struct enl_vsp_channel *ch)
{
	if (g_atomic_int_get(&ch->active))
		enl_vmbus_chan_wake(ch);
}

void enl_vsp_intr_mask(struct enl_vsp_channel *ch)
{
	g_rec_mutex_lock(&ch->in_lock);
	if (usable(ch))
		enl_ring_intr_mask(&ch->in);
	g_rec_mutex_unlock(&ch->in_lock);
}

bool enl_vsp_intr_unmask(struct enl_vsp_channel *ch)
{
	bool more = false;

	g_rec_mutex_lock(&ch->in_lock);
	/* A corrupt index says "more": the next read reports it. */
	if (usable(ch))
		more = enl_ring_intr_unmask(&ch->in);
	g_rec_mutex_unlock(&ch->in_lock);
	return more;
}

static void noop(void *data)
{
	(void)data;
}

void enl_vmbus_chan_settle(struct enl_vsp_channel *ch)
{
	bool busy;

	if (!ch->worker) {
		/* The caller's own context (server.h): run what is due. */
		while (g_main_context_iteration(ch->ctx, FALSE))
			;
		return;
	}
	do {
		/* Returns between two dispatches of the worker. */
		enl_vmbus_context_call(ch->ctx, noop, NULL);
		g_mutex_lock(&ch->sched_lock);
		busy = ch->sched || ch->in_pass;
		g_mutex_unlock(&ch->sched_lock);
		if (busy)
			g_usleep(100);
	} while (busy);
}

void enl_vmbus_server_settle(struct enl_vmbus_server *srv)
{
	uint32_t relid;

	if (srv->chan_ctx) {
		/* Every channel's work is here (server.h): run what is due. */
		while (g_main_context_iteration(srv->chan_ctx, FALSE))
			;
		return;
	}
	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++)
		if (srv->chan[relid])
			enl_vmbus_chan_settle(srv->chan[relid]);
}

int enl_vmbus_chan_start(struct enl_vsp_channel *ch)
{
	char name[16];

	g_rec_mutex_init(&ch->in_lock);
	g_mutex_init(&ch->out_lock);
	g_mutex_init(&ch->sched_lock);
	if (ch->srv->chan_ctx) {
		ch->ctx = g_main_context_ref(ch->srv->chan_ctx);
		return 0;
	}
	snprintf(name, sizeof(name), "enl-chan-%u", ch->relid);
	ch->worker = enl_vmbus_worker_new(name);
	if (!ch->worker) {
		g_rec_mutex_clear(&ch->in_lock);
		g_mutex_clear(&ch->out_lock);
		g_mutex_clear(&ch->sched_lock);
		return -EAGAIN;
	}
	ch->ctx = g_main_context_ref(enl_vmbus_worker_context(ch->worker));
	return 0;
}

/* Main thread, channel closed: nothing may run for it on ctx afterwards. */
void enl_vmbus_chan_stop(struct enl_vsp_channel *ch)
{
	/* Joined: a pass that was queued is destroyed unrun with the context. */
	enl_vmbus_worker_free(ch->worker);
	ch->worker = NULL;
	g_mutex_lock(&ch->sched_lock);
	if (ch->sched) {
		g_source_destroy(ch->sched);
		g_source_unref(ch->sched);
		ch->sched = NULL;
	}
	if (ch->recheck) {
		g_source_destroy(ch->recheck);
		g_source_unref(ch->recheck);
		ch->recheck = NULL;
	}
	g_mutex_unlock(&ch->sched_lock);
	g_main_context_unref(ch->ctx);
	ch->ctx = NULL;
	g_rec_mutex_clear(&ch->in_lock);
	g_mutex_clear(&ch->out_lock);
	g_mutex_clear(&ch->sched_lock);
}

/* ---- The VSP calls: any thread ---- */

/*
 * out_lock held; *signal: whether to signal once it is dropped, unless
 * this thread batches, then at the batch's end.
 */
static int after_write(struct enl_vsp_channel *ch, int ret, bool *signal)
{
	if (ret == -EIO)
		ring_corrupt(ch, "host->guest");
	if (ret) {
		*signal = false;
		return ret;
	}
	if (ch->waiting_space) {
		enl_ring_set_pending_send(&ch->out, 0);
		ch->waiting_space = false;
	}
	if (*signal && ch->batch_owner == g_thread_self()) {
		ch->batch_signal = true;
		*signal = false;
	}
	return 0;
}

void enl_vsp_batch_begin(struct enl_vsp_channel *ch)
{
	GThread *self = g_thread_self();

	g_mutex_lock(&ch->out_lock);
	/* Another thread's batch: this one's sends signal as they go. */
	if (!ch->batch_owner || ch->batch_owner == self) {
		if (!ch->batch_depth++)
			ch->batch_signal = false;
		ch->batch_owner = self;
	}
	g_mutex_unlock(&ch->out_lock);
}

void enl_vsp_batch_end(struct enl_vsp_channel *ch)
{
	bool signal = false;

	g_mutex_lock(&ch->out_lock);
	if (ch->batch_owner == g_thread_self() && !--ch->batch_depth) {
		ch->batch_owner = NULL;
		signal = ch->batch_signal && usable(ch);
		ch->batch_signal = false;
	}
	g_mutex_unlock(&ch->out_lock);
	if (signal) {
		enl_vmbus_stat_inc(&ch->stats.batched_signals);
		enl_vmbus_chan_signal_guest(ch);
	}
}

void enl_vsp_batch_flush(struct enl_vsp_channel *ch)
{
	bool signal = false;

	g_mutex_lock(&ch->out_lock);
	if (ch->batch_owner == g_thread_self()) {
		signal = ch->batch_signal && usable(ch);
		ch->batch_signal = false;
	}
	g_mutex_unlock(&ch->out_lock);
	if (signal) {
		enl_vmbus_stat_inc(&ch->stats.batched_signals);
		enl_vmbus_chan_signal_guest(ch);
	}
}

int enl_vsp_send(struct enl_vsp_channel *ch, uint16_t type, uint16_t flags,
		 uint64_t trans_id, const struct enl_ring_iov *iov,
		 uint32_t iovcnt)
{
	bool signal = false;
	int ret = -ENOTCONN;

	g_mutex_lock(&ch->out_lock);
	if (usable(ch)) {
		ret = enl_ring_write(&ch->out, type, flags, trans_id, iov,
				     iovcnt, &signal);
		ret = after_write(ch, ret, &signal);
	}
	g_mutex_unlock(&ch->out_lock);
	if (signal)
		enl_vmbus_chan_signal_guest(ch);
	return ret;
}

int enl_vsp_send_raw(struct enl_vsp_channel *ch,
		     const struct enl_ring_iov *iov, uint32_t iovcnt)
{
	bool signal = false;
	int ret = -ENOTCONN;

	g_mutex_lock(&ch->out_lock);
	if (usable(ch)) {
		ret = enl_ring_write_raw(&ch->out, iov, iovcnt, &signal);
		ret = after_write(ch, ret, &signal);
	}
	g_mutex_unlock(&ch->out_lock);
	if (signal)
		enl_vmbus_chan_signal_guest(ch);
	return ret;
}

bool enl_vsp_wait_for_space(struct enl_vsp_channel *ch, uint32_t payload_len)
{
	uint32_t need = enl_ring_pkt_size(sizeof(struct enl_vmpacket_descriptor) +
					  payload_len);
	bool fits = false;

	g_mutex_lock(&ch->out_lock);
	if (usable(ch)) {
		ch->waiting_space = true;
		fits = enl_ring_set_pending_send(&ch->out, need);
	}
	g_mutex_unlock(&ch->out_lock);
	return fits;
}

int enl_vsp_recv(struct enl_vsp_channel *ch, void *buf, uint32_t buflen,
		 struct enl_ring_pkt *pkt)
{
	int ret = -ENOTCONN;

	g_rec_mutex_lock(&ch->in_lock);
	if (usable(ch)) {
		ret = enl_ring_read(&ch->in, buf, buflen, pkt);
		if (ret == -EIO)
			ring_corrupt(ch, "guest->host");
	}
	g_rec_mutex_unlock(&ch->in_lock);
	return ret;
}

void enl_vsp_recv_done(struct enl_vsp_channel *ch)
{
	bool signal = false;

	g_rec_mutex_lock(&ch->in_lock);
	if (g_atomic_int_get(&ch->active))
		signal = enl_ring_read_commit(&ch->in);
	g_rec_mutex_unlock(&ch->in_lock);
	if (signal)
		enl_vmbus_chan_signal_guest(ch);
}

int enl_vsp_recv_next(struct enl_vsp_channel *ch, uint8_t **buf,
		      uint32_t *buf_len, struct enl_ring_pkt *pkt)
{
	bool published = false;
	int ret;

	for (;;) {
		ret = enl_vsp_recv(ch, *buf, *buf_len, pkt);
		if (ret == -ENOBUFS) {
			g_free(*buf);
			*buf_len = pkt->len;
			*buf = g_malloc(*buf_len);
			continue;
		}
		if (ret != -EAGAIN || published)
			return ret;
		enl_vsp_recv_done(ch);
		published = true;
	}
}

void enl_vsp_set_priv(struct enl_vsp_channel *ch, void *priv)
{
	ch->priv = priv;
}

void *enl_vsp_priv(const struct enl_vsp_channel *ch)
{
	return ch->priv;
}

uint32_t enl_vsp_relid(const struct enl_vsp_channel *ch)
{
	return ch->relid;
}

bool enl_vsp_rescinded(const struct enl_vsp_channel *ch)
{
	return ch->rescinding;
}

struct enl_guest_mem *enl_vsp_guest_mem(const struct enl_vsp_channel *ch)
{
	return enl_vmbus_mem(ch->srv);
}

uint64_t enl_vsp_ref_time(const struct enl_vsp_channel *ch)
{
	return ch->srv->hv ? enl_hv_ref_time(ch->srv->hv) : 0;
}

GMainContext *enl_vsp_context(const struct enl_vsp_channel *ch)
{
	return ch->ctx;
}

GSource *enl_vsp_fd_watch(struct enl_vsp_channel *ch, int fd,
			  GUnixFDSourceFunc cb, void *data)
{
	GSource *s = g_unix_fd_source_new(fd, G_IO_IN);

	g_source_set_can_recurse(s, TRUE);
	g_source_set_callback(s, G_SOURCE_FUNC(cb), data, NULL);
	g_source_attach(s, ch->ctx);
	return s;
}

void enl_vsp_call(struct enl_vsp_channel *ch, void (*fn)(void *data),
		  void *data)
{
	enl_vmbus_context_call(ch->ctx, fn, data);
}
