/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's clipboard service wired in: the VMBus class "clipboard"
 * (vmbus.c) and the ctl verb clipboard (ctl.c), compiled into enl-host.
 */
#ifndef ENL_HOST_CLIP_GLUE_H
#define ENL_HOST_CLIP_GLUE_H

#include <stdbool.h>

#include <glib.h>

#include "clipboard_host.h"

struct enl_ctl;
struct enl_vmbus_server;

/* Class "clipboard" (offer by name); each offer has its own engine. */
int enl_clip_register_vmbus(struct enl_vmbus_server *srv);

/*
 * For the verb: the engine of the clipboard offer named by --relid N (taken
 * out of argv) or the first one, referenced so it outlives a wait for the
 * guest; NULL with why in out. enl_clip_ctl_gone() says the offer went
 * away meanwhile. Main thread.
 */
struct enl_clip_host *enl_clip_ctl_get(struct enl_vmbus_server *srv,
				       int *argc, char **argv, GString *out);
bool enl_clip_ctl_gone(struct enl_clip_host *h);
void enl_clip_ctl_put(struct enl_clip_host *h);

/*
 * clipboard [status] | clipboard set [--type T] DATA|@FILE |
 * clipboard get [--type T] [--out FILE] [--timeout S], each [--relid N].
 */
void enl_clip_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl);

#endif /* ENL_HOST_CLIP_GLUE_H */
