/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The protocol engines of enl-host's input devices, without VMBus: the
 * synthetic mouse (synthhid: version, device info with the report
 * descriptor, input reports) and the synthetic keyboard (synthkbd:
 * version, keystrokes, the guest's LED state). Each takes the guest's
 * messages through *_recv() and sends through a callback, so the VSP glue
 * (vsp.c), the unit tests and the fuzz target drive the same code.
 */
#ifndef ENL_HOST_HID_HOST_H
#define ENL_HOST_HID_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include <enlighten/synthhid.h>
#include <enlighten/synthkbd.h>

#include "scancode.h"

/* Send one message to the guest: 0 or -errno. */
typedef int (*enl_hid_send_fn)(void *ctx, const void *msg, uint32_t len);

/* Counters of what came from the guest and what was sent. */
struct enl_hid_host_stats {
	uint64_t packets;	/* guest messages seen */
	uint64_t bad_length;	/* shorter than its type needs, or sizes lie */
	uint64_t bad_type;	/* unknown or unexpected message type */
	uint64_t bad_version;	/* version refused */
	uint64_t sent;		/* messages sent (events, reports, answers) */
	uint64_t send_errors;
};

/* ---- Mouse ---- */

struct enl_mouse_host {
	enl_hid_send_fn send;
	void *ctx;
	bool approved;		/* version agreed, device info sent */
	bool ready;		/* the guest acknowledged the device info */
	uint32_t version;	/* what the guest asked for last */
	struct enl_synthhid_mouse_report last;	/* last report sent */
	struct enl_hid_host_stats st;
};

/* The report descriptor the host sends: absolute x/y, 5 buttons, wheel. */
extern const uint8_t enl_mouse_report_desc[];
extern const uint32_t enl_mouse_report_desc_len;

void enl_mouse_host_init(struct enl_mouse_host *m, enl_hid_send_fn send,
			 void *ctx);
/* The channel closed: back to waiting for a protocol request. */
void enl_mouse_host_reset(struct enl_mouse_host *m);
/* One guest message (the packet's payload). 0, or -errno (counted). */
int enl_mouse_host_recv(struct enl_mouse_host *m, const void *buf,
			uint32_t len);
/*
 * The pipe-framed INPUT_REPORT for r in buf (at least
 * ENL_MOUSE_REPORT_MSG_LEN bytes); returns its length.
 */
#define ENL_MOUSE_REPORT_MSG_LEN					\
	(sizeof(struct enl_synthhid_pipe_hdr) +				\
	 sizeof(struct enl_synthhid_input_report) +			\
	 sizeof(struct enl_synthhid_mouse_report))
uint32_t enl_mouse_host_report(const struct enl_synthhid_mouse_report *r,
			       uint8_t *buf);

/* ---- Keyboard ---- */

struct enl_kbd_host {
	enl_hid_send_fn send;
	void *ctx;
	bool ready;		/* version accepted */
	uint32_t version;
	uint16_t leds;		/* ENL_SYNTHKBD_LED_* as the guest said */
	uint64_t led_updates;
	struct enl_hid_host_stats st;
};

void enl_kbd_host_init(struct enl_kbd_host *k, enl_hid_send_fn send,
		       void *ctx);
void enl_kbd_host_reset(struct enl_kbd_host *k);
int enl_kbd_host_recv(struct enl_kbd_host *k, const void *buf, uint32_t len);
/* The EVENT message of one scancode event. */
void enl_kbd_host_keystroke(const struct enl_scan_event *ev,
			    struct enl_synthkbd_keystroke *out);
/* "caps,num" style names of leds ("none" when 0) into buf. */
void enl_kbd_leds_str(uint16_t leds, char *buf, uint32_t size);

#endif /* ENL_HOST_HID_HOST_H */
