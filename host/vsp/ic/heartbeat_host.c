// SPDX-License-Identifier: GPL-2.0-only
/* Host heartbeat service: ok / unhealthy / lost tracking. */
#include "heartbeat_host.h"
#include "ic_timer.h"

#include <string.h>
#include <enlighten/ic_heartbeat.h>

static const uint32_t hb_versions[] = {
	ENL_IC_HEARTBEAT_VERSION_3_0, ENL_IC_HEARTBEAT_VERSION_1_0,
};

static void hb_set(struct enl_hb_host *hb, enum enl_hb_state s)
{
	if (hb->state != s)
		g_message("ic heartbeat: guest %s", enl_hb_state_name(s));
	hb->state = s;
}

static void hb_ready(void *ctx)
{
	enl_hb_host_tick(ctx);
}

static void hb_response(void *ctx, const struct enl_ic_msg *m)
{
	struct enl_hb_host *hb = ctx;
	uint64_t seq;

	hb->missed = 0;
	hb->last_seen = g_get_real_time();
	if (m->hdr->status != ENL_HV_S_OK) {
		hb_set(hb, ENL_HB_UNHEALTHY);
		return;
	}
	if (m->body_len < sizeof(seq)) {
		hb->bad_seq++;
		return;
	}
	memcpy(&seq, m->body, sizeof(seq));
	if (seq != hb->seq + 1) {
		/* Alive, but not answering what we asked: not "ok". */
		hb->bad_seq++;
		hb_set(hb, ENL_HB_UNHEALTHY);
		return;
	}
	hb_set(hb, ENL_HB_OK);
}

static void hb_closed(void *ctx)
{
	struct enl_hb_host *hb = ctx;

	hb_set(hb, ENL_HB_LOST);
}

static const struct enl_ic_host_ops hb_ops = {
	.name = "heartbeat",
	.msgtype = ENL_ICMSGTYPE_HEARTBEAT,
	.srv_versions = hb_versions,
	.n_srv_versions = G_N_ELEMENTS(hb_versions),
	.ready = hb_ready,
	.response = hb_response,
	.closed = hb_closed,
};

void enl_hb_host_init(struct enl_hb_host *hb)
{
	memset(hb, 0, sizeof(*hb));
	enl_ic_host_init(&hb->ic, &hb_ops, hb);
	hb->lost_after = 3;
	hb->seq = (uint64_t)g_random_int();
}

void enl_hb_host_tick(struct enl_hb_host *hb)
{
	struct enl_ic_heartbeat_msg msg = { 0 };

	if (hb->ic.state == ENL_IC_HOST_CLOSED)
		return;
	if (hb->ic.pending && ++hb->missed >= hb->lost_after)
		hb_set(hb, ENL_HB_LOST);
	if (hb->ic.state != ENL_IC_HOST_READY)
		return;
	hb->seq++;
	msg.seq_num = hb->seq;
	enl_ic_host_request(&hb->ic, &msg, sizeof(msg));
}

static gboolean hb_timer(gpointer data)
{
	enl_hb_host_tick(data);
	return G_SOURCE_CONTINUE;
}

void enl_hb_host_set_interval(struct enl_hb_host *hb, unsigned int ms)
{
	hb->interval_ms = ms;
	enl_ic_timer_set(&hb->timer, ms, hb_timer, hb);
}

const char *enl_hb_state_name(enum enl_hb_state s)
{
	switch (s) {
	case ENL_HB_UNKNOWN:	return "unknown";
	case ENL_HB_OK:		return "ok";
	case ENL_HB_UNHEALTHY:	return "unhealthy";
	case ENL_HB_LOST:	return "lost";
	}
	return "?";
}
