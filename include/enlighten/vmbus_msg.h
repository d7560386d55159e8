/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMBus channel messages: the control protocol between the guest's VMBus
 * driver and the host, carried one message per SynIC message (at most
 * ENL_VMBUS_MAX_MSG_SIZE bytes). The guest sends with HvPostMessage
 * (message type ENL_HVMSG_VMBUS) to the message connection id; the host
 * answers in the slot of SINT ENL_VMBUS_MESSAGE_SINT. Every message starts
 * with struct enl_vmbus_channel_message_header.
 *
 * Sizes and offsets match Linux 6.1 (include/linux/hyperv.h), checked below.
 * Like Linux, the structs are packed so they can be read from any buffer.
 */
#ifndef _ENLIGHTEN_VMBUS_MSG_H
#define _ENLIGHTEN_VMBUS_MSG_H

#include <enlighten/types.h>
#include <enlighten/hv_synic.h>
#include <enlighten/ring.h>	/* struct enl_gpa_range */

/* ---- Protocol versions ------------------------------------------------ */

/* A VMBus version is major in bits 31:16, minor in bits 15:0. */
#define ENL_VMBUS_MAKE_VERSION(major, minor)	\
	((((__u32)(major)) << 16) | ((__u32)(minor) & 0xffff))
#define ENL_VMBUS_VERSION_MAJOR(v)	(((__u32)(v)) >> 16)
#define ENL_VMBUS_VERSION_MINOR(v)	(((__u32)(v)) & 0xffff)

#define ENL_VMBUS_VERSION_WS2008	ENL_VMBUS_MAKE_VERSION(0, 13)
#define ENL_VMBUS_VERSION_WIN7		ENL_VMBUS_MAKE_VERSION(1, 1)
#define ENL_VMBUS_VERSION_WIN8		ENL_VMBUS_MAKE_VERSION(2, 4)
#define ENL_VMBUS_VERSION_WIN8_1	ENL_VMBUS_MAKE_VERSION(3, 0)
#define ENL_VMBUS_VERSION_WIN10		ENL_VMBUS_MAKE_VERSION(4, 0)
#define ENL_VMBUS_VERSION_WIN10_V4_1	ENL_VMBUS_MAKE_VERSION(4, 1)
#define ENL_VMBUS_VERSION_WIN10_V5	ENL_VMBUS_MAKE_VERSION(5, 0)
#define ENL_VMBUS_VERSION_WIN10_V5_1	ENL_VMBUS_MAKE_VERSION(5, 1)
#define ENL_VMBUS_VERSION_WIN10_V5_2	ENL_VMBUS_MAKE_VERSION(5, 2)
#define ENL_VMBUS_VERSION_WIN10_V5_3	ENL_VMBUS_MAKE_VERSION(5, 3)
/* 6.0 adds feature flags to initiate contact; not spoken by Linux 6.1. */
#define ENL_VMBUS_VERSION_V6_0		ENL_VMBUS_MAKE_VERSION(6, 0)

/* Oldest and newest versions the suite negotiates. */
#define ENL_VMBUS_VERSION_MIN		ENL_VMBUS_VERSION_WIN8
#define ENL_VMBUS_VERSION_MAX		ENL_VMBUS_VERSION_WIN10_V5_3

/*
 * The versions this suite speaks, newest first: the guest offers them in
 * this order and the host accepts exactly these. An initialiser list, so
 * each side declares its own array without an unused one in every file.
 */
#define ENL_VMBUS_VERSIONS_NEWEST_FIRST {				\
	ENL_VMBUS_VERSION_WIN10_V5_3, ENL_VMBUS_VERSION_WIN10_V5_2,	\
	ENL_VMBUS_VERSION_WIN10_V5_1, ENL_VMBUS_VERSION_WIN10_V5,	\
	ENL_VMBUS_VERSION_WIN10_V4_1, ENL_VMBUS_VERSION_WIN10,		\
	ENL_VMBUS_VERSION_WIN8_1, ENL_VMBUS_VERSION_WIN8 }

/* ---- Connections and SINTs -------------------------------------------- */

/*
 * Before 5.0 the guest posts every message to connection id 1 and hands the
 * host an interrupt page in initiate contact. From 5.0 on it posts initiate
 * contact to connection id 4, names the SINT the host must answer on, and
 * afterwards uses the msg_conn_id the host returns in the version response.
 */
#define ENL_VMBUS_MESSAGE_CONNECTION_ID		1
#define ENL_VMBUS_MESSAGE_CONNECTION_ID_4	4
#define ENL_VMBUS_MESSAGE_PORT_ID		1
/* Signal connection of hosts older than WIN7, whose offers carry none. */
#define ENL_VMBUS_EVENT_CONNECTION_ID		2
#define ENL_VMBUS_EVENT_PORT_ID			2
#define ENL_VMBUS_MONITOR_CONNECTION_ID		3
#define ENL_VMBUS_MONITOR_PORT_ID		3
/* SINT the host delivers channel messages (and channel events) on. */
#define ENL_VMBUS_MESSAGE_SINT			2

/* Largest channel message: one SynIC message payload. */
#define ENL_VMBUS_MAX_MSG_SIZE		ENL_HV_MESSAGE_PAYLOAD_BYTE_COUNT

/* Relids start at 1; Hyper-V hands out about 2048 of them. */
#define ENL_VMBUS_INVALID_RELID		0xffffffffU

/* ---- Message types ---------------------------------------------------- */

enum enl_vmbus_channel_message_type {
	ENL_CHANNELMSG_INVALID			= 0,
	ENL_CHANNELMSG_OFFERCHANNEL		= 1,
	ENL_CHANNELMSG_RESCIND_CHANNELOFFER	= 2,
	ENL_CHANNELMSG_REQUESTOFFERS		= 3,
	ENL_CHANNELMSG_ALLOFFERS_DELIVERED	= 4,
	ENL_CHANNELMSG_OPENCHANNEL		= 5,
	ENL_CHANNELMSG_OPENCHANNEL_RESULT	= 6,
	ENL_CHANNELMSG_CLOSECHANNEL		= 7,
	ENL_CHANNELMSG_GPADL_HEADER		= 8,
	ENL_CHANNELMSG_GPADL_BODY		= 9,
	ENL_CHANNELMSG_GPADL_CREATED		= 10,
	ENL_CHANNELMSG_GPADL_TEARDOWN		= 11,
	ENL_CHANNELMSG_GPADL_TORNDOWN		= 12,
	ENL_CHANNELMSG_RELID_RELEASED		= 13,
	ENL_CHANNELMSG_INITIATE_CONTACT		= 14,
	ENL_CHANNELMSG_VERSION_RESPONSE		= 15,
	ENL_CHANNELMSG_UNLOAD			= 16,
	ENL_CHANNELMSG_UNLOAD_RESPONSE		= 17,
	/* 18..20: reserved-channel messages, unused by Linux guests */
	ENL_CHANNELMSG_OPEN_RESERVED_CHANNEL	= 18,
	ENL_CHANNELMSG_CLOSE_RESERVED_CHANNEL	= 19,
	ENL_CHANNELMSG_CLOSE_RESERVED_RESPONSE	= 20,
	ENL_CHANNELMSG_TL_CONNECT_REQUEST	= 21,
	ENL_CHANNELMSG_MODIFYCHANNEL		= 22,
	ENL_CHANNELMSG_TL_CONNECT_RESULT	= 23,
	/* 5.3 and later */
	ENL_CHANNELMSG_MODIFYCHANNEL_RESPONSE	= 24,
	/* 6.0 and later, with the modify-connection feature flag */
	ENL_CHANNELMSG_MODIFY_CONNECTION	= 25,
	ENL_CHANNELMSG_MODIFY_CONNECTION_RESPONSE = 26,
	ENL_CHANNELMSG_COUNT
};

/* msgtype holds an enum enl_vmbus_channel_message_type value. */
struct enl_vmbus_channel_message_header {
	__u32 msgtype;
	__u32 padding;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_message_header, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_message_header, msgtype, 0);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_message_header, padding, 4);

/* ---- Offer (host -> guest) -------------------------------------------- */

#define ENL_VMBUS_MAX_USER_DEFINED_BYTES	120
#define ENL_VMBUS_MAX_PIPE_USER_DEFINED_BYTES	116

/* enl_vmbus_channel_offer.chn_flags */
#define ENL_VMBUS_CHANNEL_ENUMERATE_DEVICE_INTERFACE	0x0001
#define ENL_VMBUS_CHANNEL_SERVER_SUPPORTS_TRANSFER_PAGES 0x0002
#define ENL_VMBUS_CHANNEL_SERVER_SUPPORTS_GPADLS	0x0004
#define ENL_VMBUS_CHANNEL_NAMED_PIPE_MODE		0x0010
#define ENL_VMBUS_CHANNEL_LOOPBACK_OFFER		0x0100
#define ENL_VMBUS_CHANNEL_PARENT_OFFER			0x0200
#define ENL_VMBUS_CHANNEL_REQUEST_MONITORED_NOTIFICATION 0x0400
/* hv_sock offer: if_type is the service id, if_instance the endpoint. */
#define ENL_VMBUS_CHANNEL_TLNPI_PROVIDER_OFFER		0x2000

/* enl_vmbus_channel_offer.u.pipe.pipe_mode when NAMED_PIPE_MODE is set */
#define ENL_VMBUS_PIPE_TYPE_BYTE	0x00000000
#define ENL_VMBUS_PIPE_TYPE_MESSAGE	0x00000004

struct enl_vmbus_channel_offer {
	struct enl_guid if_type;	/* device class, see guids.h */
	struct enl_guid if_instance;	/* this device */
	__u64 reserved1;
	__u64 reserved2;
	__u16 chn_flags;
	__u16 mmio_megabytes;
	union {
		struct {
			__u8 user_def[ENL_VMBUS_MAX_USER_DEFINED_BYTES];
		} std;
		struct {
			__u32 pipe_mode;
			__u8 user_def[ENL_VMBUS_MAX_PIPE_USER_DEFINED_BYTES];
		} pipe;
	} u;
	/* Since WIN8: 0 for a primary channel, else the sub-channel index. */
	__u16 sub_channel_index;
	__u16 reserved3;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_offer, 176);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer, if_type, 0);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer, if_instance, 16);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer, reserved1, 32);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer, reserved2, 40);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer, chn_flags, 48);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer, mmio_megabytes, 50);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer, u.std.user_def, 52);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer, u.pipe.pipe_mode, 52);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer, u.pipe.user_def, 56);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer, sub_channel_index, 172);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer, reserved3, 174);

/* enl_vmbus_channel_offer_channel.monitor_allocated, bits 7:1 reserved */
#define ENL_VMBUS_OFFER_MONITOR_ALLOCATED	0x01
/* enl_vmbus_channel_offer_channel.is_dedicated_interrupt, bits 15:1 rsvd */
#define ENL_VMBUS_OFFER_DEDICATED_INTERRUPT	0x0001

/* ENL_CHANNELMSG_OFFERCHANNEL */
struct enl_vmbus_channel_offer_channel {
	struct enl_vmbus_channel_message_header header;
	struct enl_vmbus_channel_offer offer;
	__u32 child_relid;
	/* Monitor group monitorid / 32, bit monitorid % 32, if allocated. */
	__u8 monitorid;
	__u8 monitor_allocated;
	/*
	 * If set, the guest signals without setting the channel's bit in the
	 * (pre-5.0) shared interrupt page.
	 */
	__u16 is_dedicated_interrupt;
	/* Connection id to HvSignalEvent for this channel. */
	__u32 connection_id;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_offer_channel, 196);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer_channel, header, 0);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer_channel, offer, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer_channel, child_relid, 184);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer_channel, monitorid, 188);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer_channel,
		  monitor_allocated, 189);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer_channel,
		  is_dedicated_interrupt, 190);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_offer_channel, connection_id, 192);

/* ENL_CHANNELMSG_RESCIND_CHANNELOFFER */
struct enl_vmbus_channel_rescind_offer {
	struct enl_vmbus_channel_message_header header;
	__u32 child_relid;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_rescind_offer, 12);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_rescind_offer, child_relid, 8);

/*
 * Header-only messages: ENL_CHANNELMSG_REQUESTOFFERS (guest -> host, after
 * the version is agreed), ENL_CHANNELMSG_ALLOFFERS_DELIVERED (host -> guest,
 * after the last offer), ENL_CHANNELMSG_UNLOAD (guest -> host) and
 * ENL_CHANNELMSG_UNLOAD_RESPONSE (host -> guest).
 */
struct enl_vmbus_channel_request_offers {
	struct enl_vmbus_channel_message_header header;
} ENL_PACKED;

struct enl_vmbus_channel_all_offers_delivered {
	struct enl_vmbus_channel_message_header header;
} ENL_PACKED;

struct enl_vmbus_channel_unload {
	struct enl_vmbus_channel_message_header header;
} ENL_PACKED;

struct enl_vmbus_channel_unload_response {
	struct enl_vmbus_channel_message_header header;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_request_offers, 8);
ENL_ASSERT_SIZE(struct enl_vmbus_channel_all_offers_delivered, 8);
ENL_ASSERT_SIZE(struct enl_vmbus_channel_unload, 8);
ENL_ASSERT_SIZE(struct enl_vmbus_channel_unload_response, 8);

/* ---- Open / close ----------------------------------------------------- */

/* ENL_CHANNELMSG_OPENCHANNEL (guest -> host) */
struct enl_vmbus_channel_open_channel {
	struct enl_vmbus_channel_message_header header;
	__u32 child_relid;
	/* Chosen by the guest, echoed in the open result. */
	__u32 openid;
	/* GPADL of both rings: outbound (guest -> host) ring first. */
	__u32 ringbuffer_gpadlhandle;
	/* VP the host interrupts for this channel (since WIN8). */
	__u32 target_vp;
	/* Page offset of the inbound ring within the GPADL. */
	__u32 downstream_ringbuffer_pageoffset;
	__u8 userdata[ENL_VMBUS_MAX_USER_DEFINED_BYTES];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_open_channel, 148);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_open_channel, child_relid, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_open_channel, openid, 12);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_open_channel,
		  ringbuffer_gpadlhandle, 16);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_open_channel, target_vp, 20);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_open_channel,
		  downstream_ringbuffer_pageoffset, 24);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_open_channel, userdata, 28);

/* ENL_CHANNELMSG_OPENCHANNEL_RESULT (host -> guest); status 0 is success */
struct enl_vmbus_channel_open_result {
	struct enl_vmbus_channel_message_header header;
	__u32 child_relid;
	__u32 openid;
	__u32 status;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_open_result, 20);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_open_result, child_relid, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_open_result, openid, 12);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_open_result, status, 16);

/* ENL_CHANNELMSG_CLOSECHANNEL (guest -> host, no answer) */
struct enl_vmbus_channel_close_channel {
	struct enl_vmbus_channel_message_header header;
	__u32 child_relid;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_close_channel, 12);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_close_channel, child_relid, 8);

/* ENL_CHANNELMSG_RELID_RELEASED (guest -> host, after a rescind) */
struct enl_vmbus_channel_relid_released {
	struct enl_vmbus_channel_message_header header;
	__u32 child_relid;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_relid_released, 12);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_relid_released, child_relid, 8);

/* ---- GPADL ------------------------------------------------------------ */

/*
 * ENL_CHANNELMSG_GPADL_HEADER (guest -> host). A GPADL (guest physical
 * address descriptor list) names guest pages the host may map; the guest
 * picks its handle. rangecount ranges (each a struct enl_gpa_range and its
 * pfns) start at offset 20, range_buflen bytes in all; pfns that do not
 * fit follow in ENL_CHANNELMSG_GPADL_BODY messages with the same handle.
 * The host answers with ENL_CHANNELMSG_GPADL_CREATED once all have arrived.
 * Linux sends one range per GPADL.
 */
struct enl_vmbus_channel_gpadl_header {
	struct enl_vmbus_channel_message_header header;
	__u32 child_relid;
	__u32 gpadl;
	__u16 range_buflen;
	__u16 rangecount;
	/* struct enl_gpa_range (variable length) x rangecount */
	__u8 range[];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_gpadl_header, 20);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_header, child_relid, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_header, gpadl, 12);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_header, range_buflen, 16);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_header, rangecount, 18);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_header, range, 20);

/* The first range of a GPADL header message. */
static inline struct enl_gpa_range *
enl_vmbus_gpadl_header_range(struct enl_vmbus_channel_gpadl_header *msg)
{
	return (struct enl_gpa_range *)msg->range;
}

static inline const struct enl_gpa_range *
enl_vmbus_gpadl_header_range_const(const struct enl_vmbus_channel_gpadl_header *msg)
{
	return (const struct enl_gpa_range *)msg->range;
}

/* ENL_CHANNELMSG_GPADL_BODY (guest -> host): more pfns of the one range */
struct enl_vmbus_channel_gpadl_body {
	struct enl_vmbus_channel_message_header header;
	__u32 msgnumber;
	__u32 gpadl;
	__u64 pfn[];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_gpadl_body, 16);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_body, msgnumber, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_body, gpadl, 12);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_body, pfn, 16);

/* Pfns that fit in a single-range GPADL header message: 26. */
#define ENL_VMBUS_GPADL_HEADER_MAX_PFNS					\
	((ENL_VMBUS_MAX_MSG_SIZE -					\
	  sizeof(struct enl_vmbus_channel_gpadl_header) -		\
	  sizeof(struct enl_gpa_range)) / sizeof(__u64))
/* Pfns that fit in one GPADL body message: 28. */
#define ENL_VMBUS_GPADL_BODY_MAX_PFNS					\
	((ENL_VMBUS_MAX_MSG_SIZE -					\
	  sizeof(struct enl_vmbus_channel_gpadl_body)) / sizeof(__u64))

_Static_assert(ENL_VMBUS_GPADL_HEADER_MAX_PFNS == 26,
	       "GPADL header holds 26 pfns");
_Static_assert(ENL_VMBUS_GPADL_BODY_MAX_PFNS == 28,
	       "GPADL body holds 28 pfns");

/* ENL_CHANNELMSG_GPADL_CREATED (host -> guest); creation_status 0 is ok */
struct enl_vmbus_channel_gpadl_created {
	struct enl_vmbus_channel_message_header header;
	__u32 child_relid;
	__u32 gpadl;
	__u32 creation_status;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_gpadl_created, 20);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_created, child_relid, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_created, gpadl, 12);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_created, creation_status, 16);

/* ENL_CHANNELMSG_GPADL_TEARDOWN (guest -> host) */
struct enl_vmbus_channel_gpadl_teardown {
	struct enl_vmbus_channel_message_header header;
	__u32 child_relid;
	__u32 gpadl;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_gpadl_teardown, 16);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_teardown, child_relid, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_teardown, gpadl, 12);

/* ENL_CHANNELMSG_GPADL_TORNDOWN (host -> guest) */
struct enl_vmbus_channel_gpadl_torndown {
	struct enl_vmbus_channel_message_header header;
	__u32 gpadl;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_gpadl_torndown, 12);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_gpadl_torndown, gpadl, 8);

/* ---- Connection ------------------------------------------------------- */

/* initiate contact feature_flags (version 6.0 and later) */
#define ENL_VMBUS_FEATURE_FLAG_GUEST_SPECIFIED_SIGNAL_PARAMETERS	0x01
#define ENL_VMBUS_FEATURE_FLAG_CHANNEL_INTERRUPT_REDIRECTION	0x02
#define ENL_VMBUS_FEATURE_FLAG_MODIFY_CONNECTION		0x04
#define ENL_VMBUS_FEATURE_FLAG_CLIENT_ID			0x08
#define ENL_VMBUS_FEATURE_FLAG_CONFIDENTIAL_CHANNELS		0x10

/*
 * ENL_CHANNELMSG_INITIATE_CONTACT (guest -> host). The guest tries its
 * versions newest first, one message each, until the host accepts one.
 *
 * Before 5.0 the 8 bytes at offset 16 are interrupt_page: a guest page
 * whose first half holds one bit per relid for host -> guest signals and
 * second half the same for guest -> host signals. From 5.0 they are
 * msg_sint (the SINT the host must post to), from 5.1 msg_vtl, and from 6.0
 * feature_flags. monitor_page1 (host -> guest) and monitor_page2 (guest ->
 * host) are the guest physical addresses of the two monitor pages.
 */
struct enl_vmbus_channel_initiate_contact {
	struct enl_vmbus_channel_message_header header;
	__u32 vmbus_version_requested;
	/* VP the host sends its channel messages to */
	__u32 target_vcpu;
	union {
		__u64 interrupt_page;
		struct {
			__u8 msg_sint;
			__u8 msg_vtl;
			__u8 reserved[2];
			__u32 feature_flags;
		};
	};
	__u64 monitor_page1;
	__u64 monitor_page2;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_initiate_contact, 40);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_initiate_contact,
		  vmbus_version_requested, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_initiate_contact, target_vcpu, 12);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_initiate_contact,
		  interrupt_page, 16);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_initiate_contact, msg_sint, 16);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_initiate_contact, msg_vtl, 17);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_initiate_contact, reserved, 18);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_initiate_contact, feature_flags, 20);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_initiate_contact, monitor_page1, 24);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_initiate_contact, monitor_page2, 32);

/* enl_vmbus_channel_version_response.connection_state (since WIN8) */
#define ENL_VMBUS_CONNECTION_SUCCESSFUL			0
#define ENL_VMBUS_CONNECTION_FAILED_LOW_RESOURCES	1
#define ENL_VMBUS_CONNECTION_FAILED_UNKNOWN_FAILURE	2

/*
 * ENL_CHANNELMSG_VERSION_RESPONSE (host -> guest). version_supported is a
 * boolean for the version just requested. From 5.0 on, msg_conn_id is the
 * connection id for every later guest -> host message.
 */
struct enl_vmbus_channel_version_response {
	struct enl_vmbus_channel_message_header header;
	__u8 version_supported;
	__u8 connection_state;
	__u16 padding;
	__u32 msg_conn_id;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_version_response, 16);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_version_response,
		  version_supported, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_version_response,
		  connection_state, 9);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_version_response, padding, 10);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_version_response, msg_conn_id, 12);

/* ---- hv_sock and channel re-targeting --------------------------------- */

/*
 * ENL_CHANNELMSG_TL_CONNECT_REQUEST (guest -> host, since WIN10): the host
 * answers by offering a TLNPI_PROVIDER channel for the pair.
 */
struct enl_vmbus_channel_tl_connect_request {
	struct enl_vmbus_channel_message_header header;
	struct enl_guid guest_endpoint_id;
	struct enl_guid host_service_id;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_tl_connect_request, 40);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_tl_connect_request,
		  guest_endpoint_id, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_tl_connect_request,
		  host_service_id, 24);

/* ENL_CHANNELMSG_MODIFYCHANNEL (guest -> host, since WIN10_V4_1) */
struct enl_vmbus_channel_modifychannel {
	struct enl_vmbus_channel_message_header header;
	__u32 child_relid;
	__u32 target_vp;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_modifychannel, 16);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_modifychannel, child_relid, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_modifychannel, target_vp, 12);

/* ENL_CHANNELMSG_MODIFYCHANNEL_RESPONSE (host -> guest, since 5.3) */
struct enl_vmbus_channel_modifychannel_response {
	struct enl_vmbus_channel_message_header header;
	__u32 child_relid;
	__u32 status;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbus_channel_modifychannel_response, 16);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_modifychannel_response,
		  child_relid, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_channel_modifychannel_response, status, 12);

/* Every message fits in one SynIC message. */
_Static_assert(sizeof(struct enl_vmbus_channel_offer_channel) <=
	       ENL_VMBUS_MAX_MSG_SIZE, "offer exceeds a SynIC message");

#endif /* _ENLIGHTEN_VMBUS_MSG_H */
