// SPDX-License-Identifier: GPL-2.0-only
/* In-memory KVP pool with the protocol's size limits (see pool.h). */
#include "pool.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "utf16.h"

void enl_kvp_pool_init(struct enl_kvp_table *p, size_t max)
{
	memset(p, 0, sizeof(*p));
	p->max = max;
}

void enl_kvp_pool_clear(struct enl_kvp_table *p)
{
	for (size_t i = 0; i < p->n; i++) {
		g_free(p->rec[i].key);
		g_free(p->rec[i].value);
	}
	g_free(p->rec);
	if (p->index)
		g_hash_table_destroy(p->index);
	p->index = NULL;
	p->rec = NULL;
	p->n = p->cap = 0;
}

void enl_kvp_pool_move(struct enl_kvp_table *dst, struct enl_kvp_table *src)
{
	size_t max = dst->max;

	enl_kvp_pool_clear(dst);
	*dst = *src;
	dst->max = max;
	src->rec = NULL;
	src->index = NULL;
	src->n = src->cap = 0;
}

int enl_kvp_check(const char *key, const char *value)
{
	/* Encoding is the only exact test of "fits": 3-byte UTF-8 is 2 bytes
	 * of UTF-16 but 4-byte UTF-8 is 4, so byte counts alone cannot tell. */
	uint8_t kbuf[ENL_KVP_MAX_KEY_SIZE], vbuf[ENL_KVP_MAX_VALUE_SIZE];
	ssize_t n;

	if (!*key)
		return -EINVAL;
	n = enl_utf8_to_utf16le(key, kbuf, sizeof(kbuf));
	if (n >= 0)
		n = enl_utf8_to_utf16le(value, vbuf, sizeof(vbuf));
	if (n == -ENOSPC)
		return -E2BIG;
	return n < 0 ? (int)n : 0;
}

static ssize_t find(const struct enl_kvp_table *p, const char *key)
{
	gpointer pos = p->index ? g_hash_table_lookup(p->index, key) : NULL;

	return pos ? (ssize_t)GPOINTER_TO_SIZE(pos) - 1 : -1;
}

/* The index keys are the records' own key strings. */
static void index_put(struct enl_kvp_table *p, size_t i)
{
	if (!p->index)
		p->index = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(p->index, p->rec[i].key, GSIZE_TO_POINTER(i + 1));
}

int enl_kvp_pool_set(struct enl_kvp_table *p, const char *key,
		     const char *value)
{
	ssize_t i;
	int ret = enl_kvp_check(key, value);

	if (ret < 0)
		return ret;
	i = find(p, key);
	if (i >= 0) {
		g_free(p->rec[i].value);
		p->rec[i].value = g_strdup(value);
		return 0;
	}
	if (p->n >= p->max)
		return -ENOSPC;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->rec = g_renew(struct enl_kvp_record, p->rec, p->cap);
	}
	p->rec[p->n].key = g_strdup(key);
	p->rec[p->n].value = g_strdup(value);
	index_put(p, p->n);
	p->n++;
	return 0;
}

const char *enl_kvp_pool_get(const struct enl_kvp_table *p, const char *key)
{
	ssize_t i = find(p, key);

	return i < 0 ? NULL : p->rec[i].value;
}

int enl_kvp_pool_delete(struct enl_kvp_table *p, const char *key)
{
	ssize_t i = find(p, key);

	if (i < 0)
		return -ENOENT;
	g_hash_table_remove(p->index, key);
	g_free(p->rec[i].key);
	g_free(p->rec[i].value);
	/* Shift rather than swap: enumeration order stays insertion order. */
	memmove(&p->rec[i], &p->rec[i + 1],
		(p->n - (size_t)i - 1) * sizeof(p->rec[0]));
	p->n--;
	for (size_t j = (size_t)i; j < p->n; j++)
		index_put(p, j);
	return 0;
}

const struct enl_kvp_record *enl_kvp_pool_at(const struct enl_kvp_table *p,
					     size_t index)
{
	return index < p->n ? &p->rec[index] : NULL;
}
