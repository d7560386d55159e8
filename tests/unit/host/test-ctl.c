/* SPDX-License-Identifier: GPL-2.0-only */
/* The control socket: verbs, replies, quoting, and a real client round trip. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "ctl.h"
#include "tap.h"

static int verb_echo(void *ctx, int argc, char **argv, GString *out)
{
	int i;

	(void)ctx;
	for (i = 1; i < argc; i++)
		g_string_append_printf(out, "[%s]", argv[i]);
	g_string_append_c(out, '\n');
	return 0;
}

static int verb_fail(void *ctx, int argc, char **argv, GString *out)
{
	(void)ctx;
	(void)argv;
	if (argc > 1)
		g_string_append(out, "because");
	return -ENOENT;
}

struct child {
	GMainLoop *loop;
	int status;
};

static void on_child(GPid pid, gint status, gpointer data)
{
	struct child *c = data;

	g_spawn_close_pid(pid);
	c->status = status;
	g_main_loop_quit(c->loop);
}

/* Run enl_ctl_client in a child while the server runs here. */
/* Drops its first option pair in place, as option parsing in verbs does. */
static int verb_drop(void *ctx, int argc, char **argv, GString *out)
{
	(void)ctx;
	if (argc >= 3)
		memmove(&argv[1], &argv[3], (size_t)(argc - 3) * sizeof(*argv));
	for (int i = 1; i < argc - 2; i++)
		g_string_append_printf(out, "[%s]", argv[i]);
	g_string_append_c(out, '\n');
	return 0;
}

static int client_rc(const char *path, int argc, char **argv, char **output)
{
	struct child c = { .loop = g_main_loop_new(NULL, FALSE) };
	int pipefd[2];
	char buf[4096];
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int rc;

		dup2(pipefd[1], 1);
		rc = enl_ctl_client(path, argc, argv);
		fflush(stdout);
		_exit(rc);
	}
	close(pipefd[1]);
	g_child_watch_add(pid, on_child, &c);
	g_main_loop_run(c.loop);
	n = read(pipefd[0], buf, sizeof(buf) - 1);
	close(pipefd[0]);
	*output = g_strndup(buf, n > 0 ? (gsize)n : 0);
	g_main_loop_unref(c.loop);
	return WIFEXITED(c.status) ? WEXITSTATUS(c.status) : -1;
}

int main(void)
{
	g_autofree char *dir = g_dir_make_tmp("enl-ctl-test-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "ctl.sock", NULL);
	g_autoptr(GString) r = g_string_new(NULL);
	char *out = NULL;
	struct enl_ctl *ctl, *dup;
	int err, rc;

	ctl = enl_ctl_new(path, &err);
	tap_ok(ctl != NULL, "server listens (%d)", err);
	enl_ctl_register(ctl, "echo", verb_echo, NULL, "echo args");
	enl_ctl_register(ctl, "fail", verb_fail, NULL, "fail");

	enl_ctl_dispatch(ctl, "echo a 'b c'", r);
	tap_ok(!strcmp(r->str, "ok\n[a][b c]\n"), "quoted arguments");
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "fail", r);
	tap_ok(g_str_has_prefix(r->str, "error: ") && strstr(r->str, "No such"),
	       "errno reply: %s", r->str);
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "fail x", r);
	tap_ok(!strcmp(r->str, "error: because\n"), "body explains the error");
	g_string_truncate(r, 0);
	enl_ctl_register(ctl, "drop", verb_drop, NULL, "drop");
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "drop --pool 1 tail end", r);
	tap_ok(!strcmp(r->str, "ok\n[tail][end]\n"),
	       "a verb may rearrange its argv (every string freed once)");
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "nope", r);
	tap_ok(g_str_has_prefix(r->str, "error: unknown verb"), "unknown verb");
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "echo 'unterminated", r);
	tap_ok(g_str_has_prefix(r->str, "error: cannot parse"), "bad quoting");
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "help", r);
	tap_ok(strstr(r->str, "echo args") != NULL, "help lists verbs");

	dup = enl_ctl_new(path, &err);
	tap_ok(!dup && err == -EADDRINUSE, "a live socket is not stolen");

	{
		char *argv[] = { "echo", "x y", NULL };

		rc = client_rc(path, 2, argv, &out);
		tap_ok(rc == 0 && !strcmp(out, "ok\n[x y]\n"),
		       "client round trip (rc %d)", rc);
		g_free(out);
	}
	{
		char *argv[] = { "fail", NULL };

		rc = client_rc(path, 1, argv, &out);
		tap_ok(rc == 1 && g_str_has_prefix(out, "error:"),
		       "client exits 1 on error");
		g_free(out);
	}
	enl_ctl_free(ctl);
	{
		char *argv[] = { "help", NULL };

		rc = enl_ctl_client(path, 1, argv);
		tap_ok(rc == 2, "no server: exit 2");
	}
	rmdir(dir);
	return tap_done();
}
