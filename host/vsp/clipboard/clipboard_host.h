/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's clipboard service for `enl-host ctl clipboard set|get
 * [--type]`: the shared protocol engine (common/proto/clip_engine.h)
 * in the host role, plus the one pending `get` a ctl client waits on.
 * Transport-agnostic: packets leave through send and arrive through
 * enl_clip_host_recv, VMBus rings in enl-host and sockets in tests.
 */
#ifndef ENL_HOST_CLIPBOARD_HOST_H
#define ENL_HOST_CLIPBOARD_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clip_engine.h"

/* A get finished: data (NULL on failure, then error is ENL_CLIP_ERR_*). */
typedef void (*enl_clip_host_get_cb)(void *ctx, uint32_t format,
				     const uint8_t *data, size_t len,
				     uint32_t error);

struct enl_clip_host {
	struct enl_clip e;
	int (*send)(void *tctx, const void *pkt, size_t len);
	void *tctx;
	enl_clip_host_get_cb get_cb;	/* the pending get, or NULL */
	void *get_ctx;
	unsigned long guest_copies;	/* announces from the guest */
};

void enl_clip_host_init(struct enl_clip_host *h, size_t cap);
void enl_clip_host_free(struct enl_clip_host *h);
/* The channel is up: negotiate. 0 or -errno. */
int enl_clip_host_open(struct enl_clip_host *h,
		       int (*send)(void *tctx, const void *pkt, size_t len),
		       void *tctx);
void enl_clip_host_close(struct enl_clip_host *h);
int enl_clip_host_recv(struct enl_clip_host *h, const void *pkt, size_t len);

/* ctl clipboard set: the host owns the clipboard with one format. */
int enl_clip_host_set(struct enl_clip_host *h, uint32_t format,
		      const void *data, size_t len);
/*
 * ctl clipboard get: fetch format from the guest's clipboard; cb runs once.
 * -ENOENT when the guest owns nothing in that format (the host's own copy
 * is answered directly through cb), -EBUSY while another get is pending.
 */
int enl_clip_host_get(struct enl_clip_host *h, uint32_t format,
		      enl_clip_host_get_cb cb, void *ctx);

/* Give up the pending get (its callback does not run); the guest is told. */
void enl_clip_host_cancel_get(struct enl_clip_host *h);

#endif /* ENL_HOST_CLIPBOARD_HOST_H */
