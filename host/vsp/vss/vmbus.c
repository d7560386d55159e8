// SPDX-License-Identifier: GPL-2.0-only
/*
 * The backup service on a VMBus channel: open starts the IC negotiation,
 * inband packets feed enl_ic_host_recv() (same shape as host/vsp/ic).
 */
#include <errno.h>
#include <string.h>
#include <enlighten/guids.h>
#include <enlighten/ic_vss.h>

#include "server.h"
#include "vsp.h"
#include "vss_glue.h"

static struct enl_vss_host *the_vss;

static int vss_send(void *tctx, const void *pkt, size_t len)
{
	struct enl_ring_iov iov = { pkt, (uint32_t)len };

	return enl_vsp_send(tctx, ENL_VMPKT_DATA_INBAND, 0, 0, &iov, 1);
}

static int vss_open(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	(void)user_data;
	enl_vsp_set_priv(ch, the_vss);
	return enl_ic_host_open(&the_vss->ic, vss_send, ch);
}

static int vss_packet(struct enl_vsp_channel *ch,
		      const struct enl_ring_pkt *pkt, const void *data)
{
	struct enl_vss_host *v = enl_vsp_priv(ch);
	/* Answers echo the request's length; ours are far below this. */
	uint8_t buf[ENL_IC_VSS_MAX_PKT_SIZE];
	size_t len;

	if (pkt->type != ENL_VMPKT_DATA_INBAND)
		return 0;
	if (pkt->hdr_len > pkt->len)
		return -EBADMSG;
	len = pkt->len - pkt->hdr_len;
	if (len > sizeof(buf))
		return -EMSGSIZE;
	/* Aligned and ours: the guest may rewrite its ring meanwhile. */
	memcpy(buf, (const uint8_t *)data + pkt->hdr_len, len);
	enl_ic_host_recv(&v->ic, buf, len);
	return 0;
}

static void vss_close(struct enl_vsp_channel *ch)
{
	struct enl_vss_host *v = enl_vsp_priv(ch);

	enl_ic_host_close(&v->ic);
}

static const struct enl_vsp_class vss_class = {
	.name = "vss",
	.class_guid = ENL_GUID_VSS,
	.on_open = vss_open,
	.on_packet = vss_packet,
	.on_close = vss_close,
};

int enl_vss_register_vmbus(struct enl_vss_host *v,
			   struct enl_vmbus_server *srv)
{
	the_vss = v;
	return enl_vmbus_server_add_class(srv, &vss_class);
}
