/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every enl-* daemon's main() shares: options (-f/--foreground,
 * --config, --version, --help, -v/--verbose), logging identity, the config
 * section, the GLib main loop, SIGTERM/SIGINT for a clean exit and the
 * READY/STOPPING notifications.
 */
#ifndef ENL_DAEMON_H
#define ENL_DAEMON_H

#include <stdbool.h>
#include <glib.h>

#include "config.h"

struct enl_daemon {
	const char *ident;	/* "enl-heartbeatd": log identity */
	const char *summary;	/* one line for --help */
	bool foreground;
	bool verbose;
	char *config_path;
	struct enl_config cfg;	/* loaded, section selected */
	GMainLoop *loop;
	int exit_status;
};

/*
 * Parse argv (extra may add daemon options, NULL-terminated or NULL), set up
 * logging and load the [section] of the config. Returns -1 to go on, or
 * the status main() must exit with (--version, --help, bad usage, bad
 * config).
 */
int enl_daemon_init(struct enl_daemon *d, const char *section, int *argc,
		    char ***argv, const GOptionEntry *extra);
/* Check the config getters found nothing wrong: 0 or exit status. */
int enl_daemon_config_ok(struct enl_daemon *d);
/* Notify READY, run until SIGTERM/SIGINT or enl_daemon_quit; exit status. */
int enl_daemon_run(struct enl_daemon *d);
void enl_daemon_quit(struct enl_daemon *d, int status);
void enl_daemon_free(struct enl_daemon *d);

#endif /* ENL_DAEMON_H */
