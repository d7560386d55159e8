/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host -> guest delivery: messages into the SIMP page's slots and flags into
 * the SIEFP page, with the Hyper-V rules. A slot is free when its
 * message_type is 0; when it is busy the message waits in order and the
 * slot's msg_pending flag asks the guest for an EOM, on which the next one
 * goes in. Nothing reaches the guest before it enabled the SynIC, the page
 * and the SINT: until then messages and flags wait here. Everything below
 * runs with hv->lock held; the two entry points at the end take it.
 */
#include <errno.h>
#include <string.h>

#include "guest_mem.h"
#include "hv_internal.h"

#define SYNIC_PAGE_MASK	(~(uint64_t)(ENL_HV_PAGE_SIZE - 1))

static void raise_sint(struct enl_hv *hv, uint32_t vp, uint32_t sint)
{
	/* Polling SINTs are read by the guest on its own schedule. */
	if (hv->vp[vp].sint[sint] & ENL_HV_SYNIC_SINT_POLLING)
		return;
	HV_STAT_INC(hv, sints_raised);
	hv->vp[vp].sints_raised++;
	if (hv->irq && hv->irq->raise_sint &&
	    hv->irq->raise_sint(hv->irq_ctx, vp, sint) < 0)
		HV_STAT_INC(hv, raise_failed);
}

static struct enl_hv_message *slot_ptr(struct enl_hv *hv, uint32_t vp,
				       uint32_t sint)
{
	uint64_t page = hv->vp[vp].simp & SYNIC_PAGE_MASK;
	struct enl_hv_message *slot;

	slot = enl_gpa_ptr(hv->mem, page + (uint64_t)sint * ENL_HV_MESSAGE_SIZE,
			   ENL_HV_MESSAGE_SIZE);
	if (!slot)
		/* Checked when written, so RAM must have shrunk: count it. */
		enl_hv_guest_error(hv, &hv->stats.bad_gpa,
				   "vp %u: SIMP page 0x%" G_GINT64_MODIFIER
				   "x not in RAM", vp, page);
	return slot;
}

/*
 * A busy slot gets msg_pending so the guest writes EOM after freeing it.
 * The guest frees (type = 0), then reads the flag; we set the flag, then
 * re-read the type: with both sides sequentially consistent one of us sees
 * the other, so a message can never be stranded behind a free slot.
 */
static bool slot_still_busy(struct enl_hv_message *slot)
{
	if (__atomic_load_n(&slot->header.message_type, __ATOMIC_ACQUIRE) ==
	    ENL_HVMSG_NONE)
		return false;
	__atomic_fetch_or(&slot->header.message_flags,
			  ENL_HV_MESSAGE_FLAG_PENDING, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&slot->header.message_type, __ATOMIC_SEQ_CST) !=
	       ENL_HVMSG_NONE;
}

/* Move the oldest waiting message of (vp, sint) into its slot if free. */
static void try_deliver(struct enl_hv *hv, uint32_t vp, uint32_t sint)
{
	GQueue *q = &hv->vp[vp].msgq[sint];
	struct enl_hv_message *slot, *m;
	uint8_t flags;

	if (g_queue_is_empty(q) || !enl_hv_msg_ready(hv, vp, sint))
		return;
	slot = slot_ptr(hv, vp, sint);
	if (!slot || slot_still_busy(slot))
		return;
	m = g_queue_pop_head(q);
	hv->queued_total--;
	/* More behind this one: the guest must EOM after it, too. */
	flags = g_queue_is_empty(q) ? 0 : ENL_HV_MESSAGE_FLAG_PENDING;
	memcpy(&slot->u, &m->u, sizeof(slot->u));
	slot->header.payload_size = m->header.payload_size;
	slot->header.message_flags = flags;
	memset(slot->header.reserved, 0, sizeof(slot->header.reserved));
	slot->header.sender = 0;
	/* The type publishes the slot: everything above must be visible first. */
	__atomic_store_n(&slot->header.message_type, m->header.message_type,
			 __ATOMIC_RELEASE);
	g_free(m);
	HV_STAT_INC(hv, msg_delivered);
	raise_sint(hv, vp, sint);
}

/* Set one flag in the event page; raise only when it was clear. */
static int set_event_flag(struct enl_hv *hv, uint32_t vp, uint32_t sint,
			  uint32_t flag)
{
	uint64_t page = hv->vp[vp].siefp & SYNIC_PAGE_MASK;
	uint64_t bit = (uint64_t)1 << (flag % 64), old;
	struct enl_hv_synic_event_flags *ef;

	ef = enl_gpa_ptr(hv->mem, page + (uint64_t)sint * ENL_HV_EVENT_FLAGS_BYTES,
			 sizeof(*ef));
	if (!ef) {
		enl_hv_guest_error(hv, &hv->stats.bad_gpa,
				   "vp %u: SIEFP page 0x%" G_GINT64_MODIFIER
				   "x not in RAM", vp, page);
		return -EFAULT;
	}
	/* The guest clears flags with locked instructions on the same words. */
	old = __atomic_fetch_or(&ef->flags[flag / 64], bit, __ATOMIC_SEQ_CST);
	HV_STAT_INC(hv, events_set);
	if (!(old & bit))
		raise_sint(hv, vp, sint);
	return 0;
}

/* Flags recorded while the event page was not usable, set now. */
static void flush_early_events(struct enl_hv *hv, uint32_t vp, uint32_t sint)
{
	struct enl_hv_synic_event_flags *early = hv->vp[vp].early_events[sint];
	uint32_t w;

	if (!early || !enl_hv_event_ready(hv, vp, sint))
		return;
	for (w = 0; w < G_N_ELEMENTS(early->flags); w++)
		while (early->flags[w]) {
			uint32_t b = (uint32_t)__builtin_ctzll(early->flags[w]);

			early->flags[w] &= early->flags[w] - 1;
			if (set_event_flag(hv, vp, sint, w * 64 + b) < 0)
				return;
		}
	g_free(early);
	hv->vp[vp].early_events[sint] = NULL;
}

void enl_hv_flush_vp(struct enl_hv *hv, uint32_t vp)
{
	uint32_t s;

	for (s = 0; s < ENL_HV_SYNIC_SINT_COUNT; s++) {
		try_deliver(hv, vp, s);
		flush_early_events(hv, vp, s);
	}
}

void enl_hv_eom(struct enl_hv *hv, uint32_t vp)
{
	uint32_t s;

	/* EOM names no SINT: every busy slot of this VP gets another chance. */
	HV_STAT_INC(hv, eom);
	for (s = 0; s < ENL_HV_SYNIC_SINT_COUNT; s++)
		try_deliver(hv, vp, s);
}

void enl_hv_retry_all(struct enl_hv *hv)
{
	uint32_t v;

	if (!hv->queued_total)
		return;
	for (v = 0; v < hv->nr_vp; v++)
		enl_hv_flush_vp(hv, v);
}

void enl_hv_drop_queues(struct enl_hv *hv)
{
	uint32_t v, s;

	for (v = 0; v < hv->nr_vp; v++)
		for (s = 0; s < ENL_HV_SYNIC_SINT_COUNT; s++)
			g_queue_clear_full(&hv->vp[v].msgq[s], g_free);
	hv->queued_total = 0;
}

int enl_hv_post_message(struct enl_hv *hv, uint32_t vp, uint32_t sint,
			uint32_t message_type, const void *payload,
			uint32_t payload_size)
{
	GQueue *q;
	struct enl_hv_message *m;

	if (vp >= hv->nr_vp || sint >= ENL_HV_SYNIC_SINT_COUNT ||
	    message_type == ENL_HVMSG_NONE || (payload_size && !payload))
		return -EINVAL;
	if (payload_size > ENL_HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return -EMSGSIZE;
	g_mutex_lock(&hv->lock);
	q = &hv->vp[vp].msgq[sint];
	if (g_queue_get_length(q) >= ENL_HV_MSG_QUEUE_MAX) {
		g_mutex_unlock(&hv->lock);
		HV_STAT_INC(hv, msg_dropped);
		return -ENOBUFS;
	}
	m = g_new0(struct enl_hv_message, 1);
	m->header.message_type = message_type;
	m->header.payload_size = (uint8_t)payload_size;
	if (payload_size)
		memcpy(m->u.bytes, payload, payload_size);
	/* Always through the queue, so order holds even when a slot frees. */
	g_queue_push_tail(q, m);
	hv->queued_total++;
	try_deliver(hv, vp, sint);
	/* try_deliver pops only the head: anything left includes m. */
	if (!g_queue_is_empty(q))
		HV_STAT_INC(hv, msg_queued);
	g_mutex_unlock(&hv->lock);
	return 0;
}

int enl_hv_signal_event(struct enl_hv *hv, uint32_t vp, uint32_t sint,
			uint32_t flag_number)
{
	struct enl_hv_synic_event_flags **early;
	int ret = 0;

	if (vp >= hv->nr_vp || sint >= ENL_HV_SYNIC_SINT_COUNT ||
	    flag_number >= ENL_HV_EVENT_FLAGS_COUNT)
		return -EINVAL;
	g_mutex_lock(&hv->lock);
	if (enl_hv_event_ready(hv, vp, sint)) {
		flush_early_events(hv, vp, sint);
		ret = set_event_flag(hv, vp, sint, flag_number);
	} else {
		early = &hv->vp[vp].early_events[sint];
		if (!*early)
			*early = g_new0(struct enl_hv_synic_event_flags, 1);
		(*early)->flags[flag_number / 64] |=
			(uint64_t)1 << (flag_number % 64);
	}
	g_mutex_unlock(&hv->lock);
	return ret;
}
