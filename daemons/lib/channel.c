// SPDX-License-Identifier: GPL-2.0-only
/* IC channel transports: guest char device and SEQPACKET socket. */
#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib.h>

#include "log.h"
#include "unixsock.h"

struct enl_channel *enl_channel_open(const char *spec)
{
	int fd;

	if (!strncmp(spec, "unix:", 5))
		fd = enl_unix_connect(spec + 5, SOCK_SEQPACKET | SOCK_NONBLOCK);
	else if (!strncmp(spec, "dev:", 4))
		fd = open(spec + 4, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	else
		fd = open(spec, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	return enl_channel_from_fd(fd, spec);
}

struct enl_channel *enl_channel_from_fd(int fd, const char *name)
{
	struct enl_channel *ch = g_new0(struct enl_channel, 1);

	ch->fd = fd;
	ch->name = g_strdup(name);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return ch;
}

void enl_channel_free(struct enl_channel *ch)
{
	if (!ch)
		return;
	close(ch->fd);
	g_free(ch->name);
	g_free(ch);
}

ssize_t enl_channel_recv(struct enl_channel *ch, void *buf, size_t size)
{
	ssize_t n;

	/*
	 * read() works for both transports; on a SEQPACKET socket a datagram
	 * longer than size is cut, so ask one byte more and treat a full
	 * buffer as oversize. The char device refuses short buffers itself.
	 */
	if (size < ENL_CHANNEL_MAX_PACKET + 1)
		return -EINVAL;
	do {
		n = read(ch->fd, buf, ENL_CHANNEL_MAX_PACKET + 1);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n > ENL_CHANNEL_MAX_PACKET) {
		ch->rx_bad++;
		enl_log_rl(LOG_WARNING, "%s: oversize packet dropped",
			   ch->name);
		return -EMSGSIZE;
	}
	return n;
}

int enl_channel_send(struct enl_channel *ch, const void *buf, size_t len)
{
	ssize_t n;

	do {
		n = write(ch->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}
