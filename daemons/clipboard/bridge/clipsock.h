/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bridge's side of enl-clipboardd's users' socket (../userproto.h),
 * asynchronous on the GTK main loop: COPY and PASTE one connection each,
 * and the WATCH connection that stays open.
 */
#ifndef ENL_BRIDGE_CLIPSOCK_H
#define ENL_BRIDGE_CLIPSOCK_H

#include <gio/gio.h>

/*
 * A request finished: data is PASTE's payload (NULL for COPY), or error
 * says why it failed (the daemon's ERR text, or the socket's). Both live
 * during the call only.
 */
typedef void (*enl_clipsock_done)(gpointer ctx, GBytes *data,
				  const char *error);

/* "COPY <format> <len>" + data. */
void enl_clipsock_copy(const char *path, const char *format, GBytes *data,
		       enl_clipsock_done cb, gpointer ctx);
/* "PASTE <format>"; a payload over cap bytes fails. */
void enl_clipsock_paste(const char *path, const char *format, gsize cap,
			enl_clipsock_done cb, gpointer ctx);

/* One "CHANGED <serial> <owner> <format>..." line, parsed. */
typedef void (*enl_clipsock_changed)(gpointer ctx, guint32 serial,
				     const char *owner,
				     const char *const *formats);
/* The watch ended (daemon gone, refused, malformed): why. */
typedef void (*enl_clipsock_ended)(gpointer ctx, const char *why);

struct enl_clipsock_watch;

/* Connect and WATCH; exactly one ended call closes it (unless cancelled). */
struct enl_clipsock_watch *enl_clipsock_watch(const char *path,
					      enl_clipsock_changed changed,
					      enl_clipsock_ended ended,
					      gpointer ctx);
/* Stop without an ended call; the watch frees itself. */
void enl_clipsock_watch_cancel(struct enl_clipsock_watch *w);

#endif /* ENL_BRIDGE_CLIPSOCK_H */
