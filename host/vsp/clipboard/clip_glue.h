/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's clipboard service wired in: the VMBus class "clipboard"
 * (vmbus.c) and the ctl verb clipboard (ctl.c), compiled into enl-host.
 */
#ifndef ENL_HOST_CLIP_GLUE_H
#define ENL_HOST_CLIP_GLUE_H

#include "clipboard_host.h"

struct enl_ctl;
struct enl_vmbus_server;

/* Class "clipboard" (offer by name); the one service instance is h. */
int enl_clip_register_vmbus(struct enl_clip_host *h,
			    struct enl_vmbus_server *srv);

/*
 * clipboard [status] | clipboard set [--type T] DATA|@FILE |
 * clipboard get [--type T] [--out FILE] [--timeout S].
 */
void enl_clip_register_ctl(struct enl_clip_host *h, struct enl_ctl *ctl);

#endif /* ENL_HOST_CLIP_GLUE_H */
