// SPDX-License-Identifier: GPL-2.0-only
/* enl-clipboardd's local socket: one request per connection (users.h). */
#include "users.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>
#include <systemd/sd-login.h>

#include "clip_format.h"
#include "log.h"
#include "userproto.h"

struct client {
	struct enl_clipd_users *u;
	int fd;
	guint watch;
	uid_t uid;
	GString *line;		/* the request line, until its newline */
	bool have_line;
	uint32_t format;
	size_t want;		/* COPY: body bytes still expected */
	GByteArray *body;
	GByteArray *out;	/* the reply */
	size_t out_off;
	bool waiting;		/* for a paste from the host */
	bool watching;		/* sent WATCH: hand over to watch.c */
	guint idle;		/* idle-timeout timer */
};

static unsigned int idle_s(const struct enl_clipd_users *u)
{
	return u->conf->idle_timeout_s ? u->conf->idle_timeout_s :
	       ENL_CLIPD_IDLE_DEFAULT_S;
}

/* The policy for uid as of now (the seat's session may have changed). */
static bool allowed_now(struct enl_clipd_users *u, uid_t uid,
			const char **why)
{
	return enl_clipd_allowed(u->conf, u->seat, uid, why);
}

static void client_free(struct client *c)
{
	struct enl_clipd_users *u = c->u;

	if (c->waiting)
		enl_clipd_forget(u->d, c);
	u->clients = g_list_remove(u->clients, c);
	if (c->idle)
		g_source_remove(c->idle);
	if (c->watch)
		g_source_remove(c->watch);
	if (c->fd >= 0)
		close(c->fd);
	g_string_free(c->line, TRUE);
	if (c->body)
		g_byte_array_free(c->body, TRUE);
	if (c->out)
		g_byte_array_free(c->out, TRUE);
	g_free(c);
}

static gboolean on_writable(gint fd, GIOCondition cond, gpointer data)
{
	struct client *c = data;
	ssize_t n;

	(void)cond;
	while (c->out_off < c->out->len) {
		n = send(fd, c->out->data + c->out_off,
			 c->out->len - c->out_off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return G_SOURCE_CONTINUE;
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
	}
	c->watch = 0;
	client_free(c);
	return G_SOURCE_REMOVE;
}

/* Queue the reply (line, then data) and switch to writing it out. */
static void reply(struct client *c, const char *line, const uint8_t *data,
		  size_t len)
{
	c->out = g_byte_array_sized_new((guint)(strlen(line) + len));
	g_byte_array_append(c->out, (const guint8 *)line, (guint)strlen(line));
	if (len)
		g_byte_array_append(c->out, data, (guint)len);
	if (c->watch)
		g_source_remove(c->watch);
	c->watch = g_unix_fd_add(c->fd, G_IO_OUT, on_writable, c);
}

static void reply_err(struct client *c, const char *why)
{
	char line[ENL_CLIPD_LINE_MAX];

	snprintf(line, sizeof(line), "ERR %s\n", why);
	reply(c, line, NULL, 0);
}

/* The peer lost access since it connected: refused, counted, logged. */
static bool still_allowed(struct client *c)
{
	const char *why;

	if (allowed_now(c->u, c->uid, &why))
		return true;
	c->u->refused++;
	enl_log_rl(LOG_NOTICE, "clipboard: refused uid %ld at its request: %s",
		   (long)c->uid, why);
	reply_err(c, "permission denied");
	return false;
}

static void on_pasted(void *ctx, const uint8_t *data, size_t len,
		      const char *error)
{
	struct client *c = ctx;
	char line[64];

	c->waiting = false;
	/* What the host sent goes only to a user who may still have it. */
	if (!still_allowed(c))
		return;
	if (!data) {
		reply_err(c, error ? error : "paste failed");
		return;
	}
	snprintf(line, sizeof(line), "OK %zu\n", len);
	reply(c, line, data, len);
}

static void do_targets(struct client *c)
{
	uint32_t f[ENL_CLIP_MAX_FORMATS];
	uint64_t sz[ENL_CLIP_MAX_FORMATS];
	size_t n = enl_clipd_targets(c->u->d, f, sz, ENL_CLIP_MAX_FORMATS);
	g_autoptr(GString) s = g_string_new(NULL);

	g_string_append_printf(s, "OK %zu\n", n);
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(s, "%s %llu\n",
				       enl_clip_format_name(f[i]),
				       (unsigned long long)sz[i]);
	reply(c, s->str, NULL, 0);
}

static void do_paste(struct client *c)
{
	int ret = enl_clipd_paste(c->u->d, c->format, on_pasted, c);

	if (ret == -ENOENT)
		reply_err(c, "the clipboard holds no such format");
	else if (ret == -EBUSY)
		reply_err(c, "another format is being fetched; try again");
	else if (ret == -ENOTCONN)
		reply_err(c, "the host's clipboard channel is not up");
	else if (ret < 0)
		reply_err(c, g_strerror(-ret));
	else if (!c->out)
		/* Not answered from our own copy: wait for the host. */
		c->waiting = true;
}

static void do_copy(struct client *c)
{
	int ret = enl_clipd_copy(c->u->d, c->format, c->body->data,
				 c->body->len);

	if (ret == -EINVAL)
		reply_err(c, "not valid for its format");
	else if (ret < 0)
		reply_err(c, g_strerror(-ret));
	else
		reply(c, "OK\n", NULL, 0);
}

/* The request line is complete: parse and act (or await a COPY body). */
static void request(struct client *c)
{
	char verb[16], fmt[128];
	unsigned long long len = 0;
	int n = sscanf(c->line->str, "%15s %127s %llu", verb, fmt, &len);

	if (!still_allowed(c))
		return;
	if (n == 1 && !strcmp(verb, "TARGETS")) {
		do_targets(c);
		return;
	}
	if (n == 1 && !strcmp(verb, "WATCH")) {
		c->watching = true;
		return;
	}
	if (n >= 2)
		c->format = enl_clip_format_from_name(fmt);
	if (n < 2 || !c->format) {
		c->u->bad_requests++;
		reply_err(c, "bad request");
	} else if (n == 2 && !strcmp(verb, "PASTE")) {
		do_paste(c);
	} else if (n == 3 && !strcmp(verb, "COPY")) {
		if (len > c->u->d->e.cap) {
			reply_err(c, "larger than max-size-mib");
			return;
		}
		c->want = (size_t)len;
		c->body = g_byte_array_sized_new((guint)c->want);
		if (!c->want)
			do_copy(c);
	} else {
		c->u->bad_requests++;
		reply_err(c, "bad request");
	}
}

/* Take bytes: first the line, then a COPY body. false: stop reading. */
static bool take(struct client *c, const uint8_t *p, size_t n)
{
	if (!c->have_line) {
		const uint8_t *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;

		g_string_append_len(c->line, (const char *)p, (gssize)k);
		if (c->line->len >= ENL_CLIPD_LINE_MAX ||
		    strlen(c->line->str) != c->line->len) {
			c->u->bad_requests++;
			reply_err(c, "bad request");
			return false;
		}
		if (!nl)
			return true;
		c->have_line = true;
		request(c);
		if (!c->body || c->out)
			return false;
		p += k + 1;
		n -= k + 1;
	}
	if (n > c->want - c->body->len)
		n = c->want - c->body->len;
	g_byte_array_append(c->body, p, (guint)n);
	if (c->body->len < c->want)
		return true;
	do_copy(c);
	return false;
}

static gboolean on_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct client *c = data;
	uint8_t buf[65536];
	ssize_t n;

	(void)cond;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		/* Gone before its request was complete. */
		c->watch = 0;
		client_free(c);
		return G_SOURCE_REMOVE;
	}
	if (take(c, buf, (size_t)n))
		return G_SOURCE_CONTINUE;
	if (c->out)
		return G_SOURCE_REMOVE;	/* reply() installed the writer */
	if (c->watching) {
		struct enl_clipd_users *u = c->u;
		uid_t uid = c->uid;

		c->fd = -1;	/* the watcher owns it now */
		c->watch = 0;
		client_free(c);
		enl_clipd_watch_add(&u->watchers, u->d, fd, uid);
		return G_SOURCE_REMOVE;
	}
	/* Waiting for the host: watch only for the client hanging up. */
	c->watch = 0;
	c->watch = g_unix_fd_add(fd, G_IO_HUP | G_IO_ERR, on_readable, c);
	return G_SOURCE_REMOVE;
}

/*
 * A client that sends no request, or does not take its reply, must not
 * hold a connection (and its buffers) for good; one waiting for the host's
 * paste is the host's to answer (enl_clipd times that out).
 */
static gboolean on_idle(gpointer data)
{
	struct client *c = data;

	if (c->waiting)
		return G_SOURCE_CONTINUE;
	c->idle = 0;
	c->u->idle_closed++;
	if (!c->out)
		(void)!send(c->fd, "ERR idle timeout\n", 17,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
	client_free(c);
	return G_SOURCE_REMOVE;
}

/* Connections uid holds now: requests under way and watches. */
static unsigned int held_by(const struct enl_clipd_users *u, uid_t uid)
{
	unsigned int n = enl_clipd_watch_count(&u->watchers, uid);

	for (const GList *l = u->clients; l; l = l->next)
		n += ((const struct client *)l->data)->uid == uid;
	return n;
}

static gboolean on_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct enl_clipd_users *u = data;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	const char *why;
	struct client *c;
	int s;

	(void)cond;
	s = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (s < 0)
		return G_SOURCE_CONTINUE;
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
	    !enl_clipd_allowed(u->conf, u->seat, cred.uid, &why)) {
		u->refused++;
		enl_log_rl(LOG_NOTICE, "clipboard: refused uid %ld: %s",
			   clen == sizeof(cred) ? (long)cred.uid : -1L, why);
		/* Best effort: tell it why, then hang up. */
		(void)!send(s, "ERR permission denied\n", 22,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
		close(s);
		return G_SOURCE_CONTINUE;
	}
	if (held_by(u, cred.uid) >= (u->conf->max_per_user ?
				     u->conf->max_per_user :
				     ENL_CLIPD_PER_USER_DEFAULT)) {
		static const char many[] = "ERR too many connections\n";

		u->over_limit++;
		enl_log_rl(LOG_NOTICE, "clipboard: uid %ld holds too many "
			   "connections", (long)cred.uid);
		(void)!send(s, many, sizeof(many) - 1,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
		close(s);
		return G_SOURCE_CONTINUE;
	}
	u->accepted++;
	c = g_new0(struct client, 1);
	c->u = u;
	c->fd = s;
	c->uid = cred.uid;
	c->line = g_string_new(NULL);
	c->watch = g_unix_fd_add(s, G_IO_IN | G_IO_HUP | G_IO_ERR,
				 on_readable, c);
	c->idle = g_timeout_add_seconds(idle_s(u), on_idle, c);
	u->clients = g_list_prepend(u->clients, c);
	return G_SOURCE_CONTINUE;
}

static bool watcher_allowed(void *ctx, uid_t uid)
{
	const char *why;

	return allowed_now(ctx, uid, &why);
}

void enl_clipd_users_recheck(struct enl_clipd_users *u)
{
	unsigned long before = u->watchers.revoked;

	enl_clipd_watch_recheck(&u->watchers, watcher_allowed, u);
	if (u->watchers.revoked != before)
		enl_log(LOG_NOTICE, "clipboard: ended %lu watch(es) of users "
			"no longer allowed", u->watchers.revoked - before);
}

static void on_changed(void *ctx)
{
	struct enl_clipd_users *u = ctx;

	/* Who owns the clipboard is news only for who may still see it. */
	enl_clipd_users_recheck(u);
	enl_clipd_watch_notify(&u->watchers, u->d);
}

/* logind: a session started, ended or changed seat: recheck watchers. */
static gboolean on_seats(gint fd, GIOCondition cond, gpointer data)
{
	struct enl_clipd_users *u = data;

	(void)fd;
	(void)cond;
	sd_login_monitor_flush(u->seats);
	enl_clipd_users_recheck(u);
	return G_SOURCE_CONTINUE;
}

static void watch_seats(struct enl_clipd_users *u)
{
	uid_t uid;

	/* Only where the seat decides anything and logind runs. */
	if (!u->conf->seat_user || !u->seat || u->seat(&uid) == -ENOTSUP ||
	    sd_login_monitor_new("session", &u->seats) < 0) {
		u->seats = NULL;
		return;
	}
	u->seats_watch = g_unix_fd_add(sd_login_monitor_get_fd(u->seats),
				       G_IO_IN, on_seats, u);
}

int enl_clipd_users_open(struct enl_clipd_users *u,
			 const struct enl_clipd_conf *conf,
			 enl_clipd_seat_fn seat, struct enl_clipd *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	g_autofree char *dir = g_path_get_dirname(conf->socket);
	int err;

	memset(u, 0, sizeof(*u));
	u->conf = conf;
	u->seat = seat;
	u->d = d;
	u->fd = -1;
	d->changed = on_changed;
	d->changed_ctx = u;
	if (strlen(conf->socket) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, conf->socket);
	g_mkdir_with_parents(dir, 0755);
	/* Only one enl-clipboardd runs (systemd): a leftover is stale. */
	unlink(conf->socket);
	u->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (u->fd < 0 || bind(u->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(u->fd, 16) < 0) {
		err = -errno;
		enl_clipd_users_close(u);
		return err;
	}
	/* Everyone may connect; SO_PEERCRED decides who is served. */
	chmod(conf->socket, 0666);
	u->watch = g_unix_fd_add(u->fd, G_IO_IN, on_accept, u);
	watch_seats(u);
	return 0;
}

void enl_clipd_users_close(struct enl_clipd_users *u)
{
	while (u->clients)
		client_free(u->clients->data);
	enl_clipd_watch_close(&u->watchers);
	if (u->d && u->d->changed_ctx == u)
		u->d->changed = NULL;
	if (u->watch)
		g_source_remove(u->watch);
	u->watch = 0;
	if (u->seats_watch)
		g_source_remove(u->seats_watch);
	u->seats_watch = 0;
	if (u->seats)
		sd_login_monitor_unref(u->seats);
	u->seats = NULL;
	if (u->fd >= 0) {
		close(u->fd);
		unlink(u->conf->socket);
	}
	u->fd = -1;
}
