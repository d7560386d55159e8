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

/* ---- Below: the hypervisor side, used by host/vmm and the unit tests. ---- */

struct enl_hvif_call;

/*
 * How a SINT reaches the guest. Under QEMU this fires MSI-X vector `sint`
 * of the ivshmem device; in tests it records the call. 0 or -errno.
 */
struct enl_hv_irq_ops {
	int (*raise_sint)(void *ctx, uint32_t vp, uint32_t sint);
};

/*
 * nr_vp virtual processors (1..ENL_HVIF_MAX_VP). `mem` stays owned by the
 * caller and may be mapped later (it starts empty: every GPA is refused).
 */
struct enl_hv *enl_hv_new(uint32_t nr_vp, struct enl_guest_mem *mem,
			  const struct enl_hv_irq_ops *irq, void *irq_ctx);
void enl_hv_free(struct enl_hv *hv);
uint32_t enl_hv_nr_vp(const struct enl_hv *hv);

/* Synthetic MSR access by VP `vp`: an HV_STATUS_* code (0 = success). */
uint16_t enl_hv_wrmsr(struct enl_hv *hv, uint32_t vp, uint32_t msr,
		      uint64_t value);
uint16_t enl_hv_rdmsr(struct enl_hv *hv, uint32_t vp, uint32_t msr,
		      uint64_t *value);

/*
 * A hypercall by VP `vp`: `control` is the input value (call code, fast
 * bit, rep count), `fast_arg` the register input of a fast call, `input`
 * the slow input page (`input_size` bytes readable). HV_STATUS_* result.
 */
uint16_t enl_hv_hypercall(struct enl_hv *hv, uint32_t vp, uint64_t control,
			  uint64_t fast_arg, const void *input,
			  uint32_t input_size);

/*
 * Serve every call slot whose seq differs from done (doorbell
 * ENL_HVIF_DOORBELL_CALL). `calls` is guest-writable memory: each slot is
 * copied once before it is looked at. Returns the number of calls served.
 */
unsigned int enl_hv_process_calls(struct enl_hv *hv,
				  struct enl_hvif_call *calls,
				  uint32_t nr_calls);

/* Counters shown by `enl-host ctl status`. */
struct enl_hv_stats {
	uint64_t calls;			/* call slots served */
	uint64_t wrmsr;
	uint64_t rdmsr;
	uint64_t hypercalls;
	uint64_t post_message;		/* guest -> host messages */
	uint64_t signal_event;		/* guest -> host events */
	uint64_t eom;
	uint64_t msg_delivered;		/* host -> guest messages in a slot */
	uint64_t msg_queued;		/* had to wait (slot busy / not ready) */
	uint64_t msg_dropped;		/* queue full */
	uint64_t events_set;		/* host -> guest event flags */
	uint64_t sints_raised;
	uint64_t raise_failed;
	/* Bad guest input, each also logged (rate-limited). */
	uint64_t bad_gpa;
	uint64_t bad_msr;
	uint64_t bad_op;
	uint64_t bad_input;
	uint64_t bad_hypercall;
};

const struct enl_hv_stats *enl_hv_stats(const struct enl_hv *hv);

#endif /* ENL_HOST_HV_H */
