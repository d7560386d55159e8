/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SynIC emulation: the boundary between the hypervisor side of enl-host
 * (synthetic registers, message slots, event flags, hypercalls) and the
 * VMBus server above it. The VMBus server never sees a transport.
 *
 * Threads: enl_hv_post_message, enl_hv_signal_event, enl_hv_sint_ready and
 * enl_hv_stats may be called from any thread, concurrently with the main
 * thread serving doorbells. The ops upcalls are made on the thread that
 * serves the doorbell (the main thread), never with an internal lock held.
 */
#ifndef ENL_HOST_HV_H
#define ENL_HOST_HV_H

#include <stdbool.h>
#include <stdint.h>

struct enl_hv;
struct enl_guest_mem;

/* Upcalls from the guest's hypercalls into the VMBus server. */
struct enl_hv_ops {
	/*
	 * HvPostMessage. Returns an HV_STATUS_* code for the guest
	 * (e.g. HV_STATUS_INVALID_CONNECTION_ID, HV_STATUS_INSUFFICIENT_BUFFERS).
	 * HvSignalEvent likewise; a signal the guest posted through the
	 * bitmap gets no answer, so a failure is counted (bad_signal) instead.
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

/*
 * A doorbell of its own for the guest's posted HvSignalEvent on
 * connection_id, so that its signals reach the thread that serves it
 * without passing through the main thread. Returns an fd to poll for
 * readability (owned by hv's transport: never close it), or -errno when
 * the transport has none (left: -ENOSPC; none at all: -EOPNOTSUPP); the
 * connection's signals then come through the signal_event upcall as
 * always, which they may still do now and then even when bound.
 * After binding, look at the channel once: a signal may have been taken.
 * enl_hv_doorbell_take, when fd was readable: true if the guest signalled.
 */
int enl_hv_doorbell_bind(struct enl_hv *hv, uint32_t connection_id);
void enl_hv_doorbell_unbind(struct enl_hv *hv, uint32_t connection_id);
bool enl_hv_doorbell_take(struct enl_hv *hv, uint32_t connection_id, int fd);

/* ---- Below: the hypervisor side, used by host/vmm and the unit tests. ---- */

struct enl_hvif_call;

/*
 * How a SINT reaches the guest. Under QEMU this fires VP vp's MSI-X vector
 * of the ivshmem device (one vector per VP, whatever the SINT); in tests
 * it records the call. Called with the internal lock held, from any
 * thread: it must not call back into hv. 0 or -errno.
 */
struct enl_hv_irq_ops {
	int (*raise_sint)(void *ctx, uint32_t vp, uint32_t sint);
	/*
	 * Optional: channel doorbells (enl_hv_doorbell_bind), by posted-signal
	 * bit. Called without any hv lock, from any thread.
	 */
	int (*doorbell_bind)(void *ctx, uint32_t bit);
	void (*doorbell_unbind)(void *ctx, uint32_t bit);
	bool (*doorbell_take)(void *ctx, uint32_t bit, int fd);
};

/*
 * nr_vp virtual processors (1..ENL_HVIF_MAX_VP). `mem` stays owned by the
 * caller and may be mapped later (it starts empty: every GPA is refused).
 */
struct enl_hv *enl_hv_new(uint32_t nr_vp, struct enl_guest_mem *mem,
			  const struct enl_hv_irq_ops *irq, void *irq_ctx);
void enl_hv_free(struct enl_hv *hv);
uint32_t enl_hv_nr_vp(const struct enl_hv *hv);
/*
 * The partition reference time (HV_X64_MSR_TIME_REF_COUNT): 100 ns units
 * of the host's CLOCK_MONOTONIC since the partition was made. What the
 * guest reads from the register, so the host can stamp messages with it.
 */
uint64_t enl_hv_ref_time(const struct enl_hv *hv);

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

/*
 * Take the guest's posted EOMs and signals (doorbell
 * ENL_HVIF_DOORBELL_SIGNAL): eom_bits and signal_bits are exchanged with
 * zero word by word, and each set bit handled as the call would have been
 * (signal_event upcall on ENL_HVIF_SIGNAL_CONN_BASE + bit, flag 0).
 * Returns the number of bits taken.
 */
struct enl_hvif_shared;
unsigned int enl_hv_process_signals(struct enl_hv *hv,
				    struct enl_hvif_shared *shared);

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
	uint64_t bad_signal;		/* posted signal the server refused */
};

/* One VP's SynIC as the guest programmed it, for `enl-host ctl status`. */
struct enl_hv_vp_info {
	int synic_on;			/* SCONTROL, SIMP and SIEFP enabled */
	uint64_t simp;
	uint64_t siefp;
	uint64_t sints_raised;		/* interrupts raised on this VP */
};

/* 0, or -EINVAL for a VP that does not exist. Any thread. */
int enl_hv_vp_info(struct enl_hv *hv, uint32_t vp, struct enl_hv_vp_info *out);

/*
 * What waits on one SINT of a VP for the guest to take, read from its
 * SynIC pages: for `enl-host ctl status`, so that a lost wakeup shows
 * whether the guest left an event flag or a message untaken.
 */
#define ENL_HV_PENDING_FLAGS_MAX	16
struct enl_hv_sint_pending {
	uint32_t msg_type;		/* the message slot's type; 0: free */
	uint32_t queued;		/* messages waiting behind the slot */
	uint32_t nr_flags;		/* event flags set */
	uint32_t flags[ENL_HV_PENDING_FLAGS_MAX];	/* the lowest of them */
};

/* 0, or -EINVAL for a VP or SINT that does not exist. Any thread. */
int enl_hv_sint_pending(struct enl_hv *hv, uint32_t vp, uint32_t sint,
			struct enl_hv_sint_pending *out);

/* A snapshot of the counters (each read atomically). */
void enl_hv_stats(const struct enl_hv *hv, struct enl_hv_stats *out);

#endif /* ENL_HOST_HV_H */
