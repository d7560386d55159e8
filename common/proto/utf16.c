// SPDX-License-Identifier: GPL-2.0-only
/* UTF-16LE <-> UTF-8 conversion with validation (see utf16.h). */
#include "utf16.h"

#include <errno.h>
#include <stdint.h>

static size_t utf8_put(uint32_t cp, char *p)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xc0 | (cp >> 6));
		p[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xe0 | (cp >> 12));
		p[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | (cp >> 18));
	p[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static size_t utf8_len(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

ssize_t enl_utf16le_to_utf8(const void *in, size_t in_bytes,
			    char *out, size_t out_size)
{
	const uint8_t *s = in;
	size_t n = in_bytes / 2, i, o = 0;

	if (in_bytes % 2 || out_size == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		uint32_t cp = s[2 * i] | (uint32_t)s[2 * i + 1] << 8;

		if (cp == 0)
			break;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return -EILSEQ;	/* low surrogate without a high one */
		if (cp >= 0xd800 && cp <= 0xdbff) {
			uint32_t lo;

			if (i + 1 >= n)
				return -EILSEQ;
			lo = s[2 * i + 2] | (uint32_t)s[2 * i + 3] << 8;
			if (lo < 0xdc00 || lo > 0xdfff)
				return -EILSEQ;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i++;
		}
		if (o + utf8_len(cp) + 1 > out_size)
			return -ENOSPC;
		o += utf8_put(cp, out + o);
	}
	out[o] = '\0';
	return (ssize_t)o;
}

/* One code point from UTF-8 at s; its length in *len, or -EILSEQ. */
static int32_t utf8_get(const uint8_t *s, size_t *len)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return -EILSEQ;
	}
	/* The NUL terminator fails the continuation test, so no overrun. */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -EILSEQ;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -EILSEQ;
	*len = n;
	return (int32_t)cp;
}

ssize_t enl_utf8_to_utf16le(const char *in, void *out, size_t out_bytes)
{
	const uint8_t *s = (const uint8_t *)in;
	uint8_t *d = out;
	size_t o = 0, len;

	while (*s) {
		int32_t cp = utf8_get(s, &len);
		uint32_t u[2];
		size_t k, nu;

		if (cp < 0)
			return cp;
		s += len;
		if (cp >= 0x10000) {
			u[0] = 0xd800 + (((uint32_t)cp - 0x10000) >> 10);
			u[1] = 0xdc00 + (((uint32_t)cp - 0x10000) & 0x3ff);
			nu = 2;
		} else {
			u[0] = (uint32_t)cp;
			nu = 1;
		}
		if (o + 2 * nu + 2 > out_bytes)
			return -ENOSPC;
		for (k = 0; k < nu; k++) {
			d[o++] = u[k] & 0xff;
			d[o++] = u[k] >> 8;
		}
	}
	if (o + 2 > out_bytes)
		return -ENOSPC;
	d[o++] = 0;
	d[o++] = 0;
	return (ssize_t)o;
}
