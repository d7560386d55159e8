// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_netvsc: NVSP on the primary channel. The version handshake (the
 * newest of 6.1, 6, 5, 4, 2, 1 the host accepts, one offered at a time),
 * NDIS configuration and version, the receive and send buffers as GPADLs
 * cut into the sections the host names, sub-channels, and the messages the
 * host sends on its own (the send indirection table).
 */
#include <linux/jiffies.h>
#include <linux/vmalloc.h>
#include "netvsc.h"

static const u32 nv_versions[] = {
	ENL_NVSP_VERSION_61, ENL_NVSP_VERSION_6, ENL_NVSP_VERSION_5,
	ENL_NVSP_VERSION_4, ENL_NVSP_VERSION_2, ENL_NVSP_VERSION_1,
};

/* A message the host does not answer. */
static int nv_nvsp_post(struct nv_dev *nd, const struct enl_nvsp_message *m)
{
	return enl_vmbus_send(nd->chan[0].ch, m, sizeof(*m), 0,
			      ENL_VMPKT_DATA_INBAND, 0);
}

/*
 * One NVSP step and its answer, whose type must be want. The context
 * (nd->nctl) lives as long as the device, so an answer after we gave up
 * lands harmlessly; until it comes, busy refuses the next step, which
 * could not tell the two answers apart.
 */
static int nv_nvsp_request(struct nv_dev *nd, struct enl_nvsp_message *m,
			   u32 want, struct enl_nvsp_message *resp)
{
	unsigned long left;
	u32 len;
	int ret;

	spin_lock_bh(&nd->ctl_spin);
	if (nd->nctl.busy) {
		spin_unlock_bh(&nd->ctl_spin);
		return -EBUSY;
	}
	nd->nctl.busy = true;
	reinit_completion(&nd->nctl.done);
	spin_unlock_bh(&nd->ctl_spin);

	ret = enl_vmbus_send_request(nd->chan[0].ch, m, sizeof(*m), &nd->nctl);
	if (ret) {
		spin_lock_bh(&nd->ctl_spin);
		nd->nctl.busy = false;
		spin_unlock_bh(&nd->ctl_spin);
		return ret;
	}
	left = wait_for_completion_timeout(&nd->nctl.done,
					   msecs_to_jiffies(NV_CTL_TIMEOUT_MS));
	if (!left)
		return -ETIMEDOUT;
	spin_lock_bh(&nd->ctl_spin);
	*resp = nd->nctl.resp;
	len = nd->nctl.resp_len;
	spin_unlock_bh(&nd->ctl_spin);
	/* Every answer carries at least its type and a status word. */
	if (len < sizeof(resp->hdr) + sizeof(u32) || resp->hdr.msg_type != want) {
		dev_err(&nd->vdev->dev, "NVSP: answer of type %u (%u bytes) to type %u\n",
			resp->hdr.msg_type, len, m->hdr.msg_type);
		return -EPROTO;
	}
	return 0;
}

/* The host completed the NVSP step (NAPI of the primary channel). */
void nv_nvsp_ctl_done(struct nv_dev *nd, const void *data, u32 len)
{
	spin_lock(&nd->ctl_spin);
	if (!nd->nctl.busy) {
		spin_unlock(&nd->ctl_spin);
		return;
	}
	memset(&nd->nctl.resp, 0, sizeof(nd->nctl.resp));
	memcpy(&nd->nctl.resp, data, min_t(u32, len, sizeof(nd->nctl.resp)));
	nd->nctl.resp_len = len;
	nd->nctl.busy = false;
	complete(&nd->nctl.done);
	spin_unlock(&nd->ctl_spin);
}

static int nv_negotiate(struct nv_dev *nd)
{
	struct enl_nvsp_message m, r;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(nv_versions); i++) {
		memset(&m, 0, sizeof(m));
		m.hdr.msg_type = ENL_NVSP_MSG_INIT;
		m.msg.init.min_version = nv_versions[i];
		m.msg.init.max_version = nv_versions[i];
		ret = nv_nvsp_request(nd, &m, ENL_NVSP_MSG_INIT_COMPLETE, &r);
		if (ret)
			return ret;
		if (r.msg.init_complete.status == ENL_NVSP_STAT_SUCCESS) {
			nd->nvsp_version = nv_versions[i];
			return 0;
		}
	}
	dev_err(&nd->vdev->dev, "host speaks no NVSP version from 1 to 6.1\n");
	return -EPROTONOSUPPORT;
}

static int nv_ndis_setup(struct nv_dev *nd)
{
	struct enl_nvsp_message m;
	int ret;

	if (nd->nvsp_version >= ENL_NVSP_VERSION_2) {
		memset(&m, 0, sizeof(m));
		m.hdr.msg_type = ENL_NVSP_MSG2_SEND_NDIS_CONFIG;
		/* The frame: the MTU with the Ethernet header. */
		m.msg.ndis_config.mtu = nd->ndev->mtu + ETH_HLEN;
		m.msg.ndis_config.capability = ENL_NVSP_CAP_IEEE8021Q;
		/* Teaming: the host tells us about link speed changes. */
		if (nd->nvsp_version >= ENL_NVSP_VERSION_5)
			m.msg.ndis_config.capability |= ENL_NVSP_CAP_TEAMING;
		ret = nv_nvsp_post(nd, &m);
		if (ret)
			return ret;
	}
	nd->ndis_version = nd->nvsp_version <= ENL_NVSP_VERSION_4 ?
			   ENL_NDIS_VERSION_6_1 : ENL_NDIS_VERSION_6_30;
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_NDIS_VERSION;
	m.msg.ndis_version.major = nd->ndis_version >> 16;
	m.msg.ndis_version.minor = nd->ndis_version & 0xffff;
	return nv_nvsp_post(nd, &m);
}

/*
 * The receive buffer's pages, for lending them to the stack (rx.c);
 * without memory for the table every packet is copied.
 */
static void nv_recv_pages(struct nv_dev *nd)
{
	u32 i, n = DIV_ROUND_UP(nd->recv_size, PAGE_SIZE);
	struct page **pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);

	for (i = 0; pages && i < n; i++)
		pages[i] = vmalloc_to_page((u8 *)nd->recv_buf +
					   ((size_t)i << PAGE_SHIFT));
	/* Whole or not at all (published by nv_recv_buf's release). */
	nd->recv_pages = pages;
}

static int nv_recv_buf(struct nv_dev *nd)
{
	const struct enl_nvsp1_recv_section *s;
	struct enl_nvsp_message m, r;
	u64 end;
	int ret;

	nd->recv_size = nd->want_recv_size;
	if (nd->nvsp_version <= ENL_NVSP_VERSION_2)
		nd->recv_size = min(nd->recv_size, NV_RECV_BUF_LEGACY);
	nd->recv_buf = vzalloc(nd->recv_size);
	if (!nd->recv_buf)
		return -ENOMEM;
	ret = enl_vmbus_gpadl_establish(nd->chan[0].ch, nd->recv_buf,
					nd->recv_size, &nd->recv_gpadl);
	if (ret) {
		/* After a timeout the host may still use it: leak it. */
		if (ret != -ETIMEDOUT)
			vfree(nd->recv_buf);
		nd->recv_buf = NULL;
		nd->recv_gpadl = 0;
		return ret;
	}
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RECV_BUF;
	m.msg.buffer.gpadl_handle = nd->recv_gpadl;
	m.msg.buffer.id = ENL_NVSP_RECV_BUFFER_ID;
	ret = nv_nvsp_request(nd, &m, ENL_NVSP_MSG1_SEND_RECV_BUF_COMPLETE, &r);
	if (ret)
		return ret;
	if (r.msg.recv_buf_complete.status != ENL_NVSP_STAT_SUCCESS) {
		dev_err(&nd->vdev->dev, "host refused the receive buffer: %u\n",
			r.msg.recv_buf_complete.status);
		return -EIO;
	}
	/* One section at offset 0, inside the buffer: all we know how to use. */
	s = &r.msg.recv_buf_complete.sections[0];
	end = (u64)s->sub_alloc_size * s->num_sub_allocs;
	if (r.msg.recv_buf_complete.num_sections != 1 || s->offset ||
	    !s->sub_alloc_size || !s->num_sub_allocs || end > nd->recv_size ||
	    s->sub_alloc_size < sizeof(struct enl_rndis_hdr)) {
		dev_err(&nd->vdev->dev, "receive sections refused: %u sections, %u x %u at %u\n",
			r.msg.recv_buf_complete.num_sections, s->num_sub_allocs,
			s->sub_alloc_size, s->offset);
		return -EPROTO;
	}
	nd->recv_section_size = s->sub_alloc_size;
	nv_recv_pages(nd);
	/*
	 * Last: channel 0 takes packets already, and the receive path reads
	 * the section size and the page table once it sees sections.
	 */
	smp_store_release(&nd->recv_sections, s->num_sub_allocs);
	return 0;
}

static int nv_send_buf(struct nv_dev *nd)
{
	struct enl_nvsp_message m, r;
	u32 ss;
	int ret;

	nd->send_size = nd->want_send_size;
	nd->send_buf = vzalloc(nd->send_size);
	if (!nd->send_buf)
		return -ENOMEM;
	ret = enl_vmbus_gpadl_establish(nd->chan[0].ch, nd->send_buf,
					nd->send_size, &nd->send_gpadl);
	if (ret) {
		if (ret != -ETIMEDOUT)
			vfree(nd->send_buf);
		nd->send_buf = NULL;
		nd->send_gpadl = 0;
		return ret;
	}
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_SEND_BUF;
	m.msg.buffer.gpadl_handle = nd->send_gpadl;
	m.msg.buffer.id = ENL_NVSP_SEND_BUFFER_ID;
	ret = nv_nvsp_request(nd, &m, ENL_NVSP_MSG1_SEND_SEND_BUF_COMPLETE, &r);
	if (ret)
		return ret;
	if (r.msg.send_buf_complete.status != ENL_NVSP_STAT_SUCCESS) {
		dev_err(&nd->vdev->dev, "host refused the send buffer: %u\n",
			r.msg.send_buf_complete.status);
		return -EIO;
	}
	ss = r.msg.send_buf_complete.section_size;
	/* A section must hold a small frame with its RNDIS header. */
	if (ss < NV_TX_HDR_MAX + ETH_ZLEN || ss > nd->send_size) {
		dev_err(&nd->vdev->dev, "send section size %u refused\n", ss);
		return -EPROTO;
	}
	nd->send_section_size = ss;
	nd->send_sections = nd->send_size / ss;
	return 0;
}

int nv_nvsp_connect(struct nv_dev *nd)
{
	int ret;

	ret = nv_negotiate(nd);
	if (!ret)
		ret = nv_ndis_setup(nd);
	if (!ret)
		ret = nv_recv_buf(nd);
	if (!ret)
		ret = nv_send_buf(nd);
	return ret;
}

static void nv_revoke(struct nv_dev *nd, u32 type, u16 id)
{
	struct enl_nvsp_message m;

	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = type;
	m.msg.revoke.id = id;
	/* A closed or rescinded channel: the host let go already. */
	nv_nvsp_post(nd, &m);
}

/* Before the channels close: the host stops using the buffers. */
void nv_nvsp_disconnect(struct nv_dev *nd)
{
	if (nd->recv_sections)
		nv_revoke(nd, ENL_NVSP_MSG1_REVOKE_RECV_BUF,
			  ENL_NVSP_RECV_BUFFER_ID);
	if (nd->send_sections)
		nv_revoke(nd, ENL_NVSP_MSG1_REVOKE_SEND_BUF,
			  ENL_NVSP_SEND_BUFFER_ID);
	nd->recv_sections = 0;
	nd->send_sections = 0;
}

/*
 * Ask for n sub-channels. Returns how many the host grants (never more
 * than asked: a larger grant is a protocol error), or -errno.
 */
int nv_nvsp_subchannels(struct nv_dev *nd, u32 n)
{
	struct enl_nvsp_message m, r;
	int ret;

	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG5_SUBCHANNEL;
	m.msg.subchannel.op = ENL_NVSP_SUBCHANNEL_ALLOCATE;
	m.msg.subchannel.num_subchannels = n;
	ret = nv_nvsp_request(nd, &m, ENL_NVSP_MSG5_SUBCHANNEL, &r);
	if (ret)
		return ret;
	if (r.msg.subchannel_complete.status != ENL_NVSP_STAT_SUCCESS) {
		dev_warn(&nd->vdev->dev, "%u sub-channels refused: %u\n", n,
			 r.msg.subchannel_complete.status);
		return 0;
	}
	if (r.msg.subchannel_complete.num_subchannels > n) {
		dev_err(&nd->vdev->dev, "host grants %u sub-channels of %u asked\n",
			r.msg.subchannel_complete.num_subchannels, n);
		return -EPROTO;
	}
	return r.msg.subchannel_complete.num_subchannels;
}

/* SEND_INDIRECTION_TABLE: which channel sends a flow (ndo_select_queue). */
static void nv_send_table(struct nv_chan *c, const u8 *data, u32 len)
{
	struct nv_dev *nd = c->nd;
	const struct enl_nvsp_message *m = (const void *)data;
	u32 count, offset, i;
	u32 tab[ENL_NVSP_SEND_TABLE_SIZE];

	count = m->msg.indirection.count;
	offset = m->msg.indirection.offset;
	/* Hosts up to NVSP 6.0 put the table after the message, whatever offset says. */
	if (nd->nvsp_version <= ENL_NVSP_VERSION_6)
		offset = sizeof(struct enl_nvsp_message);
	if (count != ENL_NVSP_SEND_TABLE_SIZE || len < sizeof(tab) ||
	    offset > len - sizeof(tab)) {
		atomic64_inc(&nd->malformed_ctl);
		nv_warn_rl(nd->ndev, "send table of %u entries at %u in %u bytes dropped\n",
			   count, offset, len);
		return;
	}
	memcpy(tab, data + offset, sizeof(tab));
	for (i = 0; i < ENL_NVSP_SEND_TABLE_SIZE; i++)
		WRITE_ONCE(nd->tx_table[i], tab[i]);
}

/* An in-band packet the host sent on its own. */
void nv_nvsp_inband(struct nv_chan *c, const struct enl_vmbus_pkt *pkt)
{
	u8 buf[sizeof(struct enl_nvsp_indirection_msg)];
	const struct enl_nvsp_message *m = (const void *)buf;
	u32 len = min_t(u32, pkt->len, sizeof(buf));

	nv_count(c, NV_ST_unsolicited, 1);
	/* Read the shared bytes once. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, pkt->data, len);
	if (len < sizeof(struct enl_nvsp_message)) {
		atomic64_inc(&c->nd->malformed_ctl);
		nv_warn_rl(c->nd->ndev, "NVSP message of %u bytes dropped\n",
			   pkt->len);
		return;
	}
	switch (m->hdr.msg_type) {
	case ENL_NVSP_MSG5_SEND_INDIRECTION_TABLE:
		nv_send_table(c, buf, len);
		break;
	case ENL_NVSP_MSG4_SEND_VF_ASSOCIATION:
		/* No VF driver here: the data path stays synthetic. */
		break;
	default:
		atomic64_inc(&c->nd->malformed_ctl);
		nv_warn_rl(c->nd->ndev, "NVSP message of type %u dropped\n",
			   m->hdr.msg_type);
		break;
	}
}
