/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hvif call slots (include/enlighten/hvif.h): one per VP in BAR2, each
 * carrying one synthetic MSR access or hypercall as VP v. A slot is pending
 * when seq != done; the answer is published by storing seq into done
 * (release). Served on the main thread, one slot after another.
 */
#include <string.h>

#include <enlighten/hvif.h>

#include "hv_internal.h"

/* A private copy: the guest may keep writing the shared slot meanwhile. */
struct call_copy {
	uint32_t seq;
	uint32_t op;
	uint64_t arg[2];
	uint8_t input[sizeof(((struct enl_hvif_call *)0)->input)];
};

static uint16_t serve(struct enl_hv *hv, uint32_t vp,
		      const struct call_copy *c, uint64_t *result)
{
	switch (c->op) {
	case ENL_HVIF_OP_WRMSR:
		if (c->arg[0] > UINT32_MAX)
			break;
		return enl_hv_wrmsr(hv, vp, (uint32_t)c->arg[0], c->arg[1]);
	case ENL_HVIF_OP_RDMSR:
		if (c->arg[0] > UINT32_MAX)
			break;
		return enl_hv_rdmsr(hv, vp, (uint32_t)c->arg[0], result);
	case ENL_HVIF_OP_HYPERCALL:
		return enl_hv_hypercall(hv, vp, c->arg[0], c->arg[1], c->input,
					sizeof(c->input));
	default:
		break;
	}
	enl_hv_guest_error(hv, &hv->stats.bad_op,
			   "vp %u: call slot op %u arg0 0x%" G_GINT64_MODIFIER
			   "x", vp, c->op, c->arg[0]);
	return ENL_HV_STATUS_INVALID_PARAMETER;
}

unsigned int enl_hv_process_calls(struct enl_hv *hv,
				  struct enl_hvif_call *calls,
				  uint32_t nr_calls)
{
	unsigned int served = 0;
	uint32_t vp, n = MIN(nr_calls, hv->nr_vp);

	for (vp = 0; vp < n; vp++) {
		struct enl_hvif_call *slot = &calls[vp];
		struct call_copy c;
		uint64_t result = 0;
		uint16_t status;

		/* Acquire: the slot's contents are complete once seq moved. */
		c.seq = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);
		if (c.seq == __atomic_load_n(&slot->done, __ATOMIC_RELAXED))
			continue;
		c.op = slot->op;
		memcpy(c.arg, (const void *)slot->arg, sizeof(c.arg));
		memcpy(c.input, (const void *)slot->input, sizeof(c.input));
		status = serve(hv, vp, &c, &result);
		slot->status = status;
		if (c.op == ENL_HVIF_OP_RDMSR)
			slot->arg[1] = result;
		/* Release: status and result are visible before done says so. */
		__atomic_store_n(&slot->done, c.seq, __ATOMIC_RELEASE);
		HV_STAT_INC(hv, calls);
		served++;
	}
	/* A doorbell is a cheap moment to retry anything still waiting. */
	g_mutex_lock(&hv->lock);
	enl_hv_retry_all(hv);
	g_mutex_unlock(&hv->lock);
	return served;
}
