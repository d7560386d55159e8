// SPDX-License-Identifier: GPL-2.0-only
/* Data GPADLs as scatter views over guest RAM (see gpadl_view.h). */
#include <string.h>

#include <enlighten/hv_synic.h>
#include "gpadl_view.h"
#include "guest_mem.h"
#include "iov_build.h"
#include "server_priv.h"

#define PG	ENL_HV_PAGE_SIZE

/* A host-contiguous piece of the view; pieces are in view order. */
struct piece {
	uint64_t off;		/* offset in the view */
	uint8_t *host;
	uint64_t len;
};

struct enl_vsp_gpadl {
	struct enl_vsp_channel *ch;
	struct enl_vmbus_gpadl *g;
	uint64_t len;
	uint32_t npieces;
	struct piece pieces[];
};

static void add_piece(struct enl_vsp_gpadl *v, uint8_t *host, uint64_t len)
{
	struct piece *last = v->npieces ? &v->pieces[v->npieces - 1] : NULL;

	if (last && last->host + last->len == host) {
		last->len += len;
	} else {
		v->pieces[v->npieces].off = v->len;
		v->pieces[v->npieces].host = host;
		v->pieces[v->npieces].len = len;
		v->npieces++;
	}
	v->len += len;
}

/*
 * The GPADL's ranges, as the guest sent them and gpadl.c checked them
 * (they fill the buffer exactly), laid end to end; every page is looked
 * up in guest RAM again here.
 */
static int build(struct enl_vsp_gpadl *v, const struct enl_guest_mem *mem)
{
	const struct enl_vmbus_gpadl *g = v->g;
	uint32_t pos = 0, r;

	for (r = 0; r < g->rangecount; r++) {
		uint64_t w = g->words[pos++], i, pages;
		uint64_t left = w & 0xffffffffu;
		uint32_t start = (uint32_t)(w >> 32);

		pages = (start + left + PG - 1) / PG;
		for (i = 0; i < pages; i++) {
			uint64_t pfn = g->words[pos + i];
			uint64_t piece = MIN(left, (uint64_t)(PG - start));
			uint8_t *host;

			if (pfn > (UINT64_MAX - PG) / PG)
				return -EFAULT;
			host = enl_gpa_ptr(mem, pfn * PG + start, piece);
			if (!host)
				return -EFAULT;
			add_piece(v, host, piece);
			left -= piece;
			start = 0;
		}
		pos += pages;
	}
	return 0;
}

int enl_vsp_gpadl_map(struct enl_vsp_channel *ch, uint32_t handle,
		      struct enl_vsp_gpadl **view)
{
	struct enl_vmbus_server *srv = ch->srv;
	struct enl_vmbus_gpadl *g;
	struct enl_vsp_gpadl *v = NULL;
	int ret = 0;

	*view = NULL;
	g_mutex_lock(&srv->gpadl_lock);
	g = g_hash_table_lookup(srv->gpadls, GUINT_TO_POINTER(handle));
	if (!g_atomic_int_get(&ch->active))
		ret = -ENOTCONN;
	else if (!g || !g->complete || g->teardown_pending)
		ret = -ENOENT;
	else if (g->relid != ch->relid)
		ret = -EPERM;
	if (!ret) {
		/* At most one piece per page. */
		v = g_malloc0(sizeof(*v) + (size_t)g->npages *
			      sizeof(struct piece));
		v->ch = ch;
		v->g = g;
		ret = build(v, enl_vmbus_mem(srv));
	}
	if (!ret) {
		g->users++;
		ch->views = g_list_prepend(ch->views, v);
	}
	g_mutex_unlock(&srv->gpadl_lock);
	if (ret) {
		g_free(v);
		enl_vmbus_error(srv, ENL_VMBUS_ERR_GPADL_VIEW,
				"relid %u: %s cannot map gpadl %#x: %s",
				ch->relid, ch->cls->name, handle,
				g_strerror(-ret));
		return ret;
	}
	*view = v;
	return 0;
}

void enl_vsp_gpadl_unmap(struct enl_vsp_gpadl *v)
{
	struct enl_vmbus_server *srv;

	if (!v)
		return;
	srv = v->ch->srv;
	g_mutex_lock(&srv->gpadl_lock);
	v->ch->views = g_list_remove(v->ch->views, v);
	/* The TORNDOWN (a message) goes out from the main thread. */
	if (!--v->g->users && v->g->teardown_pending)
		enl_vmbus_gpadl_reap_later(srv);
	g_mutex_unlock(&srv->gpadl_lock);
	g_free(v);
}

void enl_vmbus_views_drop(struct enl_vsp_channel *ch)
{
	struct enl_vsp_gpadl *v;

	for (;;) {
		g_mutex_lock(&ch->srv->gpadl_lock);
		v = ch->views ? ch->views->data : NULL;
		g_mutex_unlock(&ch->srv->gpadl_lock);
		if (!v)
			return;
		g_warning("vmbus: relid %u: %s left gpadl %#x mapped at close",
			  ch->relid, ch->cls->name, v->g->handle);
		enl_vsp_gpadl_unmap(v);
	}
}

uint64_t enl_vsp_gpadl_len(const struct enl_vsp_gpadl *v)
{
	return v->len;
}

uint32_t enl_vsp_gpadl_handle(const struct enl_vsp_gpadl *v)
{
	return v->g->handle;
}

/* The piece holding byte off (< v->len). */
static uint32_t find_piece(const struct enl_vsp_gpadl *v, uint64_t off)
{
	uint32_t lo = 0, hi = v->npieces - 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;

		if (v->pieces[mid].off <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

int enl_vsp_gpadl_iov(const struct enl_vsp_gpadl *v, uint64_t off,
		      uint64_t len, struct iovec *iov, uint32_t max_iov)
{
	struct enl_iov_build b = { iov, max_iov, 0, 0 };
	uint32_t i;

	if (!len || off >= v->len || len > v->len - off)
		return -ERANGE;
	for (i = find_piece(v, off); len; i++) {
		const struct piece *p = &v->pieces[i];
		uint64_t skip = off - p->off, n = MIN(len, p->len - skip);
		int ret = enl_iov_add(&b, p->host + skip, n);

		if (ret)
			return ret;
		off += n;
		len -= n;
	}
	return (int)b.n;
}

/* Copy between buf and the view, to_view or from it. */
static int copy(const struct enl_vsp_gpadl *v, uint64_t off, void *buf,
		size_t len, bool to_view)
{
	uint8_t *b = buf;
	uint32_t i;

	if (!len)
		return 0;
	if (off >= v->len || len > v->len - off)
		return -ERANGE;
	for (i = find_piece(v, off); len; i++) {
		const struct piece *p = &v->pieces[i];
		uint64_t skip = off - p->off, n = MIN((uint64_t)len,
						      p->len - skip);

		if (to_view)
			memcpy(p->host + skip, b, n);
		else
			memcpy(b, p->host + skip, n);
		b += n;
		off += n;
		len -= n;
	}
	return 0;
}

int enl_vsp_gpadl_write(const struct enl_vsp_gpadl *v, uint64_t off,
			const void *buf, size_t len)
{
	return copy(v, off, (void *)buf, len, true);
}

int enl_vsp_gpadl_read(const struct enl_vsp_gpadl *v, uint64_t off,
		       void *buf, size_t len)
{
	return copy(v, off, buf, len, false);
}
