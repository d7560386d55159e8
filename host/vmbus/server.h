/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMBus server of enl-host: version negotiation, offers, GPADLs,
 * open/close, rescind and unload, on top of the SynIC emulation (hv.h).
 */
#ifndef ENL_HOST_VMBUS_SERVER_H
#define ENL_HOST_VMBUS_SERVER_H

#include <stdint.h>

#include <glib.h>

struct enl_hv;
struct enl_ctl;
struct enl_vmbus_server;

struct enl_vmbus_server *enl_vmbus_server_new(struct enl_hv *hv);
void enl_vmbus_server_free(struct enl_vmbus_server *srv);

/* Offer a device by class name ("echo", "heartbeat", ...): relid or -errno. */
int enl_vmbus_server_offer(struct enl_vmbus_server *srv, const char *class_name);
int enl_vmbus_server_rescind(struct enl_vmbus_server *srv, uint32_t relid);

/*
 * Optional: the guest RAM file (offset == GPA), to map rings whose pages
 * are not contiguous into one host view. Without it (-1, the default) the
 * server aliases the MAP_SHARED guest RAM mapping with mremap() instead.
 */
void enl_vmbus_server_set_ram_fd(struct enl_vmbus_server *srv, int fd);

/*
 * For the fuzz target, before the first offer: run every channel's work on
 * ctx, which the calling thread has acquired (g_main_context_acquire) and
 * iterates itself, instead of on a worker thread per channel. The same
 * code runs, on one thread: an input replays the same way every time, and
 * no thread is started, joined or woken per channel or per step.
 */
void enl_vmbus_server_set_chan_context(struct enl_vmbus_server *srv,
				       GMainContext *ctx);

/* Negotiated protocol version (0 before contact) and unloads so far. */
uint32_t enl_vmbus_server_version(const struct enl_vmbus_server *srv);
uint64_t enl_vmbus_server_unloads(const struct enl_vmbus_server *srv);

/* Verbs devices, offer, rescind, stats, fault, version. */
void enl_vmbus_server_register_ctl(struct enl_vmbus_server *srv,
				   struct enl_ctl *ctl);

#endif /* ENL_HOST_VMBUS_SERVER_H */
