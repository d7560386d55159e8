/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fault for robustness tests: hold every VMBus message towards the guest
 * for a while, then deliver them all in their order (a slow host, never a
 * reordering one). Main thread only, like every enl_vmbus_reply().
 */
#ifndef ENL_HOST_VMBUS_HOLD_H
#define ENL_HOST_VMBUS_HOLD_H

#include <stdbool.h>
#include <stdint.h>

struct enl_vmbus_server;
struct enl_vmbus_hold;

/* Start (or extend) holding for ms milliseconds; 0 or -errno. */
int enl_vmbus_hold_start(struct enl_vmbus_server *srv, unsigned int ms);
/* Deliver what is held now and stop holding. */
void enl_vmbus_hold_release(struct enl_vmbus_server *srv);
/* Forget what is held (the connection it was for is gone). */
void enl_vmbus_hold_drop(struct enl_vmbus_server *srv);
/* For enl_vmbus_reply: true when the message was queued behind the hold. */
bool enl_vmbus_hold_take(struct enl_vmbus_server *srv, const void *msg,
			 uint32_t len);
/* Messages are being held now. */
bool enl_vmbus_hold_active(const struct enl_vmbus_server *srv);
void enl_vmbus_hold_free(struct enl_vmbus_server *srv);

#endif /* ENL_HOST_VMBUS_HOLD_H */
