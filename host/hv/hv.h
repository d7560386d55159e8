/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SynIC emulation: the boundary between the hypervisor side of enl-host
 * (synthetic registers, message slots, event flags, hypercalls) and the
 * VMBus server above it. The VMBus server never sees a transport.
 */
#ifndef ENL_HOST_HV_H
#define ENL_HOST_HV_H

#include <stdint.h>

struct enl_hv;
struct enl_guest_mem;

/* Upcalls from the guest's hypercalls into the VMBus server. */
struct enl_hv_ops {
	/*
	 * HvPostMessage. Returns an HV_STATUS_* code for the guest
	 * (e.g. HV_STATUS_INVALID_CONNECTION_ID, HV_STATUS_INSUFFICIENT_BUFFERS).
	 */
	uint16_t (*post_message)(void *ctx, uint32_t connection_id,
				 uint32_t message_type, const void *payload,
				 uint32_t payload_size);
	/* HvSignalEvent. Returns an HV_STATUS_* code. */
	uint16_t (*signal_event)(void *ctx, uint32_t connection_id,
				 uint16_t flag_number);
	/* The guest wrote SCONTROL/SIMP/SINTx: whether it can take SINTs. */
	void (*synic_changed)(void *ctx, uint32_t vp);
};

void enl_hv_set_ops(struct enl_hv *hv, const struct enl_hv_ops *ops, void *ctx);
struct enl_guest_mem *enl_hv_guest_mem(struct enl_hv *hv);

/*
 * Deliver a message to (vp, sint). Queued in order when the slot is busy or
 * the SynIC is not enabled yet, then delivered on EOM / enablement, as
 * Hyper-V does. 0 or a negative errno (-EMSGSIZE, -EINVAL).
 */
int enl_hv_post_message(struct enl_hv *hv, uint32_t vp, uint32_t sint,
			uint32_t message_type, const void *payload,
			uint32_t payload_size);

/* Set event flag flag_number in (vp, sint)'s event page and raise the SINT. */
int enl_hv_signal_event(struct enl_hv *hv, uint32_t vp, uint32_t sint,
			uint32_t flag_number);

/* True once the guest enabled SynIC, the message page and unmasked sint. */
int enl_hv_sint_ready(struct enl_hv *hv, uint32_t vp, uint32_t sint);

#endif /* ENL_HOST_HV_H */
