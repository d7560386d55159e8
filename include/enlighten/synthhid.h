/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * synthhid: the synthetic mouse protocol (class ENL_GUID_MOUSE in guids.h).
 * Every message travels in an in-band VMBus packet as
 *	struct enl_synthhid_pipe_hdr	type DATA, size = bytes of what follows
 *	struct enl_synthhid_msg_hdr	type, size = bytes after this header
 *	message body
 * The guest asks for a protocol version (PROTOCOL_REQUEST); the host
 * answers (PROTOCOL_RESPONSE, approved or not) and, when approved, sends
 * INITIAL_DEVICE_INFO: device identity, a HID class descriptor and, right
 * after its bLength bytes, the HID report descriptor whose length the class
 * descriptor names. The guest acknowledges it (INITIAL_DEVICE_INFO_ACK);
 * from then on the host sends INPUT_REPORTs shaped by that descriptor.
 *
 * Sizes and offsets match Linux 6.1 (drivers/hid/hid-hyperv.c), checked
 * below. Nothing from the host is trusted: a receiver bounds the pipe size
 * by the packet, the message size by the pipe size, and bLength and the
 * report descriptor's length by the message.
 */
#ifndef _ENLIGHTEN_SYNTHHID_H
#define _ENLIGHTEN_SYNTHHID_H

#include <enlighten/types.h>

/* A version: major in the high 16 bits, minor in the low. */
#define ENL_SYNTHHID_VERSION(major, minor)	\
	((__u32)(((major) & 0xffff) << 16 | ((minor) & 0xffff)))
/* 2.0: what Hyper-V has spoken since 2008 (1.0 was a beta). */
#define ENL_SYNTHHID_VERSION_2_0	ENL_SYNTHHID_VERSION(2, 0)

/* enl_synthhid_pipe_hdr.type */
#define ENL_SYNTHHID_PIPE_DATA		1

/* enl_synthhid_msg_hdr.type */
enum enl_synthhid_msg_type {
	ENL_SYNTHHID_PROTOCOL_REQUEST		= 0,
	ENL_SYNTHHID_PROTOCOL_RESPONSE		= 1,
	ENL_SYNTHHID_INITIAL_DEVICE_INFO	= 2,
	ENL_SYNTHHID_INITIAL_DEVICE_INFO_ACK	= 3,
	ENL_SYNTHHID_INPUT_REPORT		= 4,
};

/* Largest input report the protocol carries. */
#define ENL_SYNTHHID_MAX_INPUT_REPORT	16U
/* Largest report descriptor a receiver takes (HID's own limit). */
#define ENL_SYNTHHID_MAX_REPORT_DESC	4096U

struct enl_synthhid_pipe_hdr {
	__u32 type;		/* ENL_SYNTHHID_PIPE_DATA */
	__u32 size;		/* bytes after this header */
} ENL_PACKED;

struct enl_synthhid_msg_hdr {
	__u32 type;		/* enum enl_synthhid_msg_type */
	__u32 size;		/* bytes after this header */
} ENL_PACKED;

/* Guest -> host; msg size 4. */
struct enl_synthhid_protocol_request {
	struct enl_synthhid_msg_hdr hdr;
	__u32 version;
} ENL_PACKED;

/* Host -> guest; msg size 5. */
struct enl_synthhid_protocol_response {
	struct enl_synthhid_msg_hdr hdr;
	__u32 version;		/* the version asked for */
	__u8 approved;		/* non-zero: the host speaks it */
} ENL_PACKED;

/* Who the device is (for hid_device's vendor, product, version). */
struct enl_synthhid_dev_info {
	__u32 size;		/* sizeof(struct enl_synthhid_dev_info) */
	__u16 vendor;
	__u16 product;
	__u16 version;
	__u16 reserved[11];
} ENL_PACKED;

/* The HID class descriptor (HID 1.11, 6.2.1) with one report descriptor. */
struct enl_hid_class_desc {
	__u8 bLength;		/* 9 */
	__u8 bDescriptorType;	/* 0x21: HID */
	__u16 bcdHID;
	__u8 bCountryCode;
	__u8 bNumDescriptors;	/* 1 */
	__u8 bReportType;	/* 0x22: report descriptor */
	__u16 wReportLength;	/* the report descriptor's bytes */
} ENL_PACKED;

#define ENL_HID_DT_HID		0x21
#define ENL_HID_DT_REPORT	0x22

/*
 * Host -> guest; msg size 32 + bLength + wReportLength: the report
 * descriptor follows the class descriptor's bLength bytes.
 */
struct enl_synthhid_device_info {
	struct enl_synthhid_msg_hdr hdr;
	struct enl_synthhid_dev_info info;
	struct enl_hid_class_desc desc;
} ENL_PACKED;

/* Guest -> host; msg size 1. */
struct enl_synthhid_device_info_ack {
	struct enl_synthhid_msg_hdr hdr;
	__u8 reserved;
} ENL_PACKED;

/* Host -> guest; msg size = the report's bytes, which follow. */
struct enl_synthhid_input_report {
	struct enl_synthhid_msg_hdr hdr;
	__u8 report[];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_synthhid_pipe_hdr, 8);
ENL_ASSERT_SIZE(struct enl_synthhid_msg_hdr, 8);
ENL_ASSERT_SIZE(struct enl_synthhid_protocol_request, 12);
ENL_ASSERT_OFFSET(struct enl_synthhid_protocol_request, version, 8);
ENL_ASSERT_SIZE(struct enl_synthhid_protocol_response, 13);
ENL_ASSERT_OFFSET(struct enl_synthhid_protocol_response, approved, 12);
ENL_ASSERT_SIZE(struct enl_synthhid_dev_info, 32);
ENL_ASSERT_OFFSET(struct enl_synthhid_dev_info, version, 8);
ENL_ASSERT_SIZE(struct enl_hid_class_desc, 9);
ENL_ASSERT_OFFSET(struct enl_hid_class_desc, wReportLength, 7);
ENL_ASSERT_SIZE(struct enl_synthhid_device_info, 49);
ENL_ASSERT_OFFSET(struct enl_synthhid_device_info, info, 8);
ENL_ASSERT_OFFSET(struct enl_synthhid_device_info, desc, 40);
ENL_ASSERT_SIZE(struct enl_synthhid_device_info_ack, 9);
ENL_ASSERT_SIZE(struct enl_synthhid_input_report, 8);

/*
 * The report enl-host's mouse describes (an absolute pointer): buttons
 * (bit 0 left, 1 right, 2 middle, 3 side, 4 extra), x and y in
 * 0..ENL_SYNTHHID_ABS_MAX, and a relative wheel. The guest driver never
 * assumes it: it hands whatever the host describes to the HID core.
 */
struct enl_synthhid_mouse_report {
	__u8 buttons;
	__u16 x;
	__u16 y;
	__s8 wheel;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_synthhid_mouse_report, 6);

#define ENL_SYNTHHID_ABS_MAX		0x7fff
#define ENL_SYNTHHID_BTN_LEFT		0x01
#define ENL_SYNTHHID_BTN_RIGHT		0x02
#define ENL_SYNTHHID_BTN_MIDDLE		0x04
#define ENL_SYNTHHID_BTN_SIDE		0x08
#define ENL_SYNTHHID_BTN_EXTRA		0x10

/* Hyper-V's mouse identity. */
#define ENL_SYNTHHID_VENDOR_MICROSOFT	0x045e
#define ENL_SYNTHHID_PRODUCT_MOUSE	0x0621

#endif /* _ENLIGHTEN_SYNTHHID_H */
