/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The local users' socket of enl-clipboardd (protocol in userproto.h):
 * accept, check the peer with SO_PEERCRED against access.h, read one
 * request (bounded by the cap), answer it from struct enl_clipd, close;
 * or, for WATCH, hand the connection to watch.h for good.
 */
#ifndef ENL_CLIPD_USERS_H
#define ENL_CLIPD_USERS_H

#include <glib.h>

#include "access.h"
#include "clipd.h"
#include "conf.h"
#include "watch.h"

struct enl_clipd_users {
	const struct enl_clipd_conf *conf;
	enl_clipd_seat_fn seat;
	struct enl_clipd *d;
	int fd;
	guint watch;
	GList *clients;
	struct enl_clipd_watchers watchers;	/* WATCH connections */
	unsigned long accepted, refused, bad_requests;
};

/* Listen on conf->socket (mode 0666: SO_PEERCRED decides). 0 or -errno. */
int enl_clipd_users_open(struct enl_clipd_users *u,
			 const struct enl_clipd_conf *conf,
			 enl_clipd_seat_fn seat, struct enl_clipd *d);
void enl_clipd_users_close(struct enl_clipd_users *u);

#endif /* ENL_CLIPD_USERS_H */
