// SPDX-License-Identifier: GPL-2.0-only
/* Background command chains for IP applies (applyjob.h). */
#include "applyjob.h"

#include <errno.h>
#include <signal.h>
#include <glib.h>

#include "log.h"

struct job {
	struct enl_kvp_apply_stats *st;
	char *what;
	GPtrArray *argvs;	/* of char ** (g_strfreev) */
	guint step;
	unsigned int timeout_ms;
	GPid pid;
	guint timer;
	bool timed_out;
};

static void job_free(struct job *j)
{
	j->st->running--;
	g_ptr_array_unref(j->argvs);
	g_free(j->what);
	g_free(j);
}

static int spawn_step(struct job *j);

static gboolean on_timeout(gpointer data)
{
	struct job *j = data;

	/* The child watch still reaps it and ends the job. */
	j->timed_out = true;
	j->timer = 0;
	kill(j->pid, SIGKILL);
	return G_SOURCE_REMOVE;
}

static void job_exited(GPid pid, gint status, gpointer data)
{
	struct job *j = data;
	struct enl_kvp_apply_stats *st = j->st;
	char **argv = j->argvs->pdata[j->step];
	GError *err = NULL;
	bool ok = !j->timed_out && g_spawn_check_wait_status(status, &err);

	g_spawn_close_pid(pid);
	if (j->timer)
		g_source_remove(j->timer);
	j->timer = 0;
	if (ok && ++j->step < j->argvs->len && spawn_step(j) == 0)
		return;
	if (ok && j->step >= j->argvs->len) {
		j->st->ok++;
		enl_notice("kvp: %s: applied", j->what);
	} else if (j->timed_out) {
		j->st->timed_out++;
		enl_warn("kvp: %s: %s killed after %u s", j->what, argv[0],
			 j->timeout_ms / 1000);
	} else {
		j->st->failed++;
		enl_warn("kvp: %s: %s failed: %s", j->what, argv[0],
			 err ? err->message : "could not start the next step");
	}
	g_clear_error(&err);
	job_free(j);
	if (st->changed)
		st->changed(st);
}

static int spawn_step(struct job *j)
{
	char **argv = j->argvs->pdata[j->step];
	GError *err = NULL;

	if (!g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
			   G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, &j->pid,
			   &err)) {
		enl_warn("kvp: %s: cannot run %s: %s", j->what, argv[0],
			 err->message);
		g_error_free(err);
		return -ENOEXEC;
	}
	g_child_watch_add(j->pid, job_exited, j);
	j->timer = g_timeout_add(j->timeout_ms, on_timeout, j);
	return 0;
}

int enl_kvp_apply_start(struct enl_kvp_apply_stats *st, const char *what,
			char *const *const argvs[], unsigned int timeout_ms)
{
	struct job *j = g_new0(struct job, 1);
	int ret;

	j->st = st;
	j->what = g_strdup(what);
	j->timeout_ms = timeout_ms ? timeout_ms : 1;
	j->argvs = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	for (size_t i = 0; argvs[i]; i++)
		g_ptr_array_add(j->argvs, g_strdupv((char **)argvs[i]));
	st->running++;
	if (!j->argvs->len) {
		job_free(j);
		return -EINVAL;
	}
	ret = spawn_step(j);
	if (ret) {
		st->failed++;
		job_free(j);
		return ret;
	}
	st->started++;
	return 0;
}
