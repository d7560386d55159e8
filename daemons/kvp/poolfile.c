// SPDX-License-Identifier: GPL-2.0-only
/* Pool file encoding and parsing (see poolfile.h). */
#include "poolfile.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define MAGIC		"ENLKVP01"
#define MAGIC_LEN	8

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffU;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320U & -(c & 1));
	}
	return ~c;
}

static void put_le(GByteArray *b, uint32_t v, size_t bytes)
{
	uint8_t le[4] = { v, v >> 8, v >> 16, v >> 24 };

	g_byte_array_append(b, le, (guint)bytes);
}

static uint32_t get_le(const uint8_t *p, size_t bytes)
{
	uint32_t v = 0;

	for (size_t i = 0; i < bytes; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

GByteArray *enl_kvp_poolfile_encode(const struct enl_kvp_table *p)
{
	GByteArray *b = g_byte_array_new();

	g_byte_array_append(b, (const guint8 *)MAGIC, MAGIC_LEN);
	put_le(b, (uint32_t)p->n, 4);
	for (size_t i = 0; i < p->n; i++) {
		size_t kl = strlen(p->rec[i].key), vl = strlen(p->rec[i].value);

		/* pool.c bounds both far below 64 KiB. */
		put_le(b, (uint32_t)kl, 2);
		put_le(b, (uint32_t)vl, 2);
		g_byte_array_append(b, (const guint8 *)p->rec[i].key, (guint)kl);
		g_byte_array_append(b, (const guint8 *)p->rec[i].value,
				    (guint)vl);
	}
	put_le(b, crc32_ieee(b->data, b->len), 4);
	return b;
}

static int fail(struct enl_kvp_table *p, const char **why, const char *w)
{
	enl_kvp_pool_clear(p);
	*why = w;
	return -EBADMSG;
}

int enl_kvp_poolfile_parse(const void *buf, size_t len, struct enl_kvp_table *p,
			   const char **why)
{
	const uint8_t *b = buf, *end;
	char key[ENL_KVP_KEY_UTF8_MAX], value[ENL_KVP_VALUE_UTF8_MAX];
	uint32_t count;

	enl_kvp_pool_clear(p);
	if (len < MAGIC_LEN + 8 || memcmp(b, MAGIC, MAGIC_LEN))
		return fail(p, why, "not an enl-kvpd pool file");
	if (crc32_ieee(b, len - 4) != get_le(b + len - 4, 4))
		return fail(p, why, "checksum mismatch");
	count = get_le(b + MAGIC_LEN, 4);
	if (count > p->max)
		return fail(p, why, "more records than max-records");
	end = b + len - 4;
	b += MAGIC_LEN + 4;
	for (uint32_t i = 0; i < count; i++) {
		size_t kl, vl;

		if (end - b < 4)
			return fail(p, why, "truncated record header");
		kl = get_le(b, 2);
		vl = get_le(b + 2, 2);
		b += 4;
		if (kl >= sizeof(key) || vl >= sizeof(value))
			return fail(p, why, "record longer than the wire allows");
		if ((size_t)(end - b) < kl + vl)
			return fail(p, why, "truncated record");
		memcpy(key, b, kl);
		key[kl] = '\0';
		memcpy(value, b + kl, vl);
		value[vl] = '\0';
		b += kl + vl;
		if (strlen(key) != kl || strlen(value) != vl)
			return fail(p, why, "NUL inside a record");
		if (enl_kvp_pool_get(p, key))
			return fail(p, why, "duplicate key");
		if (enl_kvp_pool_set(p, key, value) < 0)
			return fail(p, why, "record not valid UTF-8 or too long");
	}
	if (b != end)
		return fail(p, why, "bytes after the last record");
	return 0;
}

/* A NUL-padded field as a string, or NULL without a NUL in it. */
static const char *field(const uint8_t *f, size_t size)
{
	return memchr(f, '\0', size) ? (const char *)f : NULL;
}

size_t enl_kvp_poolfile_parse_legacy(const void *buf, size_t len,
				     struct enl_kvp_table *p, size_t *skipped)
{
	const uint8_t *b = buf;
	size_t added = 0;

	for (size_t off = 0; off + ENL_KVP_LEGACY_RECORD <= len;
	     off += ENL_KVP_LEGACY_RECORD) {
		const char *k = field(b + off, ENL_KVP_MAX_KEY_SIZE);
		const char *v = field(b + off + ENL_KVP_MAX_KEY_SIZE,
				      ENL_KVP_MAX_VALUE_SIZE);

		if (k && v && enl_kvp_pool_set(p, k, v) == 0)
			added++;
		else
			(*skipped)++;
	}
	return added;
}
