/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading sysfs (and the few other files enl-status needs) below a root
 * directory: "/" on a live system, a fake tree in the tests. Every read is
 * bounded; links are resolved only inside the root.
 */
#ifndef ENL_STATUS_SYSFS_H
#define ENL_STATUS_SYSFS_H

#include <glib.h>

/* The longest attribute read: sysfs never shows more than a page. */
#define SYS_ATTR_MAX 4096

/* root + "/" + printf(fmt); free with g_free. */
char *sys_path(const char *root, const char *fmt, ...)
	G_GNUC_PRINTF(2, 3);

/* The file's text up to the first newline or NUL, at most SYS_ATTR_MAX
 * bytes; NULL when it cannot be read. */
char *sys_read(const char *path);

/* sys_read(root + "/" + printf(fmt)). */
char *sys_attr(const char *root, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* The last component of a symlink's target ("ata_piix" for .../driver);
 * NULL when path is not a link. */
char *sys_link_name(const char *path);

/* realpath(path), or NULL when it does not exist or leaves root. */
char *sys_resolve(const char *root, const char *path);

/* Entry names of a directory, sorted; empty when it cannot be read. */
GPtrArray *sys_list(const char *dir);

/* An unsigned decimal attribute; FALSE when absent or not a number. */
gboolean sys_parse_u64(const char *text, guint64 *v);

#endif
