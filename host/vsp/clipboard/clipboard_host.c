// SPDX-License-Identifier: GPL-2.0-only
/* enl-host's clipboard service on the shared engine (clipboard_host.h). */
#include "clipboard_host.h"

#include <errno.h>
#include <string.h>

static int host_send(void *ctx, const void *pkt, size_t len)
{
	struct enl_clip_host *h = ctx;

	return h->send ? h->send(h->tctx, pkt, len) : -ENOTCONN;
}

static void finish_get(struct enl_clip_host *h, uint32_t format,
		       const uint8_t *data, size_t len, uint32_t error)
{
	enl_clip_host_get_cb cb = h->get_cb;

	h->get_cb = NULL;
	if (cb)
		cb(h->get_ctx, format, data, len, error);
}

static void on_announced(void *ctx, const struct enl_clip_offer *offer)
{
	struct enl_clip_host *h = ctx;

	(void)offer;
	h->guest_copies++;
}

static void on_received(void *ctx, uint32_t format, const uint8_t *data,
			size_t len)
{
	finish_get(ctx, format, data, len, 0);
}

static void on_failed(void *ctx, uint32_t format, uint32_t error)
{
	finish_get(ctx, format, NULL, 0, error);
}

static const struct enl_clip_ops host_ops = {
	.send = host_send,
	.announced = on_announced,
	.received = on_received,
	.failed = on_failed,
};

void enl_clip_host_init(struct enl_clip_host *h, size_t cap)
{
	memset(h, 0, sizeof(*h));
	enl_clip_init(&h->e, ENL_CLIP_HOST, &host_ops, h, cap);
}

void enl_clip_host_free(struct enl_clip_host *h)
{
	enl_clip_free(&h->e);
}

int enl_clip_host_open(struct enl_clip_host *h,
		       int (*send)(void *tctx, const void *pkt, size_t len),
		       void *tctx)
{
	h->send = send;
	h->tctx = tctx;
	return enl_clip_open(&h->e);
}

void enl_clip_host_close(struct enl_clip_host *h)
{
	enl_clip_close(&h->e);
	h->send = NULL;
	finish_get(h, 0, NULL, 0, ENL_CLIP_ERR_CANCELLED);
}

int enl_clip_host_recv(struct enl_clip_host *h, const void *pkt, size_t len)
{
	return enl_clip_recv(&h->e, pkt, len);
}

int enl_clip_host_set(struct enl_clip_host *h, uint32_t format,
		      const void *data, size_t len)
{
	struct enl_clip_item it = { format, data, len };

	return enl_clip_set(&h->e, &it, 1);
}

int enl_clip_host_get(struct enl_clip_host *h, uint32_t format,
		      enl_clip_host_get_cb cb, void *ctx)
{
	int ret;

	if (h->get_cb)
		return -EBUSY;
	if (h->e.we_own) {
		/* Our own copy: no round trip to the guest. */
		for (size_t i = 0; i < h->e.n_local; i++)
			if (h->e.local[i].format == format) {
				cb(ctx, format, h->e.local[i].data,
				   h->e.local[i].len, 0);
				return 0;
			}
		return -ENOENT;
	}
	ret = enl_clip_request(&h->e, format);
	if (ret < 0)
		return ret;
	h->get_cb = cb;
	h->get_ctx = ctx;
	return 0;
}

void enl_clip_host_cancel_get(struct enl_clip_host *h)
{
	if (!h->get_cb)
		return;
	h->get_cb = NULL;
	enl_clip_cancel(&h->e);
}
