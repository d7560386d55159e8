// SPDX-License-Identifier: GPL-2.0-only
/* Clipboard format names and payload validation. */
#include <string.h>
#include <enlighten/clipboard.h>

#include "clip_format.h"
#include "tap.h"

#define U(s) ((const uint8_t *)(s)), (sizeof(s) - 1)

int main(void)
{
	static const uint8_t png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
				       '\n', 0, 0 };

	tap_ok(enl_clip_format_from_name("text") == ENL_CLIP_FMT_TEXT &&
	       enl_clip_format_from_name("UTF8_STRING") == ENL_CLIP_FMT_TEXT &&
	       enl_clip_format_from_name("text/plain;charset=utf-8") ==
	       ENL_CLIP_FMT_TEXT && enl_clip_format_from_name("TEXT/PLAIN") ==
	       ENL_CLIP_FMT_TEXT, "text by name and MIME type");
	tap_ok(enl_clip_format_from_name("png") == ENL_CLIP_FMT_PNG &&
	       enl_clip_format_from_name("image/png") == ENL_CLIP_FMT_PNG,
	       "png by name and MIME type");
	tap_ok(enl_clip_format_from_name("image/gif") == 0 &&
	       !strcmp(enl_clip_format_name(77), "unknown"), "unknown formats");
	tap_ok(!strcmp(enl_clip_format_mime(ENL_CLIP_FMT_HTML), "text/html"),
	       "MIME type of html");

	tap_ok(enl_clip_utf8_valid(U("plain ascii")), "ascii");
	tap_ok(enl_clip_utf8_valid(U("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80")),
	       "2, 3 and 4 byte sequences");
	tap_ok(enl_clip_utf8_valid(U("")), "empty text");
	tap_ok(!enl_clip_utf8_valid(U("a\0b")), "NUL refused");
	tap_ok(!enl_clip_utf8_valid(U("\xc0\xaf")), "overlong refused");
	tap_ok(!enl_clip_utf8_valid(U("\xed\xa0\x80")), "surrogate refused");
	tap_ok(!enl_clip_utf8_valid(U("\xf4\x90\x80\x80")), "> U+10FFFF refused");
	tap_ok(!enl_clip_utf8_valid(U("ab\xe2\x82")), "truncated refused");
	tap_ok(!enl_clip_utf8_valid(U("\x80")), "stray continuation refused");
	tap_ok(!enl_clip_utf8_valid(U("\xff")), "0xff refused");

	tap_ok(enl_clip_payload_valid(ENL_CLIP_FMT_PNG, png, sizeof(png)),
	       "PNG signature accepted");
	tap_ok(!enl_clip_payload_valid(ENL_CLIP_FMT_PNG, png, 7) &&
	       !enl_clip_payload_valid(ENL_CLIP_FMT_PNG, U("GIF89a..")),
	       "short or foreign image refused");
	tap_ok(!enl_clip_payload_valid(ENL_CLIP_FMT_HTML, U("\xff")),
	       "html must be UTF-8");
	tap_ok(enl_clip_payload_valid(99, U("\xff\0")),
	       "uninterpreted formats pass");
	return tap_done();
}
