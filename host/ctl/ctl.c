/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Control socket server: one request line per connection ("verb args",
 * shell-quoted), one reply ("ok" or "error: why", then the body), close.
 * Verbs run on the main loop, so they see the host in a consistent state.
 */
#include "ctl.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#define CTL_LINE_MAX	4096
#define CTL_SEND_TIMEOUT_S	2

struct verb {
	char *name;
	enl_ctl_fn fn;
	void *ctx;
	char *usage;
};

struct enl_ctl {
	char *path;
	int listen_fd;
	guint listen_source;
	GPtrArray *verbs;	/* struct verb, in registration order */
	GList *clients;
};

struct client {
	struct enl_ctl *ctl;
	int fd;
	guint source;
	GString *in;
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

void enl_ctl_register(struct enl_ctl *ctl, const char *verb, enl_ctl_fn fn,
		      void *ctx, const char *usage)
{
	struct verb *v = find_verb(ctl, verb);

	if (!v) {
		v = g_new0(struct verb, 1);
		v->name = g_strdup(verb);
		g_ptr_array_add(ctl->verbs, v);
	}
	/* A later registration replaces an earlier one of the same name. */
	v->fn = fn;
	v->ctx = ctx;
	g_free(v->usage);
	v->usage = g_strdup(usage ? usage : verb);
}

static int ctl_help(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_ctl *ctl = ctx;
	guint i;

	(void)argc;
	(void)argv;
	for (i = 0; i < ctl->verbs->len; i++) {
		struct verb *v = g_ptr_array_index(ctl->verbs, i);

		g_string_append_printf(out, "%s\n", v->usage);
	}
	return 0;
}

void enl_ctl_dispatch(struct enl_ctl *ctl, const char *line, GString *reply)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) body = g_string_new(NULL);
	g_auto(GStrv) argv = NULL;
	struct verb *v;
	int argc, rc;

	if (!g_shell_parse_argv(line, &argc, &argv, &error)) {
		g_string_append_printf(reply, "error: cannot parse request: %s\n",
				       error->message);
		return;
	}
	v = find_verb(ctl, argv[0]);
	if (!v) {
		g_string_append_printf(reply, "error: unknown verb '%s' (try help)\n",
				       argv[0]);
		return;
	}
	{
		/*
		 * Verbs get their own array of pointers: they may drop or
		 * reorder options in it, while argv keeps every string once
		 * for g_strfreev.
		 */
		g_autofree char **args = g_memdup2(argv, (argc + 1) * sizeof(*argv));

		rc = v->fn(v->ctx, argc, args, body);
	}
	if (rc < 0) {
		/* The body, when there is one, is the better explanation. */
		if (body->len) {
			g_string_append(reply, "error: ");
			g_string_append(reply, body->str);
		} else {
			g_string_append_printf(reply, "error: %s\n",
					       g_strerror(-rc));
		}
	} else {
		g_string_append(reply, "ok\n");
		g_string_append(reply, body->str);
	}
	if (reply->len && reply->str[reply->len - 1] != '\n')
		g_string_append_c(reply, '\n');
}

static void client_free(struct client *c)
{
	c->ctl->clients = g_list_remove(c->ctl->clients, c);
	if (c->source)
		g_source_remove(c->source);
	close(c->fd);
	g_string_free(c->in, TRUE);
	g_free(c);
}

static void send_all(int fd, const char *buf, size_t len)
{
	struct timeval tv = { .tv_sec = CTL_SEND_TIMEOUT_S };

	/* Replies are small: a blocking send with a timeout keeps this simple. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	g_unix_set_fd_nonblocking(fd, FALSE, NULL);
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static gboolean on_client(gint fd, GIOCondition cond, gpointer data)
{
	struct client *c = data;
	g_autoptr(GString) reply = g_string_new(NULL);
	char chunk[512], *nl;
	ssize_t n;

	(void)cond;
	n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n > 0)
		g_string_append_len(c->in, chunk, n);
	nl = memchr(c->in->str, '\n', c->in->len);
	if (!nl && c->in->len > CTL_LINE_MAX) {
		g_string_append(reply, "error: request too long\n");
	} else if (nl || n == 0) {
		if (nl)
			g_string_truncate(c->in, nl - c->in->str);
		if (strlen(c->in->str) != c->in->len)
			g_string_append(reply, "error: NUL in request\n");
		else if (c->in->len)
			enl_ctl_dispatch(c->ctl, c->in->str, reply);
		else
			g_string_append(reply, "error: empty request\n");
	} else if (n < 0) {
		c->source = 0;
		client_free(c);
		return G_SOURCE_REMOVE;
	} else {
		return G_SOURCE_CONTINUE;
	}
	send_all(fd, reply->str, reply->len);
	c->source = 0;
	client_free(c);
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
	c = g_new0(struct client, 1);
	c->ctl = ctl;
	c->fd = sock;
	c->in = g_string_new(NULL);
	c->source = g_unix_fd_add(sock, G_IO_IN | G_IO_HUP | G_IO_ERR,
				  on_client, c);
	ctl->clients = g_list_prepend(ctl->clients, c);
	return G_SOURCE_CONTINUE;
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
	ctl = g_new0(struct enl_ctl, 1);
	ctl->verbs = g_ptr_array_new_with_free_func(verb_free);
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
	enl_ctl_register(ctl, "help", ctl_help, ctl, "help: list the verbs");
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
