/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The integration daemons: which VMBus services each serves, and its state
 * as systemd reports it (`systemctl show`: LoadState, ActiveState,
 * SubState, Result, StatusText, which the daemons set with sd_notify).
 */
#ifndef ENL_STATUS_DAEMONS_H
#define ENL_STATUS_DAEMONS_H

#include <glib.h>

#define DAEMON_COUNT 5

struct daemon_state {
	const char *unit;		/* enl-kvpd.service */
	const char *const *services;	/* class names it serves, NULL-ended */
	gboolean offered;		/* the host offers one of them */
	gboolean known;			/* systemd answered */
	char *error;			/* why not known */
	char *load_state, *active_state, *sub_state, *result, *status;
};

/* Which service names (class_name in sysfs) are offered decides
 * "offered"; systemctl is looked up in PATH. */
void daemons_query(struct daemon_state d[DAEMON_COUNT],
		   gboolean (*offered)(const char *service, void *ctx),
		   void *ctx);
void daemons_clear(struct daemon_state d[DAEMON_COUNT]);

/* Ready: systemd reports it active, which a Type=notify unit is only
 * after the daemon said READY=1. */
gboolean daemon_ready(const struct daemon_state *d);

#endif
