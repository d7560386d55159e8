// SPDX-License-Identifier: GPL-2.0-only
/* libenl's pure parts: UTF-16 conversion, config getters, negotiation. */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "ic.h"
#include "log.h"
#include "tap.h"
#include "utf16.h"

static void test_utf16(void)
{
	const char *s = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80";
	uint8_t w[64];
	char back[64];
	ssize_t n;

	n = enl_utf8_to_utf16le(s, w, sizeof(w));
	tap_ok(n == 2 * 10 + 2, "UTF-8 -> UTF-16LE: %zd bytes with NUL", n);
	tap_ok(w[16] == 0x3d && w[17] == 0xd8 && w[18] == 0x00 &&
	       w[19] == 0xde, "U+1F600 as the surrogate pair d83d de00");
	tap_ok(enl_utf16le_to_utf8(w, (size_t)n, back, sizeof(back)) ==
	       (ssize_t)strlen(s) && !strcmp(back, s), "round trip");
	tap_ok(enl_utf16le_to_utf8(w, (size_t)n, back, 5) == -ENOSPC,
	       "UTF-8 output bounded: -ENOSPC");
	tap_ok(enl_utf8_to_utf16le(s, w, 10) == -ENOSPC,
	       "UTF-16 output bounded: -ENOSPC");
	tap_ok(enl_utf16le_to_utf8(w, 5, back, sizeof(back)) == -EINVAL,
	       "odd byte count: -EINVAL");
	tap_ok(enl_utf16le_to_utf8((uint8_t[]){ 0x00, 0xdc, 0x41, 0 }, 4, back,
				   sizeof(back)) == -EILSEQ,
	       "lone low surrogate: -EILSEQ");
	tap_ok(enl_utf16le_to_utf8((uint8_t[]){ 0x3d, 0xd8, 0x41, 0 }, 4, back,
				   sizeof(back)) == -EILSEQ,
	       "high surrogate without low: -EILSEQ");
	tap_ok(enl_utf16le_to_utf8((uint8_t[]){ 0x3d, 0xd8 }, 2, back,
				   sizeof(back)) == -EILSEQ,
	       "high surrogate at the end of the buffer: -EILSEQ");
	tap_ok(enl_utf16le_to_utf8((uint8_t[]){ 0x41, 0, 0x42, 0 }, 4, back,
				   sizeof(back)) == 2 && !strcmp(back, "AB"),
	       "unterminated input stops at its length");
	tap_ok(enl_utf8_to_utf16le("\xc0\x80", w, sizeof(w)) == -EILSEQ,
	       "overlong UTF-8: -EILSEQ");
	tap_ok(enl_utf8_to_utf16le("\xed\xa0\x80", w, sizeof(w)) == -EILSEQ,
	       "UTF-8-encoded surrogate: -EILSEQ");
	tap_ok(enl_utf8_to_utf16le("\xf4\x90\x80\x80", w, sizeof(w)) ==
	       -EILSEQ, "beyond U+10FFFF: -EILSEQ");
	tap_ok(enl_utf8_to_utf16le("a\xe2\x82", w, sizeof(w)) == -EILSEQ,
	       "truncated sequence: -EILSEQ");
}

static void test_config(void)
{
	static const char *const ch[] = { "auto", "always", "never", NULL };
	struct enl_config c;
	char *s;

	tap_ok(enl_config_load_data(&c, "[x]\nn=12\nb=yes\nd=0.5\ne=never\n"
				    "s= hi \nbad=zz\n[y]\nn=3\n", "x") == 0,
	       "config parses");
	tap_ok(enl_config_int(&c, "n", 1, 0, 100) == 12 &&
	       enl_config_int(&c, "missing", 7, 0, 100) == 7,
	       "int and default, from its own section");
	tap_ok(enl_config_bool(&c, "b", false) && enl_config_enum(&c, "e", 0,
	       ch) == 2, "bool and enum");
	s = enl_config_string(&c, "s", NULL);
	tap_ok(!strcmp(s, "hi") && enl_config_double(&c, "d", 0, 0, 1) == 0.5,
	       "string trimmed, double");
	g_free(s);
	tap_ok(c.errors == 0, "no errors so far");
	tap_ok(enl_config_int(&c, "bad", 4, 0, 9) == 4 &&
	       enl_config_int(&c, "n", 4, 0, 9) == 4 &&
	       !enl_config_bool(&c, "bad", false) &&
	       enl_config_enum(&c, "bad", 1, ch) == 1 && c.errors == 4,
	       "malformed and out-of-range values: default, counted");
	enl_config_free(&c);
	tap_ok(enl_config_load_data(&c, "[x\nn=", "x") < 0,
	       "syntax error refused");
	enl_config_free(&c);
	tap_ok(enl_config_load(&c, "/nonexistent/enl.conf", "x") < 0,
	       "explicit missing file refused");
	enl_config_free(&c);
}

static void test_negotiate(void)
{
	static const uint32_t ours[] = { ENL_IC_VERSION(1, 0),
					 ENL_IC_VERSION(3, 0),
					 ENL_IC_VERSION(4, 0) };
	static const uint32_t offer[] = { ENL_IC_VERSION(3, 0),
					  ENL_IC_VERSION(5, 0),
					  ENL_IC_VERSION(1, 0) };
	static const uint32_t fw1[] = { ENL_IC_FW_VERSION_1_0 };
	struct enl_ic_versions g = { enl_ic_fw_versions, 2, ours, 3 };
	struct enl_ic_versions h = { fw1, 1, offer, 3 };
	struct enl_ic_versions other = { fw1, 1, ours + 2, 1 };
	uint8_t buf[256];
	struct enl_ic_msg m;
	const char *why;
	uint32_t fw, srv;
	size_t rl;
	int n;

	n = enl_ic_build_negotiate(buf, sizeof(buf), &h, 1);
	tap_ok(n == (int)ENL_ICMSG_NEGOTIATE_PKT_SIZE(1, 3) &&
	       enl_ic_parse(buf, (size_t)n, &m, &why) == 0,
	       "negotiate request built and parsed");
	tap_ok(enl_ic_negotiate_answer(&m, sizeof(buf), &g, &fw, &srv, &rl,
				       &why) == 0 &&
	       fw == ENL_IC_FW_VERSION_1_0 && srv == ENL_IC_VERSION(3, 0),
	       "highest common version chosen from an unordered offer");
	tap_ok(rl >= ENL_ICMSG_NEGOTIATE_PKT_SIZE(1, 1) &&
	       enl_ic_parse(buf, rl, &m, &why) == 0 &&
	       enl_ic_negotiate_result(&m, &h, &fw, &srv, &why) == 0 &&
	       srv == ENL_IC_VERSION(3, 0), "host reads the answer");
	tap_ok(enl_ic_negotiate_result(&m, &other, &fw, &srv, &why) == -EBADMSG,
	       "host rejects a version it never offered");
	m.hdr->icmsgsize = 4;
	m.body_len = 4;
	tap_ok(enl_ic_negotiate_result(&m, &h, &fw, &srv, &why) == -EBADMSG,
	       "host rejects a truncated answer");
	n = enl_ic_build_negotiate(buf, sizeof(buf), &h, 1);
	enl_ic_parse(buf, (size_t)n, &m, &why);
	m.hdr->icmsgsize = 12;
	m.body_len = 12;
	tap_ok(enl_ic_negotiate_answer(&m, sizeof(buf), &g, &fw, &srv, &rl,
				       &why) == -EBADMSG &&
	       m.hdr->status == ENL_HV_E_FAIL,
	       "versions past icmsgsize: E_FAIL");
	tap_ok(enl_ic_negotiate_answer(&m, 20, &g, &fw, &srv, &rl, &why) ==
	       -EINVAL, "answer never written past a small buffer");
}

int main(void)
{
	enl_log_init("test-libenl", true);
	test_utf16();
	test_config();
	test_negotiate();
	return tap_done();
}
