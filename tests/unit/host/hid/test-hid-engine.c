// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-host's keyboard and mouse without VMBus: key names, combos, US text
 * and keysyms to scancode set 1; the synthhid and synthkbd engines fed
 * guest messages, good and bad, with what they send checked byte by byte.
 */
#include <errno.h>
#include <string.h>

#include "hid_host.h"
#include "tap.h"

#define EV(c, f) ((struct enl_scan_event){ (c), (f) })
#define BRK ENL_SCAN_BREAK

static int same(const struct enl_scan_event *a, int n,
		const struct enl_scan_event *b, int m)
{
	if (n != m)
		return 0;
	for (int i = 0; i < n; i++)
		if (a[i].code != b[i].code || a[i].flags != b[i].flags)
			return 0;
	return 1;
}

static void test_text(void)
{
	struct enl_scan_event ev[64];
	const struct enl_scan_event want[] = {
		EV(0x1e, 0), EV(0x1e, BRK),			/* a */
		EV(0x2a, 0), EV(0x1e, 0), EV(0x1e, BRK), EV(0x2a, BRK), /* A */
		EV(0x02, 0), EV(0x02, BRK),			/* 1 */
		EV(0x2a, 0), EV(0x02, 0), EV(0x02, BRK), EV(0x2a, BRK), /* ! */
		EV(0x39, 0), EV(0x39, BRK),			/* space */
		EV(0x1c, 0), EV(0x1c, BRK),			/* \n */
	};
	size_t bad = 99;
	int n = enl_scan_text("aA1! \n", ev, 64, &bad);

	tap_ok(same(ev, n, want, (int)(sizeof(want) / sizeof(want[0]))),
	       "text: a A 1 ! space newline, shift around A and ! (%d events)", n);
	n = enl_scan_text("~_|\"", ev, 64, &bad);
	tap_ok(n == 16 && ev[1].code == 0x29 && ev[5].code == 0x0c &&
	       ev[9].code == 0x2b && ev[13].code == 0x28 && ev[0].code == 0x2a,
	       "text: ~ _ | \" are shifted ` - \\ '");
	n = enl_scan_text("ok\x01", ev, 64, &bad);
	tap_ok(n == -EINVAL && bad == 2, "text: a control character has no key (at %zu)", bad);
	n = enl_scan_text("h\xc3\xa9", ev, 64, &bad);
	tap_ok(n == -EINVAL && bad == 1, "text: non-ASCII has no key on a US layout");
	n = enl_scan_text("abc", ev, 5, &bad);
	tap_ok(n == -ENOSPC, "text: too many events for the buffer");
}

static void test_combo(void)
{
	struct enl_scan_event ev[32];
	const struct enl_scan_event cad[] = {
		EV(0x1d, 0), EV(0x38, 0), EV(0x3c, 0),
		EV(0x3c, BRK), EV(0x38, BRK), EV(0x1d, BRK),
	};
	const struct enl_scan_event e0[] = {
		EV(0x1d, ENL_SCAN_E0), EV(0x4d, ENL_SCAN_E0),
		EV(0x4d, ENL_SCAN_E0 | BRK), EV(0x1d, ENL_SCAN_E0 | BRK),
	};
	const struct enl_scan_event pause[] = {
		EV(0x1d, ENL_SCAN_E1), EV(0x45, 0),
		EV(0x1d, ENL_SCAN_E1 | BRK), EV(0x45, BRK),
	};
	const char *bad = NULL;
	int n;

	n = enl_scan_combo("ctrl+alt+f2", ev, 32, &bad);
	tap_ok(same(ev, n, cad, 6), "combo ctrl+alt+f2: press in order, release in reverse");
	n = enl_scan_combo("RCtrl+Right", ev, 32, &bad);
	tap_ok(same(ev, n, e0, 4), "combo rctrl+right: E0 on both, any case");
	n = enl_scan_combo("Return", ev, 32, &bad);
	tap_ok(n == 2 && ev[0].code == 0x1c && ev[1].flags == BRK, "combo Return");
	n = enl_scan_combo("pause", ev, 32, &bad);
	tap_ok(same(ev, n, pause, 4), "Pause: E1 1D 45 E1 9D C5 on press, nothing on release");
	n = enl_scan_combo("ctrl++", ev, 32, &bad);
	tap_ok(n == 4 && ev[1].code == 0x0d, "combo ctrl++ is ctrl and the = key");
	n = enl_scan_combo("ctrl+plus", ev, 32, &bad);
	tap_ok(n == 4 && ev[1].code == 0x0d, "combo ctrl+plus");
	n = enl_scan_combo("ctrl+nosuch", ev, 32, &bad);
	tap_ok(n == -EINVAL && !strcmp(bad, "nosuch"), "unknown key named: %s", bad);
	n = enl_scan_combo("ctrl+", ev, 32, &bad);
	tap_ok(n == -EINVAL, "empty last part refused");
	n = enl_scan_combo("a+b+c+d+e+f+g+h+i", ev, 32, &bad);
	tap_ok(n == -ENOSPC, "more than 8 keys refused");
	n = enl_scan_combo("kp7+kpenter+super+menu+f12+delete", ev, 32, &bad);
	tap_ok(n == 12 && ev[0].code == 0x47 && !ev[0].flags &&
	       ev[1].code == 0x1c && ev[1].flags == ENL_SCAN_E0 &&
	       ev[2].code == 0x5b && ev[3].code == 0x5d && ev[4].code == 0x58 &&
	       ev[5].code == 0x53 && ev[5].flags == ENL_SCAN_E0,
	       "keypad, super, menu, f12, delete codes");
}

static void test_keysym(void)
{
	struct enl_scan_event ev[4];

	tap_ok(enl_scan_keysym('A', true, ev) == 1 && ev[0].code == 0x1e &&
	       !ev[0].flags, "keysym A down: the a key, no shift of its own");
	tap_ok(enl_scan_keysym(0xff0d, false, ev) == 1 && ev[0].code == 0x1c &&
	       ev[0].flags == BRK, "keysym Return up");
	tap_ok(enl_scan_keysym(0xff51, true, ev) == 1 && ev[0].code == 0x4b &&
	       ev[0].flags == ENL_SCAN_E0, "keysym Left: E0 4B");
	tap_ok(enl_scan_keysym(0xff9c, true, ev) == 1 && ev[0].code == 0x4f &&
	       !ev[0].flags, "keysym KP_End: keypad 1");
	tap_ok(enl_scan_keysym(0xffe3, true, ev) == 1 && ev[0].code == 0x1d,
	       "keysym Control_L");
	tap_ok(enl_scan_keysym(0x20ac, true, ev) == 0, "keysym EuroSign has no key");
}

/* ---- Engines, with a recording send ---- */

struct rec {
	uint8_t msg[8][4200];
	uint32_t len[8];
	int n;
	int fail;
};

static int rec_send(void *ctx, const void *msg, uint32_t len)
{
	struct rec *r = ctx;

	if (r->fail)
		return -EAGAIN;
	if (r->n < 8 && len <= sizeof(r->msg[0])) {
		memcpy(r->msg[r->n], msg, len);
		r->len[r->n] = len;
	}
	r->n++;
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint32_t hid_msg(uint8_t *buf, uint32_t type, const void *body,
			uint32_t body_len)
{
	struct enl_synthhid_pipe_hdr pipe = { ENL_SYNTHHID_PIPE_DATA,
					      8 + body_len };
	struct enl_synthhid_msg_hdr hdr = { type, body_len };

	memcpy(buf, &pipe, 8);
	memcpy(buf + 8, &hdr, 8);
	memcpy(buf + 16, body, body_len);
	return 16 + body_len;
}

/* Input bits the report descriptor declares, or -1 if it is malformed. */
static int desc_input_bits(const uint8_t *d, uint32_t len)
{
	int bits = 0, size = 0, count = 0, depth = 0;
	uint32_t i = 0;

	while (i < len) {
		uint8_t b = d[i];
		uint32_t n = (b & 3) == 3 ? 4 : b & 3, v = 0;

		if (i + 1 + n > len)
			return -1;
		for (uint32_t j = 0; j < n; j++)
			v |= (uint32_t)d[i + 1 + j] << (8 * j);
		switch (b & 0xfc) {
		case 0x74: size = (int)v; break;	/* Report Size */
		case 0x94: count = (int)v; break;	/* Report Count */
		case 0x80: bits += size * count; break;	/* Input */
		case 0xa0: depth++; break;		/* Collection */
		case 0xc0: depth--; break;		/* End Collection */
		}
		i += 1 + n;
	}
	return depth ? -1 : bits;
}

static void test_mouse(void)
{
	struct enl_mouse_host m;
	struct rec r = { 0 };
	uint8_t buf[128];
	uint32_t v = ENL_SYNTHHID_VERSION_2_0, len;
	const uint8_t *di;
	struct enl_synthhid_mouse_report rep = { 0x05, 0x1234, 0x7fff, -3 };
	uint8_t ack = 0;

	tap_ok(desc_input_bits(enl_mouse_report_desc, enl_mouse_report_desc_len) ==
	       8 * (int)sizeof(struct enl_synthhid_mouse_report),
	       "the report descriptor is well formed and describes the 6-byte report");
	enl_mouse_host_init(&m, rec_send, &r);
	len = hid_msg(buf, ENL_SYNTHHID_PROTOCOL_REQUEST, &v, 4);
	tap_ok(enl_mouse_host_recv(&m, buf, len) == 0 && r.n == 2,
	       "version 2.0: a response and the device info (%d sent)", r.n);
	tap_ok(r.len[0] == 21 && le32(r.msg[0]) == 1 && le32(r.msg[0] + 4) == 13 &&
	       le32(r.msg[0] + 8) == ENL_SYNTHHID_PROTOCOL_RESPONSE &&
	       le32(r.msg[0] + 16) == v && r.msg[0][20] == 1,
	       "response: pipe DATA, 13 bytes, approved");
	di = r.msg[1] + 8;
	tap_ok(r.len[1] == 8 + 49 + enl_mouse_report_desc_len &&
	       le32(di) == ENL_SYNTHHID_INITIAL_DEVICE_INFO &&
	       le32(di + 4) == 41 + enl_mouse_report_desc_len &&
	       (di[12] | di[13] << 8) == 0x045e && (di[14] | di[15] << 8) == 0x0621 &&
	       di[40] == 9 && di[41] == 0x21 && di[45] == 1 && di[46] == 0x22 &&
	       (di[47] | di[48] << 8) == (int)enl_mouse_report_desc_len &&
	       !memcmp(di + 49, enl_mouse_report_desc, enl_mouse_report_desc_len),
	       "device info: Microsoft 045e:0621, HID descriptor, then the report descriptor");
	tap_ok(!m.ready, "not ready before the ack");
	len = hid_msg(buf, ENL_SYNTHHID_INITIAL_DEVICE_INFO_ACK, &ack, 1);
	tap_ok(enl_mouse_host_recv(&m, buf, len) == 0 && m.ready, "ready after the ack");

	len = enl_mouse_host_report(&rep, buf);
	tap_ok(len == 22 && le32(buf + 4) == 14 && le32(buf + 8) == 4 &&
	       le32(buf + 12) == 6 && buf[16] == 5 && buf[17] == 0x34 &&
	       buf[18] == 0x12 && buf[19] == 0xff && buf[20] == 0x7f &&
	       buf[21] == 0xfd, "input report framing and little-endian fields");

	r.n = 0;
	v = ENL_SYNTHHID_VERSION(1, 0);
	len = hid_msg(buf, ENL_SYNTHHID_PROTOCOL_REQUEST, &v, 4);
	enl_mouse_host_recv(&m, buf, len);
	tap_ok(r.n == 1 && r.msg[0][20] == 0 && !m.ready && m.st.bad_version == 1,
	       "version 1.0 refused, no device info, not ready");
	len = hid_msg(buf, ENL_SYNTHHID_INITIAL_DEVICE_INFO_ACK, &ack, 1);
	tap_ok(enl_mouse_host_recv(&m, buf, len) == -EPROTO && !m.ready,
	       "an ack without an approved version is refused");

	tap_ok(enl_mouse_host_recv(&m, buf, 12) == -EINVAL && m.st.bad_length == 1,
	       "shorter than two headers: bad_length");
	len = hid_msg(buf, ENL_SYNTHHID_PROTOCOL_REQUEST, &v, 4);
	buf[4] = 200;
	tap_ok(enl_mouse_host_recv(&m, buf, len) == -EINVAL && m.st.bad_length == 2,
	       "a pipe size beyond the packet: bad_length");
	len = hid_msg(buf, ENL_SYNTHHID_PROTOCOL_REQUEST, &v, 4);
	buf[12] = 9;
	tap_ok(enl_mouse_host_recv(&m, buf, len) == -EINVAL && m.st.bad_length == 3,
	       "a message size beyond the pipe: bad_length");
	len = hid_msg(buf, ENL_SYNTHHID_PROTOCOL_REQUEST, &v, 2);
	tap_ok(enl_mouse_host_recv(&m, buf, len) == -EINVAL && m.st.bad_length == 4,
	       "a protocol request without its version: bad_length");
	len = hid_msg(buf, ENL_SYNTHHID_INPUT_REPORT, &v, 4);
	tap_ok(enl_mouse_host_recv(&m, buf, len) == -EPROTO && m.st.bad_type == 2,
	       "an input report from the guest: bad_type");
	len = hid_msg(buf, ENL_SYNTHHID_PROTOCOL_REQUEST, &v, 4);
	buf[0] = 2;
	tap_ok(enl_mouse_host_recv(&m, buf, len) == -EPROTO && m.st.bad_type == 3,
	       "a pipe message that is not DATA: bad_type");
	r.fail = 1;
	v = ENL_SYNTHHID_VERSION_2_0;
	len = hid_msg(buf, ENL_SYNTHHID_PROTOCOL_REQUEST, &v, 4);
	tap_ok(enl_mouse_host_recv(&m, buf, len) == -EAGAIN && m.st.send_errors == 1,
	       "a failed send is returned and counted");
}

static void test_kbd(void)
{
	struct enl_kbd_host k;
	struct rec r = { 0 };
	struct enl_synthkbd_protocol_request req = {
		{ ENL_SYNTHKBD_PROTOCOL_REQUEST }, ENL_SYNTHKBD_VERSION_1_0 };
	struct enl_synthkbd_led_indicators led = {
		{ ENL_SYNTHKBD_SET_LED_INDICATORS },
		ENL_SYNTHKBD_LED_CAPS_LOCK | ENL_SYNTHKBD_LED_NUM_LOCK, 0 };
	struct enl_synthkbd_keystroke ks;
	struct enl_scan_event ev = { 0x4b, ENL_SCAN_E0 | ENL_SCAN_BREAK };
	uint8_t big[300] = { 4 };
	char s[64];

	enl_kbd_host_init(&k, rec_send, &r);
	tap_ok(enl_kbd_host_recv(&k, &req, sizeof(req)) == 0 && k.ready &&
	       r.n == 1 && r.len[0] == 8 && le32(r.msg[0]) == 2 &&
	       le32(r.msg[0] + 4) == 1, "version 1.0 accepted: response status 1");
	tap_ok(enl_kbd_host_recv(&k, &led, 6) == 0 && k.leds == 6 &&
	       k.led_updates == 1, "six-byte LED message: caps and num kept");
	enl_kbd_leds_str(k.leds, s, sizeof(s));
	tap_ok(!strcmp(s, "caps,num"), "LEDs shown as %s", s);
	enl_kbd_leds_str(0, s, sizeof(s));
	tap_ok(!strcmp(s, "none"), "no LED shown as none");
	tap_ok(enl_kbd_host_recv(&k, &led, 5) == -EINVAL && k.st.bad_length == 1 &&
	       k.leds == 6, "a short LED message is refused, the state kept");
	tap_ok(enl_kbd_host_recv(&k, big, sizeof(big)) == -EINVAL &&
	       k.st.bad_length == 2, "a message above 256 bytes is refused");
	tap_ok(enl_kbd_host_recv(&k, &led, 3) == -EINVAL, "no room for a header");
	led.hdr.type = ENL_SYNTHKBD_EVENT;
	tap_ok(enl_kbd_host_recv(&k, &led, 8) == -EPROTO && k.st.bad_type == 1,
	       "a keystroke from the guest: bad_type");
	r.n = 0;
	req.version = ENL_SYNTHKBD_VERSION(2, 0);
	tap_ok(enl_kbd_host_recv(&k, &req, sizeof(req)) == 0 && !k.ready &&
	       r.n == 1 && le32(r.msg[0] + 4) == 0 && k.st.bad_version == 1,
	       "version 2.0 refused");
	tap_ok(enl_kbd_host_recv(&k, &req, 7) == -EINVAL, "a short request is refused");
	enl_kbd_host_keystroke(&ev, &ks);
	tap_ok(ks.hdr.type == 3 && ks.make_code == 0x4b &&
	       ks.info == (ENL_SYNTHKBD_INFO_E0 | ENL_SYNTHKBD_INFO_BREAK),
	       "keystroke: Left released is 4B with E0 and BREAK");
}

int main(void)
{
	test_text();
	test_combo();
	test_keysym();
	test_mouse();
	test_kbd();
	return tap_done();
}
