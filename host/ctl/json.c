// SPDX-License-Identifier: GPL-2.0-only
/* JSON writer and text escaper for ctl replies (json.h). */
#include "json.h"

#include <inttypes.h>
#include <string.h>

void enl_json_init(struct enl_json *j, GString *buf)
{
	*j = (struct enl_json){ .buf = buf };
	j->first[0] = true;
}

/* Before a value: the separator and key, or mark misuse. */
static bool value_start(struct enl_json *j, const char *key)
{
	if (j->bad)
		return false;
	if (j->depth == 0) {
		if (key || j->top_done) {
			j->bad = true;
			return false;
		}
		j->top_done = true;
		return true;
	}
	if ((j->close[j->depth] == '}') != (key != NULL)) {
		j->bad = true;
		return false;
	}
	if (!j->first[j->depth])
		g_string_append_c(j->buf, ',');
	j->first[j->depth] = false;
	if (key) {
		enl_json_quote(j->buf, key, strlen(key));
		g_string_append_c(j->buf, ':');
	}
	return true;
}

static void open_level(struct enl_json *j, const char *key, char open,
		       char close)
{
	if (j->depth == ENL_JSON_DEPTH) {
		j->bad = true;
		return;
	}
	if (!value_start(j, key))
		return;
	g_string_append_c(j->buf, open);
	j->depth++;
	j->first[j->depth] = true;
	j->close[j->depth] = close;
}

void enl_json_obj(struct enl_json *j, const char *key)
{
	open_level(j, key, '{', '}');
}

void enl_json_arr(struct enl_json *j, const char *key)
{
	open_level(j, key, '[', ']');
}

void enl_json_end(struct enl_json *j)
{
	if (j->bad)
		return;
	if (j->depth == 0) {
		j->bad = true;
		return;
	}
	g_string_append_c(j->buf, j->close[j->depth]);
	j->depth--;
}

void enl_json_strn(struct enl_json *j, const char *key, const char *s,
		   size_t len)
{
	if (value_start(j, key))
		enl_json_quote(j->buf, s, len);
}

void enl_json_str(struct enl_json *j, const char *key, const char *s)
{
	if (!s)
		enl_json_null(j, key);
	else
		enl_json_strn(j, key, s, strlen(s));
}

void enl_ctl_append_u64(GString *out, uint64_t v)
{
	char buf[20];
	size_t i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	g_string_append_len(out, buf + i, (gssize)(sizeof(buf) - i));
}

void enl_json_u64(struct enl_json *j, const char *key, uint64_t v)
{
	if (value_start(j, key))
		enl_ctl_append_u64(j->buf, v);
}

void enl_json_i64(struct enl_json *j, const char *key, int64_t v)
{
	if (value_start(j, key))
		g_string_append_printf(j->buf, "%" PRId64, v);
}

void enl_json_bool(struct enl_json *j, const char *key, bool v)
{
	if (value_start(j, key))
		g_string_append(j->buf, v ? "true" : "false");
}

void enl_json_null(struct enl_json *j, const char *key)
{
	if (value_start(j, key))
		g_string_append(j->buf, "null");
}

void enl_json_one_str(struct enl_json *j, const char *key, const char *s)
{
	if (!j)
		return;
	enl_json_obj(j, NULL);
	enl_json_str(j, key, s);
	enl_json_end(j);
}

void enl_json_one_u64(struct enl_json *j, const char *key, uint64_t v)
{
	if (!j)
		return;
	enl_json_obj(j, NULL);
	enl_json_u64(j, key, v);
	enl_json_end(j);
}

void enl_json_one_bool(struct enl_json *j, const char *key, bool v)
{
	if (!j)
		return;
	enl_json_obj(j, NULL);
	enl_json_bool(j, key, v);
	enl_json_end(j);
}

bool enl_json_complete(const struct enl_json *j)
{
	return !j->bad && j->depth == 0 && j->top_done;
}

/* Length of the valid UTF-8 character at s (at most left bytes), or 0. */
static size_t utf8_char_len(const char *s, size_t left)
{
	gunichar c;
	size_t n;

	c = g_utf8_get_char_validated(s, (gssize)left);
	if (c == (gunichar)-1 || c == (gunichar)-2)
		return 0;
	n = (size_t)(g_utf8_next_char(s) - s);
	return n <= left ? n : 0;
}

void enl_json_quote(GString *out, const char *s, size_t len)
{
	size_t i = 0;

	g_string_append_c(out, '"');
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n;

		if (c == '"' || c == '\\') {
			g_string_append_c(out, '\\');
			g_string_append_c(out, (char)c);
			i++;
		} else if (c == '\n') {
			g_string_append(out, "\\n");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			g_string_append_printf(out, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			g_string_append_c(out, (char)c);
			i++;
		} else if ((n = utf8_char_len(s + i, len - i)) != 0) {
			g_string_append_len(out, s + i, (gssize)n);
			i += n;
		} else {
			g_string_append(out, "\\ufffd");
			i++;
		}
	}
	g_string_append_c(out, '"');
}

void enl_ctl_escape(GString *out, const char *s, ssize_t len)
{
	size_t n = len < 0 ? strlen(s) : (size_t)len;
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k;

		if (c == '\\') {
			g_string_append(out, "\\\\");
			i++;
		} else if (c == '\n') {
			g_string_append(out, "\\n");
			i++;
		} else if (c == '\t') {
			g_string_append(out, "\\t");
			i++;
		} else if (c == '\r') {
			g_string_append(out, "\\r");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			g_string_append_printf(out, "\\x%02x", c);
			i++;
		} else if (c < 0x80) {
			g_string_append_c(out, (char)c);
			i++;
		} else if ((k = utf8_char_len(s + i, n - i)) != 0 &&
			   g_unichar_isprint(g_utf8_get_char(s + i))) {
			/* C1 controls (U+0080..U+009F) are not printable. */
			g_string_append_len(out, s + i, (gssize)k);
			i += k;
		} else if (k) {
			for (size_t m = 0; m < k; m++)
				g_string_append_printf(out, "\\x%02x",
						       (unsigned char)s[i + m]);
			i += k;
		} else {
			g_string_append_printf(out, "\\x%02x", c);
			i++;
		}
	}
}
