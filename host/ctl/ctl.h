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

/* Fill out with the reply body; return 0 for "ok", -errno for "error". */
typedef int (*enl_ctl_fn)(void *ctx, int argc, char **argv, GString *out);

void enl_ctl_register(struct enl_ctl *ctl, const char *verb, enl_ctl_fn fn,
		      void *ctx, const char *usage);

#endif /* ENL_HOST_CTL_H */
