/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NVSP, the Network VSP protocol: the messages the synthetic network
 * adapter's guest driver (VSC) and the host's network VSP exchange over the
 * device's VMBus channel. Every message is one struct enl_nvsp_message in an
 * in-band packet (or, for RNDIS data, the payload of a GPA-direct or
 * transfer-page packet whose data is RNDIS, see rndis.h).
 *
 * The flow a guest drives, each step answered by the host:
 *   INIT (min..max version)		-> INIT_COMPLETE (version, status)
 *   [v2+] NDIS_CONFIG (MTU, caps)	   (no answer)
 *   NDIS_VERSION			   (no answer)
 *   SEND_RECV_BUF (GPADL, id 0xcafe)	-> SEND_RECV_BUF_COMPLETE (sections)
 *   SEND_SEND_BUF (GPADL, id 0)	-> SEND_SEND_BUF_COMPLETE (section size)
 *   [v5+] SUBCHANNEL (count)		-> SUBCHANNEL completion (count granted)
 * then RNDIS_PKT both ways, each completed by RNDIS_PKT_COMPLETE. The host
 * may also send SEND_INDIRECTION_TABLE (v5+) and VF_ASSOCIATION (v4+).
 *
 * Sizes and offsets match Linux 6.1 (drivers/net/hyperv/hyperv_net.h, from
 * the module's BTF), checked below. Linux declares several of these with
 * bit-fields; here they are whole little-endian words with named bits, so
 * the layout does not depend on a compiler's bit-field allocation.
 */
#ifndef _ENLIGHTEN_NVSP_H
#define _ENLIGHTEN_NVSP_H

#include <enlighten/types.h>

/* ---- Protocol versions ------------------------------------------------ */

#define ENL_NVSP_VERSION_1		0x00002u
#define ENL_NVSP_VERSION_2		0x30002u
#define ENL_NVSP_VERSION_4		0x40000u
#define ENL_NVSP_VERSION_5		0x50000u
#define ENL_NVSP_VERSION_6		0x60000u
#define ENL_NVSP_VERSION_61		0x60001u
#define ENL_NVSP_VERSION_INVALID	0xffffffffu

/*
 * NDIS version the guest announces (NDIS_VERSION): 6.1 up to NVSP 4,
 * 6.30 from NVSP 5 on.
 */
#define ENL_NDIS_VERSION(major, minor)	(((__u32)(major) << 16) | (minor))
#define ENL_NDIS_VERSION_6_1		ENL_NDIS_VERSION(6, 1)
#define ENL_NDIS_VERSION_6_30		ENL_NDIS_VERSION(6, 30)

/* ---- Message types ---------------------------------------------------- */

enum enl_nvsp_msg_type {
	ENL_NVSP_MSG_NONE			= 0,
	ENL_NVSP_MSG_INIT			= 1,
	ENL_NVSP_MSG_INIT_COMPLETE		= 2,

	/* version 1 */
	ENL_NVSP_MSG1_SEND_NDIS_VERSION		= 100,
	ENL_NVSP_MSG1_SEND_RECV_BUF		= 101,
	ENL_NVSP_MSG1_SEND_RECV_BUF_COMPLETE	= 102,
	ENL_NVSP_MSG1_REVOKE_RECV_BUF		= 103,
	ENL_NVSP_MSG1_SEND_SEND_BUF		= 104,
	ENL_NVSP_MSG1_SEND_SEND_BUF_COMPLETE	= 105,
	ENL_NVSP_MSG1_REVOKE_SEND_BUF		= 106,
	ENL_NVSP_MSG1_SEND_RNDIS_PKT		= 107,
	ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE	= 108,

	/*
	 * version 2: 109..124 are chimney (TCP offload) and VMQ messages no
	 * Linux guest sends; only NDIS configuration is used.
	 */
	ENL_NVSP_MSG2_SEND_NDIS_CONFIG		= 125,

	/* version 4 */
	ENL_NVSP_MSG4_SEND_VF_ASSOCIATION	= 128,
	ENL_NVSP_MSG4_SWITCH_DATA_PATH		= 129,

	/* version 5 */
	ENL_NVSP_MSG5_OID_QUERY_EX		= 131,
	ENL_NVSP_MSG5_OID_QUERY_EX_COMPLETE	= 132,
	ENL_NVSP_MSG5_SUBCHANNEL		= 133,
	ENL_NVSP_MSG5_SEND_INDIRECTION_TABLE	= 134,

	/* version 6: PacketDirect, not spoken by a synthetic-only device */
	ENL_NVSP_MSG6_PD_API			= 135,
	ENL_NVSP_MSG6_PD_POST_BATCH		= 136,
};

/* Completion statuses */
enum enl_nvsp_status {
	ENL_NVSP_STAT_NONE			= 0,
	ENL_NVSP_STAT_SUCCESS			= 1,
	ENL_NVSP_STAT_FAIL			= 2,
	ENL_NVSP_STAT_PROTOCOL_TOO_NEW		= 3,
	ENL_NVSP_STAT_PROTOCOL_TOO_OLD		= 4,
	ENL_NVSP_STAT_INVALID_RNDIS_PKT		= 5,
	ENL_NVSP_STAT_BUSY			= 6,
	ENL_NVSP_STAT_PROTOCOL_UNSUPPORTED	= 7,
};

/* ---- Constants of the buffers ----------------------------------------- */

/* The ids the guest gives its receive and send buffers (and revokes by). */
#define ENL_NVSP_RECV_BUFFER_ID		0xcafe
#define ENL_NVSP_SEND_BUFFER_ID		0

/* send_buf_section_index when the data does not use the send buffer */
#define ENL_NVSP_NO_SECTION		0xffffffffu

/* enl_nvsp1_rndis_packet.channel_type */
#define ENL_NVSP_CHANNEL_DATA		0	/* an RNDIS data packet */
#define ENL_NVSP_CHANNEL_CONTROL	1	/* any other RNDIS message */

/* Entries of the send indirection table (SEND_INDIRECTION_TABLE). */
#define ENL_NVSP_SEND_TABLE_SIZE	16

/* Sub-channels a guest may ask for (64 channels in all). */
#define ENL_NVSP_MAX_CHANNELS		64

/* ---- Messages --------------------------------------------------------- */

struct enl_nvsp_hdr {
	__u32 msg_type;			/* enum enl_nvsp_msg_type */
} ENL_PACKED;

/* INIT: the guest offers a version range (Linux sends min == max). */
struct enl_nvsp_init {
	__u32 min_version;
	__u32 max_version;
} ENL_PACKED;

struct enl_nvsp_init_complete {
	__u32 negotiated_version;
	__u32 max_mdl_chain_len;
	__u32 status;			/* enum enl_nvsp_status */
} ENL_PACKED;

/* SEND_NDIS_VERSION: NDIS major/minor the guest speaks. */
struct enl_nvsp1_ndis_version {
	__u32 major;
	__u32 minor;
} ENL_PACKED;

/* SEND_RECV_BUF and SEND_SEND_BUF: a GPADL the guest made for a buffer. */
struct enl_nvsp1_buffer {
	__u32 gpadl_handle;
	__u16 id;
} ENL_PACKED;

/*
 * One section of the receive buffer: the host cuts [offset, end_offset)
 * into num_sub_allocs pieces of sub_alloc_size bytes; each packet it sends
 * up lands in one piece. Linux accepts exactly one section at offset 0.
 */
struct enl_nvsp1_recv_section {
	__u32 offset;
	__u32 sub_alloc_size;
	__u32 num_sub_allocs;
	__u32 end_offset;
} ENL_PACKED;

struct enl_nvsp1_recv_buf_complete {
	__u32 status;
	__u32 num_sections;
	struct enl_nvsp1_recv_section sections[1];
} ENL_PACKED;

/* REVOKE_RECV_BUF and REVOKE_SEND_BUF */
struct enl_nvsp1_revoke_buffer {
	__u16 id;
} ENL_PACKED;

/* The guest sizes the send buffer; the host picks its section size. */
struct enl_nvsp1_send_buf_complete {
	__u32 status;
	__u32 section_size;
} ENL_PACKED;

/*
 * SEND_RNDIS_PKT: the RNDIS message is either in the send-buffer section
 * section_index (its first section_size bytes; the guest to host
 * direction), or in the packet's GPA ranges (section_index
 * ENL_NVSP_NO_SECTION), or in the transfer-page ranges of the receive
 * buffer (host to guest).
 */
struct enl_nvsp1_rndis_packet {
	__u32 channel_type;		/* ENL_NVSP_CHANNEL_* */
	__u32 section_index;
	__u32 section_size;
} ENL_PACKED;

struct enl_nvsp1_rndis_packet_complete {
	__u32 status;
} ENL_PACKED;

/* enl_nvsp2_ndis_config.capability */
#define ENL_NVSP_CAP_VMQ		(1ull << 0)
#define ENL_NVSP_CAP_CHIMNEY		(1ull << 1)
#define ENL_NVSP_CAP_SRIOV		(1ull << 2)
#define ENL_NVSP_CAP_IEEE8021Q		(1ull << 3)
#define ENL_NVSP_CAP_CORRELATION_ID	(1ull << 4)
#define ENL_NVSP_CAP_TEAMING		(1ull << 5)	/* link speed updates */
#define ENL_NVSP_CAP_VSUBNETID		(1ull << 6)
#define ENL_NVSP_CAP_RSC		(1ull << 7)	/* receive coalescing */

/* SEND_NDIS_CONFIG: mtu counts the Ethernet header (MTU + 14). */
struct enl_nvsp2_ndis_config {
	__u32 mtu;
	__u32 reserved;
	__u64 capability;		/* ENL_NVSP_CAP_* */
} ENL_PACKED;

/* SEND_VF_ASSOCIATION (host to guest): no VF here, allocated is 0. */
struct enl_nvsp4_vf_association {
	__u32 allocated;
	__u32 serial;
} ENL_PACKED;

/* SWITCH_DATA_PATH: enl_nvsp4_switch_datapath.active_datapath */
#define ENL_NVSP_DATAPATH_SYNTHETIC	0
#define ENL_NVSP_DATAPATH_VF		1

struct enl_nvsp4_switch_datapath {
	__u32 active_datapath;
} ENL_PACKED;

/* SUBCHANNEL request op */
#define ENL_NVSP_SUBCHANNEL_NONE	0
#define ENL_NVSP_SUBCHANNEL_ALLOCATE	1

struct enl_nvsp5_subchannel_request {
	__u32 op;
	__u32 num_subchannels;
} ENL_PACKED;

/* The completion to SUBCHANNEL carries msg_type ENL_NVSP_MSG5_SUBCHANNEL. */
struct enl_nvsp5_subchannel_complete {
	__u32 status;
	__u32 num_subchannels;		/* granted, at most the number asked */
} ENL_PACKED;

/*
 * SEND_INDIRECTION_TABLE (host to guest): count __u32 channel numbers at
 * byte offset `offset` from the start of struct enl_nvsp_message. Hosts
 * speaking NVSP 6.0 and older put the table right after the message
 * (offset 40) whatever `offset` says; Linux guests rely on that.
 */
struct enl_nvsp5_indirection_table {
	__u32 count;			/* ENL_NVSP_SEND_TABLE_SIZE */
	__u32 offset;
} ENL_PACKED;

/* Bytes of the body union: sized by the largest (PacketDirect) message. */
#define ENL_NVSP_BODY_SIZE		36

struct enl_nvsp_message {
	struct enl_nvsp_hdr hdr;
	union {
		struct enl_nvsp_init init;
		struct enl_nvsp_init_complete init_complete;
		struct enl_nvsp1_ndis_version ndis_version;
		struct enl_nvsp1_buffer buffer;
		struct enl_nvsp1_recv_buf_complete recv_buf_complete;
		struct enl_nvsp1_revoke_buffer revoke;
		struct enl_nvsp1_send_buf_complete send_buf_complete;
		struct enl_nvsp1_rndis_packet rndis;
		struct enl_nvsp1_rndis_packet_complete rndis_complete;
		struct enl_nvsp2_ndis_config ndis_config;
		struct enl_nvsp4_vf_association vf_association;
		struct enl_nvsp4_switch_datapath datapath;
		struct enl_nvsp5_subchannel_request subchannel;
		struct enl_nvsp5_subchannel_complete subchannel_complete;
		struct enl_nvsp5_indirection_table indirection;
		__u8 raw[ENL_NVSP_BODY_SIZE];
	} ENL_PACKED msg;
} ENL_PACKED;

/* The host's indirection table message: the message, then the table. */
struct enl_nvsp_indirection_msg {
	struct enl_nvsp_message m;
	__u32 table[ENL_NVSP_SEND_TABLE_SIZE];
} ENL_PACKED;

/* ---- Layout checks (Linux 6.1, hv_netvsc BTF) ------------------------- */

ENL_ASSERT_SIZE(struct enl_nvsp_hdr, 4);
ENL_ASSERT_SIZE(struct enl_nvsp_init, 8);
ENL_ASSERT_OFFSET(struct enl_nvsp_init, max_version, 4);
ENL_ASSERT_SIZE(struct enl_nvsp_init_complete, 12);
ENL_ASSERT_OFFSET(struct enl_nvsp_init_complete, max_mdl_chain_len, 4);
ENL_ASSERT_OFFSET(struct enl_nvsp_init_complete, status, 8);
ENL_ASSERT_SIZE(struct enl_nvsp1_ndis_version, 8);
ENL_ASSERT_OFFSET(struct enl_nvsp1_ndis_version, minor, 4);
ENL_ASSERT_SIZE(struct enl_nvsp1_buffer, 6);
ENL_ASSERT_OFFSET(struct enl_nvsp1_buffer, id, 4);
ENL_ASSERT_SIZE(struct enl_nvsp1_recv_section, 16);
ENL_ASSERT_OFFSET(struct enl_nvsp1_recv_section, sub_alloc_size, 4);
ENL_ASSERT_OFFSET(struct enl_nvsp1_recv_section, num_sub_allocs, 8);
ENL_ASSERT_OFFSET(struct enl_nvsp1_recv_section, end_offset, 12);
ENL_ASSERT_SIZE(struct enl_nvsp1_recv_buf_complete, 24);
ENL_ASSERT_OFFSET(struct enl_nvsp1_recv_buf_complete, num_sections, 4);
ENL_ASSERT_OFFSET(struct enl_nvsp1_recv_buf_complete, sections, 8);
ENL_ASSERT_SIZE(struct enl_nvsp1_revoke_buffer, 2);
ENL_ASSERT_SIZE(struct enl_nvsp1_send_buf_complete, 8);
ENL_ASSERT_OFFSET(struct enl_nvsp1_send_buf_complete, section_size, 4);
ENL_ASSERT_SIZE(struct enl_nvsp1_rndis_packet, 12);
ENL_ASSERT_OFFSET(struct enl_nvsp1_rndis_packet, section_index, 4);
ENL_ASSERT_OFFSET(struct enl_nvsp1_rndis_packet, section_size, 8);
ENL_ASSERT_SIZE(struct enl_nvsp1_rndis_packet_complete, 4);
ENL_ASSERT_SIZE(struct enl_nvsp2_ndis_config, 16);
ENL_ASSERT_OFFSET(struct enl_nvsp2_ndis_config, reserved, 4);
ENL_ASSERT_OFFSET(struct enl_nvsp2_ndis_config, capability, 8);
ENL_ASSERT_SIZE(struct enl_nvsp4_vf_association, 8);
ENL_ASSERT_OFFSET(struct enl_nvsp4_vf_association, serial, 4);
ENL_ASSERT_SIZE(struct enl_nvsp4_switch_datapath, 4);
ENL_ASSERT_SIZE(struct enl_nvsp5_subchannel_request, 8);
ENL_ASSERT_OFFSET(struct enl_nvsp5_subchannel_request, num_subchannels, 4);
ENL_ASSERT_SIZE(struct enl_nvsp5_subchannel_complete, 8);
ENL_ASSERT_OFFSET(struct enl_nvsp5_subchannel_complete, num_subchannels, 4);
ENL_ASSERT_SIZE(struct enl_nvsp5_indirection_table, 8);
ENL_ASSERT_OFFSET(struct enl_nvsp5_indirection_table, offset, 4);
ENL_ASSERT_SIZE(struct enl_nvsp_message, 40);
ENL_ASSERT_OFFSET(struct enl_nvsp_message, msg, 4);
ENL_ASSERT_SIZE(struct enl_nvsp_indirection_msg, 40 + 4 * 16);

#endif /* _ENLIGHTEN_NVSP_H */
