// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-clipboardd's channel side: packets from the libenl channel into the
 * engine, and the engine's sends out. A transfer outgrows the ring, so a
 * full ring (-EAGAIN) is normal: wait for the fd to be writable, resume.
 */
#include "clipd.h"

#include <errno.h>
#include <glib-unix.h>

#include "log.h"

static gboolean on_out(gint fd, GIOCondition cond, gpointer data)
{
	struct enl_clipd *d = data;

	(void)fd;
	(void)cond;
	d->out_watch = 0;
	/* Sending again re-arms us if the ring fills up once more. */
	enl_clip_resume(&d->e);
	return G_SOURCE_REMOVE;
}

int enl_clipd_chan_send(struct enl_clipd *d, const void *pkt, size_t len)
{
	int ret;

	if (!d->ch)
		return -ENOTCONN;
	ret = enl_channel_send(d->ch, pkt, len);
	if (ret == -EAGAIN && !d->out_watch)
		d->out_watch = g_unix_fd_add(d->ch->fd, G_IO_OUT, on_out, d);
	return ret;
}

static void channel_ended(struct enl_clipd *d, int err)
{
	enl_err("clipboard: channel %s closed: %s", d->ch->name,
		err ? g_strerror(-err) : "end of stream");
	enl_clipd_detach(d);
	if (d->closed)
		d->closed(d->closed_ctx);
}

static gboolean on_in(gint fd, GIOCondition cond, gpointer data)
{
	struct enl_clipd *d = data;
	/* Static: a packet buffer this size does not belong on the stack. */
	static uint8_t buf[ENL_CHANNEL_MAX_PACKET + 1];
	ssize_t n;

	(void)fd;
	(void)cond;
	for (;;) {
		n = enl_channel_recv(d->ch, buf, sizeof(buf));
		if (n == -EAGAIN)
			return G_SOURCE_CONTINUE;
		if (n == -EMSGSIZE)
			continue;
		if (n <= 0) {
			d->in_watch = 0;
			channel_ended(d, (int)n);
			return G_SOURCE_REMOVE;
		}
		/* Malformed packets are dropped and counted by the engine. */
		if (enl_clip_recv(&d->e, buf, (size_t)n) < 0)
			enl_log_rl(LOG_WARNING, "clipboard: packet dropped: %s",
				   d->e.last_error ? d->e.last_error : "?");
		if (!d->ch)
			return G_SOURCE_REMOVE;
	}
}

void enl_clipd_attach(struct enl_clipd *d, struct enl_channel *ch)
{
	d->ch = ch;
	d->in_watch = g_unix_fd_add(ch->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
				    on_in, d);
	enl_clip_open(&d->e);
}

void enl_clipd_detach(struct enl_clipd *d)
{
	if (!d->ch)
		return;
	if (d->in_watch)
		g_source_remove(d->in_watch);
	if (d->out_watch)
		g_source_remove(d->out_watch);
	d->in_watch = d->out_watch = 0;
	enl_clip_close(&d->e);
	enl_channel_free(d->ch);
	d->ch = NULL;
}
