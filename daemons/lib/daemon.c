// SPDX-License-Identifier: GPL-2.0-only
/* Shared daemon scaffolding: options, config, main loop, signals. */
#include "daemon.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <glib-unix.h>

#include "log.h"
#include "notify.h"

#ifndef ENL_VERSION
#define ENL_VERSION "unknown"
#endif

int enl_daemon_init(struct enl_daemon *d, const char *section, int *argc,
		    char ***argv, const GOptionEntry *extra)
{
	gboolean version = FALSE;
	const GOptionEntry common[] = {
		{ "foreground", 'f', 0, G_OPTION_ARG_NONE, &d->foreground,
		  "Stay in the foreground (implied under systemd)", NULL },
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &d->config_path,
		  "Configuration file (default " ENL_CONFIG_DEFAULT ")",
		  "FILE" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &d->verbose,
		  "Log debug messages", NULL },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version,
		  "Print the version and exit", NULL },
		{ NULL }
	};
	GOptionContext *oc = g_option_context_new(NULL);
	GError *err = NULL;
	bool under_systemd = getenv("NOTIFY_SOCKET") || getenv("INVOCATION_ID");

	g_option_context_set_summary(oc, d->summary);
	g_option_context_add_main_entries(oc, common, NULL);
	if (extra)
		g_option_context_add_main_entries(oc, extra, NULL);
	if (!g_option_context_parse(oc, argc, argv, &err)) {
		fprintf(stderr, "%s: %s (try --help)\n", d->ident,
			err->message);
		g_error_free(err);
		g_option_context_free(oc);
		return 2;
	}
	g_option_context_free(oc);
	if (version) {
		printf("%s %s\n", d->ident, ENL_VERSION);
		return 0;
	}
	/*
	 * Under systemd stderr already lands in the journal: no duplicates.
	 * In the foreground stderr is the log, even when redirected to a file.
	 */
	enl_log_init(d->ident, (d->foreground || isatty(STDERR_FILENO)) &&
		     !under_systemd);
	if (d->verbose)
		enl_log_set_level(LOG_DEBUG);
	if (enl_config_load(&d->cfg, d->config_path, section) < 0)
		return 1;
	if (!d->foreground && !under_systemd && daemon(0, 0) < 0) {
		enl_err("cannot daemonize: %m");
		return 1;
	}
	return -1;
}

int enl_daemon_config_ok(struct enl_daemon *d)
{
	if (!d->cfg.errors)
		return -1;
	enl_err("%u configuration error(s); not starting", d->cfg.errors);
	return 1;
}

static gboolean on_signal(gpointer data)
{
	struct enl_daemon *d = data;

	enl_info("terminating on signal");
	enl_daemon_quit(d, 0);
	return G_SOURCE_CONTINUE;
}

int enl_daemon_run(struct enl_daemon *d)
{
	guint s1, s2;

	d->loop = g_main_loop_new(NULL, FALSE);
	s1 = g_unix_signal_add(SIGTERM, on_signal, d);
	s2 = g_unix_signal_add(SIGINT, on_signal, d);
	/* A peer closing its socket must not kill us before we log it. */
	signal(SIGPIPE, SIG_IGN);
	enl_notify_ready();
	g_main_loop_run(d->loop);
	enl_notify_stopping();
	g_source_remove(s1);
	g_source_remove(s2);
	g_main_loop_unref(d->loop);
	d->loop = NULL;
	return d->exit_status;
}

void enl_daemon_quit(struct enl_daemon *d, int status)
{
	d->exit_status = status;
	if (d->loop)
		g_main_loop_quit(d->loop);
}

void enl_daemon_free(struct enl_daemon *d)
{
	enl_config_free(&d->cfg);
	g_free(d->config_path);
	d->config_path = NULL;
}
