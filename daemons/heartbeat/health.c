// SPDX-License-Identifier: GPL-2.0-only
/* Periodic health-check command with timeout (see health.h). */
#include "health.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "log.h"

int enl_health_init(struct enl_health *h, const char *command,
		    unsigned int interval_s, unsigned int timeout_s)
{
	GError *err = NULL;

	memset(h, 0, sizeof(*h));
	h->healthy = true;
	h->interval_s = interval_s;
	h->timeout_s = timeout_s;
	if (!command || !*command)
		return 0;
	if (!g_shell_parse_argv(command, NULL, &h->argv, &err)) {
		enl_err("health-check \"%s\": %s", command, err->message);
		g_error_free(err);
		return -EINVAL;
	}
	return 0;
}

static void set_healthy(struct enl_health *h, bool healthy, const char *why)
{
	if (h->healthy == healthy)
		return;
	h->healthy = healthy;
	if (healthy)
		enl_notice("health check passes again: reporting healthy");
	else
		enl_warn("health check failed (%s): reporting unhealthy", why);
	if (h->changed)
		h->changed(h->ctx, healthy);
}

static void on_check_exit(GPid pid, gint status, gpointer data)
{
	struct enl_health *h = data;
	GError *err = NULL;

	g_spawn_close_pid(pid);
	h->pid = 0;
	h->child_watch = 0;
	if (h->kill_timer) {
		g_source_remove(h->kill_timer);
		h->kill_timer = 0;
	}
	if (g_spawn_check_wait_status(status, &err)) {
		set_healthy(h, true, NULL);
	} else {
		set_healthy(h, false, err->message);
		g_error_free(err);
	}
}

static gboolean on_timeout(gpointer data)
{
	struct enl_health *h = data;

	h->kill_timer = 0;
	if (h->pid) {
		/* on_check_exit still runs and records the failure. */
		kill(h->pid, SIGKILL);
		set_healthy(h, false, "timed out");
	}
	return G_SOURCE_REMOVE;
}

static gboolean run_check(gpointer data)
{
	struct enl_health *h = data;
	GError *err = NULL;

	if (h->pid)
		return G_SOURCE_CONTINUE;	/* previous run still going */
	if (!g_spawn_async(NULL, h->argv, NULL,
			   G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
			   G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &h->pid,
			   &err)) {
		set_healthy(h, false, err->message);
		g_error_free(err);
		h->pid = 0;
		return G_SOURCE_CONTINUE;
	}
	h->child_watch = g_child_watch_add(h->pid, on_check_exit, h);
	h->kill_timer = g_timeout_add_seconds(h->timeout_s, on_timeout, h);
	return G_SOURCE_CONTINUE;
}

void enl_health_start(struct enl_health *h)
{
	if (!h->argv)
		return;
	run_check(h);
	h->timer = g_timeout_add_seconds(h->interval_s, run_check, h);
}

void enl_health_stop(struct enl_health *h)
{
	if (h->timer)
		g_source_remove(h->timer);
	if (h->kill_timer)
		g_source_remove(h->kill_timer);
	if (h->child_watch)
		g_source_remove(h->child_watch);
	if (h->pid) {
		kill(h->pid, SIGKILL);
		g_spawn_close_pid(h->pid);
	}
	g_strfreev(h->argv);
	memset(h, 0, sizeof(*h));
}
