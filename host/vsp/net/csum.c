// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checksums the host finishes for the guest (a partial TCP/UDP checksum
 * from the TAP, IPv4 header checksums of LSO packets) and the Toeplitz
 * flow hash RSS defines (Microsoft's "Receive Side Scaling" verification
 * suite gives the input layout: source address, destination address,
 * source port, destination port, all in network order).
 */
#include <string.h>

#include "net_priv.h"

/* n bytes as big-endian 16-bit words, two at a time (the tail's). */
static uint64_t csum_words(uint64_t s, const uint8_t *p, size_t n)
{
	while (n >= 2) {
		s += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		n -= 2;
	}
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

/*
 * One's complement sum of n bytes taken as big-endian 16-bit words. The
 * bulk goes 8 bytes a step in native order: a one's complement sum of
 * byte-swapped words is the byte-swapped sum, so it is folded to 16 bits
 * and swapped back once (RFC 1071).
 */
uint32_t net_csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	uint64_t s = sum, w, bulk = 0;
	uint32_t f;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, sizeof(w));
		bulk += (w & 0xffffffffu) + (w >> 32);
	}
	while (bulk >> 16)
		bulk = (bulk & 0xffff) + (bulk >> 16);
	f = (uint32_t)bulk;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	f = (f >> 8 | f << 8) & 0xffff;
#endif
	s = csum_words(s + f, p, n);
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint32_t net_toeplitz(const uint8_t *key, size_t keylen, const uint8_t *in,
		      size_t n)
{
	uint32_t hash = 0, window;
	size_t kbit = 32;

	if (keylen < 4)
		return 0;
	window = (uint32_t)get_be16(key) << 16 | get_be16(key + 2);
	for (size_t i = 0; i < n; i++) {
		for (int b = 7; b >= 0; b--) {
			if (in[i] >> b & 1)
				hash ^= window;
			window <<= 1;
			if (kbit / 8 < keylen)
				window |= key[kbit / 8] >> (7 - kbit % 8) & 1;
			kbit++;
		}
	}
	return hash;
}

/*
 * The RSS input of an IPv4/IPv6 frame: addresses, plus the ports of TCP
 * (and UDP, which Linux hashes the same way) when the hash types allow.
 */
bool net_rss_hash(const struct enl_net_dev *d, const uint8_t *f, size_t len,
		  uint32_t *hash)
{
	uint8_t in[36];
	size_t l3 = ENL_ETH_HLEN, l4, n;
	uint16_t type;
	uint8_t proto;
	uint32_t info = d->rss_hashinfo;

	if (len < ENL_ETH_HLEN)
		return false;
	type = get_be16(f + 12);
	if (type == 0x8100 && len >= ENL_ETH_HLEN + ENL_VLAN_HLEN) {
		type = get_be16(f + 16);
		l3 += ENL_VLAN_HLEN;
	}
	if (type == 0x0800) {
		if (len < l3 + 20 || (f[l3] >> 4) != 4)
			return false;
		memcpy(in, f + l3 + 12, 8);
		n = 8;
		proto = f[l3 + 9];
		l4 = l3 + (size_t)(f[l3] & 0xf) * 4;
		/* Fragments carry no ports after the first. */
		if (get_be16(f + l3 + 6) & 0x3fff)
			proto = 0;
		if (!(info & (ENL_NDIS_HASH_IPV4 | ENL_NDIS_HASH_TCP_IPV4)))
			return false;
		if (!(info & ENL_NDIS_HASH_TCP_IPV4))
			proto = 0;
	} else if (type == 0x86dd) {
		if (len < l3 + 40 || (f[l3] >> 4) != 6)
			return false;
		memcpy(in, f + l3 + 8, 32);
		n = 32;
		proto = f[l3 + 6];
		l4 = l3 + 40;
		if (!(info & (ENL_NDIS_HASH_IPV6 | ENL_NDIS_HASH_TCP_IPV6)))
			return false;
		if (!(info & ENL_NDIS_HASH_TCP_IPV6))
			proto = 0;
	} else {
		return false;
	}
	if ((proto == 6 || proto == 17) && len >= l4 + 4) {
		memcpy(in + n, f + l4, 4);
		n += 4;
	}
	*hash = net_toeplitz(d->rss_key, sizeof(d->rss_key), in, n);
	return true;
}
