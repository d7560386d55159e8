// SPDX-License-Identifier: GPL-2.0-only
/* The desktop bridge between the session and enl-clipboardd (bridge.h). */
#include "bridge.h"

#include <string.h>

#include "clip_format.h"
#include "clipsock.h"

/* enl-clipboardd restarting or not up yet: look again this often. */
#define RETRY_MS	1000

/*
 * Fetching the host's formats, one PASTE after another (the daemon serves
 * one format at a time). Started at generation gen of the daemon's lines
 * and session_gen of the session's copies: if either moves on, what we
 * fetched is older than what the user has now, and is dropped.
 */
struct fetch {
	struct enl_bridge *b;
	guint gen, session_gen;
	guint32 serial;
	char **formats;
	guint i;
	GArray *items;		/* struct enl_session_item */
};

static void kick(struct enl_bridge *b);

static void fetch_free(struct fetch *f)
{
	for (guint i = 0; i < f->items->len; i++)
		g_bytes_unref(g_array_index(f->items, struct enl_session_item,
					    i).data);
	g_array_free(f->items, TRUE);
	g_strfreev(f->formats);
	g_free(f);
}

static void fetch_done(struct fetch *f)
{
	struct enl_bridge *b = f->b;

	if (f->gen != b->gen || f->session_gen != b->session.gen) {
		g_debug("host serial %u superseded while fetching", f->serial);
	} else {
		/* Even when nothing could be fetched: retrying would loop. */
		b->applied = true;
		b->applied_serial = f->serial;
		if (f->items->len) {
			enl_session_set(&b->session,
					(struct enl_session_item *)f->items->data,
					f->items->len);
			b->from_host++;
			g_debug("host serial %u is the session's clipboard",
				f->serial);
		}
	}
	b->fetch = NULL;
	fetch_free(f);
	kick(b);
}

static void fetch_next(struct fetch *f);

static void on_pasted(gpointer ctx, GBytes *data, const char *error)
{
	struct fetch *f = ctx;

	if (data) {
		struct enl_session_item it = { f->formats[f->i],
					       g_bytes_ref(data) };

		g_array_append_val(f->items, it);
	} else if (f->gen == f->b->gen) {
		f->b->failures++;
		g_message("cannot fetch the host's %s: %s", f->formats[f->i],
			  error);
	}
	f->i++;
	fetch_next(f);
}

static void fetch_next(struct fetch *f)
{
	if (f->gen != f->b->gen || !f->formats[f->i]) {
		fetch_done(f);
		return;
	}
	enl_clipsock_paste(f->b->socket, f->formats[f->i], f->b->cap,
			   on_pasted, f);
}

/* Start fetching the host's clipboard if the session does not hold it. */
static void kick(struct enl_bridge *b)
{
	GPtrArray *known;
	struct fetch *f;

	if (b->fetch || !b->host_owns ||
	    (b->applied && b->applied_serial == b->serial))
		return;
	known = g_ptr_array_new();
	for (char **p = b->formats; p && *p; p++)
		if (enl_clip_format_from_name(*p))
			g_ptr_array_add(known, g_strdup(*p));
	g_ptr_array_add(known, NULL);
	f = g_new0(struct fetch, 1);
	f->b = b;
	f->gen = b->gen;
	f->session_gen = b->session.gen;
	f->serial = b->serial;
	f->formats = (char **)g_ptr_array_free(known, FALSE);
	f->items = g_array_new(FALSE, FALSE, sizeof(struct enl_session_item));
	b->fetch = f;
	fetch_next(f);
}

static void on_changed(gpointer ctx, guint32 serial, const char *owner,
		       const char *const *formats)
{
	struct enl_bridge *b = ctx;

	if (b->down_logged)
		g_message("enl-clipboardd is back on %s", b->socket);
	b->down_logged = false;
	b->gen++;
	b->serial = serial;
	/* "guest" is a local copy: ours (its echo) or enl-clip's. */
	b->host_owns = !strcmp(owner, "host");
	g_strfreev(b->formats);
	b->formats = g_strdupv((char **)formats);
	g_debug("clipboard serial %u owned by %s", serial, owner);
	kick(b);
}

static void watch_again(struct enl_bridge *b);

static gboolean on_retry(gpointer ctx)
{
	struct enl_bridge *b = ctx;

	b->retry = 0;
	watch_again(b);
	return G_SOURCE_REMOVE;
}

static void on_ended(gpointer ctx, const char *why)
{
	struct enl_bridge *b = ctx;

	b->watch = NULL;
	/* Said once per outage, not once a second. */
	if (!b->down_logged)
		g_message("no clipboard watch on %s: %s (retrying)", b->socket,
			  why);
	b->down_logged = true;
	b->retry = g_timeout_add(RETRY_MS, on_retry, b);
}

static void watch_again(struct enl_bridge *b)
{
	b->watch = enl_clipsock_watch(b->socket, on_changed, on_ended, b);
}

static void copy_next(struct enl_bridge *b);

static void on_copied(gpointer ctx, GBytes *data, const char *error)
{
	struct enl_bridge *b = ctx;

	(void)data;
	if (error) {
		b->failures++;
		g_message("cannot give the session's copy to the host: %s",
			  error);
	}
	b->copying = false;
	copy_next(b);
}

static void copy_next(struct enl_bridge *b)
{
	g_autofree char *format = NULL;
	g_autoptr(GBytes) data = NULL;

	if (b->copying || !b->next_data)
		return;
	format = g_steal_pointer(&b->next_format);
	data = g_steal_pointer(&b->next_data);
	b->copying = true;
	b->to_host++;
	g_debug("session copy (%s, %" G_GSIZE_FORMAT " bytes) to the host",
		format, g_bytes_get_size(data));
	enl_clipsock_copy(b->socket, format, data, on_copied, b);
}

static void on_session_copy(gpointer ctx, const char *format, GBytes *data)
{
	struct enl_bridge *b = ctx;

	g_free(b->next_format);
	if (b->next_data)
		g_bytes_unref(b->next_data);
	b->next_format = g_strdup(format);
	b->next_data = g_bytes_ref(data);
	copy_next(b);
}

void enl_bridge_start(struct enl_bridge *b, GdkDisplay *display,
		      const char *socket, gsize cap)
{
	memset(b, 0, sizeof(*b));
	b->socket = g_strdup(socket);
	b->cap = cap;
	enl_session_init(&b->session, display, cap, on_session_copy, b);
	watch_again(b);
}

void enl_bridge_stop(struct enl_bridge *b)
{
	if (b->watch)
		enl_clipsock_watch_cancel(b->watch);
	if (b->retry)
		g_source_remove(b->retry);
	b->watch = NULL;
	b->retry = 0;
	g_strfreev(b->formats);
	b->formats = NULL;
	g_free(b->next_format);
	if (b->next_data)
		g_bytes_unref(b->next_data);
	b->next_format = NULL;
	b->next_data = NULL;
	g_free(b->socket);
	b->socket = NULL;
}
