// SPDX-License-Identifier: GPL-2.0-only
/* enl-vssd: freeze/thaw sequencing, hooks (real processes), held logs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fixture.h"
#include "fsplan.h"
#include "holdlog.h"
#include "log.h"
#include "hooks.h"
#include "tap.h"

static GPtrArray *sunk;

static void sink(int prio, const char *line)
{
	(void)prio;
	g_ptr_array_add(sunk, g_strdup(line));
}

static void plan_of(struct enl_freeze_plan *p)
{
	struct enl_mount_table t;
	char *sys = fake_sysfs("/home/img");

	enl_mountinfo_parse(fixture_mountinfo, strlen(fixture_mountinfo), &t);
	enl_freeze_plan_build(&t, sys, p);
	enl_mount_table_free(&t);
	rm_rf(sys);
	g_free(sys);
}

static void test_sequence(void)
{
	struct enl_freeze_ops ops;
	struct enl_freeze_plan p;
	struct fake_fs f;
	const char *failed;
	size_t n;
	int ret;

	plan_of(&p);
	fake_fs_init(&f, &ops);
	ret = enl_freeze_all(&p, &ops, &n, &failed);
	tap_ok(ret == 0 && n == p.n && f.frozen == (int)p.n,
	       "all %zu frozen", p.n);
	tap_ok(g_str_has_prefix(f.log->str, "F:/home/user/data F:/mnt/loop ") &&
	       g_str_has_suffix(f.log->str, "F:/opt F:/ "), "in plan order");
	g_string_truncate(f.log, 0);
	ret = enl_thaw_all(&p, n, &ops);
	tap_ok(ret == 0 && f.frozen == 0 &&
	       g_str_has_prefix(f.log->str, "T:/ T:/opt T:/data ") &&
	       g_str_has_suffix(f.log->str, "T:/home/user/data "),
	       "thawed in reverse");

	/* /home refuses (EBUSY: someone else froze it): undo, report. */
	g_string_truncate(f.log, 0);
	f.fail_freeze = "/home";
	f.fail_errno = EBUSY;
	ret = enl_freeze_all(&p, &ops, &n, &failed);
	tap_ok(ret == -EBUSY && n == 0 && failed && !strcmp(failed, "/home"),
	       "failure midway reported with its errno and path");
	tap_ok(f.frozen == 0 && !strcmp(f.log->str,
	       "F:/home/user/data F:/mnt/loop F:/mnt/with space F:/home "
	       "T:/mnt/with space T:/mnt/loop T:/home/user/data "),
	       "what was frozen is thawed in reverse, the rest never touched");

	/* Root (last) refuses: everything else comes back. */
	g_string_truncate(f.log, 0);
	f.fail_freeze = "/";
	f.fail_errno = EOPNOTSUPP;
	ret = enl_freeze_all(&p, &ops, &n, &failed);
	tap_ok(ret == -EOPNOTSUPP && f.frozen == 0, "root failing thaws all");

	/* Thaw keeps going past an error, and "not frozen" is fine. */
	f.fail_freeze = NULL;
	enl_freeze_all(&p, &ops, &n, &failed);
	f.fail_thaw = "/data";
	ret = enl_thaw_all(&p, n, &ops);
	tap_ok(ret == -EIO && f.frozen == 1, "thaw error reported, others thawed");
	f.fail_thaw = NULL;
	f.frozen = 0;
	tap_ok(enl_thaw_all(&p, p.n, &ops) == 0, "thawing thawed fs is not an error");
	tap_ok(enl_thaw_all(&p, p.n + 100, &ops) == 0, "n_frozen beyond plan clamped");
	g_string_free(f.log, TRUE);
	enl_freeze_plan_free(&p);
}

static void write_hook(const char *dir, const char *name, const char *body,
		       mode_t mode)
{
	char *path = g_build_filename(dir, name, NULL);
	char *text = g_strdup_printf("#!/bin/sh\n%s\n", body);

	g_file_set_contents(path, text, -1, NULL);
	chmod(path, mode);
	g_free(text);
	g_free(path);
}

static char *slurp(const char *path)
{
	char *s = NULL;

	if (!g_file_get_contents(path, &s, NULL, NULL))
		s = g_strdup("");
	return s;
}

static void test_hooks(void)
{
	char *dir = g_dir_make_tmp("enl-vss-hooks-XXXXXX", NULL);
	char *log = g_build_filename(dir, "log", NULL);
	char *body;
	GPtrArray *h;
	const char *failed;
	size_t ran;
	int ret;
	struct timespec t0, t1;

	body = g_strdup_printf("echo \"a $1 $#\" >> '%s'", log);
	write_hook(dir, "20-a", body, 0755);
	g_free(body);
	body = g_strdup_printf("echo \"b $1\" >> '%s'", log);
	write_hook(dir, "10-b", body, 0755);
	write_hook(dir, "30-notexec", body, 0644);
	write_hook(dir, ".hidden", body, 0755);
	write_hook(dir, "40-x~", body, 0755);
	write_hook(dir, "50-y.dpkg-old", body, 0755);
	g_free(body);
	g_free(log);
	log = g_build_filename(dir, "log", NULL);

	h = enl_hooks_list(dir);
	tap_ok(h->len == 2 && g_str_has_suffix(g_ptr_array_index(h, 0), "/10-b") &&
	       g_str_has_suffix(g_ptr_array_index(h, 1), "/20-a"),
	       "hooks listed in name order, leftovers and non-executables skipped");
	ret = enl_hooks_run(h, h->len, "freeze", false, true, enl_hook_spawn,
			    NULL, 5000, &ran, &failed);
	ret |= enl_hooks_run(h, h->len, "thaw", true, false, enl_hook_spawn,
			     NULL, 5000, &ran, &failed);
	body = slurp(log);
	tap_ok(ret == 0 && !strcmp(body, "b freeze\na freeze 1\na thaw 1\nb thaw\n"),
	       "freeze in order, thaw in reverse, one argument each");
	if (strcmp(body, "b freeze\na freeze 1\na thaw 1\nb thaw\n"))
		tap_diag("log: %s", body);
	g_free(body);
	g_ptr_array_unref(h);

	write_hook(dir, "15-fail", "exit 3", 0755);
	h = enl_hooks_list(dir);
	unlink(log);
	ret = enl_hooks_run(h, h->len, "freeze", false, true, enl_hook_spawn,
			    NULL, 5000, &ran, &failed);
	body = slurp(log);
	tap_ok(ret == -ECHILD && ran == 2 && g_str_has_suffix(failed, "/15-fail") &&
	       !strcmp(body, "b freeze\n"), "a failing hook stops the freeze");
	g_free(body);
	g_ptr_array_unref(h);

	write_hook(dir, "12-slow", "sleep 20 & sleep 20", 0755);
	h = enl_hooks_list(dir);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = enl_hooks_run(h, h->len, "freeze", false, true, enl_hook_spawn,
			    NULL, 300, &ran, &failed);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok(ret == -ETIMEDOUT && g_str_has_suffix(failed, "/12-slow") &&
	       t1.tv_sec - t0.tv_sec < 5, "a hung hook is killed at its timeout");
	g_ptr_array_unref(h);

	h = enl_hooks_list("/nonexistent/vss.d");
	tap_ok(h->len == 0, "missing hook directory means no hooks");
	g_ptr_array_unref(h);
	tap_ok(enl_hook_spawn(NULL, "/nonexistent/hook", "freeze", 1000) < 0,
	       "a hook that cannot start fails");
	rm_rf(dir);
	g_free(dir);
	g_free(log);
}

static void test_holdlog(void)
{
	sunk = g_ptr_array_new_with_free_func(g_free);
	enl_holdlog_set_sink(sink);
	enl_vss_log(LOG_INFO, "before");
	tap_ok(sunk->len == 1, "not holding: lines pass through");
	enl_holdlog_hold();
	for (int i = 0; i < ENL_HOLDLOG_MAX_LINES + 10; i++)
		enl_vss_log(LOG_INFO, "held %d", i);
	tap_ok(sunk->len == 1 && enl_holdlog_pending() == ENL_HOLDLOG_MAX_LINES,
	       "holding: nothing written, memory bounded");
	enl_holdlog_flush();
	tap_ok(sunk->len == 2 + ENL_HOLDLOG_MAX_LINES &&
	       !strcmp(g_ptr_array_index(sunk, 1), "held 0") &&
	       strstr(g_ptr_array_index(sunk, sunk->len - 1), "10 log lines dropped"),
	       "flushed in order after thaw, drops counted");
	enl_holdlog_set_sink(NULL);
	g_ptr_array_unref(sunk);
}

/* libenl's own enl_log() lines (channel, IC service) are held too. */
static void test_holdlog_libenl(void)
{
	sunk = g_ptr_array_new_with_free_func(g_free);
	enl_holdlog_set_sink(sink);
	enl_log_set_level(LOG_DEBUG);
	enl_holdlog_hold();
	enl_vss_log(LOG_INFO, "ours");
	enl_err("libenl %d", 1);
	enl_debug("libenl %d", 2);
	tap_ok(sunk->len == 0 && enl_holdlog_pending() == 3,
	       "holding: libenl's enl_log lines are held with ours");
	enl_holdlog_flush();
	tap_ok(sunk->len == 3 && !strcmp(g_ptr_array_index(sunk, 1), "libenl 1") &&
	       !strcmp(g_ptr_array_index(sunk, 2), "libenl 2"),
	       "and reach the log in order after thaw");
	enl_holdlog_set_sink(NULL);
	enl_log_set_level(LOG_INFO);
	g_ptr_array_unref(sunk);
}

int main(void)
{
	test_sequence();
	test_hooks();
	test_holdlog();
	test_holdlog_libenl();
	return tap_done();
}
