// SPDX-License-Identifier: GPL-2.0-only
/* `ctl vnc`: where the console listens, its clients and what it passed on. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "console.h"
#include "console_glue.h"
#include "ctl.h"

static int vnc_verb(void *ctx, struct enl_ctl_req *req)
{
	struct enl_console *con = enl_console_get();
	struct enl_console_stats s;
	const char *web;

	(void)ctx;
	if (enl_ctl_nargs(req, 1, 1))
		return -EINVAL;
	if (!con) {
		g_string_append(req->out, "no console (enl-host run --vnc :N)\n");
		return -ENODEV;
	}
	enl_console_get_stats(con, &s);
	web = enl_console_web_url(con);
	enl_ctl_kv_begin_words(req, NULL, NULL);
	enl_ctl_kv_str(req, "address", enl_console_address(con));
	enl_ctl_kv_u64(req, "clients", s.clients);
	enl_ctl_kv_u64(req, "updates", s.updates);
	enl_ctl_kv_u64(req, "mode_changes", s.mode_changes);
	enl_ctl_kv_u64(req, "cursor_changes", s.cursor_changes);
	/* Text "web none" without a page, JSON null. */
	g_string_append(req->out, " web ");
	enl_ctl_escape(req->out, web ? web : "none", -1);
	if (req->json)
		enl_json_str(req->json, "web_url", web);
	enl_ctl_kv_u64(req, "web_clients", s.web_clients);
	enl_ctl_kv_u64(req, "web_refused", s.web_refused);
	enl_ctl_kv_end(req);
	return 0;
}

void enl_console_register_ctl(struct enl_ctl *ctl)
{
	static const struct enl_ctl_verb verbs[] = {
		{ "vnc", vnc_verb, "vnc [--json]: the VNC console's address, "
		  "its browser page and clients", ENL_CTL_JSON_ARG },
	};

	ENL_CTL_ADD_VERBS(ctl, NULL, verbs);
}
