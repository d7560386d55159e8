/* SPDX-License-Identifier: GPL-2.0-only */
/* `enl-host ctl verb args...`: one request to the control socket. */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_REPLY_TIMEOUT_S	30

int enl_ctl_client(const char *path, int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = CTL_REPLY_TIMEOUT_S };
	g_autoptr(GString) req = g_string_new(NULL);
	g_autoptr(GString) reply = g_string_new(NULL);
	char buf[4096];
	ssize_t n;
	int fd, i;

	if (argc < 1) {
		fprintf(stderr, "enl-host ctl: missing verb (try: enl-host ctl help)\n");
		return 2;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "enl-host ctl: socket path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, path);
	for (i = 0; i < argc; i++) {
		g_autofree char *q = g_shell_quote(argv[i]);

		g_string_append_printf(req, "%s%s", i ? " " : "", q);
	}
	g_string_append_c(req, '\n');
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "enl-host ctl: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 2;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, req->str, req->len, MSG_NOSIGNAL) != (ssize_t)req->len) {
		fprintf(stderr, "enl-host ctl: send: %s\n", strerror(errno));
		close(fd);
		return 2;
	}
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		g_string_append_len(reply, buf, n);
	if (n < 0)
		fprintf(stderr, "enl-host ctl: read: %s\n", strerror(errno));
	close(fd);
	fwrite(reply->str, 1, reply->len, stdout);
	if (!g_str_has_prefix(reply->str, "ok"))
		return reply->len ? 1 : 2;
	return 0;
}
