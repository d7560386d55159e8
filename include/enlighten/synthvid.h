/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * synthvid: the synthetic video protocol spoken on a video channel (class
 * ENL_GUID_SYNTHVID in guids.h). Every message either way is one in-band
 * VMBus packet holding a pipe header, a synthvid header and one body.
 *
 * Guest (enl_fb) to host, in this order at start:
 *	VERSION_REQUEST		newest first: WIN10, WIN8, WIN7; the host
 *				answers VERSION_RESPONSE (is_accepted)
 *	RESOLUTION_REQUEST	WIN10 and later: the host answers
 *				RESOLUTION_RESPONSE (its supported modes)
 *	VRAM_LOCATION		the GPA of the VRAM the guest placed in the
 *				device's MMIO space (the offer's
 *				mmio_megabytes); VRAM_LOCATION_ACK echoes
 *				user_ctx
 *	SITUATION_UPDATE	mode: depth, width, height, pitch
 * then, as the screen changes, DIRT (rectangles of VRAM to show again),
 * POINTER_POSITION and POINTER_SHAPE. The host sends FEATURE_CHANGE when
 * it wants (or stops wanting) dirt, pointer and situation messages.
 *
 * The pixels never travel in packets: the guest writes them into VRAM,
 * which the host maps. Sizes and offsets match Linux 6.1
 * (drivers/gpu/drm/hyperv), checked below; the bodies are packed.
 */
#ifndef _ENLIGHTEN_SYNTHVID_H
#define _ENLIGHTEN_SYNTHVID_H

#include <enlighten/types.h>

/* ---- Versions --------------------------------------------------------- */

/* A synthvid version: major in bits 15:0, minor in bits 31:16. */
#define ENL_SYNTHVID_VERSION(major, minor)	\
	((__u32)(((minor) & 0xffff) << 16 | ((major) & 0xffff)))
#define ENL_SYNTHVID_MAJOR(v)		((v) & 0xffff)
#define ENL_SYNTHVID_MINOR(v)		(((v) >> 16) & 0xffff)

#define ENL_SYNTHVID_VERSION_WIN7	ENL_SYNTHVID_VERSION(3, 0)
#define ENL_SYNTHVID_VERSION_WIN8	ENL_SYNTHVID_VERSION(3, 2)
#define ENL_SYNTHVID_VERSION_WIN10	ENL_SYNTHVID_VERSION(3, 5)

/* What the suite speaks, newest first (guest offers, host accepts these). */
#define ENL_SYNTHVID_VERSIONS_NEWEST_FIRST {				\
	ENL_SYNTHVID_VERSION_WIN10, ENL_SYNTHVID_VERSION_WIN8,		\
	ENL_SYNTHVID_VERSION_WIN7 }

/*
 * Defaults by version: WIN7 draws 16 bits per pixel (RGB565) in 4 MiB of
 * VRAM; WIN8 and later 32 (XRGB8888) in 8 MiB. Before WIN10 there is no
 * resolution request and the largest mode is 1600x1200.
 */
#define ENL_SYNTHVID_DEPTH_WIN7		16
#define ENL_SYNTHVID_VRAM_WIN7		(4u << 20)
#define ENL_SYNTHVID_DEPTH_WIN8		32
#define ENL_SYNTHVID_VRAM_WIN8		(8u << 20)
#define ENL_SYNTHVID_WIDTH_WIN8		1600
#define ENL_SYNTHVID_HEIGHT_WIN8	1200

/* ---- Headers ---------------------------------------------------------- */

/* The outer header: type PIPE_MSG_DATA, size = bytes after it. */
#define ENL_SYNTHVID_PIPE_MSG_DATA	1

struct enl_synthvid_pipe_hdr {
	__u32 type;
	__u32 size;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_pipe_hdr, 8);

enum enl_synthvid_msg_type {
	ENL_SYNTHVID_ERROR			= 0,
	ENL_SYNTHVID_VERSION_REQUEST		= 1,
	ENL_SYNTHVID_VERSION_RESPONSE		= 2,
	ENL_SYNTHVID_VRAM_LOCATION		= 3,
	ENL_SYNTHVID_VRAM_LOCATION_ACK		= 4,
	ENL_SYNTHVID_SITUATION_UPDATE		= 5,
	ENL_SYNTHVID_SITUATION_UPDATE_ACK	= 6,
	ENL_SYNTHVID_POINTER_POSITION		= 7,
	ENL_SYNTHVID_POINTER_SHAPE		= 8,
	ENL_SYNTHVID_FEATURE_CHANGE		= 9,
	ENL_SYNTHVID_DIRT			= 10,
	ENL_SYNTHVID_RESOLUTION_REQUEST		= 13,
	ENL_SYNTHVID_RESOLUTION_RESPONSE	= 14,
	ENL_SYNTHVID_MSG_MAX			= 15,
};

/* The inner header: size = this header + the body. */
struct enl_synthvid_hdr {
	__u32 type;		/* enum enl_synthvid_msg_type */
	__u32 size;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_hdr, 8);

/* ---- Bodies ----------------------------------------------------------- */

struct enl_synthvid_version_req {
	__u32 version;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_version_req, 4);

struct enl_synthvid_version_resp {
	__u32 version;
	__u8 is_accepted;
	__u8 max_video_outputs;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_version_resp, 6);

struct enl_synthvid_vram_location {
	__u64 user_ctx;			/* echoed by the ack */
	__u8 is_vram_gpa_specified;
	__u64 vram_gpa;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_vram_location, 17);
ENL_ASSERT_OFFSET(struct enl_synthvid_vram_location, vram_gpa, 9);

struct enl_synthvid_vram_location_ack {
	__u64 user_ctx;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_vram_location_ack, 8);

struct enl_synthvid_output_situation {
	__u8 active;
	__u32 vram_offset;		/* where the picture starts in VRAM */
	__u8 depth_bits;		/* 16 or 32 */
	__u32 width_pixels;
	__u32 height_pixels;
	__u32 pitch_bytes;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_output_situation, 18);
ENL_ASSERT_OFFSET(struct enl_synthvid_output_situation, depth_bits, 5);
ENL_ASSERT_OFFSET(struct enl_synthvid_output_situation, pitch_bytes, 14);

/* Linux's guests and ours drive one output. */
#define ENL_SYNTHVID_MAX_OUTPUTS	1

struct enl_synthvid_situation_update {
	__u64 user_ctx;
	__u8 video_output_count;
	struct enl_synthvid_output_situation video_output[ENL_SYNTHVID_MAX_OUTPUTS];
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_situation_update, 27);
ENL_ASSERT_OFFSET(struct enl_synthvid_situation_update, video_output, 9);

struct enl_synthvid_situation_update_ack {
	__u64 user_ctx;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_situation_update_ack, 8);

struct enl_synthvid_pointer_position {
	__u8 is_visible;
	__u8 video_output;
	__s32 image_x;
	__s32 image_y;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_pointer_position, 10);

/* The pointer image: ARGB8888, at most 96x96, sent in one part here. */
#define ENL_SYNTHVID_CURSOR_MAX_X	96
#define ENL_SYNTHVID_CURSOR_MAX_Y	96
#define ENL_SYNTHVID_CURSOR_MAX_BYTES	\
	(ENL_SYNTHVID_CURSOR_MAX_X * ENL_SYNTHVID_CURSOR_MAX_Y * 4)
/* part_idx of the last (here: only) part of a shape. */
#define ENL_SYNTHVID_CURSOR_COMPLETE	0xff

struct enl_synthvid_pointer_shape {
	__u8 part_idx;
	__u8 is_argb;
	__u32 width;
	__u32 height;
	__u32 hot_x;			/* hotspot, from the top left */
	__u32 hot_y;
	__u8 data[4];			/* width * height * 4 bytes follow */
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_pointer_shape, 22);
ENL_ASSERT_OFFSET(struct enl_synthvid_pointer_shape, data, 18);

struct enl_synthvid_feature_change {
	__u8 is_dirt_needed;
	__u8 is_ptr_pos_needed;
	__u8 is_ptr_shape_needed;
	__u8 is_situ_needed;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_feature_change, 4);

/* x2, y2 exclusive. */
struct enl_synthvid_rect {
	__s32 x1, y1;
	__s32 x2, y2;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_rect, 16);

/* At most this many rectangles in one DIRT message (dirt_count is a u8). */
#define ENL_SYNTHVID_MAX_DIRT		255

struct enl_synthvid_dirt {
	__u8 video_output;
	__u8 dirt_count;
	struct enl_synthvid_rect rect[1];	/* dirt_count of them */
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_dirt, 18);
ENL_ASSERT_OFFSET(struct enl_synthvid_dirt, rect, 2);

#define ENL_SYNTHVID_EDID_BLOCK_SIZE		128
#define ENL_SYNTHVID_MAX_RESOLUTION_COUNT	64

struct enl_synthvid_resolution_req {
	__u8 maximum_resolution_count;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_resolution_req, 1);

struct enl_synthvid_screen_info {
	__u16 width;
	__u16 height;
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_screen_info, 4);

/* Only resolution_count entries of the array need to be sent. */
struct enl_synthvid_resolution_resp {
	__u8 edid_block[ENL_SYNTHVID_EDID_BLOCK_SIZE];
	__u8 resolution_count;
	__u8 default_resolution_index;
	__u8 is_standard;
	struct enl_synthvid_screen_info
		supported_resolution[ENL_SYNTHVID_MAX_RESOLUTION_COUNT];
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_synthvid_resolution_resp, 387);
ENL_ASSERT_OFFSET(struct enl_synthvid_resolution_resp, resolution_count, 128);
ENL_ASSERT_OFFSET(struct enl_synthvid_resolution_resp, supported_resolution,
		  131);

/* ---- The whole message ------------------------------------------------ */

struct enl_synthvid_msg {
	struct enl_synthvid_pipe_hdr pipe;
	struct enl_synthvid_hdr hdr;
	union {
		struct enl_synthvid_version_req ver_req;
		struct enl_synthvid_version_resp ver_resp;
		struct enl_synthvid_vram_location vram;
		struct enl_synthvid_vram_location_ack vram_ack;
		struct enl_synthvid_situation_update situ;
		struct enl_synthvid_situation_update_ack situ_ack;
		struct enl_synthvid_pointer_position ptr_pos;
		struct enl_synthvid_pointer_shape ptr_shape;
		struct enl_synthvid_feature_change feature;
		struct enl_synthvid_dirt dirt;
		struct enl_synthvid_resolution_req res_req;
		struct enl_synthvid_resolution_resp res_resp;
	};
} ENL_PACKED;
ENL_ASSERT_OFFSET(struct enl_synthvid_msg, hdr, 8);
ENL_ASSERT_OFFSET(struct enl_synthvid_msg, ver_req, 16);
ENL_ASSERT_SIZE(struct enl_synthvid_msg, 403);

/* Both headers. */
#define ENL_SYNTHVID_HDRS_SIZE		16u
/* hdr.size for a body of n bytes. */
#define ENL_SYNTHVID_HDR_SIZE(n)	((__u32)(sizeof(struct enl_synthvid_hdr) + (n)))

/*
 * The largest message either side sends: a whole 96x96 ARGB pointer shape
 * in one part. Receivers take up to this much, and refuse longer ones.
 */
#define ENL_SYNTHVID_MAX_MSG_SIZE	(ENL_SYNTHVID_HDRS_SIZE +	\
	__builtin_offsetof(struct enl_synthvid_pointer_shape, data) +	\
	ENL_SYNTHVID_CURSOR_MAX_BYTES)

#endif /* _ENLIGHTEN_SYNTHVID_H */
