/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's run directory ($TMPDIR/enl-host-<pid>-XXXXXX, mode 0700): the
 * sockets QEMU connects to. A live enl-host removes it as soon as QEMU is
 * connected and on every exit it gets to run; one killed before that (kill
 * -9 early in boot) is recognised by its dead pid and swept by the next.
 */
#ifndef ENL_HOST_RUN_DIR_H
#define ENL_HOST_RUN_DIR_H

#include <glib.h>

/* A fresh run directory, or NULL with error set. */
char *enl_run_dir_new(GError **error);

/*
 * Remove the run directories of dead enl-hosts of this user under
 * g_get_tmp_dir() (sockets only: anything else there is left alone).
 * Returns how many were removed.
 */
unsigned int enl_run_dir_sweep(void);
/* The same under dir (tests). */
unsigned int enl_run_dir_sweep_in(const char *dir);

#endif /* ENL_HOST_RUN_DIR_H */
