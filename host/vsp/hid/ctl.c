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

static int queue_keys(const struct enl_scan_event *ev, size_t n,
		      struct enl_ctl_req *req)
{
	GString *out = req->out;
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
	if (!ret)
		enl_json_one_u64(req->json, "events", n);
	return ret;
}

static int verb_type(void *ctx, struct enl_ctl_req *req)
{
	int argc = req->argc;
	char **argv = req->argv;
	GString *out = req->out;
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
	return queue_keys(ev, (size_t)n, req);
}

static int verb_key(void *ctx, struct enl_ctl_req *req)
{
	int argc = req->argc;
	char **argv = req->argv;
	GString *out = req->out;
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
			enl_ctl_escape(out, argv[i], -1);
			g_string_append_printf(out, ": %s '", got == -ENOSPC ?
					       "too many keys at" :
					       "unknown key");
			enl_ctl_escape(out, bad, -1);
			g_string_append(out, "'\n");
			return -EINVAL;
		}
		n += (size_t)got;
	}
	return queue_keys(ev, n, req);
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

static int verb_mouse(void *ctx, struct enl_ctl_req *req)
{
	int argc = req->argc;
	char **argv = req->argv;
	GString *out = req->out;
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
	if (!ret && req->json) {
		enl_json_obj(req->json, NULL);
		enl_json_u64(req->json, "x", r.x);
		enl_json_u64(req->json, "y", r.y);
		enl_json_u64(req->json, "buttons", r.buttons);
		enl_json_i64(req->json, "wheel", r.wheel);
		enl_json_end(req->json);
	}
	return ret;
usage:
	g_string_append(out, "usage: mouse X Y [BUTTONS] [--wheel N]: X, Y in "
			"0..32767 or NNNpx; BUTTONS none, 0..31 or "
			"left,right,middle,side,extra (held until the next "
			"report)\n");
	return -EINVAL;
}

/* One device's line, and with --json its object under its name. */
static void dev_status(struct enl_ctl_req *req, bool keyboard)
{
	struct enl_hid_dev_status s;
	bool open = enl_hid_status(keyboard, &s);
	const char *name = keyboard ? "keyboard" : "mouse";
	char head[16], leds[64];

	enl_kbd_leds_str(s.leds, leds, sizeof(leds));
	g_snprintf(head, sizeof(head), "%s:", name);
	enl_ctl_kv_begin(req, name, head);
	enl_ctl_kv_bool(req, "open", open);
	enl_ctl_kv_bool(req, "ready", s.ready);
	enl_ctl_kv_u64(req, "relid", s.relid);
	enl_ctl_kv_hex(req, "version", s.version, 8);
	enl_ctl_kv_u64(req, "queued", s.queued);
	enl_ctl_kv_u64(req, "pending", s.pending);
	enl_ctl_kv_u64(req, "dropped", s.dropped);
	enl_ctl_kv_u64(req, "ring_full", s.ring_full);
	enl_ctl_kv_u64(req, "packets", s.st.packets);
	enl_ctl_kv_u64(req, "sent", s.st.sent);
	enl_ctl_kv_u64(req, "bad_length", s.st.bad_length);
	enl_ctl_kv_u64(req, "bad_type", s.st.bad_type);
	enl_ctl_kv_u64(req, "bad_version", s.st.bad_version);
	enl_ctl_kv_u64(req, "send_errors", s.st.send_errors);
	if (keyboard) {
		enl_ctl_kv_str(req, "leds", leds);
		enl_ctl_kv_u64(req, "led_updates", s.led_updates);
	} else {
		enl_ctl_kv_u64(req, "x", s.last.x);
		enl_ctl_kv_u64(req, "y", s.last.y);
		enl_ctl_kv_hex(req, "buttons", s.last.buttons, 2);
	}
	enl_ctl_kv_end(req);
}

static int verb_hid(void *ctx, struct enl_ctl_req *req)
{
	const char *sub = req->argc > 1 ? req->argv[1] : "status";
	int ret;

	(void)ctx;
	if (!strcmp(sub, "status")) {
		if (enl_ctl_nargs(req, 1, 2))
			return -EINVAL;
		if (req->json)
			enl_json_obj(req->json, NULL);
		dev_status(req, false);
		dev_status(req, true);
		if (req->json)
			enl_json_end(req->json);
		return 0;
	}
	if (!strcmp(sub, "leds")) {
		struct enl_hid_dev_status s;
		char leds[64];

		if (enl_ctl_nargs(req, 2, 2))
			return -EINVAL;
		if (!enl_hid_status(true, &s)) {
			g_string_append(req->out, "no keyboard open\n");
			return -ENODEV;
		}
		enl_kbd_leds_str(s.leds, leds, sizeof(leds));
		enl_ctl_kv_begin(req, NULL, NULL);
		enl_ctl_kv_str(req, "leds", leds);
		if (req->json)
			enl_json_u64(req->json, "flags", s.leds);
		enl_ctl_kv_u64(req, "updates", s.led_updates);
		enl_ctl_kv_end(req);
		return 0;
	}
	if (!strcmp(sub, "fault")) {
		if (enl_ctl_nargs(req, 3, 3))
			return -EINVAL;
		ret = enl_hid_fault(req->argv[2]);
		if (ret == -ENODEV)
			g_string_append(req->out, "that device is not open\n");
		else if (ret == -EINVAL)
			g_string_append(req->out, "fault kinds: " ENL_HID_FAULTS
					"\n");
		else if (ret)
			g_string_append_printf(req->out, "%s\n",
					       g_strerror(-ret));
		else
			enl_json_one_str(req->json, "fault", req->argv[2]);
		return ret;
	}
	return -EINVAL;
}

void enl_hid_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl)
{
	static const struct enl_ctl_verb verbs[] = {
		{ "type", verb_type,
		  "type TEXT: type on the synthetic keyboard (US layout)", 0 },
		{ "key", verb_key,
		  "key COMBO...: press and release keys, e.g. ctrl+alt+f2 "
		  "Return", 0 },
		{ "mouse", verb_mouse,
		  "mouse X Y [BUTTONS] [--wheel N]: move the synthetic mouse "
		  "(0..32767 or NNNpx), buttons left,right,...", 0 },
		{ "hid", verb_hid,
		  "hid [status|leds] [--json] | hid fault " ENL_HID_FAULTS
		  ": the synthetic keyboard and mouse", ENL_CTL_JSON_ARG },
	};

	(void)srv;
	ENL_CTL_ADD_VERBS(ctl, NULL, verbs);
}
