/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The desktop session's clipboard (GdkClipboard, X11 or Wayland) as the
 * bridge sees it: tell when someone else copied, with the content read as
 * PNG or UTF-8 text (at most cap bytes); and set it from the host's items.
 * Our own sets are not reported back (gdk_clipboard_is_local).
 */
#ifndef ENL_BRIDGE_SESSION_H
#define ENL_BRIDGE_SESSION_H

#include <stdbool.h>
#include <gdk/gdk.h>

/* Another application copied: format is "png" or "text"; data is cb's. */
typedef void (*enl_session_copied)(gpointer ctx, const char *format,
				   GBytes *data);

struct enl_session {
	GdkClipboard *clip;
	gsize cap;
	guint gen;		/* changes so far, ours included */
	guint settle;		/* timer: read once "changed" stops */
	bool reading;		/* one read at a time (session.c says why) */
	enl_session_copied copied;
	gpointer ctx;
	unsigned long skipped;	/* copies we could not read or too large */
};

void enl_session_init(struct enl_session *s, GdkDisplay *display, gsize cap,
		      enl_session_copied copied, gpointer ctx);

/* One item from the host: a userproto format name and its payload. */
struct enl_session_item {
	const char *format;
	GBytes *data;
};

/* Offer these items as the session's clipboard (in order of preference). */
void enl_session_set(struct enl_session *s,
		     const struct enl_session_item *items, gsize n);

#endif /* ENL_BRIDGE_SESSION_H */
