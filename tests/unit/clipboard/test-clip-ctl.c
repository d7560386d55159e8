// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-host's `ctl clipboard` verb on a host engine: its --json replies
 * parse back, and clipboard text with hostile bytes comes back exactly in
 * JSON and escaped in the text reply.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "clip_glue.h"
#include "clip_pair.h"
#include "ctl.h"
#include "json_check.h"
#include "tap.h"

static const struct enl_clip_ops guest_ops = { .send = guest_send };

/* argv through the dispatcher (any bytes), the reply in r. */
static void call(struct enl_ctl *ctl, GString *r, int argc, char **argv)
{
	g_string_truncate(r, 0);
	enl_ctl_dispatch_argv(ctl, argc, argv, r);
}

int main(void)
{
	static const char hostile[] = "a\nb\x1b[2J\"\\\x7f\xc2\x9b end";
	struct enl_ctl *ctl = enl_ctl_new_offline();
	g_autoptr(GString) r = g_string_new(NULL);
	char *set[] = { "--json", "clipboard", "set", (char *)hostile, NULL };
	char *get[] = { "--json", "clipboard", "get", NULL };
	char *get_text[] = { "clipboard", "get", NULL };
	char *status[] = { "--json", "clipboard", NULL };
	JsonNode *root, *d;

	pair_open(&guest_ops);
	pump();
	tap_ok(host.e.ready && guest.ready, "host and guest engines negotiate");
	enl_clip_register_ctl(&host, ctl);

	call(ctl, r, 4, set);
	root = json_check_reply(r->str);
	d = json_check_data(root);
	tap_ok(d && !g_strcmp0(json_check_str(d, "format"), "text") &&
	       json_check_int(d, "bytes") == (gint64)strlen(hostile),
	       "--json clipboard set: format and size, parsed back");
	json_node_unref(root);
	pump();

	call(ctl, r, 3, get);
	root = json_check_reply(r->str);
	d = json_check_data(root);
	tap_ok(d && !g_strcmp0(json_check_str(d, "text"), hostile),
	       "--json clipboard get: the text byte for byte");
	tap_ok(root && !strchr(r->str, '\x1b') && !strchr(r->str, '\x7f'),
	       "--json clipboard get: one line, no raw control byte");
	json_node_unref(root);

	call(ctl, r, 2, get_text);
	tap_ok(!strcmp(r->str, "ok\na\\nb\\x1b[2J\"\\\\\\x7f\\xc2\\x9b end\n"),
	       "clipboard get: text escaped, one line");
	if (strcmp(r->str, "ok\na\\nb\\x1b[2J\"\\\\\\x7f\\xc2\\x9b end\n"))
		tap_diag("%s", r->str);

	call(ctl, r, 2, status);
	root = json_check_reply(r->str);
	d = json_check_data(root);
	tap_ok(d && !g_strcmp0(json_check_str(d, "owner"), "host") &&
	       json_check_len(d, "formats") == 1 &&
	       json_check_int(d, "formats.0.bytes") == (gint64)strlen(hostile) &&
	       json_check_int(d, "tx") > 0,
	       "--json clipboard status: owner, formats and counters");
	json_node_unref(root);

	call(ctl, r, 4, (char *[]){ "--json", "clipboard", "frob", "x", NULL });
	root = json_check_reply(r->str);
	tap_ok(root && !json_check_data(root) &&
	       g_str_has_prefix(json_check_str(root, "error"), "usage: "),
	       "--json clipboard frob: ok false with the usage");
	json_node_unref(root);

	enl_ctl_free(ctl);
	enl_clip_host_close(&host);
	enl_clip_host_free(&host);
	enl_clip_free(&guest);
	close(hfd);
	close(gfd);
	return tap_done();
}
