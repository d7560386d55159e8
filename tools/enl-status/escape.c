// SPDX-License-Identifier: GPL-2.0-only
/* Escaping of untrusted text for terminals and JSON (escape.h). */
#include <string.h>
#include "escape.h"

/* Characters that move the cursor, change modes or break lines. */
static gboolean unsafe(gunichar c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 ||
	       c == 0x2029 || !g_unichar_isprint(c);
}

void esc_text(GString *out, const char *s)
{
	const char *p = s;

	while (*p) {
		const char *end;
		gunichar c;

		if (!g_utf8_validate(p, (gssize)strnlen(p, 4), &end) && end == p) {
			g_string_append_printf(out, "\\x%02x", (unsigned char)*p);
			p++;
			continue;
		}
		c = g_utf8_get_char(p);
		if (c == '\\')
			g_string_append(out, "\\\\");
		else if (c < 0x80 && unsafe(c))
			g_string_append_printf(out, "\\x%02x", c);
		else if (unsafe(c))
			g_string_append_printf(out, "\\u{%04x}", c);
		else
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
		p = g_utf8_next_char(p);
	}
}

void esc_json(GString *out, const char *s)
{
	const char *p = s;

	g_string_append_c(out, '"');
	while (*p) {
		const char *end;
		gunichar c;

		if (!g_utf8_validate(p, (gssize)strnlen(p, 4), &end) && end == p) {
			g_string_append(out, "\\ufffd");
			p++;
			continue;
		}
		c = g_utf8_get_char(p);
		if (c == '"' || c == '\\')
			g_string_append_printf(out, "\\%c", (char)c);
		else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
			 c == 0x2028 || c == 0x2029)
			g_string_append_printf(out, "\\u%04x", c);
		else
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
		p = g_utf8_next_char(p);
	}
	g_string_append_c(out, '"');
}
