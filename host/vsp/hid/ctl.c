// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-host's input verbs: `type TEXT`, `key COMBO...`, `mouse X Y
 * [BUTTONS] [--wheel N]` and `hid [status|leds] [--json] | hid fault
 * KIND`. Events go to the open keyboard or mouse through the hub
 * (hid_vsp.h); the verbs return once they are queued.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"
#include "hid_glue.h"
#include "hid_vsp.h"

/* A ctl request line is at most 4 KiB: this holds any of its text. */
#define MAX_EVENTS	(4 * 4096)

static int queue_keys(const struct enl_scan_event *ev, size_t n, GString *out)
{
	int ret = enl_hid_queue_keys(ev, n);

	if (ret == -ENODEV)
		g_string_append(out, "no keyboard: the guest has no driver on "
				"it (enl-host run --offer keyboard; modprobe "
				"enl_hid)\n");
	else if (ret == -ENOSPC)
		g_string_append(out, "too many keys pending: the guest is "
				"not reading them\n");
	else
		g_string_append_printf(out, "%zu events queued\n", n);
	return ret;
}

static int verb_type(void *ctx, int argc, char **argv, GString *out)
{
	g_autofree struct enl_scan_event *ev = NULL;
	g_autofree char *text = NULL;
	size_t bad = 0;
	int n;

	(void)ctx;
	if (argc < 2) {
		g_string_append(out, "usage: type TEXT (US layout; \\n is Return)\n");
		return -EINVAL;
	}
	text = g_strjoinv(" ", argv + 1);
	ev = g_new(struct enl_scan_event, MAX_EVENTS);
	n = enl_scan_text(text, ev, MAX_EVENTS, &bad);
	if (n == -EINVAL) {
		g_string_append_printf(out, "no key types byte %zu (0x%02x): "
				       "printable ASCII, newline and tab only\n",
				       bad, (unsigned char)text[bad]);
		return n;
	}
	if (n < 0) {
		g_string_append(out, "text too long\n");
		return n;
	}
	if (!n) {
		g_string_append(out, "nothing to type\n");
		return -EINVAL;
	}
	return queue_keys(ev, (size_t)n, out);
}

static int verb_key(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_scan_event ev[64 * ENL_SCAN_MAX_COMBO];
	size_t n = 0;

	(void)ctx;
	if (argc < 2 || argc > 65) {
		g_string_append(out, "usage: key COMBO... (e.g. ctrl+alt+f2 "
				"Return; at most 64)\n");
		return -EINVAL;
	}
	for (int i = 1; i < argc; i++) {
		const char *bad;
		int got = enl_scan_combo(argv[i], ev + n,
					 G_N_ELEMENTS(ev) - n, &bad);

		if (got < 0) {
			g_string_append_printf(out, "%s: %s '%s'\n", argv[i],
					       got == -ENOSPC ? "too many keys at" :
					       "unknown key", bad);
			return -EINVAL;
		}
		n += (size_t)got;
	}
	return queue_keys(ev, n, out);
}

static bool parse_long(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return !errno && end != s && !*end && *v >= min && *v <= max;
}

/* X or Y: 0..32767, or NNNpx on a screen of size pixels. */
static bool parse_coord(const char *s, uint32_t size, uint16_t *v,
			GString *out)
{
	g_autofree char *num = NULL;
	long n;

	if (!g_str_has_suffix(s, "px")) {
		if (!parse_long(s, 0, ENL_SYNTHHID_ABS_MAX, &n)) {
			g_string_append_printf(out, "%s: want 0..%d or NNNpx\n",
					       s, ENL_SYNTHHID_ABS_MAX);
			return false;
		}
		*v = (uint16_t)n;
		return true;
	}
	if (!size) {
		g_string_append(out, "the guest screen's size is unknown: give "
				"0..32767 instead of pixels\n");
		return false;
	}
	num = g_strndup(s, strlen(s) - 2);
	if (!parse_long(num, 0, (long)size - 1, &n)) {
		g_string_append_printf(out, "%s: want 0..%upx\n", s, size - 1);
		return false;
	}
	*v = size > 1 ? (uint16_t)(n * ENL_SYNTHHID_ABS_MAX / (size - 1)) : 0;
	return true;
}

static bool parse_buttons(const char *s, uint8_t *b, GString *out)
{
	static const struct { const char *name; uint8_t bit; } names[] = {
		{ "left", ENL_SYNTHHID_BTN_LEFT },
		{ "right", ENL_SYNTHHID_BTN_RIGHT },
		{ "middle", ENL_SYNTHHID_BTN_MIDDLE },
		{ "side", ENL_SYNTHHID_BTN_SIDE },
		{ "extra", ENL_SYNTHHID_BTN_EXTRA },
	};
	g_auto(GStrv) parts = NULL;
	long n;

	*b = 0;
	if (!strcasecmp(s, "none"))
		return true;
	if (parse_long(s, 0, 31, &n)) {
		*b = (uint8_t)n;
		return true;
	}
	parts = g_strsplit_set(s, ",+", -1);
	for (char **p = parts; *p; p++) {
		size_t i;

		for (i = 0; i < G_N_ELEMENTS(names); i++)
			if (!strcasecmp(*p, names[i].name))
				break;
		if (i == G_N_ELEMENTS(names)) {
			g_string_append_printf(out, "%s: buttons are none, 0..31 "
					       "or left,right,middle,side,extra\n",
					       *p);
			return false;
		}
		*b |= names[i].bit;
	}
	return true;
}

static int verb_mouse(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_synthhid_mouse_report r = { 0 };
	uint16_t x, y;
	uint32_t w, h;
	char *pos[3];
	int npos = 0, ret;
	long wheel = 0;

	(void)ctx;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--wheel") && i + 1 < argc) {
			if (!parse_long(argv[++i], -127, 127, &wheel))
				goto usage;
		} else if (npos < 3) {
			pos[npos++] = argv[i];
		} else {
			goto usage;
		}
	}
	if (npos < 2)
		goto usage;
	enl_hid_screen_size(&w, &h);
	if (!parse_coord(pos[0], w, &x, out) ||
	    !parse_coord(pos[1], h, &y, out) ||
	    (npos == 3 && !parse_buttons(pos[2], &r.buttons, out)))
		return -EINVAL;
	r.x = x;
	r.y = y;
	r.wheel = (int8_t)wheel;
	ret = enl_hid_queue_mouse(&r);
	if (ret == -ENODEV)
		g_string_append(out, "no mouse: the guest has no driver on it "
				"(enl-host run --offer mouse; modprobe enl_hid)\n");
	else if (ret)
		g_string_append(out, "too many reports pending: the guest is "
				"not reading them\n");
	else
		g_string_append_printf(out, "x=%u y=%u buttons=0x%02x wheel=%d\n",
				       r.x, r.y, r.buttons, r.wheel);
	return ret;
usage:
	g_string_append(out, "usage: mouse X Y [BUTTONS] [--wheel N]: X, Y in "
			"0..32767 or NNNpx; BUTTONS none, 0..31 or "
			"left,right,middle,side,extra (held until the next "
			"report)\n");
	return -EINVAL;
}

static void dev_status(GString *out, bool keyboard, bool json)
{
	struct enl_hid_dev_status s;
	bool open = enl_hid_status(keyboard, &s);
	const char *name = keyboard ? "keyboard" : "mouse";
	char leds[64];

	enl_kbd_leds_str(s.leds, leds, sizeof(leds));
	if (json) {
		g_string_append_printf(out,
			"\"%s\":{\"open\":%s,\"ready\":%s,\"relid\":%u,"
			"\"version\":%u,\"queued\":%" PRIu64 ",\"pending\":%"
			PRIu64 ",\"dropped\":%" PRIu64 ",\"ring_full\":%" PRIu64
			",\"packets\":%" PRIu64 ",\"sent\":%" PRIu64
			",\"bad_length\":%" PRIu64 ",\"bad_type\":%" PRIu64
			",\"bad_version\":%" PRIu64 ",\"send_errors\":%" PRIu64,
			name, open ? "true" : "false",
			s.ready ? "true" : "false", s.relid, s.version,
			s.queued, s.pending, s.dropped, s.ring_full,
			s.st.packets, s.st.sent, s.st.bad_length, s.st.bad_type,
			s.st.bad_version, s.st.send_errors);
		if (keyboard)
			g_string_append_printf(out, ",\"leds\":\"%s\","
					       "\"led_updates\":%" PRIu64 "}",
					       leds, s.led_updates);
		else
			g_string_append_printf(out, ",\"x\":%u,\"y\":%u,"
					       "\"buttons\":%u}", s.last.x,
					       s.last.y, s.last.buttons);
		return;
	}
	g_string_append_printf(out,
		"%s: open=%d ready=%d relid=%u version=0x%08x queued=%" PRIu64
		" pending=%" PRIu64 " dropped=%" PRIu64 " ring_full=%" PRIu64
		" packets=%" PRIu64 " sent=%" PRIu64 " bad_length=%" PRIu64
		" bad_type=%" PRIu64 " bad_version=%" PRIu64
		" send_errors=%" PRIu64, name, open, s.ready, s.relid,
		s.version, s.queued, s.pending, s.dropped, s.ring_full,
		s.st.packets, s.st.sent, s.st.bad_length, s.st.bad_type,
		s.st.bad_version, s.st.send_errors);
	if (keyboard)
		g_string_append_printf(out, " leds=%s led_updates=%" PRIu64 "\n",
				       leds, s.led_updates);
	else
		g_string_append_printf(out, " x=%u y=%u buttons=0x%02x\n",
				       s.last.x, s.last.y, s.last.buttons);
}

static int verb_hid(void *ctx, int argc, char **argv, GString *out)
{
	const char *sub = argc > 1 ? argv[1] : "status";
	bool json = argc > 2 && !strcmp(argv[argc - 1], "--json");
	int ret;

	(void)ctx;
	if (!strcmp(sub, "--json")) {
		sub = "status";
		json = true;
	}
	if (!strcmp(sub, "status") && argc <= 3) {
		g_string_append(out, json ? "{" : "");
		dev_status(out, false, json);
		g_string_append(out, json ? "," : "");
		dev_status(out, true, json);
		g_string_append(out, json ? "}\n" : "");
		return 0;
	}
	if (!strcmp(sub, "leds") && argc <= 3) {
		struct enl_hid_dev_status s;
		char leds[64];

		if (!enl_hid_status(true, &s)) {
			g_string_append(out, "no keyboard open\n");
			return -ENODEV;
		}
		enl_kbd_leds_str(s.leds, leds, sizeof(leds));
		if (json)
			g_string_append_printf(out, "{\"leds\":\"%s\",\"flags\":%u,"
					       "\"updates\":%" PRIu64 "}\n",
					       leds, s.leds, s.led_updates);
		else
			g_string_append_printf(out, "leds=%s updates=%" PRIu64 "\n",
					       leds, s.led_updates);
		return 0;
	}
	if (!strcmp(sub, "fault") && argc == 3) {
		ret = enl_hid_fault(argv[2]);
		if (ret == -ENODEV)
			g_string_append(out, "that device is not open\n");
		else if (ret == -EINVAL)
			g_string_append(out, "fault kinds: " ENL_HID_FAULTS "\n");
		else if (ret)
			g_string_append_printf(out, "%s\n", g_strerror(-ret));
		return ret;
	}
	g_string_append(out, "usage: hid [status] [--json] | hid leds [--json] | "
			"hid fault " ENL_HID_FAULTS "\n");
	return -EINVAL;
}

void enl_hid_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl)
{
	(void)srv;
	enl_ctl_register(ctl, "type", verb_type, NULL,
			 "type TEXT: type on the synthetic keyboard (US layout)");
	enl_ctl_register(ctl, "key", verb_key, NULL,
			 "key COMBO...: press and release keys, e.g. "
			 "ctrl+alt+f2 Return");
	enl_ctl_register(ctl, "mouse", verb_mouse, NULL,
			 "mouse X Y [BUTTONS] [--wheel N]: move the synthetic "
			 "mouse (0..32767 or NNNpx), buttons left,right,...");
	enl_ctl_register(ctl, "hid", verb_hid, NULL,
			 "hid [status|leds] [--json] | hid fault KIND: the "
			 "synthetic keyboard and mouse");
}
