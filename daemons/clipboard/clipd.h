/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-clipboardd's service logic: the protocol engine in the guest role,
 * our copy (enl_clipd_copy) and the local users waiting for a paste from
 * the host. The channel side (chan.c) feeds the engine from the libenl
 * channel; the users' socket (users.c) calls in here.
 */
#ifndef ENL_CLIPD_H
#define ENL_CLIPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "channel.h"
#include "clip_engine.h"

/* The paste finished: data, or NULL and why. data lives during the call. */
typedef void (*enl_clipd_paste_cb)(void *ctx, const uint8_t *data, size_t len,
				   const char *error);

struct enl_clipd {
	struct enl_clip e;
	/* chan.c */
	struct enl_channel *ch;
	guint in_watch, out_watch;
	void (*closed)(void *ctx);	/* the channel ended */
	void *closed_ctx;
	/* The owner changed (host announce or user copy): tell watchers. */
	void (*changed)(void *ctx);
	void *changed_ctx;
	/* Users waiting for the request out (all for want_format). */
	uint32_t want_format;
	GPtrArray *waiters;
	unsigned long host_copies, user_copies, user_pastes;
};

void enl_clipd_init(struct enl_clipd *d, size_t cap);
void enl_clipd_free(struct enl_clipd *d);

/* A user copied: we own the clipboard. 0 or -EINVAL (bad payload/cap). */
int enl_clipd_copy(struct enl_clipd *d, uint32_t format, const void *data,
		   size_t len);
/*
 * A user pastes format: cb runs now (our own copy) or when the host's data
 * is in. -ENOENT: nobody offers it; -EBUSY: another format is being
 * fetched; -ENOTCONN: the channel is not negotiated yet.
 */
int enl_clipd_paste(struct enl_clipd *d, uint32_t format,
		    enl_clipd_paste_cb cb, void *ctx);
/* ctx gave up waiting (its client left). */
void enl_clipd_forget(struct enl_clipd *d, void *ctx);
/* What can be pasted now: up to max formats and sizes (0: unknown). */
size_t enl_clipd_targets(const struct enl_clipd *d, uint32_t *formats,
			 uint64_t *sizes, size_t max);

/*
 * Who owns the clipboard now: "host", "guest" (a local user copied) or
 * "none"; *serial is its ownership serial (0 for none).
 */
const char *enl_clipd_owner(const struct enl_clipd *d, uint32_t *serial);

/* chan.c: serve the engine on ch (taken over), from the main loop. */
void enl_clipd_attach(struct enl_clipd *d, struct enl_channel *ch);
void enl_clipd_detach(struct enl_clipd *d);
/* The engine's send: 0, -EAGAIN (resumed once writable), -errno. */
int enl_clipd_chan_send(struct enl_clipd *d, const void *pkt, size_t len);

/*
 * The char device writes at most 8 KiB per packet (kmod/vmbus/chardev.c
 * IC_MAX_WRITE), so our DATA chunks stay below a full protocol chunk.
 */
#define ENL_CLIPD_MAX_WRITE	8192

#endif /* ENL_CLIPD_H */
