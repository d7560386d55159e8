/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Freeze hooks: executables in a directory (/etc/enlighten/vss.d) run in
 * name order with "freeze" before the freeze, and in reverse order with
 * "thaw" or "freezefail" after it, each under a timeout. The arguments are
 * ours, never strings from the host, and no shell is involved.
 */
#ifndef ENL_VSS_HOOKS_H
#define ENL_VSS_HOOKS_H

#include <stdbool.h>
#include <glib.h>

#define ENL_VSS_HOOKS_DIR	"/etc/enlighten/vss.d"

/* Run one hook: 0 when it exited 0, -ETIMEDOUT, -ECHILD (failed), -errno. */
typedef int (*enl_hook_run_fn)(void *ctx, const char *path, const char *arg,
			       unsigned int timeout_ms);

/* The real runner: posix_spawn, own process group, SIGKILL on timeout. */
int enl_hook_spawn(void *ctx, const char *path, const char *arg,
		   unsigned int timeout_ms);

/*
 * The hooks in dir in name order (C locale): regular executable files, not
 * hidden, not editor or package-manager leftovers. A missing dir is empty.
 * Returns an array of full paths (free with g_ptr_array_unref).
 */
GPtrArray *enl_hooks_list(const char *dir);

/*
 * Run hooks[0..n) with arg, in order or reversed. Stops at the first failure
 * when stop_on_error (freeze); otherwise runs all (thaw must reach every
 * hook). Returns the number that ran (the failing one included) in *ran,
 * and 0 or the first error; *failed names the hook that failed.
 */
int enl_hooks_run(GPtrArray *hooks, size_t n, const char *arg, bool reverse,
		  bool stop_on_error, enl_hook_run_fn run, void *ctx,
		  unsigned int timeout_ms, size_t *ran, const char **failed);

#endif /* ENL_VSS_HOOKS_H */
