// SPDX-License-Identifier: GPL-2.0-only
/* Bounded asynchronous read of a whole stream (readall.h). */
#include "readall.h"

#define CHUNK	65536

struct readall {
	GInputStream *in;
	GCancellable *cancel;
	GByteArray *buf;
	gsize max;
	enl_readall_cb cb;
	gpointer ctx;
};

static void finish(struct readall *r, GError *error)
{
	GBytes *data = NULL;

	if (!error)
		data = g_byte_array_free_to_bytes(g_steal_pointer(&r->buf));
	r->cb(r->ctx, data, error);
	if (error)
		g_error_free(error);
	if (r->buf)
		g_byte_array_free(r->buf, TRUE);
	g_input_stream_close(r->in, NULL, NULL);
	g_object_unref(r->in);
	g_clear_object(&r->cancel);
	g_free(r);
}

static void read_more(struct readall *r);

static void on_read(GObject *src, GAsyncResult *res, gpointer data)
{
	struct readall *r = data;
	GError *error = NULL;
	GBytes *chunk = g_input_stream_read_bytes_finish(G_INPUT_STREAM(src),
							 res, &error);
	gsize n;

	if (!chunk) {
		finish(r, error);
		return;
	}
	n = g_bytes_get_size(chunk);
	if (!n) {
		g_bytes_unref(chunk);
		finish(r, NULL);
		return;
	}
	if (n > r->max - r->buf->len) {
		g_bytes_unref(chunk);
		finish(r, g_error_new(G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
				      "larger than %" G_GSIZE_FORMAT " bytes",
				      r->max));
		return;
	}
	g_byte_array_append(r->buf, g_bytes_get_data(chunk, NULL), (guint)n);
	g_bytes_unref(chunk);
	read_more(r);
}

static void read_more(struct readall *r)
{
	g_input_stream_read_bytes_async(r->in, CHUNK, G_PRIORITY_DEFAULT,
					r->cancel, on_read, r);
}

void enl_readall_async(GInputStream *in, gsize max, GCancellable *cancel,
		       enl_readall_cb cb, gpointer ctx)
{
	struct readall *r = g_new0(struct readall, 1);

	r->in = g_object_ref(in);
	r->cancel = cancel ? g_object_ref(cancel) : NULL;
	r->buf = g_byte_array_new();
	r->max = max;
	r->cb = cb;
	r->ctx = ctx;
	read_more(r);
}
