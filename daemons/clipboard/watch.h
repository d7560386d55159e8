/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-clipboardd's watchers: user-socket connections that sent WATCH
 * (userproto.h) and get a "CHANGED ..." line whenever the owner changes.
 * users.c hands a connection over once its request is read.
 */
#ifndef ENL_CLIPD_WATCH_H
#define ENL_CLIPD_WATCH_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "clipd.h"

struct enl_clipd_watchers {
	GList *list;
	unsigned int n;
	unsigned long dropped;	/* stopped reading: their buffer filled */
	unsigned long revoked;	/* their user lost access */
};

/* "CHANGED <serial> <owner>[ <format>...]\n" for d's state now. */
void enl_clipd_watch_line(const struct enl_clipd *d, GString *out);

/*
 * Take the connected fd of uid over, send "OK\n" and the current line.
 * -EMFILE (fd closed after an ERR line) when ENL_CLIPD_WATCH_MAX watch
 * already.
 */
int enl_clipd_watch_add(struct enl_clipd_watchers *w,
			const struct enl_clipd *d, int fd, uid_t uid);
/* Watches uid holds. */
unsigned int enl_clipd_watch_count(const struct enl_clipd_watchers *w,
				   uid_t uid);
/* End every watch whose user allowed(ctx, uid) no longer accepts. */
void enl_clipd_watch_recheck(struct enl_clipd_watchers *w,
			     bool (*allowed)(void *ctx, uid_t uid), void *ctx);
/* The owner changed: one line to every watcher. */
void enl_clipd_watch_notify(struct enl_clipd_watchers *w,
			    const struct enl_clipd *d);
void enl_clipd_watch_close(struct enl_clipd_watchers *w);

#endif /* ENL_CLIPD_WATCH_H */
