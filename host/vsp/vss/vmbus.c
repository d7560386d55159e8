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
 * Each offer's service, on its channel's worker. A ctl verb waiting on the
 * main loop for the guest's answer holds a reference (the channel may be
 * rescinded and freed meanwhile; then the worker's calls are over).
 */
struct vss_inst {
	struct enl_vss_host v;
	int refs;		/* atomic */
	int gone;		/* atomic: its channel was freed */
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
	if (g_atomic_int_dec_and_test(&in->refs))
		g_free(in);
}

static void vss_destroy(void *state)
{
	struct vss_inst *in = state;

	g_atomic_int_set(&in->gone, 1);
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
	.create = vss_create,
	.destroy = vss_destroy,
};

int enl_vss_register_vmbus(struct enl_vmbus_server *srv)
{
	return enl_vmbus_server_add_class(srv, &vss_class);
}

struct enl_vss_ctl {
	struct enl_vsp_channel *ch;
	struct vss_inst *in;
};

struct enl_vss_ctl *enl_vss_ctl_get(struct enl_vmbus_server *srv, int *argc,
				    char **argv, GString *out)
{
	struct enl_vsp_channel *ch = enl_vsp_ctl_find(srv, "vss", argc, argv,
						      out);
	struct enl_vss_ctl *h;

	if (!ch || !enl_vsp_state(ch))
		return NULL;
	h = g_new0(struct enl_vss_ctl, 1);
	h->ch = ch;
	h->in = enl_vsp_state(ch);
	g_atomic_int_inc(&h->in->refs);
	return h;
}

struct call {
	void (*fn)(struct enl_vss_host *v, void *data);
	struct enl_vss_host *v;
	void *data;
};

static void call_on_worker(void *data)
{
	struct call *c = data;

	c->fn(c->v, c->data);
}

bool enl_vss_ctl_call(struct enl_vss_ctl *h,
		      void (*fn)(struct enl_vss_host *v, void *data),
		      void *data)
{
	struct call c = { fn, &h->in->v, data };

	/*
	 * Freeing a channel is the main thread's work, and so is this: if it
	 * is not gone now, it cannot go before the call returns.
	 */
	if (g_atomic_int_get(&h->in->gone))
		return false;
	enl_vsp_call(h->ch, call_on_worker, &c);
	return true;
}

void enl_vss_ctl_put(struct enl_vss_ctl *h)
{
	vss_unref(h->in);
	g_free(h);
}
