/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Enlighten clipboard service (ENL_GUID_CLIPBOARD): Hyper-V has none for
 * Linux guests, so this one is ours. It borrows IC framing: every packet is
 *	struct enl_vmbuspipe_hdr	(8 bytes)
 *	struct enl_icmsg_hdr		(20 bytes, icmsgtype CLIPBOARD)
 *	struct enl_clip_hdr		(8 bytes)
 *	message body			(per enl_clip_hdr.type)
 * and the usual IC version negotiation opens the channel (the host asks,
 * the guest answers in place). Unlike the Hyper-V ICs, after that either
 * side sends whenever it likes: clipboard packets carry icflags REQUEST
 * only and are never answered in place; replies are messages of their own.
 *
 * Ownership: whoever copied last owns the clipboard and ANNOUNCEs its
 * formats under a serial (a Lamport clock: one more than the highest serial
 * either side has seen). An announce wins over the current owner when its
 * serial is higher, or equal and it comes from the host; so both sides
 * agree on one owner even when both copy at once.
 *
 * Transfer: the other side REQUESTs one format of that serial; the owner
 * answers with DATA chunks in order (offset = bytes sent before, the same
 * total_len on every chunk, the last chunk ends at total_len) or with an
 * ERROR. A requester has at most one request out; a newer REQUEST supersedes
 * the older one, and either side may end a transfer with ERROR (CANCELLED).
 * Everything from the other side is checked: lengths against the packet,
 * total_len against the receiver's cap (default 16 MiB), text as UTF-8 and
 * images as PNG.
 */
#ifndef _ENLIGHTEN_CLIPBOARD_H
#define _ENLIGHTEN_CLIPBOARD_H

#include <enlighten/types.h>
#include <enlighten/icmsg.h>

/* Clear of Hyper-V's own IC message types (0..9 are in use). */
#define ENL_ICMSGTYPE_CLIPBOARD		0x0100

#define ENL_CLIP_VERSION_1_0		ENL_IC_VERSION(1, 0)

/* Default and largest receive cap of one format's data. */
#define ENL_CLIP_DEFAULT_CAP		(16U << 20)
#define ENL_CLIP_HARD_CAP		(256U << 20)

/* Data bytes per DATA packet: the whole packet stays within 8.5 KiB. */
#define ENL_CLIP_MAX_CHUNK		8192U
#define ENL_CLIP_MAX_FORMATS		16U

/* enl_clip_hdr.type */
enum enl_clip_msg_type {
	ENL_CLIP_MSG_ANNOUNCE	= 1,	/* I own the clipboard: formats */
	ENL_CLIP_MSG_REQUEST	= 2,	/* send me this format */
	ENL_CLIP_MSG_DATA	= 3,	/* one chunk of a requested format */
	ENL_CLIP_MSG_ERROR	= 4,	/* a request failed or is cancelled */
};

/* enl_clip_format.format */
enum enl_clip_format_id {
	ENL_CLIP_FMT_TEXT	= 1,	/* text/plain;charset=utf-8, no NUL */
	ENL_CLIP_FMT_PNG	= 2,	/* image/png */
	ENL_CLIP_FMT_HTML	= 3,	/* text/html, UTF-8 */
	ENL_CLIP_FMT_URI_LIST	= 4,	/* text/uri-list, UTF-8 */
};

/* enl_clip_error.error */
enum enl_clip_error_code {
	ENL_CLIP_ERR_CANCELLED	= 1,	/* the requester gave up */
	ENL_CLIP_ERR_STALE	= 2,	/* not the owner's current serial */
	ENL_CLIP_ERR_NO_FORMAT	= 3,	/* not offered under this serial */
	ENL_CLIP_ERR_TOO_LARGE	= 4,	/* above the requester's max_size */
	ENL_CLIP_ERR_PROTOCOL	= 5,	/* malformed message or chunk */
	ENL_CLIP_ERR_INTERNAL	= 6,	/* the owner could not read it */
};

struct enl_clip_hdr {
	__u16 type;
	__u16 reserved;
	__u32 serial;		/* ownership generation the message is about */
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_clip_hdr, 8);
ENL_ASSERT_OFFSET(struct enl_clip_hdr, type, 0);
ENL_ASSERT_OFFSET(struct enl_clip_hdr, reserved, 2);
ENL_ASSERT_OFFSET(struct enl_clip_hdr, serial, 4);

/* size: exact length in bytes when known, 0 when not */
struct enl_clip_format {
	__u32 format;
	__u32 reserved;
	__u64 size;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_clip_format, 16);
ENL_ASSERT_OFFSET(struct enl_clip_format, format, 0);
ENL_ASSERT_OFFSET(struct enl_clip_format, reserved, 4);
ENL_ASSERT_OFFSET(struct enl_clip_format, size, 8);

/* ANNOUNCE: count formats follow; count 0 means the clipboard is empty. */
struct enl_clip_announce {
	struct enl_clip_hdr hdr;
	__u16 count;
	__u16 reserved[3];
	struct enl_clip_format formats[];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_clip_announce, 16);
ENL_ASSERT_OFFSET(struct enl_clip_announce, hdr, 0);
ENL_ASSERT_OFFSET(struct enl_clip_announce, count, 8);
ENL_ASSERT_OFFSET(struct enl_clip_announce, reserved, 10);
ENL_ASSERT_OFFSET(struct enl_clip_announce, formats, 16);

/* REQUEST: max_size is the most the requester accepts. */
struct enl_clip_request {
	struct enl_clip_hdr hdr;
	__u32 request_id;
	__u32 format;
	__u64 max_size;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_clip_request, 24);
ENL_ASSERT_OFFSET(struct enl_clip_request, hdr, 0);
ENL_ASSERT_OFFSET(struct enl_clip_request, request_id, 8);
ENL_ASSERT_OFFSET(struct enl_clip_request, format, 12);
ENL_ASSERT_OFFSET(struct enl_clip_request, max_size, 16);

/* DATA: chunk_len bytes of data follow, exactly to the end of the body. */
struct enl_clip_data {
	struct enl_clip_hdr hdr;
	__u32 request_id;
	__u32 format;
	__u64 total_len;
	__u64 offset;
	__u32 chunk_len;
	__u32 reserved;
	__u8 data[];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_clip_data, 40);
ENL_ASSERT_OFFSET(struct enl_clip_data, hdr, 0);
ENL_ASSERT_OFFSET(struct enl_clip_data, request_id, 8);
ENL_ASSERT_OFFSET(struct enl_clip_data, format, 12);
ENL_ASSERT_OFFSET(struct enl_clip_data, total_len, 16);
ENL_ASSERT_OFFSET(struct enl_clip_data, offset, 24);
ENL_ASSERT_OFFSET(struct enl_clip_data, chunk_len, 32);
ENL_ASSERT_OFFSET(struct enl_clip_data, reserved, 36);
ENL_ASSERT_OFFSET(struct enl_clip_data, data, 40);

struct enl_clip_error {
	struct enl_clip_hdr hdr;
	__u32 request_id;
	__u32 error;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_clip_error, 16);
ENL_ASSERT_OFFSET(struct enl_clip_error, hdr, 0);
ENL_ASSERT_OFFSET(struct enl_clip_error, request_id, 8);
ENL_ASSERT_OFFSET(struct enl_clip_error, error, 12);

/* Largest clipboard packet: a full DATA chunk with both IC headers. */
#define ENL_CLIP_MAX_PKT_SIZE						\
	(ENL_ICMSG_BODY_OFFSET + sizeof(struct enl_clip_data) +		\
	 ENL_CLIP_MAX_CHUNK)

_Static_assert(sizeof(struct enl_clip_announce) +
	       ENL_CLIP_MAX_FORMATS * sizeof(struct enl_clip_format) <=
	       sizeof(struct enl_clip_data) + ENL_CLIP_MAX_CHUNK,
	       "a full announce fits a clipboard packet");
_Static_assert(sizeof(struct enl_clip_data) + ENL_CLIP_MAX_CHUNK <= 0xffff,
	       "a DATA body fits icmsgsize");

#endif /* _ENLIGHTEN_CLIPBOARD_H */
