/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GPA-direct packets (ENL_VMPKT_DATA_USING_GPA_DIRECT): the guest names
 * the pages of a buffer in the packet itself, as range_cnt page ranges
 * (struct enl_gpa_range: byte_count, byte_offset into the first page, then
 * its pfns) between the header and the inband payload at offset8 * 8. This
 * is how storage requests (Linux's vmbus_packet_mpb_array) and network
 * sends (vmbus_channel_packet_page_buffer) carry their data. The parser
 * turns them into iovecs over guest RAM; every field is checked.
 */
#ifndef ENL_HOST_VMBUS_GPA_DIRECT_H
#define ENL_HOST_VMBUS_GPA_DIRECT_H

#include <stdint.h>
#include <sys/uio.h>

struct enl_guest_mem;
struct enl_ring_pkt;
struct enl_vsp_channel;

/* More ranges than this in one packet is refused (Linux sends one, or one per page up to 32). */
#define ENL_GPA_DIRECT_MAX_RANGES	1024u

struct enl_gpa_direct {
	struct iovec *iov;	/* caller's array */
	uint32_t max_iov;
	uint32_t niov;		/* out: pieces filled */
	uint32_t nranges;	/* out: ranges in the packet */
	uint64_t bytes;		/* out: sum of byte_count */
	const void *payload;	/* out: inband payload (at offset8 * 8) */
	uint32_t payload_len;
};

/*
 * Parse the whole packet pkt (descriptor included, len bytes, payload at
 * hdr_len) against guest RAM mem. 0; -EBADMSG for a malformed packet
 * (wrong type, counts or offsets that do not fit), -EFAULT for a page
 * outside guest RAM, -E2BIG when more than max_iov pieces are needed.
 */
int enl_gpa_direct_parse(const struct enl_guest_mem *mem, const void *pkt,
			 uint32_t len, uint32_t hdr_len,
			 struct enl_gpa_direct *out);

/* The same for a packet a VSP got in on_packet; failures are counted. */
int enl_vsp_gpa_direct(struct enl_vsp_channel *ch,
		       const struct enl_ring_pkt *pkt, const void *data,
		       struct enl_gpa_direct *out);

#endif /* ENL_HOST_VMBUS_GPA_DIRECT_H */
