// SPDX-License-Identifier: GPL-2.0-only
/* Clipboard format names and payload checks (clip_format.h). */
#include "clip_format.h"

#include <string.h>
#include <strings.h>
#include <enlighten/clipboard.h>

static const struct {
	uint32_t format;
	const char *name, *mime;
} formats[] = {
	{ ENL_CLIP_FMT_TEXT, "text", "text/plain;charset=utf-8" },
	{ ENL_CLIP_FMT_PNG, "png", "image/png" },
	{ ENL_CLIP_FMT_HTML, "html", "text/html" },
	{ ENL_CLIP_FMT_URI_LIST, "uri-list", "text/uri-list" },
};

#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

uint32_t enl_clip_format_from_name(const char *name)
{
	for (size_t i = 0; i < N_FORMATS; i++)
		if (!strcasecmp(name, formats[i].name) ||
		    !strcasecmp(name, formats[i].mime))
			return formats[i].format;
	/* What X11 and GTK call plain text. */
	if (!strcasecmp(name, "text/plain") || !strcmp(name, "UTF8_STRING") ||
	    !strcmp(name, "STRING") || !strcasecmp(name, "utf8"))
		return ENL_CLIP_FMT_TEXT;
	return 0;
}

const char *enl_clip_format_name(uint32_t format)
{
	for (size_t i = 0; i < N_FORMATS; i++)
		if (formats[i].format == format)
			return formats[i].name;
	return "unknown";
}

const char *enl_clip_format_mime(uint32_t format)
{
	for (size_t i = 0; i < N_FORMATS; i++)
		if (formats[i].format == format)
			return formats[i].mime;
	return "application/octet-stream";
}

bool enl_clip_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		uint32_t cp, min;
		size_t n;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (n > len - i - 1)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

bool enl_clip_payload_valid(uint32_t format, const uint8_t *data, size_t len)
{
	static const uint8_t png_sig[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
	};

	switch (format) {
	case ENL_CLIP_FMT_TEXT:
	case ENL_CLIP_FMT_HTML:
	case ENL_CLIP_FMT_URI_LIST:
		return enl_clip_utf8_valid(data, len);
	case ENL_CLIP_FMT_PNG:
		return len >= sizeof(png_sig) &&
		       !memcmp(data, png_sig, sizeof(png_sig));
	}
	return true;
}
