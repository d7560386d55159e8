// SPDX-License-Identifier: GPL-2.0-only
/*
 * The input ctl verbs' parsers through the real dispatcher: with no guest
 * driver on the devices, a well-formed request gets "no keyboard"/"no
 * mouse" (it parsed, the events were dropped and counted), a malformed
 * one says what is wrong.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "ctl.h"
#include "hid_glue.h"
#include "hid_vsp.h"
#include "json_check.h"
#include "tap.h"

static struct enl_ctl *ctl;

/* A display in 800x600, as enl-host's synthetic display would report. */
static bool display_800x600(uint32_t *width, uint32_t *height)
{
	*width = 800;
	*height = 600;
	return true;
}

static int says(const char *line, const char *want)
{
	g_autoptr(GString) r = g_string_new(NULL);
	int ok;

	enl_ctl_dispatch(ctl, line, r);
	ok = strstr(r->str, want) != NULL;
	if (!ok)
		tap_diag("%s -> %s", line, r->str);
	return ok;
}

/* `--json LINE` parsed back: its data (NULL when not ok) in *root. */
static JsonNode *json_of(const char *line, JsonNode **root)
{
	g_autofree char *req = g_strconcat("--json ", line, NULL);
	g_autoptr(GString) r = g_string_new(NULL);

	enl_ctl_dispatch(ctl, req, r);
	*root = json_check_reply(r->str);
	if (!*root)
		tap_diag("%s -> %s", req, r->str);
	return json_check_data(*root);
}

static void json_checks(void)
{
	JsonNode *root, *d;

	d = json_of("hid", &root);
	tap_ok(d && json_check_int(d, "mouse.queued") == 0 &&
	       json_check_str(d, "keyboard.leds") &&
	       json_check_int(d, "keyboard.version") == 0,
	       "--json hid: mouse and keyboard objects, parsed back");
	json_node_unref(root);
	d = json_of("hid status", &root);
	tap_ok(d && json_check_at(d, "mouse.open") &&
	       !json_node_get_boolean(json_check_at(d, "mouse.open")),
	       "--json hid status: open is a boolean");
	json_node_unref(root);
	/* The older per-verb form: the body is the data alone. */
	tap_ok(says("hid status --json", "ok\n{\"mouse\":{\"open\":false"),
	       "hid status --json: the data as the body");
	d = json_of("type x", &root);
	tap_ok(!d && root && strstr(json_check_str(root, "error"), "no keyboard"),
	       "--json type without a keyboard: ok false with the reason");
	json_node_unref(root);
	d = json_of("key 'ctrl+\x1b'", &root);
	tap_ok(!d && root && json_check_str(root, "error") &&
	       !strchr(json_check_str(root, "error"), '\x1b') &&
	       strstr(json_check_str(root, "error"), "ctrl+\\x1b"),
	       "--json key: an ESC in the request comes back escaped");
	json_node_unref(root);
}

int main(void)
{
	g_autofree char *dir = g_dir_make_tmp("enl-hid-ctl-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "ctl.sock", NULL);
	struct enl_hid_dev_status st;
	int err;

	ctl = enl_ctl_new(path, &err);
	if (!tap_ok(ctl != NULL, "ctl server (%d)", err))
		return tap_done();
	enl_hid_register_ctl(NULL, ctl);

	tap_ok(says("type 'hello world'", "no keyboard"), "type: parses, no keyboard open");
	tap_ok(says("type 'caf\xc3\xa9'", "no key types byte 3"), "type: non-ASCII named by offset");
	tap_ok(says("type", "usage: type"), "type: needs text");
	tap_ok(says("key ctrl+alt+f2 Return", "no keyboard"), "key: two combos parse");
	tap_ok(says("key ctrl+alt+f13", "unknown key 'f13'"), "key: unknown key named");
	tap_ok(says("mouse 100 200 left,right --wheel -2", "no mouse"), "mouse: position, buttons, wheel parse");
	tap_ok(says("mouse 0 32767 31", "no mouse"), "mouse: edges and a numeric button mask");
	tap_ok(says("mouse 32768 0", "want 0..32767"), "mouse: beyond 32767 refused");
	tap_ok(says("mouse -1 0", "want 0..32767"), "mouse: negative refused");
	tap_ok(says("mouse 10px 10px", "size is unknown"), "mouse: pixels need the screen size");
	enl_hid_set_screen_size(1024, 768);
	tap_ok(says("mouse 1023px 767px", "no mouse"), "mouse: pixels within a 1024x768 screen");
	tap_ok(says("mouse 1024px 0", "want 0..1023px"), "mouse: pixels beyond the screen refused");
	enl_hid_set_screen_source(display_800x600);
	tap_ok(says("mouse 799px 599px", "no mouse") &&
	       says("mouse 800px 0", "want 0..799px"),
	       "mouse: a screen source (800x600) wins over the size set");
	tap_ok(says("mouse 1 2 thumb", "buttons are none"), "mouse: unknown button refused");
	tap_ok(says("mouse 1 2 --wheel 300", "usage: mouse"), "mouse: wheel beyond 127 refused");
	tap_ok(says("mouse 1", "usage: mouse"), "mouse: needs X and Y");
	tap_ok(says("hid", "mouse: open=0") && says("hid", "keyboard: open=0"),
	       "hid status: neither device open");
	tap_ok(says("hid --json", "\"keyboard\":{\"open\":false"), "hid status --json");
	tap_ok(says("hid leds", "no keyboard open"), "hid leds without a keyboard");
	tap_ok(says("hid fault kbd-short", "not open"), "hid fault without a keyboard");
	tap_ok(says("hid frobnicate", "usage: hid"), "hid: unknown sub-verb");
	tap_ok(!enl_hid_status(true, &st) && st.dropped == 22 + 8 &&
	       !enl_hid_status(false, &st) && st.dropped == 4,
	       "the dropped events were counted (keyboard %llu)",
	       (unsigned long long)st.dropped);
	json_checks();
	enl_ctl_free(ctl);
	g_rmdir(dir);
	return tap_done();
}
