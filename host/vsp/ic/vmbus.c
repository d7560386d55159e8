// SPDX-License-Identifier: GPL-2.0-only
/*
 * The integration services on VMBus channels: each IC is a VSP class whose
 * open starts negotiation and whose inband packets feed enl_ic_host_recv().
 */
#include <errno.h>
#include <string.h>
#include <enlighten/guids.h>

#include "ic_services.h"
#include "ic_vsp.h"
#include "server.h"
#include "vsp.h"

static struct enl_ic_services *the_ics;

static int vsp_send(void *tctx, const void *pkt, size_t len)
{
	struct enl_ring_iov iov = { pkt, (uint32_t)len };

	return enl_vsp_send(tctx, ENL_VMPKT_DATA_INBAND, 0, 0, &iov, 1);
}

static struct enl_ic_host *ic_of(const char *name)
{
	if (!strcmp(name, "heartbeat"))
		return &the_ics->hb.ic;
	if (!strcmp(name, "shutdown"))
		return &the_ics->sd.ic;
	if (!strcmp(name, "kvp"))
		return &the_ics->kvp.ic;
	return &the_ics->ts.ic;
}

int enl_ic_vsp_open(struct enl_vsp_channel *ch, struct enl_ic_host *h)
{
	enl_vsp_set_priv(ch, h);
	return enl_ic_host_open(h, vsp_send, ch);
}

#define IC_CLASS(cname)						\
static int cname##_open(struct enl_vsp_channel *ch, const uint8_t *ud)	\
{									\
	(void)ud;							\
	return enl_ic_vsp_open(ch, ic_of(#cname));			\
}
IC_CLASS(heartbeat)
IC_CLASS(shutdown)
IC_CLASS(timesync)
IC_CLASS(kvp)

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

/*
 * On the main loop: the ctl verbs and the services' timers share their
 * state (drained with a budget there like anywhere else).
 */
static const struct enl_vsp_class ic_classes[] = {
	{ .name = "heartbeat", .class_guid = ENL_GUID_HEARTBEAT,
	  .on_open = heartbeat_open, .on_packet = enl_ic_vsp_packet,
	  .on_close = enl_ic_vsp_close, .main_context = true },
	{ .name = "shutdown", .class_guid = ENL_GUID_SHUTDOWN,
	  .on_open = shutdown_open, .on_packet = enl_ic_vsp_packet,
	  .on_close = enl_ic_vsp_close, .main_context = true },
	{ .name = "timesync", .class_guid = ENL_GUID_TIMESYNC,
	  .on_open = timesync_open, .on_packet = enl_ic_vsp_packet,
	  .on_close = enl_ic_vsp_close, .main_context = true },
	{ .name = "kvp", .class_guid = ENL_GUID_KVP,
	  .on_open = kvp_open, .on_packet = enl_ic_vsp_packet,
	  .on_close = enl_ic_vsp_close, .main_context = true },
};

int enl_ic_register_vmbus(struct enl_ic_services *ics,
			  struct enl_vmbus_server *srv)
{
	int ret;

	the_ics = ics;
	for (size_t i = 0; i < G_N_ELEMENTS(ic_classes); i++) {
		ret = enl_vmbus_server_add_class(srv, &ic_classes[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void enl_ic_services_init(struct enl_ic_services *ics)
{
	enl_hb_host_init(&ics->hb);
	enl_sd_host_init(&ics->sd);
	enl_ts_host_init(&ics->ts);
	enl_kvp_host_init(&ics->kvp);
	enl_hb_host_set_interval(&ics->hb, 1000);
	enl_ts_host_set_interval(&ics->ts, 5000);
	enl_kvp_host_set_interval(&ics->kvp, 10000);
}
