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

/*
 * Each offer's service, kept alive by a reference while a ctl verb waits
 * for the guest's answer (the main loop runs meanwhile: the channel may be
 * rescinded and freed under the verb).
 */
struct vss_inst {
	struct enl_vss_host v;	/* first: the verbs get &inst->v */
	int refs;
	bool gone;
};

static void *vss_create(struct enl_vsp_channel *ch)
{
	struct vss_inst *in = g_new0(struct vss_inst, 1);

	(void)ch;
	enl_vss_host_init(&in->v);
	in->refs = 1;
	return in;
}

static void vss_unref(struct vss_inst *in)
{
	if (!--in->refs)
		g_free(in);
}

static void vss_destroy(void *state)
{
	struct vss_inst *in = state;

	in->gone = true;
	vss_unref(in);
}

static int vss_open(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	struct vss_inst *in = enl_vsp_state(ch);

	(void)user_data;
	return enl_ic_vsp_open(ch, &in->v.ic);
}

static const struct enl_vsp_class vss_class = {
	.name = "vss",
	.class_guid = ENL_GUID_VSS,
	.on_open = vss_open,
	.on_packet = enl_ic_vsp_packet,
	.on_close = enl_ic_vsp_close,
	/* Its ctl verbs and the IC state they share live on the main loop. */
	.main_context = true,
	.create = vss_create,
	.destroy = vss_destroy,
};

int enl_vss_register_vmbus(struct enl_vmbus_server *srv)
{
	return enl_vmbus_server_add_class(srv, &vss_class);
}

struct enl_vss_host *enl_vss_ctl_get(struct enl_vmbus_server *srv, int *argc,
				     char **argv, GString *out)
{
	struct enl_vsp_channel *ch = enl_vsp_ctl_find(srv, "vss", argc, argv,
						      out);
	struct vss_inst *in = ch ? enl_vsp_state(ch) : NULL;

	if (in)
		in->refs++;
	return in ? &in->v : NULL;
}

bool enl_vss_ctl_gone(struct enl_vss_host *v)
{
	return ((struct vss_inst *)v)->gone;
}

void enl_vss_ctl_put(struct enl_vss_host *v)
{
	vss_unref((struct vss_inst *)v);
}
