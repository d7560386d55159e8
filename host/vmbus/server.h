/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMBus server of enl-host: version negotiation, offers, GPADLs,
 * open/close, rescind and unload, on top of the SynIC emulation (hv.h).
 */
#ifndef ENL_HOST_VMBUS_SERVER_H
#define ENL_HOST_VMBUS_SERVER_H

#include <stdint.h>

struct enl_hv;
struct enl_ctl;
struct enl_vmbus_server;

struct enl_vmbus_server *enl_vmbus_server_new(struct enl_hv *hv);
void enl_vmbus_server_free(struct enl_vmbus_server *srv);

/* Offer a device by class name ("echo", "heartbeat", ...): relid or -errno. */
int enl_vmbus_server_offer(struct enl_vmbus_server *srv, const char *class_name);
int enl_vmbus_server_rescind(struct enl_vmbus_server *srv, uint32_t relid);

/* Verbs devices, offer, rescind, stats, fault, version. */
void enl_vmbus_server_register_ctl(struct enl_vmbus_server *srv,
				   struct enl_ctl *ctl);

#endif /* ENL_HOST_VMBUS_SERVER_H */
