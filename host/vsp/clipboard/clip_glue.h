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
 * Where the verb's engine lives: call runs fn(h, data) there and waits;
 * false (fn not run) once the engine's device went away.
 */
struct enl_clip_ctl_ops {
	bool (*call)(void *ctx, void (*fn)(struct enl_clip_host *h,
					   void *data), void *data);
	void *ctx;
};

/*
 * clipboard [status] | clipboard set [--type T] DATA|@FILE |
 * clipboard get [--type T] [--out FILE] [--timeout S] (ctl.c), on the
 * engine ops reaches; it waits for the guest on the calling thread's loop.
 */
struct enl_ctl_req;
int enl_clip_ctl(const struct enl_clip_ctl_ops *ops, struct enl_ctl_req *req);
#define ENL_CLIP_CTL_USAGE						\
	"clipboard [status] | clipboard set [--type T] DATA|@FILE"	\
	" | clipboard get [--type T] [--out FILE] [--timeout S]"	\
	"  (T: text, png, html, uri-list; FILE paths are "		\
	"enl-host's: give them absolute)"
/* The verb on one fixed engine (a test peer without VMBus). */
void enl_clip_register_ctl(struct enl_clip_host *h, struct enl_ctl *ctl);
/*
 * The verb on the engine of the clipboard offer named by --relid N, or
 * the first one (vmbus.c): each offer has its own.
 */
void enl_clip_register_ctl_vmbus(struct enl_vmbus_server *srv,
				 struct enl_ctl *ctl);

#endif /* ENL_HOST_CLIP_GLUE_H */
