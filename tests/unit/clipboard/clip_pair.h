/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A host engine and a guest engine over a SEQPACKET socketpair, for the
 * tests of enl-host's clipboard service: pump() delivers what each sent
 * until both are quiet. One per test program (static state).
 */
#ifndef ENL_TEST_CLIP_PAIR_H
#define ENL_TEST_CLIP_PAIR_H

#include <errno.h>
#include <sys/socket.h>

#include "clipboard_host.h"

static struct enl_clip_host host;
static struct enl_clip guest;
static int hfd, gfd;

static int fd_send(void *ctx, const void *pkt, size_t len)
{
	int fd = *(int *)ctx;

	return send(fd, pkt, len, MSG_DONTWAIT) < 0 ? -errno : 0;
}

static int guest_send(void *ctx, const void *pkt, size_t len)
{
	(void)ctx;
	return fd_send(&gfd, pkt, len);
}

static void pump(void)
{
	static uint8_t buf[ENL_CLIP_MAX_PKT_SIZE];
	ssize_t n;
	int progress;

	do {
		progress = 0;
		while ((n = recv(hfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			enl_clip_host_recv(&host, buf, (size_t)n);
			progress = 1;
		}
		while ((n = recv(gfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			enl_clip_recv(&guest, buf, (size_t)n);
			progress = 1;
		}
	} while (progress);
}

/* The socketpair and both engines; the host's open (0 or -errno). */
static int pair_open(const struct enl_clip_ops *guest_ops)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		return -errno;
	hfd = sv[0];
	gfd = sv[1];
	enl_clip_host_init(&host, 0);
	enl_clip_init(&guest, ENL_CLIP_GUEST, guest_ops, NULL, 0);
	return enl_clip_host_open(&host, fd_send, &hfd);
}

#endif /* ENL_TEST_CLIP_PAIR_H */
