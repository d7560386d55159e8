/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the libFuzzer targets in tests/fuzz share: the record format their
 * inputs are cut into, a private temp directory removed at exit, silent
 * logging, and the seed writer run.sh calls. Header-only, one per target.
 *
 * Input of every target: a few setup bytes, then records
 *	[op][a][off lo][off hi][len][len bytes]
 * op picks what happens (op & 3) and carries flags (op >> 2); a, off and
 * the bytes are its arguments. A record cut short by the end of the input
 * takes what is left.
 */
#ifndef ENL_FUZZ_H
#define ENL_FUZZ_H

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

struct rec {
	uint8_t op, a;
	uint16_t off;
	const uint8_t *p;
	size_t len;
};

#define REC_HDR	5

static inline bool rec_next(const uint8_t **data, size_t *size, struct rec *r)
{
	const uint8_t *d = *data;
	size_t n;

	if (*size < REC_HDR)
		return false;
	r->op = d[0];
	r->a = d[1];
	r->off = (uint16_t)(d[2] | d[3] << 8);
	n = d[4];
	if (n > *size - REC_HDR)
		n = *size - REC_HDR;
	r->p = d + REC_HDR;
	r->len = n;
	*data += REC_HDR + n;
	*size -= REC_HDR + n;
	return true;
}

/* A broken invariant: say which and crash, so libFuzzer keeps the input. */
#define FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

static void fuzz_silent_glib(const gchar *domain, GLogLevelFlags level,
			     const gchar *msg, gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

/* g_warning/g_message of the code under test go nowhere. */
static inline void fuzz_quiet_glib(void)
{
	g_log_set_default_handler(fuzz_silent_glib, NULL);
}

/* ---- The private temp directory --------------------------------------- */

static char *fuzz_tmp;

static int fuzz_rm_one(const char *path, const struct stat *sb, int flag,
		       struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static inline void fuzz_rm_rf(const char *dir)
{
	nftw(dir, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fuzz_tmp_cleanup(void)
{
	if (fuzz_tmp)
		fuzz_rm_rf(fuzz_tmp);
	g_free(fuzz_tmp);
	fuzz_tmp = NULL;
}

/*
 * A fresh directory under $TMPDIR (run.sh points that at a directory of
 * its own, on tmpfs when there is one), removed when the process exits.
 */
static inline const char *fuzz_tmpdir(const char *name)
{
	char *tmpl;

	if (fuzz_tmp)
		return fuzz_tmp;
	tmpl = g_strdup_printf("enl-%s-XXXXXX", name);
	fuzz_tmp = g_dir_make_tmp(tmpl, NULL);
	g_free(tmpl);
	if (!fuzz_tmp) {
		perror("fuzz: temp dir");
		abort();
	}
	atexit(fuzz_tmp_cleanup);
	return fuzz_tmp;
}

/* ---- Seeds ------------------------------------------------------------ */

/*
 * Seed inputs are built with these and written by the target itself when
 * run.sh starts it with ENL_FUZZ_WRITE_SEEDS=<dir> (see seeds() in each
 * target), so the seeds always match the input format of the binary.
 */
static inline void seed_rec(GByteArray *s, uint8_t op, uint8_t a, uint16_t off,
			    const void *p, size_t len)
{
	uint8_t h[REC_HDR] = { op, a, (uint8_t)off, (uint8_t)(off >> 8),
			       (uint8_t)(len > 255 ? 255 : len) };

	g_byte_array_append(s, h, sizeof(h));
	if (len)
		g_byte_array_append(s, p, h[4]);
}

static inline void seed_write(const char *dir, const char *name, GByteArray *s)
{
	char *path = g_build_filename(dir, name, NULL);

	if (!g_file_set_contents(path, (const char *)s->data, s->len, NULL)) {
		fprintf(stderr, "fuzz: cannot write seed %s\n", path);
		exit(1);
	}
	g_free(path);
	g_byte_array_set_size(s, 0);
}

/*
 * dst[i] = p[i % len] for i < n (zeros when len is 0), by doubling copies:
 * a byte loop (up to 64 KiB a record, each compare traced for coverage)
 * took most of a target's time.
 */
static inline void fuzz_repeat(uint8_t *dst, size_t n, const uint8_t *p,
			       size_t len)
{
	size_t have = len < n ? len : n;

	if (!len) {
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, p, have);
	while (have < n) {
		size_t k = have < n - have ? have : n - have;

		memcpy(dst + have, dst, k);
		have += k;
	}
}

/*
 * A raw-packet record: its bytes as they are or, with op bit 0x10, repeated
 * to off % bigsz bytes (long and oversize packets from short inputs).
 */
static inline void fuzz_raw(const struct rec *r, uint8_t *big, size_t bigsz,
			    void (*deliver)(const void *pkt, size_t len))
{
	size_t n;

	if (!(r->op & 0x10)) {
		deliver(r->p, r->len);
		return;
	}
	n = r->off % bigsz;
	fuzz_repeat(big, n, r->p, r->len);
	deliver(big, n);
}

/* LLVMFuzzerInitialize that writes the seeds and exits when asked to. */
#define FUZZ_INITIALIZE_WITH_SEEDS(seeds_fn)				\
int LLVMFuzzerInitialize(int *argc, char ***argv);			\
int LLVMFuzzerInitialize(int *argc, char ***argv)			\
{									\
	(void)argc;							\
	(void)argv;							\
	FUZZ_SEEDS_ON_REQUEST(seeds_fn);				\
	return 0;							\
}

/* In LLVMFuzzerInitialize: write the seeds and exit when asked to. */
#define FUZZ_SEEDS_ON_REQUEST(seeds_fn) do {				\
	const char *dir_ = getenv("ENL_FUZZ_WRITE_SEEDS");		\
	if (dir_ && *dir_) {						\
		GByteArray *s_ = g_byte_array_new();			\
		g_mkdir_with_parents(dir_, 0700);			\
		seeds_fn(dir_, s_);					\
		g_byte_array_unref(s_);					\
		exit(0);						\
	}								\
} while (0)

#endif /* ENL_FUZZ_H */
