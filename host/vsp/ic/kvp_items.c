// SPDX-License-Identifier: GPL-2.0-only
/* The host's KVP items (kvp_items.h). */
#include "kvp_items.h"

#include <errno.h>
#include <string.h>
#include <glib.h>
#include <enlighten/ic_kvp.h>

#include "kvp_host.h"

struct enl_kvp_items {
	GMutex lock;
	GHashTable *pool[ENL_KVP_POOL_COUNT];	/* key -> value, owned */
	size_t count, bytes;
};

struct enl_kvp_items *enl_kvp_items_new(void)
{
	struct enl_kvp_items *it = g_new0(struct enl_kvp_items, 1);

	g_mutex_init(&it->lock);
	for (int p = 0; p < ENL_KVP_POOL_COUNT; p++)
		it->pool[p] = g_hash_table_new_full(g_str_hash, g_str_equal,
						    g_free, g_free);
	return it;
}

void enl_kvp_items_free(struct enl_kvp_items *it)
{
	if (!it)
		return;
	for (int p = 0; p < ENL_KVP_POOL_COUNT; p++)
		g_hash_table_destroy(it->pool[p]);
	g_mutex_clear(&it->lock);
	g_free(it);
}

/* Under the lock: forget key in pool, if it is there. */
static void drop(struct enl_kvp_items *it, uint8_t pool, const char *key)
{
	gpointer k, v;

	if (!g_hash_table_lookup_extended(it->pool[pool], key, &k, &v))
		return;
	it->count--;
	it->bytes -= strlen(k) + strlen(v);
	g_hash_table_remove(it->pool[pool], key);
}

int enl_kvp_items_set(struct enl_kvp_items *it, uint8_t pool, const char *key,
		      const char *value)
{
	const char *old;
	size_t len, old_len;
	int ret = 0;

	if (pool >= ENL_KVP_POOL_COUNT || !key || !value)
		return -EINVAL;
	len = strlen(key) + strlen(value);
	g_mutex_lock(&it->lock);
	old = g_hash_table_lookup(it->pool[pool], key);
	old_len = old ? strlen(key) + strlen(old) : 0;
	/* Refused whole: the item it would replace stays. */
	if (it->count - !!old >= ENL_KVP_ITEMS_MAX ||
	    it->bytes - old_len + len > ENL_KVP_ITEMS_BYTES_MAX) {
		ret = -ENOSPC;
	} else {
		drop(it, pool, key);
		g_hash_table_insert(it->pool[pool], g_strdup(key),
				    g_strdup(value));
		it->count++;
		it->bytes += len;
	}
	g_mutex_unlock(&it->lock);
	return ret;
}

void enl_kvp_items_delete(struct enl_kvp_items *it, uint8_t pool,
			  const char *key)
{
	if (pool >= ENL_KVP_POOL_COUNT || !key)
		return;
	g_mutex_lock(&it->lock);
	drop(it, pool, key);
	g_mutex_unlock(&it->lock);
}

size_t enl_kvp_items_count(struct enl_kvp_items *it)
{
	size_t n;

	g_mutex_lock(&it->lock);
	n = it->count;
	g_mutex_unlock(&it->lock);
	return n;
}

unsigned int enl_kvp_items_replay(struct enl_kvp_items *it,
				  struct enl_kvp_host *kh)
{
	unsigned int n = 0;

	g_mutex_lock(&it->lock);
	for (int p = 0; p < ENL_KVP_POOL_COUNT; p++) {
		GHashTableIter i;
		gpointer k, v;

		g_hash_table_iter_init(&i, it->pool[p]);
		while (g_hash_table_iter_next(&i, &k, &v))
			if (!enl_kvp_host_replay_set(kh, (uint8_t)p, k, v))
				n++;
	}
	g_mutex_unlock(&it->lock);
	return n;
}
