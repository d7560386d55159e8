// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fields of a ctl reply written once for both forms (ctl.h): a text line
 * of "k=v" and, with --json, an object with the same keys and values.
 */
#include <inttypes.h>

#include "ctl.h"

/*
 * Text: " k=" after the prefix or a field, "k=" at the line's start
 * (" k " and "k " for a line begun with enl_ctl_kv_begin_words).
 */
static void text_key(struct enl_ctl_req *req, const char *k)
{
	GString *o = req->out;

	if (o->len && o->str[o->len - 1] != '\n')
		g_string_append_c(o, ' ');
	g_string_append_printf(o, "%s%c", k, req->kv_words ? ' ' : '=');
}

void enl_ctl_kv_begin(struct enl_ctl_req *req, const char *key,
		      const char *prefix)
{
	req->kv_words = false;
	if (prefix)
		g_string_append(req->out, prefix);
	if (req->json)
		enl_json_obj(req->json, key);
}

void enl_ctl_kv_begin_words(struct enl_ctl_req *req, const char *key,
			    const char *prefix)
{
	enl_ctl_kv_begin(req, key, prefix);
	req->kv_words = true;
}

void enl_ctl_kv_u64(struct enl_ctl_req *req, const char *k, uint64_t v)
{
	text_key(req, k);
	g_string_append_printf(req->out, "%" PRIu64, v);
	if (req->json)
		enl_json_u64(req->json, k, v);
}

void enl_ctl_kv_hex(struct enl_ctl_req *req, const char *k, uint64_t v,
		    int width)
{
	text_key(req, k);
	g_string_append_printf(req->out, "0x%0*" PRIx64, width, v);
	if (req->json)
		enl_json_u64(req->json, k, v);
}

void enl_ctl_kv_bool(struct enl_ctl_req *req, const char *k, bool v)
{
	text_key(req, k);
	g_string_append_c(req->out, v ? '1' : '0');
	if (req->json)
		enl_json_bool(req->json, k, v);
}

void enl_ctl_kv_flag(struct enl_ctl_req *req, const char *word,
		     const char *k, bool v)
{
	if (v)
		g_string_append_printf(req->out, " %s", word);
	if (req->json)
		enl_json_bool(req->json, k, v);
}

void enl_ctl_kv_str(struct enl_ctl_req *req, const char *k, const char *s)
{
	text_key(req, k);
	if (s)
		enl_ctl_escape(req->out, s, -1);
	else
		g_string_append_c(req->out, '-');
	if (req->json)
		enl_json_str(req->json, k, s);
}

void enl_ctl_kv_end(struct enl_ctl_req *req)
{
	req->kv_words = false;
	g_string_append_c(req->out, '\n');
	if (req->json)
		enl_json_end(req->json);
}
