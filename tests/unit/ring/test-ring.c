// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the VMBus ring buffer (common/ring.c): layout, wrap-around,
 * full/empty, oversize, corrupt peers, signalling, batching and a two-thread
 * stress run. Rings live between PROT_NONE guard pages so a stray access
 * crashes the test instead of passing unnoticed.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ring.h"
#include "tap.h"

#define PG		ENL_RING_PAGE_SIZE
#define DESC		16u

/* Control page and data area, each fenced by guard pages. */
struct shm {
	__u8 *map;
	size_t maplen;
	struct enl_ring_ctl *ctl;
	__u8 *data;
	__u32 size;
	__u8 *snap;		/* copy of ctl + data for "untouched" checks */
};

static void shm_init(struct shm *s, __u32 size)
{
	s->size = size;
	s->maplen = 4 * (size_t)PG + size;
	s->map = mmap(NULL, s->maplen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (s->map == MAP_FAILED)
		abort();
	s->ctl = (struct enl_ring_ctl *)(s->map + PG);
	s->data = s->map + 3 * PG;
	if (mprotect(s->ctl, PG, PROT_READ | PROT_WRITE) ||
	    mprotect(s->data, size, PROT_READ | PROT_WRITE))
		abort();
	s->snap = malloc(PG + (size_t)size);
	if (!s->snap)
		abort();
}

static void shm_fini(struct shm *s)
{
	munmap(s->map, s->maplen);
	free(s->snap);
}

static void shm_snap(struct shm *s)
{
	memcpy(s->snap, s->ctl, PG);
	memcpy(s->snap + PG, s->data, s->size);
}

static int shm_same(const struct shm *s)
{
	return !memcmp(s->snap, s->ctl, PG) &&
	       !memcmp(s->snap + PG, s->data, s->size);
}

/* A fresh ring with a writer and a reader view, indices at pos. */
static void pair_at(struct shm *s, struct enl_ring *w, struct enl_ring *r,
		    __u32 pos)
{
	memset(s->ctl, 0, PG);
	s->ctl->feature_bits = ENL_RING_FEAT_PENDING_SEND_SZ;
	s->ctl->write_index = pos;
	s->ctl->read_index = pos;
	if (enl_ring_init(w, s->ctl, s->data, s->size) ||
	    enl_ring_init(r, s->ctl, s->data, s->size))
		abort();
}

static __u64 splitmix(__u64 *x)
{
	__u64 z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Seeded payload: every byte depends on seed and position. */
static void pattern(__u64 seed, __u8 *buf, __u32 len)
{
	__u64 x = seed;
	__u32 i;

	for (i = 0; i + 8 <= len; i += 8) {
		__u64 v = splitmix(&x);

		memcpy(buf + i, &v, 8);
	}
	if (i < len) {
		__u64 v = splitmix(&x);

		memcpy(buf + i, &v, len - i);
	}
}

static int all_zero(const __u8 *p, __u32 len)
{
	while (len--)
		if (*p++)
			return 0;
	return 1;
}

/* Write a patterned inband packet of plen payload bytes in three pieces. */
static int put(struct enl_ring *w, __u64 seed, __u32 plen, bool *sig)
{
	static __u8 buf[1 << 20];
	struct enl_ring_iov iov[3];
	__u32 a = plen / 3, b = plen / 2;

	pattern(seed, buf, plen);
	iov[0] = (struct enl_ring_iov){ buf, a };
	iov[1] = (struct enl_ring_iov){ buf + a, b - a };
	iov[2] = (struct enl_ring_iov){ buf + b, plen - b };
	return enl_ring_write(w, ENL_VMPKT_DATA_INBAND,
			      ENL_VMPKT_FLAG_COMPLETION_REQUESTED, seed, iov, 3,
			      sig);
}

/* Read one packet and check it is what put(seed, plen) wrote. */
static int get(struct enl_ring *r, __u64 seed, __u32 plen)
{
	static __u8 buf[1 << 20], want[1 << 20];
	struct enl_vmpacket_descriptor d;
	struct enl_ring_pkt pkt;
	__u32 len = (DESC + plen + 7) & ~7u;
	int n;

	n = enl_ring_read(r, buf, sizeof(buf), &pkt);
	if (n != (int)len || pkt.len != len || pkt.hdr_len != DESC ||
	    pkt.type != ENL_VMPKT_DATA_INBAND || pkt.trans_id != seed ||
	    pkt.flags != ENL_VMPKT_FLAG_COMPLETION_REQUESTED)
		return 0;
	memcpy(&d, buf, sizeof(d));
	if (d.type != pkt.type || d.offset8 != 2 || d.len8 != len / 8 ||
	    d.flags != pkt.flags || d.trans_id != seed)
		return 0;
	pattern(seed, want, plen);
	return !memcmp(buf + DESC, want, plen) &&
	       all_zero(buf + DESC + plen, len - DESC - plen);
}

static void test_init(void)
{
	struct shm s;
	struct enl_ring r;
	int ok;

	shm_init(&s, 4 * PG);
	memset(s.ctl, 0, PG);
	ok = enl_ring_init(&r, s.ctl, s.data, 0) == -EINVAL &&
	     enl_ring_init(&r, s.ctl, s.data, 100) == -EINVAL &&
	     enl_ring_init(&r, s.ctl, s.data, PG + 8) == -EINVAL &&
	     enl_ring_init(&r, s.ctl, s.data + 4, PG) == -EINVAL &&
	     enl_ring_init(&r, NULL, s.data, PG) == -EINVAL &&
	     enl_ring_init(&r, s.ctl, s.data, 0x80001000u) == -EINVAL;
	tap_ok(ok, "init: rejects sizes that are not page multiples, misaligned data");

	ok = enl_ring_init(&r, s.ctl, s.data, 3 * PG) == 0 &&
	     enl_ring_init(&r, s.ctl, s.data, 4 * PG) == 0;
	tap_ok(ok, "init: accepts power-of-two and other page multiples");

	s.ctl->write_index = 4 * PG;
	ok = enl_ring_init(&r, s.ctl, s.data, 4 * PG) == -EIO;
	s.ctl->write_index = 0;
	s.ctl->read_index = 12;
	ok = ok && enl_ring_init(&r, s.ctl, s.data, 4 * PG) == -EIO;
	s.ctl->read_index = 4 * PG - 8;
	s.ctl->write_index = 64;
	ok = ok && enl_ring_init(&r, s.ctl, s.data, 4 * PG) == 0 &&
	     r.priv_read == 4 * PG - 8 && r.priv_write == 64;
	tap_ok(ok, "init: samples indices, -EIO on corrupt ones");

	s.ctl->interrupt_mask = 1;
	s.ctl->pending_send_sz = 99;
	enl_ring_reset(&r);
	ok = !s.ctl->write_index && !s.ctl->read_index &&
	     !s.ctl->interrupt_mask && !s.ctl->pending_send_sz &&
	     s.ctl->feature_bits == ENL_RING_FEAT_PENDING_SEND_SZ &&
	     !r.priv_read && !r.priv_write;
	tap_ok(ok, "reset: zeroes the control page and sets feat_pending_send_sz");

	ok = enl_ring_pkt_size(16) == 24 && enl_ring_pkt_size(17) == 32 &&
	     enl_ring_pkt_size(24) == 32;
	tap_ok(ok, "pkt_size: pads to 8 and adds the trailer");
	shm_fini(&s);
}

/*
 * Start a packet at every 8-byte position of the data area so that it
 * straddles the end at every possible point (descriptor, payload, padding,
 * trailer), and check signal, indices, trailer and contents.
 */
static void test_wrap(__u32 size, __u32 plen)
{
	struct shm s;
	struct enl_ring w, r;
	__u32 pos, total = enl_ring_pkt_size(DESC + plen), bad = 0;

	shm_init(&s, size);
	for (pos = 0; pos < size; pos += 8) {
		__u32 end = (pos + total) % size;
		__u32 at = (pos + total - 8) % size;
		__u64 trailer;
		bool sig = false;

		pair_at(&s, &w, &r, pos);
		memset(s.data, 0xa5, size);
		if (put(&w, pos + 1, plen, &sig) || !sig ||
		    s.ctl->write_index != end ||
		    enl_ring_bytes_to_read(&r) != total ||
		    enl_ring_bytes_to_write(&w) != size - total) {
			bad++;
			continue;
		}
		memcpy(&trailer, s.data + at, 8);
		if (trailer != (__u64)pos << 32 || !get(&r, pos + 1, plen) ||
		    enl_ring_read_commit(&r) || s.ctl->read_index != end ||
		    enl_ring_bytes_to_write(&w) != size)
			bad++;
	}
	tap_ok(!bad, "wrap: %u-byte ring, %u-byte payload at all %u positions (%u bad)",
	       size, plen, size / 8, bad);
	shm_fini(&s);
}

static void test_full_empty(void)
{
	struct enl_ring w, r;
	struct enl_ring_pkt pkt;
	struct shm s;
	__u32 n = 0, i, avail, fill;
	bool sig;
	int ok, err;

	shm_init(&s, PG);
	pair_at(&s, &w, &r, 0);
	ok = enl_ring_peek(&r, &pkt) == -EAGAIN &&
	     enl_ring_bytes_to_read(&r) == 0 &&
	     enl_ring_bytes_to_write(&w) == PG;
	tap_ok(ok, "empty: peek -EAGAIN, nothing to read, all free");

	while ((err = put(&w, n, 100, &sig)) == 0)
		n++;
	avail = enl_ring_bytes_to_write(&w);
	ok = err == -EAGAIN && n == (PG - 8) / enl_ring_pkt_size(DESC + 100) &&
	     w.stats.full == 1 && w.stats.packets == n &&
	     avail > 0 && avail <= enl_ring_pkt_size(DESC + 100);
	tap_ok(ok, "full: %u packets fit, then -EAGAIN and a full event", n);

	/* Free one packet, then fill exactly up to the 8 bytes kept free. */
	ok = get(&r, 0, 100);
	enl_ring_read_commit(&r);
	fill = enl_ring_bytes_to_write(&w) - 8;
	ok = ok && fill == avail + enl_ring_pkt_size(DESC + 100) - 8 &&
	     put(&w, 1000, fill - 24, &sig) == 0 &&
	     enl_ring_bytes_to_write(&w) == 8 &&
	     put(&w, 1001, 0, &sig) == -EAGAIN &&
	     s.ctl->write_index != s.ctl->read_index;
	tap_ok(ok, "full: exact fit leaves 8 bytes, write != read");

	for (i = 1; i < n; i++)
		ok = ok && get(&r, i, 100);
	ok = ok && get(&r, 1000, fill - 24) &&
	     enl_ring_peek(&r, &pkt) == -EAGAIN;
	enl_ring_read_commit(&r);
	ok = ok && s.ctl->read_index == s.ctl->write_index &&
	     enl_ring_bytes_to_write(&w) == PG && r.stats.packets == n + 1;
	tap_ok(ok, "drain: every packet intact, then empty again");
	shm_fini(&s);
}

static void test_oversize(void)
{
	struct enl_ring w, r;
	struct enl_ring_iov iov[2];
	struct shm s;
	bool sig;
	int ok;

	shm_init(&s, PG);
	pair_at(&s, &w, &r, 0);
	shm_snap(&s);
	ok = put(&w, 1, PG - 31, &sig) == -EMSGSIZE && shm_same(&s) &&
	     w.stats.full == 0;
	ok = ok && put(&w, 1, PG - 32, &sig) == 0 && get(&r, 1, PG - 32);
	tap_ok(ok, "oversize: size - 8 fits an empty ring, one byte more is -EMSGSIZE");
	shm_fini(&s);

	shm_init(&s, 1 << 20);
	pair_at(&s, &w, &r, 0);
	ok = put(&w, 2, ENL_VMPKT_MAX_LEN - DESC + 1, &sig) == -EMSGSIZE &&
	     put(&w, 2, ENL_VMPKT_MAX_LEN - DESC, &sig) == 0 &&
	     get(&r, 2, ENL_VMPKT_MAX_LEN - DESC);
	tap_ok(ok, "oversize: len8 limit (%u bytes) enforced", ENL_VMPKT_MAX_LEN);

	/* Lengths that overflow a u32 sum must not wrap into a small packet. */
	iov[0] = (struct enl_ring_iov){ s.data, 0xfffffff8u };
	iov[1] = (struct enl_ring_iov){ s.data, 0x10 };
	ok = enl_ring_write(&w, 6, 0, 0, iov, 2, &sig) == -EMSGSIZE &&
	     enl_ring_write_raw(&w, iov, 2, &sig) == -EMSGSIZE;
	tap_ok(ok, "oversize: iov length overflow is -EMSGSIZE");
	shm_fini(&s);
}

/* Expect op to fail with -EIO, count it and leave the ring as it was. */
#define EXPECT_EIO(s, ring, op) ({					\
	__u64 _c = (ring)->stats.corrupt;				\
	__u32 _pr = (ring)->priv_read, _pw = (ring)->priv_write;	\
	shm_snap(s);							\
	(op) == -EIO && shm_same(s) && (ring)->stats.corrupt == _c + 1 &&\
	(ring)->priv_read == _pr && (ring)->priv_write == _pw;		\
})

static void test_corrupt_indices(void)
{
	static const __u32 bad_idx[] = { PG, PG + 8, 4, 0xfffffff8u, 0xffffffffu };
	struct enl_ring w, r;
	struct enl_ring_pkt pkt;
	struct shm s;
	bool sig;
	__u32 i;
	int ok = 1;

	shm_init(&s, PG);
	for (i = 0; i < sizeof(bad_idx) / sizeof(bad_idx[0]); i++) {
		pair_at(&s, &w, &r, 0);
		ok = ok && put(&w, 1, 50, &sig) == 0;
		s.ctl->write_index = bad_idx[i];
		ok = ok && EXPECT_EIO(&s, &r, enl_ring_peek(&r, &pkt));
		ok = ok && enl_ring_bytes_to_read(&r) == 0;
		ok = ok && enl_ring_intr_unmask(&r);
		s.ctl->write_index = w.priv_write;
		ok = ok && get(&r, 1, 50);
	}
	tap_ok(ok, "corrupt write_index: reader gets -EIO, memory untouched, recovers");

	ok = 1;
	for (i = 0; i < sizeof(bad_idx) / sizeof(bad_idx[0]); i++) {
		pair_at(&s, &w, &r, 0);
		s.ctl->read_index = bad_idx[i];
		ok = ok && EXPECT_EIO(&s, &w, put(&w, 1, 50, &sig)) && !sig;
		ok = ok && enl_ring_bytes_to_write(&w) == 0 &&
		     !enl_ring_set_pending_send(&w, 64);
		s.ctl->read_index = 0;
		ok = ok && put(&w, 1, 50, &sig) == 0 && get(&r, 1, 50);
	}
	tap_ok(ok, "corrupt read_index: writer gets -EIO, memory untouched, recovers");

	/* A commit that meets a corrupt write_index must not signal. */
	pair_at(&s, &w, &r, 0);
	ok = put(&w, 1, 50, &sig) == 0 && get(&r, 1, 50);
	s.ctl->pending_send_sz = 8;
	s.ctl->write_index = 3;
	ok = ok && !enl_ring_read_commit(&r) && r.stats.corrupt == 1 &&
	     s.ctl->read_index == r.priv_read;
	tap_ok(ok, "corrupt write_index at commit: no signal, counted");
	shm_fini(&s);
}

/* Descriptor fields a lying writer can set, relative to a sane packet. */
static void test_corrupt_desc(void)
{
	struct enl_ring w, r;
	struct enl_ring_pkt pkt;
	static __u8 buf[PG];
	struct shm s;
	__u32 pos, bad = 0, cases = 0, k;
	bool sig;

	shm_init(&s, PG);
	/* Each case at a plain position and with the descriptor wrapped. */
	for (pos = 0; pos < PG; pos += PG - 8) {
		for (k = 0; k < 10; k++) {
			struct enl_vmpacket_descriptor d;
			__u32 second = (pos + 8) % PG;

			pair_at(&s, &w, &r, pos);
			if (put(&w, 7, 40, &sig))
				abort();
			/* The descriptor may straddle the end: copy both halves. */
			memcpy(&d, s.data + pos, 8);
			memcpy((__u8 *)&d + 8, s.data + second, 8);
			switch (k) {
			case 0: d.len8 = 0; break;
			case 1: d.len8 = 1; break;
			case 2: d.offset8 = 0; break;
			case 3: d.offset8 = 1; break;
			case 4: d.offset8 = d.len8 + 1; break;
			case 5: d.len8 += 1; break;	/* eats the trailer */
			case 6: d.len8 = 0xffff; break;
			case 7: d.len8 = PG / 8; break;
			case 8: s.ctl->write_index = (pos + 8) % PG; break;
			case 9: s.ctl->write_index = (pos + 16) % PG; break;
			}
			memcpy(s.data + pos, &d, 8);
			memcpy(s.data + second, (__u8 *)&d + 8, 8);
			cases++;
			if (!EXPECT_EIO(&s, &r, enl_ring_peek(&r, &pkt)) ||
			    !EXPECT_EIO(&s, &r, enl_ring_read(&r, buf, sizeof(buf), &pkt))) {
				tap_diag("descriptor case %u at %u not rejected", k, pos);
				bad++;
			}
		}
	}
	tap_ok(!bad, "corrupt descriptors: %u cases rejected with -EIO, memory untouched",
	       cases);
	shm_fini(&s);
}

/*
 * A ring of valid packets with random damage (descriptor fields, random
 * bytes, indices): whatever the ring returns, it must not touch memory
 * outside the ring (guard pages), must not write on errors, and a drain
 * must end.
 */
static void fuzz_damage(struct shm *s, __u64 *x, const __u32 *starts, __u32 n)
{
	__u64 v = splitmix(x);
	__u32 at = starts[(v >> 8) % n], field = (__u32)(v >> 16) & 0xffff;

	switch (v & 7) {
	case 0:		/* offset8 */
		memcpy(s->data + at + 2, &field, 2);
		break;
	case 1:		/* len8: mostly small lies */
		field = (v & 8) ? field : field % 64;
		memcpy(s->data + at + 4, &field, 2);
		break;
	case 2:		/* any byte */
		s->data[(v >> 32) % s->size] = (__u8)(v >> 24);
		break;
	case 3:		/* write_index: aligned or not, in range or not */
		s->ctl->write_index = (v & 8) ? (__u32)(v >> 32) :
				      ((__u32)(v >> 32) % s->size) & ~7u;
		break;
	case 4:		/* read_index */
		s->ctl->read_index = (v & 8) ? (__u32)(v >> 32) :
				     ((__u32)(v >> 32) % s->size) & ~7u;
		break;
	default:	/* leave this one alone */
		break;
	}
}

static void test_fuzz(void)
{
	static __u8 buf[PG];
	struct enl_ring w, r;
	struct enl_ring_pkt pkt;
	struct shm s;
	__u64 x = 42;
	__u32 iter, bad = 0, pkts = 0, errs = 0;
	bool sig;

	shm_init(&s, PG);
	for (iter = 0; iter < 20000; iter++) {
		__u32 starts[32], n = 0, steps = 0, k;
		int err;

		pair_at(&s, &w, &r, ((__u32)splitmix(&x) % PG) & ~7u);
		pattern(splitmix(&x), s.data, PG);
		while (n < 32) {
			starts[n] = w.priv_write;
			if (put(&w, n, (__u32)splitmix(&x) % 300, &sig))
				break;
			n++;
		}
		for (k = 0; k < 1 + iter % 3 && n; k++)
			fuzz_damage(&s, &x, starts, n);
		if (enl_ring_init(&r, s.ctl, s.data, PG)) {
			errs++;
			continue;
		}
		shm_snap(&s);
		while ((err = enl_ring_read(&r, buf, sizeof(buf), &pkt)) > 0) {
			pkts++;
			if (pkt.len < DESC || pkt.hdr_len < DESC ||
			    pkt.hdr_len > pkt.len)
				bad++;
			/* Each packet takes at least 24 bytes of the ring. */
			if (++steps > PG / 24) {
				bad++;
				break;
			}
		}
		if (!shm_same(&s))
			bad++;
		if (err != -EAGAIN && err != -EIO)
			bad++;
		errs += err == -EIO;
		enl_ring_read_commit(&r);
		/* A writer facing whatever read_index is left. */
		shm_snap(&s);
		w = r;
		err = put(&w, 99, (__u32)splitmix(&x) % PG, &sig);
		if (err && !shm_same(&s))
			bad++;
	}
	tap_ok(!bad, "fuzz: 20000 damaged rings, %u packets parsed, %u rejected, no stray access",
	       pkts, errs);
	shm_fini(&s);
}

static void test_signals(void)
{
	struct enl_ring w, r;
	struct enl_ring_pkt pkt;
	struct shm s;
	bool sig1 = false, sig2 = true, sig3 = false;
	__u32 want, n, i, hits, first;
	int ok;

	shm_init(&s, PG);
	pair_at(&s, &w, &r, 0);
	ok = put(&w, 1, 10, &sig1) == 0 && put(&w, 2, 10, &sig2) == 0 &&
	     sig1 && !sig2 && w.stats.signals == 1;
	tap_ok(ok, "signal: only on empty -> non-empty");

	ok = get(&r, 1, 10) && get(&r, 2, 10) && !enl_ring_read_commit(&r) &&
	     put(&w, 3, 10, &sig3) == 0 && sig3;
	tap_ok(ok, "signal: again once the reader drained and committed");

	ok = get(&r, 3, 10) && put(&w, 4, 10, &sig1) == 0 && !sig1;
	tap_ok(ok, "signal: not while the reader has consumed but not committed");
	enl_ring_read_commit(&r);
	ok = get(&r, 4, 10);
	enl_ring_read_commit(&r);

	enl_ring_intr_mask(&r);
	ok = ok && s.ctl->interrupt_mask == 1 && put(&w, 5, 10, &sig1) == 0 &&
	     !sig1 && enl_ring_intr_unmask(&r) && s.ctl->interrupt_mask == 0;
	tap_ok(ok, "mask: no signal while masked; unmask reports the new data");
	enl_ring_intr_mask(&r);
	ok = get(&r, 5, 10) && enl_ring_peek(&r, &pkt) == -EAGAIN;
	enl_ring_read_commit(&r);
	ok = ok && !enl_ring_intr_unmask(&r) && put(&w, 6, 10, &sig1) == 0 &&
	     sig1;
	tap_ok(ok, "mask: unmask on an empty ring says sleep; next write signals");
	ok = get(&r, 6, 10);
	enl_ring_read_commit(&r);

	/* pending_send_sz: fill with 136-byte packets, block on a 1 KiB one. */
	n = 0;
	while (put(&w, 100 + n, 120, &sig1) == 0)
		n++;
	want = enl_ring_pkt_size(DESC + 1000);
	ok = ok && !enl_ring_set_pending_send(&w, want) &&
	     s.ctl->pending_send_sz == want;
	hits = 0;
	first = 0;
	for (i = 0; i < n; i++) {
		__u32 before = enl_ring_bytes_to_write(&w);

		ok = ok && get(&r, 100 + i, 120);
		if (enl_ring_read_commit(&r)) {
			hits++;
			if (!(before <= want && enl_ring_bytes_to_write(&w) > want))
				ok = 0;
			first = i;
		}
	}
	ok = ok && hits == 1 && put(&w, 7, 1000, &sig1) == 0;
	tap_ok(ok, "pending_send_sz: exactly one signal, when free space crosses it (packet %u of %u)",
	       first, n);
	enl_ring_set_pending_send(&w, 0);
	ok = get(&r, 7, 1000);
	enl_ring_read_commit(&r);

	/* One batched commit crossing the threshold signals too. */
	n = 0;
	while (put(&w, 200 + n, 120, &sig1) == 0)
		n++;
	enl_ring_set_pending_send(&w, want);
	for (i = 0; i < n; i++)
		ok = ok && get(&r, 200 + i, 120);
	ok = ok && enl_ring_read_commit(&r) && !enl_ring_read_commit(&r);
	tap_ok(ok, "pending_send_sz: a batched commit that crosses it signals once");
	ok = enl_ring_set_pending_send(&w, want);
	tap_ok(ok, "pending_send_sz: setting it when there is room says retry");

	/* Without the feature bit, or without a request, nobody signals. */
	s.ctl->feature_bits = 0;
	n = 0;
	while (put(&w, 300 + n, 120, &sig1) == 0)
		n++;
	enl_ring_set_pending_send(&w, want);
	hits = 0;
	for (i = 0; i < n; i++) {
		ok = ok && get(&r, 300 + i, 120);
		hits += enl_ring_read_commit(&r);
	}
	s.ctl->feature_bits = ENL_RING_FEAT_PENDING_SEND_SZ;
	enl_ring_set_pending_send(&w, 0);
	n = 0;
	while (put(&w, 400 + n, 120, &sig1) == 0)
		n++;
	for (i = 0; i < n; i++) {
		ok = ok && get(&r, 400 + i, 120);
		hits += enl_ring_read_commit(&r);
	}
	tap_ok(ok && !hits, "pending_send_sz: no signal without the feature bit or a request");
	shm_fini(&s);
}

static void test_batching(void)
{
	static __u8 buf[256];
	struct enl_ring w, r;
	struct enl_ring_pkt pkt;
	struct shm s;
	__u32 i, free0, toread0;
	bool sig;
	int ok = 1;

	shm_init(&s, PG);
	pair_at(&s, &w, &r, PG - 64);
	for (i = 0; i < 10; i++)
		ok = ok && put(&w, i, 8 * i + 3, &sig) == 0;
	free0 = enl_ring_bytes_to_write(&w);
	toread0 = enl_ring_bytes_to_read(&r);
	for (i = 0; i < 5; i++)
		ok = ok && get(&r, i, 8 * i + 3);
	ok = ok && s.ctl->read_index == PG - 64 &&
	     enl_ring_bytes_to_write(&w) == free0 &&
	     enl_ring_bytes_to_read(&r) < toread0 && r.stats.packets == 5;
	tap_ok(ok, "batch: reads move only the private index");

	enl_ring_read_commit(&r);
	ok = s.ctl->read_index == r.priv_read &&
	     enl_ring_bytes_to_write(&w) == free0 + (toread0 -
			enl_ring_bytes_to_read(&r));
	tap_ok(ok, "batch: one commit frees all consumed packets");

	/* Peek, partial copies and a too-short buffer. */
	ok = enl_ring_peek(&r, &pkt) == 0 && pkt.len == 64 &&
	     enl_ring_read(&r, buf, 63, &pkt) == -ENOBUFS && pkt.len == 64 &&
	     enl_ring_copy(&r, &pkt, 60, buf, 5) == -EINVAL &&
	     enl_ring_copy(&r, &pkt, 65, buf, 0) == -EINVAL &&
	     enl_ring_copy(&r, &pkt, 64, buf, 0) == 0;
	tap_ok(ok, "read: -ENOBUFS keeps the packet, copy bounds checked");

	/* The peer rewrites the descriptor after peek: copy keeps the old one. */
	s.data[pkt.pos + 4] = 0xff;
	ok = enl_ring_copy(&r, &pkt, 2, buf, 6) == 0 &&
	     buf[0] == 2 && buf[2] == 8 && buf[3] == 0;
	s.data[pkt.pos + 4] = 8;
	enl_ring_skip(&r, &pkt);
	for (i = 6; i < 10; i++)
		ok = ok && get(&r, i, 8 * i + 3);
	ok = ok && enl_ring_peek(&r, &pkt) == -EAGAIN;
	tap_ok(ok, "read: descriptor copied from the validated peek");
	shm_fini(&s);
}

static void test_raw(void)
{
	static __u8 buf[512];
	struct {
		struct enl_vmdata_gpa_direct h;
		struct enl_gpa_page_range range[2];
	} ENL_PACKED gpa = { 0 };
	struct enl_vmtransfer_page_packet_header *xfer;
	struct enl_vmtransfer_page_range *xr;
	struct enl_ring_iov iov[2];
	struct enl_ring w, r;
	struct enl_ring_pkt pkt;
	struct shm s;
	const char msg[] = "storvsc request";
	bool sig;
	int ok;

	shm_init(&s, PG);
	pair_at(&s, &w, &r, PG - 16);
	gpa.h.d.type = ENL_VMPKT_DATA_USING_GPA_DIRECT;
	gpa.h.d.offset8 = sizeof(gpa) / 8;
	gpa.h.d.len8 = 0x1234;	/* the ring fills it in */
	gpa.h.d.flags = ENL_VMPKT_FLAG_COMPLETION_REQUESTED;
	gpa.h.d.trans_id = 0xdeadbeefcafeull;
	gpa.h.range_cnt = 2;
	gpa.range[0] = (struct enl_gpa_page_range){ 4096, 0, 0x1000 };
	gpa.range[1] = (struct enl_gpa_page_range){ 100, 12, 0x2000 };
	iov[0] = (struct enl_ring_iov){ &gpa, sizeof(gpa) };
	iov[1] = (struct enl_ring_iov){ msg, sizeof(msg) };
	ok = enl_ring_write_raw(&w, iov, 2, &sig) == 0 && sig &&
	     enl_ring_read(&r, buf, sizeof(buf), &pkt) ==
		(int)((sizeof(gpa) + sizeof(msg) + 7) & ~7u) &&
	     pkt.type == ENL_VMPKT_DATA_USING_GPA_DIRECT &&
	     pkt.hdr_len == sizeof(gpa) && pkt.trans_id == gpa.h.d.trans_id &&
	     !memcmp(buf + 16, (__u8 *)&gpa + 16, sizeof(gpa) - 16) &&
	     !memcmp(buf + pkt.hdr_len, msg, sizeof(msg));
	tap_ok(ok, "raw: GPA-direct packet with two ranges round-trips across the wrap");

	xfer = (void *)buf;
	memset(buf, 0, sizeof(buf));
	xfer->d.type = ENL_VMPKT_DATA_USING_XFER_PAGES;
	xfer->d.offset8 = (sizeof(*xfer) + sizeof(*xr)) / 8;
	xfer->xfer_pageset_id = 0xcafe;
	xfer->range_cnt = 1;
	xr = (void *)(buf + sizeof(*xfer));
	xr->byte_count = 1514;
	xr->byte_offset = 4096;
	iov[0] = (struct enl_ring_iov){ buf, sizeof(*xfer) + sizeof(*xr) };
	ok = enl_ring_write_raw(&w, iov, 1, &sig) == 0 &&
	     enl_ring_read(&r, buf + 256, 256, &pkt) == 32 &&
	     pkt.type == ENL_VMPKT_DATA_USING_XFER_PAGES &&
	     pkt.hdr_len == 32 && !memcmp(buf + 256 + 16, buf + 16, 16);
	tap_ok(ok, "raw: transfer-page header round-trips");

	shm_snap(&s);
	xfer->d.offset8 = 1;
	ok = enl_ring_write_raw(&w, iov, 1, &sig) == -EINVAL;
	xfer->d.offset8 = 5;
	ok = ok && enl_ring_write_raw(&w, iov, 1, &sig) == -EINVAL;
	iov[0].len = 15;
	ok = ok && enl_ring_write_raw(&w, iov, 1, &sig) == -EINVAL &&
	     enl_ring_write_raw(&w, iov, 0, &sig) == -EINVAL && shm_same(&s);
	tap_ok(ok, "raw: bad offset8 or short descriptor is -EINVAL, ring untouched");
	shm_fini(&s);
}

/*
 * Stress: a producer and a consumer thread over one ring, sleeping on
 * semaphores that stand in for the two directions of VMBus signals. A lost
 * wakeup shows up as a timeout, a bad index or copy as a pattern mismatch.
 */
#define STRESS_PKTS	300000u
#define STRESS_SIZE	(64u * 1024)
#define STRESS_TIMEOUT	5

struct stress {
	struct shm s;
	struct enl_ring w, r;
	sem_t data, space;
	int stuck, bad;
	__u64 waits_data, waits_space;
};

static __u32 stress_len(__u32 seq)
{
	__u64 x = seq * 0x2545f4914f6cdd1dull;
	__u64 v = splitmix(&x);

	return (v & 31) ? (__u32)(v >> 32) % 600 : (__u32)(v >> 32) % 12000;
}

static int stress_wait(struct stress *st, sem_t *sem)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += STRESS_TIMEOUT;
	while (sem_timedwait(sem, &ts)) {
		if (errno != EINTR) {
			__atomic_store_n(&st->stuck, 1, __ATOMIC_RELAXED);
			return -1;
		}
	}
	return __atomic_load_n(&st->stuck, __ATOMIC_RELAXED) ? -1 : 0;
}

static void *stress_producer(void *arg)
{
	static __u8 buf[16384];
	struct stress *st = arg;
	__u32 seq;

	for (seq = 0; seq < STRESS_PKTS; seq++) {
		__u32 len = stress_len(seq);
		struct enl_ring_iov iov = { buf, len };
		bool sig, pending = false;
		int err;

		pattern(seq, buf, len);
		while ((err = enl_ring_write(&st->w, ENL_VMPKT_DATA_INBAND, 0,
					     seq, &iov, 1, &sig)) == -EAGAIN) {
			pending = true;
			if (enl_ring_set_pending_send(&st->w,
						      enl_ring_pkt_size(DESC + len)))
				continue;
			st->waits_space++;
			if (stress_wait(st, &st->space))
				return NULL;
		}
		if (err) {
			st->bad++;
			return NULL;
		}
		if (pending)
			enl_ring_set_pending_send(&st->w, 0);
		if (sig)
			sem_post(&st->data);
	}
	return NULL;
}

static int stress_check(__u32 seq, const __u8 *pkt,
			const struct enl_ring_pkt *d, __u8 *want)
{
	__u32 len = stress_len(seq);

	if (d->trans_id != seq || d->len != ((DESC + len + 7) & ~7u) ||
	    d->hdr_len != DESC || d->type != ENL_VMPKT_DATA_INBAND)
		return 0;
	pattern(seq, want, len);
	return !memcmp(pkt + DESC, want, len) &&
	       all_zero(pkt + DESC + len, d->len - DESC - len);
}

static void *stress_consumer(void *arg)
{
	static __u8 buf[16384], want[16384];
	struct stress *st = arg;
	struct enl_ring_pkt pkt;
	__u32 seq = 0;
	int n;

	while (seq < STRESS_PKTS) {
		enl_ring_intr_mask(&st->r);
		while ((n = enl_ring_read(&st->r, buf, sizeof(buf), &pkt)) > 0) {
			if (!stress_check(seq, buf, &pkt, want)) {
				st->bad++;
				return NULL;
			}
			/* Commit in batches of 8 to mix both paths. */
			if (!(++seq & 7) && enl_ring_read_commit(&st->r))
				sem_post(&st->space);
		}
		if (n != -EAGAIN) {
			st->bad++;
			return NULL;
		}
		if (enl_ring_read_commit(&st->r))
			sem_post(&st->space);
		if (enl_ring_intr_unmask(&st->r) || seq >= STRESS_PKTS)
			continue;
		st->waits_data++;
		if (stress_wait(st, &st->data))
			return NULL;
	}
	return NULL;
}

static void test_stress(void)
{
	struct stress st = { 0 };
	pthread_t prod, cons;
	struct timespec t0, t1;
	int ok;

	shm_init(&st.s, STRESS_SIZE);
	pair_at(&st.s, &st.w, &st.r, 0);
	sem_init(&st.data, 0, 0);
	sem_init(&st.space, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_create(&cons, NULL, stress_consumer, &st);
	pthread_create(&prod, NULL, stress_producer, &st);
	pthread_join(prod, NULL);
	pthread_join(cons, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	tap_diag("stress: %.2f s, %llu full, %llu/%llu signals w/r, %llu/%llu sleeps on data/space",
		 (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		 (unsigned long long)st.w.stats.full,
		 (unsigned long long)st.w.stats.signals,
		 (unsigned long long)st.r.stats.signals,
		 (unsigned long long)st.waits_data,
		 (unsigned long long)st.waits_space);
	tap_ok(!st.stuck, "stress: no lost wakeup (no %d s wait)", STRESS_TIMEOUT);
	ok = !st.bad && st.w.stats.packets == STRESS_PKTS &&
	     st.r.stats.packets == STRESS_PKTS &&
	     st.w.stats.bytes == st.r.stats.bytes &&
	     !st.w.stats.corrupt && !st.r.stats.corrupt;
	tap_ok(ok, "stress: %u packets of random sizes, every byte checked",
	       STRESS_PKTS);
	tap_ok(st.w.stats.full > 0 && st.r.stats.signals > 0,
	       "stress: the ring filled up and pending_send_sz woke the writer");
	sem_destroy(&st.data);
	sem_destroy(&st.space);
	shm_fini(&st.s);
}

int main(void)
{
	static const __u32 lens[] = { 0, 1, 7, 8, 9, 100, 1000, 2049, PG - 32 };
	__u32 i;

	test_init();
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		test_wrap(PG, lens[i]);
	test_wrap(3 * PG, 5000);
	test_wrap(3 * PG, 3 * PG - 32);
	test_full_empty();
	test_oversize();
	test_corrupt_indices();
	test_corrupt_desc();
	test_fuzz();
	test_signals();
	test_batching();
	test_raw();
	test_stress();
	return tap_done();
}
