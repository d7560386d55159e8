// SPDX-License-Identifier: GPL-2.0-only
/*
 * The integration services on VMBus channels: each IC is a VSP class whose
 * open starts negotiation and whose inband packets feed enl_ic_host_recv().
 */
#include <errno.h>
#include <string.h>
#include <enlighten/guids.h>
#include <enlighten/ic_timesync.h>

#include "ic_services.h"
#include "ic_vsp.h"
#include "kvp_items.h"
#include "ts_view.h"
#include "server.h"
#include "vsp.h"

static int vsp_send(void *tctx, const void *pkt, size_t len)
{
	struct enl_ring_iov iov = { pkt, (uint32_t)len };

	return enl_vsp_send(tctx, ENL_VMPKT_DATA_INBAND, 0, 0, &iov, 1);
}

int enl_ic_vsp_open(struct enl_vsp_channel *ch, struct enl_ic_host *h)
{
	enl_vsp_set_priv(ch, h);
	return enl_ic_host_open(h, vsp_send, ch);
}

/*
 * Each offer has its own service (the registry's per-channel state), made
 * with its period when offered and gone with the channel, on the
 * channel's worker: its timers and the ctl verbs (enl_vsp_ctl_run) run
 * there too, so the service is only ever touched by that thread.
 */
static void *heartbeat_create(struct enl_vsp_channel *ch)
{
	struct enl_hb_host *hb = g_new0(struct enl_hb_host, 1);

	(void)ch;
	enl_hb_host_init(hb);
	enl_hb_host_set_interval(hb, 1000);
	return hb;
}

static void heartbeat_destroy(void *state)
{
	enl_hb_host_set_interval(state, 0);
	g_free(state);
}

static void *shutdown_create(struct enl_vsp_channel *ch)
{
	struct enl_sd_host *sd = g_new0(struct enl_sd_host, 1);

	(void)ch;
	enl_sd_host_init(sd);
	return sd;
}

static uint64_t ts_ref_time(void *ctx)
{
	return enl_vsp_ref_time(ctx);
}

/* One enl-host serves one VM: what its guest reports of its clock. */
static struct enl_ts_view vm_ts_view;

static void *timesync_create(struct enl_vsp_channel *ch)
{
	struct enl_ts_host *ts = g_new0(struct enl_ts_host, 1);

	enl_ts_host_init(ts);
	/* The state goes with the channel: ch outlives every use. */
	ts->ref_time = ts_ref_time;
	ts->ref_ctx = ch;
	ts->guest_view = &vm_ts_view;
	enl_ts_host_set_interval(ts, 5000);
	return ts;
}

static void timesync_destroy(void *state)
{
	enl_ts_host_set_interval(state, 0);
	g_free(state);
}

/* One enl-host serves one VM: its host KVP items outlive every offer. */
static struct enl_kvp_items *vm_kvp_items;

/* The guest's time sync report rides in its KVP guest pool. */
static void kvp_answer(void *ctx, const struct enl_kvp_host_result *r)
{
	if (r->pool == ENL_KVP_POOL_GUEST && r->status == ENL_HV_S_OK &&
	    !r->malformed && r->key && r->value &&
	    (r->op == ENL_KVP_OP_ENUMERATE || r->op == ENL_KVP_OP_GET) &&
	    !strcmp(r->key, ENL_TS_REPORT_KEY))
		enl_ts_view_put(ctx, r->value);
}

static void *kvp_create(struct enl_vsp_channel *ch)
{
	struct enl_kvp_host *kh = g_new0(struct enl_kvp_host, 1);
	unsigned int n;

	(void)ch;
	enl_kvp_host_init(kh);
	enl_kvp_host_set_interval(kh, 10000);
	kh->done = kvp_answer;
	kh->done_ctx = &vm_ts_view;
	/* A new offer (after a rescind) gets what the host has set. */
	kh->items = vm_kvp_items;
	n = kh->items ? enl_kvp_items_replay(kh->items, kh) : 0;
	if (n)
		g_message("ic kvp: %u host item(s) queued for the new offer", n);
	return kh;
}

static void kvp_destroy(void *state)
{
	enl_kvp_host_free(state);
	g_free(state);
}

static int heartbeat_open(struct enl_vsp_channel *ch, const uint8_t *ud)
{
	struct enl_hb_host *hb = enl_vsp_state(ch);

	(void)ud;
	return enl_ic_vsp_open(ch, &hb->ic);
}

static int shutdown_open(struct enl_vsp_channel *ch, const uint8_t *ud)
{
	struct enl_sd_host *sd = enl_vsp_state(ch);

	(void)ud;
	return enl_ic_vsp_open(ch, &sd->ic);
}

static int timesync_open(struct enl_vsp_channel *ch, const uint8_t *ud)
{
	struct enl_ts_host *ts = enl_vsp_state(ch);

	(void)ud;
	return enl_ic_vsp_open(ch, &ts->ic);
}

static int kvp_open(struct enl_vsp_channel *ch, const uint8_t *ud)
{
	struct enl_kvp_host *kh = enl_vsp_state(ch);

	(void)ud;
	return enl_ic_vsp_open(ch, &kh->ic);
}

int enl_ic_vsp_packet(struct enl_vsp_channel *ch,
		      const struct enl_ring_pkt *pkt, const void *data)
{
	struct enl_ic_host *h = enl_vsp_priv(ch);
	/* KVP's IP answers are 7456 bytes, VSS packets at most 8192. */
	uint8_t buf[8192];
	size_t len;

	/* IC traffic is inband only; anything else is not ours to parse. */
	if (pkt->type != ENL_VMPKT_DATA_INBAND)
		return 0;
	if (pkt->hdr_len > pkt->len)
		return -EBADMSG;
	len = pkt->len - pkt->hdr_len;
	if (len > sizeof(buf))
		return -EMSGSIZE;
	/* A copy: the IC parser edits nothing, but wants it aligned and ours. */
	memcpy(buf, (const uint8_t *)data + pkt->hdr_len, len);
	enl_ic_host_recv(h, buf, len);
	return 0;
}

void enl_ic_vsp_close(struct enl_vsp_channel *ch)
{
	enl_ic_host_close(enl_vsp_priv(ch));
}

static const struct enl_vsp_class ic_classes[] = {
	{ .name = "heartbeat", .class_guid = ENL_GUID_HEARTBEAT,
	  .on_open = heartbeat_open, .on_packet = enl_ic_vsp_packet,
	  .on_close = enl_ic_vsp_close,
	  .create = heartbeat_create, .destroy = heartbeat_destroy },
	{ .name = "shutdown", .class_guid = ENL_GUID_SHUTDOWN,
	  .on_open = shutdown_open, .on_packet = enl_ic_vsp_packet,
	  .on_close = enl_ic_vsp_close,
	  .create = shutdown_create, .destroy = g_free },
	{ .name = "timesync", .class_guid = ENL_GUID_TIMESYNC,
	  .on_open = timesync_open, .on_packet = enl_ic_vsp_packet,
	  .on_close = enl_ic_vsp_close,
	  .create = timesync_create, .destroy = timesync_destroy },
	{ .name = "kvp", .class_guid = ENL_GUID_KVP,
	  .on_open = kvp_open, .on_packet = enl_ic_vsp_packet,
	  .on_close = enl_ic_vsp_close,
	  .create = kvp_create, .destroy = kvp_destroy },
};

int enl_ic_register_vmbus(struct enl_vmbus_server *srv)
{
	int ret;

	if (!vm_kvp_items)
		vm_kvp_items = enl_kvp_items_new();

	for (size_t i = 0; i < G_N_ELEMENTS(ic_classes); i++) {
		ret = enl_vmbus_server_add_class(srv, &ic_classes[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}
