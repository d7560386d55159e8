/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The clipboard protocol engine (<enlighten/clipboard.h>), one per channel
 * end, shared as is by enl-clipboardd (guest) and enl-host's clipboard
 * service: negotiation, ownership, REQUEST/DATA/ERROR, chunking out and
 * bounded reassembly in. Transport-agnostic: packets leave through
 * ops->send (which may say -EAGAIN: call enl_clip_resume when writable)
 * and arrive through enl_clip_recv. No allocation beyond one received
 * payload (at most cap bytes) and copies of our own clipboard content.
 */
#ifndef ENL_CLIP_ENGINE_H
#define ENL_CLIP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <enlighten/clipboard.h>

#include "ic.h"

enum enl_clip_role {
	ENL_CLIP_GUEST,		/* answers the negotiation */
	ENL_CLIP_HOST,		/* opens it; wins ownership ties */
};

struct enl_clip_item {
	uint32_t format;
	const uint8_t *data;
	size_t len;
};

/* What the peer offers while it owns the clipboard (n == 0: empty). */
struct enl_clip_offer {
	uint32_t serial;
	size_t n;
	uint32_t formats[ENL_CLIP_MAX_FORMATS];
	uint64_t sizes[ENL_CLIP_MAX_FORMATS];
};

struct enl_clip_ops {
	/* One packet: 0, -EAGAIN (kept; enl_clip_resume later), -errno. */
	int (*send)(void *ctx, const void *pkt, size_t len);
	void (*ready)(void *ctx);
	/* The peer owns the clipboard now (we lost it if we had it). */
	void (*announced)(void *ctx, const struct enl_clip_offer *offer);
	/* Our request finished; data is valid during the call only. */
	void (*received)(void *ctx, uint32_t format, const uint8_t *data,
			 size_t len);
	/* Our request failed: ENL_CLIP_ERR_*. */
	void (*failed)(void *ctx, uint32_t format, uint32_t error);
};

struct enl_clip_stats {
	unsigned long rx, tx, rx_bad, rx_stale, rx_unknown, tx_err, tx_again,
		      oversize, in_done, out_done, ctrl_dropped;
};

#define ENL_CLIP_CTRL_MAX	(ENL_ICMSG_BODY_OFFSET +			\
				 sizeof(struct enl_clip_announce) +		\
				 ENL_CLIP_MAX_FORMATS *			\
				 sizeof(struct enl_clip_format))
#define ENL_CLIP_CTRL_QUEUE	8

struct enl_clip_local {
	uint32_t format;
	uint8_t *data;
	size_t len;
};

struct enl_clip {
	enum enl_clip_role role;
	const struct enl_clip_ops *ops;
	void *ctx;
	size_t cap;			/* largest payload we accept */
	bool ready;
	uint32_t fw, srv;
	uint8_t neg_tid;
	uint32_t clock;			/* highest serial seen or used */

	/* Ownership: ours (local) or the peer's (remote). */
	bool we_own;
	uint32_t owner_serial;
	bool owner_is_host;
	struct enl_clip_local local[ENL_CLIP_MAX_FORMATS];
	size_t n_local;
	struct enl_clip_offer remote;

	/* Our request being reassembled. */
	bool rx_active, rx_started;
	uint32_t rx_id, rx_format, rx_serial, next_id;
	uint64_t rx_total, rx_got;
	uint8_t *rx_buf;

	/* The peer's request being served. */
	bool tx_active;
	uint32_t tx_id, tx_format, tx_serial;
	const struct enl_clip_local *tx_item;
	size_t tx_off;
	bool tx_sent_any;

	/* Control packets waiting for room, oldest first. */
	struct {
		size_t len;
		uint8_t buf[ENL_CLIP_CTRL_MAX];
	} ctrlq[ENL_CLIP_CTRL_QUEUE];
	size_t n_ctrl;

	size_t max_chunk;		/* data bytes per DATA we send */

	struct enl_clip_stats stats;
	const char *last_error;
	/* VMBus pads every packet to 8 bytes; receivers see the padding. */
	uint8_t pkt[ENL_CLIP_MAX_PKT_SIZE + 8];
};

/* cap 0 means ENL_CLIP_DEFAULT_CAP; above ENL_CLIP_HARD_CAP is clamped. */
void enl_clip_init(struct enl_clip *e, enum enl_clip_role role,
		   const struct enl_clip_ops *ops, void *ctx, size_t cap);
void enl_clip_free(struct enl_clip *e);
/*
 * Send DATA chunks of at most n bytes (0 or above ENL_CLIP_MAX_CHUNK: the
 * protocol's largest), for transports that cannot carry a full one: the
 * guest's /dev/vmbus char device writes at most 8 KiB per packet.
 */
void enl_clip_set_max_chunk(struct enl_clip *e, size_t n);

/* The channel is up. The host sends NEGOTIATE; the guest waits for it. */
int enl_clip_open(struct enl_clip *e);
/* The channel is gone: drop transfers and the peer's offer. */
void enl_clip_close(struct enl_clip *e);

/* One packet from the peer: 0, or -errno when dropped (and counted). */
int enl_clip_recv(struct enl_clip *e, const void *pkt, size_t len);
/* Send what waited for room: 0, -EAGAIN (still full), -errno. */
int enl_clip_resume(struct enl_clip *e);
/* Whether anything waits for room (poll for writable when true). */
bool enl_clip_blocked(const struct enl_clip *e);

/*
 * Own the clipboard with these items (copied; n == 0 empties it) and
 * announce them (now, or once negotiated). -EINVAL for duplicate formats,
 * too many or an item over the cap or invalid for its format.
 */
int enl_clip_set(struct enl_clip *e, const struct enl_clip_item *items,
		 size_t n);
/*
 * Ask the owner for format: the answer comes through received/failed.
 * -ENOENT when the peer does not own the clipboard or offers no such
 * format, -ENOTCONN before negotiation.
 */
int enl_clip_request(struct enl_clip *e, uint32_t format);
/* Give up our request (the peer is told). */
void enl_clip_cancel(struct enl_clip *e);

#endif /* ENL_CLIP_ENGINE_H */
