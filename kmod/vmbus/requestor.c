// SPDX-License-Identifier: GPL-2.0-only
/*
 * Request ids: a per-channel table mapping the transaction ids enl_vmbus
 * puts on the wire to the driver's request contexts. The host's trans_id
 * in a completion is only ever used as an index into this table, after
 * checking it: a context pointer never crosses VMBus.
 *
 * An id is (generation << 32) | (slot + 1). Each slot's generation grows
 * on every use, so a completion for a slot that was freed and reused since
 * (stale) or freed and not reused (duplicate) is told apart from a live one.
 */
#include <linux/slab.h>
#include "vmbus.h"

struct enl_rqst_slot {
	void *ctx;
	u32 gen;		/* of the last id handed out; 0: never used */
	u32 next_free;		/* free list link, when free */
	bool busy;
};

struct enl_requestor {
	spinlock_t lock;
	u32 size;
	u32 free_head;		/* size: list empty */
	u32 outstanding;
	struct enl_rqst_slot slot[];
};

struct enl_requestor *enl_requestor_alloc(u32 size)
{
	struct enl_requestor *r;
	u32 i;

	r = kvzalloc(struct_size(r, slot, size), GFP_KERNEL);
	if (!r)
		return NULL;
	spin_lock_init(&r->lock);
	r->size = size;
	for (i = 0; i < size; i++)
		r->slot[i].next_free = i + 1;
	r->free_head = 0;
	return r;
}

void enl_requestor_free(struct enl_requestor *r)
{
	kvfree(r);
}

/* An id for ctx, or 0 when every slot is busy. */
u64 enl_requestor_get(struct enl_requestor *r, void *ctx)
{
	struct enl_rqst_slot *s;
	unsigned long flags;
	u64 id = 0;
	u32 i;

	spin_lock_irqsave(&r->lock, flags);
	i = r->free_head;
	if (i < r->size) {
		s = &r->slot[i];
		r->free_head = s->next_free;
		s->busy = true;
		s->ctx = ctx;
		if (!++s->gen)
			s->gen = 1;
		r->outstanding++;
		id = (u64)s->gen << 32 | (i + 1);
	}
	spin_unlock_irqrestore(&r->lock, flags);
	return id;
}

static void rqst_release(struct enl_requestor *r, u32 i)
{
	struct enl_rqst_slot *s = &r->slot[i];

	s->busy = false;
	s->ctx = NULL;
	s->next_free = r->free_head;
	r->free_head = i;
	r->outstanding--;
}

/* The send failed: the id was never seen by the host. */
void enl_requestor_put(struct enl_requestor *r, u64 id)
{
	unsigned long flags;
	u32 i = (u32)id - 1;

	spin_lock_irqsave(&r->lock, flags);
	if (i < r->size && r->slot[i].busy && r->slot[i].gen == id >> 32)
		rqst_release(r, i);
	spin_unlock_irqrestore(&r->lock, flags);
}

/* The context of a live id, released; NULL and *why for anything else. */
void *enl_requestor_complete(struct enl_requestor *r, u64 id,
			     enum enl_rqst_error *why)
{
	u32 i = (u32)id - 1, gen = id >> 32;
	struct enl_rqst_slot *s;
	unsigned long flags;
	void *ctx = NULL;

	spin_lock_irqsave(&r->lock, flags);
	if (i >= r->size || !gen) {
		*why = ENL_RQST_UNKNOWN;
		goto out;
	}
	s = &r->slot[i];
	if (s->busy && s->gen == gen) {
		ctx = s->ctx;
		rqst_release(r, i);
	} else if (!s->busy && s->gen == gen) {
		*why = ENL_RQST_DUPLICATE;
	} else if (gen < s->gen) {
		*why = ENL_RQST_STALE;
	} else {
		*why = ENL_RQST_UNKNOWN;
	}
out:
	spin_unlock_irqrestore(&r->lock, flags);
	return ctx;
}

u32 enl_requestor_outstanding(struct enl_requestor *r)
{
	return r ? READ_ONCE(r->outstanding) : 0;
}
