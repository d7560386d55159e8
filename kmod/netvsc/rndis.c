// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_netvsc: RNDIS control. One request at a time (nd->lock): the message
 * is built in a page of its own, sent as a GPA-direct SEND_RNDIS_PKT on
 * the primary channel, and its answer comes back through the receive
 * buffer as a control transfer, matched by request id. Also the host's
 * status indications (link up and down, link speed).
 */
#include <linux/ethtool.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include "netvsc.h"

/* Hyper-V page numbers are 4 KiB ones. */
static_assert(PAGE_SIZE == 4096);
static_assert(NV_CTL_MSG_MAX <= PAGE_SIZE);

/* Checksum capability sets the way NDIS names them. */
#define NV_CSUM_ALL_TCP4	(ENL_NDIS_CSUM_TCP | ENL_NDIS_CSUM_TCP_OPT)
#define NV_CSUM_ALL_TCP6	(ENL_NDIS_CSUM_TCP | ENL_NDIS_CSUM_TCP_OPT | \
				 ENL_NDIS_CSUM_IP_OPT)
#define NV_LSOV2_ALL_IP6	(ENL_NDIS_LSOV2_IP6_EXT | ENL_NDIS_LSOV2_TCP6_OPT)

/* The NVSP completion of the control message came back (NAPI). */
void nv_rndis_sent(struct nv_dev *nd)
{
	spin_lock(&nd->ctl_spin);
	nd->rctl.at_host = false;
	spin_unlock(&nd->ctl_spin);
	wake_up(&nd->rctl.idle);
}

/*
 * The host may answer a request before it completes the packet that
 * carried it: wait for that completion before the page is used again.
 */
static bool nv_rndis_idle(struct nv_dev *nd)
{
	bool idle;

	spin_lock_bh(&nd->ctl_spin);
	idle = !nd->rctl.at_host;
	spin_unlock_bh(&nd->ctl_spin);
	return idle;
}

/*
 * Send one control message of type with body (its request id written by
 * us) and, if resp, wait for the answer: up to *resp_len bytes of it are
 * copied to resp (the whole message, header included). Caller holds
 * nd->lock.
 */
static int nv_rndis_request(struct nv_dev *nd, u32 type, const void *body,
			    u32 body_len, void *resp, u32 *resp_len)
{
	struct nv_rndis_ctl *r = &nd->rctl;
	struct enl_rndis_hdr *h = r->page;
	u32 len = sizeof(*h) + body_len, id;
	struct enl_gpa_page_range range;
	struct enl_nvsp_message m;
	unsigned long left;
	int ret;

	lockdep_assert_held(&nd->lock);
	if (len > NV_CTL_MSG_MAX || body_len < sizeof(u32))
		return -EINVAL;
	wait_event_timeout(r->idle, nv_rndis_idle(nd),
			   msecs_to_jiffies(NV_CTL_TIMEOUT_MS));
	spin_lock_bh(&nd->ctl_spin);
	if (r->at_host) {
		/* A message of a request we gave up on is still out. */
		spin_unlock_bh(&nd->ctl_spin);
		return -EBUSY;
	}
	id = ++nd->next_req_id;
	if (!id)
		id = ++nd->next_req_id;
	r->at_host = true;
	r->req_id = resp ? id : 0;
	r->resp_len = 0;
	reinit_completion(&r->done);
	spin_unlock_bh(&nd->ctl_spin);

	h->type = type;
	h->len = len;
	memcpy(h + 1, body, body_len);
	/* Every request's body starts with its id. */
	memcpy(h + 1, &id, sizeof(id));

	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT;
	m.msg.rndis.channel_type = ENL_NVSP_CHANNEL_CONTROL;
	m.msg.rndis.section_index = ENL_NVSP_NO_SECTION;
	range.byte_count = len;
	range.byte_offset = offset_in_page(r->page);
	range.pfn = page_to_pfn(virt_to_page(r->page));
	ret = enl_vmbus_send_gpa_request(nd->chan[0].ch,
					 (struct enl_gpa_range *)&range,
					 sizeof(range), 1, &m, sizeof(m), r);
	if (ret) {
		spin_lock_bh(&nd->ctl_spin);
		r->at_host = false;
		r->req_id = 0;
		spin_unlock_bh(&nd->ctl_spin);
		return ret;
	}
	if (!resp)
		return 0;
	left = wait_for_completion_timeout(&r->done,
					   msecs_to_jiffies(NV_CTL_TIMEOUT_MS));
	spin_lock_bh(&nd->ctl_spin);
	r->req_id = 0;
	if (left) {
		*resp_len = min(*resp_len, r->resp_len);
		memcpy(resp, r->resp, *resp_len);
	}
	spin_unlock_bh(&nd->ctl_spin);
	if (!left) {
		netdev_err(nd->ndev, "RNDIS request %#x: no answer\n", type);
		return -ETIMEDOUT;
	}
	return 0;
}

int nv_rndis_init(struct nv_dev *nd)
{
	struct enl_rndis_init_request q = {
		.major = ENL_RNDIS_MAJOR_VERSION,
		.minor = ENL_RNDIS_MINOR_VERSION,
		.max_xfer_size = 0x4000,
	};
	struct {
		struct enl_rndis_hdr h;
		struct enl_rndis_init_complete c;
	} __packed a;
	u32 alen = sizeof(a);
	int ret;

	ret = nv_rndis_request(nd, ENL_RNDIS_MSG_INIT, &q, sizeof(q), &a, &alen);
	if (ret)
		return ret;
	if (alen < sizeof(a) || a.h.type != ENL_RNDIS_MSG_INIT_C ||
	    a.c.status != ENL_RNDIS_STATUS_SUCCESS) {
		netdev_err(nd->ndev, "RNDIS initialize refused (%u bytes, status %#x)\n",
			   alen, alen >= sizeof(a) ? a.c.status : 0);
		return -EIO;
	}
	/* Messages per send and their alignment, bounded to sane values. */
	nd->max_pkt_per_msg = clamp_t(u32, a.c.max_pkt_per_msg, 1, 32);
	nd->pkt_align = a.c.pkt_alignment_factor > 12 ? 0 :
			1u << a.c.pkt_alignment_factor;
	if (nd->pkt_align < 8) {
		if (a.c.pkt_alignment_factor > 12)
			netdev_warn(nd->ndev, "packet alignment 2^%u: using 8\n",
				    a.c.pkt_alignment_factor);
		nd->pkt_align = 8;
	}
	return 0;
}

/* No answer comes to HALT: the host stops using the device. */
void nv_rndis_halt(struct nv_dev *nd)
{
	struct enl_rndis_halt_request q = {};

	nv_rndis_request(nd, ENL_RNDIS_MSG_HALT, &q, sizeof(q), NULL, NULL);
}

int nv_rndis_query(struct nv_dev *nd, u32 oid, const void *in, u32 inlen,
		   void *out, u32 *outlen)
{
	struct {
		struct enl_rndis_query_request q;
		u8 info[256];
	} __packed req = {};
	u8 a[NV_CTL_MSG_MAX];
	struct enl_rndis_hdr h;
	struct enl_rndis_query_complete c;
	u32 alen = sizeof(a), blen;
	int ret;

	if (inlen > sizeof(req.info))
		return -EINVAL;
	req.q.oid = oid;
	req.q.info_buflen = inlen;
	req.q.info_buf_offset = sizeof(req.q);
	if (inlen)
		memcpy(req.info, in, inlen);
	ret = nv_rndis_request(nd, ENL_RNDIS_MSG_QUERY, &req,
			       sizeof(req.q) + inlen, a, &alen);
	if (ret)
		return ret;
	if (alen < sizeof(h) + sizeof(c))
		goto bad;
	memcpy(&h, a, sizeof(h));
	memcpy(&c, a + sizeof(h), sizeof(c));
	if (h.type != ENL_RNDIS_MSG_QUERY_C)
		goto bad;
	if (c.status != ENL_RNDIS_STATUS_SUCCESS)
		return c.status == ENL_RNDIS_STATUS_NOT_SUPPORTED ?
		       -EOPNOTSUPP : -EIO;
	/* The information buffer lies inside the answer's body. */
	blen = alen - sizeof(h);
	if (c.info_buflen &&
	    (c.info_buf_offset < sizeof(c) || c.info_buf_offset > blen ||
	     c.info_buflen > blen - c.info_buf_offset))
		goto bad;
	if (c.info_buflen > *outlen)
		goto bad;
	memcpy(out, a + sizeof(h) + c.info_buf_offset, c.info_buflen);
	*outlen = c.info_buflen;
	return 0;
bad:
	atomic64_inc(&nd->malformed_ctl);
	netdev_err(nd->ndev, "query of OID %#x: malformed answer\n", oid);
	return -EPROTO;
}

struct nv_set_req {
	struct enl_rndis_set_request s;
	u8 info[NV_CTL_MSG_MAX - 64];
} __packed;

int nv_rndis_set(struct nv_dev *nd, u32 oid, const void *in, u32 len)
{
	struct nv_set_req *req;
	struct {
		struct enl_rndis_hdr h;
		struct enl_rndis_set_complete c;
	} __packed a = {};
	u32 alen = sizeof(a);
	int ret;

	if (len > sizeof(req->info))
		return -EINVAL;
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->s.oid = oid;
	req->s.info_buflen = len;
	req->s.info_buf_offset = sizeof(req->s);
	memcpy(req->info, in, len);
	ret = nv_rndis_request(nd, ENL_RNDIS_MSG_SET, req, sizeof(req->s) + len,
			       &a, &alen);
	kfree(req);
	if (ret)
		return ret;
	if (alen < sizeof(a) || a.h.type != ENL_RNDIS_MSG_SET_C) {
		atomic64_inc(&nd->malformed_ctl);
		nv_warn_rl(nd->ndev, "answer to the set of OID %#x malformed (type %#x, %u bytes)\n",
			   oid, a.h.type, alen);
		return -EPROTO;
	}
	if (a.c.status != ENL_RNDIS_STATUS_SUCCESS) {
		netdev_warn(nd->ndev, "set of OID %#x refused: %#x\n", oid,
			    a.c.status);
		return a.c.status == ENL_RNDIS_STATUS_NOT_SUPPORTED ?
		       -EOPNOTSUPP : -EIO;
	}
	return 0;
}

int nv_rndis_set_filter(struct nv_dev *nd, u32 filter)
{
	int ret = nv_rndis_set(nd, ENL_OID_GEN_CURRENT_PACKET_FILTER, &filter,
			       sizeof(filter));

	if (!ret)
		nd->filter = filter;
	return ret;
}

/* The "NetworkAddress" configuration parameter: 12 hex digits, UTF-16. */
int nv_rndis_set_mac(struct nv_dev *nd, const u8 *mac)
{
	static const char name[] = "NetworkAddress";
	struct {
		struct enl_rndis_config_param p;
		__le16 name[sizeof(name) - 1];
		__le16 value[2 * ETH_ALEN];
	} __packed cp = {};
	unsigned int i;

	cp.p.name_offset = offsetof(typeof(cp), name);
	cp.p.name_length = sizeof(cp.name);
	cp.p.type = ENL_RNDIS_CONFIG_PARAM_STRING;
	cp.p.value_offset = offsetof(typeof(cp), value);
	cp.p.value_length = sizeof(cp.value);
	for (i = 0; i < sizeof(name) - 1; i++)
		cp.name[i] = cpu_to_le16(name[i]);
	for (i = 0; i < ETH_ALEN; i++) {
		cp.value[2 * i] = cpu_to_le16(hex_asc_upper_hi(mac[i]));
		cp.value[2 * i + 1] = cpu_to_le16(hex_asc_upper_lo(mac[i]));
	}
	return nv_rndis_set(nd, ENL_OID_GEN_RNDIS_CONFIG_PARAMETER, &cp,
			    sizeof(cp));
}

static int nv_query_hwcaps(struct nv_dev *nd, struct enl_ndis_offload *caps)
{
	struct enl_ndis_object_header in = { .type = ENL_NDIS_OBJECT_TYPE_OFFLOAD };
	u32 len = sizeof(*caps);
	int ret;

	if (nd->nvsp_version >= ENL_NVSP_VERSION_5) {
		in.revision = ENL_NDIS_OFFLOAD_REVISION_3;
		in.size = ENL_NDIS_OFFLOAD_SIZE;
	} else if (nd->nvsp_version >= ENL_NVSP_VERSION_4) {
		in.revision = ENL_NDIS_OFFLOAD_REVISION_2;
		in.size = ENL_NDIS_OFFLOAD_SIZE_6_1;
	} else {
		in.revision = ENL_NDIS_OFFLOAD_REVISION_1;
		in.size = ENL_NDIS_OFFLOAD_SIZE_6_0;
	}
	memset(caps, 0, sizeof(*caps));
	ret = nv_rndis_query(nd, ENL_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
			     &in, sizeof(in), caps, &len);
	if (ret)
		return ret;
	if (caps->header.type != ENL_NDIS_OBJECT_TYPE_OFFLOAD ||
	    caps->header.revision < ENL_NDIS_OFFLOAD_REVISION_1 ||
	    caps->header.size > len ||
	    caps->header.size < ENL_NDIS_OFFLOAD_SIZE_6_0) {
		atomic64_inc(&nd->malformed_ctl);
		netdev_err(nd->ndev, "offload capabilities refused: type %#x rev %u size %u of %u\n",
			   caps->header.type, caps->header.revision,
			   caps->header.size, len);
		return -EPROTO;
	}
	/* What the host did not send is not offered. */
	memset((u8 *)caps + caps->header.size, 0,
	       sizeof(*caps) - caps->header.size);
	return 0;
}

/*
 * Query what the host offloads, turn on checksums (TCP, and UDP from
 * NVSP 5), LSOv2 and receive coalescing (RSC, NVSP 6.1: shown as LRO,
 * which the stack turns off where the NIC forwards) where offered, and
 * set hw_features to match.
 */
int nv_rndis_setup_offloads(struct nv_dev *nd)
{
	struct net_device *ndev = nd->ndev;
	struct enl_ndis_offload *c = &nd->hwcaps;
	struct enl_ndis_offload_params p = {};
	netdev_features_t hw = NETIF_F_SG | NETIF_F_RXCSUM | NETIF_F_RXHASH |
			       NETIF_F_HW_VLAN_CTAG_TX;
	bool udp = nd->nvsp_version >= ENL_NVSP_VERSION_5;
	u32 gso = GSO_LEGACY_MAX_SIZE, len;
	int ret;

	ret = nv_query_hwcaps(nd, c);
	if (ret)
		return ret;
	nd->tx_csum_mask = 0;
	/* Linux computes IPv4 header checksums itself. */
	p.ip_v4_csum = ENL_NDIS_OFFLOAD_TX_RX_DISABLED;
	if ((c->csum.ip4_txcsum & NV_CSUM_ALL_TCP4) == NV_CSUM_ALL_TCP4) {
		hw |= NETIF_F_IP_CSUM;
		nd->tx_csum_mask |= NV_TXCSUM_TCP4;
		p.tcp_ip_v4_csum = ENL_NDIS_OFFLOAD_TX_RX_ENABLED;
		if (c->lsov2.ip4_encap & ENL_NDIS_ENCAP_8023) {
			p.lso_v2_ipv4 = ENL_NDIS_OFFLOAD_ENABLED;
			hw |= NETIF_F_TSO;
			if (c->lsov2.ip4_maxsz)
				gso = min(gso, c->lsov2.ip4_maxsz);
		}
		if (udp && (c->csum.ip4_txcsum & ENL_NDIS_CSUM_UDP)) {
			p.udp_ip_v4_csum = ENL_NDIS_OFFLOAD_TX_RX_ENABLED;
			nd->tx_csum_mask |= NV_TXCSUM_UDP4;
		}
	}
	if ((c->csum.ip6_txcsum & NV_CSUM_ALL_TCP6) == NV_CSUM_ALL_TCP6) {
		hw |= NETIF_F_IPV6_CSUM;
		nd->tx_csum_mask |= NV_TXCSUM_TCP6;
		p.tcp_ip_v6_csum = ENL_NDIS_OFFLOAD_TX_RX_ENABLED;
		if ((c->lsov2.ip6_encap & ENL_NDIS_ENCAP_8023) &&
		    (c->lsov2.ip6_opts & NV_LSOV2_ALL_IP6) == NV_LSOV2_ALL_IP6) {
			p.lso_v2_ipv6 = ENL_NDIS_OFFLOAD_ENABLED;
			hw |= NETIF_F_TSO6;
			if (c->lsov2.ip6_maxsz)
				gso = min(gso, c->lsov2.ip6_maxsz);
		}
		if (udp && (c->csum.ip6_txcsum & ENL_NDIS_CSUM_UDP)) {
			p.udp_ip_v6_csum = ENL_NDIS_OFFLOAD_TX_RX_ENABLED;
			nd->tx_csum_mask |= NV_TXCSUM_UDP6;
		}
	}
	/* A TSO packet must fit the host's limit and one GPA send. */
	nd->gso_max = clamp_t(u32, gso, 2 * ETH_DATA_LEN, GSO_LEGACY_MAX_SIZE);
	/* The joined packet carries the fragments' checksum verdict. */
	nd->rsc_offered = nd->nvsp_version >= ENL_NVSP_VERSION_61 &&
			  c->rsc.ip4 && c->rsc.ip6 &&
			  p.tcp_ip_v4_csum && p.tcp_ip_v6_csum;
	if (nd->rsc_offered) {
		hw |= NETIF_F_LRO;
		p.rsc_ip_v4 = nd->rsc_off ? ENL_NDIS_OFFLOAD_DISABLED :
			      ENL_NDIS_OFFLOAD_ENABLED;
		p.rsc_ip_v6 = p.rsc_ip_v4;
	}

	p.header.type = ENL_NDIS_OBJECT_TYPE_DEFAULT;
	p.header.revision = ENL_NDIS_OFFLOAD_REVISION_3;
	len = nd->nvsp_version <= ENL_NVSP_VERSION_4 ?
	      ENL_NDIS_OFFLOAD_PARAMS_SIZE_V4 : sizeof(p);
	p.header.size = len;
	ret = nv_rndis_set(nd, ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, len);
	if (ret) {
		/* The host keeps everything off: so do we. */
		nd->tx_csum_mask = 0;
		hw &= ~(NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM | NETIF_F_TSO |
			NETIF_F_TSO6 | NETIF_F_LRO);
		nd->rsc_offered = false;
	}
	ndev->hw_features = hw;
	ndev->features &= hw | ~(netdev_features_t)(NETIF_F_IP_CSUM |
			  NETIF_F_IPV6_CSUM | NETIF_F_TSO | NETIF_F_TSO6 |
			  NETIF_F_LRO);
	netif_set_tso_max_size(ndev, nd->gso_max);
	return 0;
}

/* ethtool -K lro on|off: receive coalescing at the host, both IPs. */
int nv_rndis_set_rsc(struct nv_dev *nd, bool on)
{
	struct enl_ndis_offload_params p = {};

	if (!nd->rsc_offered)
		return -EOPNOTSUPP;
	p.header.type = ENL_NDIS_OBJECT_TYPE_DEFAULT;
	p.header.revision = ENL_NDIS_OFFLOAD_REVISION_3;
	p.header.size = sizeof(p);
	/* Everything else stays as it is (0: no change). */
	p.rsc_ip_v4 = on ? ENL_NDIS_OFFLOAD_ENABLED : ENL_NDIS_OFFLOAD_DISABLED;
	p.rsc_ip_v6 = p.rsc_ip_v4;
	return nv_rndis_set(nd, ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p));
}

struct nv_rss_req {
	struct enl_ndis_rss_params p;
	u32 itab[NV_ITAB_SIZE];
	u8 key[ENL_NDIS_RSS_KEY_SIZE];
} __packed;

/* The indirection table (spread over nr_chan channels) and hash key. */
int nv_rndis_set_rss(struct nv_dev *nd)
{
	struct nv_rss_req *r;
	unsigned int i;
	int ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->p.header.type = ENL_NDIS_OBJECT_TYPE_RSS_PARAMETERS;
	r->p.header.revision = ENL_NDIS_RSS_PARAMS_REVISION_2;
	r->p.header.size = sizeof(r->p);
	r->p.hashinfo = ENL_NDIS_HASH_FUNC_TOEPLITZ | ENL_NDIS_HASH_IPV4 |
			ENL_NDIS_HASH_TCP_IPV4 | ENL_NDIS_HASH_IPV6 |
			ENL_NDIS_HASH_TCP_IPV6;
	r->p.indirect_tabsize = sizeof(r->itab);
	r->p.indirect_taboffset = offsetof(typeof(*r), itab);
	r->p.hashkey_size = ENL_NDIS_RSS_KEY_SIZE;
	r->p.hashkey_offset = offsetof(typeof(*r), key);
	/* ethtool -X's table while it names only channels we have. */
	for (i = 0; nd->rx_table_set && i < NV_ITAB_SIZE; i++)
		if (nd->rx_table[i] >= nd->nr_chan)
			nd->rx_table_set = false;
	for (i = 0; i < NV_ITAB_SIZE; i++) {
		if (!nd->rx_table_set)
			nd->rx_table[i] = ethtool_rxfh_indir_default(i, nd->nr_chan);
		r->itab[i] = nd->rx_table[i];
	}
	memcpy(r->key, nd->rss_key, sizeof(r->key));
	ret = nv_rndis_set(nd, ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS, r,
			   sizeof(*r));
	kfree(r);
	return ret;
}

static void nv_set_link(struct nv_dev *nd, bool up)
{
	WRITE_ONCE(nd->link_up, up);
	schedule_work(&nd->link_work);
}

/* Link state and speed, as the host says them now. */
void nv_rndis_query_link(struct nv_dev *nd)
{
	u32 v, len = sizeof(v);

	if (!nv_rndis_query(nd, ENL_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0,
			    &v, &len) && len == sizeof(v))
		nv_set_link(nd, v == ENL_RNDIS_MEDIA_STATE_CONNECTED);
	len = sizeof(v);
	/* 100 bit/s units. */
	if (!nv_rndis_query(nd, ENL_OID_GEN_LINK_SPEED, NULL, 0, &v, &len) &&
	    len == sizeof(v))
		WRITE_ONCE(nd->link_speed, v / 10000);
}

static void nv_indicate(struct nv_chan *c, const u8 *body, u32 blen)
{
	struct nv_dev *nd = c->nd;
	struct enl_rndis_indicate_status s;
	u32 v;

	if (blen < sizeof(s))
		goto bad;
	memcpy(&s, body, sizeof(s));
	/* Whatever the status, its buffer lies inside the message. */
	if (s.status_buflen &&
	    (s.status_buf_offset < sizeof(s) || s.status_buf_offset > blen ||
	     s.status_buflen > blen - s.status_buf_offset))
		goto bad;
	atomic64_inc(&nd->indications);
	switch (s.status) {
	case ENL_RNDIS_STATUS_MEDIA_CONNECT:
		nv_set_link(nd, true);
		break;
	case ENL_RNDIS_STATUS_MEDIA_DISCONNECT:
		nv_set_link(nd, false);
		break;
	case ENL_RNDIS_STATUS_LINK_SPEED_CHANGE:
		if (s.status_buflen < sizeof(v))
			goto bad;
		memcpy(&v, body + s.status_buf_offset, sizeof(v));
		WRITE_ONCE(nd->link_speed, v / 10000);
		break;
	default:
		/* NETWORK_CHANGE and others: the link itself is unchanged. */
		break;
	}
	return;
bad:
	atomic64_inc(&nd->malformed_ctl);
	nv_warn_rl(nd->ndev, "malformed status indication dropped\n");
}

/*
 * A control message from the host (one range of a control transfer,
 * already copied out of the receive buffer): the answer we wait for, or
 * an indication.
 */
void nv_rndis_control(struct nv_chan *c, const u8 *msg, u32 len)
{
	struct nv_dev *nd = c->nd;
	struct enl_rndis_hdr h;
	u32 id;

	memcpy(&h, msg, sizeof(h));
	switch (h.type) {
	case ENL_RNDIS_MSG_INDICATE:
		nv_indicate(c, msg + sizeof(h), len - sizeof(h));
		return;
	case ENL_RNDIS_MSG_INIT_C:
	case ENL_RNDIS_MSG_QUERY_C:
	case ENL_RNDIS_MSG_SET_C:
	case ENL_RNDIS_MSG_KEEPALIVE_C:
		if (len < sizeof(h) + sizeof(id))
			break;
		memcpy(&id, msg + sizeof(h), sizeof(id));
		spin_lock(&nd->ctl_spin);
		if (!id || id != nd->rctl.req_id) {
			spin_unlock(&nd->ctl_spin);
			/* Late (we gave up), or made up. */
			nv_warn_rl(nd->ndev, "RNDIS answer %#x for request %u dropped\n",
						h.type, id);
			atomic64_inc(&nd->malformed_ctl);
			return;
		}
		memcpy(nd->rctl.resp, msg, len);
		nd->rctl.resp_len = len;
		nd->rctl.req_id = 0;
		complete(&nd->rctl.done);
		spin_unlock(&nd->ctl_spin);
		return;
	default:
		break;
	}
	atomic64_inc(&nd->malformed_ctl);
	nv_warn_rl(nd->ndev, "RNDIS control message %#x (%u bytes) dropped\n",
				h.type, len);
}
