// SPDX-License-Identifier: GPL-2.0-only
/* Key names, US-layout text and X11 keysyms to scancode set 1 events. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "scancode.h"

#define SC_LSHIFT	0x2a

struct named_key {
	const char *name;
	uint8_t code;
	uint8_t e0;
	uint32_t keysym;	/* 0: none */
};

/* Keys that are not characters. Aliases follow their first name. */
static const struct named_key named[] = {
	{ "escape", 0x01, 0, 0xff1b }, { "esc", 0x01, 0, 0 },
	{ "backspace", 0x0e, 0, 0xff08 },
	{ "tab", 0x0f, 0, 0xff09 },
	{ "return", 0x1c, 0, 0xff0d }, { "enter", 0x1c, 0, 0 },
	{ "ctrl", 0x1d, 0, 0xffe3 }, { "control", 0x1d, 0, 0 },
	{ "ctrl_l", 0x1d, 0, 0 }, { "lctrl", 0x1d, 0, 0 },
	{ "shift", 0x2a, 0, 0xffe1 }, { "shift_l", 0x2a, 0, 0 },
	{ "lshift", 0x2a, 0, 0 },
	{ "rshift", 0x36, 0, 0xffe2 }, { "shift_r", 0x36, 0, 0 },
	{ "alt", 0x38, 0, 0xffe9 }, { "alt_l", 0x38, 0, 0 },
	{ "lalt", 0x38, 0, 0 },
	{ "space", 0x39, 0, 0 },
	{ "capslock", 0x3a, 0, 0xffe5 }, { "caps_lock", 0x3a, 0, 0 },
	{ "f1", 0x3b, 0, 0xffbe }, { "f2", 0x3c, 0, 0xffbf },
	{ "f3", 0x3d, 0, 0xffc0 }, { "f4", 0x3e, 0, 0xffc1 },
	{ "f5", 0x3f, 0, 0xffc2 }, { "f6", 0x40, 0, 0xffc3 },
	{ "f7", 0x41, 0, 0xffc4 }, { "f8", 0x42, 0, 0xffc5 },
	{ "f9", 0x43, 0, 0xffc6 }, { "f10", 0x44, 0, 0xffc7 },
	{ "f11", 0x57, 0, 0xffc8 }, { "f12", 0x58, 0, 0xffc9 },
	{ "numlock", 0x45, 0, 0xff7f }, { "num_lock", 0x45, 0, 0 },
	{ "scrolllock", 0x46, 0, 0xff14 }, { "scroll_lock", 0x46, 0, 0 },
	{ "kp7", 0x47, 0, 0xffb7 }, { "kp8", 0x48, 0, 0xffb8 },
	{ "kp9", 0x49, 0, 0xffb9 }, { "kpminus", 0x4a, 0, 0xffad },
	{ "kp4", 0x4b, 0, 0xffb4 }, { "kp5", 0x4c, 0, 0xffb5 },
	{ "kp6", 0x4d, 0, 0xffb6 }, { "kpplus", 0x4e, 0, 0xffab },
	{ "kp1", 0x4f, 0, 0xffb1 }, { "kp2", 0x50, 0, 0xffb2 },
	{ "kp3", 0x51, 0, 0xffb3 }, { "kp0", 0x52, 0, 0xffb0 },
	{ "kpdecimal", 0x53, 0, 0xffae }, { "kpmultiply", 0x37, 0, 0xffaa },
	{ "kpenter", 0x1c, 1, 0xff8d }, { "kpdivide", 0x35, 1, 0xffaf },
	{ "rctrl", 0x1d, 1, 0xffe4 }, { "ctrl_r", 0x1d, 1, 0 },
	{ "ralt", 0x38, 1, 0xffea }, { "alt_r", 0x38, 1, 0 },
	{ "altgr", 0x38, 1, 0xfe03 },
	{ "print", 0x37, 1, 0xff61 }, { "printscreen", 0x37, 1, 0 },
	{ "sysrq", 0x37, 1, 0xff15 },
	{ "home", 0x47, 1, 0xff50 }, { "up", 0x48, 1, 0xff52 },
	{ "pageup", 0x49, 1, 0xff55 }, { "prior", 0x49, 1, 0 },
	{ "pgup", 0x49, 1, 0 },
	{ "left", 0x4b, 1, 0xff51 }, { "right", 0x4d, 1, 0xff53 },
	{ "end", 0x4f, 1, 0xff57 }, { "down", 0x50, 1, 0xff54 },
	{ "pagedown", 0x51, 1, 0xff56 }, { "next", 0x51, 1, 0 },
	{ "pgdn", 0x51, 1, 0 },
	{ "insert", 0x52, 1, 0xff63 }, { "ins", 0x52, 1, 0 },
	{ "delete", 0x53, 1, 0xffff }, { "del", 0x53, 1, 0 },
	{ "super", 0x5b, 1, 0xffeb }, { "super_l", 0x5b, 1, 0 },
	{ "win", 0x5b, 1, 0 }, { "meta", 0x5b, 1, 0xffe7 },
	{ "super_r", 0x5c, 1, 0xffec }, { "meta_r", 0x5c, 1, 0xffe8 },
	{ "menu", 0x5d, 1, 0xff67 },
	/* Characters a combo cannot spell with '+' itself. */
	{ "plus", 0x0d, 0, 0 }, { "minus", 0x0c, 0, 0 },
};

/*
 * US layout: for each printable ASCII character from ' ' (0x20) to '~',
 * its make code, and 0x80 if it takes shift.
 */
#define SH 0x80
static const uint8_t us_ascii[95] = {
	0x39, 0x02 | SH, 0x28 | SH, 0x04 | SH,		/*  !"# */
	0x05 | SH, 0x06 | SH, 0x08 | SH, 0x28,		/* $%&' */
	0x0a | SH, 0x0b | SH, 0x09 | SH, 0x0d | SH,	/* ()*+ */
	0x33, 0x0c, 0x34, 0x35,				/* ,-./ */
	0x0b, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,	/* 0-7 */
	0x09, 0x0a,					/* 89 */
	0x27 | SH, 0x27, 0x33 | SH, 0x0d,		/* :;<= */
	0x34 | SH, 0x35 | SH, 0x03 | SH,		/* >?@ */
	0x1e | SH, 0x30 | SH, 0x2e | SH, 0x20 | SH,	/* A-D */
	0x12 | SH, 0x21 | SH, 0x22 | SH, 0x23 | SH,	/* E-H */
	0x17 | SH, 0x24 | SH, 0x25 | SH, 0x26 | SH,	/* I-L */
	0x32 | SH, 0x31 | SH, 0x18 | SH, 0x19 | SH,	/* M-P */
	0x10 | SH, 0x13 | SH, 0x1f | SH, 0x14 | SH,	/* Q-T */
	0x16 | SH, 0x2f | SH, 0x11 | SH, 0x2d | SH,	/* U-X */
	0x15 | SH, 0x2c | SH,				/* YZ */
	0x1a, 0x2b, 0x1b, 0x07 | SH, 0x0c | SH,		/* [\]^_ */
	0x29,						/* ` */
	0x1e, 0x30, 0x2e, 0x20, 0x12, 0x21, 0x22, 0x23,	/* a-h */
	0x17, 0x24, 0x25, 0x26, 0x32, 0x31, 0x18, 0x19,	/* i-p */
	0x10, 0x13, 0x1f, 0x14, 0x16, 0x2f, 0x11, 0x2d,	/* q-x */
	0x15, 0x2c,					/* yz */
	0x1a | SH, 0x2b | SH, 0x1b | SH, 0x29 | SH,	/* {|}~ */
};

/* The key of a typeable character; false if there is none. */
static bool char_key(unsigned char c, struct enl_key *key, bool *shift)
{
	uint8_t v;

	if (c == '\n' || c == '\r') {
		*key = (struct enl_key){ .code = 0x1c };
		*shift = false;
		return true;
	}
	if (c == '\t') {
		*key = (struct enl_key){ .code = 0x0f };
		*shift = false;
		return true;
	}
	if (c < 0x20 || c > 0x7e)
		return false;
	v = us_ascii[c - 0x20];
	*key = (struct enl_key){ .code = v & 0x7f };
	*shift = v & SH;
	return true;
}

int enl_key_by_name(const char *name, struct enl_key *key)
{
	bool shift;

	if (!strcasecmp(name, "pause") || !strcasecmp(name, "break")) {
		*key = (struct enl_key){ .code = 0x1d, .pause = true };
		return 0;
	}
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (!strcasecmp(name, named[i].name)) {
			*key = (struct enl_key){ .code = named[i].code,
						 .e0 = named[i].e0 };
			return 0;
		}
	}
	/* One character: its key (a capital letter is the same key). */
	if (name[0] && !name[1] && char_key((unsigned char)name[0], key,
					    &shift) && name[0] > ' ')
		return 0;
	return -EINVAL;
}

size_t enl_key_events(const struct enl_key *key, bool down,
		      struct enl_scan_event *ev)
{
	if (key->pause) {
		/* No break codes: the press sends make and break at once. */
		if (!down)
			return 0;
		ev[0] = (struct enl_scan_event){ 0x1d, ENL_SCAN_E1 };
		ev[1] = (struct enl_scan_event){ 0x45, 0 };
		ev[2] = (struct enl_scan_event){ 0x1d, ENL_SCAN_E1 | ENL_SCAN_BREAK };
		ev[3] = (struct enl_scan_event){ 0x45, ENL_SCAN_BREAK };
		return 4;
	}
	ev[0].code = key->code;
	ev[0].flags = (key->e0 ? ENL_SCAN_E0 : 0) | (down ? 0 : ENL_SCAN_BREAK);
	return 1;
}

int enl_scan_combo(const char *combo, struct enl_scan_event *ev, size_t max,
		   const char **bad)
{
	struct enl_key keys[ENL_SCAN_MAX_COMBO];
	char part[32];
	size_t nkeys = 0, n = 0;
	const char *p = combo;

	*bad = combo;
	for (;;) {
		const char *plus = strchr(p, '+');
		size_t len = plus ? (size_t)(plus - p) : strlen(p);

		/* "ctrl++": the '+' key itself. */
		if (!len && plus && (plus[1] == '\0' || plus[1] == '+')) {
			len = 1;
			plus = plus[1] ? plus + 1 : NULL;
		}
		*bad = p;
		if (!len || len >= sizeof(part))
			return -EINVAL;
		if (nkeys == ENL_SCAN_MAX_COMBO)
			return -ENOSPC;
		memcpy(part, p, len);
		part[len] = '\0';
		if (enl_key_by_name(part, &keys[nkeys]))
			return -EINVAL;
		nkeys++;
		if (!plus)
			break;
		p = plus + 1;
	}
	for (size_t i = 0; i < nkeys * 2; i++) {
		const struct enl_key *k = i < nkeys ? &keys[i] :
					  &keys[nkeys * 2 - 1 - i];
		struct enl_scan_event one[ENL_SCAN_MAX_PER_KEY];
		size_t got = enl_key_events(k, i < nkeys, one);

		if (n + got > max)
			return -ENOSPC;
		memcpy(ev + n, one, got * sizeof(*one));
		n += got;
	}
	return (int)n;
}

int enl_scan_text(const char *text, struct enl_scan_event *ev, size_t max,
		  size_t *bad_at)
{
	size_t n = 0;

	for (size_t i = 0; text[i]; i++) {
		struct enl_key key;
		bool shift;

		*bad_at = i;
		if (!char_key((unsigned char)text[i], &key, &shift))
			return -EINVAL;
		if (n + (shift ? 4 : 2) > max)
			return -ENOSPC;
		if (shift)
			ev[n++] = (struct enl_scan_event){ SC_LSHIFT, 0 };
		n += enl_key_events(&key, true, ev + n);
		n += enl_key_events(&key, false, ev + n);
		if (shift)
			ev[n++] = (struct enl_scan_event){ SC_LSHIFT,
							   ENL_SCAN_BREAK };
	}
	return (int)n;
}

size_t enl_scan_keysym(uint32_t keysym, bool down, struct enl_scan_event *ev)
{
	struct enl_key key;
	bool shift;

	if (keysym >= 0x20 && keysym <= 0x7e) {
		char_key((unsigned char)keysym, &key, &shift);
		return enl_key_events(&key, down, ev);
	}
	if (keysym == 0xff13) {			/* Pause */
		key = (struct enl_key){ .code = 0x1d, .pause = true };
		return enl_key_events(&key, down, ev);
	}
	if (keysym >= 0xff95 && keysym <= 0xff9f) {
		/* Keypad keys with Num Lock off: same keys as kp0..kp9, kpdecimal. */
		static const uint8_t kp[] = { 0x47, 0x4b, 0x48, 0x4d, 0x50,
					      0x49, 0x51, 0x4f, 0x4c, 0x52,
					      0x53 };

		key = (struct enl_key){ .code = kp[keysym - 0xff95] };
		return enl_key_events(&key, down, ev);
	}
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (named[i].keysym == keysym) {
			key = (struct enl_key){ .code = named[i].code,
						.e0 = named[i].e0 };
			return enl_key_events(&key, down, ev);
		}
	}
	return 0;
}
