// SPDX-License-Identifier: GPL-2.0-only
/*
 * NVSP on the host: version negotiation (the newest version both sides
 * speak inside the range the guest offers; Linux offers one version at a
 * time, 6.1 first, and falls back on a failure), NDIS version and
 * configuration, the receive and send buffers, sub-channels, the data path
 * switch, and SEND_RNDIS_PKT, whose RNDIS messages go to rndis_ctl.c
 * (control) and rndis_tx.c (data).
 */
#include <errno.h>
#include <string.h>

#include "net_priv.h"

static const uint32_t versions[] = {
	ENL_NVSP_VERSION_61, ENL_NVSP_VERSION_6, ENL_NVSP_VERSION_5,
	ENL_NVSP_VERSION_4, ENL_NVSP_VERSION_2, ENL_NVSP_VERSION_1,
};

/* Body bytes each guest message needs, 0 for the ones a host never gets. */
static size_t body_size(uint32_t type)
{
	switch (type) {
	case ENL_NVSP_MSG_INIT:
		return sizeof(struct enl_nvsp_init);
	case ENL_NVSP_MSG1_SEND_NDIS_VERSION:
		return sizeof(struct enl_nvsp1_ndis_version);
	case ENL_NVSP_MSG1_SEND_RECV_BUF:
	case ENL_NVSP_MSG1_SEND_SEND_BUF:
		return sizeof(struct enl_nvsp1_buffer);
	case ENL_NVSP_MSG1_REVOKE_RECV_BUF:
	case ENL_NVSP_MSG1_REVOKE_SEND_BUF:
		return sizeof(struct enl_nvsp1_revoke_buffer);
	case ENL_NVSP_MSG1_SEND_RNDIS_PKT:
		return sizeof(struct enl_nvsp1_rndis_packet);
	case ENL_NVSP_MSG2_SEND_NDIS_CONFIG:
		return sizeof(struct enl_nvsp2_ndis_config);
	case ENL_NVSP_MSG4_SWITCH_DATA_PATH:
		return sizeof(struct enl_nvsp4_switch_datapath);
	case ENL_NVSP_MSG5_SUBCHANNEL:
		return sizeof(struct enl_nvsp5_subchannel_request);
	default:
		return 0;
	}
}

/* Oldest NVSP version that knows each message. */
static uint32_t min_version(uint32_t type)
{
	switch (type) {
	case ENL_NVSP_MSG2_SEND_NDIS_CONFIG:
		return ENL_NVSP_VERSION_2;
	case ENL_NVSP_MSG4_SWITCH_DATA_PATH:
		return ENL_NVSP_VERSION_4;
	case ENL_NVSP_MSG5_SUBCHANNEL:
		return ENL_NVSP_VERSION_5;
	default:
		return ENL_NVSP_VERSION_1;
	}
}

static enum enl_net_reply reply_status(struct enl_nvsp_message *r,
				       uint32_t type, uint32_t status)
{
	memset(r, 0, sizeof(*r));
	r->hdr.msg_type = type;
	/* Every completion carries its status in the first body word. */
	r->msg.rndis_complete.status = status;
	return ENL_NET_REPLY_MSG;
}

static enum enl_net_reply do_init(struct enl_net_dev *d,
				  const struct enl_nvsp_init *in,
				  struct enl_nvsp_message *r)
{
	uint32_t lo = get_le32(&in->min_version);
	uint32_t hi = get_le32(&in->max_version);
	uint32_t cap = d->cfg.max_nvsp_version;
	uint32_t status = ENL_NVSP_STAT_FAIL;

	memset(r, 0, sizeof(*r));
	r->hdr.msg_type = ENL_NVSP_MSG_INIT_COMPLETE;
	/* A new INIT while buffers are in use would pull them away. */
	if (d->rx.buf.mapped || d->tx.buf.mapped) {
		net_count(d, ENL_NET_NVSP_OUT_OF_ORDER);
	} else {
		for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
			uint32_t v = versions[i];

			if ((cap && v > cap) || v < lo || v > hi)
				continue;
			d->nvsp_version = v;
			d->phase = ENL_NVSP_READY;
			r->msg.init_complete.negotiated_version = v;
			r->msg.init_complete.max_mdl_chain_len = ENL_NET_MAX_RANGES;
			status = ENL_NVSP_STAT_SUCCESS;
			break;
		}
		if (status != ENL_NVSP_STAT_SUCCESS) {
			net_count(d, ENL_NET_NVSP_NO_VERSION);
			d->phase = ENL_NVSP_WAIT_INIT;
			d->nvsp_version = 0;
		}
	}
	r->msg.init_complete.status = status;
	return ENL_NET_REPLY_MSG;
}

bool net_buf_attach(struct enl_net_dev *d, struct enl_net_buf *b,
		    uint32_t gpadl, uint16_t id)
{
	struct enl_net_view v = { 0 };

	if (d->ops->map_buffer(d->ctx, gpadl, &v) < 0) {
		net_count(d, ENL_NET_BUF_MAP_FAILED);
		return false;
	}
	if (enl_iov_map_copy(&b->map, v.iov, v.iovcnt) < 0) {
		d->ops->unmap_buffer(d->ctx, gpadl);
		net_count(d, ENL_NET_BUF_MAP_FAILED);
		return false;
	}
	b->mapped = true;
	b->gpadl = gpadl;
	b->id = id;
	return true;
}

void net_buf_detach(struct enl_net_dev *d, struct enl_net_buf *b)
{
	if (!b->mapped)
		return;
	enl_iov_map_free(&b->map);
	d->ops->unmap_buffer(d->ctx, b->gpadl);
	b->mapped = false;
}

/*
 * Receive sections hold one frame of the negotiated MTU with its RNDIS
 * wrapping (a VLAN tag included), rounded to 64 bytes; never less than
 * the configured minimum, by default the 1728 bytes Linux guests expect
 * for a 1500-byte MTU.
 */
static uint32_t recv_section_size(const struct enl_net_dev *d)
{
	uint32_t frame = d->ndis_mtu ? d->ndis_mtu :
			 1500 + ENL_ETH_HLEN;
	uint32_t max = d->cfg.max_mtu + ENL_ETH_HLEN;
	uint32_t min = d->cfg.recv_section_min ? d->cfg.recv_section_min : 1728;
	uint32_t sz;

	if (frame > max)
		frame = max;
	sz = frame + ENL_VLAN_HLEN + (uint32_t)ENL_NET_RX_OVERHEAD;
	sz = (sz + 63) & ~63u;
	return sz < min ? min : sz;
}

static enum enl_net_reply do_recv_buf(struct enl_net_dev *d,
				      const struct enl_nvsp1_buffer *in,
				      struct enl_nvsp_message *r)
{
	uint32_t limit = d->nvsp_version <= ENL_NVSP_VERSION_2 ?
			 (16u << 20) : ENL_NET_RECV_BUF_MAX;
	struct enl_nvsp1_recv_section *s;

	memset(r, 0, sizeof(*r));
	r->hdr.msg_type = ENL_NVSP_MSG1_SEND_RECV_BUF_COMPLETE;
	r->msg.recv_buf_complete.status = ENL_NVSP_STAT_FAIL;
	if (d->rx.buf.mapped) {
		net_count(d, ENL_NET_NVSP_OUT_OF_ORDER);
		return ENL_NET_REPLY_MSG;
	}
	if (!net_buf_attach(d, &d->rx.buf, get_le32(&in->gpadl_handle),
			    (uint16_t)(in->id)))
		return ENL_NET_REPLY_MSG;
	if (d->rx.buf.map.len > limit ||
	    net_rx_setup(d, recv_section_size(d)) < 0) {
		net_count(d, ENL_NET_BUF_BAD_SIZE);
		net_buf_detach(d, &d->rx.buf);
		return ENL_NET_REPLY_MSG;
	}
	r->msg.recv_buf_complete.status = ENL_NVSP_STAT_SUCCESS;
	r->msg.recv_buf_complete.num_sections = 1;
	s = &r->msg.recv_buf_complete.sections[0];
	s->offset = 0;
	s->sub_alloc_size = d->rx.section_size;
	s->num_sub_allocs = d->rx.nsections;
	s->end_offset = d->rx.section_size * d->rx.nsections;
	/* A link change that happened before the buffer existed. */
	net_flush_indications(d);
	return ENL_NET_REPLY_MSG;
}

static enum enl_net_reply do_send_buf(struct enl_net_dev *d,
				      const struct enl_nvsp1_buffer *in,
				      struct enl_nvsp_message *r)
{
	uint32_t ss = d->cfg.send_section_size;

	memset(r, 0, sizeof(*r));
	r->hdr.msg_type = ENL_NVSP_MSG1_SEND_SEND_BUF_COMPLETE;
	r->msg.send_buf_complete.status = ENL_NVSP_STAT_FAIL;
	if (d->tx.buf.mapped) {
		net_count(d, ENL_NET_NVSP_OUT_OF_ORDER);
		return ENL_NET_REPLY_MSG;
	}
	if (!net_buf_attach(d, &d->tx.buf, get_le32(&in->gpadl_handle),
			    (uint16_t)(in->id)))
		return ENL_NET_REPLY_MSG;
	if (d->tx.buf.map.len > ENL_NET_SEND_BUF_MAX ||
	    d->tx.buf.map.len < ss) {
		net_count(d, ENL_NET_BUF_BAD_SIZE);
		net_buf_detach(d, &d->tx.buf);
		return ENL_NET_REPLY_MSG;
	}
	d->tx.section_size = ss;
	d->tx.nsections = (uint32_t)(d->tx.buf.map.len / ss);
	r->msg.send_buf_complete.status = ENL_NVSP_STAT_SUCCESS;
	r->msg.send_buf_complete.section_size = ss;
	return ENL_NET_REPLY_MSG;
}

static void do_revoke(struct enl_net_dev *d, bool recv, uint16_t id)
{
	struct enl_net_buf *b = recv ? &d->rx.buf : &d->tx.buf;

	if (!b->mapped || b->id != id) {
		net_count(d, ENL_NET_BUF_BAD_ID);
		return;
	}
	if (recv) {
		net_rx_teardown(d);
	} else {
		d->tx.nsections = 0;
		d->tx.section_size = 0;
	}
	net_buf_detach(d, b);
}

/*
 * The RNDIS messages of one guest packet: up to ENL_NET_MAX_PKT_PER_MSG
 * of them back to back, each starting 8-byte aligned. Their bytes are the
 * send-buffer section's first section_size bytes (if a section is named)
 * followed by the packet's GPA ranges (if any): Linux batches packets in
 * a section and, when the last one does not fit, copies only its RNDIS
 * header there and sends its frame as pages ("partial copy"). Returns the
 * NVSP status of the packet's completion.
 */
#define SRC_MAX_IOV	(8 + ENL_NET_MAX_RANGES + 30)

static uint32_t do_rndis(struct enl_net_dev *d, unsigned int queue,
			 const struct enl_nvsp1_rndis_packet *in,
			 const struct enl_net_view *payload)
{
	uint32_t idx = get_le32(&in->section_index);
	struct iovec iov[SRC_MAX_IOV];
	struct enl_iov_map m;
	unsigned int cnt = 0;
	size_t off = 0, end;
	unsigned int n;

	if (!d->rx.buf.mapped) {
		/* Nowhere to answer; Linux never sends RNDIS this early. */
		net_count(d, ENL_NET_PKT_NO_BUFFER);
		return ENL_NVSP_STAT_FAIL;
	}
	if (idx != ENL_NVSP_NO_SECTION) {
		uint32_t sz = get_le32(&in->section_size);
		int k;

		if (!d->tx.buf.mapped || idx >= d->tx.nsections ||
		    sz > d->tx.section_size) {
			net_count(d, ENL_NET_PKT_BAD_SECTION);
			return ENL_NVSP_STAT_FAIL;
		}
		k = enl_iov_slice(&d->tx.buf.map, (size_t)idx * d->tx.section_size,
				  sz, iov, 8);
		if (k < 0) {
			net_count(d, ENL_NET_PKT_BAD_SECTION);
			return ENL_NVSP_STAT_FAIL;
		}
		cnt = (unsigned int)k;
	} else if (!payload || !payload->iovcnt) {
		net_count(d, ENL_NET_PKT_BAD_SECTION);
		return ENL_NVSP_STAT_FAIL;
	}
	if (payload && payload->iovcnt) {
		if (payload->iovcnt > SRC_MAX_IOV - cnt) {
			net_count(d, ENL_NET_TX_TOO_MANY_IOV);
			return ENL_NVSP_STAT_FAIL;
		}
		memcpy(iov + cnt, payload->iov, payload->iovcnt * sizeof(*iov));
		cnt += payload->iovcnt;
	}
	if (!enl_iov_map_wrap(&m, iov, cnt)) {
		net_count(d, ENL_NET_PKT_BAD_SECTION);
		return ENL_NVSP_STAT_FAIL;
	}
	end = m.len;

	for (n = 0; off < end; n++) {
		struct enl_rndis_hdr h;
		uint32_t type, len;
		bool ok;

		if (n == ENL_NET_MAX_PKT_PER_MSG) {
			net_count(d, ENL_NET_RNDIS_TOO_MANY);
			return ENL_NVSP_STAT_INVALID_RNDIS_PKT;
		}
		if (end - off < sizeof(h) || !enl_iov_read(&m, off, &h, sizeof(h))) {
			net_count(d, ENL_NET_RNDIS_SHORT);
			return ENL_NVSP_STAT_INVALID_RNDIS_PKT;
		}
		type = get_le32(&h.type);
		len = get_le32(&h.len);
		if (len < sizeof(h) || len > end - off) {
			net_count(d, ENL_NET_RNDIS_BAD_LEN);
			return ENL_NVSP_STAT_INVALID_RNDIS_PKT;
		}
		if (type == ENL_RNDIS_MSG_PACKET && !d->rndis_initialized) {
			/* A halted or never initialized NIC sends nothing. */
			net_count(d, ENL_NET_RNDIS_NOT_INITIALIZED);
			ok = false;
		} else if (type == ENL_RNDIS_MSG_PACKET) {
			ok = net_rndis_tx(d, queue, &m, off, len);
		} else if (queue) {
			/* Control is the primary channel's (one thread). */
			net_count(d, ENL_NET_CTL_ON_SUBCHANNEL);
			return ENL_NVSP_STAT_INVALID_RNDIS_PKT;
		} else {
			uint8_t buf[ENL_NET_CTL_MAX];

			if (len > sizeof(buf)) {
				net_count(d, ENL_NET_RNDIS_BAD_LEN);
				return ENL_NVSP_STAT_INVALID_RNDIS_PKT;
			}
			enl_iov_read(&m, off, buf, len);
			ok = net_rndis_control(d, buf, len) ==
			     ENL_NVSP_STAT_SUCCESS;
		}
		if (!ok)
			return ENL_NVSP_STAT_INVALID_RNDIS_PKT;
		/* The next message starts aligned; padding is not a message. */
		off += ((size_t)len + 7) & ~(size_t)7;
	}
	return ENL_NVSP_STAT_SUCCESS;
}

enum enl_net_reply enl_net_nvsp(struct enl_net_dev *d, unsigned int queue,
				const void *msg, size_t len,
				const struct enl_net_view *payload,
				struct enl_nvsp_message *r)
{
	struct enl_nvsp_message m;
	uint32_t type, st;
	size_t need;

	if (len < sizeof(struct enl_nvsp_hdr)) {
		net_count(d, ENL_NET_NVSP_SHORT);
		return ENL_NET_REPLY_NONE;
	}
	memset(&m, 0, sizeof(m));
	memcpy(&m, msg, len < sizeof(m) ? len : sizeof(m));
	type = get_le32(&m.hdr.msg_type);
	need = body_size(type);
	if (!need) {
		net_count(d, ENL_NET_NVSP_UNKNOWN);
		return ENL_NET_REPLY_NONE;
	}
	if (len < sizeof(struct enl_nvsp_hdr) + need) {
		net_count(d, ENL_NET_NVSP_SHORT);
		return ENL_NET_REPLY_NONE;
	}
	if (queue && type != ENL_NVSP_MSG1_SEND_RNDIS_PKT) {
		/* A sub-channel carries data; setup is the primary's. */
		net_count(d, ENL_NET_CTL_ON_SUBCHANNEL);
		return ENL_NET_REPLY_NONE;
	}
	if (type == ENL_NVSP_MSG_INIT)
		return do_init(d, &m.msg.init, r);
	if (d->phase != ENL_NVSP_READY ||
	    d->nvsp_version < min_version(type)) {
		net_count(d, ENL_NET_NVSP_OUT_OF_ORDER);
		switch (type) {
		case ENL_NVSP_MSG1_SEND_RECV_BUF:
			return reply_status(r, ENL_NVSP_MSG1_SEND_RECV_BUF_COMPLETE,
					    ENL_NVSP_STAT_FAIL);
		case ENL_NVSP_MSG1_SEND_SEND_BUF:
			return reply_status(r, ENL_NVSP_MSG1_SEND_SEND_BUF_COMPLETE,
					    ENL_NVSP_STAT_FAIL);
		case ENL_NVSP_MSG1_SEND_RNDIS_PKT:
			return reply_status(r, ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE,
					    ENL_NVSP_STAT_FAIL);
		case ENL_NVSP_MSG5_SUBCHANNEL:
			return reply_status(r, ENL_NVSP_MSG5_SUBCHANNEL,
					    ENL_NVSP_STAT_FAIL);
		default:
			return ENL_NET_REPLY_NONE;
		}
	}

	switch (type) {
	case ENL_NVSP_MSG1_SEND_NDIS_VERSION:
		d->ndis_version = ENL_NDIS_VERSION(get_le32(&m.msg.ndis_version.major),
						   get_le32(&m.msg.ndis_version.minor) & 0xffff);
		return ENL_NET_REPLY_NONE;
	case ENL_NVSP_MSG2_SEND_NDIS_CONFIG: {
		uint32_t mtu = get_le32(&m.msg.ndis_config.mtu);

		if (mtu < ENL_ETH_MIN_MTU + ENL_ETH_HLEN) {
			net_count(d, ENL_NET_CTL_BAD_VALUE);
			return ENL_NET_REPLY_NONE;
		}
		d->ndis_mtu = mtu;
		d->ndis_caps = m.msg.ndis_config.capability;
		return ENL_NET_REPLY_NONE;
	}
	case ENL_NVSP_MSG1_SEND_RECV_BUF:
		return do_recv_buf(d, &m.msg.buffer, r);
	case ENL_NVSP_MSG1_SEND_SEND_BUF:
		return do_send_buf(d, &m.msg.buffer, r);
	case ENL_NVSP_MSG1_REVOKE_RECV_BUF:
		do_revoke(d, true, m.msg.revoke.id);
		return ENL_NET_REPLY_NONE;
	case ENL_NVSP_MSG1_REVOKE_SEND_BUF:
		do_revoke(d, false, m.msg.revoke.id);
		return ENL_NET_REPLY_NONE;
	case ENL_NVSP_MSG1_SEND_RNDIS_PKT:
		st = do_rndis(d, queue, &m.msg.rndis, payload);
		return reply_status(r, ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE, st);
	case ENL_NVSP_MSG4_SWITCH_DATA_PATH:
		/* No VF here: the data path stays synthetic whatever is asked. */
		d->datapath = get_le32(&m.msg.datapath.active_datapath);
		return ENL_NET_REPLY_EMPTY;
	case ENL_NVSP_MSG5_SUBCHANNEL: {
		uint32_t op = get_le32(&m.msg.subchannel.op);
		uint32_t n = get_le32(&m.msg.subchannel.num_subchannels);
		uint32_t max = d->cfg.max_queues - 1, got = 0;

		reply_status(r, ENL_NVSP_MSG5_SUBCHANNEL, ENL_NVSP_STAT_FAIL);
		if (op != ENL_NVSP_SUBCHANNEL_ALLOCATE ||
		    n >= ENL_NVSP_MAX_CHANNELS) {
			net_count(d, ENL_NET_CTL_BAD_VALUE);
			return ENL_NET_REPLY_MSG;
		}
		if (n > max)
			n = max;
		if (n > d->subchannels && d->ops->open_subchannels)
			got = d->ops->open_subchannels(d->ctx, n - d->subchannels);
		if (got > n - d->subchannels)
			got = n - d->subchannels;
		d->subchannels += got;
		r->msg.subchannel_complete.status = ENL_NVSP_STAT_SUCCESS;
		/* Never more than asked: Linux refuses a larger grant. */
		r->msg.subchannel_complete.num_subchannels =
			d->subchannels < n ? d->subchannels : n;
		return ENL_NET_REPLY_MSG;
	}
	}
	return ENL_NET_REPLY_NONE;
}

uint32_t enl_net_nvsp_version(const struct enl_net_dev *d)
{
	return d->phase == ENL_NVSP_READY ? d->nvsp_version : 0;
}

uint32_t enl_net_send_sections(const struct enl_net_dev *d)
{
	return d->tx.buf.mapped ? d->tx.nsections : 0;
}

void enl_net_send_table(const struct enl_net_dev *d, uint32_t nchannels,
			struct enl_nvsp_indirection_msg *out)
{
	(void)d;
	memset(out, 0, sizeof(*out));
	if (!nchannels)
		nchannels = 1;
	out->m.hdr.msg_type = ENL_NVSP_MSG5_SEND_INDIRECTION_TABLE;
	out->m.msg.indirection.count = ENL_NVSP_SEND_TABLE_SIZE;
	/* Right after the message: correct for every guest version. */
	out->m.msg.indirection.offset = sizeof(struct enl_nvsp_message);
	for (uint32_t i = 0; i < ENL_NVSP_SEND_TABLE_SIZE; i++)
		out->table[i] = i % nchannels;
}
