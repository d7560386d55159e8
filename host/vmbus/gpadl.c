// SPDX-License-Identifier: GPL-2.0-only
/*
 * GPADLs: assembling GPADL_HEADER + GPADL_BODY messages into a checked list
 * of guest pages, GPADL_CREATED / GPADL_TORNDOWN, and the reference count
 * that defers a teardown while a ring or a VSP still uses the pages.
 * Main thread; workers mapping data GPADLs (gpadl_view.c) take gpadl_lock,
 * so every change of the table, of users and of complete is made under it.
 */
#include <string.h>

#include <enlighten/hv_synic.h>
#include "guest_mem.h"
#include "server_priv.h"

#define PG	ENL_HV_PAGE_SIZE

static void send_created(struct enl_vmbus_server *srv, uint32_t relid,
			 uint32_t handle, uint32_t status)
{
	struct enl_vmbus_channel_gpadl_created c = { 0 };

	c.header.msgtype = ENL_CHANNELMSG_GPADL_CREATED;
	c.child_relid = relid;
	c.gpadl = handle;
	c.creation_status = status;
	if (!enl_vmbus_muted(srv, ENL_MUTE_GPADL_CREATED, relid))
		enl_vmbus_reply(srv, &c, sizeof(c));
}

static void send_torndown(struct enl_vmbus_server *srv, uint32_t relid,
			  uint32_t handle)
{
	struct enl_vmbus_channel_gpadl_torndown t = { 0 };

	t.header.msgtype = ENL_CHANNELMSG_GPADL_TORNDOWN;
	t.gpadl = handle;
	if (!enl_vmbus_muted(srv, ENL_MUTE_TORNDOWN, relid))
		enl_vmbus_reply(srv, &t, sizeof(t));
}

static void gpadl_free(struct enl_vmbus_server *srv, struct enl_vmbus_gpadl *g)
{
	g_mutex_lock(&srv->gpadl_lock);
	g_hash_table_remove(srv->gpadls, GUINT_TO_POINTER(g->handle));
	g_mutex_unlock(&srv->gpadl_lock);
	g_free(g->words);
	g_free(g);
}

/* Refuse a GPADL under construction: forget it and tell the guest. */
static void gpadl_fail(struct enl_vmbus_server *srv, struct enl_vmbus_gpadl *g)
{
	uint32_t relid = g->relid, handle = g->handle;

	gpadl_free(srv, g);
	send_created(srv, relid, handle, ENL_VMBUS_STATUS_FAILED);
}

/*
 * Walk the ranges the guest sent: each is {byte_count, byte_offset} then
 * as many pfns as they span. They must fill the buffer exactly, and every
 * page must be guest RAM.
 */
static bool gpadl_check(struct enl_vmbus_server *srv, struct enl_vmbus_gpadl *g)
{
	const struct enl_guest_mem *mem = enl_vmbus_mem(srv);
	uint32_t pos = 0, r, i;
	uint64_t pages_total = 0;

	for (r = 0; r < g->rangecount; r++) {
		uint64_t w, count, offset, pages;

		if (pos >= g->nwords)
			goto bad_range;
		w = g->words[pos++];
		count = w & 0xffffffffu;	/* little-endian u32 pair */
		offset = w >> 32;
		if (!count || offset >= PG)
			goto bad_range;
		pages = (offset + count + PG - 1) / PG;
		if (pages > g->nwords - pos)
			goto bad_range;
		for (i = 0; i < pages; i++) {
			uint64_t pfn = g->words[pos + i];

			if (pfn > UINT64_MAX / PG || !mem ||
			    !enl_gpa_ptr(mem, pfn * PG, PG)) {
				enl_vmbus_error(srv, ENL_VMBUS_ERR_GPADL_GPA,
						"gpadl %#x: pfn %#llx outside RAM",
						g->handle, (unsigned long long)pfn);
				return false;
			}
		}
		pos += pages;
		pages_total += pages;
	}
	if (pos != g->nwords)
		goto bad_range;
	g->npages = pages_total;
	return true;

bad_range:
	enl_vmbus_error(srv, ENL_VMBUS_ERR_GPADL_RANGE,
			"gpadl %#x: ranges do not match range_buflen",
			g->handle);
	return false;
}

static void gpadl_maybe_complete(struct enl_vmbus_server *srv,
				 struct enl_vmbus_gpadl *g)
{
	if (g->filled < g->nwords)
		return;
	if (!gpadl_check(srv, g)) {
		gpadl_fail(srv, g);
		return;
	}
	g_mutex_lock(&srv->gpadl_lock);
	g->complete = true;
	g_mutex_unlock(&srv->gpadl_lock);
	send_created(srv, g->relid, g->handle, 0);
}

static unsigned int gpadls_in_flight(struct enl_vmbus_server *srv)
{
	GHashTableIter it;
	gpointer v;
	unsigned int n = 0;

	g_hash_table_iter_init(&it, srv->gpadls);
	while (g_hash_table_iter_next(&it, NULL, &v))
		n += !((struct enl_vmbus_gpadl *)v)->complete;
	return n;
}

void enl_vmbus_on_gpadl_header(struct enl_vmbus_server *srv,
			       const void *msg, uint32_t len)
{
	const struct enl_vmbus_channel_gpadl_header *m = msg;
	struct enl_vsp_channel *ch = enl_vmbus_chan_lookup(srv, m->child_relid);
	struct enl_vmbus_gpadl *g;
	uint32_t words;

	if (!ch || ch->state == ENL_CHAN_RESCINDED) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_RELID,
				"gpadl %#x for relid %u", m->gpadl,
				m->child_relid);
		send_created(srv, m->child_relid, m->gpadl,
			     ENL_VMBUS_STATUS_FAILED);
		return;
	}
	if (g_hash_table_contains(srv->gpadls, GUINT_TO_POINTER(m->gpadl))) {
		/* Refuse the newcomer; the GPADL already there stays intact. */
		enl_vmbus_error(srv, ENL_VMBUS_ERR_GPADL_DUP,
				"gpadl %#x already exists", m->gpadl);
		send_created(srv, m->child_relid, m->gpadl,
			     ENL_VMBUS_STATUS_FAILED);
		return;
	}
	if (g_hash_table_size(srv->gpadls) >= ENL_VMBUS_MAX_GPADLS ||
	    gpadls_in_flight(srv) >= ENL_VMBUS_MAX_GPADLS_IN_FLIGHT) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_GPADL_LIMIT,
				"gpadl %#x: too many GPADLs", m->gpadl);
		send_created(srv, m->child_relid, m->gpadl,
			     ENL_VMBUS_STATUS_FAILED);
		return;
	}
	/* Each range needs its header word and at least one pfn. */
	if (!m->rangecount || m->range_buflen % 8 ||
	    m->range_buflen / 16 < m->rangecount) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_GPADL_RANGE,
				"gpadl %#x: %u ranges in %u bytes", m->gpadl,
				m->rangecount, m->range_buflen);
		send_created(srv, m->child_relid, m->gpadl,
			     ENL_VMBUS_STATUS_FAILED);
		return;
	}
	g = g_new0(struct enl_vmbus_gpadl, 1);
	g->handle = m->gpadl;
	g->relid = m->child_relid;
	g->rangecount = m->rangecount;
	g->nwords = m->range_buflen / 8;
	g->words = g_new0(uint64_t, g->nwords);
	words = (len - sizeof(*m)) / 8;
	g->filled = MIN(words, g->nwords);
	memcpy(g->words, m->range, (size_t)g->filled * 8);
	g_mutex_lock(&srv->gpadl_lock);
	g_hash_table_insert(srv->gpadls, GUINT_TO_POINTER(g->handle), g);
	g_mutex_unlock(&srv->gpadl_lock);
	gpadl_maybe_complete(srv, g);
}

void enl_vmbus_on_gpadl_body(struct enl_vmbus_server *srv,
			     const void *msg, uint32_t len)
{
	const struct enl_vmbus_channel_gpadl_body *m = msg;
	struct enl_vmbus_gpadl *g = g_hash_table_lookup(srv->gpadls,
						GUINT_TO_POINTER(m->gpadl));
	uint32_t words = (len - sizeof(*m)) / 8;

	if (!g || g->complete) {
		/* Nothing to answer: GPADL_CREATED went out or never will. */
		enl_vmbus_error(srv, ENL_VMBUS_ERR_GPADL_UNKNOWN,
				"GPADL_BODY for %s gpadl %#x",
				g ? "complete" : "unknown", m->gpadl);
		return;
	}
	if (words > g->nwords - g->filled) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_GPADL_RANGE,
				"gpadl %#x: body overruns range_buflen",
				m->gpadl);
		gpadl_fail(srv, g);
		return;
	}
	memcpy(g->words + g->filled, m->pfn, (size_t)words * 8);
	g->filled += words;
	gpadl_maybe_complete(srv, g);
}

void enl_vmbus_on_gpadl_teardown(struct enl_vmbus_server *srv,
				 const void *msg)
{
	const struct enl_vmbus_channel_gpadl_teardown *m = msg;
	struct enl_vmbus_gpadl *g;
	bool dying, busy = false;

	g_mutex_lock(&srv->gpadl_lock);
	g = g_hash_table_lookup(srv->gpadls, GUINT_TO_POINTER(m->gpadl));
	dying = g && g->teardown_pending;
	if (g && !dying && g->relid == m->child_relid) {
		/* Still a ring or a VSP's view: answer once they let go. */
		busy = g->users > 0;
		if (busy)
			g->teardown_pending = true;
		else
			g_hash_table_remove(srv->gpadls,
					    GUINT_TO_POINTER(m->gpadl));
	}
	g_mutex_unlock(&srv->gpadl_lock);

	if (!g || dying) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_GPADL_UNKNOWN,
				"GPADL_TEARDOWN of %s gpadl %#x",
				g ? "dying" : "unknown", m->gpadl);
		return;
	}
	if (g->relid != m->child_relid) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_RELID,
				"GPADL_TEARDOWN of gpadl %#x via relid %u, not %u",
				m->gpadl, m->child_relid, g->relid);
		return;
	}
	if (busy)
		return;
	g_free(g->words);
	g_free(g);
	send_torndown(srv, m->child_relid, m->gpadl);
}

struct enl_vmbus_gpadl *enl_vmbus_gpadl_get(struct enl_vmbus_server *srv,
					    uint32_t handle)
{
	struct enl_vmbus_gpadl *g;

	g_mutex_lock(&srv->gpadl_lock);
	g = g_hash_table_lookup(srv->gpadls, GUINT_TO_POINTER(handle));
	if (g && g->complete && !g->teardown_pending)
		g->users++;
	else
		g = NULL;
	g_mutex_unlock(&srv->gpadl_lock);
	return g;
}

/* Main thread: the last user of a dying GPADL is gone; forget it, answer. */
static void finish_teardown(struct enl_vmbus_server *srv,
			    struct enl_vmbus_gpadl *g)
{
	uint32_t handle = g->handle, relid = g->relid;

	g_free(g->words);
	g_free(g);
	send_torndown(srv, relid, handle);
}

void enl_vmbus_gpadl_put(struct enl_vmbus_server *srv,
			 struct enl_vmbus_gpadl *g)
{
	bool last;

	g_mutex_lock(&srv->gpadl_lock);
	last = !--g->users && g->teardown_pending;
	if (last)
		g_hash_table_remove(srv->gpadls, GUINT_TO_POINTER(g->handle));
	g_mutex_unlock(&srv->gpadl_lock);
	if (last)
		finish_teardown(srv, g);
}

static gboolean reap_one(gpointer k, gpointer v, gpointer data)
{
	struct enl_vmbus_gpadl *g = v;
	GPtrArray *dead = data;

	(void)k;
	if (g->users || !g->teardown_pending)
		return FALSE;
	g_ptr_array_add(dead, g);
	return TRUE;
}

static gboolean reap_cb(gpointer data)
{
	struct enl_vmbus_server *srv = data;
	GPtrArray *dead = g_ptr_array_new();
	guint i;

	g_mutex_lock(&srv->gpadl_lock);
	g_source_unref(srv->reaper);
	srv->reaper = NULL;
	g_hash_table_foreach_remove(srv->gpadls, reap_one, dead);
	g_mutex_unlock(&srv->gpadl_lock);
	for (i = 0; i < dead->len; i++)
		finish_teardown(srv, dead->pdata[i]);
	g_ptr_array_free(dead, TRUE);
	return G_SOURCE_REMOVE;
}

/* gpadl_lock held. */
void enl_vmbus_gpadl_reap_later(struct enl_vmbus_server *srv)
{
	if (srv->reaper)
		return;
	srv->reaper = g_idle_source_new();
	g_source_set_callback(srv->reaper, reap_cb, srv, NULL);
	g_source_attach(srv->reaper, NULL);
}

const uint64_t *enl_vmbus_gpadl_pages(const struct enl_vmbus_gpadl *g,
				      uint32_t *npages)
{
	uint64_t w;

	if (!g->complete || g->rangecount != 1)
		return NULL;
	w = g->words[0];
	/* Whole pages only: a ring starts at a page and spans all of them. */
	if ((w >> 32) != 0 || (w & 0xffffffffu) != (uint64_t)g->npages * PG)
		return NULL;
	*npages = g->npages;
	return g->words + 1;
}

static gboolean drop_all(gpointer k, gpointer v, gpointer data)
{
	struct enl_vmbus_gpadl *g = v;
	const uint32_t *relid = data;

	(void)k;
	if (relid && g->relid != *relid)
		return FALSE;
	g_free(g->words);
	g_free(g);
	return TRUE;
}

void enl_vmbus_gpadl_free_all(struct enl_vmbus_server *srv)
{
	g_mutex_lock(&srv->gpadl_lock);
	g_hash_table_foreach_remove(srv->gpadls, drop_all, NULL);
	g_mutex_unlock(&srv->gpadl_lock);
}

void enl_vmbus_gpadl_free_relid(struct enl_vmbus_server *srv, uint32_t relid)
{
	g_mutex_lock(&srv->gpadl_lock);
	g_hash_table_foreach_remove(srv->gpadls, drop_all, &relid);
	g_mutex_unlock(&srv->gpadl_lock);
}
