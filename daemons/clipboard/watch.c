// SPDX-License-Identifier: GPL-2.0-only
/* enl-clipboardd's WATCH connections (watch.h). */
#include "watch.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib-unix.h>

#include "clip_format.h"
#include "userproto.h"

struct watcher {
	struct enl_clipd_watchers *w;
	int fd;
	guint watch;
	uid_t uid;
};

static void watcher_free(struct watcher *x)
{
	x->w->list = g_list_remove(x->w->list, x);
	x->w->n--;
	if (x->watch)
		g_source_remove(x->watch);
	close(x->fd);
	g_free(x);
}

/*
 * Lines are tiny and the socket buffer holds thousands: a send that does
 * not go through whole means the watcher stopped reading. Queueing for it
 * would let it grow our memory, so it is dropped; it reconnects.
 */
static bool send_line(struct watcher *x, const char *s, size_t len)
{
	ssize_t n = send(x->fd, s, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n == (ssize_t)len)
		return true;
	x->w->dropped++;
	watcher_free(x);
	return false;
}

/* A watcher says nothing after WATCH: drain it, notice it leaving. */
static gboolean on_input(gint fd, GIOCondition cond, gpointer data)
{
	struct watcher *x = data;
	char buf[256];
	ssize_t n;

	(void)cond;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return G_SOURCE_CONTINUE;
	x->watch = 0;
	watcher_free(x);
	return G_SOURCE_REMOVE;
}

void enl_clipd_watch_line(const struct enl_clipd *d, GString *out)
{
	uint32_t f[ENL_CLIP_MAX_FORMATS];
	uint64_t sz[ENL_CLIP_MAX_FORMATS];
	size_t n = enl_clipd_targets(d, f, sz, ENL_CLIP_MAX_FORMATS);
	uint32_t serial;
	const char *owner = enl_clipd_owner(d, &serial);

	g_string_append_printf(out, "CHANGED %u %s", serial, owner);
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(out, " %s", enl_clip_format_name(f[i]));
	g_string_append_c(out, '\n');
}

int enl_clipd_watch_add(struct enl_clipd_watchers *w,
			const struct enl_clipd *d, int fd, uid_t uid)
{
	g_autoptr(GString) s = g_string_new("OK\n");
	struct watcher *x;

	if (w->n >= ENL_CLIPD_WATCH_MAX) {
		static const char full[] = "ERR too many watchers\n";

		(void)!send(fd, full, sizeof(full) - 1,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return -EMFILE;
	}
	x = g_new0(struct watcher, 1);
	x->w = w;
	x->fd = fd;
	x->uid = uid;
	w->list = g_list_prepend(w->list, x);
	w->n++;
	enl_clipd_watch_line(d, s);
	if (!send_line(x, s->str, s->len))
		return 0;
	x->watch = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
				 on_input, x);
	return 0;
}

void enl_clipd_watch_notify(struct enl_clipd_watchers *w,
			    const struct enl_clipd *d)
{
	g_autoptr(GString) s = g_string_new(NULL);
	GList *l, *next;

	if (!w->list)
		return;
	enl_clipd_watch_line(d, s);
	for (l = w->list; l; l = next) {
		next = l->next;	/* send_line may free this watcher */
		send_line(l->data, s->str, s->len);
	}
}

unsigned int enl_clipd_watch_count(const struct enl_clipd_watchers *w,
				   uid_t uid)
{
	unsigned int n = 0;

	for (GList *l = w->list; l; l = l->next)
		n += ((struct watcher *)l->data)->uid == uid;
	return n;
}

void enl_clipd_watch_recheck(struct enl_clipd_watchers *w,
			     bool (*allowed)(void *ctx, uid_t uid), void *ctx)
{
	GList *l, *next;

	for (l = w->list; l; l = next) {
		struct watcher *x = l->data;

		next = l->next;
		if (allowed(ctx, x->uid))
			continue;
		/* Nothing more about the clipboard: just the end of it. */
		w->revoked++;
		watcher_free(x);
	}
}

void enl_clipd_watch_close(struct enl_clipd_watchers *w)
{
	while (w->list)
		watcher_free(w->list->data);
}
