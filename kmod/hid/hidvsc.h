/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl_hid: the synthetic mouse (synthhid, through the kernel's HID core)
 * and the synthetic keyboard (synthkbd, through serio as an AT keyboard)
 * on the enl_vmbus driver API. One module, one VMBus driver, two classes.
 */
#ifndef _ENL_HIDVSC_H
#define _ENL_HIDVSC_H

#include <linux/completion.h>
#include <linux/hid.h>
#include <linux/serio.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <enlighten/synthhid.h>
#include <enlighten/synthkbd.h>
#include "enl_vmbus.h"

/* Each ring: room for a device info with the largest descriptor, twice. */
#define ENL_HID_RING_SIZE	(8 * PAGE_SIZE)
/* How long probe waits for each answer of the host. */
#define ENL_HID_WAIT_MS		5000
/* Largest message either device takes from the host. */
#define ENL_HID_RECV_BUF	(ENL_SYNTHHID_MAX_REPORT_DESC + 256)

/* What went wrong with host messages (sysfs "counters"). */
struct enl_hid_counters {
	u64 packets;		/* in-band packets from the host */
	u64 delivered;		/* reports / scancodes passed on */
	u64 bad_length;		/* sizes that do not fit the packet or the protocol */
	u64 bad_type;		/* unknown message or pipe type, non-in-band packet */
	u64 bad_code;		/* keyboard: not a 7-bit scancode, both prefixes, unicode */
	u64 unexpected;		/* a valid message at the wrong time */
	u64 too_big;		/* larger than the receive buffer: skipped */
	u64 sent;		/* messages to the host */
	u64 send_errors;
};

struct enl_hid_mouse {
	struct hid_device *hid;
	u8 *report_desc;
	u32 report_desc_len;
	struct enl_synthhid_dev_info info;
	int info_status;	/* 0 or why the device info was refused */
	bool approved;
	bool waiting_response, waiting_info;
	/* hid_input_report() may pad up to the report's described size. */
	u8 *report_buf;		/* HID_MAX_BUFFER_SIZE */
};

struct enl_hid_keyboard {
	struct serio *serio;
	bool serio_started;	/* atkbd has the port open */
	bool accepted;
	bool waiting_response;
	/* The AT keyboard's command side, as atkbd drives it (keyboard.c). */
	u8 pending_cmd;		/* a command awaiting its parameter, or 0 */
	u8 leds;		/* ENL_SYNTHKBD_LED_* last sent to the host */
	u64 led_updates;
};

struct enl_hid_dev {
	struct enl_vmbus_device *vdev;
	struct enl_vmbus_channel *ch;
	bool is_keyboard;
	/* Guards ready, the counters and the device's state against the callback. */
	spinlock_t lock;
	bool ready;		/* handshake done: input goes up */
	struct completion wait;
	struct enl_hid_counters c;
	u8 *recv_buf;		/* ENL_HID_RECV_BUF */
	union {
		struct enl_hid_mouse m;
		struct enl_hid_keyboard k;
	};
};

/* Counters under lock: bump one. */
#define enl_hid_count(hd, field) do {				\
	unsigned long flags_;					\
	spin_lock_irqsave(&(hd)->lock, flags_);			\
	(hd)->c.field++;					\
	spin_unlock_irqrestore(&(hd)->lock, flags_);		\
} while (0)

int enl_hid_mouse_probe(struct enl_hid_dev *hd);
void enl_hid_mouse_remove(struct enl_hid_dev *hd);
int enl_hid_keyboard_probe(struct enl_hid_dev *hd);
void enl_hid_keyboard_remove(struct enl_hid_dev *hd);

/* Open the channel with on_event, ENL_HID_RING_SIZE rings. */
int enl_hid_open(struct enl_hid_dev *hd, enl_vmbus_event_fn on_event);
/*
 * Read up to budget packets (the channel's on_event), counting and dropping
 * oversize, completion and non-in-band ones; each in-band message of len
 * bytes in hd->recv_buf goes to handle. Returns the packets read.
 */
int enl_hid_drain(struct enl_vmbus_channel *ch, int budget,
		  void (*handle)(struct enl_hid_dev *hd, u32 len));
/* Send one in-band message (counted). */
int enl_hid_send(struct enl_hid_dev *hd, const void *msg, u32 len);

extern const struct attribute_group *enl_hid_groups[];

#endif /* _ENL_HIDVSC_H */
