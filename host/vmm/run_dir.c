// SPDX-License-Identifier: GPL-2.0-only
/* enl-host's run directory: made per run, swept when its owner died. */
#include "run_dir.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define PREFIX	"enl-host-"

char *enl_run_dir_new(GError **error)
{
	g_autofree char *tmpl = g_strdup_printf(PREFIX "%d-XXXXXX",
						(int)getpid());

	return g_dir_make_tmp(tmpl, error);
}

/* "enl-host-<pid>-XXXXXX" of a process that no longer exists. */
static bool owner_dead(const char *name)
{
	const char *p = name + strlen(PREFIX);
	char *end;
	long pid;

	errno = 0;
	pid = strtol(p, &end, 10);
	if (errno || end == p || *end != '-' || strlen(end) != 7 || pid <= 1)
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Remove dir if it holds only sockets; true when it is gone. */
static bool remove_sockets_dir(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *e;

	if (!d)
		return false;
	while ((e = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, e, NULL);
		struct stat st;

		if (lstat(p, &st) < 0 || !S_ISSOCK(st.st_mode))
			return false;
		unlink(p);
	}
	return g_rmdir(dir) == 0;
}

unsigned int enl_run_dir_sweep_in(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	unsigned int n = 0;
	const char *e;

	if (!d)
		return 0;
	while ((e = g_dir_read_name(d))) {
		g_autofree char *p = NULL;
		struct stat st;

		if (!g_str_has_prefix(e, PREFIX) || !owner_dead(e))
			continue;
		p = g_build_filename(dir, e, NULL);
		if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid())
			continue;
		n += remove_sockets_dir(p);
	}
	return n;
}

unsigned int enl_run_dir_sweep(void)
{
	return enl_run_dir_sweep_in(g_get_tmp_dir());
}
