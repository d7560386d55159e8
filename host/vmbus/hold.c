// SPDX-License-Identifier: GPL-2.0-only
/*
 * Holding the guest's VMBus messages back (hold.h): chaos' "delayed
 * messages". Held messages keep their order and go out when the hold ends,
 * so the guest sees a slow host, never one that answers out of turn.
 */
#include <errno.h>
#include <string.h>

#include "hold.h"
#include "server_priv.h"

/* Beyond these the host stops holding and delivers: a bounded fault. */
#define HOLD_MAX_MS	10000
#define HOLD_MAX_MSGS	256

struct held_msg {
	uint32_t len;
	uint8_t data[ENL_VMBUS_MAX_MSG_SIZE];
};

struct enl_vmbus_hold {
	GSource *timer;
	GQueue queue;		/* struct held_msg, oldest first */
};

static struct enl_vmbus_hold *hold_of(struct enl_vmbus_server *srv)
{
	if (!srv->hold)
		srv->hold = g_new0(struct enl_vmbus_hold, 1);
	return srv->hold;
}

static gboolean on_hold_end(gpointer data)
{
	enl_vmbus_hold_release(data);
	return G_SOURCE_REMOVE;
}

int enl_vmbus_hold_start(struct enl_vmbus_server *srv, unsigned int ms)
{
	struct enl_vmbus_hold *h = hold_of(srv);

	if (!ms || ms > HOLD_MAX_MS)
		return -EINVAL;
	enl_vmbus_source_drop(&h->timer);
	h->timer = g_timeout_source_new(ms);
	g_source_set_callback(h->timer, on_hold_end, srv, NULL);
	g_source_attach(h->timer, NULL);
	srv->stats.faults++;
	g_message("vmbus: fault: messages to the guest held for %u ms", ms);
	return 0;
}

bool enl_vmbus_hold_take(struct enl_vmbus_server *srv, const void *msg,
			 uint32_t len)
{
	struct enl_vmbus_hold *h = srv->hold;
	struct held_msg *m;

	if (!h || !h->timer || len > ENL_VMBUS_MAX_MSG_SIZE)
		return false;
	/* A full queue ends the hold: deliver these, then this one. */
	if (h->queue.length >= HOLD_MAX_MSGS) {
		enl_vmbus_hold_release(srv);
		return false;
	}
	m = g_new(struct held_msg, 1);
	m->len = len;
	memcpy(m->data, msg, len);
	g_queue_push_tail(&h->queue, m);
	enl_vmbus_stat_inc(&srv->stats.held);
	return true;
}

/* End the hold; what it held goes out in order, or is forgotten. */
static void hold_end(struct enl_vmbus_server *srv, bool deliver)
{
	struct enl_vmbus_hold *h = srv->hold;
	struct held_msg *m;

	if (!h)
		return;
	enl_vmbus_source_drop(&h->timer);
	while ((m = g_queue_pop_head(&h->queue))) {
		if (deliver)
			enl_vmbus_reply(srv, m->data, m->len);
		else
			enl_vmbus_stat_inc(&srv->stats.hold_dropped);
		g_free(m);
	}
}

void enl_vmbus_hold_release(struct enl_vmbus_server *srv)
{
	hold_end(srv, true);
}

void enl_vmbus_hold_drop(struct enl_vmbus_server *srv)
{
	hold_end(srv, false);
}

bool enl_vmbus_hold_active(const struct enl_vmbus_server *srv)
{
	return srv->hold && srv->hold->timer;
}

void enl_vmbus_hold_free(struct enl_vmbus_server *srv)
{
	enl_vmbus_hold_drop(srv);
	g_free(srv->hold);
	srv->hold = NULL;
}
