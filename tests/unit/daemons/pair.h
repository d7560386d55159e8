/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest IC service and a host IC service joined by a SEQPACKET
 * socketpair in one process; pair_pump() moves packets both ways until
 * both sides are idle. Header-only so each test stays one file.
 */
#ifndef ENL_TEST_PAIR_H
#define ENL_TEST_PAIR_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "channel.h"
#include "ic_host.h"
#include "icservice.h"

struct pair {
	struct enl_ic_service *guest;
	struct enl_ic_host *host;
	int host_fd;
	/* When set, the guest does not answer (a dead daemon). */
	int guest_silent;
};

static int pair_host_send(void *tctx, const void *pkt, size_t len)
{
	struct pair *p = tctx;

	return write(p->host_fd, pkt, len) == (ssize_t)len ? 0 : -errno;
}

static inline int pair_open(struct pair *p,
			    const struct enl_ic_service_ops *gops, void *gctx,
			    struct enl_ic_host *host)
{
	int sv[2];

	memset(p, 0, sizeof(*p));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) < 0)
		return -errno;
	p->guest = enl_ic_service_new(gops, gctx,
				      enl_channel_from_fd(sv[0], "test"));
	p->host = host;
	p->host_fd = sv[1];
	return 0;
}

/* Send the host's NEGOTIATE (or nothing if host is NULL) and pump. */
static inline int pair_host_open(struct pair *p)
{
	return enl_ic_host_open(p->host, pair_host_send, p);
}

/* Raw bytes from the "host" straight to the guest (malformed input). */
static inline int pair_inject(struct pair *p, const void *pkt, size_t len)
{
	return write(p->host_fd, pkt, len) == (ssize_t)len ? 0 : -errno;
}

/* Read the guest's next answer raw (bypassing the host logic). */
static inline ssize_t pair_take(struct pair *p, void *buf, size_t size)
{
	enl_ic_service_poll(p->guest);
	return read(p->host_fd, buf, size);
}

static inline void pair_pump(struct pair *p)
{
	static uint8_t buf[ENL_CHANNEL_MAX_PACKET + 1];
	int progress;

	do {
		ssize_t n;

		progress = 0;
		if (!p->guest_silent) {
			unsigned long rx = p->guest->stats.rx;

			enl_ic_service_poll(p->guest);
			progress |= p->guest->stats.rx != rx;
		} else {
			/* Swallow requests unanswered. */
			while (read(p->guest->ch->fd, buf, sizeof(buf)) > 0)
				;
		}
		while ((n = read(p->host_fd, buf, sizeof(buf))) > 0) {
			enl_ic_host_recv(p->host, buf, (size_t)n);
			progress = 1;
		}
	} while (progress);
}

static inline void pair_close(struct pair *p)
{
	enl_ic_service_free(p->guest);
	close(p->host_fd);
}

#endif /* ENL_TEST_PAIR_H */
