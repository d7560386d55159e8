// SPDX-License-Identifier: GPL-2.0-only
/*
 * RNDIS control on the host: INITIALIZE, QUERY and SET of the OIDs a
 * netvsc guest uses, RESET, KEEPALIVE, HALT, and the status indications
 * (media connect/disconnect, link speed). Completions and indications go
 * to the guest through the receive buffer, like data.
 *
 * A request the device cannot honour gets the RNDIS status that says why:
 * NOT_SUPPORTED for an OID it does not know, INVALID_LENGTH for a buffer
 * of the wrong size, INVALID_DATA for a value out of range,
 * ADAPTER_NOT_READY before INITIALIZE.
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <stddef.h>
#include <string.h>

#include "net_priv.h"

/* The completion being built: header, fixed part, then information. */
struct ctl_out {
	uint8_t b[ENL_NET_CTL_MAX];
	uint32_t len;
};

static const uint32_t supported_oids[] = {
	ENL_OID_GEN_SUPPORTED_LIST,
	ENL_OID_GEN_HARDWARE_STATUS,
	ENL_OID_GEN_MEDIA_SUPPORTED,
	ENL_OID_GEN_MEDIA_IN_USE,
	ENL_OID_GEN_MAXIMUM_FRAME_SIZE,
	ENL_OID_GEN_LINK_SPEED,
	ENL_OID_GEN_CURRENT_PACKET_FILTER,
	ENL_OID_GEN_MAXIMUM_TOTAL_SIZE,
	ENL_OID_GEN_MEDIA_CONNECT_STATUS,
	ENL_OID_GEN_RNDIS_CONFIG_PARAMETER,
	ENL_OID_GEN_RECEIVE_SCALE_CAPABILITIES,
	ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS,
	ENL_OID_802_3_PERMANENT_ADDRESS,
	ENL_OID_802_3_CURRENT_ADDRESS,
	ENL_OID_OFFLOAD_ENCAPSULATION,
	ENL_OID_TCP_OFFLOAD_CURRENT_CONFIG,
	ENL_OID_TCP_OFFLOAD_PARAMETERS,
	ENL_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
};

#define PACKET_FILTER_KNOWN	(ENL_NDIS_PACKET_TYPE_DIRECTED |	\
				 ENL_NDIS_PACKET_TYPE_MULTICAST |	\
				 ENL_NDIS_PACKET_TYPE_ALL_MULTICAST |	\
				 ENL_NDIS_PACKET_TYPE_BROADCAST |	\
				 ENL_NDIS_PACKET_TYPE_PROMISCUOUS)

/* Largest LSO packet offered: an IPv4 datagram's 16-bit total length. */
#define LSO_MAX_SIZE		64000u
#define RSS_ITAB_ENTRIES	128u

unsigned int net_tun_flags(const struct enl_net_dev *d)
{
	uint32_t o = atomic_load_explicit(&d->offl, memory_order_relaxed);

	unsigned int f = 0;

	/*
	 * We finish partial checksums ourselves before the guest sees a
	 * frame, so the TAP may hand them over whenever the guest relies
	 * on our checksum verdicts. TSO frames only when the guest takes
	 * coalesced packets (RSC): they go up in several sections.
	 */
	if (o & (ENL_OFFL_RX_CSUM4 | ENL_OFFL_RX_CSUM6 | ENL_OFFL_RSC4 |
		 ENL_OFFL_RSC6))
		f |= TUN_F_CSUM;
	if (o & ENL_OFFL_RSC4)
		f |= TUN_F_TSO4;
	if (o & ENL_OFFL_RSC6)
		f |= TUN_F_TSO6;
	return f;
}

/* ---- Building answers --------------------------------------------------- */

static void out_hdr(struct ctl_out *o, uint32_t type, uint32_t body)
{
	memset(o->b, 0, sizeof(struct enl_rndis_hdr) + body);
	((struct enl_rndis_hdr *)o->b)->type = type;
	o->len = (uint32_t)sizeof(struct enl_rndis_hdr) + body;
	((struct enl_rndis_hdr *)o->b)->len = o->len;
}

static void *out_body(struct ctl_out *o)
{
	return o->b + sizeof(struct enl_rndis_hdr);
}

static uint32_t send_out(struct enl_net_dev *d, struct ctl_out *o)
{
	((struct enl_rndis_hdr *)o->b)->len = o->len;
	/* Dropped answers are counted there; the guest's request is done. */
	net_send_ctl(d, o->b, o->len);
	return ENL_NVSP_STAT_SUCCESS;
}

/* ---- Offload state ------------------------------------------------------ */

static void fill_caps(const struct enl_net_dev *d, struct enl_ndis_offload *c,
		      uint8_t rev, uint16_t size, bool current)
{
	uint32_t o = atomic_load_explicit(&d->offl, memory_order_relaxed);
	uint32_t tx4 = ENL_NDIS_CSUM_TCP | ENL_NDIS_CSUM_TCP_OPT |
		       ENL_NDIS_CSUM_UDP;
	uint32_t tx6 = tx4 | ENL_NDIS_CSUM_IP_OPT;
	bool t4 = !current || (o & ENL_OFFL_TX_CSUM4);
	bool t6 = !current || (o & ENL_OFFL_TX_CSUM6);
	bool r4 = !current || (o & ENL_OFFL_RX_CSUM4);
	bool r6 = !current || (o & ENL_OFFL_RX_CSUM6);
	bool l4 = !current || (o & ENL_OFFL_LSO4);
	bool l6 = !current || (o & ENL_OFFL_LSO6);

	memset(c, 0, sizeof(*c));
	c->header.type = ENL_NDIS_OBJECT_TYPE_OFFLOAD;
	c->header.revision = rev;
	c->header.size = size;
	c->csum.ip4_txenc = t4 ? ENL_NDIS_ENCAP_8023 : 0;
	c->csum.ip4_txcsum = t4 ? tx4 : 0;
	c->csum.ip4_rxenc = r4 ? ENL_NDIS_ENCAP_8023 : 0;
	c->csum.ip4_rxcsum = r4 ? tx4 : 0;
	c->csum.ip6_txenc = t6 ? ENL_NDIS_ENCAP_8023 : 0;
	c->csum.ip6_txcsum = t6 ? tx6 : 0;
	c->csum.ip6_rxenc = r6 ? ENL_NDIS_ENCAP_8023 : 0;
	c->csum.ip6_rxcsum = r6 ? tx6 : 0;
	if (l4) {
		c->lsov2.ip4_encap = ENL_NDIS_ENCAP_8023;
		c->lsov2.ip4_maxsz = LSO_MAX_SIZE;
		c->lsov2.ip4_minsg = 2;
	}
	if (l6) {
		c->lsov2.ip6_encap = ENL_NDIS_ENCAP_8023;
		c->lsov2.ip6_maxsz = LSO_MAX_SIZE;
		c->lsov2.ip6_minsg = 2;
		c->lsov2.ip6_opts = ENL_NDIS_LSOV2_IP6_EXT |
				    ENL_NDIS_LSOV2_TCP6_OPT;
	}
	/* Coalesced receive needs the PKTINFO_ID fragments of NVSP 6.1. */
	if (d->nvsp_version >= ENL_NVSP_VERSION_61) {
		c->rsc.ip4 = !current || (o & ENL_OFFL_RSC4);
		c->rsc.ip6 = !current || (o & ENL_OFFL_RSC6);
	}
}

/* The offload object's revision and size: what the guest asked, else by NVSP. */
static void caps_revision(const struct enl_net_dev *d, const uint8_t *info,
			  uint32_t ilen, uint8_t *rev, uint16_t *size)
{
	uint8_t r = 0;

	if (ilen >= sizeof(struct enl_ndis_object_header) &&
	    info[0] == ENL_NDIS_OBJECT_TYPE_OFFLOAD)
		r = info[1];
	if (!r)
		r = d->nvsp_version >= ENL_NVSP_VERSION_5 ? 3 :
		    d->nvsp_version >= ENL_NVSP_VERSION_4 ? 2 : 1;
	if (r > 3)
		r = 3;
	*rev = r;
	*size = r == 1 ? ENL_NDIS_OFFLOAD_SIZE_6_0 :
		r == 2 ? ENL_NDIS_OFFLOAD_SIZE_6_1 : ENL_NDIS_OFFLOAD_SIZE;
}

/* ---- QUERY -------------------------------------------------------------- */

static uint32_t put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return 4;
}

/* Fill the information of `oid` at p (room bytes); its length, or status. */
static uint32_t query_oid(struct enl_net_dev *d, uint32_t oid,
			  const uint8_t *in, uint32_t ilen,
			  uint8_t *p, uint32_t room, uint32_t *olen)
{
	uint64_t speed;

	*olen = 0;
	switch (oid) {
	case ENL_OID_GEN_SUPPORTED_LIST:
		*olen = sizeof(supported_oids);
		memcpy(p, supported_oids, sizeof(supported_oids));
		break;
	case ENL_OID_GEN_HARDWARE_STATUS:	/* NdisHardwareStatusReady */
	case ENL_OID_GEN_MEDIA_SUPPORTED:
	case ENL_OID_GEN_MEDIA_IN_USE:
		*olen = put_u32(p, ENL_RNDIS_MEDIUM_802_3);
		break;
	case ENL_OID_GEN_MAXIMUM_FRAME_SIZE:
		*olen = put_u32(p, d->cfg.max_mtu);
		break;
	case ENL_OID_GEN_MAXIMUM_TOTAL_SIZE:
		*olen = put_u32(p, d->cfg.max_mtu + ENL_ETH_HLEN);
		break;
	case ENL_OID_GEN_LINK_SPEED:
		speed = d->link_speed_bps / 100;
		*olen = put_u32(p, speed > 0xffffffffu ? 0xffffffffu :
				(uint32_t)speed);
		break;
	case ENL_OID_GEN_MEDIA_CONNECT_STATUS:
		*olen = put_u32(p, atomic_load(&d->link_up) ?
				ENL_RNDIS_MEDIA_STATE_CONNECTED :
				ENL_RNDIS_MEDIA_STATE_DISCONNECTED);
		break;
	case ENL_OID_GEN_CURRENT_PACKET_FILTER:
		*olen = put_u32(p, atomic_load(&d->packet_filter));
		break;
	case ENL_OID_802_3_PERMANENT_ADDRESS:
		memcpy(p, d->cfg.mac, 6);
		*olen = 6;
		break;
	case ENL_OID_802_3_CURRENT_ADDRESS:
		memcpy(p, d->mac, 6);
		*olen = 6;
		break;
	case ENL_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES:
	case ENL_OID_TCP_OFFLOAD_CURRENT_CONFIG: {
		struct enl_ndis_offload c;
		uint8_t rev;
		uint16_t size;

		caps_revision(d, in, ilen, &rev, &size);
		fill_caps(d, &c, rev, size,
			  oid == ENL_OID_TCP_OFFLOAD_CURRENT_CONFIG);
		memcpy(p, &c, size);
		*olen = size;
		break;
	}
	case ENL_OID_OFFLOAD_ENCAPSULATION: {
		struct enl_ndis_offload_encap e = {
			.header = { ENL_NDIS_OBJECT_TYPE_OFFLOAD_ENCAP,
				    ENL_NDIS_OFFLOAD_ENCAP_REVISION_1,
				    sizeof(e) },
			.ipv4_enabled = d->encap_v4 ? ENL_NDIS_OFFLOAD_SET_ON :
				ENL_NDIS_OFFLOAD_SET_OFF,
			.ipv4_encap_type = d->encap_v4,
			.ipv4_header_size = d->encap_v4 ? ENL_ETH_HLEN : 0,
			.ipv6_enabled = d->encap_v6 ? ENL_NDIS_OFFLOAD_SET_ON :
				ENL_NDIS_OFFLOAD_SET_OFF,
			.ipv6_encap_type = d->encap_v6,
			.ipv6_header_size = d->encap_v6 ? ENL_ETH_HLEN : 0,
		};

		memcpy(p, &e, sizeof(e));
		*olen = sizeof(e);
		break;
	}
	case ENL_OID_GEN_RECEIVE_SCALE_CAPABILITIES: {
		struct enl_ndis_rss_caps c = {
			.header = { ENL_NDIS_OBJECT_TYPE_RSS_CAPABILITIES,
				    ENL_NDIS_RSS_CAPS_REVISION_2, sizeof(c) },
			.cap_flag = ENL_NDIS_RSS_CAPS_MSI |
				    ENL_NDIS_RSS_CAPS_HASH_TCP4 |
				    ENL_NDIS_RSS_CAPS_HASH_TCP6,
			.num_int_msg = d->cfg.max_queues,
			.num_recv_que = d->cfg.max_queues,
			.num_indirect_tabent = RSS_ITAB_ENTRIES,
		};

		/* vRSS is an NVSP 5 feature, like sub-channels. */
		if (d->nvsp_version < ENL_NVSP_VERSION_5)
			return ENL_RNDIS_STATUS_NOT_SUPPORTED;
		memcpy(p, &c, sizeof(c));
		*olen = sizeof(c);
		break;
	}
	default:
		net_count(d, ENL_NET_CTL_UNSUPPORTED_OID);
		return ENL_RNDIS_STATUS_NOT_SUPPORTED;
	}
	if (*olen > room) {
		*olen = 0;
		return ENL_RNDIS_STATUS_BUFFER_TOO_SHORT;
	}
	return ENL_RNDIS_STATUS_SUCCESS;
}

/* The information buffer of a QUERY or SET, bounded by the message. */
static bool info_buf(struct enl_net_dev *d, uint32_t body_len, uint32_t fixed,
		     uint32_t off, uint32_t len)
{
	if (!len)
		return true;
	if (off < fixed || off > body_len || len > body_len - off) {
		net_count(d, ENL_NET_CTL_BAD_INFO);
		return false;
	}
	return true;
}

static uint32_t do_query(struct enl_net_dev *d, const uint8_t *body,
			 uint32_t blen)
{
	struct enl_rndis_query_request q;
	struct enl_rndis_query_complete *c;
	struct ctl_out o;
	uint32_t ilen, ioff, olen = 0, st;

	memcpy(&q, body, sizeof(q));
	ilen = q.info_buflen;
	ioff = q.info_buf_offset;
	out_hdr(&o, ENL_RNDIS_MSG_QUERY_C, sizeof(*c));
	c = out_body(&o);
	c->req_id = q.req_id;
	if (!d->rndis_initialized) {
		net_count(d, ENL_NET_RNDIS_NOT_INITIALIZED);
		st = ENL_RNDIS_STATUS_ADAPTER_NOT_READY;
	} else if (!info_buf(d, blen, sizeof(q), ioff, ilen)) {
		st = ENL_RNDIS_STATUS_INVALID_LENGTH;
	} else {
		st = query_oid(d, q.oid, ilen ? body + ioff : NULL, ilen,
			       (uint8_t *)c + sizeof(*c),
			       (uint32_t)(sizeof(o.b) - o.len), &olen);
	}
	c->status = st;
	if (olen) {
		c->info_buflen = olen;
		c->info_buf_offset = sizeof(*c);
		o.len += olen;
	}
	return send_out(d, &o);
}

/* ---- SET ---------------------------------------------------------------- */

static bool valid_csum_param(uint8_t v)
{
	return v <= ENL_NDIS_OFFLOAD_TX_RX_ENABLED;
}

/* Apply one checksum field to the tx and rx bits it governs. */
static uint32_t apply_csum(uint32_t o, uint8_t v, uint32_t tx, uint32_t rx)
{
	switch (v) {
	case ENL_NDIS_OFFLOAD_TX_RX_DISABLED:
		return o & ~(tx | rx);
	case ENL_NDIS_OFFLOAD_TX_ENABLED_RX_DISABLED:
		return (o | tx) & ~rx;
	case ENL_NDIS_OFFLOAD_RX_ENABLED_TX_DISABLED:
		return (o | rx) & ~tx;
	case ENL_NDIS_OFFLOAD_TX_RX_ENABLED:
		return o | tx | rx;
	default:
		return o;
	}
}

static uint32_t set_offload(struct enl_net_dev *d, const uint8_t *info,
			    uint32_t len)
{
	struct enl_ndis_offload_params p;
	uint32_t o = atomic_load(&d->offl), before = net_tun_flags(d);

	if (len < ENL_NDIS_OFFLOAD_PARAMS_SIZE_V4)
		return ENL_RNDIS_STATUS_INVALID_LENGTH;
	memset(&p, 0, sizeof(p));
	memcpy(&p, info, len < sizeof(p) ? len : sizeof(p));
	if (p.header.type != ENL_NDIS_OBJECT_TYPE_DEFAULT ||
	    !valid_csum_param(p.ip_v4_csum) ||
	    !valid_csum_param(p.tcp_ip_v4_csum) ||
	    !valid_csum_param(p.udp_ip_v4_csum) ||
	    !valid_csum_param(p.tcp_ip_v6_csum) ||
	    !valid_csum_param(p.udp_ip_v6_csum) ||
	    p.lso_v2_ipv4 > ENL_NDIS_OFFLOAD_ENABLED ||
	    p.lso_v2_ipv6 > ENL_NDIS_OFFLOAD_ENABLED ||
	    p.rsc_ip_v4 > ENL_NDIS_OFFLOAD_ENABLED ||
	    p.rsc_ip_v6 > ENL_NDIS_OFFLOAD_ENABLED) {
		net_count(d, ENL_NET_CTL_BAD_VALUE);
		return ENL_RNDIS_STATUS_INVALID_DATA;
	}
	/*
	 * What was never offered cannot be turned on: IPv4 header
	 * checksums on transmit, LSOv1, IPsec, TCP chimney, and RSC before
	 * NVSP 6.1.
	 */
	if (p.ip_v4_csum == ENL_NDIS_OFFLOAD_TX_ENABLED_RX_DISABLED ||
	    p.ip_v4_csum == ENL_NDIS_OFFLOAD_TX_RX_ENABLED ||
	    p.lso_v1 == ENL_NDIS_OFFLOAD_ENABLED ||
	    p.ip_sec_v1 > ENL_NDIS_OFFLOAD_DISABLED ||
	    p.tcp_connection_ip_v4 > ENL_NDIS_OFFLOAD_DISABLED ||
	    p.tcp_connection_ip_v6 > ENL_NDIS_OFFLOAD_DISABLED ||
	    p.ip_sec_v2 > ENL_NDIS_OFFLOAD_DISABLED ||
	    p.ip_sec_v2_ip_v4 > ENL_NDIS_OFFLOAD_DISABLED ||
	    (d->nvsp_version < ENL_NVSP_VERSION_61 &&
	     (p.rsc_ip_v4 == ENL_NDIS_OFFLOAD_ENABLED ||
	      p.rsc_ip_v6 == ENL_NDIS_OFFLOAD_ENABLED))) {
		net_count(d, ENL_NET_CTL_BAD_VALUE);
		return ENL_RNDIS_STATUS_NOT_SUPPORTED;
	}
	/* TCP and UDP checksums share one bit per IP version and direction. */
	o = apply_csum(o, p.tcp_ip_v4_csum, ENL_OFFL_TX_CSUM4, ENL_OFFL_RX_CSUM4);
	o = apply_csum(o, p.udp_ip_v4_csum, ENL_OFFL_TX_CSUM4, ENL_OFFL_RX_CSUM4);
	o = apply_csum(o, p.tcp_ip_v6_csum, ENL_OFFL_TX_CSUM6, ENL_OFFL_RX_CSUM6);
	o = apply_csum(o, p.udp_ip_v6_csum, ENL_OFFL_TX_CSUM6, ENL_OFFL_RX_CSUM6);
	if (p.lso_v2_ipv4 == ENL_NDIS_OFFLOAD_ENABLED)
		o |= ENL_OFFL_LSO4;
	else if (p.lso_v2_ipv4 == ENL_NDIS_OFFLOAD_DISABLED)
		o &= ~ENL_OFFL_LSO4;
	if (p.lso_v2_ipv6 == ENL_NDIS_OFFLOAD_ENABLED)
		o |= ENL_OFFL_LSO6;
	else if (p.lso_v2_ipv6 == ENL_NDIS_OFFLOAD_DISABLED)
		o &= ~ENL_OFFL_LSO6;
	/* Guests of NVSP 4 and older send no RSC fields (22 bytes). */
	if (len >= offsetof(struct enl_ndis_offload_params, rsc_ip_v6) + 1) {
		if (p.rsc_ip_v4 == ENL_NDIS_OFFLOAD_ENABLED)
			o |= ENL_OFFL_RSC4;
		else if (p.rsc_ip_v4 == ENL_NDIS_OFFLOAD_DISABLED)
			o &= ~ENL_OFFL_RSC4;
		if (p.rsc_ip_v6 == ENL_NDIS_OFFLOAD_ENABLED)
			o |= ENL_OFFL_RSC6;
		else if (p.rsc_ip_v6 == ENL_NDIS_OFFLOAD_DISABLED)
			o &= ~ENL_OFFL_RSC6;
	}
	atomic_store(&d->offl, o);
	if (net_tun_flags(d) != before && d->ops->offloads_changed)
		d->ops->offloads_changed(d->ctx, net_tun_flags(d));
	return ENL_RNDIS_STATUS_SUCCESS;
}

static uint32_t set_encap(struct enl_net_dev *d, const uint8_t *info,
			  uint32_t len)
{
	struct enl_ndis_offload_encap e;

	if (len < sizeof(e))
		return ENL_RNDIS_STATUS_INVALID_LENGTH;
	memcpy(&e, info, sizeof(e));
	if (e.header.type != ENL_NDIS_OBJECT_TYPE_OFFLOAD_ENCAP ||
	    e.ipv4_enabled > ENL_NDIS_OFFLOAD_SET_OFF ||
	    e.ipv6_enabled > ENL_NDIS_OFFLOAD_SET_OFF) {
		net_count(d, ENL_NET_CTL_BAD_VALUE);
		return ENL_RNDIS_STATUS_INVALID_DATA;
	}
	/* Offloads work on Ethernet II frames only. */
	if ((e.ipv4_enabled == ENL_NDIS_OFFLOAD_SET_ON &&
	     e.ipv4_encap_type != ENL_NDIS_ENCAP_8023) ||
	    (e.ipv6_enabled == ENL_NDIS_OFFLOAD_SET_ON &&
	     e.ipv6_encap_type != ENL_NDIS_ENCAP_8023)) {
		net_count(d, ENL_NET_CTL_BAD_VALUE);
		return ENL_RNDIS_STATUS_NOT_SUPPORTED;
	}
	if (e.ipv4_enabled)
		d->encap_v4 = e.ipv4_enabled == ENL_NDIS_OFFLOAD_SET_ON ?
			      ENL_NDIS_ENCAP_8023 : 0;
	if (e.ipv6_enabled)
		d->encap_v6 = e.ipv6_enabled == ENL_NDIS_OFFLOAD_SET_ON ?
			      ENL_NDIS_ENCAP_8023 : 0;
	return ENL_RNDIS_STATUS_SUCCESS;
}

static uint32_t set_rss(struct enl_net_dev *d, const uint8_t *info,
			uint32_t len)
{
	struct enl_ndis_rss_params p;
	uint32_t nq = d->subchannels + 1, entries;

	if (d->nvsp_version < ENL_NVSP_VERSION_5)
		return ENL_RNDIS_STATUS_NOT_SUPPORTED;
	if (len < sizeof(p))
		return ENL_RNDIS_STATUS_INVALID_LENGTH;
	memcpy(&p, info, sizeof(p));
	if (p.header.type != ENL_NDIS_OBJECT_TYPE_RSS_PARAMETERS ||
	    p.header.revision < ENL_NDIS_RSS_PARAMS_REVISION_2) {
		net_count(d, ENL_NET_CTL_BAD_VALUE);
		return ENL_RNDIS_STATUS_INVALID_DATA;
	}
	if (p.flag & ENL_NDIS_RSS_FLAG_DISABLE_RSS) {
		atomic_store(&d->rss_enabled, false);
		return ENL_RNDIS_STATUS_SUCCESS;
	}
	if (!(p.flag & ENL_NDIS_RSS_FLAG_ITABLE_UNCHANGED)) {
		if (p.indirect_tabsize % 4 ||
		    p.indirect_tabsize > 4 * ENL_NDIS_RSS_ITAB_MAX ||
		    p.indirect_taboffset > len ||
		    p.indirect_tabsize > len - p.indirect_taboffset) {
			net_count(d, ENL_NET_CTL_BAD_INFO);
			return ENL_RNDIS_STATUS_INVALID_LENGTH;
		}
		entries = p.indirect_tabsize / 4;
		for (uint32_t i = 0; i < entries; i++) {
			if (get_le32(info + p.indirect_taboffset + 4 * i) >= nq) {
				net_count(d, ENL_NET_CTL_BAD_VALUE);
				return ENL_RNDIS_STATUS_INVALID_DATA;
			}
		}
	}
	if (!(p.flag & ENL_NDIS_RSS_FLAG_HASH_KEY_UNCHANGED) &&
	    (p.hashkey_size != ENL_NDIS_RSS_KEY_SIZE ||
	     p.hashkey_offset > len ||
	     p.hashkey_size > len - p.hashkey_offset)) {
		net_count(d, ENL_NET_CTL_BAD_INFO);
		return ENL_RNDIS_STATUS_INVALID_LENGTH;
	}
	if (!(p.flag & ENL_NDIS_RSS_FLAG_HASH_INFO_UNCHANGED) &&
	    (p.hashinfo & 0xff) != ENL_NDIS_HASH_FUNC_TOEPLITZ) {
		net_count(d, ENL_NET_CTL_BAD_VALUE);
		return ENL_RNDIS_STATUS_NOT_SUPPORTED;
	}
	/* All checked: apply. */
	if (!(p.flag & ENL_NDIS_RSS_FLAG_ITABLE_UNCHANGED)) {
		d->rss_itab_size = p.indirect_tabsize / 4;
		for (uint32_t i = 0; i < d->rss_itab_size; i++)
			d->rss_itab[i] = get_le32(info + p.indirect_taboffset + 4 * i);
	}
	if (!(p.flag & ENL_NDIS_RSS_FLAG_HASH_KEY_UNCHANGED))
		memcpy(d->rss_key, info + p.hashkey_offset, ENL_NDIS_RSS_KEY_SIZE);
	if (!(p.flag & ENL_NDIS_RSS_FLAG_HASH_INFO_UNCHANGED))
		d->rss_hashinfo = p.hashinfo;
	atomic_store(&d->rss_enabled, true);
	return ENL_RNDIS_STATUS_SUCCESS;
}

static int hexval(uint16_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RNDIS_CONFIG_PARAMETER "NetworkAddress" = 12 hex digits, UTF-16LE. */
static uint32_t set_config_param(struct enl_net_dev *d, const uint8_t *info,
				 uint32_t len)
{
	static const char want[] = "NetworkAddress";
	struct enl_rndis_config_param c;
	const uint8_t *name, *val;
	uint8_t mac[6];

	if (len < sizeof(c))
		return ENL_RNDIS_STATUS_INVALID_LENGTH;
	memcpy(&c, info, sizeof(c));
	if (c.name_offset > len || c.name_length > len - c.name_offset ||
	    c.value_offset > len || c.value_length > len - c.value_offset) {
		net_count(d, ENL_NET_CTL_BAD_INFO);
		return ENL_RNDIS_STATUS_INVALID_LENGTH;
	}
	name = info + c.name_offset;
	if (c.name_length != 2 * (sizeof(want) - 1))
		goto unsupported;
	for (size_t i = 0; i < sizeof(want) - 1; i++) {
		uint16_t ch = (uint16_t)(name[2 * i] | name[2 * i + 1] << 8);

		if ((ch | 0x20) != (uint16_t)(want[i] | 0x20))
			goto unsupported;
	}
	if (c.type != ENL_RNDIS_CONFIG_PARAM_STRING || c.value_length != 24) {
		net_count(d, ENL_NET_CTL_BAD_VALUE);
		return ENL_RNDIS_STATUS_INVALID_DATA;
	}
	val = info + c.value_offset;
	for (int i = 0; i < 6; i++) {
		int hi = hexval((uint16_t)(val[4 * i] | val[4 * i + 1] << 8));
		int lo = hexval((uint16_t)(val[4 * i + 2] | val[4 * i + 3] << 8));

		if (hi < 0 || lo < 0) {
			net_count(d, ENL_NET_CTL_BAD_VALUE);
			return ENL_RNDIS_STATUS_INVALID_DATA;
		}
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	/* Group addresses cannot be a station's address. */
	if (mac[0] & 1) {
		net_count(d, ENL_NET_CTL_BAD_VALUE);
		return ENL_RNDIS_STATUS_INVALID_DATA;
	}
	memcpy(d->mac, mac, 6);
	return ENL_RNDIS_STATUS_SUCCESS;
unsupported:
	net_count(d, ENL_NET_CTL_UNSUPPORTED_OID);
	return ENL_RNDIS_STATUS_NOT_SUPPORTED;
}

static uint32_t set_oid(struct enl_net_dev *d, uint32_t oid,
			const uint8_t *info, uint32_t len)
{
	uint32_t f;

	switch (oid) {
	case ENL_OID_GEN_CURRENT_PACKET_FILTER:
		if (len != 4)
			return ENL_RNDIS_STATUS_INVALID_LENGTH;
		f = get_le32(info);
		if (f & ~PACKET_FILTER_KNOWN) {
			net_count(d, ENL_NET_CTL_BAD_VALUE);
			return ENL_RNDIS_STATUS_NOT_SUPPORTED;
		}
		atomic_store(&d->packet_filter, f);
		return ENL_RNDIS_STATUS_SUCCESS;
	case ENL_OID_TCP_OFFLOAD_PARAMETERS:
		return set_offload(d, info, len);
	case ENL_OID_OFFLOAD_ENCAPSULATION:
		return set_encap(d, info, len);
	case ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS:
		return set_rss(d, info, len);
	case ENL_OID_GEN_RNDIS_CONFIG_PARAMETER:
		return set_config_param(d, info, len);
	default:
		net_count(d, ENL_NET_CTL_UNSUPPORTED_OID);
		return ENL_RNDIS_STATUS_NOT_SUPPORTED;
	}
}

static uint32_t do_set(struct enl_net_dev *d, const uint8_t *body,
		       uint32_t blen)
{
	struct enl_rndis_set_request s;
	struct enl_rndis_set_complete *c;
	struct ctl_out o;
	uint32_t st;

	memcpy(&s, body, sizeof(s));
	out_hdr(&o, ENL_RNDIS_MSG_SET_C, sizeof(*c));
	c = out_body(&o);
	c->req_id = s.req_id;
	if (!d->rndis_initialized) {
		net_count(d, ENL_NET_RNDIS_NOT_INITIALIZED);
		st = ENL_RNDIS_STATUS_ADAPTER_NOT_READY;
	} else if (!info_buf(d, blen, sizeof(s), s.info_buf_offset,
			     s.info_buflen)) {
		st = ENL_RNDIS_STATUS_INVALID_LENGTH;
	} else {
		st = set_oid(d, s.oid, body + s.info_buf_offset, s.info_buflen);
	}
	if (st != ENL_RNDIS_STATUS_SUCCESS && st != ENL_RNDIS_STATUS_NOT_SUPPORTED)
		net_count(d, ENL_NET_CTL_BAD_VALUE);
	c->status = st;
	return send_out(d, &o);
}

/* ---- The other requests ------------------------------------------------- */

static uint32_t do_init(struct enl_net_dev *d, const uint8_t *body)
{
	struct enl_rndis_init_request q;
	struct enl_rndis_init_complete *c;
	struct ctl_out o;

	memcpy(&q, body, sizeof(q));
	out_hdr(&o, ENL_RNDIS_MSG_INIT_C, sizeof(*c));
	c = out_body(&o);
	c->req_id = q.req_id;
	c->major = ENL_RNDIS_MAJOR_VERSION;
	c->minor = ENL_RNDIS_MINOR_VERSION;
	if (q.major != ENL_RNDIS_MAJOR_VERSION) {
		net_count(d, ENL_NET_CTL_BAD_VALUE);
		c->status = ENL_RNDIS_STATUS_BAD_VERSION;
		return send_out(d, &o);
	}
	c->status = ENL_RNDIS_STATUS_SUCCESS;
	c->dev_flags = ENL_RNDIS_DF_CONNECTIONLESS;
	c->medium = ENL_RNDIS_MEDIUM_802_3;
	c->max_pkt_per_msg = ENL_NET_MAX_PKT_PER_MSG;
	c->max_xfer_size = d->tx.section_size ? d->tx.section_size :
			   d->cfg.send_section_size;
	c->pkt_alignment_factor = ENL_NET_PKT_ALIGN_SHIFT;
	d->rndis_initialized = true;
	atomic_store(&d->packet_filter, 0);
	return send_out(d, &o);
}

uint32_t net_rndis_control(struct enl_net_dev *d, const uint8_t *msg,
			   uint32_t len)
{
	const struct enl_rndis_hdr *h = (const void *)msg;
	const uint8_t *body = msg + sizeof(*h);
	uint32_t blen = len - (uint32_t)sizeof(*h), need;
	struct ctl_out o;

	switch (h->type) {
	case ENL_RNDIS_MSG_INIT:
		need = sizeof(struct enl_rndis_init_request);
		break;
	case ENL_RNDIS_MSG_QUERY:
		need = sizeof(struct enl_rndis_query_request);
		break;
	case ENL_RNDIS_MSG_SET:
		need = sizeof(struct enl_rndis_set_request);
		break;
	case ENL_RNDIS_MSG_HALT:
	case ENL_RNDIS_MSG_RESET:
	case ENL_RNDIS_MSG_KEEPALIVE:
		need = 4;
		break;
	default:
		net_count(d, ENL_NET_RNDIS_UNKNOWN_TYPE);
		return ENL_NVSP_STAT_INVALID_RNDIS_PKT;
	}
	if (blen < need) {
		net_count(d, ENL_NET_RNDIS_SHORT);
		return ENL_NVSP_STAT_INVALID_RNDIS_PKT;
	}
	net_count(d, ENL_NET_CTL_MESSAGES);

	switch (h->type) {
	case ENL_RNDIS_MSG_INIT:
		return do_init(d, body);
	case ENL_RNDIS_MSG_QUERY:
		return do_query(d, body, blen);
	case ENL_RNDIS_MSG_SET:
		return do_set(d, body, blen);
	case ENL_RNDIS_MSG_HALT:
		/* No answer: the guest stops using the device. */
		d->rndis_initialized = false;
		atomic_store(&d->packet_filter, 0);
		return ENL_NVSP_STAT_SUCCESS;
	case ENL_RNDIS_MSG_RESET: {
		struct enl_rndis_reset_complete *c;

		out_hdr(&o, ENL_RNDIS_MSG_RESET_C, sizeof(*c));
		c = out_body(&o);
		c->status = d->rndis_initialized ? ENL_RNDIS_STATUS_SUCCESS :
			    ENL_RNDIS_STATUS_ADAPTER_NOT_READY;
		/* Filter and offloads are kept: nothing to set again. */
		c->addressing_reset = 0;
		return send_out(d, &o);
	}
	default: {	/* KEEPALIVE */
		struct enl_rndis_keepalive_complete *c;

		out_hdr(&o, ENL_RNDIS_MSG_KEEPALIVE_C, sizeof(*c));
		c = out_body(&o);
		c->req_id = get_le32(body);
		c->status = d->rndis_initialized ? ENL_RNDIS_STATUS_SUCCESS :
			    ENL_RNDIS_STATUS_ADAPTER_NOT_READY;
		return send_out(d, &o);
	}
	}
}

/* ---- Indications -------------------------------------------------------- */

static int indicate(struct enl_net_dev *d, uint32_t status, const void *buf,
		    uint32_t blen)
{
	struct enl_rndis_indicate_status *s;
	struct ctl_out o;

	out_hdr(&o, ENL_RNDIS_MSG_INDICATE, sizeof(*s) + blen);
	s = out_body(&o);
	s->status = status;
	if (blen) {
		s->status_buflen = blen;
		s->status_buf_offset = sizeof(*s);
		memcpy((uint8_t *)s + sizeof(*s), buf, blen);
	}
	if (net_send_ctl(d, o.b, o.len))
		return -ENOSPC;
	net_count(d, ENL_NET_INDICATIONS);
	return 0;
}

void net_flush_indications(struct enl_net_dev *d)
{
	uint32_t p = atomic_exchange(&d->pending_ind, 0), left = 0;

	if (!p)
		return;
	/* Before RNDIS is up the guest learns the state by querying. */
	if (!d->rx.nsections || !d->rndis_initialized)
		return;
	if (p & ENL_IND_LINK)
		if (indicate(d, atomic_load(&d->link_up) ?
			     ENL_RNDIS_STATUS_MEDIA_CONNECT :
			     ENL_RNDIS_STATUS_MEDIA_DISCONNECT, NULL, 0))
			left |= ENL_IND_LINK;
	if (p & ENL_IND_SPEED) {
		uint64_t s = d->link_speed_bps / 100;
		uint32_t v = s > 0xffffffffu ? 0xffffffffu : (uint32_t)s;

		if (indicate(d, ENL_RNDIS_STATUS_LINK_SPEED_CHANGE, &v, 4))
			left |= ENL_IND_SPEED;
	}
	if (left)
		atomic_fetch_or(&d->pending_ind, left);
}

void enl_net_set_link(struct enl_net_dev *d, bool up)
{
	if (atomic_exchange(&d->link_up, up) == up)
		return;
	atomic_fetch_or(&d->pending_ind, ENL_IND_LINK);
	net_flush_indications(d);
}

void enl_net_set_speed(struct enl_net_dev *d, uint64_t bps)
{
	if (d->link_speed_bps == bps)
		return;
	d->link_speed_bps = bps;
	/* Linux guests get speed updates only when they asked (teaming). */
	if (!(d->ndis_caps & ENL_NVSP_CAP_TEAMING))
		return;
	atomic_fetch_or(&d->pending_ind, ENL_IND_SPEED);
	net_flush_indications(d);
}
