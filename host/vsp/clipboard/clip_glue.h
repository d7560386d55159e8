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
 * clipboard [status] | clipboard set [--type T] DATA|@FILE |
 * clipboard get [--type T] [--out FILE] [--timeout S], on engine h
 * (ctl.c); gone, if given, says whether h's device went away while the
 * verb waited for the guest.
 */
int enl_clip_ctl(struct enl_clip_host *h, int argc, char **argv,
		 bool (*gone)(struct enl_clip_host *h), GString *out);
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
