/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /proc/self/mountinfo as a table. The path is a parameter so tests feed
 * their own mount tables; nothing here touches a file system beyond reading
 * that one file.
 */
#ifndef ENL_VSS_MOUNTINFO_H
#define ENL_VSS_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>

#define ENL_MOUNTINFO_DEFAULT	"/proc/self/mountinfo"

struct enl_mount {
	int id, parent;
	unsigned int major, minor;	/* the superblock's device */
	char *root;			/* path inside the file system */
	char *target;			/* mount point, unescaped */
	char *opts;			/* per-mount options */
	char *fstype;
	char *source;
	char *super_opts;		/* superblock options */
};

struct enl_mount_table {
	struct enl_mount *v;
	size_t n;
	unsigned int bad_lines;		/* skipped as malformed */
	char *buf;			/* every string of v[] points into it */
};

/* Parse text (len bytes, need not be NUL-terminated): 0 or -ENOMEM. */
int enl_mountinfo_parse(const char *text, size_t len,
			struct enl_mount_table *t);
/* Read and parse path (ENL_MOUNTINFO_DEFAULT when NULL): 0 or -errno. */
int enl_mountinfo_load(const char *path, struct enl_mount_table *t);
void enl_mount_table_free(struct enl_mount_table *t);

/* Whether the comma-separated option list holds opt exactly. */
bool enl_mount_has_opt(const char *opts, const char *opt);

#endif /* ENL_VSS_MOUNTINFO_H */
