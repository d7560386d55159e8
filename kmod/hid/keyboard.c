// SPDX-License-Identifier: GPL-2.0-only
/*
 * The synthetic keyboard: synthkbd 1.0 with the host, then a serio port of
 * type SERIO_8042_XL, so atkbd binds it as a translated AT keyboard and
 * scancode set 1 from the host takes the standard path (keymaps, repeat,
 * SysRq). atkbd talks to a keyboard with commands; this port answers them
 * as an AT keyboard would (keyboard_write), and the one that matters,
 * SET LEDS, goes to the host as the guest's lock LED state.
 */
#include <linux/serio.h>
#include <linux/slab.h>
#include "hidvsc.h"

/* AT keyboard bytes (IBM PC AT technical reference). */
#define AT_EMUL0		0xe0
#define AT_EMUL1		0xe1
#define AT_RELEASE		0x80
#define AT_ACK			0xfa
#define AT_RESEND		0xfe
#define AT_BAT_OK		0xaa
#define AT_ECHO			0xee
#define AT_CMD_SETLEDS		0xed
#define AT_CMD_SCANSET		0xf0
#define AT_CMD_GETID		0xf2
#define AT_CMD_SETREP		0xf3
#define AT_CMD_RESET_BAT	0xff
/* An MF2 keyboard's ID, as a translating controller reports it. */
#define AT_ID0			0xab
#define AT_ID1			0x41
/* SET LEDS bits: scroll 0, num 1, caps 2, the same as synthkbd's. */
#define AT_LEDS_MASK		0x07

static void keyboard_bytes(struct enl_hid_dev *hd, const u8 *b, int n)
{
	unsigned long flags;
	int i;

	spin_lock_irqsave(&hd->lock, flags);
	if (hd->k.serio_started)
		for (i = 0; i < n; i++)
			serio_interrupt(hd->k.serio, b[i], 0);
	spin_unlock_irqrestore(&hd->lock, flags);
}

/* Tell the host the lock LEDs (process context: atkbd's command). */
static void keyboard_set_leds(struct enl_hid_dev *hd, u8 leds)
{
	struct enl_synthkbd_led_indicators msg = {
		.hdr.type = ENL_SYNTHKBD_SET_LED_INDICATORS,
		.led_flags = leds,
	};
	unsigned long flags;

	spin_lock_irqsave(&hd->lock, flags);
	hd->k.leds = leds;
	hd->k.led_updates++;
	spin_unlock_irqrestore(&hd->lock, flags);
	enl_hid_send(hd, &msg, sizeof(msg));
}

/*
 * A command byte from atkbd: answer it as an AT keyboard behind a
 * translating controller. Commands with a parameter are acknowledged
 * twice; anything unknown asks for a resend, which libps2 reports as an
 * error, as it would for a keyboard that lacks the command.
 */
static int keyboard_write(struct serio *serio, unsigned char byte)
{
	struct enl_hid_dev *hd = serio->port_data;
	u8 reply[3] = { AT_ACK };
	int n = 1;
	u8 cmd = hd->k.pending_cmd;

	hd->k.pending_cmd = 0;
	if (cmd == AT_CMD_SETLEDS) {
		keyboard_set_leds(hd, byte & AT_LEDS_MASK);
	} else if (cmd) {
		/* SETREP or SCANSET's parameter: nothing to change. */
	} else {
		switch (byte) {
		case AT_CMD_SETLEDS:
		case AT_CMD_SETREP:
		case AT_CMD_SCANSET:
			hd->k.pending_cmd = byte;
			break;
		case AT_CMD_GETID:
			reply[1] = AT_ID0;
			reply[2] = AT_ID1;
			n = 3;
			break;
		case AT_CMD_RESET_BAT:
			reply[1] = AT_BAT_OK;
			n = 2;
			break;
		case AT_ECHO:
			reply[0] = AT_ECHO;
			break;
		case 0xf4 ... 0xfd:	/* enable, disable, defaults, modes */
			break;
		default:
			reply[0] = AT_RESEND;
			break;
		}
	}
	keyboard_bytes(hd, reply, n);
	return 0;
}

static int keyboard_start(struct serio *serio)
{
	struct enl_hid_dev *hd = serio->port_data;
	unsigned long flags;

	spin_lock_irqsave(&hd->lock, flags);
	hd->k.serio_started = true;
	spin_unlock_irqrestore(&hd->lock, flags);
	return 0;
}

static void keyboard_stop(struct serio *serio)
{
	struct enl_hid_dev *hd = serio->port_data;
	unsigned long flags;

	spin_lock_irqsave(&hd->lock, flags);
	hd->k.serio_started = false;
	spin_unlock_irqrestore(&hd->lock, flags);
}

/* One keystroke: its prefix and code to atkbd. */
static void keyboard_keystroke(struct enl_hid_dev *hd, u32 len)
{
	struct enl_synthkbd_keystroke ks;
	u8 bytes[2];
	u32 info;
	u16 code;
	int n = 0;

	if (len < sizeof(ks)) {
		enl_hid_count(hd, bad_length);
		return;
	}
	memcpy(&ks, hd->recv_buf, sizeof(ks));
	code = ks.make_code;
	info = ks.info;
	/*
	 * A make code has 7 bits (bit 7 is break); one prefix at most;
	 * Unicode keystrokes have no scancode to give atkbd.
	 */
	if (code & ~0x7f || (info & ENL_SYNTHKBD_INFO_E0 &&
			     info & ENL_SYNTHKBD_INFO_E1) ||
	    info & ENL_SYNTHKBD_INFO_UNICODE) {
		enl_hid_count(hd, bad_code);
		return;
	}
	if (info & ENL_SYNTHKBD_INFO_E0)
		bytes[n++] = AT_EMUL0;
	else if (info & ENL_SYNTHKBD_INFO_E1)
		bytes[n++] = AT_EMUL1;
	bytes[n++] = code | (info & ENL_SYNTHKBD_INFO_BREAK ? AT_RELEASE : 0);
	enl_hid_count(hd, delivered);
	keyboard_bytes(hd, bytes, n);
}

static void keyboard_message(struct enl_hid_dev *hd, u32 len)
{
	struct enl_synthkbd_protocol_response r;
	struct enl_synthkbd_msg_hdr hdr;
	unsigned long flags;

	if (len < sizeof(hdr)) {
		enl_hid_count(hd, bad_length);
		return;
	}
	memcpy(&hdr, hd->recv_buf, sizeof(hdr));
	switch (hdr.type) {
	case ENL_SYNTHKBD_PROTOCOL_RESPONSE:
		if (len < sizeof(r)) {
			enl_hid_count(hd, bad_length);
			return;
		}
		memcpy(&r, hd->recv_buf, sizeof(r));
		spin_lock_irqsave(&hd->lock, flags);
		if (hd->k.waiting_response) {
			hd->k.waiting_response = false;
			hd->k.accepted = r.status &
					 ENL_SYNTHKBD_PROTOCOL_ACCEPTED;
			complete(&hd->wait);
		} else {
			hd->c.unexpected++;
		}
		spin_unlock_irqrestore(&hd->lock, flags);
		return;
	case ENL_SYNTHKBD_EVENT:
		if (!READ_ONCE(hd->ready)) {
			enl_hid_count(hd, unexpected);
			return;
		}
		keyboard_keystroke(hd, len);
		return;
	default:
		enl_hid_count(hd, bad_type);
		return;
	}
}

static int keyboard_on_event(struct enl_vmbus_channel *ch, int budget)
{
	return enl_hid_drain(ch, budget, keyboard_message);
}

int enl_hid_keyboard_probe(struct enl_hid_dev *hd)
{
	struct enl_synthkbd_protocol_request req = {
		.hdr.type = ENL_SYNTHKBD_PROTOCOL_REQUEST,
		.version = ENL_SYNTHKBD_VERSION_1_0,
	};
	struct device *dev = &hd->vdev->dev;
	struct serio *serio;
	unsigned long flags;
	int ret;

	serio = kzalloc(sizeof(*serio), GFP_KERNEL);
	if (!serio)
		return -ENOMEM;
	ret = enl_hid_open(hd, keyboard_on_event);
	if (ret)
		goto free;
	spin_lock_irqsave(&hd->lock, flags);
	hd->k.waiting_response = true;
	spin_unlock_irqrestore(&hd->lock, flags);
	ret = enl_hid_send(hd, &req, sizeof(req));
	if (!ret && !wait_for_completion_timeout(&hd->wait,
					msecs_to_jiffies(ENL_HID_WAIT_MS)))
		ret = -ETIMEDOUT;
	if (ret)
		goto close;
	if (!hd->k.accepted) {
		dev_err(dev, "the host refused synthkbd 1.0\n");
		ret = -ENODEV;
		goto close;
	}
	serio->id.type = SERIO_8042_XL;
	serio->write = keyboard_write;
	serio->start = keyboard_start;
	serio->stop = keyboard_stop;
	serio->port_data = hd;
	serio->dev.parent = dev;
	strscpy(serio->name, "Enlighten synthetic keyboard", sizeof(serio->name));
	strscpy(serio->phys, dev_name(dev), sizeof(serio->phys));
	hd->k.serio = serio;
	spin_lock_irqsave(&hd->lock, flags);
	hd->ready = true;
	spin_unlock_irqrestore(&hd->lock, flags);
	serio_register_port(serio);
	return 0;
close:
	enl_vmbus_channel_close(hd->ch);
free:
	kfree(serio);
	return ret;
}

void enl_hid_keyboard_remove(struct enl_hid_dev *hd)
{
	unsigned long flags;

	spin_lock_irqsave(&hd->lock, flags);
	hd->ready = false;
	hd->k.serio_started = false;
	spin_unlock_irqrestore(&hd->lock, flags);
	/* The port is freed by serio once unregistered. */
	serio_unregister_port(hd->k.serio);
	enl_vmbus_channel_close(hd->ch);
}
