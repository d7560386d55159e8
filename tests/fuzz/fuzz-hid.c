// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over enl-host's keyboard and mouse (host/vsp/hid) fed
 * guest messages: the synthhid engine (pipe and message sizes, version,
 * ack) and the synthkbd engine (version, LED state), plus the ctl
 * parsers of key combos and text, which take bytes from a ctl client.
 *
 * Input: [device] then records (fuzz.h):
 *	op & 3 == 0	raw guest message: the bytes (op 0x10: repeated to
 *			off bytes, for oversize messages)
 *	op & 3 == 1	a well-formed guest message of kind a % 3 (protocol
 *			request with version from the bytes, device-info ack,
 *			LED state from the bytes)
 *	op & 3 == 2	the bytes as a combo (a & 1) or as text for ctl
 *	op & 3 == 3	channel closed (a & 1) or sends failing (a & 2)
 * device & 1: the keyboard, else the mouse.
 */
#include <enlighten/synthhid.h>
#include <enlighten/synthkbd.h>

#include "fuzz.h"
#include "hid_host.h"

static struct {
	int fail;
	uint64_t sends;
} out;

static int fuzz_send(void *ctx, const void *msg, uint32_t len)
{
	(void)ctx;
	(void)msg;
	/* Nothing the engines send is bigger than a device info. */
	FUZZ_ASSERT(len <= sizeof(struct enl_synthhid_pipe_hdr) +
		    sizeof(struct enl_synthhid_device_info) +
		    ENL_SYNTHHID_MAX_REPORT_DESC);
	if (out.fail)
		return -EAGAIN;
	out.sends++;
	return 0;
}

static struct enl_mouse_host mouse;
static struct enl_kbd_host kbd;
static bool keyboard;

static void deliver(const void *pkt, size_t len)
{
	uint64_t before = keyboard ? kbd.st.packets : mouse.st.packets;
	uint16_t leds = kbd.leds;
	uint64_t updates = kbd.led_updates;

	if (len > UINT32_MAX)
		return;
	if (keyboard) {
		enl_kbd_host_recv(&kbd, pkt, (uint32_t)len);
		FUZZ_ASSERT(kbd.st.packets == before + 1);
		FUZZ_ASSERT(kbd.led_updates == updates ||
			    kbd.led_updates == updates + 1);
		FUZZ_ASSERT(kbd.led_updates != updates || kbd.leds == leds);
	} else {
		enl_mouse_host_recv(&mouse, pkt, (uint32_t)len);
		FUZZ_ASSERT(mouse.st.packets == before + 1);
		FUZZ_ASSERT(!mouse.ready || mouse.approved);
	}
}

static void well_formed(const struct rec *r)
{
	uint8_t buf[64] = { 0 };
	uint32_t v = ENL_SYNTHHID_VERSION_2_0;

	if (r->len >= 4)
		memcpy(&v, r->p, 4);
	if (keyboard) {
		struct enl_synthkbd_protocol_request req = {
			{ ENL_SYNTHKBD_PROTOCOL_REQUEST },
			r->len >= 4 ? v : ENL_SYNTHKBD_VERSION_1_0 };
		struct enl_synthkbd_led_indicators led = {
			{ ENL_SYNTHKBD_SET_LED_INDICATORS },
			(uint16_t)v, 0 };

		if (r->a % 3 == 2)
			deliver(&led, sizeof(led));
		else
			deliver(&req, sizeof(req));
		return;
	}
	struct enl_synthhid_pipe_hdr pipe = { ENL_SYNTHHID_PIPE_DATA, 12 };
	struct enl_synthhid_msg_hdr hdr = { ENL_SYNTHHID_PROTOCOL_REQUEST, 4 };

	if (r->a % 3 == 1) {
		pipe.size = 9;
		hdr.type = ENL_SYNTHHID_INITIAL_DEVICE_INFO_ACK;
		hdr.size = 1;
	}
	memcpy(buf, &pipe, 8);
	memcpy(buf + 8, &hdr, 8);
	memcpy(buf + 16, &v, 4);
	deliver(buf, 8 + pipe.size);
}

static void parse(const struct rec *r)
{
	struct enl_scan_event ev[64];
	char *s = g_strndup((const char *)r->p, r->len);
	const char *bad;
	size_t at;
	int n;

	if (r->a & 1) {
		n = enl_scan_combo(s, ev, 64, &bad);
		FUZZ_ASSERT(n != -EINVAL || (bad >= s && bad <= s + strlen(s)));
	} else {
		n = enl_scan_text(s, ev, 64, &at);
		FUZZ_ASSERT(n != -EINVAL || at < strlen(s));
	}
	FUZZ_ASSERT(n <= 64);
	for (int i = 0; i < n; i++)
		FUZZ_ASSERT(ev[i].code && ev[i].code < 0x80);
	g_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t big[8192];
	struct rec r;

	if (!size)
		return 0;
	keyboard = data[0] & 1;
	data++;
	size--;
	memset(&out, 0, sizeof(out));
	enl_mouse_host_init(&mouse, fuzz_send, NULL);
	enl_kbd_host_init(&kbd, fuzz_send, NULL);
	while (rec_next(&data, &size, &r)) {
		switch (r.op & 3) {
		case 0:
			fuzz_raw(&r, big, sizeof(big), deliver);
			break;
		case 1:
			well_formed(&r);
			break;
		case 2:
			parse(&r);
			break;
		case 3:
			if (r.a & 1) {
				enl_mouse_host_reset(&mouse);
				enl_kbd_host_reset(&kbd);
				FUZZ_ASSERT(!mouse.ready && !kbd.ready);
			}
			out.fail = r.a & 2;
			break;
		}
	}
	return 0;
}

static void seeds(const char *dir, GByteArray *s)
{
	uint32_t v2 = ENL_SYNTHHID_VERSION_2_0, v1 = ENL_SYNTHKBD_VERSION_1_0;
	uint16_t caps = ENL_SYNTHKBD_LED_CAPS_LOCK;

	g_byte_array_append(s, (const uint8_t[]){ 0 }, 1);
	seed_rec(s, 1, 0, 0, &v2, 4);
	seed_rec(s, 1, 1, 0, NULL, 0);
	seed_rec(s, 3, 1, 0, NULL, 0);
	seed_rec(s, 1, 0, 0, &v2, 4);
	seed_write(dir, "mouse-handshake", s);
	g_byte_array_append(s, (const uint8_t[]){ 1 }, 1);
	seed_rec(s, 1, 0, 0, &v1, 4);
	seed_rec(s, 1, 2, 0, &caps, 2);
	seed_rec(s, 0, 0, 0, "\x04\0\0\0\x02\0", 6);
	seed_write(dir, "kbd-leds", s);
	g_byte_array_append(s, (const uint8_t[]){ 0 }, 1);
	seed_rec(s, 2, 1, 0, "ctrl+alt+f2", 11);
	seed_rec(s, 2, 0, 0, "Hello, World!\n", 14);
	seed_rec(s, 2, 1, 0, "ctrl++", 6);
	seed_write(dir, "parsers", s);
}

FUZZ_INITIALIZE_WITH_SEEDS(seeds)
