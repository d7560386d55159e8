/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's backup service wired in: the VMBus class "vss" (vmbus.c) and
 * the ctl verbs vss and backup (ctl.c). Compiled into enl-host itself,
 * like host/vsp/ic's glue, because it needs host/ctl and host/vmbus.
 */
#ifndef ENL_HOST_VSS_GLUE_H
#define ENL_HOST_VSS_GLUE_H

#include <stdbool.h>

#include <glib.h>

#include "vss_host.h"

struct enl_ctl;
struct enl_vmbus_server;

/* Class "vss" (offer by name); each offer has its own service state. */
int enl_vss_register_vmbus(struct enl_vmbus_server *srv);

/*
 * For the verbs (main thread): the vss offer named by --relid N (taken out
 * of argv) or the first one, referenced so its state outlives a wait for
 * the guest; NULL with why in out. enl_vss_ctl_call() runs fn on the
 * offer's worker with its service and waits; false (fn not run) once the
 * offer went away.
 */
struct enl_vss_ctl;
struct enl_vss_ctl *enl_vss_ctl_get(struct enl_vmbus_server *srv, int *argc,
				    char **argv, GString *out);
bool enl_vss_ctl_call(struct enl_vss_ctl *h,
		      void (*fn)(struct enl_vss_host *v, void *data),
		      void *data);
void enl_vss_ctl_put(struct enl_vss_ctl *h);

/*
 * vss [status] | vss check|freeze|thaw [--timeout S] and backup
 * [--timeout S], each with [--relid N]: each waits for the guest's answer,
 * at most S seconds (default 20, at most 25 to stay within the ctl
 * client's patience).
 */
void enl_vss_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl);

#endif /* ENL_HOST_VSS_GLUE_H */
