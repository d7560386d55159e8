/* SPDX-License-Identifier: GPL-2.0-only */
/* State shared by the files of the SynIC emulation; not for outside use. */
#ifndef ENL_HOST_HV_INTERNAL_H
#define ENL_HOST_HV_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <enlighten/hv_synic.h>

#include "hv.h"

/* Messages waiting per (vp, sint) before the host gets -ENOBUFS. */
#define ENL_HV_MSG_QUEUE_MAX	1024

struct enl_hv_vp {
	uint64_t scontrol;
	uint64_t simp;
	uint64_t siefp;
	uint64_t sint[ENL_HV_SYNIC_SINT_COUNT];
	/* Messages not yet in their slot, oldest first (struct enl_hv_message). */
	GQueue msgq[ENL_HV_SYNIC_SINT_COUNT];
	/* Event flags set before the event page was usable (lazily allocated). */
	struct enl_hv_synic_event_flags *early_events[ENL_HV_SYNIC_SINT_COUNT];
	uint64_t sints_raised;
};

/*
 * lock guards the registers, the queues and every write into guest pages;
 * counters are atomic. Upcalls into the VMBus server (ops) are made
 * without it, so the server may call back in.
 */
struct enl_hv {
	GMutex lock;
	uint32_t nr_vp;
	struct enl_hv_vp *vp;
	/* Partition-wide registers. */
	uint64_t guest_os_id;
	uint64_t hypercall;
	int64_t start_us;		/* reference time zero */
	struct enl_guest_mem *mem;
	const struct enl_hv_irq_ops *irq;
	void *irq_ctx;
	const struct enl_hv_ops *ops;
	void *ops_ctx;
	uint64_t queued_total;		/* messages waiting, all queues */
	struct enl_hv_stats stats;	/* atomic: HV_STAT_INC, enl_hv_stats */
};

#define HV_STAT_INC(hv, name) \
	__atomic_fetch_add(&(hv)->stats.name, 1, __ATOMIC_RELAXED)

/* Count (atomically) and log (rate-limited) something wrong the guest did. */
void enl_hv_guest_error(struct enl_hv *hv, uint64_t *counter,
			const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* The rest: with hv->lock held. */
bool enl_hv_msg_ready(const struct enl_hv *hv, uint32_t vp, uint32_t sint);
bool enl_hv_event_ready(const struct enl_hv *hv, uint32_t vp, uint32_t sint);

/* message.c: deliver what is queued once a slot frees or the SynIC wakes. */
void enl_hv_flush_vp(struct enl_hv *hv, uint32_t vp);
void enl_hv_eom(struct enl_hv *hv, uint32_t vp);
void enl_hv_drop_queues(struct enl_hv *hv);
/* Try every waiting message again (cheap when none waits). */
void enl_hv_retry_all(struct enl_hv *hv);

#endif /* ENL_HOST_HV_INTERNAL_H */
