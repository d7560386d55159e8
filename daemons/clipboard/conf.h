/* SPDX-License-Identifier: GPL-2.0-only */
/* enl-clipboardd's [clipboard] section of enlighten.conf. */
#ifndef ENL_CLIPD_CONF_H
#define ENL_CLIPD_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct enl_clipd_conf {
	char *channel;		/* device path or unix:<path> */
	char *socket;		/* the local users' socket */
	size_t max_size;	/* receive cap per format, bytes */
	bool seat_user;		/* allow the active seat session's user */
	char **allow_users;	/* names or uids, NULL-terminated (may be NULL) */
	/*
	 * A connection that has not sent its request, or not taken its
	 * reply, after this long is closed (0: the default); one user holds
	 * at most max_per_user connections, watches included (0: default).
	 */
	unsigned int idle_timeout_s;
	unsigned int max_per_user;
};

void enl_clipd_conf_read(struct enl_clipd_conf *c, struct enl_config *cfg);
void enl_clipd_conf_free(struct enl_clipd_conf *c);

#endif /* ENL_CLIPD_CONF_H */
