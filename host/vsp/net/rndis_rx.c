// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backend to guest: a frame read from the TAP (virtio-net header + bytes)
 * goes through the guest's packet filter and into a free receive-buffer
 * section as an RNDIS packet with two per-packet infos: the checksum
 * verdict and the RSS hash. A partial checksum the TAP hands over is
 * finished here, so the guest never sees one.
 *
 * A TCP frame larger than a section (the TAP's TSO, allowed only when
 * the guest turned RSC on) goes up as one coalesced packet: fragments in
 * consecutive ranges of one transfer, each its own RNDIS packet carrying
 * an internal PKTINFO_ID info (first, last) that tells the guest to join
 * them, with the IP lengths and every checksum made whole first.
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

/* Wrapping of one RSC fragment: header, packet, checksum, id, hash. */
#define RSC_WRAP	(sizeof(struct enl_rndis_hdr) + \
			 sizeof(struct enl_rndis_packet) + \
			 3 * ENL_RNDIS_PPI_U32_SIZE)
/* Headers the host rewrites: Ethernet, VLAN, IPv4 with options, TCP. */
#define RSC_HDR_MAX	160

/*
 * Copy n bytes of the frame from `from` into the receive buffer at `at`,
 * adding them to *sum (from an even offset of the TCP segment): straight
 * from the frame when it is one piece there, else through a bounce buffer.
 */
static void rsc_copy(struct enl_net_dev *d, const struct enl_iov_map *m,
		     size_t from, size_t at, size_t n, uint32_t *sum)
{
	uint8_t buf[2048];
	struct iovec v;

	if (!n)
		return;
	if (enl_iov_slice(m, from, n, &v, 1) == 1) {
		*sum = net_csum_add(*sum, v.iov_base, n);
		enl_iov_write(&d->rx.buf.map, at, v.iov_base, n);
		return;
	}
	/* Chunks are even-sized, so the words stay aligned. */
	for (size_t c = 0; c < n; c += sizeof(buf)) {
		size_t k = n - c < sizeof(buf) ? n - c : sizeof(buf);

		enl_iov_read(m, from + c, buf, k);
		*sum = net_csum_add(*sum, buf, k);
		enl_iov_write(&d->rx.buf.map, at + c, buf, k);
	}
}

static int rx_rsc(struct enl_net_dev *d, struct enl_net_xfer *x,
		  const struct virtio_net_hdr_v1 *vh,
		  const struct enl_iov_map *m, bool have_hash, uint32_t hash)
{
	bool v6 = vh->gso_type == VIRTIO_NET_HDR_GSO_TCPV6;
	uint32_t offl = atomic_load_explicit(&d->offl, memory_order_relaxed);
	uint8_t h[RSC_HDR_MAX];
	size_t len = m->len, l3 = ENL_ETH_HLEN, l4, hl, cap, nfrag, at, hk;
	size_t csum_at = 0;
	uint32_t sum, secs[ENL_NET_XFER_MAX_RANGES];
	uint16_t id;
	size_t copy = len < sizeof(h) ? len : sizeof(h);

	if (!(offl & (v6 ? ENL_OFFL_RSC6 : ENL_OFFL_RSC4)))
		goto bad;
	enl_iov_read(m, 0, h, copy);
	if (get_be16(h + 12) == 0x8100) {
		l3 += ENL_VLAN_HLEN;
		if (copy < l3)
			goto bad;
	}
	if (get_be16(h + l3 - 2) != (v6 ? 0x86dd : 0x0800))
		goto bad;
	if (v6) {
		l4 = l3 + 40;
		/* Extension headers are not coalesced: TCP right after. */
		if (copy < l4 || (h[l3] >> 4) != 6 || h[l3 + 6] != 6)
			goto bad;
	} else {
		if (copy < l3 + 20 || (h[l3] >> 4) != 4 || h[l3 + 9] != 6 ||
		    (h[l3] & 0xf) < 5)
			goto bad;
		l4 = l3 + (size_t)(h[l3] & 0xf) * 4;
	}
	if (copy < l4 + 20)
		goto bad;
	hl = l4 + (size_t)(h[l4 + 12] >> 4) * 4;
	if ((h[l4 + 12] >> 4) < 5 || hl > copy || hl >= len ||
	    len - l3 > 65535 + (v6 ? 40 : 0))
		goto bad;

	/* Whole lengths and checksums for the joined packet. */
	if (v6) {
		put_be16(h + l3 + 4, (uint16_t)(len - l3 - 40));
		sum = net_csum_add(0, h + l3 + 8, 32);
	} else {
		put_be16(h + l3 + 2, (uint16_t)(len - l3));
		put_be16(h + l3 + 10, 0);
		put_be16(h + l3 + 10, (uint16_t)~net_csum_fold(
			 net_csum_add(0, h + l3, l4 - l3)));
		sum = net_csum_add(0, h + l3 + 12, 8);
	}
	sum += 6 + (uint32_t)(len - l4);
	put_be16(h + l4 + 16, 0);
	sum = net_csum_add(sum, h + l4, hl - l4);

	/* Even: every payload piece summed starts at an even offset. */
	cap = (d->rx.section_size - RSC_WRAP) & ~(size_t)1;
	nfrag = (len + cap - 1) / cap;
	if (nfrag > ENL_NET_XFER_MAX_RANGES) {
		net_count(d, ENL_NET_RX_TOO_BIG);
		return 0;
	}
	if (nfrag > ENL_NET_XFER_MAX_RANGES - x->nranges)
		return -ENOSPC;	/* the batch is full: send it first */
	for (size_t i = 0; i < nfrag; i++) {
		secs[i] = net_rx_alloc(d);
		if (secs[i] == ENL_NET_NO_SECTION) {
			while (i--)
				net_rx_release(d, secs[i]);
			net_count(d, ENL_NET_RX_NO_SECTION);
			return -ENOSPC;
		}
	}

	id = atomic_fetch_add(&d->rsc_id, 1);
	for (size_t i = 0, o = 0; i < nfrag; i++, o += cap) {
		struct {
			struct enl_rndis_hdr h;
			struct enl_rndis_packet p;
			uint8_t ppi[3 * ENL_RNDIS_PPI_U32_SIZE];
		} ENL_PACKED w;
		struct enl_rndis_pktinfo_id pid = {
			.ver = ENL_PKTINFO_ID_V1,
			.flag = ENL_PKTINFO_SUBALLOC |
				(i == 0 ? ENL_PKTINFO_1ST_FRAG : 0) |
				(i == nfrag - 1 ? ENL_PKTINFO_LAST_FRAG : 0),
			.pkt_id = id,
		};
		size_t k = len - o < cap ? len - o : cap;
		uint32_t v;

		at = (size_t)secs[i] * d->rx.section_size;
		memset(&w, 0, sizeof(w));
		w.h.type = ENL_RNDIS_MSG_PACKET;
		w.h.len = (uint32_t)(RSC_WRAP + k);
		w.p.ppi_offset = sizeof(w.p);
		w.p.ppi_len = (have_hash ? 3 : 2) * ENL_RNDIS_PPI_U32_SIZE;
		w.p.data_offset = sizeof(w.p) + sizeof(w.ppi);
		w.p.data_len = (uint32_t)k;
		put_ppi(w.ppi, ENL_PPI_TCPIP_CHECKSUM, ENL_CSUM_RX_TCP_SUCCEEDED |
			(v6 ? 0 : ENL_CSUM_RX_IP_SUCCEEDED));
		memcpy(&v, &pid, 4);
		put_ppi(w.ppi + ENL_RNDIS_PPI_U32_SIZE,
			ENL_PPI_INTERNAL_PKTINFO_ID | ENL_RNDIS_PPI_INTERNAL, v);
		if (have_hash)
			put_ppi(w.ppi + 2 * ENL_RNDIS_PPI_U32_SIZE,
				ENL_PPI_HASH_VALUE, hash);
		enl_iov_write(&d->rx.buf.map, at, &w, sizeof(w));
		at += sizeof(w);
		/*
		 * The rewritten headers first (the TCP checksum still 0),
		 * then the TAP's bytes, summed as they are copied.
		 */
		hk = o < hl ? (hl - o < k ? hl - o : k) : 0;
		if (hk)
			enl_iov_write(&d->rx.buf.map, at, h + o, hk);
		/* Fragments start at even offsets: the field is in one. */
		if (o <= l4 + 16 && l4 + 18 <= o + hk)
			csum_at = at + (l4 + 16 - o);
		rsc_copy(d, m, o + hk, at + hk, k - hk, &sum);
		net_xfer_add_section(d, x, secs[i], w.h.len);
	}
	/* The joined packet's TCP checksum, now that every byte is summed. */
	put_be16(h + l4 + 16, (uint16_t)~net_csum_fold(sum));
	if (csum_at)
		enl_iov_write(&d->rx.buf.map, csum_at, h + l4 + 16, 2);
	net_count(d, ENL_NET_RX_PACKETS);
	net_count(d, ENL_NET_RX_COALESCED);
	net_add(d, ENL_NET_RX_BYTES, len);
	return 0;
bad:
	net_count(d, ENL_NET_RX_BAD_VNET_HDR);
	return 0;
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
		uint32_t hash = 0;
		bool have_hash = atomic_load_explicit(&d->rss_enabled,
						      memory_order_relaxed) &&
				 net_rss_hash(d, head, len < sizeof(head) ? len :
					      sizeof(head), &hash);

		if (vh->gso_type != VIRTIO_NET_HDR_GSO_TCPV4 &&
		    vh->gso_type != VIRTIO_NET_HDR_GSO_TCPV6) {
			/* UDP and ECN segmentation are never enabled. */
			net_count(d, ENL_NET_RX_BAD_VNET_HDR);
			return 0;
		}
		if (!d->rx.nsections) {
			net_count(d, ENL_NET_RX_TOO_BIG);
			return 0;
		}
		return rx_rsc(d, x, vh, &m, have_hash, hash);
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
		/* From the frame itself when it is one piece (it is in cache). */
		if (iovcnt == 1)
			sum = net_csum_add(0, (const uint8_t *)iov[0].iov_base + cs,
					   len - cs);
		for (size_t o = cs; iovcnt != 1 && o < len; o += sizeof(buf)) {
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
