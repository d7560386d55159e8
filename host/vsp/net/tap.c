// SPDX-License-Identifier: GPL-2.0-only
/* The TAP backend of the network device; see tap.h. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include "iov.h"
#include "net_tap.h"

struct enl_tap {
	char name[IFNAMSIZ];
	unsigned int nqueues;
	int fd[ENL_TAP_MAX_QUEUES];
};

static int open_queue(const char *name, char *got)
{
	struct ifreq ifr;
	int fd, sz = sizeof(struct virtio_net_hdr_v1), le = 1;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE;
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 ||
	    ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0 ||
	    /* virtio 1.0 headers are little-endian: say so, whatever the host. */
	    ioctl(fd, TUNSETVNETLE, &le) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	memcpy(got, ifr.ifr_name, IFNAMSIZ);
	return fd;
}

int enl_tap_open(const char *name, unsigned int nqueues, struct enl_tap **out)
{
	struct enl_tap *t;

	*out = NULL;
	if (!name || !*name || strlen(name) >= IFNAMSIZ || !nqueues ||
	    nqueues > ENL_TAP_MAX_QUEUES)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (unsigned int q = 0; q < nqueues; q++) {
		int fd = open_queue(q ? t->name : name, t->name);

		if (fd < 0) {
			t->nqueues = q;
			enl_tap_close(t);
			return fd;
		}
		t->fd[q] = fd;
	}
	t->nqueues = nqueues;
	*out = t;
	return 0;
}

void enl_tap_close(struct enl_tap *t)
{
	if (!t)
		return;
	for (unsigned int q = 0; q < t->nqueues; q++)
		close(t->fd[q]);
	free(t);
}

unsigned int enl_tap_queues(const struct enl_tap *t)
{
	return t->nqueues;
}

int enl_tap_fd(const struct enl_tap *t, unsigned int q)
{
	return q < t->nqueues ? t->fd[q] : -1;
}

const char *enl_tap_name(const struct enl_tap *t)
{
	return t->name;
}

int enl_tap_set_offload(struct enl_tap *t, unsigned int tun_flags)
{
	/* The setting is the device's; any queue's fd carries it. */
	if (ioctl(t->fd[0], TUNSETOFFLOAD, (unsigned long)tun_flags) < 0)
		return -errno;
	return 0;
}

int enl_tap_set_queue(struct enl_tap *t, unsigned int q, bool attach)
{
	struct ifreq ifr;

	if (q >= t->nqueues)
		return -EINVAL;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = attach ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	if (ioctl(t->fd[q], TUNSETQUEUE, &ifr) < 0)
		/* Attaching an attached queue says EINVAL: it is what we want. */
		return errno == EINVAL ? 0 : -errno;
	return 0;
}

int enl_tap_set_mtu(struct enl_tap *t, unsigned int mtu)
{
	struct ifreq ifr;
	int s, ret = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, t->name, IFNAMSIZ);
	ifr.ifr_mtu = (int)mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
		ret = -errno;
	close(s);
	return ret;
}

int enl_tap_write(struct enl_tap *t, unsigned int q,
		  const struct virtio_net_hdr_v1 *vh,
		  const struct iovec *iov, unsigned int iovcnt)
{
	struct iovec v[ENL_TAP_MAX_IOV + 1];
	size_t len;
	ssize_t n;

	if (q >= t->nqueues || iovcnt > ENL_TAP_MAX_IOV ||
	    !enl_iov_total(iov, iovcnt, &len))
		return -EINVAL;
	v[0].iov_base = (void *)vh;
	v[0].iov_len = sizeof(*vh);
	memcpy(v + 1, iov, iovcnt * sizeof(*iov));
	do {
		n = writev(t->fd[q], v, (int)iovcnt + 1);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* tun takes a frame whole or not at all. */
	return (size_t)n == len + sizeof(*vh) ? 0 : -EIO;
}

int enl_tap_read_batch(struct enl_tap *t, unsigned int q,
		       struct enl_tap_frame *f, unsigned int n)
{
	unsigned int got = 0;

	if (q >= t->nqueues)
		return -EINVAL;
	while (got < n) {
		struct iovec v[2] = {
			{ &f[got].vh, sizeof(f[got].vh) },
			{ f[got].buf, f[got].cap },
		};
		ssize_t r = readv(t->fd[q], v, 2);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return got ? (int)got : -errno;
		}
		if ((size_t)r < sizeof(f[got].vh))
			continue;
		f[got].len = (size_t)r - sizeof(f[got].vh);
		got++;
	}
	return (int)got;
}
