/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's integration services: heartbeat, shutdown, time sync and KVP
 * as VMBus device classes with per-offer state, and their ctl verbs.
 */
#ifndef ENL_HOST_IC_SERVICES_H
#define ENL_HOST_IC_SERVICES_H

#include "heartbeat_host.h"
#include "kvp_host.h"
#include "shutdown_host.h"
#include "timesync_host.h"

struct enl_ctl;
struct enl_vmbus_server;

/*
 * Verbs heartbeat, shutdown [--reboot] [--force], time [shift <ms>],
 * kvp get|set|delete|list [--pool N], ip get|set; each takes --relid N to
 * pick one of several offers of its class (default: the first).
 */
void enl_ic_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl);

/*
 * Classes "heartbeat", "shutdown", "timesync", "kvp" (offer by name). Each
 * offer has its own service state: heartbeat every 1 s (lost after 3),
 * time sample every 5 s, KVP guest and auto pools refreshed every 10 s.
 */
int enl_ic_register_vmbus(struct enl_vmbus_server *srv);

#endif /* ENL_HOST_IC_SERVICES_H */
