/* SPDX-License-Identifier: GPL-2.0-only */
/* The control socket: verbs, replies, quoting, and a real client round trip. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include <sys/socket.h>
#include <sys/un.h>

#include "ctl.h"
#include "json_check.h"
#include "frame.h"
#include "tap.h"

static int verb_echo(void *ctx, struct enl_ctl_req *req)
{
	int argc = req->argc, i;
	char **argv = req->argv;
	GString *out = req->out;

	(void)ctx;
	for (i = 1; i < argc; i++)
		g_string_append_printf(out, "[%s]", argv[i]);
	g_string_append_c(out, '\n');
	return 0;
}

static int verb_fail(void *ctx, struct enl_ctl_req *req)
{
	(void)ctx;
	if (req->argc > 1)
		g_string_append(req->out, "because");
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
static int verb_drop(void *ctx, struct enl_ctl_req *req)
{
	int argc = req->argc;
	char **argv = req->argv;
	GString *out = req->out;

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

/* A reply far bigger than any socket buffer. */
static int verb_big(void *ctx, struct enl_ctl_req *req)
{
	(void)ctx;
	g_string_set_size(req->out, 8 << 20);
	memset(req->out->str, 'b', req->out->len);
	return 0;
}

static int verb_json(void *ctx, struct enl_ctl_req *req)
{
	(void)ctx;
	if (enl_ctl_nargs(req, 2, 2))
		return -EINVAL;
	g_string_append(req->out, "text\n");
	if (req->json) {
		enl_json_obj(req->json, NULL);
		enl_json_str(req->json, "arg", req->argv[1]);
		enl_json_arr(req->json, "n");
		enl_json_u64(req->json, NULL, 1);
		enl_json_i64(req->json, NULL, -2);
		enl_json_end(req->json);
		enl_json_end(req->json);
	}
	return 0;
}

static void test_frame(void)
{
	g_autoptr(GString) req = g_string_new(NULL);
	g_autoptr(GString) why = g_string_new(NULL);
	char *in[] = { "kvp", "set", "k", "a\nb 'c\"", "", NULL };
	char **argv = NULL;
	int argc = 0, rc;

	enl_ctl_frame_encode(req, 5, in);
	rc = enl_ctl_frame_decode(req->str, req->len - 1, false, &argc, &argv, why);
	tap_ok(rc == 0, "framed: incomplete waits for more");
	rc = enl_ctl_frame_decode(req->str, req->len, false, &argc, &argv, why);
	tap_ok(rc == 1 && argc == 5 && !strcmp(argv[3], "a\nb 'c\"") &&
	       !strcmp(argv[4], ""), "framed: newline, quotes, empty argument carried");
	g_strfreev(argv);
	rc = enl_ctl_frame_decode(req->str, req->len - 1, true, &argc, &argv, why);
	tap_ok(rc == -1 && strstr(why->str, "cut short"), "framed: EOF mid-request refused");
	g_string_truncate(why, 0);
	rc = enl_ctl_frame_decode("\0" "03:abc,\n", 9, true, &argc, &argv, why);
	tap_ok(rc == -1, "framed: a leading zero is malformed");
	rc = enl_ctl_frame_decode("\0" "3:a\0c,\n", 9, true, &argc, &argv, why);
	tap_ok(rc == -1 && strstr(why->str, "NUL"), "framed: NUL in an argument refused");
	rc = enl_ctl_frame_decode("\0" "3:abcd\n", 8, true, &argc, &argv, why);
	tap_ok(rc == -1, "framed: a missing comma is malformed");
	rc = enl_ctl_frame_decode("\0" "99999999999:", 13, false, &argc, &argv, why);
	tap_ok(rc == -1, "framed: a length past the cap is refused at once");
	g_string_truncate(req, 0);
	g_string_append_c(req, '\0');
	for (int i = 0; i <= ENL_CTL_ARGS_MAX; i++)
		g_string_append(req, "1:x,");
	g_string_append_c(req, '\n');
	rc = enl_ctl_frame_decode(req->str, req->len, true, &argc, &argv, why);
	tap_ok(rc == -1 && strstr(why->str, "too many"), "framed: argument count capped");
	rc = enl_ctl_frame_decode("echo 'a b' c\n", 13, false, &argc, &argv, why);
	tap_ok(rc == 1 && argc == 3 && !strcmp(argv[1], "a b"), "line form still parses");
	g_strfreev(argv);
}

static void test_escape(void)
{
	g_autoptr(GString) s = g_string_new(NULL);

	enl_ctl_escape(s, "a\nb\x1b[2J\\ \xc3\xbc\xc2\x85\xff", -1);
	tap_ok(!strcmp(s->str, "a\\nb\\x1b[2J\\\\ \xc3\xbc\\xc2\\x85\\xff"),
	       "text escape: newline, ESC, backslash, C1, bad UTF-8 (%s)", s->str);
	g_string_truncate(s, 0);
	enl_json_quote(s, "q\"\n\x01\xc3\xbc\xff", 7);
	tap_ok(!strcmp(s->str, "\"q\\\"\\n\\u0001\xc3\xbc\\ufffd\""),
	       "JSON quote: quote, newline, control, UTF-8 kept, bad byte U+FFFD (%s)",
	       s->str);
}

/* The one-field objects verbs answer with, and nothing without --json. */
static void test_json_one(void)
{
	g_autoptr(GString) s = g_string_new(NULL);
	struct enl_json j;

	enl_json_init(&j, s);
	enl_json_one_u64(&j, "relid", 7);
	tap_ok(enl_json_complete(&j) && !strcmp(s->str, "{\"relid\":7}"),
	       "one-field object: u64 (%s)", s->str);
	g_string_truncate(s, 0);
	enl_json_init(&j, s);
	enl_json_one_str(&j, "file", "/a\"b");
	tap_ok(enl_json_complete(&j) && !strcmp(s->str, "{\"file\":\"/a\\\"b\"}"),
	       "one-field object: string, quoted (%s)", s->str);
	g_string_truncate(s, 0);
	enl_json_init(&j, s);
	enl_json_one_bool(&j, "sent", true);
	tap_ok(enl_json_complete(&j) && !strcmp(s->str, "{\"sent\":true}"),
	       "one-field object: bool (%s)", s->str);
	enl_json_one_u64(NULL, "relid", 7);
	enl_json_one_str(NULL, "file", "x");
	enl_json_one_bool(NULL, "sent", false);
	tap_ok(!strcmp(s->str, "{\"sent\":true}"),
	       "one-field object without --json: nothing written");
}

static void test_numbers(void)
{
	g_autoptr(GString) out = g_string_new(NULL);
	struct enl_ctl_req req = { .out = out };
	uint64_t u;
	int64_t i;

	tap_ok(!enl_ctl_parse_u64(&req, "n", "42", 1, 100, &u) && u == 42, "u64 42");
	tap_ok(enl_ctl_parse_u64(&req, "n", "0x1", 0, 100, &u) == -EINVAL &&
	       enl_ctl_parse_u64(&req, "n", "01", 0, 100, &u) == -EINVAL &&
	       enl_ctl_parse_u64(&req, "n", "+1", 0, 100, &u) == -EINVAL &&
	       enl_ctl_parse_u64(&req, "n", "1 ", 0, 100, &u) == -EINVAL &&
	       enl_ctl_parse_u64(&req, "n", "", 0, 100, &u) == -EINVAL,
	       "u64: hex, leading zero, sign, space, empty refused");
	tap_ok(enl_ctl_parse_u64(&req, "n", "101", 0, 100, &u) == -ERANGE &&
	       enl_ctl_parse_u64(&req, "n", "99999999999999999999", 0, UINT64_MAX,
				 &u) == -ERANGE, "u64: range and overflow");
	tap_ok(!enl_ctl_parse_i64(&req, "n", "-13", -20, 20, &i) && i == -13 &&
	       enl_ctl_parse_i64(&req, "n", "-13000000000000", -20, 20, &i) == -ERANGE &&
	       enl_ctl_parse_i64(&req, "n", "-0", -20, 20, &i) == -EINVAL &&
	       !enl_ctl_parse_i64(&req, "n", "-9223372036854775808", INT64_MIN,
				  0, &i) && i == INT64_MIN &&
	       enl_ctl_parse_i64(&req, "n", "9223372036854775808", INT64_MIN,
				 INT64_MAX, &i) == -ERANGE,
	       "i64: sign, range, -0, extremes");
	g_string_truncate(out, 0);
	enl_ctl_append_u64(out, 0);
	g_string_append_c(out, ' ');
	enl_ctl_append_u64(out, 9);
	g_string_append_c(out, ' ');
	enl_ctl_append_u64(out, 10);
	g_string_append_c(out, ' ');
	enl_ctl_append_u64(out, UINT64_MAX);
	tap_ok(!strcmp(out->str, "0 9 10 18446744073709551615"),
	       "u64 written in decimal: 0, 9, 10, the largest (%s)", out->str);
}

/* A client that asks for 8 MiB and never reads must not stall the loop. */
static void test_slow_reader(struct enl_ctl *ctl, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct enl_ctl_stats st;
	char *argv[] = { "echo", "fast", NULL };
	char *out = NULL;
	gint64 t0;
	int fd, rc;

	enl_ctl_add(ctl, "big", verb_big, NULL, "big");
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, "big\n", 4) != 4) {
		tap_ok(false, "slow reader connects");
		return;
	}
	t0 = g_get_monotonic_time();
	rc = client_rc(path, 2, argv, &out);
	tap_ok(rc == 0 && !strcmp(out, "ok\n[fast]\n") &&
	       g_get_monotonic_time() - t0 < 1000000,
	       "a second client is answered at once (%.3f s) while one does "
	       "not read 8 MiB", (g_get_monotonic_time() - t0) / 1e6);
	g_free(out);
	enl_ctl_get_stats(ctl, &st);
	tap_ok(st.requests >= 2, "requests counted (%llu)",
	       (unsigned long long)st.requests);
	close(fd);
}

/* A verb of the table form: one line of fields through enl_ctl_kv_*. */
static int verb_kv(void *ctx, struct enl_ctl_req *req)
{
	(void)ctx;
	if (enl_ctl_nargs(req, 2, 2))
		return -EINVAL;
	enl_ctl_kv_begin(req, NULL, "dev:");
	enl_ctl_kv_u64(req, "n", 7);
	enl_ctl_kv_hex(req, "version", 0x602, 4);
	enl_ctl_kv_bool(req, "open", true);
	enl_ctl_kv_str(req, "name", req->argv[1]);
	enl_ctl_kv_str(req, "none", NULL);
	enl_ctl_kv_end(req);
	return 0;
}

/* A verb whose JSON is broken: the envelope must not pass it on. */
static int verb_broken(void *ctx, struct enl_ctl_req *req)
{
	(void)ctx;
	if (req->json)
		enl_json_obj(req->json, NULL);
	return 0;
}

static void test_verb_table(struct enl_ctl *ctl, GString *r)
{
	static const struct enl_ctl_verb verbs[] = {
		{ "kv", verb_kv, "kv NAME", ENL_CTL_JSON_ARG },
		{ "broken", verb_broken, "broken", 0 },
	};
	static const char hostile[] = "x\n\"\\\x1b[2J\x7f\xc2\x9b\xff";
	char *argv[] = { "--json", "kv", (char *)hostile, NULL };
	char *flag[] = { "kv", "--json", (char *)hostile, NULL };
	JsonNode *root, *d;

	ENL_CTL_ADD_VERBS(ctl, NULL, verbs);
	g_string_truncate(r, 0);
	enl_ctl_dispatch_argv(ctl, 2, argv + 1, r);
	tap_ok(!strcmp(r->str, "ok\ndev: n=7 version=0x0602 open=1 "
		       "name=x\\n\"\\\\\\x1b[2J\\x7f\\xc2\\x9b\\xff none=-\n"),
	       "kv fields: one text line, the hostile name escaped");
	g_string_truncate(r, 0);
	enl_ctl_dispatch_argv(ctl, 3, argv, r);
	root = json_check_reply(r->str);
	d = json_check_data(root);
	tap_ok(json_check_int(d, "n") == 7 &&
	       json_check_int(d, "version") == 0x602 &&
	       json_node_get_boolean(json_check_at(d, "open")) &&
	       !g_strcmp0(json_check_str(d, "name"),
			  "x\n\"\\\x1b[2J\x7f\xc2\x9b\xef\xbf\xbd") &&
	       JSON_NODE_HOLDS_NULL(json_check_at(d, "none")),
	       "kv fields --json: parsed back, the name exact (bad UTF-8 "
	       "as U+FFFD)");
	json_node_unref(root);
	g_string_truncate(r, 0);
	enl_ctl_dispatch_argv(ctl, 3, flag, r);
	tap_ok(g_str_has_prefix(r->str, "ok\n{\"n\":7,\"version\":1538,") &&
	       (root = json_check_reply(r->str + 3)) != NULL,
	       "kv --json (the verb's own flag): the data alone, one line");
	if (root)
		json_node_unref(root);
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "--json broken", r);
	root = json_check_reply(r->str);
	tap_ok(root && JSON_NODE_HOLDS_NULL(json_check_at(root, "data")) &&
	       !g_strcmp0(json_check_str(root, "data_error"), "incomplete"),
	       "a verb's unfinished JSON becomes data null, data_error");
	json_node_unref(root);
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "help", r);
	tap_ok(strstr(r->str, "\nkv NAME\n") && strstr(r->str, "\nbroken\n"),
	       "help lists the verbs of a table");
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
	enl_ctl_add(ctl, "echo", verb_echo, NULL, "echo args");
	enl_ctl_add(ctl, "fail", verb_fail, NULL, "fail");

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
	enl_ctl_add(ctl, "drop", verb_drop, NULL, "drop");
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

	enl_ctl_add(ctl, "j", verb_json, NULL, "j ARG");
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "--json j 'x\"y'", r);
	tap_ok(!strcmp(r->str, "{\"ok\":true,\"verb\":\"j\",\"data\":"
		       "{\"arg\":\"x\\\"y\",\"n\":[1,-2]},\"text\":\"text\\n\"}\n"),
	       "--json envelope: data and text");
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "--json j", r);
	tap_ok(!strcmp(r->str, "{\"ok\":false,\"verb\":\"j\",\"error\":"
		       "\"missing argument (usage: j ARG)\"}\n"),
	       "--json error");
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "--json echo a", r);
	tap_ok(g_str_has_prefix(r->str, "{\"ok\":true,\"verb\":\"echo\","
				"\"data\":null,\"text\":\"[a]\\n\"}"),
	       "--json of a text-only verb carries its text");
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "j a b", r);
	tap_ok(g_str_has_prefix(r->str, "error: unexpected argument 'b'"),
	       "extra argument refused");
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "help", r);
	test_verb_table(ctl, r);
	test_frame();
	test_escape();
	test_json_one();
	test_numbers();
	test_slow_reader(ctl, path);
	{
		char *argv[] = { "echo", "multi\nline", NULL };

		rc = client_rc(path, 2, argv, &out);
		tap_ok(rc == 0 && !strcmp(out, "ok\n[multi\nline]\n"),
		       "client carries a newline in an argument (rc %d)", rc);
		g_free(out);
	}

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
