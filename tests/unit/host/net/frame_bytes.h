/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test frames byte by byte: big-endian fields and the one's-complement sum
 * of the Internet checksum (RFC 1071), for the tests that build frames.
 */
#ifndef ENL_TEST_FRAME_BYTES_H
#define ENL_TEST_FRAME_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline void wbe16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Adds n bytes to the running sum s, as 16-bit big-endian words. */
static inline uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

/* The sum folded to 16 bits (not yet complemented). */
static inline uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

#endif /* ENL_TEST_FRAME_BYTES_H */
