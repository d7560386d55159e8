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
	enl_ctl_free(ctl);
	g_rmdir(dir);
	return tap_done();
}
