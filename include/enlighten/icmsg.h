/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Integration component (IC) framing, shared by heartbeat, shutdown, time
 * sync, KVP and VSS (and by Enlighten's clipboard service).
 *
 * Every IC packet is an in-band VMBus packet whose data is:
 *	struct enl_vmbuspipe_hdr	(8 bytes)
 *	struct enl_icmsg_hdr		(20 bytes)
 *	message body			(icmsgsize bytes, service specific)
 * The host always asks and the guest answers on the same transaction id
 * with the same buffer: it edits the body, sets status and sets icflags to
 * TRANSACTION | RESPONSE. The first exchange on every IC channel is a
 * version negotiation (ENL_ICMSGTYPE_NEGOTIATE).
 *
 * The body starts at offset 28, which is not 8-byte aligned; all IC structs
 * are packed so fields can be read in place.
 */
#ifndef _ENLIGHTEN_ICMSG_H
#define _ENLIGHTEN_ICMSG_H

#include <enlighten/types.h>

/* ---- Status codes (HRESULTs) in enl_icmsg_hdr.status ------------------ */

#define ENL_HV_S_OK			0x00000000U
#define ENL_HV_E_FAIL			0x80004005U
/* HRESULT of ERROR_NO_MORE_ITEMS: KVP enumeration past the last entry */
#define ENL_HV_S_CONT			0x80070103U
#define ENL_HV_ERROR_NOT_SUPPORTED	0x80070032U
#define ENL_HV_ERROR_MACHINE_LOCKED	0x800704F7U
#define ENL_HV_ERROR_DEVICE_NOT_CONNECTED	0x8007048FU
#define ENL_HV_INVALIDARG		0x80070057U
#define ENL_HV_GUID_NOTFOUND		0x80041002U
#define ENL_HV_ERROR_ALREADY_EXISTS	0x80070050U
#define ENL_HV_ERROR_DISK_FULL		0x80070070U

/* ---- Versions --------------------------------------------------------- */

/* A version word as the negotiation tables hold it: major 31:16, minor 15:0 */
#define ENL_IC_VERSION(major, minor)	\
	((((__u32)(major)) << 16) | ((__u32)(minor) & 0xffff))
#define ENL_IC_VERSION_MAJOR(v)		(((__u32)(v)) >> 16)
#define ENL_IC_VERSION_MINOR(v)		(((__u32)(v)) & 0xffff)

/* IC framework versions (the icverframe of every message) */
#define ENL_IC_FW_VERSION_1_0		ENL_IC_VERSION(1, 0)	/* WS2008 */
#define ENL_IC_FW_VERSION_3_0		ENL_IC_VERSION(3, 0)

/* The same pair as it appears on the wire. */
struct enl_ic_version {
	__u16 major;
	__u16 minor;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_ic_version, 4);
ENL_ASSERT_OFFSET(struct enl_ic_version, major, 0);
ENL_ASSERT_OFFSET(struct enl_ic_version, minor, 2);

static inline __u32 enl_ic_version_word(const struct enl_ic_version *v)
{
	return ENL_IC_VERSION(v->major, v->minor);
}

/* ---- Headers ---------------------------------------------------------- */

/*
 * The pipe header in front of every IC message: msgsize is the length of
 * what follows it (icmsg header + body).
 */
struct enl_vmbuspipe_hdr {
	__u32 flags;
	__u32 msgsize;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vmbuspipe_hdr, 8);
ENL_ASSERT_OFFSET(struct enl_vmbuspipe_hdr, flags, 0);
ENL_ASSERT_OFFSET(struct enl_vmbuspipe_hdr, msgsize, 4);

/* enl_icmsg_hdr.icmsgtype */
#define ENL_ICMSGTYPE_NEGOTIATE		0
#define ENL_ICMSGTYPE_HEARTBEAT		1
#define ENL_ICMSGTYPE_KVPEXCHANGE	2
#define ENL_ICMSGTYPE_SHUTDOWN		3
#define ENL_ICMSGTYPE_TIMESYNC		4
#define ENL_ICMSGTYPE_VSS		5
#define ENL_ICMSGTYPE_FCOPY		7

/* enl_icmsg_hdr.icflags */
#define ENL_ICMSGHDRFLAG_TRANSACTION	0x01
#define ENL_ICMSGHDRFLAG_REQUEST	0x02
#define ENL_ICMSGHDRFLAG_RESPONSE	0x04

/*
 * icverframe: framework version; icvermsg: service version (both as
 * negotiated, zero in the negotiate request). icmsgsize: body length.
 */
struct enl_icmsg_hdr {
	struct enl_ic_version icverframe;
	__u16 icmsgtype;
	struct enl_ic_version icvermsg;
	__u16 icmsgsize;
	__u32 status;
	__u8 ictransaction_id;
	__u8 icflags;
	__u8 reserved[2];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_icmsg_hdr, 20);
ENL_ASSERT_OFFSET(struct enl_icmsg_hdr, icverframe, 0);
ENL_ASSERT_OFFSET(struct enl_icmsg_hdr, icmsgtype, 4);
ENL_ASSERT_OFFSET(struct enl_icmsg_hdr, icvermsg, 6);
ENL_ASSERT_OFFSET(struct enl_icmsg_hdr, icmsgsize, 10);
ENL_ASSERT_OFFSET(struct enl_icmsg_hdr, status, 12);
ENL_ASSERT_OFFSET(struct enl_icmsg_hdr, ictransaction_id, 16);
ENL_ASSERT_OFFSET(struct enl_icmsg_hdr, icflags, 17);
ENL_ASSERT_OFFSET(struct enl_icmsg_hdr, reserved, 18);

/* Offset of the icmsg header and of the body within an IC packet. */
#define ENL_ICMSG_HDR_OFFSET	8
#define ENL_ICMSG_BODY_OFFSET	28

_Static_assert(sizeof(struct enl_vmbuspipe_hdr) == ENL_ICMSG_HDR_OFFSET,
	       "icmsg header follows the pipe header");
_Static_assert(sizeof(struct enl_vmbuspipe_hdr) +
	       sizeof(struct enl_icmsg_hdr) == ENL_ICMSG_BODY_OFFSET,
	       "IC body follows both headers");

/* ---- Version negotiation ---------------------------------------------- */

/*
 * ENL_ICMSGTYPE_NEGOTIATE body. The host lists icframe_vercnt framework
 * versions, then icmsg_vercnt service versions, in icversion_data. The
 * guest answers in place with icframe_vercnt = icmsg_vercnt = 1 and
 * icversion_data[0] = chosen framework, [1] = chosen service version (both
 * counts 0 if nothing matched), and icmsgsize = 16.
 */
struct enl_icmsg_negotiate {
	__u16 icframe_vercnt;
	__u16 icmsg_vercnt;
	__u32 reserved;
	struct enl_ic_version icversion_data[];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_icmsg_negotiate, 8);
ENL_ASSERT_OFFSET(struct enl_icmsg_negotiate, icframe_vercnt, 0);
ENL_ASSERT_OFFSET(struct enl_icmsg_negotiate, icmsg_vercnt, 2);
ENL_ASSERT_OFFSET(struct enl_icmsg_negotiate, reserved, 4);
ENL_ASSERT_OFFSET(struct enl_icmsg_negotiate, icversion_data, 8);

/* Sanity bound on each version count of a negotiate request. */
#define ENL_IC_NEGOTIATE_MAX_VER_COUNT	100

/* Bytes of a whole negotiate packet carrying the given counts. */
#define ENL_ICMSG_NEGOTIATE_PKT_SIZE(icframe_vercnt, icmsg_vercnt)	\
	(ENL_ICMSG_BODY_OFFSET + sizeof(struct enl_icmsg_negotiate) +	\
	 ((icframe_vercnt) + (icmsg_vercnt)) * sizeof(struct enl_ic_version))

/* Body size of the guest's negotiate answer. */
#define ENL_ICMSG_NEGOTIATE_RESP_SIZE					\
	(sizeof(struct enl_icmsg_negotiate) + 2 * sizeof(struct enl_ic_version))

_Static_assert(ENL_ICMSG_NEGOTIATE_RESP_SIZE == 16,
	       "negotiate answer body is 16 bytes");

#endif /* _ENLIGHTEN_ICMSG_H */
