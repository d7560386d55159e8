/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's network glue: `--nic tap=NAME[,mac=XX:XX:XX:XX:XX:XX]
 * [,queues=N][,mtu=N][,link=down]` and the ctl verb `nic` (add, remove,
 * list [--json], link up|down, stats, fault). Each NIC is one offer of
 * class "network". Compiled into enl-host itself (it needs host/ctl), like
 * the other glue.
 */
#ifndef ENL_HOST_NET_GLUE_H
#define ENL_HOST_NET_GLUE_H

#include <glib.h>

#include "net_vsp.h"

struct enl_ctl;
struct enl_vmbus_server;

/* One --nic / `nic add` argument: 0, or -EINVAL with the reason in err. */
int enl_nic_spec_parse(const char *s, struct enl_nic_spec *spec, GString *err);
/* A link speed in Mbit/s, 1..ENL_NIC_MAX_SPEED_MBPS (RNDIS counts 100 bit/s in 32 bits). */
#define ENL_NIC_MAX_SPEED_MBPS	400000
bool enl_nic_speed_parse(const char *s, uint32_t *mbps);

/*
 * Offer a NIC as spec says (the TAP is created if absent and opened with
 * a queue per channel). Its relid, or -errno with why in out.
 */
int enl_nic_add(struct enl_vmbus_server *srv, const char *spec, GString *out);

/* nic add|remove|list [--json]|link up|down|stats|fault */
void enl_nic_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl);

#endif /* ENL_HOST_NET_GLUE_H */
