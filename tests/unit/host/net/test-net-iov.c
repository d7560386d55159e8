// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bounded access to scattered memory (host/vsp/net/iov.c), which every
 * guest offset of the network engine goes through: reads, writes and
 * slices at every offset of a map with empty and odd-sized pieces, in
 * both lookup modes (indexed copy and plain wrap), and every range that
 * leaves the map, including ones whose end wraps around.
 */
#include <stdint.h>
#include <string.h>

#include "iov.h"
#include "tap.h"

static uint8_t mem[1000], ref[1000];
static const size_t sizes[] = { 7, 0, 1, 100, 0, 0, 256, 3, 4096 - 4000, 533 };
#define NP (sizeof(sizes) / sizeof(sizes[0]))

static struct iovec pieces[NP];
static size_t total;

static void build(void)
{
	size_t at = 0;

	for (unsigned int i = 0; i < NP; i++) {
		pieces[i].iov_base = mem + at;
		pieces[i].iov_len = sizes[i];
		at += sizes[i];
	}
	total = at;
	for (size_t i = 0; i < sizeof(mem); i++)
		mem[i] = ref[i] = (uint8_t)(i * 7 + 1);
}

static void check_map(const struct enl_iov_map *m, const char *mode)
{
	uint8_t buf[1000];
	struct iovec out[NP];
	bool ok = true, sliced = true;

	for (size_t off = 0; off <= total; off++) {
		for (size_t n = 0; off + n <= total; n += 37) {
			int k;
			size_t got = 0;

			ok &= enl_iov_read(m, off, buf, n) &&
			      !memcmp(buf, ref + off, n);
			k = enl_iov_slice(m, off, n, out, NP);
			sliced &= k >= 0;
			for (int i = 0; i < k; i++) {
				sliced &= out[i].iov_len > 0 &&
					  !memcmp(out[i].iov_base, ref + off + got,
						  out[i].iov_len);
				got += out[i].iov_len;
			}
			sliced &= got == n;
		}
	}
	tap_ok(ok, "%s: every read inside the map returns its bytes", mode);
	tap_ok(sliced, "%s: every slice covers its range with non-empty pieces",
	       mode);
	tap_ok(!enl_iov_read(m, total, buf, 1) &&
	       !enl_iov_read(m, total - 1, buf, 2) &&
	       !enl_iov_read(m, 1, buf, SIZE_MAX) &&
	       !enl_iov_read(m, SIZE_MAX, buf, 2) &&
	       enl_iov_read(m, total, buf, 0),
	       "%s: reads past the end or wrapping are refused", mode);
	tap_ok(enl_iov_slice(m, 5, total, out, NP) == -1 &&
	       enl_iov_slice(m, 0, total, out, 2) == -1 &&
	       enl_iov_slice(m, 0, 8, out, 2) == 2 &&
	       enl_iov_slice(m, 0, 8, out, 1) == -1,
	       "%s: slices past the end or into too few pieces are refused",
	       mode);
	memset(buf, 0xab, sizeof(buf));
	tap_ok(enl_iov_write(m, 5, buf, 400) && mem[5] == 0xab &&
	       mem[404] == 0xab && mem[4] == ref[4] && mem[405] == ref[405] &&
	       !enl_iov_write(m, total - 3, buf, 4),
	       "%s: writes land exactly, none past the end", mode);
	memcpy(mem, ref, sizeof(mem));
}

int main(void)
{
	struct enl_iov_map m;
	struct iovec wrap[2] = { { mem, SIZE_MAX - 10 }, { mem, 20 } };
	size_t len;
	uint8_t b[4];

	build();
	tap_ok(enl_iov_map_copy(&m, pieces, NP) == 0 && m.len == total,
	       "indexed map of %zu bytes in %zu pieces", total, NP);
	check_map(&m, "indexed");
	enl_iov_map_free(&m);
	tap_ok(enl_iov_map_wrap(&m, pieces, NP) && m.len == total, "plain map");
	check_map(&m, "plain");
	tap_ok(!enl_iov_total(wrap, 2, &len) && !enl_iov_map_wrap(&m, wrap, 2) &&
	       enl_iov_map_copy(&m, wrap, 2) < 0,
	       "piece lengths that overflow size_t are refused");
	tap_ok(enl_iov_map_copy(&m, pieces, 0) == 0 && m.len == 0 &&
	       !enl_iov_read(&m, 0, b, 1), "an empty map holds nothing");
	enl_iov_map_free(&m);
	tap_ok(enl_iov_gather(pieces, NP, 6, b, 4) && !memcmp(b, ref + 6, 4) &&
	       !enl_iov_gather(pieces, NP, total - 2, b, 4),
	       "gather across pieces, bounded");
	return tap_done();
}
