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
	g_string_append(req->out, "address ");
	enl_ctl_escape(req->out, enl_console_address(con), -1);
	g_string_append_printf(req->out, " clients %" PRIu64 " updates %" PRIu64
			       " mode_changes %" PRIu64 " cursor_changes %"
			       PRIu64 " web ", s.clients, s.updates,
			       s.mode_changes, s.cursor_changes);
	enl_ctl_escape(req->out, web ? web : "none", -1);
	g_string_append_printf(req->out, " web_clients %" PRIu64
			       " web_refused %" PRIu64 "\n", s.web_clients,
			       s.web_refused);
	if (req->json) {
		struct enl_json *j = req->json;

		enl_json_obj(j, NULL);
		enl_json_str(j, "address", enl_console_address(con));
		enl_json_u64(j, "clients", s.clients);
		enl_json_u64(j, "updates", s.updates);
		enl_json_u64(j, "mode_changes", s.mode_changes);
		enl_json_u64(j, "cursor_changes", s.cursor_changes);
		enl_json_str(j, "web_url", web);
		enl_json_u64(j, "web_clients", s.web_clients);
		enl_json_u64(j, "web_refused", s.web_refused);
		enl_json_end(j);
	}
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
