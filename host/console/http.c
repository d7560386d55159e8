// SPDX-License-Identifier: GPL-2.0-only
/* The browser console's static HTTP server (http.h). */
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* A request line and headers; noVNC's are far shorter. */
#define REQ_MAX		8192
/* How long a client may take to send its request or take our answer. */
#define IO_TIMEOUT_S	5
#define POLL_MS		200

struct enl_http {
	int fd;
	char *dir;
	GThread *thread;
	gint stop;
	gint served, refused;
};

static const struct {
	const char *ext, *type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "application/javascript" },
	{ ".css", "text/css" },
	{ ".json", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".woff", "font/woff" },
	{ ".ttf", "font/ttf" },
	{ ".mp3", "audio/mpeg" },
	{ ".oga", "audio/ogg" },
};

static const char *content_type(const char *path)
{
	for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
		if (g_str_has_suffix(path, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static bool send_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return false;
		}
		p += w;
		n -= w;
	}
	return true;
}

static void send_status(int fd, const char *status)
{
	g_autofree char *r = g_strdup_printf("HTTP/1.0 %s\r\nContent-Type: text/plain\r\n"
					     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
					     status, strlen(status) + 1, status);

	send_all(fd, r, strlen(r));
}

/*
 * The file a request path names, or NULL: absolute, no "..", no escapes
 * (noVNC's names need none), the query dropped; "/" is vnc.html.
 */
static char *file_for(const struct enl_http *h, const char *path)
{
	g_autofree char *p = g_strndup(path, strcspn(path, "?#"));

	if (p[0] != '/' || strstr(p, "..") || strchr(p, '%') ||
	    strchr(p, '\\'))
		return NULL;
	if (!strcmp(p, "/"))
		return g_build_filename(h->dir, "vnc.html", NULL);
	return g_build_filename(h->dir, p + 1, NULL);
}

/* Read up to the blank line ending the headers; false if it never came. */
static bool read_request(int fd, char *buf, size_t size)
{
	size_t len = 0;

	while (len < size - 1) {
		ssize_t r = recv(fd, buf + len, size - 1 - len, 0);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return false;
		}
		len += r;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return true;
	}
	return false;
}

/* One connection: one request, one answer. True if a file went out. */
static bool serve(struct enl_http *h, int fd)
{
	char req[REQ_MAX], method[8], path[1024], buf[65536];
	g_autofree char *file = NULL, *head = NULL;
	struct stat st;
	bool ok = false;
	int in = -1;
	ssize_t n;

	if (!read_request(fd, req, sizeof(req)) ||
	    sscanf(req, "%7s %1023s HTTP/1.", method, path) != 2) {
		send_status(fd, "400 Bad Request");
		return false;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		send_status(fd, "405 Method Not Allowed");
		return false;
	}
	file = file_for(h, path);
	if (file)
		in = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (in < 0 || fstat(in, &st) || !S_ISREG(st.st_mode)) {
		send_status(fd, "404 Not Found");
		goto out;
	}
	head = g_strdup_printf("HTTP/1.0 200 OK\r\nContent-Type: %s\r\n"
			       "Content-Length: %lld\r\nCache-Control: no-cache\r\n"
			       "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
			       content_type(file), (long long)st.st_size);
	if (!send_all(fd, head, strlen(head)))
		goto out;
	ok = true;
	if (!strcmp(method, "HEAD"))
		goto out;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (!send_all(fd, buf, n)) {
			ok = false;
			break;
		}
out:
	if (in >= 0)
		close(in);
	return ok;
}

static gpointer http_thread(gpointer data)
{
	struct enl_http *h = data;
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	while (!g_atomic_int_get(&h->stop)) {
		struct pollfd p = { .fd = h->fd, .events = POLLIN };
		int c;

		if (poll(&p, 1, POLL_MS) <= 0)
			continue;
		c = accept4(h->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (serve(h, c))
			g_atomic_int_inc(&h->served);
		else
			g_atomic_int_inc(&h->refused);
		/* Let the answer drain before the close. */
		shutdown(c, SHUT_WR);
		close(c);
	}
	return NULL;
}

struct enl_http *enl_http_new(in_addr_t addr, int port, const char *dir,
			      GString *err)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = addr,
	};
	struct enl_http *h;
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 32)) {
		g_string_append_printf(err, "--vnc-web: cannot listen on port %d: %s\n",
				       port, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	h = g_new0(struct enl_http, 1);
	h->fd = fd;
	h->dir = g_strdup(dir);
	h->thread = g_thread_new("enl-vnc-http", http_thread, h);
	return h;
}

void enl_http_free(struct enl_http *h)
{
	if (!h)
		return;
	g_atomic_int_set(&h->stop, 1);
	g_thread_join(h->thread);
	close(h->fd);
	g_free(h->dir);
	g_free(h);
}

void enl_http_counts(struct enl_http *h, uint64_t *served, uint64_t *refused)
{
	*served = (uint64_t)g_atomic_int_get(&h->served);
	*refused = (uint64_t)g_atomic_int_get(&h->refused);
}
