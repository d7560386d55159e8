// SPDX-License-Identifier: GPL-2.0-only
/*
 * clip-host-peer: enl-host's clipboard service (host/vsp/clipboard) with
 * its ctl verb, served on a SEQPACKET socket instead of VMBus, so that
 * enl-clipboardd (channel=unix:PATH) meets the real host code without a
 * VM. The desktop ring drives it with `enl-host ctl --ctl SOCK clipboard`.
 *	clip-host-peer --channel PATH --ctl PATH
 * One guest at a time; when it leaves, the next connection is served.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>

#include "clip_glue.h"
#include "ctl.h"

struct peer {
	struct enl_clip_host h;
	int lfd, fd;
	guint in_watch, out_watch;
};

static gboolean on_writable(gint fd, GIOCondition cond, gpointer data)
{
	struct peer *p = data;

	(void)fd;
	(void)cond;
	p->out_watch = 0;
	enl_clip_resume(&p->h.e);
	return G_SOURCE_REMOVE;
}

/* The engine's send; a full socket is VMBus's full ring: resume later. */
static int peer_send(void *ctx, const void *pkt, size_t len)
{
	struct peer *p = ctx;

	if (send(p->fd, pkt, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len)
		return 0;
	if (errno != EAGAIN)
		return -errno;
	if (!p->out_watch)
		p->out_watch = g_unix_fd_add(p->fd, G_IO_OUT, on_writable, p);
	return -EAGAIN;
}

static void guest_gone(struct peer *p)
{
	if (p->out_watch)
		g_source_remove(p->out_watch);
	p->out_watch = 0;
	p->in_watch = 0;
	enl_clip_host_close(&p->h);
	close(p->fd);
	p->fd = -1;
	fprintf(stderr, "clip-host-peer: the guest left\n");
}

static gboolean on_packet(gint fd, GIOCondition cond, gpointer data)
{
	static uint8_t buf[2 * ENL_CLIP_MAX_PKT_SIZE];
	struct peer *p = data;
	ssize_t n;

	(void)cond;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return G_SOURCE_CONTINUE;
		if (n <= 0) {
			guest_gone(p);
			return G_SOURCE_REMOVE;
		}
		/* Malformed packets are dropped and counted by the engine. */
		enl_clip_host_recv(&p->h, buf, (size_t)n);
	}
}

static gboolean on_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct peer *p = data;
	int s;

	(void)cond;
	s = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (s < 0)
		return G_SOURCE_CONTINUE;
	if (p->fd >= 0) {
		/* VMBus offers the channel once: a second guest is refused. */
		close(s);
		return G_SOURCE_CONTINUE;
	}
	p->fd = s;
	p->in_watch = g_unix_fd_add(s, G_IO_IN | G_IO_HUP | G_IO_ERR,
				    on_packet, p);
	fprintf(stderr, "clip-host-peer: a guest connected\n");
	enl_clip_host_open(&p->h, peer_send, p);
	return G_SOURCE_CONTINUE;
}

static int listen_seqpacket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 4) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static gboolean on_signal(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
	g_autofree char *chan = NULL, *ctl_path = NULL;
	const GOptionEntry opts[] = {
		{ "channel", 0, 0, G_OPTION_ARG_FILENAME, &chan,
		  "SEQPACKET socket enl-clipboardd connects to", "PATH" },
		{ "ctl", 0, 0, G_OPTION_ARG_FILENAME, &ctl_path,
		  "enl-host control socket to serve", "PATH" },
		{ NULL }
	};
	GOptionContext *oc = g_option_context_new(NULL);
	g_autoptr(GError) err = NULL;
	struct peer p = { .lfd = -1, .fd = -1 };
	struct enl_ctl *ctl;
	GMainLoop *loop;
	int e = 0;

	g_option_context_add_main_entries(oc, opts, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err) || !chan ||
	    !ctl_path) {
		fprintf(stderr, "clip-host-peer: %s\n",
			err ? err->message : "--channel and --ctl are needed");
		g_option_context_free(oc);
		return 2;
	}
	g_option_context_free(oc);
	enl_clip_host_init(&p.h, 0);
	p.lfd = listen_seqpacket(chan);
	if (p.lfd < 0) {
		fprintf(stderr, "clip-host-peer: %s: %s\n", chan,
			strerror(errno));
		return 1;
	}
	ctl = enl_ctl_new(ctl_path, &e);
	if (!ctl) {
		fprintf(stderr, "clip-host-peer: %s: %s\n", ctl_path,
			strerror(-e));
		return 1;
	}
	enl_clip_register_ctl(&p.h, ctl);
	loop = g_main_loop_new(NULL, FALSE);
	g_unix_fd_add(p.lfd, G_IO_IN, on_accept, &p);
	g_unix_signal_add(SIGTERM, on_signal, loop);
	g_unix_signal_add(SIGINT, on_signal, loop);
	g_main_loop_run(loop);
	if (p.fd >= 0)
		guest_gone(&p);
	enl_ctl_free(ctl);
	enl_clip_host_free(&p.h);
	close(p.lfd);
	unlink(chan);
	g_main_loop_unref(loop);
	return 0;
}
