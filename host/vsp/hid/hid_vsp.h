/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The input VSPs on VMBus: classes "mouse" (ENL_GUID_MOUSE) and
 * "keyboard" (ENL_GUID_KEYBOARD). Each offer runs its protocol engine
 * (hid_host.h) on its channel's worker. Input comes from other threads
 * (ctl verbs, the VNC console) through enl_hid_queue_*(): the events go
 * to the open device of that kind (the first one the guest opened) and
 * are sent, in order and paced (vsp.c), from its worker; when its ring
 * is full they wait there and are retried, never dropped.
 */
#ifndef ENL_HOST_HID_VSP_H
#define ENL_HOST_HID_VSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hid_host.h"

struct enl_vsp_class;

extern const struct enl_vsp_class enl_vsp_mouse_class;
extern const struct enl_vsp_class enl_vsp_keyboard_class;

/* Events one device holds back at most (a ctl line types ~4k chars). */
#define ENL_HID_MAX_PENDING	65536u

/*
 * Queue keyboard events / mouse reports for the guest. Any thread. 0,
 * -ENODEV (no guest driver has the device open and agreed on a version:
 * the events are dropped and counted) or -ENOSPC (too many pending).
 */
int enl_hid_queue_keys(const struct enl_scan_event *ev, size_t n);
int enl_hid_queue_mouse(const struct enl_synthhid_mouse_report *r);

/* A snapshot of one device kind, for status verbs. */
struct enl_hid_dev_status {
	bool open;		/* a guest driver has it open */
	bool ready;		/* ... and agreed on a version */
	uint32_t relid;
	uint32_t version;	/* what the guest asked for */
	uint16_t leds;		/* keyboard: the guest's lock LEDs */
	uint64_t led_updates;
	uint64_t queued, pending, dropped, ring_full;
	struct enl_hid_host_stats st;
	struct enl_synthhid_mouse_report last;	/* mouse: last report */
};

/* false if no device of that kind is open. Main thread (ctl verbs). */
bool enl_hid_status(bool keyboard, struct enl_hid_dev_status *s);

/*
 * Fault injection (tests): send a malformed message of the given kind to
 * the open device now, or (mouse-bad-desc) arm a bad report descriptor
 * for its next handshake. Main thread. 0, -ENODEV, -EINVAL (unknown kind).
 */
int enl_hid_fault(const char *kind);
/* The kinds enl_hid_fault() knows, for usage text. */
#define ENL_HID_FAULTS "kbd-short|kbd-bad-type|kbd-bad-code|" \
	"mouse-bad-pipe|mouse-short|mouse-lying-size|mouse-long-report|" \
	"mouse-bad-type|mouse-bad-desc"

#endif /* ENL_HOST_HID_VSP_H */
