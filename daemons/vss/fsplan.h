/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which mounts to freeze, and in which order. Freezable: local, block-backed,
 * read-write file systems, one mount per superblock. Order: a mount before
 * every mount it sits under, and a loop-backed file system before the one
 * holding its backing file, so root comes last and nothing we still have to
 * freeze ever waits on one already frozen. Thaw is the reverse. A mount
 * that no path reaches any more (over-mounted, or hidden under a mount on
 * one of its ancestors) is left out: its mount point would open another
 * file system.
 */
#ifndef ENL_VSS_FSPLAN_H
#define ENL_VSS_FSPLAN_H

#include <stddef.h>
#include <glib.h>

#include "mountinfo.h"

enum enl_fs_class {
	ENL_FS_LOCAL,
	ENL_FS_PSEUDO,		/* proc, sysfs, tmpfs, cgroup, overlay ... */
	ENL_FS_NETWORK,		/* nfs, cifs, ceph, 9p, fuse.* ... */
	ENL_FS_NOFREEZE,	/* local but without FIFREEZE support */
};

enum enl_fs_class enl_fs_classify(const char *fstype);

struct enl_fs_target {
	char *path;			/* mount point to open for the ioctl */
	unsigned int major, minor;
};

struct enl_freeze_plan {
	struct enl_fs_target *v;	/* in freeze order */
	size_t n;
	GPtrArray *skipped;		/* "path: reason", for logs and tests */
	GPtrArray *hidden;		/* the skipped that are hidden mounts */
	unsigned int cycles;		/* order constraints we had to break */
};

/*
 * Build the plan from t. sysfs is the sysfs mount ("/sys"; tests pass a
 * directory of their own) used to find loop devices' backing files; NULL
 * skips that ordering rule.
 */
void enl_freeze_plan_build(const struct enl_mount_table *t, const char *sysfs,
			   struct enl_freeze_plan *p);
void enl_freeze_plan_free(struct enl_freeze_plan *p);

#endif /* ENL_VSS_FSPLAN_H */
