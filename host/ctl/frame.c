// SPDX-License-Identifier: GPL-2.0-only
/* ctl request framing: netstrings or one shell-quoted line (frame.h). */
#include <stdbool.h>

#include "frame.h"

#include <string.h>

void enl_ctl_frame_encode(GString *req, int argc, char *const *argv)
{
	g_string_append_c(req, '\0');
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);

		g_string_append_printf(req, "%zu:", n);
		g_string_append_len(req, argv[i], (gssize)n);
		g_string_append_c(req, ',');
	}
	g_string_append_c(req, '\n');
}

static int decode_line(const char *buf, size_t len, bool eof, int *argc,
		       char ***argv, GString *why)
{
	const char *nl = memchr(buf, '\n', len);
	g_autoptr(GError) error = NULL;
	g_autofree char *line = NULL;

	if (!nl && len > ENL_CTL_LINE_MAX) {
		g_string_append(why, "request too long");
		return -1;
	}
	if (!nl && !eof)
		return 0;
	line = g_strndup(buf, nl ? (size_t)(nl - buf) : len);
	if (strlen(line) != (nl ? (size_t)(nl - buf) : len)) {
		g_string_append(why, "NUL in request");
		return -1;
	}
	if (!*line) {
		g_string_append(why, "empty request");
		return -1;
	}
	if (!g_shell_parse_argv(line, argc, argv, &error)) {
		g_string_append_printf(why, "cannot parse request: %s",
				       error->message);
		return -1;
	}
	return 1;
}

/* One "<len>:" at *pos; 0 incomplete, -1 malformed, 1 with *n. */
static int netstring_len(const char *buf, size_t len, size_t *pos, size_t *n)
{
	size_t p = *pos, v = 0, digits = 0;

	while (p < len && buf[p] >= '0' && buf[p] <= '9') {
		if (digits && v == 0)
			return -1;	/* leading zero */
		v = v * 10 + (size_t)(buf[p] - '0');
		if (v > ENL_CTL_REQ_MAX)
			return -1;
		digits++;
		p++;
	}
	if (p == len)
		return 0;
	if (!digits || buf[p] != ':')
		return -1;
	*n = v;
	*pos = p + 1;
	return 1;
}

static int decode_framed(const char *buf, size_t len, bool eof, int *argc,
			 char ***argv, GString *why)
{
	g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
	size_t pos = 1, n;
	int rc;

	for (;;) {
		if (pos == len)
			goto incomplete;
		if (buf[pos] == '\n')
			break;
		if (args->len == ENL_CTL_ARGS_MAX) {
			g_string_append(why, "too many arguments");
			return -1;
		}
		rc = netstring_len(buf, len, &pos, &n);
		if (rc == 0)
			goto incomplete;
		if (rc < 0) {
			g_string_append(why, "malformed request frame");
			return -1;
		}
		if (len - pos < n + 1)
			goto incomplete;
		if (buf[pos + n] != ',') {
			g_string_append(why, "malformed request frame");
			return -1;
		}
		if (memchr(buf + pos, '\0', n)) {
			g_string_append_printf(why, "NUL in argument %u",
					       args->len);
			return -1;
		}
		g_ptr_array_add(args, g_strndup(buf + pos, n));
		pos += n + 1;
	}
	if (pos + 1 != len) {
		g_string_append(why, "bytes after the request");
		return -1;
	}
	if (!args->len) {
		g_string_append(why, "empty request");
		return -1;
	}
	*argc = (int)args->len;
	g_ptr_array_add(args, NULL);
	*argv = (char **)g_ptr_array_free(g_steal_pointer(&args), FALSE);
	return 1;
incomplete:
	if (eof) {
		g_string_append(why, "request cut short");
		return -1;
	}
	return 0;
}

int enl_ctl_frame_decode(const char *buf, size_t len, bool eof, int *argc,
			 char ***argv, GString *why)
{
	if (len > ENL_CTL_REQ_MAX) {
		g_string_append(why, "request too long");
		return -1;
	}
	if (!len) {
		if (eof)
			g_string_append(why, "empty request");
		return eof ? -1 : 0;
	}
	if (buf[0] == '\0')
		return decode_framed(buf, len, eof, argc, argv, why);
	return decode_line(buf, len, eof, argc, argv, why);
}
