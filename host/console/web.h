/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The browser console's access check. libvncserver takes WebSocket
 * clients on the RFB port itself, and browsers let any web page open a
 * WebSocket to 127.0.0.1: a loopback console without a password would be
 * open to every site the user visits. So a WebSocket client gets in only
 * with this console's random token in its request path, which only the
 * page URL enl-host prints (and `ctl vnc` shows) carries.
 */
#ifndef ENL_HOST_CONSOLE_WEB_H
#define ENL_HOST_CONSOLE_WEB_H

#include <stdbool.h>
#include <stdint.h>

#define ENL_WEB_TOKEN_BYTES	16

struct enl_web_token {
	char hex[2 * ENL_WEB_TOKEN_BYTES + 1];
};

/* A fresh token from the kernel's random source; -errno if none. */
int enl_web_token_new(struct enl_web_token *t);

/*
 * Does a WebSocket request path ("/websockify?token=HEX", other query
 * parameters allowed) carry exactly this token? NULL: no.
 */
bool enl_web_path_ok(const struct enl_web_token *t, const char *path);

/*
 * The page: noVNC's vnc.html on http://HOST:HTTP_PORT/, told to connect
 * to ws://HOST:RFB_PORT/websockify?token=HEX. g_free it.
 */
char *enl_web_url(const char *host, int http_port, int rfb_port,
		  const struct enl_web_token *t);

#endif /* ENL_HOST_CONSOLE_WEB_H */
