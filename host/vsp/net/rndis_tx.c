// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest to backend: one RNDIS data message (header, packet, per-packet
 * info, frame) turned into a virtio-net header and the frame's bytes for a
 * TAP with IFF_VNET_HDR. The frame is not copied, except its headers when
 * they must change: a VLAN tag from the 802.1Q info goes into the frame,
 * and LSO packets get the IP lengths and checksums Linux guests leave
 * zero (they expect the host to fill them in, as Hyper-V does).
 */
#include <string.h>

#include "net_priv.h"

/* Per-packet info the parser looks at, at most this many bytes of it. */
#define PPI_MAX			256u
/* Headers copied for a fix-up: Ethernet + VLAN + IPv6 + exts + TCP. */
#define HDR_MAX			256u
/* Frame pieces: a new header plus the rest over the guest's pages. */
#define TX_MAX_IOV		(ENL_NET_MAX_RANGES + 10)

struct tx_info {
	bool csum, lso, vlan;
	uint32_t csum_v, lso_v, vlan_v;
};

static bool parse_ppi(struct enl_net_dev *d, const uint8_t *p, uint32_t n,
		      struct tx_info *ti)
{
	while (n) {
		struct enl_rndis_ppi e;
		uint32_t type, v;

		if (n < sizeof(e)) {
			net_count(d, ENL_NET_PPI_BAD_SIZE);
			return false;
		}
		memcpy(&e, p, sizeof(e));
		/* A size below the entry's own header would never advance. */
		if (e.size < sizeof(e) || e.size > n) {
			net_count(d, ENL_NET_PPI_BAD_SIZE);
			return false;
		}
		if (e.ppi_offset < sizeof(e) || e.ppi_offset > e.size) {
			net_count(d, ENL_NET_PPI_BAD_OFFSET);
			return false;
		}
		type = e.type;
		if (!(type & ENL_RNDIS_PPI_INTERNAL) &&
		    (type == ENL_PPI_TCPIP_CHECKSUM ||
		     type == ENL_PPI_TCP_LARGESEND ||
		     type == ENL_PPI_IEEE_8021Q)) {
			if (e.size - e.ppi_offset < 4) {
				net_count(d, ENL_NET_PPI_BAD_OFFSET);
				return false;
			}
			v = get_le32(p + e.ppi_offset);
			if (type == ENL_PPI_TCPIP_CHECKSUM) {
				ti->csum = true;
				ti->csum_v = v;
			} else if (type == ENL_PPI_TCP_LARGESEND) {
				ti->lso = true;
				ti->lso_v = v;
			} else {
				ti->vlan = true;
				ti->vlan_v = v;
			}
		} else if (type != ENL_PPI_HASH_VALUE &&
			   type != ENL_PPI_HASH_INFO) {
			/* Harmless for a frame; counted so it shows. */
			net_count(d, ENL_NET_PPI_UNKNOWN);
		}
		p += e.size;
		n -= e.size;
	}
	return true;
}

static void ip4_fix(uint8_t *ip, uint32_t ihl, uint32_t tot)
{
	uint16_t c;

	put_be16(ip + 2, (uint16_t)tot);
	put_be16(ip + 10, 0);
	c = (uint16_t)~net_csum_fold(net_csum_add(0, ip, ihl));
	put_be16(ip + 10, c);
}

/* The pseudo-header sum with the L4 length, as GSO expects in th->check. */
static void tcp_pseudo(uint8_t *h, size_t l3, size_t l4, bool v6,
		       uint32_t l4len)
{
	uint32_t s;

	if (v6)
		s = net_csum_add(0, h + l3 + 8, 32);
	else
		s = net_csum_add(0, h + l3 + 12, 8);
	s += 6 + l4len;
	put_be16(h + l4 + 16, net_csum_fold(s));
}

bool net_rndis_tx(struct enl_net_dev *d, unsigned int queue,
		  const struct enl_iov_map *src, size_t off, uint32_t len)
{
	struct virtio_net_hdr_v1 vh;
	struct enl_rndis_packet pk;
	struct tx_info ti = { 0 };
	struct iovec iov[TX_MAX_IOV];
	uint8_t ppi[PPI_MAX], hdr[HDR_MAX + ENL_VLAN_HLEN];
	uint32_t blen = len - (uint32_t)sizeof(struct enl_rndis_hdr);
	uint32_t dlen, copy = 0, grow = 0, max;
	size_t body = off + sizeof(struct enl_rndis_hdr), data;
	uint32_t offl = atomic_load_explicit(&d->offl, memory_order_relaxed);
	int n, k = 0;

	if (blen < sizeof(pk)) {
		net_count(d, ENL_NET_RNDIS_SHORT);
		return false;
	}
	enl_iov_read(src, body, &pk, sizeof(pk));
	if (pk.data_offset < sizeof(pk) || pk.data_offset > blen ||
	    pk.data_len > blen - pk.data_offset) {
		net_count(d, ENL_NET_TX_BAD_OFFSET);
		return false;
	}
	dlen = pk.data_len;
	data = body + pk.data_offset;
	if (pk.ppi_len) {
		if (pk.ppi_offset < sizeof(pk) || pk.ppi_offset > blen ||
		    pk.ppi_len > blen - pk.ppi_offset) {
			net_count(d, ENL_NET_PPI_BAD_AREA);
			return false;
		}
		if (pk.ppi_len > sizeof(ppi)) {
			net_count(d, ENL_NET_PPI_TOO_LONG);
			return false;
		}
		enl_iov_read(src, body + pk.ppi_offset, ppi, pk.ppi_len);
		if (!parse_ppi(d, ppi, pk.ppi_len, &ti))
			return false;
	}
	if (dlen < ENL_ETH_HLEN) {
		net_count(d, ENL_NET_TX_RUNT);
		return false;
	}
	max = ti.lso ? ENL_NET_MAX_GSO_FRAME :
	      d->cfg.max_mtu + ENL_ETH_HLEN + ENL_VLAN_HLEN;
	if (dlen > max) {
		net_count(d, ENL_NET_TX_OVERSIZE);
		return false;
	}

	memset(&vh, 0, sizeof(vh));
	if (ti.lso) {
		uint32_t mss = ti.lso_v & ENL_LSO_MSS_MASK;
		uint32_t l4 = ti.lso_v >> ENL_LSO_L4_OFFSET_SHIFT &
			      ENL_LSO_L4_OFFSET_MASK;
		bool v6 = ti.lso_v & ENL_LSO_IPV6;
		uint32_t l3 = ENL_ETH_HLEN, thl;
		uint16_t et;

		if (!(ti.lso_v & ENL_LSO_TYPE_V2) || !mss ||
		    !(offl & (v6 ? ENL_OFFL_LSO6 : ENL_OFFL_LSO4)) ||
		    l4 + 20 > dlen || l4 + 20 > HDR_MAX)
			goto bad_lso;
		copy = l4 + 20;
		enl_iov_read(src, data, hdr, copy);
		et = get_be16(hdr + 12);
		if (et == 0x8100) {
			l3 += ENL_VLAN_HLEN;
			et = get_be16(hdr + 16);
		}
		if (et != (v6 ? 0x86dd : 0x0800) || l4 < l3 + (v6 ? 40 : 20))
			goto bad_lso;
		if ((hdr[l3] >> 4) != (v6 ? 6 : 4) ||
		    (!v6 && (l3 + (hdr[l3] & 0xfu) * 4 != l4 ||
			     hdr[l3 + 9] != 6)))
			goto bad_lso;
		thl = (uint32_t)(hdr[l4 + 12] >> 4) * 4;
		if (thl < 20 || l4 + thl > dlen || l4 + thl > HDR_MAX ||
		    mss > 65535)
			goto bad_lso;
		copy = l4 + thl;
		enl_iov_read(src, data, hdr, copy);
		if (v6)
			put_be16(hdr + l3 + 4, (uint16_t)(dlen - l3 - 40));
		else
			ip4_fix(hdr + l3, l4 - l3, dlen - l3);
		tcp_pseudo(hdr, l3, l4, v6, dlen - l4);
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
			      VIRTIO_NET_HDR_GSO_TCPV4;
		vh.gso_size = (uint16_t)mss;
		vh.hdr_len = (uint16_t)copy;
		vh.csum_start = (uint16_t)l4;
		vh.csum_offset = 16;
	} else if (ti.csum && (ti.csum_v & (ENL_CSUM_TX_TCP | ENL_CSUM_TX_UDP))) {
		uint32_t l4 = ti.csum_v >> ENL_CSUM_TX_L4_OFFSET_SHIFT &
			      ENL_CSUM_TX_L4_OFFSET_MASK;
		bool tcp = ti.csum_v & ENL_CSUM_TX_TCP;
		uint32_t at = tcp ? 16 : 6;
		uint32_t need = ti.csum_v & ENL_CSUM_TX_IPV6 ?
				ENL_OFFL_TX_CSUM6 : ENL_OFFL_TX_CSUM4;

		if (!(ti.csum_v & (ENL_CSUM_TX_IPV4 | ENL_CSUM_TX_IPV6)) ||
		    !(offl & need) || l4 < ENL_ETH_HLEN + 20 ||
		    l4 + at + 2 > dlen) {
			net_count(d, ENL_NET_TX_BAD_CSUM);
			return false;
		}
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.csum_start = (uint16_t)l4;
		vh.csum_offset = (uint16_t)at;
	}

	if (ti.vlan) {
		uint32_t tci = (ti.vlan_v & ENL_VLAN_PRI_MASK) << 13 |
			       (ti.vlan_v & ENL_VLAN_CFI ? 1u << 12 : 0) |
			       (ti.vlan_v >> ENL_VLAN_ID_SHIFT & ENL_VLAN_ID_MASK);

		if (!copy) {
			copy = 12;
			enl_iov_read(src, data, hdr, copy);
		}
		/* Open a tag after the two addresses. */
		memmove(hdr + 12 + ENL_VLAN_HLEN, hdr + 12, copy - 12);
		put_be16(hdr + 12, 0x8100);
		put_be16(hdr + 14, (uint16_t)tci);
		grow = ENL_VLAN_HLEN;
		if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			vh.csum_start += ENL_VLAN_HLEN;
		if (vh.hdr_len)
			vh.hdr_len += ENL_VLAN_HLEN;
	}
	if (copy) {
		iov[k].iov_base = hdr;
		iov[k].iov_len = copy + grow;
		k++;
	}
	n = enl_iov_slice(src, data + copy, dlen - copy, iov + k,
			  TX_MAX_IOV - (unsigned int)k);
	if (n < 0) {
		net_count(d, ENL_NET_TX_TOO_MANY_IOV);
		return false;
	}
	k += n;
	if (d->ops->tx_frame(d->ctx, queue, &vh, iov, (unsigned int)k) < 0) {
		/* The backend's trouble, not the guest's: still a good packet. */
		net_count(d, ENL_NET_TX_BACKEND_ERROR);
		return true;
	}
	net_count(d, ENL_NET_TX_PACKETS);
	net_add(d, ENL_NET_TX_BYTES, dlen + grow);
	return true;

bad_lso:
	net_count(d, ENL_NET_TX_BAD_LSO);
	return false;
}
