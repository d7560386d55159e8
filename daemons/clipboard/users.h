/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The local users' socket of enl-clipboardd (protocol in userproto.h):
 * accept, check the peer with SO_PEERCRED against access.h, read one
 * request (bounded by the cap), check the peer again, answer it from
 * struct enl_clipd, close; or, for WATCH, hand the connection to watch.h
 * for good. Watchers are checked again whenever logind's sessions change
 * and before each change is announced. A connection that sits idle past
 * idle-timeout is closed; one uid holds at most max-connections-per-user.
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
	struct sd_login_monitor *seats;		/* NULL without logind */
	guint seats_watch;
	/*
	 * refused: at connect or at the request (the policy said no);
	 * over_limit: the user held max_per_user connections already;
	 * idle_closed: idle-timeout passed.
	 */
	unsigned long accepted, refused, bad_requests, over_limit, idle_closed;
};

/* Check every watcher against the policy now (logind calls this too). */
void enl_clipd_users_recheck(struct enl_clipd_users *u);

/* Listen on conf->socket (mode 0666: SO_PEERCRED decides). 0 or -errno. */
int enl_clipd_users_open(struct enl_clipd_users *u,
			 const struct enl_clipd_conf *conf,
			 enl_clipd_seat_fn seat, struct enl_clipd *d);
void enl_clipd_users_close(struct enl_clipd_users *u);

#endif /* ENL_CLIPD_USERS_H */
