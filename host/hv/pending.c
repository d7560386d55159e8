// SPDX-License-Identifier: GPL-2.0-only
/*
 * What waits in a VP's SynIC pages for the guest (see hv.h): the message
 * slot's type and the event flags still set. The guest changes both at any
 * time; each word is read once, atomically, and only reported.
 */
#include <errno.h>
#include <string.h>

#include "guest_mem.h"
#include "hv_internal.h"

#define PAGE_OF(reg)	((reg) & ~(uint64_t)(ENL_HV_PAGE_SIZE - 1))

static void pending_flags(struct enl_hv *hv, const struct enl_hv_vp *p,
			  uint32_t sint, struct enl_hv_sint_pending *out)
{
	struct enl_hv_synic_event_flags *ef;
	uint32_t w;

	if (!(p->siefp & ENL_HV_SYNIC_SIEFP_ENABLE))
		return;
	ef = enl_gpa_ptr(hv->mem, PAGE_OF(p->siefp) +
			 (uint64_t)sint * ENL_HV_EVENT_FLAGS_BYTES, sizeof(*ef));
	if (!ef)
		return;
	for (w = 0; w < G_N_ELEMENTS(ef->flags); w++) {
		uint64_t bits = __atomic_load_n(&ef->flags[w], __ATOMIC_RELAXED);

		while (bits) {
			uint32_t b = (uint32_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			if (out->nr_flags < ENL_HV_PENDING_FLAGS_MAX)
				out->flags[out->nr_flags] = w * 64 + b;
			out->nr_flags++;
		}
	}
}

static void pending_message(struct enl_hv *hv, const struct enl_hv_vp *p,
			    uint32_t sint, struct enl_hv_sint_pending *out)
{
	struct enl_hv_message *slot;

	if (!(p->simp & ENL_HV_SYNIC_SIMP_ENABLE))
		return;
	slot = enl_gpa_ptr(hv->mem, PAGE_OF(p->simp) +
			   (uint64_t)sint * ENL_HV_MESSAGE_SIZE,
			   ENL_HV_MESSAGE_SIZE);
	if (slot)
		out->msg_type = __atomic_load_n(&slot->header.message_type,
						__ATOMIC_RELAXED);
}

int enl_hv_sint_pending(struct enl_hv *hv, uint32_t vp, uint32_t sint,
			struct enl_hv_sint_pending *out)
{
	struct enl_hv_vp *p;

	memset(out, 0, sizeof(*out));
	if (vp >= hv->nr_vp || sint >= ENL_HV_SYNIC_SINT_COUNT)
		return -EINVAL;
	p = &hv->vp[vp];
	/* The page registers change under it, and so does the queue. */
	g_mutex_lock(&hv->lock);
	pending_message(hv, p, sint, out);
	pending_flags(hv, p, sint, out);
	out->queued = g_queue_get_length(&p->msgq[sint]);
	g_mutex_unlock(&hv->lock);
	return 0;
}
