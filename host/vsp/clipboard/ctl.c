// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-host ctl clipboard: set makes the host own the clipboard (the guest
 * sees an announce), get fetches a format from whoever owns it, waiting
 * for the guest's data (ctl_wait.h). Binary formats go to a file: a ctl
 * reply is text. Whatever touches the engine runs where the engine lives
 * (ops->call: its channel's worker in enl-host); the verb waits on the
 * main loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clip_format.h"
#include "clip_glue.h"
#include "ctl.h"
#include "ctl_wait.h"

#define CLIP_WAIT_DEFAULT_MS	ENL_CTL_WAIT_MAX_MS

struct get_wait {
	uint32_t format;
	int ret;
	int done;		/* atomic: on_got ran */
	uint32_t error;
	GBytes *data;
};

/*
 * Options anywhere among the words: --type, --out and --timeout take a
 * value; the rest are positional (at most max). The strings belong to
 * the ctl dispatcher, which frees them as a GStrv.
 */
struct clip_args {
	const char *type, *out, *timeout;
	const char *pos[4];
	int n;
};

static int parse_args(int argc, char **argv, struct clip_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char **opt = !strcmp(argv[i], "--type") ? &a->type :
				   !strcmp(argv[i], "--out") ? &a->out :
				   !strcmp(argv[i], "--timeout") ? &a->timeout :
				   NULL;

		if (opt) {
			if (i + 1 >= argc)
				return -EINVAL;
			*opt = argv[++i];
		} else if (a->n < (int)G_N_ELEMENTS(a->pos)) {
			a->pos[a->n++] = argv[i];
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static const char *error_name(uint32_t e)
{
	switch (e) {
	case ENL_CLIP_ERR_CANCELLED:	return "cancelled (channel closed?)";
	case ENL_CLIP_ERR_STALE:	return "the clipboard changed meanwhile";
	case ENL_CLIP_ERR_NO_FORMAT:	return "format not offered";
	case ENL_CLIP_ERR_TOO_LARGE:	return "larger than our cap";
	case ENL_CLIP_ERR_PROTOCOL:	return "malformed transfer";
	case ENL_CLIP_ERR_INTERNAL:	return "the guest could not read it";
	}
	return "unknown error";
}

static bool is_text(uint32_t format)
{
	return format != ENL_CLIP_FMT_PNG &&
	       !strncmp(enl_clip_format_mime(format), "text/", 5);
}

/* One offered format: "  NAME: N bytes", and an object in "formats". */
static void format_line(struct enl_ctl_req *req, uint32_t format,
			uint64_t bytes)
{
	const char *name = enl_clip_format_name(format);

	g_string_append(req->out, "  ");
	enl_ctl_escape(req->out, name, -1);
	g_string_append_printf(req->out, ": %llu bytes\n",
			       (unsigned long long)bytes);
	if (req->json) {
		enl_json_obj(req->json, NULL);
		enl_json_str(req->json, "format", name);
		enl_json_u64(req->json, "bytes", bytes);
		enl_json_end(req->json);
	}
}

static void show_status(struct enl_clip_host *h, void *data)
{
	struct enl_ctl_req *req = data;
	const struct enl_clip *e = &h->e;
	struct enl_json *j = req->json;
	GString *out = req->out;

	g_string_append_printf(out, "channel: %s\n", e->ready ? "ready" :
			       "not negotiated (offer clipboard, run "
			       "enl-clipboardd in the guest)");
	if (j) {
		enl_json_obj(j, NULL);
		enl_json_bool(j, "ready", e->ready);
		enl_json_str(j, "owner", e->we_own ? "host" :
			     e->remote.serial ? "guest" : "nobody");
		enl_json_u64(j, "serial", e->we_own ? e->owner_serial :
			     e->remote.serial);
		enl_json_arr(j, "formats");
	}
	if (e->we_own) {
		g_string_append_printf(out, "owner: host (serial %u)\n",
				       e->owner_serial);
		for (size_t i = 0; i < e->n_local; i++)
			format_line(req, e->local[i].format, e->local[i].len);
	} else if (e->remote.serial) {
		g_string_append_printf(out, "owner: guest (serial %u)\n",
				       e->remote.serial);
		for (size_t i = 0; i < e->remote.n; i++)
			format_line(req, e->remote.formats[i],
				    e->remote.sizes[i]);
	} else {
		g_string_append(out, "owner: nobody\n");
	}
	g_string_append_printf(out, "packets: tx %lu, rx %lu, bad %lu, stale %lu, "
			       "oversize %lu; transfers in %lu, out %lu; "
			       "guest copies %lu", e->stats.tx,
			       e->stats.rx, e->stats.rx_bad, e->stats.rx_stale,
			       e->stats.oversize, e->stats.in_done,
			       e->stats.out_done, h->guest_copies);
	if (e->last_error) {
		g_string_append(out, "; last error: ");
		enl_ctl_escape(out, e->last_error, -1);
	}
	g_string_append_c(out, '\n');
	if (!j)
		return;
	enl_json_end(j);
	enl_json_u64(j, "tx", e->stats.tx);
	enl_json_u64(j, "rx", e->stats.rx);
	enl_json_u64(j, "bad", e->stats.rx_bad);
	enl_json_u64(j, "stale", e->stats.rx_stale);
	enl_json_u64(j, "oversize", e->stats.oversize);
	enl_json_u64(j, "transfers_in", e->stats.in_done);
	enl_json_u64(j, "transfers_out", e->stats.out_done);
	enl_json_u64(j, "guest_copies", h->guest_copies);
	enl_json_str(j, "last_error", e->last_error);
	enl_json_end(j);
}

struct set_call {
	uint32_t format;
	const void *data;
	size_t len;
	int ret;
	size_t cap;
	bool ready;
};

static void set_on_engine(struct enl_clip_host *h, void *data)
{
	struct set_call *c = data;

	c->ret = enl_clip_host_set(h, c->format, c->data, c->len);
	c->cap = h->e.cap;
	c->ready = h->e.ready;
}

static int do_set(const struct enl_clip_ctl_ops *ops, uint32_t format,
		  const char *arg, struct enl_ctl_req *req)
{
	GString *out = req->out;
	g_autoptr(GError) err = NULL;
	g_autofree char *file = NULL;
	struct set_call c = { .format = format, .data = arg,
			      .len = strlen(arg) };

	if (arg[0] == '@') {
		if (!g_file_get_contents(arg + 1, &file, &c.len, &err)) {
			g_string_append_printf(out, "%s\n", err->message);
			return -ENOENT;
		}
		c.data = file;
	}
	if (!ops->call(ops->ctx, set_on_engine, &c))
		return -ENODEV;
	if (c.ret == -EINVAL) {
		g_string_append_printf(out, "%zu bytes are not valid %s "
				       "(or above the %zu byte cap)\n", c.len,
				       enl_clip_format_name(format), c.cap);
		return c.ret;
	}
	if (c.ret < 0)
		return c.ret;
	g_string_append_printf(out, "host owns the clipboard: %s, %zu bytes%s\n",
			       enl_clip_format_name(format), c.len, c.ready ?
			       "" : " (announced once the guest's channel is up)");
	if (req->json) {
		enl_json_obj(req->json, NULL);
		enl_json_str(req->json, "format", enl_clip_format_name(format));
		enl_json_u64(req->json, "bytes", c.len);
		enl_json_bool(req->json, "announced", c.ready);
		enl_json_end(req->json);
	}
	return 0;
}

/* Where the engine lives: the answer, or at once from get itself. */
static void on_got(void *ctx, uint32_t format, const uint8_t *data,
		   size_t len, uint32_t error)
{
	struct get_wait *w = ctx;

	(void)format;
	w->error = error;
	if (data)
		w->data = g_bytes_new(data, len);
	g_atomic_int_set(&w->done, 1);
	g_main_context_wakeup(NULL);
}

static void get_on_engine(struct enl_clip_host *h, void *data)
{
	struct get_wait *w = data;

	w->ret = enl_clip_host_get(h, w->format, on_got, w);
}

/* w is the verb's: after this the engine cannot call into it any more. */
static void cancel_on_engine(struct enl_clip_host *h, void *data)
{
	struct get_wait *w = data;

	if (!g_atomic_int_get(&w->done))
		enl_clip_host_cancel_get(h);
}

static int do_get(const struct enl_clip_ctl_ops *ops, uint32_t format,
		  const char *path, unsigned int ms, struct enl_ctl_req *req)
{
	GString *out = req->out;
	g_autoptr(GError) err = NULL;
	struct get_wait w = { .format = format };
	const uint8_t *d;
	size_t len;
	int ret;

	if (!path && !is_text(format)) {
		g_string_append_printf(out, "%s is binary: give --out FILE\n",
				       enl_clip_format_name(format));
		return -EINVAL;
	}
	if (!ops->call(ops->ctx, get_on_engine, &w))
		return -ENODEV;
	ret = w.ret;
	if (ret == -ENOENT) {
		g_string_append_printf(out, "the clipboard holds no %s\n",
				       enl_clip_format_name(format));
		return ret;
	}
	if (ret == -ENOTCONN) {
		g_string_append(out, "the guest's clipboard channel is not up\n");
		return ret;
	}
	if (ret == -EBUSY) {
		g_string_append(out, "another clipboard get is in progress\n");
		return ret;
	}
	if (ret < 0)
		return ret;
	if (!enl_ctl_wait(&w.done, ms)) {
		/* w is ours: the engine must not call into it after this. */
		if (!ops->call(ops->ctx, cancel_on_engine, &w)) {
			if (w.data)
				g_bytes_unref(w.data);
			g_string_append(out, "the clipboard device was "
					"removed meanwhile\n");
			return -ENODEV;
		}
		if (!g_atomic_int_get(&w.done)) {
			g_string_append_printf(out, "no data from the guest "
					       "within %.1f s\n", ms / 1000.0);
			return -ETIMEDOUT;
		}
		/* The answer came between the deadline and the cancel. */
	}
	if (!w.data) {
		g_string_append_printf(out, "the guest's clipboard failed: %s\n",
				       error_name(w.error));
		return -EIO;
	}
	d = g_bytes_get_data(w.data, &len);
	if (path) {
		if (!g_file_set_contents(path, (const char *)d, (gssize)len,
					 &err)) {
			g_string_append_printf(out, "%s\n", err->message);
			ret = -EIO;
		} else {
			g_string_append_printf(out, "%zu bytes of %s written to %s\n",
					       len, enl_clip_format_name(format),
					       path);
		}
	} else {
		/*
		 * The guest's text: escaped in the text reply (no line or
		 * terminal escape of its own), exact in JSON; --out FILE
		 * has the bytes as they are.
		 */
		enl_ctl_escape(out, (const char *)d, (ssize_t)len);
	}
	if (!ret && req->json) {
		enl_json_obj(req->json, NULL);
		enl_json_str(req->json, "format", enl_clip_format_name(format));
		enl_json_u64(req->json, "bytes", len);
		if (path)
			enl_json_str(req->json, "file", path);
		else
			enl_json_strn(req->json, "text", (const char *)d, len);
		enl_json_end(req->json);
	}
	g_bytes_unref(w.data);
	return ret;
}

int enl_clip_ctl(const struct enl_clip_ctl_ops *ops, struct enl_ctl_req *req)
{
	GString *out = req->out;
	unsigned int ms = CLIP_WAIT_DEFAULT_MS;
	struct clip_args a;
	uint32_t format;

	if (parse_args(req->argc, req->argv, &a) < 0)
		return -EINVAL;
	format = enl_clip_format_from_name(a.type ? a.type : "text");
	if (!format) {
		g_string_append_printf(out, "unknown type %s (text, png, html, "
				       "uri-list or a MIME type)\n", a.type);
		return -EINVAL;
	}
	if (a.timeout) {
		char *end;
		double s = strtod(a.timeout, &end);

		if (*end || end == a.timeout || !(s > 0) ||
		    s * 1000 > ENL_CTL_WAIT_MAX_MS)
			return -EINVAL;
		ms = (unsigned int)(s * 1000);
	}
	if (a.n == 0 || (a.n == 1 && !strcmp(a.pos[0], "status")))
		return ops->call(ops->ctx, show_status, req) ? 0 : -ENODEV;
	if (a.n == 2 && !strcmp(a.pos[0], "set") && !a.out)
		return do_set(ops, format, a.pos[1], req);
	if (a.n == 1 && !strcmp(a.pos[0], "get"))
		return do_get(ops, format, a.out, ms, req);
	return -EINVAL;
}

/* A fixed engine on this thread: calls are direct. */
static bool call_direct(void *ctx,
			void (*fn)(struct enl_clip_host *h, void *data),
			void *data)
{
	fn(ctx, data);
	return true;
}

static int ctl_clipboard(void *ctx, struct enl_ctl_req *req)
{
	const struct enl_clip_ctl_ops ops = { call_direct, ctx };

	return enl_clip_ctl(&ops, req);
}

void enl_clip_register_ctl(struct enl_clip_host *h, struct enl_ctl *ctl)
{
	static const struct enl_ctl_verb verbs[] = {
		{ "clipboard", ctl_clipboard, ENL_CLIP_CTL_USAGE, 0 },
	};

	ENL_CTL_ADD_VERBS(ctl, h, verbs);
}
