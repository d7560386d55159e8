// SPDX-License-Identifier: GPL-2.0-only
/*
 * Channel offers: creating a channel for a device class, the OFFERCHANNEL
 * message, host-initiated rescind and the guest's RELID_RELEASED, after
 * which (and only after which) a relid may be handed out again.
 */
#include <errno.h>
#include <string.h>

#include "server_priv.h"

struct enl_vsp_channel *enl_vmbus_chan_lookup(struct enl_vmbus_server *srv,
					      uint32_t relid)
{
	return relid && relid <= ENL_VMBUS_MAX_RELID ? srv->chan[relid] : NULL;
}

const char *enl_vmbus_chan_state_name(const struct enl_vsp_channel *ch)
{
	switch (ch->state) {
	case ENL_CHAN_OFFERED:
		return ch->offer_sent ? "offered" : "queued";
	case ENL_CHAN_OPEN:
		return "open";
	case ENL_CHAN_RESCINDED:
		return "rescinded";
	}
	return "?";
}

void enl_vmbus_send_offer(struct enl_vsp_channel *ch)
{
	struct enl_vmbus_channel_offer_channel o;

	memset(&o, 0, sizeof(o));
	o.header.msgtype = ENL_CHANNELMSG_OFFERCHANNEL;
	o.offer.if_type = ch->cls->class_guid;
	o.offer.if_instance = ch->instance;
	o.offer.chn_flags = ch->cls->chn_flags;
	o.offer.mmio_megabytes = ch->cls->mmio_megabytes;
	o.offer.sub_channel_index = ch->sub_index;
	o.child_relid = ch->relid;
	/* No monitor pages: the guest signals with HvSignalEvent. */
	o.monitor_allocated = 0;
	/* Each channel has its own connection id: no shared bitmap needed. */
	o.is_dedicated_interrupt = ENL_VMBUS_OFFER_DEDICATED_INTERRUPT;
	o.connection_id = ch->conn_id;
	if (!enl_vmbus_reply(ch->srv, &o, sizeof(o)))
		ch->offer_sent = true;
}

static const struct enl_vsp_class *find_class(struct enl_vmbus_server *srv,
					      const char *name)
{
	unsigned int i;

	for (i = 0; i < srv->nr_classes; i++)
		if (!strcmp(srv->classes[i]->name, name))
			return srv->classes[i];
	return NULL;
}

/* Unique per offer: the class GUID with a serial in its first 32 bits. */
static void make_instance(struct enl_vmbus_server *srv, struct enl_guid *g,
			  const struct enl_vsp_class *cls)
{
	uint32_t serial = ++srv->instance_serial;

	*g = cls->class_guid;
	g->b[0] = serial & 0xff;
	g->b[1] = (serial >> 8) & 0xff;
	g->b[2] = (serial >> 16) & 0xff;
	g->b[3] = 0xe0 | ((serial >> 24) & 0x0f);
}

static int free_relid(struct enl_vmbus_server *srv)
{
	uint32_t relid;

	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++)
		if (!srv->chan[relid])
			return (int)relid;
	return -ENOSPC;
}

/*
 * A channel on relid, started (its worker) and complete before it is
 * published in the table; a primary gets a fresh instance, a sub-channel
 * its parent's. NULL if no worker or VSP state could be had.
 */
static struct enl_vsp_channel *new_channel(struct enl_vmbus_server *srv,
					   const struct enl_vsp_class *cls,
					   uint32_t relid,
					   struct enl_vsp_channel *parent,
					   uint16_t sub_index)
{
	struct enl_vsp_channel *ch = g_new0(struct enl_vsp_channel, 1);

	ch->srv = srv;
	ch->cls = cls;
	ch->relid = relid;
	ch->conn_id = ENL_VMBUS_CHANNEL_CONN_BASE + relid;
	ch->state = ENL_CHAN_OFFERED;
	if (enl_vmbus_chan_start(ch)) {
		g_free(ch);
		return NULL;
	}
	if (parent) {
		ch->instance = parent->instance;
		ch->parent = parent;
		ch->sub_index = sub_index;
		ch->serial = ++srv->instance_serial;
	} else {
		make_instance(srv, &ch->instance, cls);
		ch->serial = srv->instance_serial;
	}
	ch->inflight = enl_vsp_inflight_new(cls->max_inflight ?
					    cls->max_inflight :
					    ENL_VSP_INFLIGHT_DEFAULT);
	/* Per-offer VSP state: a sub-channel has its own, too. */
	if (!ch->inflight || enl_vmbus_state_create(ch)) {
		enl_vsp_inflight_free(ch->inflight);
		enl_vmbus_chan_stop(ch);
		g_free(ch);
		return NULL;
	}
	srv->chan[relid] = ch;
	/* Before REQUESTOFFERS the offer waits for the guest's round. */
	if (srv->connected && srv->offers_requested)
		enl_vmbus_send_offer(ch);
	return ch;
}

int enl_vmbus_server_offer(struct enl_vmbus_server *srv, const char *class_name)
{
	const struct enl_vsp_class *cls = find_class(srv, class_name);
	int relid;

	if (!cls)
		return -ENOENT;
	relid = free_relid(srv);
	if (relid < 0)
		return relid;
	if (!new_channel(srv, cls, (uint32_t)relid, NULL, 0))
		return -EAGAIN;
	return relid;
}

static struct enl_vsp_channel *find_sub(struct enl_vmbus_server *srv,
					const struct enl_vsp_channel *parent,
					uint16_t index)
{
	uint32_t relid;

	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++) {
		struct enl_vsp_channel *ch = srv->chan[relid];

		/* A rescinded one is going: the index is offered anew. */
		if (ch && ch->parent == parent && ch->sub_index == index &&
		    ch->state != ENL_CHAN_RESCINDED)
			return ch;
	}
	return NULL;
}

/* On the main thread, which owns the channel table. */
static int create_subchannels(struct enl_vsp_channel *ch, unsigned int n)
{
	struct enl_vmbus_server *srv = ch->srv;
	unsigned int i, have = 0;
	int relid;

	for (i = 1; i <= n; i++) {
		if (find_sub(srv, ch, (uint16_t)i)) {
			have++;
			continue;
		}
		relid = free_relid(srv);
		if (relid < 0)
			return have ? (int)have : relid;
		if (!new_channel(srv, ch->cls, (uint32_t)relid, ch, (uint16_t)i))
			return have ? (int)have : -EAGAIN;
		have++;
	}
	g_message("vmbus: relid %u (%s) has %u sub-channels", ch->relid,
		  ch->cls->name, have);
	return (int)have;
}

struct deferred_subs {
	struct enl_vmbus_server *srv;
	uint32_t relid, serial;
	unsigned int n;
};

static gboolean subs_cb(gpointer data)
{
	struct deferred_subs *d = data;
	struct enl_vsp_channel *ch = enl_vmbus_chan_lookup(d->srv, d->relid);

	/* Still the offer that asked, and still there. */
	if (ch && ch->serial == d->serial && ch->state != ENL_CHAN_RESCINDED)
		create_subchannels(ch, d->n);
	return G_SOURCE_REMOVE;
}

int enl_vsp_create_subchannels(struct enl_vsp_channel *ch, unsigned int n)
{
	struct deferred_subs *d;

	if (ch->parent || ch->sub_index || ch->state == ENL_CHAN_RESCINDED ||
	    !n || n > ENL_VSP_MAX_SUBCHANNELS)
		return -EINVAL;
	if (g_main_context_is_owner(g_main_context_default()))
		return create_subchannels(ch, n);
	/*
	 * From a worker (on_open runs on the channel's context while the
	 * main thread waits for it): the table is the main thread's, so the
	 * offers follow on the main loop, after the open result.
	 */
	d = g_new(struct deferred_subs, 1);
	d->srv = ch->srv;
	d->relid = ch->relid;
	d->serial = ch->serial;
	d->n = n;
	g_idle_add_full(G_PRIORITY_DEFAULT, subs_cb, d, g_free);
	return (int)n;
}

struct enl_vsp_inflight *enl_vsp_inflight(struct enl_vsp_channel *ch)
{
	return ch->inflight;
}

uint16_t enl_vsp_sub_index(const struct enl_vsp_channel *ch)
{
	return ch->sub_index;
}

struct enl_vsp_channel *enl_vsp_primary(const struct enl_vsp_channel *ch)
{
	return ch->parent;
}

/* After unload: the guest forgot the sub-channels; its driver asks again. */
void enl_vmbus_drop_subchannels(struct enl_vmbus_server *srv)
{
	uint32_t relid;

	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++)
		if (srv->chan[relid] && srv->chan[relid]->sub_index)
			enl_vmbus_chan_free(srv->chan[relid]);
}

void enl_vmbus_chan_free(struct enl_vsp_channel *ch)
{
	struct enl_vmbus_server *srv = ch->srv;
	uint32_t relid;

	enl_vmbus_chan_close(ch);
	enl_vmbus_state_destroy(ch);
	enl_vmbus_chan_stop(ch);
	enl_vmbus_gpadl_free_relid(srv, ch->relid);
	enl_vsp_inflight_free(ch->inflight);
	srv->chan[ch->relid] = NULL;
	/* Sub-channels the guest has not released yet outlive their parent. */
	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++)
		if (srv->chan[relid] && srv->chan[relid]->parent == ch)
			srv->chan[relid]->parent = NULL;
	g_free(ch);
}

static int rescind_one(struct enl_vsp_channel *ch)
{
	struct enl_vmbus_channel_rescind_offer r = { 0 };

	if (ch->state == ENL_CHAN_RESCINDED)
		return -EALREADY;
	/* Once rescinded the host answers nothing more on this channel. */
	ch->rescinding = true;
	enl_vmbus_chan_close(ch);
	if (!ch->offer_sent) {
		enl_vmbus_chan_free(ch);
		return 0;
	}
	ch->state = ENL_CHAN_RESCINDED;
	r.header.msgtype = ENL_CHANNELMSG_RESCIND_CHANNELOFFER;
	r.child_relid = ch->relid;
	enl_vmbus_reply(ch->srv, &r, sizeof(r));
	return 0;
}

/*
 * A device and its sub-channels. Ours go first: the guest removes the
 * device with the primary. primary_first is the other order, which a guest
 * must survive too (ctl `fault rescind-primary-first`).
 */
static int rescind_device(struct enl_vmbus_server *srv, uint32_t relid,
			  bool primary_first)
{
	struct enl_vsp_channel *ch = enl_vmbus_chan_lookup(srv, relid), *sub;
	uint32_t subs[ENL_VMBUS_MAX_RELID], n = 0, i;
	int ret = 0;

	if (!ch)
		return -ENOENT;
	if (ch->state == ENL_CHAN_RESCINDED)
		return -EALREADY;
	if (!ch->parent && !ch->sub_index)
		for (i = 1; i <= ENL_VMBUS_MAX_RELID; i++)
			if (srv->chan[i] && srv->chan[i]->parent == ch)
				subs[n++] = i;
	/* An offer never sent is simply freed: no order to get wrong. */
	primary_first = primary_first && ch->offer_sent;
	if (primary_first)
		ret = rescind_one(ch);
	for (i = 0; i < n; i++) {
		sub = enl_vmbus_chan_lookup(srv, subs[i]);
		if (sub)
			rescind_one(sub);
	}
	return primary_first ? ret : rescind_one(ch);
}

int enl_vmbus_server_rescind(struct enl_vmbus_server *srv, uint32_t relid)
{
	return rescind_device(srv, relid, false);
}

int enl_vmbus_server_rescind_primary_first(struct enl_vmbus_server *srv,
					   uint32_t relid)
{
	struct enl_vsp_channel *ch = enl_vmbus_chan_lookup(srv, relid);

	if (ch && (ch->parent || ch->sub_index))
		return -EINVAL;
	return rescind_device(srv, relid, true);
}

struct deferred_rescind {
	struct enl_vmbus_server *srv;
	uint32_t relid, serial;
};

static gboolean rescind_cb(gpointer data)
{
	struct deferred_rescind *d = data;
	struct enl_vsp_channel *ch = enl_vmbus_chan_lookup(d->srv, d->relid);

	/* Still the offer that asked, not a later one on the same relid. */
	if (ch && ch->serial == d->serial)
		enl_vmbus_server_rescind(d->srv, d->relid);
	return G_SOURCE_REMOVE;
}

int enl_vsp_rescind(struct enl_vsp_channel *ch)
{
	struct deferred_rescind *d;

	if (!g_main_context_is_owner(ch->ctx))
		return enl_vmbus_server_rescind(ch->srv, ch->relid);
	/*
	 * From a callback: closing waits for (or runs on) this very context
	 * and frees what the callback still uses. Later, on the main loop.
	 */
	d = g_new(struct deferred_rescind, 1);
	d->srv = ch->srv;
	d->relid = ch->relid;
	d->serial = ch->serial;
	g_idle_add_full(G_PRIORITY_DEFAULT, rescind_cb, d, g_free);
	return 0;
}

void enl_vmbus_on_relid_released(struct enl_vmbus_server *srv,
				 const void *msg)
{
	const struct enl_vmbus_channel_relid_released *m = msg;
	struct enl_vsp_channel *ch = enl_vmbus_chan_lookup(srv, m->child_relid);

	if (!ch) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_RELID,
				"RELID_RELEASED of unknown relid %u",
				m->child_relid);
		return;
	}
	if (ch->state != ENL_CHAN_RESCINDED) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_STATE,
				"RELID_RELEASED of relid %u, not rescinded",
				m->child_relid);
		return;
	}
	enl_vmbus_chan_free(ch);
}
