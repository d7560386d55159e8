/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * synthkbd: the synthetic keyboard protocol (class ENL_GUID_KEYBOARD in
 * guids.h). Each message is one in-band VMBus packet starting with struct
 * enl_synthkbd_msg_hdr. The guest asks for version 1.0 (PROTOCOL_REQUEST);
 * the host answers (PROTOCOL_RESPONSE, bit ACCEPTED). Then the host sends
 * EVENTs: one scancode of set 1 each (make_code, 7 bits), flagged as a
 * break (key up) and with the E0 or E1 prefix it needs; and the guest
 * tells the host its lock LEDs (SET_LED_INDICATORS) whenever they change.
 *
 * Layouts match Linux 6.1 (drivers/input/serio/hyperv-keyboard.c, which
 * defines no LED message) and the public UEFI synthetic keyboard headers
 * (the LED message and flags, ntddkbd.h's KEYBOARD_*_LOCK_ON values).
 */
#ifndef _ENLIGHTEN_SYNTHKBD_H
#define _ENLIGHTEN_SYNTHKBD_H

#include <enlighten/types.h>

#define ENL_SYNTHKBD_VERSION(major, minor)	\
	((__u32)(((major) & 0xffff) << 16 | ((minor) & 0xffff)))
#define ENL_SYNTHKBD_VERSION_1_0	ENL_SYNTHKBD_VERSION(1, 0)

/* Largest message either side sends. */
#define ENL_SYNTHKBD_MAX_MSG		256U

enum enl_synthkbd_msg_type {
	ENL_SYNTHKBD_PROTOCOL_REQUEST	= 1,
	ENL_SYNTHKBD_PROTOCOL_RESPONSE	= 2,
	ENL_SYNTHKBD_EVENT		= 3,
	ENL_SYNTHKBD_SET_LED_INDICATORS	= 4,
};

struct enl_synthkbd_msg_hdr {
	__u32 type;		/* enum enl_synthkbd_msg_type */
} ENL_PACKED;

/* Guest -> host. */
struct enl_synthkbd_protocol_request {
	struct enl_synthkbd_msg_hdr hdr;
	__u32 version;
} ENL_PACKED;

#define ENL_SYNTHKBD_PROTOCOL_ACCEPTED	0x1u

/* Host -> guest. */
struct enl_synthkbd_protocol_response {
	struct enl_synthkbd_msg_hdr hdr;
	__u32 status;		/* ENL_SYNTHKBD_PROTOCOL_ACCEPTED */
} ENL_PACKED;

/* enl_synthkbd_keystroke.info */
#define ENL_SYNTHKBD_INFO_UNICODE	0x1u	/* make_code is UTF-16 */
#define ENL_SYNTHKBD_INFO_BREAK		0x2u	/* key up */
#define ENL_SYNTHKBD_INFO_E0		0x4u	/* 0xe0 prefix */
#define ENL_SYNTHKBD_INFO_E1		0x8u	/* 0xe1 prefix */

/* Host -> guest. */
struct enl_synthkbd_keystroke {
	struct enl_synthkbd_msg_hdr hdr;
	__u16 make_code;	/* set 1 make code, 0x01..0x7f */
	__u16 reserved;
	__u32 info;		/* ENL_SYNTHKBD_INFO_* */
} ENL_PACKED;

/* enl_synthkbd_led_indicators.led_flags */
#define ENL_SYNTHKBD_LED_SCROLL_LOCK	0x1u
#define ENL_SYNTHKBD_LED_NUM_LOCK	0x2u
#define ENL_SYNTHKBD_LED_CAPS_LOCK	0x4u
#define ENL_SYNTHKBD_LED_KANA_LOCK	0x8u

/*
 * Guest -> host. Six meaningful bytes; senders pad to eight (the natural
 * size of the C struct it comes from), receivers take six.
 */
struct enl_synthkbd_led_indicators {
	struct enl_synthkbd_msg_hdr hdr;
	__u16 led_flags;	/* ENL_SYNTHKBD_LED_* */
	__u16 reserved;
} ENL_PACKED;

#define ENL_SYNTHKBD_LED_MIN_LEN	6U

ENL_ASSERT_SIZE(struct enl_synthkbd_msg_hdr, 4);
ENL_ASSERT_SIZE(struct enl_synthkbd_protocol_request, 8);
ENL_ASSERT_OFFSET(struct enl_synthkbd_protocol_request, version, 4);
ENL_ASSERT_SIZE(struct enl_synthkbd_protocol_response, 8);
ENL_ASSERT_OFFSET(struct enl_synthkbd_protocol_response, status, 4);
ENL_ASSERT_SIZE(struct enl_synthkbd_keystroke, 12);
ENL_ASSERT_OFFSET(struct enl_synthkbd_keystroke, make_code, 4);
ENL_ASSERT_OFFSET(struct enl_synthkbd_keystroke, info, 8);
ENL_ASSERT_SIZE(struct enl_synthkbd_led_indicators, 8);
ENL_ASSERT_OFFSET(struct enl_synthkbd_led_indicators, led_flags, 4);

#endif /* _ENLIGHTEN_SYNTHKBD_H */
