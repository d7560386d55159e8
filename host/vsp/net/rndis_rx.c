// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backend to guest: a frame read from the TAP (virtio-net header + bytes)
 * goes through the guest's packet filter and into a free receive-buffer
 * section as an RNDIS packet with two per-packet infos: the checksum
 * verdict and the RSS hash. A partial checksum the TAP hands over is
 * finished here, so the guest never sees one.
 */
#include <errno.h>
#include <string.h>

#include "net_priv.h"

static bool filter_pass(struct enl_net_dev *d, const uint8_t *dst)
{
	uint32_t f = atomic_load_explicit(&d->packet_filter,
					  memory_order_relaxed);
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (f & ENL_NDIS_PACKET_TYPE_PROMISCUOUS)
		return true;
	if (!memcmp(dst, bcast, 6))
		return f & ENL_NDIS_PACKET_TYPE_BROADCAST;
	if (dst[0] & 1)
		return f & (ENL_NDIS_PACKET_TYPE_MULTICAST |
			    ENL_NDIS_PACKET_TYPE_ALL_MULTICAST);
	return (f & ENL_NDIS_PACKET_TYPE_DIRECTED) && !memcmp(dst, d->mac, 6);
}

/* L4 protocol (6, 17) of an IP frame, 0 otherwise; *v6 says which IP. */
static uint8_t l4_proto(const uint8_t *f, size_t len, bool *v6)
{
	size_t l3 = ENL_ETH_HLEN;
	uint16_t t = get_be16(f + 12);

	if (t == 0x8100 && len >= ENL_ETH_HLEN + ENL_VLAN_HLEN) {
		t = get_be16(f + 16);
		l3 += ENL_VLAN_HLEN;
	}
	*v6 = t == 0x86dd;
	if (t == 0x0800 && len >= l3 + 20)
		return f[l3 + 9];
	if (t == 0x86dd && len >= l3 + 40)
		return f[l3 + 6];
	return 0;
}

static void put_ppi(uint8_t *p, uint32_t type, uint32_t v)
{
	struct enl_rndis_ppi e = {
		.size = ENL_RNDIS_PPI_U32_SIZE,
		.type = type,
		.ppi_offset = sizeof(e),
	};

	memcpy(p, &e, sizeof(e));
	memcpy(p + sizeof(e), &v, 4);
}

int enl_net_xfer_frame(struct enl_net_dev *d, struct enl_net_xfer *x,
		       const struct virtio_net_hdr_v1 *vh,
		       const struct iovec *iov, unsigned int iovcnt)
{
	struct {
		struct enl_rndis_hdr h;
		struct enl_rndis_packet p;
		uint8_t ppi[2 * ENL_RNDIS_PPI_U32_SIZE];
	} ENL_PACKED w;
	uint8_t head[64];
	struct enl_iov_map m;
	size_t len, total;
	uint32_t csum = 0, hash = 0, sec, nppi = 0, offl;
	bool v6 = false, have_hash;
	uint8_t proto;
	size_t at;

	if (x->nranges >= ENL_NET_XFER_MAX_RANGES)
		return -ENOSPC;
	if (!enl_iov_map_wrap(&m, iov, iovcnt) || m.len < ENL_ETH_HLEN) {
		net_count(d, ENL_NET_RX_RUNT);
		return 0;
	}
	len = m.len;
	enl_iov_read(&m, 0, head, len < sizeof(head) ? len : sizeof(head));
	if (!filter_pass(d, head)) {
		net_count(d, ENL_NET_RX_FILTERED);
		return 0;
	}
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		/* TSO is never enabled on the TAP: a frame is one section. */
		net_count(d, ENL_NET_RX_BAD_VNET_HDR);
		return 0;
	}
	total = sizeof(w) + len;
	if (!d->rx.nsections || total > d->rx.section_size) {
		net_count(d, ENL_NET_RX_TOO_BIG);
		return 0;
	}
	sec = net_rx_alloc(d);
	if (sec == ENL_NET_NO_SECTION) {
		net_count(d, ENL_NET_RX_NO_SECTION);
		return -ENOSPC;
	}
	at = (size_t)sec * d->rx.section_size;

	/*
	 * The frame goes in first, after room for the wrapping, so a
	 * partial checksum can be finished in place in the section: the
	 * section is host memory the guest does not read before we send.
	 */
	for (unsigned int i = 0, o = 0; i < iovcnt; o += iov[i].iov_len, i++)
		enl_iov_write(&d->rx.buf.map, at + sizeof(w) + o,
			      iov[i].iov_base, iov[i].iov_len);

	offl = atomic_load_explicit(&d->offl, memory_order_relaxed);
	proto = l4_proto(head, len < sizeof(head) ? len : sizeof(head), &v6);
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		size_t cs = vh->csum_start, co = vh->csum_offset;
		uint8_t buf[2048];
		uint32_t sum = 0;

		if (cs > len || co + 2 > len - cs) {
			net_rx_release(d, sec);
			net_count(d, ENL_NET_RX_BAD_VNET_HDR);
			return 0;
		}
		for (size_t o = cs; o < len; o += sizeof(buf)) {
			size_t k = len - o < sizeof(buf) ? len - o : sizeof(buf);

			enl_iov_read(&d->rx.buf.map, at + sizeof(w) + o, buf, k);
			/* Chunks are even-sized, so words stay aligned. */
			sum = net_csum_add(sum, buf, k);
		}
		put_be16(buf, (uint16_t)~net_csum_fold(sum));
		if (proto == 17 && !buf[0] && !buf[1])
			buf[0] = buf[1] = 0xff;	/* UDP: 0 means "none" */
		enl_iov_write(&d->rx.buf.map, at + sizeof(w) + cs + co, buf, 2);
	}
	if (vh->flags & (VIRTIO_NET_HDR_F_NEEDS_CSUM |
			 VIRTIO_NET_HDR_F_DATA_VALID) &&
	    (offl & (v6 ? ENL_OFFL_RX_CSUM6 : ENL_OFFL_RX_CSUM4))) {
		if (proto == 6)
			csum = ENL_CSUM_RX_TCP_SUCCEEDED;
		else if (proto == 17)
			csum = ENL_CSUM_RX_UDP_SUCCEEDED;
	}

	memset(&w, 0, sizeof(w));
	w.h.type = ENL_RNDIS_MSG_PACKET;
	w.p.ppi_offset = sizeof(w.p);
	put_ppi(w.ppi, ENL_PPI_TCPIP_CHECKSUM, csum);
	nppi = 1;
	have_hash = atomic_load_explicit(&d->rss_enabled, memory_order_relaxed);
	if (have_hash)
		have_hash = net_rss_hash(d, head, len < sizeof(head) ? len :
					 sizeof(head), &hash);
	if (have_hash) {
		put_ppi(w.ppi + ENL_RNDIS_PPI_U32_SIZE, ENL_PPI_HASH_VALUE, hash);
		nppi = 2;
	}
	w.p.ppi_len = nppi * ENL_RNDIS_PPI_U32_SIZE;
	/* The frame sits after room for two PPIs whatever was used. */
	w.p.data_offset = sizeof(w.p) + sizeof(w.ppi);
	w.p.data_len = (uint32_t)len;
	w.h.len = (uint32_t)total;
	enl_iov_write(&d->rx.buf.map, at, &w, sizeof(w));
	net_xfer_add_section(d, x, sec, (uint32_t)total);
	net_count(d, ENL_NET_RX_PACKETS);
	net_add(d, ENL_NET_RX_BYTES, len);
	return 0;
}
