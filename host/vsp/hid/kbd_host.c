// SPDX-License-Identifier: GPL-2.0-only
/*
 * The synthetic keyboard's protocol engine: accept synthkbd 1.0, build
 * keystroke events, and keep the lock LEDs the guest reports.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hid_host.h"

void enl_kbd_host_init(struct enl_kbd_host *k, enl_hid_send_fn send,
		       void *ctx)
{
	memset(k, 0, sizeof(*k));
	k->send = send;
	k->ctx = ctx;
}

void enl_kbd_host_reset(struct enl_kbd_host *k)
{
	k->ready = false;
}

static int protocol_request(struct enl_kbd_host *k, const uint8_t *buf,
			    uint32_t len)
{
	struct enl_synthkbd_protocol_request req;
	struct enl_synthkbd_protocol_response r = {
		.hdr.type = ENL_SYNTHKBD_PROTOCOL_RESPONSE,
	};
	int ret;

	if (len < sizeof(req)) {
		k->st.bad_length++;
		return -EINVAL;
	}
	memcpy(&req, buf, sizeof(req));
	k->version = req.version;
	k->ready = req.version == ENL_SYNTHKBD_VERSION_1_0;
	if (k->ready)
		r.status = ENL_SYNTHKBD_PROTOCOL_ACCEPTED;
	else
		k->st.bad_version++;
	ret = k->send(k->ctx, &r, sizeof(r));
	if (ret)
		k->st.send_errors++;
	else
		k->st.sent++;
	return ret;
}

static int led_indicators(struct enl_kbd_host *k, const uint8_t *buf,
			  uint32_t len)
{
	struct enl_synthkbd_led_indicators msg = { 0 };

	if (len < ENL_SYNTHKBD_LED_MIN_LEN) {
		k->st.bad_length++;
		return -EINVAL;
	}
	memcpy(&msg, buf, ENL_SYNTHKBD_LED_MIN_LEN);
	k->leds = msg.led_flags;
	k->led_updates++;
	return 0;
}

int enl_kbd_host_recv(struct enl_kbd_host *k, const void *data, uint32_t len)
{
	const uint8_t *buf = data;
	struct enl_synthkbd_msg_hdr hdr;

	k->st.packets++;
	if (len < sizeof(hdr) || len > ENL_SYNTHKBD_MAX_MSG) {
		k->st.bad_length++;
		return -EINVAL;
	}
	memcpy(&hdr, buf, sizeof(hdr));
	switch (hdr.type) {
	case ENL_SYNTHKBD_PROTOCOL_REQUEST:
		return protocol_request(k, buf, len);
	case ENL_SYNTHKBD_SET_LED_INDICATORS:
		return led_indicators(k, buf, len);
	default:
		k->st.bad_type++;
		return -EPROTO;
	}
}

void enl_kbd_host_keystroke(const struct enl_scan_event *ev,
			    struct enl_synthkbd_keystroke *out)
{
	memset(out, 0, sizeof(*out));
	out->hdr.type = ENL_SYNTHKBD_EVENT;
	out->make_code = ev->code & 0x7f;
	out->info = (ev->flags & ENL_SCAN_BREAK ? ENL_SYNTHKBD_INFO_BREAK : 0) |
		    (ev->flags & ENL_SCAN_E0 ? ENL_SYNTHKBD_INFO_E0 : 0) |
		    (ev->flags & ENL_SCAN_E1 ? ENL_SYNTHKBD_INFO_E1 : 0);
}

void enl_kbd_leds_str(uint16_t leds, char *buf, uint32_t size)
{
	static const struct { uint16_t bit; const char *name; } names[] = {
		{ ENL_SYNTHKBD_LED_CAPS_LOCK, "caps" },
		{ ENL_SYNTHKBD_LED_NUM_LOCK, "num" },
		{ ENL_SYNTHKBD_LED_SCROLL_LOCK, "scroll" },
		{ ENL_SYNTHKBD_LED_KANA_LOCK, "kana" },
	};
	size_t at = 0;

	if (!size)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(leds & names[i].bit))
			continue;
		at += (size_t)snprintf(buf + at, at < size ? size - at : 0,
				       "%s%s", at ? "," : "", names[i].name);
		if (at >= size)
			return;
	}
	if (!at)
		snprintf(buf, size, "none");
}
