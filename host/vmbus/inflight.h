/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A bounded table of requests a VSP sent to the guest and waits to see
 * completed: each gets a transaction id (slot and generation), and a
 * completion names it by that id. The guest is untrusted: an id that is
 * not outstanding (never issued, already completed, or a stale
 * generation) is counted and yields NULL, never another request.
 * Thread-safe.
 */
#ifndef ENL_HOST_VMBUS_INFLIGHT_H
#define ENL_HOST_VMBUS_INFLIGHT_H

#include <stdint.h>

struct enl_vsp_channel;
struct enl_vsp_inflight;

/* A channel's table when its class says no size (max_inflight 0). */
#define ENL_VSP_INFLIGHT_DEFAULT	256

/*
 * Every channel has its own table, made and freed by the server with the
 * channel (ids stay unique across opens): a VSP needs none of its own.
 * on_close takes back what is still outstanding (enl_vsp_inflight_pop);
 * whatever it leaves is dropped after on_close and counted (ctl stats),
 * so a completion arriving later can never find it.
 */
struct enl_vsp_inflight *enl_vsp_inflight(struct enl_vsp_channel *ch);

struct enl_vsp_inflight_stats {
	uint64_t added;
	uint64_t completed;
	uint64_t full;		/* adds refused: max outstanding */
	uint64_t stale;		/* completions naming nothing outstanding */
	uint32_t outstanding;
};

/* At most max (1..65536) requests outstanding at once. NULL if max is bad. */
struct enl_vsp_inflight *enl_vsp_inflight_new(uint32_t max);
/* Drops the table; requests still in it are the caller's to free. */
void enl_vsp_inflight_free(struct enl_vsp_inflight *t);

/* Store req (non-NULL); its id in *trans_id. 0, -ENOSPC or -EINVAL. */
int enl_vsp_inflight_add(struct enl_vsp_inflight *t, void *req,
			 uint64_t *trans_id);
/* The request behind trans_id, removed; NULL (and counted) if none. */
void *enl_vsp_inflight_take(struct enl_vsp_inflight *t, uint64_t trans_id);
/* Take back an add whose packet never went out (not a completion). */
void *enl_vsp_inflight_cancel(struct enl_vsp_inflight *t, uint64_t trans_id);
/* Remove and return any one outstanding request (teardown), or NULL. */
void *enl_vsp_inflight_pop(struct enl_vsp_inflight *t);

void enl_vsp_inflight_stats(struct enl_vsp_inflight *t,
			    struct enl_vsp_inflight_stats *st);

#endif /* ENL_HOST_VMBUS_INFLIGHT_H */
