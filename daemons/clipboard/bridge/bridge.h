/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The desktop bridge: keeps the session's clipboard (session.h) and the
 * host's (enl-clipboardd, through clipsock.h) in step. A session copy by
 * another application goes to the daemon with COPY; a WATCH line saying
 * the host owns the clipboard fetches its formats, one PASTE at a time,
 * and sets the session's. Neither side's echo of our own change comes
 * back: the session's is local, the daemon's says "guest".
 */
#ifndef ENL_BRIDGE_H
#define ENL_BRIDGE_H

#include <stdbool.h>
#include <gdk/gdk.h>

#include "session.h"

struct enl_clipsock_watch;

struct enl_bridge {
	char *socket;
	gsize cap;
	struct enl_session session;
	struct enl_clipsock_watch *watch;
	guint retry;			/* reconnect timer */
	bool down_logged;
	/* The daemon's latest line, counted by gen. */
	guint gen;
	guint32 serial;
	bool host_owns;
	char **formats;
	/* What the session holds from the host. */
	bool applied;
	guint32 applied_serial;
	/* The one fetch from the host under way (bridge.c). */
	struct fetch *fetch;
	/*
	 * One COPY at a time, so a large older copy cannot land after a
	 * newer one; the newest waiting copy replaces any older one waiting.
	 */
	bool copying;
	char *next_format;
	GBytes *next_data;
	unsigned long to_host, from_host, failures;
};

void enl_bridge_start(struct enl_bridge *b, GdkDisplay *display,
		      const char *socket, gsize cap);
void enl_bridge_stop(struct enl_bridge *b);

#endif /* ENL_BRIDGE_H */
