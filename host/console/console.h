/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VM's console: a VNC server (libvncserver) on the guest's display
 * (host/vsp/video/display.h). The framebuffer it serves is the guest's
 * VRAM itself; the guest's dirty rectangles become VNC updates and its
 * pointer shape the VNC cursor. Input goes to console_input.h's sink.
 */
#ifndef ENL_HOST_CONSOLE_H
#define ENL_HOST_CONSOLE_H

#include <glib.h>

#include "console_input.h"

struct enl_display;

/*
 * Where to listen (`enl-host run --vnc SPEC`):
 *   :N            127.0.0.1, TCP port 5900+N
 *   HOST:N        HOST (an IPv4 address; not loopback: needs a password)
 *   unix:PATH     a UNIX socket (mode 0600), no TCP at all
 * password_file: its first line is the VNC password (NULL: none).
 * web_dir: serve the browser console: this directory (noVNC's, e.g.
 * /usr/share/novnc) over HTTP on port 5800+N of the same address, and
 * WebSocket RFB on 5900+N, only to a path that carries this console's
 * random token (enl_console_web_url). NULL: no browser console, and
 * WebSocket clients are refused (a web page the user visits could
 * otherwise reach a loopback console). TCP consoles only.
 */
struct enl_console_cfg {
	const char *spec;
	const char *password_file;
	const char *web_dir;
};

/* Listen and serve d from a thread of its own. NULL with why in err. */
struct enl_console *enl_console_new(const struct enl_console_cfg *cfg,
				    struct enl_display *d, GString *err);
void enl_console_free(struct enl_console *con);

/* What `make run` prints: "127.0.0.1:5900" or "unix:PATH". */
const char *enl_console_address(const struct enl_console *con);

/* The browser console's page (NULL without web_dir): http://ADDR:5800+N/
 * vnc.html?... with the WebSocket port and the token in its query. */
const char *enl_console_web_url(const struct enl_console *con);

/* The one console of this enl-host (NULL without --vnc). */
struct enl_console *enl_console_get(void);
void enl_console_set_default(struct enl_console *con);

/* Figures for `ctl vnc` and the benchmark. */
struct enl_console_stats {
	uint64_t clients;		/* connected now */
	uint64_t updates;		/* damage rectangles passed on */
	uint64_t mode_changes;
	uint64_t cursor_changes;
	uint64_t web_clients;		/* WebSocket clients let in */
	uint64_t web_refused;		/* WebSocket clients without the token */
};
void enl_console_get_stats(struct enl_console *con,
			   struct enl_console_stats *s);

#endif /* ENL_HOST_CONSOLE_H */
