/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One KVP pool in memory: UTF-8 key/value records in insertion order (the
 * order ENUMERATE walks), bounded in count and, per record, by what fits
 * the wire: a key of at most 512 bytes and a value of at most 2048 bytes
 * once encoded as UTF-16LE with its NUL. A hash of the keys makes lookups
 * O(1), so loading or walking a pool of n records costs O(n).
 */
#ifndef ENL_KVP_POOL_H
#define ENL_KVP_POOL_H

#include <stddef.h>
#include <enlighten/ic_kvp.h>

/* Longest UTF-8 forms of a wire key/value: 3 bytes per UTF-16 unit, + NUL */
#define ENL_KVP_KEY_UTF8_MAX	((ENL_KVP_MAX_KEY_SIZE / 2 - 1) * 3 + 1)
#define ENL_KVP_VALUE_UTF8_MAX	((ENL_KVP_MAX_VALUE_SIZE / 2 - 1) * 3 + 1)

/*
 * Default bound on records per pool (config: max-records): room for the
 * thousands of keys real deployments push without raising it.
 */
#define ENL_KVP_POOL_MAX_DEFAULT	16384
#define ENL_KVP_POOL_MAX_LIMIT		65536

struct enl_kvp_record {
	char *key;
	char *value;
};

/* The records of one pool (enum enl_kvp_pool names the pool itself). */
struct enl_kvp_table {
	struct enl_kvp_record *rec;
	size_t n, cap, max;
	struct _GHashTable *index;	/* key -> position + 1; NULL: empty */
};

void enl_kvp_pool_init(struct enl_kvp_table *p, size_t max);
void enl_kvp_pool_clear(struct enl_kvp_table *p);
/* Move src's records into dst (dst's are freed); src ends empty. */
void enl_kvp_pool_move(struct enl_kvp_table *dst, struct enl_kvp_table *src);

/*
 * Whether key/value may be stored: 0, -EINVAL for an empty key, -EILSEQ for
 * invalid UTF-8, -E2BIG when either does not fit the wire limits.
 */
int enl_kvp_check(const char *key, const char *value);

/* Add or replace (keeping the position): 0, -ENOSPC when full, or as above. */
int enl_kvp_pool_set(struct enl_kvp_table *p, const char *key,
		     const char *value);
const char *enl_kvp_pool_get(const struct enl_kvp_table *p, const char *key);
/* 0 or -ENOENT. */
int enl_kvp_pool_delete(struct enl_kvp_table *p, const char *key);
/* NULL past the end. */
const struct enl_kvp_record *enl_kvp_pool_at(const struct enl_kvp_table *p,
					     size_t index);

#endif /* ENL_KVP_POOL_H */
