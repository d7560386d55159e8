/* SPDX-License-Identifier: GPL-2.0-only */
/* `enl-host ctl [--json] verb args...`: one request to the control socket. */
#include "ctl.h"
#include "frame.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_REPLY_TIMEOUT_S	30

static bool send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

int enl_ctl_client(const char *path, int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = CTL_REPLY_TIMEOUT_S };
	g_autoptr(GString) req = g_string_new(NULL);
	g_autoptr(GString) reply = g_string_new(NULL);
	bool json = argc > 0 && !strcmp(argv[0], "--json");
	char buf[65536];
	ssize_t n;
	int fd;

	if (argc < 1 + json) {
		fprintf(stderr, "enl-host ctl: missing verb (try: enl-host ctl --help)\n");
		return 2;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "enl-host ctl: socket path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, path);
	enl_ctl_frame_encode(req, argc, argv);
	if (req->len > ENL_CTL_REQ_MAX || argc > ENL_CTL_ARGS_MAX) {
		fprintf(stderr, "enl-host ctl: request too long\n");
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "enl-host ctl: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 2;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!send_all(fd, req->str, req->len)) {
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
	if (!reply->len)
		return 2;
	/* The envelope puts "ok" first in both forms (ctl.h). */
	if (!g_str_has_prefix(reply->str, json ? "{\"ok\":true" : "ok\n"))
		return 1;
	return 0;
}
