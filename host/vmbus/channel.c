// SPDX-License-Identifier: GPL-2.0-only
/*
 * Open channels: OPENCHANNEL (ring GPADL -> two rings in one contiguous
 * host view), CLOSECHANNEL, MODIFYCHANNEL (main thread), and handing the
 * channel to and from the context its VSP runs on (see server_priv.h).
 * The ring side of the VSP API is in channel_io.c.
 */
#include <errno.h>
#include <string.h>

#include <enlighten/hv_synic.h>
#include "hv.h"
#include "server_priv.h"

#define PG	ENL_HV_PAGE_SIZE

static void send_open_result(struct enl_vmbus_server *srv, uint32_t relid,
			     uint32_t openid, uint32_t status)
{
	struct enl_vmbus_channel_open_result r = { 0 };

	r.header.msgtype = ENL_CHANNELMSG_OPENCHANNEL_RESULT;
	r.child_relid = relid;
	r.openid = openid;
	r.status = status;
	if (!enl_vmbus_muted(srv, ENL_MUTE_OPEN_RESULT, relid))
		enl_vmbus_reply(srv, &r, sizeof(r));
}

/* Split the mapped GPADL: guest -> host ring first, then host -> guest. */
static int attach_rings(struct enl_vsp_channel *ch, uint32_t npages,
			uint32_t off)
{
	uint8_t *base = ch->map.addr;
	int ret;

	ret = enl_ring_init(&ch->in, (struct enl_ring_ctl *)base, base + PG,
			    (off - 1) * PG);
	if (!ret)
		ret = enl_ring_init(&ch->out,
				    (struct enl_ring_ctl *)(base + off * PG),
				    base + (off + 1) * PG,
				    (npages - off - 1) * PG);
	return ret;
}

/* Main thread, with the context done with the rings (active is 0). */
static void detach(struct enl_vsp_channel *ch)
{
	enl_ring_map_unmap(&ch->map);
	if (ch->ring_gpadl)
		enl_vmbus_gpadl_put(ch->srv, ch->ring_gpadl);
	ch->ring_gpadl = NULL;
	g_free(ch->pktbuf);
	ch->pktbuf = NULL;
	ch->pktbuf_len = 0;
	g_atomic_int_set(&ch->broken, 0);
	ch->close_ignored = false;
	ch->waiting_space = false;
	memset(&ch->in, 0, sizeof(ch->in));
	memset(&ch->out, 0, sizeof(ch->out));
}

/* 0 or the error class explaining why the rings cannot be set up. */
static int setup_rings(struct enl_vsp_channel *ch,
		       const struct enl_vmbus_channel_open_channel *m)
{
	struct enl_vmbus_server *srv = ch->srv;
	const uint64_t *pfns;
	uint32_t npages = 0, off = m->downstream_ringbuffer_pageoffset;
	int ret;

	ch->ring_gpadl = enl_vmbus_gpadl_get(srv, m->ringbuffer_gpadlhandle);
	if (!ch->ring_gpadl) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_GPADL_UNKNOWN,
				"open relid %u with gpadl %#x", ch->relid,
				m->ringbuffer_gpadlhandle);
		return -ENOENT;
	}
	pfns = enl_vmbus_gpadl_pages(ch->ring_gpadl, &npages);
	/* Each ring needs its control page and at least one data page. */
	if (ch->ring_gpadl->relid != ch->relid || !pfns || off < 2 ||
	    off > npages || npages - off < 2) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_OPEN_RING,
				"relid %u: gpadl %#x (%u pages, relid %u) "
				"split at %u", ch->relid, ch->ring_gpadl->handle,
				npages, ch->ring_gpadl->relid, off);
		return -EINVAL;
	}
	ret = enl_ring_map_pages(&ch->map, enl_vmbus_mem(srv), srv->ram_fd,
				 pfns, npages);
	if (ret) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_OPEN_RING,
				"relid %u: cannot map ring pages: %s",
				ch->relid, g_strerror(-ret));
		return ret;
	}
	ret = attach_rings(ch, npages, off);
	if (ret)
		enl_vmbus_error(srv, ENL_VMBUS_ERR_OPEN_RING,
				"relid %u: rings rejected: %s", ch->relid,
				g_strerror(-ret));
	return ret;
}

static void set_active(struct enl_vsp_channel *ch, int on)
{
	g_rec_mutex_lock(&ch->in_lock);
	g_mutex_lock(&ch->out_lock);
	g_atomic_int_set(&ch->active, on);
	g_mutex_unlock(&ch->out_lock);
	g_rec_mutex_unlock(&ch->in_lock);
}

struct open_call {
	struct enl_vsp_channel *ch;
	const uint8_t *user_data;
	int ret;
};

/* On ctx: the VSP sees the channel open (and may send from on_open). */
static void open_on_ctx(void *data)
{
	struct open_call *c = data;

	set_active(c->ch, 1);
	c->ret = c->ch->cls->on_open(c->ch, c->user_data);
	if (c->ret) {
		set_active(c->ch, 0);
		c->ch->priv = NULL;
		return;
	}
	/* The open's first pass (enl_vmbus_on_open) follows the binding. */
	enl_vmbus_chan_doorbell_bind(c->ch);
}

static int hand_over(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	struct open_call c = { ch, user_data, 0 };

	enl_vmbus_context_call(ch->ctx, open_on_ctx, &c);
	return c.ret;
}

/*
 * On ctx: not open any more while the VSP cleans up, so sends from there
 * or from any other thread get -ENOTCONN; a queued process pass finds
 * nothing to do.
 */
static void close_on_ctx(void *data)
{
	struct enl_vsp_channel *ch = data;

	enl_vmbus_chan_doorbell_unbind(ch);
	set_active(ch, 0);
	if (ch->cls->on_close)
		ch->cls->on_close(ch);
	/* What the VSP did not take back is dead: no completion finds it. */
	while (enl_vsp_inflight_pop(ch->inflight))
		enl_vmbus_stat_inc(&ch->stats.inflight_dropped);
	ch->priv = NULL;
	/* Views of data GPADLs the VSP forgot: their teardowns may finish. */
	enl_vmbus_views_drop(ch);
}

void enl_vmbus_on_open(struct enl_vmbus_server *srv, const void *msg)
{
	const struct enl_vmbus_channel_open_channel *m = msg;
	struct enl_vsp_channel *ch = enl_vmbus_chan_lookup(srv, m->child_relid);
	int ret;

	if (!ch || ch->state == ENL_CHAN_RESCINDED || !ch->offer_sent) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_RELID,
				"OPENCHANNEL of relid %u", m->child_relid);
		/* Rescinded: the host stays silent, the guest expects that. */
		if (!ch || ch->state != ENL_CHAN_RESCINDED)
			send_open_result(srv, m->child_relid, m->openid,
					 ENL_VMBUS_STATUS_FAILED);
		return;
	}
	if (ch->state == ENL_CHAN_OPEN) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_STATE,
				"relid %u opened twice", ch->relid);
		send_open_result(srv, ch->relid, m->openid,
				 ENL_VMBUS_STATUS_FAILED);
		return;
	}
	if (m->target_vp >= ENL_VMBUS_MAX_VP) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_VP,
				"relid %u: target vp %u", ch->relid,
				m->target_vp);
		send_open_result(srv, ch->relid, m->openid,
				 ENL_VMBUS_STATUS_FAILED);
		return;
	}
	if (setup_rings(ch, m)) {
		detach(ch);
		send_open_result(srv, ch->relid, m->openid,
				 ENL_VMBUS_STATUS_FAILED);
		return;
	}
	ch->state = ENL_CHAN_OPEN;
	ch->open_id = m->openid;
	__atomic_store_n(&ch->target_vp, m->target_vp, __ATOMIC_RELAXED);
	enl_vmbus_stat_inc(&ch->stats.opens);
	ret = hand_over(ch, m->userdata);
	if (ret) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_OPEN_VSP,
				"relid %u: %s refused the open: %s", ch->relid,
				ch->cls->name, g_strerror(-ret));
		ch->state = ENL_CHAN_OFFERED;
		detach(ch);
		send_open_result(srv, ch->relid, m->openid,
				 ENL_VMBUS_STATUS_FAILED);
		return;
	}
	send_open_result(srv, ch->relid, m->openid, 0);
	/* The guest may have queued packets before it saw the result. */
	enl_vmbus_chan_wake(ch);
}

void enl_vmbus_chan_close(struct enl_vsp_channel *ch)
{
	if (ch->state != ENL_CHAN_OPEN)
		return;
	ch->state = ENL_CHAN_OFFERED;
	/* After this the context touches the rings no more: unmap them. */
	enl_vmbus_context_call(ch->ctx, close_on_ctx, ch);
	detach(ch);
}

void enl_vmbus_on_close(struct enl_vmbus_server *srv, const void *msg)
{
	const struct enl_vmbus_channel_close_channel *m = msg;
	struct enl_vsp_channel *ch = enl_vmbus_chan_lookup(srv, m->child_relid);

	if (!ch) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_RELID,
				"CLOSECHANNEL of relid %u", m->child_relid);
		return;
	}
	/* Guests still close a rescinded channel; it is closed already. */
	if (ch->state == ENL_CHAN_RESCINDED)
		return;
	if (ch->state != ENL_CHAN_OPEN) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_STATE,
				"CLOSECHANNEL of relid %u, not open", ch->relid);
		return;
	}
	/* A host that never lets go: it keeps the rings and writes on. */
	if (enl_vmbus_muted(srv, ENL_MUTE_CLOSE, ch->relid)) {
		ch->close_ignored = true;
		return;
	}
	enl_vmbus_chan_close(ch);
}

void enl_vmbus_on_modify(struct enl_vmbus_server *srv, const void *msg)
{
	const struct enl_vmbus_channel_modifychannel *m = msg;
	struct enl_vsp_channel *ch = enl_vmbus_chan_lookup(srv, m->child_relid);
	struct enl_vmbus_channel_modifychannel_response r = { 0 };

	if (srv->version < ENL_VMBUS_VERSION_WIN10_V4_1) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_STATE,
				"MODIFYCHANNEL under version %u.%u",
				srv->version >> 16, srv->version & 0xffff);
		return;
	}
	r.header.msgtype = ENL_CHANNELMSG_MODIFYCHANNEL_RESPONSE;
	r.child_relid = m->child_relid;
	r.status = ENL_VMBUS_STATUS_FAILED;
	if (!ch || ch->state == ENL_CHAN_RESCINDED)
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_RELID,
				"MODIFYCHANNEL of relid %u", m->child_relid);
	else if (m->target_vp >= ENL_VMBUS_MAX_VP)
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_VP,
				"MODIFYCHANNEL relid %u to vp %u",
				m->child_relid, m->target_vp);
	else {
		__atomic_store_n(&ch->target_vp, m->target_vp, __ATOMIC_RELAXED);
		r.status = 0;
	}
	/* Only 5.3 guests expect an answer. */
	if (srv->version >= ENL_VMBUS_VERSION_WIN10_V5_3)
		enl_vmbus_reply(srv, &r, sizeof(r));
}
