// SPDX-License-Identifier: GPL-2.0-only
/* Integration daemon states through `systemctl show` (daemons.h). */
#include <string.h>
#include "daemons.h"

static const char *const hb[] = { "heartbeat", "shutdown", NULL };
static const char *const ts[] = { "timesync", NULL };
static const char *const kvp[] = { "kvp", NULL };
static const char *const vss[] = { "vss", NULL };
static const char *const clip[] = { "clipboard", NULL };

static const struct {
	const char *unit;
	const char *const *services;
} daemon_defs[DAEMON_COUNT] = {
	{ "enl-heartbeatd.service", hb },
	{ "enl-timesyncd.service", ts },
	{ "enl-kvpd.service", kvp },
	{ "enl-vssd.service", vss },
	{ "enl-clipboardd.service", clip },
};

/* systemctl's answer is a handful of lines; anything longer is not it. */
#define SHOW_MAX 65536

static char **field(struct daemon_state *d, const char *key)
{
	if (strcmp(key, "LoadState") == 0)
		return &d->load_state;
	if (strcmp(key, "ActiveState") == 0)
		return &d->active_state;
	if (strcmp(key, "SubState") == 0)
		return &d->sub_state;
	if (strcmp(key, "Result") == 0)
		return &d->result;
	if (strcmp(key, "StatusText") == 0)
		return &d->status;
	return NULL;
}

static void show(struct daemon_state *d)
{
	const char *argv[] = {
		"systemctl", "show", "--no-pager",
		"--property=LoadState,ActiveState,SubState,Result,StatusText",
		"--", d->unit, NULL,
	};
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GError) e = NULL;
	g_auto(GStrv) lines = NULL;
	int status;

	if (!g_spawn_sync(NULL, (char **)argv, NULL,
			  G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
			  NULL, NULL, &out, NULL, &status, &e)) {
		d->error = g_strdup_printf("systemctl: %s", e->message);
		return;
	}
	if (!g_spawn_check_wait_status(status, NULL) || strlen(out) > SHOW_MAX) {
		d->error = g_strdup("systemctl show failed (is systemd running?)");
		return;
	}
	lines = g_strsplit(out, "\n", -1);
	for (char **l = lines; *l; l++) {
		char *eq = strchr(*l, '=');
		char **f;

		if (!eq)
			continue;
		*eq = '\0';
		f = field(d, *l);
		if (f && !*f)
			*f = g_strdup(eq + 1);
	}
	d->known = d->load_state && d->active_state;
	if (!d->known)
		d->error = g_strdup("systemctl show gave no unit state");
}

void daemons_query(struct daemon_state d[DAEMON_COUNT],
		   gboolean (*offered)(const char *service, void *ctx),
		   void *ctx)
{
	for (int i = 0; i < DAEMON_COUNT; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].unit = daemon_defs[i].unit;
		d[i].services = daemon_defs[i].services;
		for (const char *const *s = d[i].services; *s; s++)
			d[i].offered |= offered(*s, ctx);
		show(&d[i]);
	}
}

void daemons_clear(struct daemon_state d[DAEMON_COUNT])
{
	for (int i = 0; i < DAEMON_COUNT; i++) {
		g_free(d[i].error);
		g_free(d[i].load_state);
		g_free(d[i].active_state);
		g_free(d[i].sub_state);
		g_free(d[i].result);
		g_free(d[i].status);
		memset(&d[i], 0, sizeof(d[i]));
	}
}

gboolean daemon_ready(const struct daemon_state *d)
{
	return d->known && g_strcmp0(d->active_state, "active") == 0;
}
