/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMBus ring buffer wire layout: the shared control page, packet descriptors
 * and the headers of the packet types that carry page ranges. The algorithm
 * that moves packets through a ring is in common/ring.{h,c}.
 */
#ifndef _ENLIGHTEN_RING_H
#define _ENLIGHTEN_RING_H

#include <enlighten/types.h>

/* Hyper-V pages are 4 KiB whatever the guest's own page size is. */
#define ENL_RING_PAGE_SIZE		4096u

/*
 * One ring = this control page followed by the data area. Indices are byte
 * offsets into the data area. Each side owns one index: the writer moves
 * write_index, the reader moves read_index; everything else is a hint.
 * Not packed: the layout has no padding (asserted below) and the indices
 * must stay naturally aligned for single-copy atomic access.
 */
struct enl_ring_ctl {
	__u32 write_index;
	__u32 read_index;
	/* Set by the reader while it drains: "no need to signal me". */
	__u32 interrupt_mask;
	/*
	 * Set by a blocked writer to the packet size it waits for; the reader
	 * signals once the free space grows past it.
	 */
	__u32 pending_send_sz;
	__u32 reserved1[12];
	__u32 feature_bits;		/* ENL_RING_FEAT_* */
	__u8 reserved2[ENL_RING_PAGE_SIZE - 68];
};

ENL_ASSERT_SIZE(struct enl_ring_ctl, 4096);
ENL_ASSERT_OFFSET(struct enl_ring_ctl, write_index, 0);
ENL_ASSERT_OFFSET(struct enl_ring_ctl, read_index, 4);
ENL_ASSERT_OFFSET(struct enl_ring_ctl, interrupt_mask, 8);
ENL_ASSERT_OFFSET(struct enl_ring_ctl, pending_send_sz, 12);
ENL_ASSERT_OFFSET(struct enl_ring_ctl, reserved1, 16);
ENL_ASSERT_OFFSET(struct enl_ring_ctl, feature_bits, 64);
ENL_ASSERT_OFFSET(struct enl_ring_ctl, reserved2, 68);

/* Both sides honour pending_send_sz (Windows Server 2012 and later). */
#define ENL_RING_FEAT_PENDING_SEND_SZ	0x1u

/* Packet types (vmpacket_descriptor.type). */
enum enl_vmpacket_type {
	ENL_VMPKT_INVALID		= 0x0,
	ENL_VMPKT_SYNCH			= 0x1,
	ENL_VMPKT_ADD_XFER_PAGESET	= 0x2,
	ENL_VMPKT_RM_XFER_PAGESET	= 0x3,
	ENL_VMPKT_ESTABLISH_GPADL	= 0x4,
	ENL_VMPKT_TEARDOWN_GPADL	= 0x5,
	ENL_VMPKT_DATA_INBAND		= 0x6,
	ENL_VMPKT_DATA_USING_XFER_PAGES	= 0x7,
	ENL_VMPKT_DATA_USING_GPADL	= 0x8,
	ENL_VMPKT_DATA_USING_GPA_DIRECT	= 0x9,
	ENL_VMPKT_CANCEL_REQUEST	= 0xa,
	ENL_VMPKT_COMP			= 0xb,
	ENL_VMPKT_DATA_USING_ADDITIONAL_PKT = 0xc,
	ENL_VMPKT_ADDITIONAL_DATA	= 0xd,
};

/* vmpacket_descriptor.flags */
#define ENL_VMPKT_FLAG_COMPLETION_REQUESTED	0x1u

/*
 * Every packet starts with this descriptor. offset8 is the length of the
 * type-specific header (descriptor included) and len8 the length of the
 * whole packet, both in 8-byte units; the payload is padded to 8 bytes.
 */
struct enl_vmpacket_descriptor {
	__u16 type;
	__u16 offset8;
	__u16 len8;
	__u16 flags;
	__u64 trans_id;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmpacket_descriptor, 16);
ENL_ASSERT_OFFSET(struct enl_vmpacket_descriptor, type, 0);
ENL_ASSERT_OFFSET(struct enl_vmpacket_descriptor, offset8, 2);
ENL_ASSERT_OFFSET(struct enl_vmpacket_descriptor, len8, 4);
ENL_ASSERT_OFFSET(struct enl_vmpacket_descriptor, flags, 6);
ENL_ASSERT_OFFSET(struct enl_vmpacket_descriptor, trans_id, 8);

/*
 * After each packet the writer appends a u64 whose upper 32 bits are the
 * write index at which the packet started; readers skip it.
 */
#define ENL_RING_TRAILER_SIZE		8u
/* len8 is 16 bits wide: the largest packet a descriptor can describe. */
#define ENL_VMPKT_MAX_LEN		(0xffffu * 8u)

/*
 * Transfer-page packets (ENL_VMPKT_DATA_USING_XFER_PAGES) point into a
 * transfer page set the receiver registered earlier. range_cnt ranges follow
 * the header; Linux declares ranges[1], hence its size of 32.
 */
struct enl_vmtransfer_page_range {
	__u32 byte_count;
	__u32 byte_offset;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmtransfer_page_range, 8);
ENL_ASSERT_OFFSET(struct enl_vmtransfer_page_range, byte_count, 0);
ENL_ASSERT_OFFSET(struct enl_vmtransfer_page_range, byte_offset, 4);

struct enl_vmtransfer_page_packet_header {
	struct enl_vmpacket_descriptor d;
	__u16 xfer_pageset_id;
	__u8 sender_owns_set;
	__u8 reserved;
	__u32 range_cnt;
	struct enl_vmtransfer_page_range ranges[];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmtransfer_page_packet_header, 24);
ENL_ASSERT_OFFSET(struct enl_vmtransfer_page_packet_header, d, 0);
ENL_ASSERT_OFFSET(struct enl_vmtransfer_page_packet_header, xfer_pageset_id, 16);
ENL_ASSERT_OFFSET(struct enl_vmtransfer_page_packet_header, sender_owns_set, 18);
ENL_ASSERT_OFFSET(struct enl_vmtransfer_page_packet_header, reserved, 19);
ENL_ASSERT_OFFSET(struct enl_vmtransfer_page_packet_header, range_cnt, 20);
ENL_ASSERT_OFFSET(struct enl_vmtransfer_page_packet_header, ranges, 24);

/*
 * A run of guest pages: byte_count bytes starting byte_offset into the first
 * page; the number of pfns follows from those two. Also used by GPADL
 * channel messages.
 */
struct enl_gpa_range {
	__u32 byte_count;
	__u32 byte_offset;
	__u64 pfn_array[];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_gpa_range, 8);
ENL_ASSERT_OFFSET(struct enl_gpa_range, byte_count, 0);
ENL_ASSERT_OFFSET(struct enl_gpa_range, byte_offset, 4);
ENL_ASSERT_OFFSET(struct enl_gpa_range, pfn_array, 8);

/* A gpa_range of exactly one page (Linux's hv_page_buffer). */
struct enl_gpa_page_range {
	__u32 byte_count;
	__u32 byte_offset;
	__u64 pfn;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_gpa_page_range, 16);
ENL_ASSERT_OFFSET(struct enl_gpa_page_range, byte_count, 0);
ENL_ASSERT_OFFSET(struct enl_gpa_page_range, byte_offset, 4);
ENL_ASSERT_OFFSET(struct enl_gpa_page_range, pfn, 8);

/*
 * GPA-direct packets (ENL_VMPKT_DATA_USING_GPA_DIRECT): range_cnt variable
 * length enl_gpa_ranges follow this header, then (at offset8 * 8) the inband
 * payload. Linux's vmbus_channel_packet_page_buffer and
 * vmbus_packet_mpb_array are this header with ranges appended.
 */
struct enl_vmdata_gpa_direct {
	struct enl_vmpacket_descriptor d;
	__u32 reserved;
	__u32 range_cnt;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmdata_gpa_direct, 24);
ENL_ASSERT_OFFSET(struct enl_vmdata_gpa_direct, d, 0);
ENL_ASSERT_OFFSET(struct enl_vmdata_gpa_direct, reserved, 16);
ENL_ASSERT_OFFSET(struct enl_vmdata_gpa_direct, range_cnt, 20);

#endif /* _ENLIGHTEN_RING_H */
