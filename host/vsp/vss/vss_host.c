// SPDX-License-Identifier: GPL-2.0-only
/* Host backup service: requests, answers, frozen/thawed (vss_host.h). */
#include "vss_host.h"

#include <errno.h>
#include <string.h>
#include <glib.h>
#include <enlighten/ic_vss.h>

static const uint32_t vss_versions[] = { ENL_IC_VSS_VERSION_5_0 };

static void finish(struct enl_vss_host *v)
{
	if (v->done)
		v->done(v->done_ctx, v);
}

static void vss_response(void *ctx, const struct enl_ic_msg *m)
{
	struct enl_vss_host *v = ctx;
	const struct enl_vss_msg *msg = (const void *)m->body;

	v->have_result = true;
	v->status = m->hdr->status;
	/* The guest answers in place: the same operation must come back. */
	if (m->body_len < sizeof(*msg) || msg->vss_hdr.operation != v->op) {
		v->bad_answers++;
		v->status = ENL_HV_E_FAIL;
		g_warning("ic vss: malformed answer to operation %u", v->op);
	} else if (v->op == ENL_VSS_OP_HOT_BACKUP && v->status == ENL_HV_S_OK) {
		v->feature_flags = msg->vss_cf.flags;
	}
	if (v->op == ENL_VSS_OP_FREEZE)
		v->state = v->status == ENL_HV_S_OK ? ENL_VSS_HOST_FROZEN :
			   ENL_VSS_HOST_IDLE;
	else if (v->op == ENL_VSS_OP_THAW)
		/*
		 * Whatever it says, a guest asked to thaw is not frozen; a
		 * failure may say who thawed it first (ic_vss.h).
		 */
		v->state = v->status == ENL_HV_S_OK ? ENL_VSS_HOST_IDLE :
			   msg->vss_cf.flags == ENL_VSS_THAWED_BY_GUARD ?
			   ENL_VSS_HOST_GUARD_THAWED :
			   msg->vss_cf.flags == ENL_VSS_THAWED_BY_TIMER ?
			   ENL_VSS_HOST_SELF_THAWED : ENL_VSS_HOST_IDLE;
	else
		v->state = v->frozen_before ? ENL_VSS_HOST_FROZEN :
			   ENL_VSS_HOST_IDLE;
	g_message("ic vss: operation %u -> 0x%08x", v->op, v->status);
	finish(v);
}

static void vss_closed(void *ctx)
{
	struct enl_vss_host *v = ctx;
	bool busy = v->state == ENL_VSS_HOST_BUSY;
	bool frozen = v->state == ENL_VSS_HOST_FROZEN ||
		      v->state == ENL_VSS_HOST_ORPHANED ||
		      (busy && (v->frozen_before || v->op == ENL_VSS_OP_FREEZE));

	v->state = frozen ? ENL_VSS_HOST_ORPHANED : ENL_VSS_HOST_IDLE;
	if (frozen) {
		v->orphaned++;
		g_warning("ic vss: the guest's backup service went away while "
			  "frozen; its thaw guard thaws");
	}
	if (busy) {
		v->have_result = true;
		v->status = ENL_HV_ERROR_DEVICE_NOT_CONNECTED;
		finish(v);
	}
}

/* The service is back: learn what became of an orphaned freeze. */
static void vss_ready(void *ctx)
{
	struct enl_vss_host *v = ctx;

	if (v->state == ENL_VSS_HOST_ORPHANED) {
		v->state = ENL_VSS_HOST_IDLE;
		if (enl_vss_host_request(v, ENL_VSS_OP_THAW) < 0)
			v->state = ENL_VSS_HOST_ORPHANED;
		else
			v->frozen_before = true;
	}
}

static const struct enl_ic_host_ops vss_ops = {
	.name = "vss",
	.msgtype = ENL_ICMSGTYPE_VSS,
	.srv_versions = vss_versions,
	.n_srv_versions = G_N_ELEMENTS(vss_versions),
	.response = vss_response,
	.closed = vss_closed,
	.ready = vss_ready,
};

void enl_vss_host_init(struct enl_vss_host *v)
{
	memset(v, 0, sizeof(*v));
	enl_ic_host_init(&v->ic, &vss_ops, v);
}

int enl_vss_host_request(struct enl_vss_host *v, unsigned int op)
{
	struct enl_vss_msg msg;
	int ret;

	if (op >= ENL_VSS_OP_COUNT)
		return -EINVAL;
	if (v->state == ENL_VSS_HOST_BUSY)
		return -EBUSY;
	memset(&msg, 0, sizeof(msg));
	msg.vss_hdr.operation = (uint8_t)op;
	v->frozen_before = v->state == ENL_VSS_HOST_FROZEN;
	v->op = (uint8_t)op;
	v->have_result = false;
	ret = enl_ic_host_request(&v->ic, &msg, sizeof(msg));
	if (ret < 0)
		return ret;
	v->state = ENL_VSS_HOST_BUSY;
	return 0;
}

void enl_vss_host_abandon(struct enl_vss_host *v)
{
	if (v->state != ENL_VSS_HOST_BUSY)
		return;
	v->state = v->frozen_before ? ENL_VSS_HOST_FROZEN : ENL_VSS_HOST_IDLE;
	v->have_result = false;
	v->timeouts++;
}

int enl_vss_host_op_from_name(const char *name)
{
	if (!strcmp(name, "check"))
		return ENL_VSS_OP_HOT_BACKUP;
	if (!strcmp(name, "freeze"))
		return ENL_VSS_OP_FREEZE;
	if (!strcmp(name, "thaw"))
		return ENL_VSS_OP_THAW;
	return -EINVAL;
}

const char *enl_vss_host_state_name(enum enl_vss_host_state s)
{
	switch (s) {
	case ENL_VSS_HOST_IDLE:		return "thawed";
	case ENL_VSS_HOST_BUSY:		return "busy";
	case ENL_VSS_HOST_FROZEN:	return "frozen";
	case ENL_VSS_HOST_ORPHANED:	return "frozen, daemon gone";
	case ENL_VSS_HOST_GUARD_THAWED:	return "thawed by guard";
	case ENL_VSS_HOST_SELF_THAWED:	return "thawed by the guest's timer";
	}
	return "?";
}
