/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Control socket server: one request per connection (frame.h), one reply,
 * close. Verbs run on the main loop, so they see the host in a consistent
 * state. Nothing here ever blocks on a client: requests are read and
 * replies written as the socket allows, each client has its own buffers,
 * a size cap and an idle deadline, so a client that never reads cannot
 * stall the main loop (and with it the guest's VMBus).
 */
#include "ctl.h"
#include "frame.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#define CTL_READ_CHUNK	65536

struct verb {
	char *name;
	enl_ctl_verb_fn fn;
	void *ctx;
	char *usage;
	unsigned int flags;
};

struct enl_ctl {
	char *path;
	int listen_fd;
	guint listen_source;
	GPtrArray *verbs;	/* struct verb, in registration order */
	GList *clients;
	struct enl_ctl_stats stats;
};

enum client_state { CLIENT_READING, CLIENT_RUNNING, CLIENT_WRITING };

struct client {
	struct enl_ctl *ctl;
	int fd;
	enum client_state state;
	guint source;		/* fd watch while reading or writing */
	guint idle;		/* deadline for the client's next move */
	GString *in;
	GString *reply;
	size_t sent;
};

static void verb_free(gpointer p)
{
	struct verb *v = p;

	g_free(v->name);
	g_free(v->usage);
	g_free(v);
}

static struct verb *find_verb(struct enl_ctl *ctl, const char *name)
{
	guint i;

	for (i = 0; i < ctl->verbs->len; i++) {
		struct verb *v = g_ptr_array_index(ctl->verbs, i);

		if (!strcmp(v->name, name))
			return v;
	}
	return NULL;
}

static void add_verb(struct enl_ctl *ctl, const struct enl_ctl_verb *d,
		     void *ctx)
{
	struct verb *v = find_verb(ctl, d->name);

	if (!v) {
		v = g_new0(struct verb, 1);
		v->name = g_strdup(d->name);
		g_ptr_array_add(ctl->verbs, v);
	}
	/* A later registration replaces an earlier one of the same name. */
	v->fn = d->fn;
	v->ctx = ctx;
	v->flags = d->flags;
	g_free(v->usage);
	v->usage = g_strdup(d->usage ? d->usage : d->name);
}

void enl_ctl_add_verbs(struct enl_ctl *ctl, void *ctx,
		       const struct enl_ctl_verb *verbs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_verb(ctl, &verbs[i], ctx);
}

void enl_ctl_add(struct enl_ctl *ctl, const char *verb, enl_ctl_verb_fn fn,
		 void *ctx, const char *usage)
{
	const struct enl_ctl_verb d = { verb, fn, usage, 0 };

	add_verb(ctl, &d, ctx);
}

void enl_ctl_usage(struct enl_ctl *ctl, GString *out)
{
	for (guint i = 0; i < ctl->verbs->len; i++) {
		struct verb *v = g_ptr_array_index(ctl->verbs, i);

		g_string_append_printf(out, "%s\n", v->usage);
	}
}

static int ctl_help(void *ctx, struct enl_ctl_req *req)
{
	struct enl_ctl *ctl = ctx;

	if (enl_ctl_nargs(req, 1, 1))
		return -EINVAL;
	enl_ctl_usage(ctl, req->out);
	if (req->json) {
		enl_json_arr(req->json, NULL);
		for (guint i = 0; i < ctl->verbs->len; i++) {
			struct verb *v = g_ptr_array_index(ctl->verbs, i);

			enl_json_obj(req->json, NULL);
			enl_json_str(req->json, "verb", v->name);
			enl_json_str(req->json, "usage", v->usage);
			enl_json_end(req->json);
		}
		enl_json_end(req->json);
	}
	return 0;
}

/* ---- Strict argument helpers ---- */

static struct verb *req_verb;	/* the verb running, for usage in errors */

int enl_ctl_nargs(struct enl_ctl_req *req, int min, int max)
{
	if (req->argc >= min && req->argc <= max)
		return 0;
	if (req->argc > max)
		g_string_append_printf(req->out, "unexpected argument '%s'",
				       req->argv[max]);
	else
		g_string_append(req->out, "missing argument");
	if (req_verb)
		g_string_append_printf(req->out, " (usage: %s)", req_verb->usage);
	g_string_append_c(req->out, '\n');
	return -EINVAL;
}

int enl_ctl_strict_u64(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (!*s || (*s == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return 0;
}

static int number_error(struct enl_ctl_req *req, const char *what,
			const char *s, int rc)
{
	g_string_append_printf(req->out, "%s: ", what);
	enl_ctl_escape(req->out, s, -1);
	g_string_append(req->out, rc == -EINVAL ? " is not a decimal number"
						: " is out of range");
	return rc;
}

int enl_ctl_parse_u64(struct enl_ctl_req *req, const char *what,
		      const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	uint64_t n;
	int rc = enl_ctl_strict_u64(s, &n);

	if (!rc && (n < min || n > max))
		rc = -ERANGE;
	if (rc) {
		number_error(req, what, s, rc);
		g_string_append_printf(req->out, " (%" G_GUINT64_FORMAT "..%"
				       G_GUINT64_FORMAT ")\n", min, max);
		return rc;
	}
	*v = n;
	return 0;
}

int enl_ctl_parse_u32(struct enl_ctl_req *req, const char *what,
		      const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	uint64_t n;
	int rc = enl_ctl_parse_u64(req, what, s, min, max, &n);

	if (!rc)
		*v = (uint32_t)n;
	return rc;
}

int enl_ctl_parse_i64(struct enl_ctl_req *req, const char *what,
		      const char *s, int64_t min, int64_t max, int64_t *v)
{
	bool neg = s[0] == '-';
	uint64_t n;
	int64_t x = 0;
	int rc = enl_ctl_strict_u64(s + neg, &n);

	if (!rc && neg && n == 0)
		rc = -EINVAL;	/* "-0" */
	if (!rc && n > (uint64_t)INT64_MAX + neg)
		rc = -ERANGE;
	if (!rc) {
		x = neg ? (int64_t)(0 - n) : (int64_t)n;
		if (x < min || x > max)
			rc = -ERANGE;
	}
	if (rc) {
		number_error(req, what, s, rc);
		g_string_append_printf(req->out, " (%" G_GINT64_FORMAT "..%"
				       G_GINT64_FORMAT ")\n", min, max);
		return rc;
	}
	*v = x;
	return 0;
}

static void drop_args(struct enl_ctl_req *req, int at, int n)
{
	memmove(&req->argv[at], &req->argv[at + n],
		(size_t)(req->argc - at - n + 1) * sizeof(*req->argv));
	req->argc -= n;
}

int enl_ctl_take_opt(struct enl_ctl_req *req, const char *name,
		     const char **value)
{
	int found = 0;

	for (int i = 1; i < req->argc; i++) {
		if (strcmp(req->argv[i], name))
			continue;
		if (found || i + 1 >= req->argc) {
			g_string_append_printf(req->out, found ?
					       "%s given twice\n" :
					       "%s needs a value\n", name);
			return -EINVAL;
		}
		*value = req->argv[i + 1];
		drop_args(req, i, 2);
		found = 1;
		i--;
	}
	return found;
}

int enl_ctl_take_flag(struct enl_ctl_req *req, const char *name)
{
	int found = 0;

	for (int i = 1; i < req->argc; i++) {
		if (strcmp(req->argv[i], name))
			continue;
		if (found) {
			g_string_append_printf(req->out, "%s given twice\n",
					       name);
			return -EINVAL;
		}
		drop_args(req, i, 1);
		found = 1;
		i--;
	}
	return found;
}

/* ---- Dispatch ---- */

static void reply_error(GString *reply, bool json, const char *verb,
			const char *why)
{
	g_autofree char *msg = g_strchomp(g_strdup(why));

	if (!json) {
		g_string_append_printf(reply, "error: %s\n", msg);
		return;
	}
	g_string_append(reply, "{\"ok\":false,\"verb\":");
	if (verb)
		enl_json_quote(reply, verb, strlen(verb));
	else
		g_string_append(reply, "null");
	g_string_append(reply, ",\"error\":");
	enl_json_quote(reply, msg, strlen(msg));
	g_string_append(reply, "}\n");
}

/*
 * `VERB ... --json` of a verb with ENL_CTL_JSON_ARG and no `ctl --json`:
 * the verb writes JSON as for --json, and its value becomes the body.
 */
static int run_json_arg(struct verb *v, struct enl_ctl_req *req)
{
	g_autoptr(GString) data = g_string_new(NULL);
	g_autoptr(GString) text = g_string_new(NULL);
	struct enl_json json;
	GString *body = req->out;
	int rc;

	enl_json_init(&json, data);
	req->json = &json;
	req->out = text;
	rc = v->fn(v->ctx, req);
	req->out = body;
	req->json = NULL;
	if (rc < 0 || !data->len) {
		g_string_append_len(body, text->str, (gssize)text->len);
		return rc;
	}
	if (!enl_json_complete(&json)) {
		g_string_append(body, "the verb's JSON is incomplete\n");
		return -EIO;
	}
	g_string_append_len(body, data->str, (gssize)data->len);
	g_string_append_c(body, '\n');
	return rc;
}

/* Run verb v on argv; its result, the text body in body, data in json. */
static int run_verb(struct verb *v, int argc, char **argv, GString *body,
		    struct enl_json *json)
{
	/*
	 * Verbs get their own array of pointers: they may drop or reorder
	 * options in it, while argv keeps every string once for its owner.
	 */
	g_autofree char **args = g_memdup2(argv, (argc + 1) * sizeof(*argv));
	struct enl_ctl_req req = { .argc = argc, .argv = args, .out = body,
				   .json = json };
	struct verb *outer = req_verb;
	int rc, flag = 0;

	/* Nested dispatch (ctl_wait.h) restores the outer verb. */
	req_verb = v;
	if (v->flags & ENL_CTL_JSON_ARG)
		flag = enl_ctl_take_flag(&req, "--json");
	if (flag < 0)
		rc = -EINVAL;
	else if (flag && !json)
		rc = run_json_arg(v, &req);
	else
		rc = v->fn(v->ctx, &req);
	req_verb = outer;
	return rc;
}

void enl_ctl_dispatch_argv(struct enl_ctl *ctl, int argc, char **argv,
			   GString *reply)
{
	g_autoptr(GString) body = g_string_new(NULL);
	g_autoptr(GString) data = NULL;
	struct enl_json json;
	bool want_json = false;
	struct verb *v;
	int rc;

	ctl->stats.requests++;
	if (argc > 0 && !strcmp(argv[0], "--json")) {
		want_json = true;
		argc--;
		argv++;
	}
	if (argc < 1) {
		reply_error(reply, want_json, NULL, "missing verb (try help)");
		return;
	}
	v = find_verb(ctl, argv[0]);
	if (!v) {
		g_autoptr(GString) why = g_string_new("unknown verb '");

		enl_ctl_escape(why, argv[0], -1);
		g_string_append(why, "' (try help)");
		reply_error(reply, want_json, NULL, why->str);
		return;
	}
	if (want_json) {
		data = g_string_new(NULL);
		enl_json_init(&json, data);
	}
	rc = run_verb(v, argc, argv, body, want_json ? &json : NULL);
	if (rc < 0) {
		/* The body, when there is one, is the better explanation. */
		if (body->len)
			reply_error(reply, want_json, v->name, body->str);
		else if (rc == -EINVAL) {
			g_autofree char *u = g_strdup_printf("usage: %s",
							     v->usage);

			reply_error(reply, want_json, v->name, u);
		} else {
			reply_error(reply, want_json, v->name,
				    g_strerror(-rc));
		}
		return;
	}
	if (!want_json) {
		g_string_append(reply, "ok\n");
		g_string_append(reply, body->str);
		if (reply->str[reply->len - 1] != '\n')
			g_string_append_c(reply, '\n');
		return;
	}
	g_string_append(reply, "{\"ok\":true,\"verb\":");
	enl_json_quote(reply, v->name, strlen(v->name));
	g_string_append(reply, ",\"data\":");
	if (!data->len)
		g_string_append(reply, "null");
	else if (enl_json_complete(&json))
		g_string_append_len(reply, data->str, (gssize)data->len);
	else
		/* A verb's bug must not reach a parser as broken JSON. */
		g_string_append(reply, "null,\"data_error\":\"incomplete\"");
	g_string_append(reply, ",\"text\":");
	enl_json_quote(reply, body->str, body->len);
	g_string_append(reply, "}\n");
}

int enl_ctl_call(struct enl_ctl *ctl, const char *line, GString *out)
{
	g_auto(GStrv) argv = NULL;
	g_autofree char *withnl = g_strconcat(line, "\n", NULL);
	struct verb *v;
	int argc, rc;

	if (enl_ctl_frame_decode(withnl, strlen(withnl), true, &argc, &argv,
				 out) < 1)
		return -EINVAL;
	v = find_verb(ctl, argv[0]);
	if (!v)
		return -ENOENT;
	rc = run_verb(v, argc, argv, out, NULL);
	/* The why a reply would give: the usage, as dispatch does. */
	if (rc == -EINVAL && !out->len)
		g_string_append_printf(out, "usage: %s\n", v->usage);
	return rc;
}

void enl_ctl_dispatch(struct enl_ctl *ctl, const char *line, GString *reply)
{
	g_autoptr(GString) why = g_string_new(NULL);
	g_auto(GStrv) argv = NULL;
	g_autofree char *withnl = g_strconcat(line, "\n", NULL);
	int argc;

	if (enl_ctl_frame_decode(withnl, strlen(withnl), true, &argc, &argv,
				 why) < 1) {
		ctl->stats.bad_requests++;
		reply_error(reply, false, NULL, why->str);
		return;
	}
	enl_ctl_dispatch_argv(ctl, argc, argv, reply);
}

/* ---- Clients ---- */

static void client_free(struct client *c)
{
	c->ctl->clients = g_list_remove(c->ctl->clients, c);
	if (c->source)
		g_source_remove(c->source);
	if (c->idle)
		g_source_remove(c->idle);
	close(c->fd);
	g_string_free(c->in, TRUE);
	if (c->reply)
		g_string_free(c->reply, TRUE);
	g_free(c);
}

static gboolean on_idle(gpointer data)
{
	struct client *c = data;

	c->idle = 0;
	if (c->state == CLIENT_RUNNING)
		return G_SOURCE_REMOVE;	/* the verb's own timeout governs */
	if (c->state == CLIENT_WRITING)
		c->ctl->stats.dropped_slow++;
	else
		c->ctl->stats.dropped_idle++;
	client_free(c);
	return G_SOURCE_REMOVE;
}

static void client_touch(struct client *c)
{
	if (c->idle)
		g_source_remove(c->idle);
	c->idle = g_timeout_add(ENL_CTL_IDLE_MS, on_idle, c);
}

static gboolean on_writable(gint fd, GIOCondition cond, gpointer data)
{
	struct client *c = data;

	(void)cond;
	while (c->sent < c->reply->len) {
		ssize_t n = send(fd, c->reply->str + c->sent,
				 c->reply->len - c->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			client_touch(c);
			return G_SOURCE_CONTINUE;
		}
		if (n <= 0)
			break;	/* the client went away: nothing to tell it */
		c->sent += (size_t)n;
	}
	c->source = 0;
	client_free(c);
	return G_SOURCE_REMOVE;
}

static void client_reply(struct client *c, GString *reply)
{
	c->reply = reply;
	if (reply->len > ENL_CTL_REPLY_MAX) {
		g_autofree char *why = g_strdup_printf(
			"reply too large (%zu bytes, at most %u)", reply->len,
			ENL_CTL_REPLY_MAX);
		bool json = reply->str[0] == '{';

		c->ctl->stats.replies_too_large++;
		g_string_truncate(reply, 0);
		reply_error(reply, json, NULL, why);
	}
	c->state = CLIENT_WRITING;
	c->source = g_unix_fd_add(c->fd, G_IO_OUT, on_writable, c);
	client_touch(c);
}

static gboolean on_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct client *c = data;
	g_autoptr(GString) why = g_string_new(NULL);
	g_auto(GStrv) argv = NULL;
	GString *reply;
	int argc, rc;
	ssize_t n;

	(void)cond;
	g_string_set_size(c->in, c->in->len + CTL_READ_CHUNK);
	n = read(fd, c->in->str + c->in->len - CTL_READ_CHUNK, CTL_READ_CHUNK);
	g_string_set_size(c->in, c->in->len - CTL_READ_CHUNK +
			  (size_t)(n > 0 ? n : 0));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n < 0) {
		c->source = 0;
		client_free(c);
		return G_SOURCE_REMOVE;
	}
	rc = enl_ctl_frame_decode(c->in->str, c->in->len, n == 0, &argc,
				  &argv, why);
	if (rc == 0) {
		client_touch(c);
		return G_SOURCE_CONTINUE;
	}
	/* One request per connection: stop reading, the reply is next. */
	c->source = 0;
	c->state = CLIENT_RUNNING;
	reply = g_string_new(NULL);
	if (rc < 0) {
		c->ctl->stats.bad_requests++;
		reply_error(reply, c->in->len > 1 && c->in->str[0] == '\0' &&
				   g_str_has_prefix(c->in->str + 1, "6:--json"),
			    NULL, why->str);
	} else {
		enl_ctl_dispatch_argv(c->ctl, argc, argv, reply);
	}
	client_reply(c, reply);
	return G_SOURCE_REMOVE;
}

static gboolean on_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct enl_ctl *ctl = data;
	struct client *c;
	int sock;

	(void)cond;
	sock = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (sock < 0)
		return G_SOURCE_CONTINUE;
	if (g_list_length(ctl->clients) >= ENL_CTL_CLIENTS_MAX) {
		static const char busy[] = "error: busy (too many ctl clients)\n";

		ctl->stats.refused_busy++;
		(void)!send(sock, busy, sizeof(busy) - 1,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
		close(sock);
		return G_SOURCE_CONTINUE;
	}
	c = g_new0(struct client, 1);
	c->ctl = ctl;
	c->fd = sock;
	c->in = g_string_new(NULL);
	c->source = g_unix_fd_add(sock, G_IO_IN | G_IO_HUP | G_IO_ERR,
				  on_readable, c);
	client_touch(c);
	ctl->clients = g_list_prepend(ctl->clients, c);
	return G_SOURCE_CONTINUE;
}

void enl_ctl_get_stats(struct enl_ctl *ctl, struct enl_ctl_stats *st)
{
	*st = ctl->stats;
}

char *enl_ctl_default_path(void)
{
	const char *rt = g_getenv("XDG_RUNTIME_DIR");

	if (rt && *rt)
		return g_build_filename(rt, "enl-host.sock", NULL);
	return g_strdup("/run/enlighten/enl-host.sock");
}

/* A socket file nobody answers on is left over from a dead enl-host. */
static int claim_path(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	if (errno == ECONNREFUSED)
		unlink(sa->sun_path);
	return 0;
}

struct enl_ctl *enl_ctl_new_offline(void)
{
	struct enl_ctl *ctl = g_new0(struct enl_ctl, 1);

	ctl->listen_fd = -1;
	ctl->verbs = g_ptr_array_new_with_free_func(verb_free);
	enl_ctl_add(ctl, "help", ctl_help, ctl,
		    "help: list the verbs (offline: enl-host ctl --help)");
	return ctl;
}

struct enl_ctl *enl_ctl_new(const char *path, int *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	g_autofree char *dir = g_path_get_dirname(path);
	struct enl_ctl *ctl;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	strcpy(sa.sun_path, path);
	g_mkdir_with_parents(dir, 0755);
	*err = claim_path(&sa);
	if (*err)
		return NULL;
	ctl = enl_ctl_new_offline();
	ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
				SOCK_NONBLOCK, 0);
	if (ctl->listen_fd < 0 ||
	    bind(ctl->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ctl->listen_fd, 8) < 0) {
		*err = -errno;
		enl_ctl_free(ctl);
		return NULL;
	}
	/* Control can stop the guest: owner (and root) only. */
	chmod(path, 0600);
	ctl->path = g_strdup(path);
	ctl->listen_source = g_unix_fd_add(ctl->listen_fd, G_IO_IN, on_accept,
					   ctl);
	*err = 0;
	return ctl;
}

void enl_ctl_free(struct enl_ctl *ctl)
{
	if (!ctl)
		return;
	while (ctl->clients)
		client_free(ctl->clients->data);
	if (ctl->listen_source)
		g_source_remove(ctl->listen_source);
	if (ctl->listen_fd >= 0)
		close(ctl->listen_fd);
	if (ctl->path)
		unlink(ctl->path);
	g_ptr_array_free(ctl->verbs, TRUE);
	g_free(ctl->path);
	g_free(ctl);
}
