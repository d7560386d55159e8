// SPDX-License-Identifier: GPL-2.0-only
/* Outstanding requests by transaction id (see inflight.h). */
#include <errno.h>

#include <glib.h>

#include "inflight.h"

#define INFLIGHT_MAX	65536u

struct slot {
	void *req;		/* NULL: free */
	uint32_t gen;		/* bumped on every add: old ids go stale */
	uint32_t next_free;
};

struct enl_vsp_inflight {
	GMutex lock;
	uint32_t max;
	uint32_t free_head;	/* slot index, max = none */
	struct enl_vsp_inflight_stats st;
	struct slot slots[];
};

/*
 * id = gen << 32 | (slot + 1): never 0 (guests treat 0 as "no id"), and a
 * completion for an earlier use of the slot does not match the current.
 */
static uint64_t make_id(uint32_t slot, uint32_t gen)
{
	return (uint64_t)gen << 32 | (slot + 1);
}

struct enl_vsp_inflight *enl_vsp_inflight_new(uint32_t max)
{
	struct enl_vsp_inflight *t;
	uint32_t i;

	if (!max || max > INFLIGHT_MAX)
		return NULL;
	t = g_malloc0(sizeof(*t) + (size_t)max * sizeof(struct slot));
	g_mutex_init(&t->lock);
	t->max = max;
	for (i = 0; i < max; i++)
		t->slots[i].next_free = i + 1;
	t->free_head = 0;
	return t;
}

void enl_vsp_inflight_free(struct enl_vsp_inflight *t)
{
	if (!t)
		return;
	g_mutex_clear(&t->lock);
	g_free(t);
}

int enl_vsp_inflight_add(struct enl_vsp_inflight *t, void *req,
			 uint64_t *trans_id)
{
	struct slot *s;
	uint32_t i;

	if (!req)
		return -EINVAL;
	g_mutex_lock(&t->lock);
	if (t->free_head >= t->max) {
		t->st.full++;
		g_mutex_unlock(&t->lock);
		return -ENOSPC;
	}
	i = t->free_head;
	s = &t->slots[i];
	t->free_head = s->next_free;
	s->req = req;
	s->gen++;
	*trans_id = make_id(i, s->gen);
	t->st.added++;
	t->st.outstanding++;
	g_mutex_unlock(&t->lock);
	return 0;
}

static void *take_slot(struct enl_vsp_inflight *t, uint32_t i)
{
	struct slot *s = &t->slots[i];
	void *req = s->req;

	s->req = NULL;
	s->next_free = t->free_head;
	t->free_head = i;
	t->st.outstanding--;
	return req;
}

void *enl_vsp_inflight_take(struct enl_vsp_inflight *t, uint64_t trans_id)
{
	uint64_t low = trans_id & 0xffffffffu;
	uint32_t gen = (uint32_t)(trans_id >> 32);
	void *req = NULL;

	g_mutex_lock(&t->lock);
	if (low >= 1 && low <= t->max && t->slots[low - 1].req &&
	    t->slots[low - 1].gen == gen) {
		req = take_slot(t, (uint32_t)(low - 1));
		t->st.completed++;
	} else {
		t->st.stale++;
	}
	g_mutex_unlock(&t->lock);
	return req;
}

void *enl_vsp_inflight_cancel(struct enl_vsp_inflight *t, uint64_t trans_id)
{
	uint64_t low = trans_id & 0xffffffffu;
	void *req = NULL;

	g_mutex_lock(&t->lock);
	if (low >= 1 && low <= t->max && t->slots[low - 1].req &&
	    t->slots[low - 1].gen == (uint32_t)(trans_id >> 32)) {
		req = take_slot(t, (uint32_t)(low - 1));
		t->st.added--;
	}
	g_mutex_unlock(&t->lock);
	return req;
}

void *enl_vsp_inflight_pop(struct enl_vsp_inflight *t)
{
	void *req = NULL;
	uint32_t i;

	g_mutex_lock(&t->lock);
	for (i = 0; i < t->max && t->st.outstanding; i++)
		if (t->slots[i].req) {
			req = take_slot(t, i);
			break;
		}
	g_mutex_unlock(&t->lock);
	return req;
}

void enl_vsp_inflight_stats(struct enl_vsp_inflight *t,
			    struct enl_vsp_inflight_stats *st)
{
	g_mutex_lock(&t->lock);
	*st = t->st;
	g_mutex_unlock(&t->lock);
}
