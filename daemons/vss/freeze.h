/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Freeze the file systems of a plan in order and thaw them in reverse. The
 * ioctls sit behind ops so the unit tests run the same sequencing against a
 * fake and never freeze the machine they run on.
 */
#ifndef ENL_VSS_FREEZE_H
#define ENL_VSS_FREEZE_H

#include <stddef.h>

#include "fsplan.h"

struct enl_freeze_ops {
	/* 0 or -errno; thaw returns -EINVAL for "was not frozen" */
	int (*freeze)(void *ctx, const char *path);
	int (*thaw)(void *ctx, const char *path);
	void *ctx;
};

/* FIFREEZE / FITHAW on the mount point. */
extern const struct enl_freeze_ops enl_freeze_ioctl_ops;

/*
 * Freeze p->v[0..n) in order. On success *n_frozen == p->n and 0. On the
 * first failure everything already frozen is thawed (reverse order),
 * *n_frozen is 0 and the -errno of the failure returns; *failed names it.
 */
int enl_freeze_all(const struct enl_freeze_plan *p,
		   const struct enl_freeze_ops *ops, size_t *n_frozen,
		   const char **failed);

/*
 * Thaw p->v[0..n_frozen) in reverse. "Not frozen" is not an error (someone
 * thawed it already); every target is tried. 0, or the first -errno.
 */
int enl_thaw_all(const struct enl_freeze_plan *p, size_t n_frozen,
		 const struct enl_freeze_ops *ops);

#endif /* ENL_VSS_FREEZE_H */
