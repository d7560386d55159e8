/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The two hypercalls VMBus needs, decoded with the TLFS rules and handed to
 * the VMBus server: HvPostMessage (slow, input page) and HvSignalEvent
 * (fast, one register; the slow form is accepted too). Every field comes
 * from the guest and is checked before use. The upcalls are made without
 * hv->lock: the server may post or signal back at once.
 */
#include <string.h>

#include "hv_internal.h"

#define REP_COUNT_MASK	0xfffULL

static uint16_t post_message(struct enl_hv *hv, uint32_t vp, bool fast,
			     const void *input, uint32_t input_size)
{
	struct enl_hv_input_post_message in;

	if (fast || input_size < sizeof(in)) {
		enl_hv_guest_error(hv, &hv->stats.bad_hypercall,
				   "vp %u: HvPostMessage %s", vp,
				   fast ? "as a fast call" : "input too short");
		return ENL_HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	/* One copy: the guest may rewrite the page while we look at it. */
	memcpy(&in, input, sizeof(in));
	if (in.payload_size > ENL_HV_MESSAGE_PAYLOAD_BYTE_COUNT ||
	    in.message_type == ENL_HVMSG_NONE ||
	    (in.message_type & 0x80000000U) || in.reserved) {
		enl_hv_guest_error(hv, &hv->stats.bad_input,
				   "vp %u: HvPostMessage type 0x%x size %u "
				   "reserved 0x%x", vp, in.message_type,
				   in.payload_size, in.reserved);
		return ENL_HV_STATUS_INVALID_PARAMETER;
	}
	if (in.connection_id & ~ENL_HV_CONNECTION_ID_MASK) {
		enl_hv_guest_error(hv, &hv->stats.bad_input,
				   "vp %u: HvPostMessage connection id 0x%x",
				   vp, in.connection_id);
		return ENL_HV_STATUS_INVALID_CONNECTION_ID;
	}
	HV_STAT_INC(hv, post_message);
	if (!hv->ops || !hv->ops->post_message)
		return ENL_HV_STATUS_INVALID_CONNECTION_ID;
	return hv->ops->post_message(hv->ops_ctx, in.connection_id,
				     in.message_type, in.payload,
				     in.payload_size);
}

static uint16_t signal_event(struct enl_hv *hv, uint32_t vp, bool fast,
			     uint64_t fast_arg, const void *input,
			     uint32_t input_size)
{
	struct enl_hv_input_signal_event in;

	if (fast) {
		in.connection_id = (uint32_t)fast_arg;
		in.flag_number = (uint16_t)(fast_arg >> 32);
		in.rsvdz = (uint16_t)(fast_arg >> 48);
	} else if (input_size >= sizeof(in)) {
		memcpy(&in, input, sizeof(in));
	} else {
		enl_hv_guest_error(hv, &hv->stats.bad_hypercall,
				   "vp %u: HvSignalEvent input too short", vp);
		return ENL_HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	if (in.rsvdz || in.flag_number >= ENL_HV_EVENT_FLAGS_COUNT) {
		enl_hv_guest_error(hv, &hv->stats.bad_input,
				   "vp %u: HvSignalEvent flag %u reserved 0x%x",
				   vp, in.flag_number, in.rsvdz);
		return ENL_HV_STATUS_INVALID_PARAMETER;
	}
	if (in.connection_id & ~ENL_HV_CONNECTION_ID_MASK) {
		enl_hv_guest_error(hv, &hv->stats.bad_input,
				   "vp %u: HvSignalEvent connection id 0x%x",
				   vp, in.connection_id);
		return ENL_HV_STATUS_INVALID_CONNECTION_ID;
	}
	HV_STAT_INC(hv, signal_event);
	if (!hv->ops || !hv->ops->signal_event)
		return ENL_HV_STATUS_INVALID_CONNECTION_ID;
	return hv->ops->signal_event(hv->ops_ctx, in.connection_id,
				     in.flag_number);
}

uint16_t enl_hv_hypercall(struct enl_hv *hv, uint32_t vp, uint64_t control,
			  uint64_t fast_arg, const void *input,
			  uint32_t input_size)
{
	uint16_t code = (uint16_t)(control & ENL_HV_HYPERCALL_CODE_MASK);
	bool fast = control & ENL_HV_HYPERCALL_FAST;
	uint64_t os_id;

	if (vp >= hv->nr_vp) {
		enl_hv_guest_error(hv, &hv->stats.bad_op, "hypercall from vp %u",
				   vp);
		return ENL_HV_STATUS_INVALID_PARAMETER;
	}
	HV_STAT_INC(hv, hypercalls);
	/* On Hyper-V no hypercall page exists before the OS identified itself. */
	g_mutex_lock(&hv->lock);
	os_id = hv->guest_os_id;
	g_mutex_unlock(&hv->lock);
	if (!os_id) {
		enl_hv_guest_error(hv, &hv->stats.bad_hypercall,
				   "vp %u: hypercall 0x%x before guest OS id",
				   vp, code);
		return ENL_HV_STATUS_ACCESS_DENIED;
	}
	/* Neither call is a rep call. */
	if ((control >> ENL_HV_HYPERCALL_REP_COUNT_SHIFT) & REP_COUNT_MASK) {
		enl_hv_guest_error(hv, &hv->stats.bad_hypercall,
				   "vp %u: hypercall 0x%x with a rep count",
				   vp, code);
		return ENL_HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	switch (code) {
	case ENL_HVCALL_POST_MESSAGE:
		return post_message(hv, vp, fast, input, input_size);
	case ENL_HVCALL_SIGNAL_EVENT:
		return signal_event(hv, vp, fast, fast_arg, input, input_size);
	default:
		enl_hv_guest_error(hv, &hv->stats.bad_hypercall,
				   "vp %u: unknown hypercall 0x%x", vp, code);
		return ENL_HV_STATUS_INVALID_HYPERCALL_CODE;
	}
}
