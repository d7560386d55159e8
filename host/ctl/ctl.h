/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's control socket: a UNIX stream socket; a client writes one line
 * "verb arg...\n", the server writes the reply text and closes. The first
 * reply line is "ok" or "error: <why>". Parts of the host register verbs.
 */
#ifndef ENL_HOST_CTL_H
#define ENL_HOST_CTL_H

#include <glib.h>

struct enl_ctl;

/*
 * Fill out with the reply body; return 0 for "ok", -errno for "error".
 * argv is the verb's own pointer array: it may reorder or drop entries.
 */
typedef int (*enl_ctl_fn)(void *ctx, int argc, char **argv, GString *out);

void enl_ctl_register(struct enl_ctl *ctl, const char *verb, enl_ctl_fn fn,
		      void *ctx, const char *usage);

/* ---- Below: the server's life and the client, for main.c and tests. ---- */

/* Listen on `path` (a stale socket is replaced, a live one is -EADDRINUSE). */
struct enl_ctl *enl_ctl_new(const char *path, int *err);
void enl_ctl_free(struct enl_ctl *ctl);

/* $XDG_RUNTIME_DIR/enl-host.sock, else /run/enlighten/enl-host.sock. */
char *enl_ctl_default_path(void);

/* Run one request line through the verbs; reply as the socket would send. */
void enl_ctl_dispatch(struct enl_ctl *ctl, const char *line, GString *reply);

/*
 * `enl-host ctl verb args...`: send, print the reply to stdout. Exit status:
 * 0 for "ok", 1 for "error: ...", 2 when the server cannot be reached.
 */
int enl_ctl_client(const char *path, int argc, char **argv);

#endif /* ENL_HOST_CTL_H */
