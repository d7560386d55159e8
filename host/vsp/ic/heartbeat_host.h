/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host heartbeat service: a heartbeat every interval; the guest's answer
 * says ok (seq + 1, S_OK) or unhealthy (a failure status); too many
 * unanswered heartbeats in a row mean lost.
 */
#ifndef ENL_HOST_IC_HEARTBEAT_H
#define ENL_HOST_IC_HEARTBEAT_H

#include <stdint.h>
#include <glib.h>

#include "ic_host.h"

enum enl_hb_state {
	ENL_HB_UNKNOWN,		/* no answer yet */
	ENL_HB_OK,
	ENL_HB_UNHEALTHY,
	ENL_HB_LOST,
};

struct enl_hb_host {
	struct enl_ic_host ic;
	enum enl_hb_state state;
	uint64_t seq;			/* of the heartbeat in flight */
	unsigned int missed, lost_after;
	gint64 last_seen;		/* wall clock, us; 0 = never */
	unsigned long bad_seq;
	unsigned int interval_ms;
	GSource *timer;		/* on the thread-default context */
};

void enl_hb_host_init(struct enl_hb_host *hb);
/* One period: count a miss if the last heartbeat is unanswered, send next. */
void enl_hb_host_tick(struct enl_hb_host *hb);
/* Tick from the GLib main loop every interval_ms (0 stops). */
void enl_hb_host_set_interval(struct enl_hb_host *hb, unsigned int ms);
const char *enl_hb_state_name(enum enl_hb_state s);

#endif /* ENL_HOST_IC_HEARTBEAT_H */
