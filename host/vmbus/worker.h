/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A worker: one thread running its own GMainContext, where a channel's VSP
 * lives. Everything a VSP does for its channel (packets, open, close, its
 * timers and fds) runs there, so a busy channel slows only itself and the
 * main thread keeps the VMBus control protocol and the ctl socket.
 */
#ifndef ENL_HOST_VMBUS_WORKER_H
#define ENL_HOST_VMBUS_WORKER_H

#include <glib.h>

struct enl_vmbus_worker;

/* Start a thread named name (at most 15 bytes show). NULL on failure. */
struct enl_vmbus_worker *enl_vmbus_worker_new(const char *name);

/*
 * Stop the loop and join the thread. Sources still attached to the context
 * are destroyed without running. Never from the worker itself.
 */
void enl_vmbus_worker_free(struct enl_vmbus_worker *w);

GMainContext *enl_vmbus_worker_context(const struct enl_vmbus_worker *w);

/*
 * Run fn(data) on ctx (NULL: the global default) and wait until it returned.
 * Inline when the caller owns ctx, or ctx is the main context and nobody
 * runs it right now (unit tests, shutdown); otherwise queued ahead of
 * packet work and run by its owner.
 * The caller must not hold anything the owner may wait for.
 */
void enl_vmbus_context_call(GMainContext *ctx, void (*fn)(void *data),
			    void *data);

#endif /* ENL_HOST_VMBUS_WORKER_H */
