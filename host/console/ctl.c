// SPDX-License-Identifier: GPL-2.0-only
/* `ctl vnc`: where the console listens, its clients and what it passed on. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "console.h"
#include "console_glue.h"
#include "ctl.h"

static int vnc_verb(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_console *con = enl_console_get();
	struct enl_console_stats s;
	const char *web;
	bool json = argc == 2 && !strcmp(argv[1], "--json");

	(void)ctx;
	if (argc > 2 || (argc == 2 && !json)) {
		g_string_append(out, "usage: vnc [--json]\n");
		return -EINVAL;
	}
	if (!con) {
		g_string_append(out, "no console (enl-host run --vnc :N)\n");
		return -ENODEV;
	}
	enl_console_get_stats(con, &s);
	web = enl_console_web_url(con);
	if (json)
		g_string_append_printf(out, "{\"address\":\"%s\",\"clients\":%" PRIu64
				       ",\"updates\":%" PRIu64 ",\"mode_changes\":%" PRIu64
				       ",\"cursor_changes\":%" PRIu64
				       ",\"web_url\":%s%s%s,\"web_clients\":%" PRIu64
				       ",\"web_refused\":%" PRIu64 "}\n",
				       enl_console_address(con), s.clients,
				       s.updates, s.mode_changes, s.cursor_changes,
				       web ? "\"" : "", web ? web : "null",
				       web ? "\"" : "", s.web_clients, s.web_refused);
	else
		g_string_append_printf(out, "address %s clients %" PRIu64
				       " updates %" PRIu64 " mode_changes %" PRIu64
				       " cursor_changes %" PRIu64 " web %s web_clients %"
				       PRIu64 " web_refused %" PRIu64 "\n",
				       enl_console_address(con), s.clients,
				       s.updates, s.mode_changes, s.cursor_changes,
				       web ? web : "none", s.web_clients,
				       s.web_refused);
	return 0;
}

void enl_console_register_ctl(struct enl_ctl *ctl)
{
	enl_ctl_register(ctl, "vnc", vnc_verb, NULL,
			 "vnc [--json]: the VNC console's address, its browser page and clients");
}
