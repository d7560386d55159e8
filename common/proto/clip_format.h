/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Clipboard formats: names for users (and MIME types for desktops) and the
 * check every received payload passes before anyone sees it. No libc
 * beyond string.h, so the host and the guest share it as is.
 */
#ifndef ENL_CLIP_FORMAT_H
#define ENL_CLIP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "text", "png", "html", "uri-list" or a MIME type; 0 when unknown. */
uint32_t enl_clip_format_from_name(const char *name);
/* Short name ("text"), or "unknown". */
const char *enl_clip_format_name(uint32_t format);
const char *enl_clip_format_mime(uint32_t format);

/* Strict UTF-8: no overlong forms, surrogates, > U+10FFFF, or NUL. */
bool enl_clip_utf8_valid(const uint8_t *s, size_t len);

/*
 * Whether data is acceptable as format: UTF-8 for the text formats, a PNG
 * signature for PNG, anything for formats we do not interpret.
 */
bool enl_clip_payload_valid(uint32_t format, const uint8_t *data, size_t len);

#endif /* ENL_CLIP_FORMAT_H */
