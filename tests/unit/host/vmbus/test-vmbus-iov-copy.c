// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bounded scatter-gather copy every VSP's guest lengths go through
 * (host/vmbus/iov_copy.c): both directions at every offset and length of
 * pieces with empty and odd sizes, compared against a flat reference;
 * guard bytes around every piece that must never change; copies that run
 * past the end stop there; a start given as piece and in-piece offset,
 * including one past that piece's end.
 */
#include <stdint.h>
#include <string.h>

#include "iov_copy.h"
#include "tap.h"

#define GUARD	8
static const size_t sizes[] = { 5, 0, 1, 64, 0, 0, 129, 3, 96, 0, 77 };
#define NP (sizeof(sizes) / sizeof(sizes[0]))

/* Each piece sits between guard bytes in mem; flat is their concatenation. */
static uint8_t mem[1024], flat[512], buf[512];
static struct iovec pieces[NP];
static size_t total;

static void fill(void)
{
	size_t at = GUARD, k = 0;

	memset(mem, 0xee, sizeof(mem));
	total = 0;
	for (unsigned int i = 0; i < NP; i++) {
		pieces[i].iov_base = mem + at;
		pieces[i].iov_len = sizes[i];
		for (size_t j = 0; j < sizes[i]; j++, k++)
			mem[at + j] = flat[k] = (uint8_t)(k * 13 + 5);
		at += sizes[i] + GUARD;
		total += sizes[i];
	}
}

/* Every byte of mem outside the pieces still holds the guard pattern. */
static bool guards_intact(void)
{
	size_t at = 0;

	for (unsigned int i = 0; i < NP; i++) {
		size_t start = (size_t)((uint8_t *)pieces[i].iov_base - mem);

		for (; at < start; at++)
			if (mem[at] != 0xee)
				return false;
		at = start + pieces[i].iov_len;
	}
	for (; at < sizeof(mem); at++)
		if (mem[at] != 0xee)
			return false;
	return true;
}

/* The pieces read back as one buffer. */
static void gather(uint8_t *out)
{
	size_t k = 0;

	for (unsigned int i = 0; i < NP; i++) {
		memcpy(out + k, pieces[i].iov_base, pieces[i].iov_len);
		k += pieces[i].iov_len;
	}
}

static void test_from(void)
{
	bool ok = true, short_ok = true;

	fill();
	for (size_t off = 0; off <= total; off++)
		for (size_t n = 0; n <= total - off; n += 7) {
			memset(buf, 0, sizeof(buf));
			ok &= enl_iov_copy_from(pieces, NP, off, buf, n) == n &&
			      !memcmp(buf, flat + off, n);
		}
	tap_ok(ok, "from: every range inside the pieces returns its bytes");
	for (size_t off = 0; off <= total + 3; off++) {
		size_t want = off < total ? total - off : 0;

		memset(buf, 0x11, sizeof(buf));
		short_ok &= enl_iov_copy_from(pieces, NP, off, buf, 400) ==
				want &&
			    !memcmp(buf, flat + (off < total ? off : total),
				    want) &&
			    buf[want] == 0x11;
	}
	tap_ok(short_ok,
	       "from: a copy past the end stops at the end, buffer untouched beyond");
	tap_ok(enl_iov_copy_from(pieces, NP, SIZE_MAX, buf, SIZE_MAX) == 0 &&
	       enl_iov_copy_from(pieces, 0, 0, buf, 10) == 0 &&
	       enl_iov_copy_from(NULL, 0, 0, buf, 10) == 0,
	       "from: offset SIZE_MAX and no pieces copy nothing");
}

static void test_to(void)
{
	uint8_t src[512], got[512], want[512];
	bool ok = true, guards = true;

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(0xa0 ^ i);
	for (size_t off = 0; off <= total + 2; off += 3)
		for (size_t n = 0; n <= total + 5; n += 11) {
			size_t fits;

			fill();
			fits = off < total ? total - off : 0;
			if (fits > n)
				fits = n;
			memcpy(want, flat, total);
			memcpy(want + (off < total ? off : total), src, fits);
			ok &= enl_iov_copy_to(pieces, NP, off, src, n) == fits;
			gather(got);
			ok &= !memcmp(got, want, total);
			guards &= guards_intact();
		}
	tap_ok(ok, "to: every range lands at its offset, only the bytes that fit");
	tap_ok(guards, "to: no byte outside the pieces is ever written");
}

static void test_at(void)
{
	bool ok = true;
	size_t base = 0;

	fill();
	/* Starting at piece i byte in equals offset base(i) + in, any in. */
	for (unsigned int i = 0; i <= NP; i++) {
		for (size_t in = 0; in < 200; in += 5) {
			size_t off = base + in, a, b;
			uint8_t x[512], y[512];

			a = enl_iov_copy_at(pieces, NP, i, in, x, 90, false);
			b = enl_iov_copy_from(pieces, NP, off, y, 90);
			ok &= a == b && !memcmp(x, y, a);
		}
		if (i < NP)
			base += sizes[i];
	}
	tap_ok(ok, "at: piece and in-piece offset (also past the piece) match a flat offset");
	tap_ok(enl_iov_copy_at(pieces, NP, NP, 0, buf, 10, false) == 0 &&
	       enl_iov_copy_at(pieces, NP, NP + 5, 0, buf, 10, true) == 0 &&
	       guards_intact(),
	       "at: a start past the last piece copies nothing");
}

int main(void)
{
	test_from();
	test_to();
	test_at();
	return tap_done();
}
