// SPDX-License-Identifier: GPL-2.0-only
/* enl-clipboardd's users' socket, client side, for the bridge (clipsock.h). */
#include "clipsock.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gunixsocketaddress.h>

#include "readall.h"
#include "userproto.h"

/* A watch line longer than this is not from enl-clipboardd. */
#define WATCH_LINE_MAX	4096
/* The daemon waits for the host's data; ctl's own wait is 25 s. */
#define REQUEST_TIMEOUT_S	30

struct request {
	GSocketConnection *conn;
	char head[ENL_CLIPD_LINE_MAX];
	GBytes *body;		/* COPY's data */
	gsize max;		/* the whole reply */
	bool paste;
	/* writev_all updates these as it goes: they live as long as r. */
	GOutputVector v[2];
	char *write_error;
	enl_clipsock_done cb;
	gpointer ctx;
};

static void request_end(struct request *r, GBytes *data, const char *error)
{
	r->cb(r->ctx, data, error);
	if (r->conn) {
		g_io_stream_close(G_IO_STREAM(r->conn), NULL, NULL);
		g_object_unref(r->conn);
	}
	if (r->body)
		g_bytes_unref(r->body);
	g_free(r->write_error);
	g_free(r);
}

/* "OK[ <len>]\n" + payload, or "ERR <why>\n". */
static void on_reply(gpointer ctx, GBytes *reply, GError *error)
{
	struct request *r = ctx;
	gsize len = 0, body_len;
	const char *p = reply ? g_bytes_get_data(reply, &len) : NULL;
	const char *nl = p ? memchr(p, '\n', len) : NULL;
	g_autofree char *line = NULL;
	g_autoptr(GBytes) body = NULL;
	char *end;

	if (!reply) {
		request_end(r, NULL, r->write_error ? r->write_error :
			    error->message);
		return;
	}
	if (!nl) {
		g_bytes_unref(reply);
		request_end(r, NULL, r->write_error ? r->write_error :
			    "no answer from enl-clipboardd");
		return;
	}
	line = g_strndup(p, (gsize)(nl - p));
	body_len = len - (gsize)(nl - p) - 1;
	body = g_bytes_new_from_bytes(reply, (gsize)(nl - p) + 1, body_len);
	g_bytes_unref(reply);
	if (!strncmp(line, "ERR ", 4)) {
		request_end(r, NULL, line + 4);
		return;
	}
	if (!r->paste) {
		request_end(r, NULL, strcmp(line, "OK") ?
			    "unexpected answer from enl-clipboardd" : NULL);
		return;
	}
	if (strncmp(line, "OK ", 3) ||
	    g_ascii_strtoull(line + 3, &end, 10) != body_len || *end) {
		request_end(r, NULL, "paste: length does not match the data");
		return;
	}
	request_end(r, body, NULL);
}

static void on_written(GObject *src, GAsyncResult *res, gpointer ctx)
{
	struct request *r = ctx;
	GError *error = NULL;

	/* A refusing daemon hangs up early: its ERR line still says why. */
	if (!g_output_stream_writev_all_finish(G_OUTPUT_STREAM(src), res, NULL,
					       &error)) {
		r->write_error = g_strdup(error->message);
		g_error_free(error);
	}
	enl_readall_async(g_io_stream_get_input_stream(G_IO_STREAM(r->conn)),
			  r->max, NULL, on_reply, r);
}

static void on_connected(GObject *src, GAsyncResult *res, gpointer ctx)
{
	struct request *r = ctx;
	GError *error = NULL;
	gsize n = 1;

	r->conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(src), res,
						 &error);
	g_object_unref(src);
	if (!r->conn) {
		request_end(r, NULL, error->message);
		g_error_free(error);
		return;
	}
	r->v[0].buffer = r->head;
	r->v[0].size = strlen(r->head);
	if (r->body) {
		r->v[1].buffer = g_bytes_get_data(r->body, &r->v[1].size);
		n = 2;
	}
	g_output_stream_writev_all_async(
		g_io_stream_get_output_stream(G_IO_STREAM(r->conn)), r->v, n,
		G_PRIORITY_DEFAULT, NULL, on_written, r);
}

/*
 * A local socket: no proxy lookup. The timeout is for silence, not for
 * the whole transfer: a host that never answers a paste must not stall
 * the bridge's one fetch at a time forever.
 */
static GSocketClient *new_client(unsigned int timeout_s)
{
	GSocketClient *client = g_socket_client_new();

	g_socket_client_set_enable_proxy(client, FALSE);
	g_socket_client_set_timeout(client, timeout_s);
	return client;
}

static void start(const char *path, struct request *r)
{
	GSocketClient *client = new_client(REQUEST_TIMEOUT_S);
	GSocketAddress *addr = g_unix_socket_address_new(path);

	g_socket_client_connect_async(client, G_SOCKET_CONNECTABLE(addr), NULL,
				      on_connected, r);
	g_object_unref(addr);
}

void enl_clipsock_copy(const char *path, const char *format, GBytes *data,
		       enl_clipsock_done cb, gpointer ctx)
{
	struct request *r = g_new0(struct request, 1);

	snprintf(r->head, sizeof(r->head), "COPY %s %" G_GSIZE_FORMAT "\n",
		 format, g_bytes_get_size(data));
	r->body = g_bytes_ref(data);
	r->max = ENL_CLIPD_LINE_MAX;
	r->cb = cb;
	r->ctx = ctx;
	start(path, r);
}

void enl_clipsock_paste(const char *path, const char *format, gsize cap,
			enl_clipsock_done cb, gpointer ctx)
{
	struct request *r = g_new0(struct request, 1);

	snprintf(r->head, sizeof(r->head), "PASTE %s\n", format);
	r->paste = true;
	r->max = cap + ENL_CLIPD_LINE_MAX;
	r->cb = cb;
	r->ctx = ctx;
	start(path, r);
}

/* ---- WATCH ------------------------------------------------------------ */

struct enl_clipsock_watch {
	GCancellable *cancel;
	GSocketConnection *conn;
	GDataInputStream *in;
	bool got_ok;
	enl_clipsock_changed changed;
	enl_clipsock_ended ended;
	gpointer ctx;
};

static void watch_end(struct enl_clipsock_watch *w, const char *why)
{
	if (!g_cancellable_is_cancelled(w->cancel))
		w->ended(w->ctx, why);
	g_clear_object(&w->in);
	if (w->conn) {
		g_io_stream_close(G_IO_STREAM(w->conn), NULL, NULL);
		g_object_unref(w->conn);
	}
	g_object_unref(w->cancel);
	g_free(w);
}

/* "CHANGED <serial> <owner>[ <format>...]": false when malformed. */
static bool parse_changed(struct enl_clipsock_watch *w, const char *line)
{
	g_auto(GStrv) word = g_strsplit(line, " ", -1);
	guint64 serial;

	if (g_strv_length(word) < 3 || strcmp(word[0], "CHANGED") ||
	    !g_ascii_string_to_unsigned(word[1], 10, 0, G_MAXUINT32, &serial,
					NULL))
		return false;
	w->changed(w->ctx, (guint32)serial, word[2],
		   (const char *const *)word + 3);
	return true;
}

static void on_line(GObject *src, GAsyncResult *res, gpointer ctx)
{
	struct enl_clipsock_watch *w = ctx;
	GError *error = NULL;
	gsize len;
	g_autofree char *line = g_data_input_stream_read_line_finish_utf8(
		G_DATA_INPUT_STREAM(src), res, &len, &error);

	if (!line) {
		watch_end(w, error ? error->message :
			  "enl-clipboardd closed the watch");
		g_clear_error(&error);
		return;
	}
	if (!w->got_ok) {
		w->got_ok = !strcmp(line, "OK");
		if (!w->got_ok) {
			watch_end(w, !strncmp(line, "ERR ", 4) ? line + 4 :
				  "WATCH not understood (enl-clipboardd too old?)");
			return;
		}
	} else if (len > WATCH_LINE_MAX || !parse_changed(w, line)) {
		watch_end(w, "malformed watch line");
		return;
	}
	g_data_input_stream_read_line_async(w->in, G_PRIORITY_DEFAULT,
					    w->cancel, on_line, w);
}

static void on_watch_written(GObject *src, GAsyncResult *res, gpointer ctx)
{
	struct enl_clipsock_watch *w = ctx;

	/* As for requests: a refusal is read, not guessed from the write. */
	g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, NULL, NULL);
	w->in = g_data_input_stream_new(
		g_io_stream_get_input_stream(G_IO_STREAM(w->conn)));
	g_data_input_stream_set_newline_type(w->in,
					     G_DATA_STREAM_NEWLINE_TYPE_LF);
	g_data_input_stream_read_line_async(w->in, G_PRIORITY_DEFAULT,
					    w->cancel, on_line, w);
}

static void on_watch_connected(GObject *src, GAsyncResult *res, gpointer ctx)
{
	struct enl_clipsock_watch *w = ctx;
	GError *error = NULL;

	w->conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(src), res,
						 &error);
	g_object_unref(src);
	if (!w->conn) {
		watch_end(w, error->message);
		g_error_free(error);
		return;
	}
	g_output_stream_write_all_async(
		g_io_stream_get_output_stream(G_IO_STREAM(w->conn)), "WATCH\n",
		6, G_PRIORITY_DEFAULT, w->cancel, on_watch_written, w);
}

struct enl_clipsock_watch *enl_clipsock_watch(const char *path,
					      enl_clipsock_changed changed,
					      enl_clipsock_ended ended,
					      gpointer ctx)
{
	struct enl_clipsock_watch *w = g_new0(struct enl_clipsock_watch, 1);
	/* A watch is silent as long as nobody copies: no timeout. */
	GSocketClient *client = new_client(0);
	GSocketAddress *addr = g_unix_socket_address_new(path);

	w->cancel = g_cancellable_new();
	w->changed = changed;
	w->ended = ended;
	w->ctx = ctx;
	g_socket_client_connect_async(client, G_SOCKET_CONNECTABLE(addr),
				      w->cancel, on_watch_connected, w);
	g_object_unref(addr);
	return w;
}

void enl_clipsock_watch_cancel(struct enl_clipsock_watch *w)
{
	g_cancellable_cancel(w->cancel);
}
