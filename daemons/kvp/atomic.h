/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replace a file so that a crash at any instant leaves either the old or
 * the new content, never a mix: write a temporary file, fsync it, rename it
 * over the target, fsync the directory. Pools (store.c) and generated
 * network configuration (ipapply.c) both use it.
 */
#ifndef ENL_KVP_ATOMIC_H
#define ENL_KVP_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

/* The stages, in order; a crash test counts where it killed the writer. */
enum enl_kvp_stage {
	ENL_KVP_STAGE_TEMP_WRITE,	/* creating and writing the temp file */
	ENL_KVP_STAGE_FSYNC,		/* fsync of the temp file */
	ENL_KVP_STAGE_RENAME,		/* rename over the target */
	ENL_KVP_STAGE_DIR_FSYNC,	/* fsync of the directory */
	ENL_KVP_STAGE_DONE,		/* committed */
	ENL_KVP_STAGE_COUNT
};

/* Called as each stage begins; tests count and delay here. */
typedef void (*enl_kvp_stage_fn)(void *ctx, enum enl_kvp_stage stage);

struct enl_kvp_writer {
	enl_kvp_stage_fn stage;
	void *ctx;
};

/*
 * Atomically make dir_fd/name hold data[0..len) with mode. Leftover temp
 * files of an earlier crash are simply overwritten. 0 or -errno (the old
 * content is then intact; the temp file is removed when possible).
 */
int enl_kvp_atomic_write(int dir_fd, const char *name, const void *data,
			 size_t len, mode_t mode, const struct enl_kvp_writer *w);

const char *enl_kvp_stage_name(enum enl_kvp_stage s);

#endif /* ENL_KVP_ATOMIC_H */
