// SPDX-License-Identifier: GPL-2.0-only
/* enl-clipboardd's service logic: our copy and users' pastes (clipd.h). */
#include "clipd.h"

#include <errno.h>
#include <string.h>

#include "clip_format.h"
#include "log.h"

struct waiter {
	enl_clipd_paste_cb cb;
	void *ctx;
};

static int ops_send(void *ctx, const void *pkt, size_t len)
{
	return enl_clipd_chan_send(ctx, pkt, len);
}

static void ops_ready(void *ctx)
{
	(void)ctx;
	enl_info("clipboard: channel negotiated");
}

static void ops_announced(void *ctx, const struct enl_clip_offer *offer)
{
	struct enl_clipd *d = ctx;

	d->host_copies++;
	enl_debug("clipboard: the host owns the clipboard (serial %u, %zu formats)",
		  offer->serial, offer->n);
	if (d->changed)
		d->changed(d->changed_ctx);
}

/* Hand the result to every waiter; they may start new pastes meanwhile. */
static void finish(struct enl_clipd *d, const uint8_t *data, size_t len,
		   const char *error)
{
	GPtrArray *w = d->waiters;

	d->waiters = g_ptr_array_new_with_free_func(g_free);
	d->want_format = 0;
	for (guint i = 0; i < w->len; i++) {
		struct waiter *x = w->pdata[i];

		x->cb(x->ctx, data, len, error);
	}
	g_ptr_array_free(w, TRUE);
}

static void ops_received(void *ctx, uint32_t format, const uint8_t *data,
			 size_t len)
{
	(void)format;
	finish(ctx, data, len, NULL);
}

static const char *clip_error(uint32_t e)
{
	switch (e) {
	case ENL_CLIP_ERR_CANCELLED:	return "cancelled";
	case ENL_CLIP_ERR_STALE:	return "the clipboard changed meanwhile";
	case ENL_CLIP_ERR_NO_FORMAT:	return "the host does not offer it";
	case ENL_CLIP_ERR_TOO_LARGE:	return "larger than max-size-mib";
	case ENL_CLIP_ERR_PROTOCOL:	return "malformed transfer from the host";
	case ENL_CLIP_ERR_INTERNAL:	return "the host could not read it";
	}
	return "failed";
}

static void ops_failed(void *ctx, uint32_t format, uint32_t error)
{
	(void)format;
	enl_log_rl(LOG_WARNING, "clipboard: paste from the host failed: %s",
		   clip_error(error));
	finish(ctx, NULL, 0, clip_error(error));
}

static const struct enl_clip_ops guest_ops = {
	.send = ops_send,
	.ready = ops_ready,
	.announced = ops_announced,
	.received = ops_received,
	.failed = ops_failed,
};

void enl_clipd_init(struct enl_clipd *d, size_t cap)
{
	memset(d, 0, sizeof(*d));
	enl_clip_init(&d->e, ENL_CLIP_GUEST, &guest_ops, d, cap);
	enl_clip_set_max_chunk(&d->e, ENL_CLIPD_MAX_WRITE -
			       ENL_ICMSG_BODY_OFFSET -
			       sizeof(struct enl_clip_data));
	d->waiters = g_ptr_array_new_with_free_func(g_free);
}

void enl_clipd_free(struct enl_clipd *d)
{
	enl_clipd_detach(d);
	if (d->waiters)
		finish(d, NULL, 0, "enl-clipboardd is stopping");
	g_ptr_array_free(d->waiters, TRUE);
	d->waiters = NULL;
	enl_clip_free(&d->e);
}

int enl_clipd_copy(struct enl_clipd *d, uint32_t format, const void *data,
		   size_t len)
{
	struct enl_clip_item it = { format, data, len };
	int ret = enl_clip_set(&d->e, &it, 1);

	if (ret)
		return ret;
	d->user_copies++;
	if (d->changed)
		d->changed(d->changed_ctx);
	return 0;
}

int enl_clipd_paste(struct enl_clipd *d, uint32_t format,
		    enl_clipd_paste_cb cb, void *ctx)
{
	struct waiter *w;
	int ret;

	if (d->e.we_own) {
		for (size_t i = 0; i < d->e.n_local; i++)
			if (d->e.local[i].format == format) {
				d->user_pastes++;
				cb(ctx, d->e.local[i].data, d->e.local[i].len,
				   NULL);
				return 0;
			}
		return -ENOENT;
	}
	if (d->waiters->len && d->want_format != format)
		return -EBUSY;
	if (!d->waiters->len) {
		ret = enl_clip_request(&d->e, format);
		if (ret < 0)
			return ret;
		d->want_format = format;
	}
	w = g_new0(struct waiter, 1);
	w->cb = cb;
	w->ctx = ctx;
	g_ptr_array_add(d->waiters, w);
	d->user_pastes++;
	return 0;
}

void enl_clipd_forget(struct enl_clipd *d, void *ctx)
{
	for (guint i = 0; i < d->waiters->len; i++) {
		struct waiter *w = d->waiters->pdata[i];

		if (w->ctx == ctx)
			g_ptr_array_remove_index(d->waiters, i--);
	}
	/* Nobody wants it any more: spare the host the transfer. */
	if (!d->waiters->len && d->want_format) {
		d->want_format = 0;
		enl_clip_cancel(&d->e);
	}
}

size_t enl_clipd_targets(const struct enl_clipd *d, uint32_t *formats,
			 uint64_t *sizes, size_t max)
{
	size_t n = 0;

	if (d->e.we_own) {
		for (size_t i = 0; i < d->e.n_local && n < max; i++, n++) {
			formats[n] = d->e.local[i].format;
			sizes[n] = d->e.local[i].len;
		}
		return n;
	}
	for (size_t i = 0; i < d->e.remote.n && n < max; i++, n++) {
		formats[n] = d->e.remote.formats[i];
		sizes[n] = d->e.remote.sizes[i];
	}
	return n;
}

const char *enl_clipd_owner(const struct enl_clipd *d, uint32_t *serial)
{
	*serial = d->e.owner_serial;
	if (d->e.we_own)
		return "guest";
	return d->e.remote.serial ? "host" : "none";
}
