// SPDX-License-Identifier: GPL-2.0-only
/*
 * Open channels: OPENCHANNEL (ring GPADL -> two rings in one contiguous
 * host view), CLOSECHANNEL, MODIFYCHANNEL, and the ring side of the VSP API
 * (drain loop, send, flow control, signalling the guest).
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
	enl_vmbus_reply(srv, &r, sizeof(r));
}

void enl_vmbus_chan_signal_guest(struct enl_vsp_channel *ch)
{
	/* Channel events ride on the VMBus SINT, flag = relid (WIN8+). */
	if (enl_hv_signal_event(ch->srv->hv, ch->target_vp, ch->srv->msg_sint,
				ch->relid))
		enl_vmbus_error(ch->srv, ENL_VMBUS_ERR_REPLY_FAILED,
				"signal relid %u on vp %u", ch->relid,
				ch->target_vp);
	else
		ch->stats.signals_out++;
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

static void detach(struct enl_vsp_channel *ch)
{
	enl_ring_map_unmap(&ch->map);
	if (ch->ring_gpadl)
		enl_vmbus_gpadl_put(ch->srv, ch->ring_gpadl);
	ch->ring_gpadl = NULL;
	g_free(ch->pktbuf);
	ch->pktbuf = NULL;
	ch->pktbuf_len = 0;
	if (ch->kick_id)
		g_source_remove(ch->kick_id);
	ch->kick_id = 0;
	ch->broken = false;
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
	ch->target_vp = m->target_vp;
	ch->stats.opens++;
	ret = ch->cls->on_open(ch, m->userdata);
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
	enl_vsp_kick(ch);
}

void enl_vmbus_chan_close(struct enl_vsp_channel *ch)
{
	if (ch->state != ENL_CHAN_OPEN)
		return;
	/* Not open any more while the VSP cleans up: no sends from there. */
	ch->state = ENL_CHAN_OFFERED;
	if (ch->cls->on_close)
		ch->cls->on_close(ch);
	ch->priv = NULL;
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
		ch->target_vp = m->target_vp;
		r.status = 0;
	}
	/* Only 5.3 guests expect an answer. */
	if (srv->version >= ENL_VMBUS_VERSION_WIN10_V5_3)
		enl_vmbus_reply(srv, &r, sizeof(r));
}

static void ring_corrupt(struct enl_vsp_channel *ch, const char *ring)
{
	ch->broken = true;
	enl_vmbus_error(ch->srv, ENL_VMBUS_ERR_RING_CORRUPT,
			"relid %u: %s ring corrupt, channel stopped",
			ch->relid, ring);
}

/*
 * Hand each packet to the VSP. 1: the VSP is blocked (the packet stays),
 * 0: ring empty, -EIO: corrupt, -ENOTCONN: closed from a callback.
 */
static int drain(struct enl_vsp_channel *ch)
{
	struct enl_ring_pkt pkt;
	int ret;

	while ((ret = enl_ring_peek(&ch->in, &pkt)) == 0) {
		if (pkt.len > ch->pktbuf_len) {
			g_free(ch->pktbuf);
			ch->pktbuf = g_malloc(pkt.len);
			ch->pktbuf_len = pkt.len;
		}
		if (enl_ring_copy(&ch->in, &pkt, 0, ch->pktbuf, pkt.len))
			return -EIO;
		ret = ch->cls->on_packet(ch, &pkt, ch->pktbuf);
		if (ch->state != ENL_CHAN_OPEN)
			return -ENOTCONN;
		if (ret == -EAGAIN)
			break;
		enl_ring_skip(&ch->in, &pkt);
	}
	if (enl_ring_read_commit(&ch->in))
		enl_vmbus_chan_signal_guest(ch);
	if (ret == -EAGAIN)
		return 1;
	return ret == -EIO ? -EIO : 0;
}

void enl_vmbus_chan_process(struct enl_vsp_channel *ch)
{
	int ret;

	if (ch->state != ENL_CHAN_OPEN || ch->broken)
		return;
	if (ch->cls->on_signal) {
		ch->cls->on_signal(ch);
		return;
	}
	for (;;) {
		/* No signals from the guest while we are reading anyway. */
		enl_ring_intr_mask(&ch->in);
		ret = drain(ch);
		if (ret == -ENOTCONN)
			return;
		if (ret == -EIO) {
			ring_corrupt(ch, "guest->host");
			return;
		}
		/* Blocked: the guest's signal on freed space resumes us. */
		if (!enl_ring_intr_unmask(&ch->in) || ret == 1)
			return;
	}
}

static gboolean kick_cb(gpointer data)
{
	struct enl_vsp_channel *ch = data;

	ch->kick_id = 0;
	enl_vmbus_chan_process(ch);
	return G_SOURCE_REMOVE;
}

void enl_vsp_kick(struct enl_vsp_channel *ch)
{
	if (ch->state == ENL_CHAN_OPEN && !ch->kick_id)
		ch->kick_id = g_idle_add(kick_cb, ch);
}

static int after_write(struct enl_vsp_channel *ch, int ret, bool signal)
{
	if (ret == -EIO)
		ring_corrupt(ch, "host->guest");
	if (ret)
		return ret;
	if (ch->waiting_space) {
		enl_ring_set_pending_send(&ch->out, 0);
		ch->waiting_space = false;
	}
	if (signal)
		enl_vmbus_chan_signal_guest(ch);
	return 0;
}

int enl_vsp_send(struct enl_vsp_channel *ch, uint16_t type, uint16_t flags,
		 uint64_t trans_id, const struct enl_ring_iov *iov,
		 uint32_t iovcnt)
{
	bool signal = false;
	int ret;

	if (ch->state != ENL_CHAN_OPEN || ch->broken)
		return -ENOTCONN;
	ret = enl_ring_write(&ch->out, type, flags, trans_id, iov, iovcnt,
			     &signal);
	return after_write(ch, ret, signal);
}

int enl_vsp_send_raw(struct enl_vsp_channel *ch,
		     const struct enl_ring_iov *iov, uint32_t iovcnt)
{
	bool signal = false;
	int ret;

	if (ch->state != ENL_CHAN_OPEN || ch->broken)
		return -ENOTCONN;
	ret = enl_ring_write_raw(&ch->out, iov, iovcnt, &signal);
	return after_write(ch, ret, signal);
}

bool enl_vsp_wait_for_space(struct enl_vsp_channel *ch, uint32_t payload_len)
{
	uint32_t need = enl_ring_pkt_size(sizeof(struct enl_vmpacket_descriptor) +
					  payload_len);

	if (ch->state != ENL_CHAN_OPEN)
		return false;
	ch->waiting_space = true;
	return enl_ring_set_pending_send(&ch->out, need);
}

int enl_vsp_recv(struct enl_vsp_channel *ch, void *buf, uint32_t buflen,
		 struct enl_ring_pkt *pkt)
{
	int ret;

	if (ch->state != ENL_CHAN_OPEN || ch->broken)
		return -ENOTCONN;
	ret = enl_ring_read(&ch->in, buf, buflen, pkt);
	if (ret == -EIO)
		ring_corrupt(ch, "guest->host");
	return ret;
}

void enl_vsp_recv_done(struct enl_vsp_channel *ch)
{
	if (ch->state == ENL_CHAN_OPEN && enl_ring_read_commit(&ch->in))
		enl_vmbus_chan_signal_guest(ch);
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

struct enl_guest_mem *enl_vsp_guest_mem(const struct enl_vsp_channel *ch)
{
	return enl_vmbus_mem(ch->srv);
}
