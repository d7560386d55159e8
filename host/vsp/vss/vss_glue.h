/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's backup service wired in: the VMBus class "vss" (vmbus.c) and
 * the ctl verbs vss and backup (ctl.c). Compiled into enl-host itself,
 * like host/vsp/ic's glue, because it needs host/ctl and host/vmbus.
 */
#ifndef ENL_HOST_VSS_GLUE_H
#define ENL_HOST_VSS_GLUE_H

#include "vss_host.h"

struct enl_ctl;
struct enl_vmbus_server;

/* Class "vss" (offer by name); the one service instance is v. */
int enl_vss_register_vmbus(struct enl_vss_host *v,
			   struct enl_vmbus_server *srv);

/*
 * vss [status] | vss check|freeze|thaw [--timeout S] and backup
 * [--timeout S]: each waits for the guest's answer, at most S seconds
 * (default 20, at most 25 to stay within the ctl client's patience).
 */
void enl_vss_register_ctl(struct enl_vss_host *v, struct enl_ctl *ctl);

#endif /* ENL_HOST_VSS_GLUE_H */
