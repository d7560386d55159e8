// SPDX-License-Identifier: GPL-2.0-only
/* The session's GdkClipboard, read and set for the bridge (session.h). */
#include "session.h"

#include <string.h>
#include <enlighten/clipboard.h>

#include "clip_format.h"
#include "readall.h"

#define MIME_TEXT	"text/plain;charset=utf-8"
#define MIME_PNG	"image/png"
/*
 * GDK on X11 says "changed" several times per copy (the owner, then its
 * targets as they arrive): read once it has been quiet this long.
 */
#define SETTLE_MS	50

static void schedule_read(struct enl_session *s);

/* One read of the session's clipboard, started at generation gen. */
struct session_read {
	struct enl_session *s;
	guint gen;
	const char *format;
};

static struct session_read *read_new(struct enl_session *s, const char *fmt)
{
	struct session_read *r = g_new0(struct session_read, 1);

	r->s = s;
	r->gen = s->gen;
	r->format = fmt;
	return r;
}

/*
 * Hand data on unless the clipboard changed meanwhile: then read the newer
 * content instead (or nothing, if the change was our own set).
 */
static void deliver(struct session_read *r, GBytes *data, const char *error)
{
	struct enl_session *s = r->s;

	s->reading = false;
	if (r->gen != s->gen) {
		g_debug("session copy superseded before it was read");
		schedule_read(s);
	} else if (!data) {
		s->skipped++;
		g_message("session %s not sent to the host: %s", r->format,
			  error);
	} else if (!g_bytes_get_size(data)) {
		g_debug("session copy is empty: nothing to share");
	} else if (g_bytes_get_size(data) > s->cap) {
		s->skipped++;
		g_message("session %s not sent to the host: above the %"
			  G_GSIZE_FORMAT " byte cap", r->format, s->cap);
	} else {
		s->copied(s->ctx, r->format, data);
	}
	if (data)
		g_bytes_unref(data);
	g_free(r);
}

/*
 * X11 owners often end UTF8_STRING with a NUL, which enl-clipboardd
 * rightly refuses as text: drop trailing NULs.
 */
static GBytes *trim_nul(GBytes *data)
{
	gsize len;
	const char *p = g_bytes_get_data(data, &len);
	gsize keep = len;
	GBytes *out;

	while (keep && !p[keep - 1])
		keep--;
	if (keep == len)
		return data;
	out = g_bytes_new_from_bytes(data, 0, keep);
	g_bytes_unref(data);
	return out;
}

static void on_stream_read(gpointer ctx, GBytes *data, GError *error)
{
	struct session_read *r = ctx;
	g_autofree char *why = NULL;

	if (data && !strcmp(r->format, "text"))
		data = trim_nul(data);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
		why = g_strdup_printf("above the %" G_GSIZE_FORMAT " byte cap",
				      r->s->cap);
	deliver(r, data, why ? why : error ? error->message : NULL);
}

static void on_stream(GObject *src, GAsyncResult *res, gpointer ctx)
{
	struct session_read *r = ctx;
	GError *error = NULL;
	GInputStream *in = gdk_clipboard_read_finish(GDK_CLIPBOARD(src), res,
						     NULL, &error);

	if (!in) {
		deliver(r, NULL, error->message);
		g_error_free(error);
		return;
	}
	/* One byte over the cap tells "too large" apart from "exactly cap". */
	enl_readall_async(in, r->s->cap + 1, NULL, on_stream_read, r);
	g_object_unref(in);
}

static void read_mime(struct enl_session *s, const char *mime,
		      const char *fmt)
{
	const char *mimes[] = { mime, NULL };

	gdk_clipboard_read_async(s->clip, mimes, G_PRIORITY_DEFAULT, NULL,
				 on_stream, read_new(s, fmt));
}

/* An image only offered in other formats: GDK decodes it, we save PNG. */
static void on_texture(GObject *src, GAsyncResult *res, gpointer ctx)
{
	struct session_read *r = ctx;
	GError *error = NULL;
	GdkTexture *t = gdk_clipboard_read_texture_finish(GDK_CLIPBOARD(src),
							  res, &error);

	if (!t) {
		deliver(r, NULL, error->message);
		g_error_free(error);
		return;
	}
	deliver(r, gdk_texture_save_to_png_bytes(t), NULL);
	g_object_unref(t);
}

/* Text in a legacy encoding only: GDK converts it to UTF-8 for us. */
static void on_text(GObject *src, GAsyncResult *res, gpointer ctx)
{
	struct session_read *r = ctx;
	GError *error = NULL;
	char *text = gdk_clipboard_read_text_finish(GDK_CLIPBOARD(src), res,
						    &error);

	if (!text) {
		deliver(r, NULL, error ? error->message : "no text");
		g_clear_error(&error);
		return;
	}
	deliver(r, g_bytes_new_take(text, strlen(text)), NULL);
}

/*
 * Read what another application copied. Never two reads at once: an X
 * owner such as xclip serves one INCR transfer at a time, and GDK's
 * requests all come from one window, so a second read stalls both.
 */
static gboolean start_read(gpointer ctx)
{
	struct enl_session *s = ctx;
	GdkClipboard *clip = s->clip;
	GdkContentFormats *f = gdk_clipboard_get_formats(clip);

	s->settle = 0;
	/* Ours by now (the host's data): nothing to send back. */
	if (gdk_clipboard_is_local(clip))
		return G_SOURCE_REMOVE;
	s->reading = true;
	/* One format per copy (the daemon keeps one): an image wins. */
	if (gdk_content_formats_contain_mime_type(f, MIME_PNG))
		read_mime(s, MIME_PNG, "png");
	else if (gdk_content_formats_contain_gtype(f, GDK_TYPE_TEXTURE))
		gdk_clipboard_read_texture_async(clip, NULL, on_texture,
						 read_new(s, "png"));
	else if (gdk_content_formats_contain_mime_type(f, MIME_TEXT))
		read_mime(s, MIME_TEXT, "text");
	else if (gdk_content_formats_contain_gtype(f, G_TYPE_STRING))
		gdk_clipboard_read_text_async(clip, NULL, on_text,
					      read_new(s, "text"));
	else
		s->reading = false;
	return G_SOURCE_REMOVE;
}

static void schedule_read(struct enl_session *s)
{
	if (s->settle)
		g_source_remove(s->settle);
	s->settle = 0;
	if (!s->reading)
		s->settle = g_timeout_add(SETTLE_MS, start_read, s);
}

static void on_changed(GdkClipboard *clip, gpointer ctx)
{
	struct enl_session *s = ctx;

	/* Our own set_content (the host's data): nothing to send back. */
	if (gdk_clipboard_is_local(clip))
		return;
	s->gen++;
	schedule_read(s);
}

void enl_session_init(struct enl_session *s, GdkDisplay *display, gsize cap,
		      enl_session_copied copied, gpointer ctx)
{
	memset(s, 0, sizeof(*s));
	s->clip = gdk_display_get_clipboard(display);
	s->cap = cap;
	s->copied = copied;
	s->ctx = ctx;
	g_signal_connect(s->clip, "changed", G_CALLBACK(on_changed), s);
}

/* A provider for one host item; NULL for what the session cannot use. */
static GdkContentProvider *provider_for(const struct enl_session_item *it,
					GdkContentProvider **extra)
{
	uint32_t id = enl_clip_format_from_name(it->format);
	gsize len;
	const char *p = g_bytes_get_data(it->data, &len);

	*extra = NULL;
	if (id == ENL_CLIP_FMT_TEXT) {
		/*
		 * The bytes first: UTF8_STRING, what X apps ask for, is
		 * served from them as is. GTK 4.8 deadlocks closing a
		 * converted (string) transfer once it needs INCR (over
		 * ~256 KiB); as a string, the rest (STRING, TEXT, other
		 * charsets) is still offered for the apps that want it.
		 */
		g_autofree char *text = g_strndup(p, len);

		*extra = gdk_content_provider_new_typed(G_TYPE_STRING, text);
		return gdk_content_provider_new_for_bytes(MIME_TEXT, it->data);
	}
	if (id == ENL_CLIP_FMT_PNG) {
		/*
		 * The PNG as is first; a texture beside it serves apps that
		 * ask for another image format (GDK converts on request).
		 */
		GdkTexture *t = gdk_texture_new_from_bytes(it->data, NULL);

		if (t) {
			*extra = gdk_content_provider_new_typed(GDK_TYPE_TEXTURE,
								t);
			g_object_unref(t);
		}
	}
	if (!id)
		return NULL;
	return gdk_content_provider_new_for_bytes(enl_clip_format_mime(id),
						  it->data);
}

void enl_session_set(struct enl_session *s,
		     const struct enl_session_item *items, gsize n)
{
	GdkContentProvider **p = g_new0(GdkContentProvider *, 2 * n + 1);
	GdkContentProvider *all;
	gsize k = 0;

	for (gsize i = 0; i < n; i++) {
		GdkContentProvider *extra;
		GdkContentProvider *one = provider_for(&items[i], &extra);

		if (one)
			p[k++] = one;
		if (extra)
			p[k++] = extra;
	}
	if (!k) {
		g_free(p);
		return;
	}
	/* A read of the previous owner still under way is stale now. */
	s->gen++;
	/* The union takes our references; it copies the array itself. */
	all = gdk_content_provider_new_union(p, k);
	gdk_clipboard_set_content(s->clip, all);
	g_object_unref(all);
	g_free(p);
}
