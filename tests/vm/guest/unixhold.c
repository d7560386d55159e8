// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-unixhold: hold connections to a UNIX stream socket and report what
 * the server does with them, for tests/vm/test_clipboard.py (idle timeout,
 * per-user connection limit). Usage: enl-unixhold PATH N SECONDS [REQUEST]
 * opens N connections, sends REQUEST and a newline on each (nothing when
 * absent), then for SECONDS prints "<i> <ms> <line>" for each line a
 * connection receives and "<i> <ms> EOF" when the server closes it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONN	64

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd p[MAX_CONN];
	char line[MAX_CONN][256];
	size_t len[MAX_CONN] = { 0 };
	int n, secs;
	long t0, end;

	if (argc < 4 || argc > 5 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: enl-unixhold PATH N SECONDS [REQUEST]\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	n = atoi(argv[2]);
	secs = atoi(argv[3]);
	if (n < 1 || n > MAX_CONN || secs < 1)
		return 2;
	t0 = now_ms();
	for (int i = 0; i < n; i++) {
		p[i].fd = socket(AF_UNIX, SOCK_STREAM, 0);
		p[i].events = POLLIN;
		if (p[i].fd < 0 || connect(p[i].fd, (struct sockaddr *)&sa,
					   sizeof(sa)) < 0) {
			fprintf(stderr, "connect %d: %s\n", i, strerror(errno));
			return 1;
		}
		if (argc == 5 && (send(p[i].fd, argv[4], strlen(argv[4]),
				       MSG_NOSIGNAL) < 0 ||
				  send(p[i].fd, "\n", 1, MSG_NOSIGNAL) < 0))
			printf("%d %ld send failed\n", i, now_ms() - t0);
	}
	end = t0 + secs * 1000L;
	while (now_ms() < end) {
		if (poll(p, (nfds_t)n, (int)(end - now_ms())) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			char c;
			ssize_t r;

			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = recv(p[i].fd, &c, 1, 0);
			if (r <= 0) {
				printf("%d %ld EOF\n", i, now_ms() - t0);
				close(p[i].fd);
				p[i].fd = -1;
			} else if (c == '\n' || len[i] + 1 >= sizeof(line[i])) {
				line[i][len[i]] = 0;
				printf("%d %ld %s\n", i, now_ms() - t0, line[i]);
				len[i] = 0;
			} else {
				line[i][len[i]++] = c;
			}
			fflush(stdout);
		}
	}
	return 0;
}
