/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-clipboardd's watchers: user-socket connections that sent WATCH
 * (userproto.h) and get a "CHANGED ..." line whenever the owner changes.
 * users.c hands a connection over once its request is read.
 */
#ifndef ENL_CLIPD_WATCH_H
#define ENL_CLIPD_WATCH_H

#include <glib.h>

#include "clipd.h"

struct enl_clipd_watchers {
	GList *list;
	unsigned int n;
	unsigned long dropped;	/* stopped reading: their buffer filled */
};

/* "CHANGED <serial> <owner>[ <format>...]\n" for d's state now. */
void enl_clipd_watch_line(const struct enl_clipd *d, GString *out);

/*
 * Take the connected fd over, send "OK\n" and the current line. -EMFILE
 * (fd closed after an ERR line) when ENL_CLIPD_WATCH_MAX watch already.
 */
int enl_clipd_watch_add(struct enl_clipd_watchers *w,
			const struct enl_clipd *d, int fd);
/* The owner changed: one line to every watcher. */
void enl_clipd_watch_notify(struct enl_clipd_watchers *w,
			    const struct enl_clipd *d);
void enl_clipd_watch_close(struct enl_clipd_watchers *w);

#endif /* ENL_CLIPD_WATCH_H */
