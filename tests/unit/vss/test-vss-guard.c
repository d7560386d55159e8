/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-vssd's thaw guard (daemons/vss/guard.c) for real: a forked child that
 * acts when its parent's pipe closes, its deadline passes or it is
 * signalled, notes why in the record, and holds no other descriptor. The
 * mounts are plain directories here: FITHAW on them is a harmless EINVAL.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "guard.h"
#include "tap.h"

static char *dirs[2];
static struct enl_fs_target targets[2];
static struct enl_freeze_plan plan = { .v = targets, .n = 2 };

static char *record_text(const char *record)
{
	char *text = NULL;

	g_file_get_contents(record, &text, NULL, NULL);
	return text ? text : g_strdup("");
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int main(void)
{
	g_autofree char *top = g_dir_make_tmp("enl-test-guard-XXXXXX", NULL);
	g_autofree char *record = g_build_filename(top, "run", "vssd.frozen",
						   NULL);
	g_autofree char *want = NULL;
	struct enl_vss_guard g;
	char why[96], *text;
	int pfd[2], r;

	for (int i = 0; i < 2; i++) {
		dirs[i] = g_strdup_printf("%s/m%d", top, i);
		g_mkdir_with_parents(dirs[i], 0700);
		targets[i].path = dirs[i];
	}
	want = g_strdup_printf("%s\n%s\n", dirs[0], dirs[1]);

	/* A descriptor of the daemon's (its channel) must not reach the guard. */
	r = pipe(pfd);
	tap_ok(r == 0 && enl_vss_guard_arm(&g, &plan, 60000, record) == 0 &&
	       g.pid > 0, "armed: a guard child runs");
	text = record_text(record);
	tap_ok(g_str_has_prefix(text, "frozen\n") && strstr(text, want),
	       "the record names what we freeze, before any FIFREEZE");
	g_free(text);
	close(pfd[1]);
	{
		char c;

		tap_ok(read(pfd[0], &c, 1) == 0,
		       "the guard holds none of the daemon's other descriptors");
	}
	close(pfd[0]);

	/* The daemon dies: its end of the pipe closes without a word. */
	close(g.wfd);
	reap(g.pid);
	text = record_text(record);
	tap_ok(g_str_has_prefix(text, "thawed-by-guard daemon-gone\n") &&
	       strstr(text, want), "daemon gone: the guard thawed and noted why");
	g_free(text);
	r = enl_vss_guard_recover(record, why, sizeof(why));
	tap_ok(r == 1 && strstr(why, "thawed by guard (daemon-gone)") &&
	       !g_file_test(record, G_FILE_TEST_EXISTS),
	       "the next enl-vssd learns it, the record goes (%s)", why);
	g_free(g.record);

	/* The daemon is alive but stuck: the deadline thaws. */
	tap_ok(enl_vss_guard_arm(&g, &plan, 200, record) == 0, "armed, 200 ms");
	reap(g.pid);
	text = record_text(record);
	tap_ok(g_str_has_prefix(text, "thawed-by-guard timeout\n"),
	       "deadline passed: the guard thawed by itself");
	g_free(text);
	close(g.wfd);
	g_free(g.record);
	unlink(record);

	/* A stop that reaches the guard too. */
	tap_ok(enl_vss_guard_arm(&g, &plan, 60000, record) == 0, "armed");
	usleep(100 * 1000);
	kill(g.pid, SIGTERM);
	reap(g.pid);
	text = record_text(record);
	tap_ok(g_str_has_prefix(text, "thawed-by-guard signal\n"),
	       "SIGTERM: the guard thaws before it goes");
	g_free(text);
	close(g.wfd);
	g_free(g.record);
	unlink(record);

	/* The daemon thawed by itself: the guard leaves without a trace. */
	tap_ok(enl_vss_guard_arm(&g, &plan, 60000, record) == 0, "armed");
	enl_vss_guard_extend(&g);
	enl_vss_guard_disarm(&g);
	tap_ok(g.pid == 0 && !g_file_test(record, G_FILE_TEST_EXISTS),
	       "disarmed: guard gone, record removed");
	tap_ok(enl_vss_guard_recover(record, why, sizeof(why)) == 0,
	       "no record: nothing to recover");

	/* A record left by a daemon whose guard died too: thaw what it lists. */
	g_file_set_contents(record, "frozen\n/nonexistent/mount\n", -1, NULL);
	r = enl_vss_guard_recover(record, why, sizeof(why));
	tap_ok(r == 1 && strstr(why, "thawed at start"),
	       "a bare frozen record: thawed at start (%s)", why);
	g_file_set_contents(record, "something else\n/\n", -1, NULL);
	tap_ok(enl_vss_guard_recover(record, why, sizeof(why)) == -EINVAL,
	       "a record that is not ours is refused, / is not thawed");

	for (int i = 0; i < 2; i++) {
		rmdir(dirs[i]);
		g_free(dirs[i]);
	}
	{
		g_autofree char *run = g_path_get_dirname(record);

		rmdir(run);
	}
	rmdir(top);
	return tap_done();
}
