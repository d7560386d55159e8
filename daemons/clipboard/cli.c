// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-clip copy|paste|targets [--type T]: the clipboard shared with the
 * host, for shells and scripts (copy reads stdin, paste writes stdout),
 * through enl-clipboardd's socket (userproto.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib.h>

#include "unixsock.h"
#include "userproto.h"

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Everything the daemon sends until it closes. */
static GByteArray *read_all(int fd)
{
	GByteArray *a = g_byte_array_new();
	uint8_t buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		g_byte_array_append(a, buf, (guint)n);
	}
	return a;
}

static GByteArray *read_stdin(void)
{
	return read_all(STDIN_FILENO);
}

/* Split the reply into its line and payload; 0, or 1 after printing ERR. */
static int status_line(GByteArray *r, size_t *body_off)
{
	uint8_t *nl = memchr(r->data, '\n', r->len);

	if (!nl) {
		fprintf(stderr, "enl-clip: no answer from enl-clipboardd\n");
		return 1;
	}
	*body_off = (size_t)(nl - r->data) + 1;
	if (r->len >= 2 && !memcmp(r->data, "OK", 2))
		return 0;
	fprintf(stderr, "enl-clip: %.*s\n", (int)(nl - r->data),
		(const char *)r->data + (r->len > 4 ? 4 : 0));
	return 1;
}

int main(int argc, char **argv)
{
	g_autofree char *type = NULL, *sock = NULL;
	const GOptionEntry opts[] = {
		{ "type", 't', 0, G_OPTION_ARG_STRING, &type,
		  "Format: text (default), png, html, uri-list or a MIME type",
		  "T" },
		{ "socket", 's', 0, G_OPTION_ARG_FILENAME, &sock,
		  "enl-clipboardd's socket (default " ENL_CLIPD_SOCKET_DEFAULT ")",
		  "PATH" },
		{ NULL }
	};
	GOptionContext *oc = g_option_context_new("copy|paste|targets");
	g_autoptr(GByteArray) in = NULL;
	g_autoptr(GByteArray) r = NULL;
	g_autoptr(GError) err = NULL;
	char line[ENL_CLIPD_LINE_MAX];
	size_t off;
	int fd, rc;

	g_option_context_set_summary(oc, "The clipboard shared with the "
				     "Hyper-V host: copy reads stdin, paste "
				     "writes stdout.");
	g_option_context_add_main_entries(oc, opts, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err) || argc != 2) {
		fprintf(stderr, "enl-clip: %s (try --help)\n",
			err ? err->message : "copy, paste or targets?");
		g_option_context_free(oc);
		return 2;
	}
	g_option_context_free(oc);
	if (!type)
		type = g_strdup("text");
	if (!sock)
		sock = g_strdup(g_getenv("ENL_CLIP_SOCKET") ?
				g_getenv("ENL_CLIP_SOCKET") :
				ENL_CLIPD_SOCKET_DEFAULT);
	if (!strcmp(argv[1], "copy")) {
		in = read_stdin();
		snprintf(line, sizeof(line), "COPY %s %u\n", type, in->len);
	} else if (!strcmp(argv[1], "paste")) {
		snprintf(line, sizeof(line), "PASTE %s\n", type);
	} else if (!strcmp(argv[1], "targets")) {
		snprintf(line, sizeof(line), "TARGETS\n");
	} else {
		fprintf(stderr, "enl-clip: unknown command %s\n", argv[1]);
		return 2;
	}
	/* A refusing daemon hangs up early: read its ERR line, not die. */
	signal(SIGPIPE, SIG_IGN);
	fd = enl_unix_connect(sock, SOCK_STREAM);
	if (fd < 0) {
		fprintf(stderr, "enl-clip: %s: %s (is enl-clipboardd running?)\n",
			sock, strerror(errno));
		return 1;
	}
	if (!write_all(fd, line, strlen(line)) ||
	    (in && !write_all(fd, in->data, in->len))) {
		/* The daemon may have refused us: its answer says why. */
		fprintf(stderr, "enl-clip: send: %s\n", strerror(errno));
	}
	shutdown(fd, SHUT_WR);
	r = read_all(fd);
	close(fd);
	rc = status_line(r, &off);
	if (rc)
		return rc;
	if (strcmp(argv[1], "copy") &&
	    !write_all(STDOUT_FILENO, r->data + off, r->len - off)) {
		fprintf(stderr, "enl-clip: write: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
