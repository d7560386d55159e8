// SPDX-License-Identifier: GPL-2.0-only
/*
 * The backup service on a VMBus channel: an IC-framed service, so the
 * channel callbacks are host/vsp/ic's.
 */
#include <enlighten/guids.h>
#include <enlighten/ic_vss.h>

#include "ic_vsp.h"
#include "server.h"
#include "vsp.h"
#include "vss_glue.h"

static struct enl_vss_host *the_vss;

static int vss_open(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	(void)user_data;
	return enl_ic_vsp_open(ch, &the_vss->ic);
}

static const struct enl_vsp_class vss_class = {
	.name = "vss",
	.class_guid = ENL_GUID_VSS,
	.on_open = vss_open,
	.on_packet = enl_ic_vsp_packet,
	.on_close = enl_ic_vsp_close,
	/* Its ctl verbs and the IC state they share live on the main loop. */
	.main_context = true,
};

int enl_vss_register_vmbus(struct enl_vss_host *v,
			   struct enl_vmbus_server *srv)
{
	the_vss = v;
	return enl_vmbus_server_add_class(srv, &vss_class);
}
