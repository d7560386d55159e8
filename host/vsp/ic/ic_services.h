/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's integration services as one unit: heartbeat, shutdown, time
 * sync and KVP state, their ctl verbs and their VMBus device classes.
 */
#ifndef ENL_HOST_IC_SERVICES_H
#define ENL_HOST_IC_SERVICES_H

#include "heartbeat_host.h"
#include "kvp_host.h"
#include "shutdown_host.h"
#include "timesync_host.h"

struct enl_ctl;
struct enl_vmbus_server;

struct enl_ic_services {
	struct enl_hb_host hb;
	struct enl_sd_host sd;
	struct enl_ts_host ts;
	struct enl_kvp_host kvp;
};

/*
 * Heartbeat every 1 s (lost after 3), time sample every 5 s, KVP guest and
 * auto pools refreshed every 10 s.
 */
void enl_ic_services_init(struct enl_ic_services *ics);

/*
 * Verbs heartbeat, shutdown [--reboot] [--force], time [shift <ms>],
 * kvp get|set|delete|list [--pool N], ip get|set.
 */
void enl_ic_register_ctl(struct enl_ic_services *ics, struct enl_ctl *ctl);

/* Classes "heartbeat", "shutdown", "timesync", "kvp" (offer by name). */
int enl_ic_register_vmbus(struct enl_ic_services *ics,
			  struct enl_vmbus_server *srv);

#endif /* ENL_HOST_IC_SERVICES_H */
