/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Text that came from the host side (device names, status text, anything
 * read from sysfs) escaped for the two places it goes: a terminal, where a
 * control sequence could rewrite the screen, and a JSON parser.
 */
#ifndef ENL_STATUS_ESCAPE_H
#define ENL_STATUS_ESCAPE_H

#include <glib.h>

/*
 * Append s for a terminal: printable ASCII and printable non-ASCII UTF-8
 * as is; backslash as "\\"; control characters (C0, DEL, C1), line and
 * paragraph separators and bytes that are not UTF-8 as \xNN or \u{N}.
 */
void esc_text(GString *out, const char *s);

/*
 * Append s as a JSON string literal, quotes included. Bytes that are not
 * UTF-8 become U+FFFD, so the document is always valid UTF-8; controls,
 * DEL, C1, U+2028 and U+2029 are written as \uXXXX.
 */
void esc_json(GString *out, const char *s);

#endif
