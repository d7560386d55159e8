/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QMP listener: accept QEMU's monitor connection, leave capabilities
 * negotiation, and record SHUTDOWN events. QEMU's own JSON output is the
 * only input, so a small string scan is enough; nothing else is parsed.
 */
#include "qmp.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>

#define QMP_LINE_MAX	65536

struct enl_qmp {
	char *path;
	int listen_fd;
	guint listen_source;
	int fd;
	guint source;
	GString *buf;
	char *shutdown_reason;
	void (*connected)(void *ctx);
	void *ctx;
};

char *enl_qmp_json_string(const char *line, const char *key)
{
	g_autofree char *quoted = g_strdup_printf("\"%s\"", key);
	const char *p = strstr(line, quoted), *end;

	if (!p)
		return NULL;
	p += strlen(quoted);
	while (*p == ' ' || *p == ':')
		p++;
	if (*p != '"')
		return NULL;
	end = strchr(++p, '"');
	return end ? g_strndup(p, (gsize)(end - p)) : NULL;
}

static void handle_line(struct enl_qmp *qmp, const char *line)
{
	g_autofree char *event = enl_qmp_json_string(line, "event");

	if (event && !strcmp(event, "SHUTDOWN")) {
		g_free(qmp->shutdown_reason);
		qmp->shutdown_reason = enl_qmp_json_string(line, "reason");
	}
}

static void close_conn(struct enl_qmp *qmp)
{
	if (qmp->source)
		g_source_remove(qmp->source);
	qmp->source = 0;
	if (qmp->fd >= 0)
		close(qmp->fd);
	qmp->fd = -1;
}

static gboolean on_data(gint fd, GIOCondition cond, gpointer data)
{
	struct enl_qmp *qmp = data;
	char chunk[4096], *nl;
	ssize_t n;

	(void)cond;
	n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		qmp->source = 0;
		close_conn(qmp);
		return G_SOURCE_REMOVE;
	}
	g_string_append_len(qmp->buf, chunk, n);
	while ((nl = memchr(qmp->buf->str, '\n', qmp->buf->len))) {
		*nl = '\0';
		handle_line(qmp, qmp->buf->str);
		g_string_erase(qmp->buf, 0, nl - qmp->buf->str + 1);
	}
	if (qmp->buf->len > QMP_LINE_MAX)
		g_string_truncate(qmp->buf, 0);
	return G_SOURCE_CONTINUE;
}

static gboolean on_accept(gint fd, GIOCondition cond, gpointer data)
{
	static const char caps[] = "{\"execute\": \"qmp_capabilities\"}\n";
	struct enl_qmp *qmp = data;
	int sock;

	(void)cond;
	sock = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (sock < 0)
		return G_SOURCE_CONTINUE;
	if (qmp->fd >= 0) {
		close(sock);
		return G_SOURCE_CONTINUE;
	}
	/* Events flow only after capabilities negotiation; QEMU queues this. */
	if (send(sock, caps, sizeof(caps) - 1, MSG_NOSIGNAL) < 0) {
		close(sock);
		return G_SOURCE_CONTINUE;
	}
	qmp->fd = sock;
	/* QEMU is connected: the name has served (the run dir can go). */
	unlink(qmp->path);
	qmp->source = g_unix_fd_add(sock, G_IO_IN | G_IO_HUP | G_IO_ERR,
				    on_data, qmp);
	if (qmp->connected)
		qmp->connected(qmp->ctx);
	return G_SOURCE_CONTINUE;
}

struct enl_qmp *enl_qmp_new(const char *path, void (*connected)(void *ctx),
			    void *ctx, int *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct enl_qmp *qmp;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	strcpy(sa.sun_path, path);
	qmp = g_new0(struct enl_qmp, 1);
	qmp->fd = -1;
	qmp->buf = g_string_new(NULL);
	qmp->connected = connected;
	qmp->ctx = ctx;
	qmp->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
				SOCK_NONBLOCK, 0);
	unlink(path);
	if (qmp->listen_fd < 0 ||
	    bind(qmp->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(qmp->listen_fd, 2) < 0) {
		*err = -errno;
		enl_qmp_free(qmp);
		return NULL;
	}
	qmp->path = g_strdup(path);
	qmp->listen_source = g_unix_fd_add(qmp->listen_fd, G_IO_IN, on_accept,
					   qmp);
	*err = 0;
	return qmp;
}

void enl_qmp_free(struct enl_qmp *qmp)
{
	if (!qmp)
		return;
	close_conn(qmp);
	if (qmp->listen_source)
		g_source_remove(qmp->listen_source);
	if (qmp->listen_fd >= 0)
		close(qmp->listen_fd);
	if (qmp->path)
		unlink(qmp->path);
	g_string_free(qmp->buf, TRUE);
	g_free(qmp->shutdown_reason);
	g_free(qmp->path);
	g_free(qmp);
}

void enl_qmp_drain(struct enl_qmp *qmp)
{
	/* on_data closes the connection on EOF, which ends the loop. */
	while (qmp->fd >= 0) {
		char c;

		if (recv(qmp->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
		    errno == EAGAIN)
			break;
		on_data(qmp->fd, G_IO_IN, qmp);
	}
}

const char *enl_qmp_shutdown_reason(const struct enl_qmp *qmp)
{
	return qmp->shutdown_reason;
}
