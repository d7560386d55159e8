// SPDX-License-Identifier: GPL-2.0-only
/* Bounded access to scattered memory; see iov.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iov.h"
#include "iov_copy.h"

bool enl_iov_total(const struct iovec *iov, unsigned int cnt, size_t *len)
{
	size_t t = 0;

	for (unsigned int i = 0; i < cnt; i++) {
		if (iov[i].iov_len > SIZE_MAX - t)
			return false;
		t += iov[i].iov_len;
	}
	*len = t;
	return true;
}

bool enl_iov_map_wrap(struct enl_iov_map *m, const struct iovec *iov,
		      unsigned int cnt)
{
	memset(m, 0, sizeof(*m));
	if (!enl_iov_total(iov, cnt, &m->len))
		return false;
	m->iov = iov;
	m->cnt = cnt;
	return true;
}

int enl_iov_map_copy(struct enl_iov_map *m, const struct iovec *iov,
		     unsigned int cnt)
{
	size_t t = 0;

	memset(m, 0, sizeof(*m));
	if (!cnt)
		return 0;
	m->owned = calloc(cnt, sizeof(*m->owned));
	m->start = calloc(cnt, sizeof(*m->start));
	if (!m->owned || !m->start) {
		enl_iov_map_free(m);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < cnt; i++) {
		if (iov[i].iov_len > SIZE_MAX - t) {
			enl_iov_map_free(m);
			return -EINVAL;
		}
		m->owned[i] = iov[i];
		m->start[i] = t;
		t += iov[i].iov_len;
	}
	m->iov = m->owned;
	m->cnt = cnt;
	m->len = t;
	return 0;
}

void enl_iov_map_free(struct enl_iov_map *m)
{
	free(m->owned);
	free(m->start);
	memset(m, 0, sizeof(*m));
}

/* The piece holding byte off (< m->len) and off's offset inside it. */
static unsigned int find(const struct enl_iov_map *m, size_t off, size_t *in)
{
	unsigned int lo = 0, hi = m->cnt;

	if (m->start) {
		/* The last piece starting at or before off (non-empty). */
		while (hi - lo > 1) {
			unsigned int mid = lo + (hi - lo) / 2;

			if (m->start[mid] <= off)
				lo = mid;
			else
				hi = mid;
		}
		while (off - m->start[lo] >= m->iov[lo].iov_len)
			lo++;
		*in = off - m->start[lo];
		return lo;
	}
	while (off >= m->iov[lo].iov_len) {
		off -= m->iov[lo].iov_len;
		lo++;
	}
	*in = off;
	return lo;
}

static bool in_range(const struct enl_iov_map *m, size_t off, size_t n)
{
	return off <= m->len && n <= m->len - off;
}

/*
 * The bounds are checked here against the map's length; the copy itself
 * is the shared one, started at the piece find() names.
 */
static bool copy(const struct enl_iov_map *m, size_t off, void *buf, size_t n,
		 bool to_iov)
{
	unsigned int i;
	size_t in;

	if (!in_range(m, off, n))
		return false;
	if (!n)
		return true;
	i = find(m, off, &in);
	return enl_iov_copy_at(m->iov, m->cnt, i, in, buf, n, to_iov) == n;
}

bool enl_iov_read(const struct enl_iov_map *m, size_t off, void *dst,
		  size_t n)
{
	return copy(m, off, dst, n, false);
}

bool enl_iov_write(const struct enl_iov_map *m, size_t off, const void *src,
		   size_t n)
{
	return copy(m, off, (void *)src, n, true);
}

int enl_iov_slice(const struct enl_iov_map *m, size_t off, size_t n,
		  struct iovec *out, unsigned int max)
{
	unsigned int i, k = 0;
	size_t in;

	if (!in_range(m, off, n))
		return -1;
	if (!n)
		return 0;
	i = find(m, off, &in);
	while (n) {
		size_t c = m->iov[i].iov_len - in;

		if (!c) {
			i++;
			continue;
		}
		if (k == max)
			return -1;
		if (c > n)
			c = n;
		out[k].iov_base = (uint8_t *)m->iov[i].iov_base + in;
		out[k].iov_len = c;
		k++;
		n -= c;
		in = 0;
		i++;
	}
	return (int)k;
}

bool enl_iov_gather(const struct iovec *iov, unsigned int cnt, size_t off,
		    void *dst, size_t n)
{
	struct enl_iov_map m;

	return enl_iov_map_wrap(&m, iov, cnt) && enl_iov_read(&m, off, dst, n);
}
