/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Output that scripts can trust: a small JSON writer for `ctl --json` and
 * an escaper for text replies. Both take any bytes (guest-supplied keys,
 * values, names): nothing the guest sends can end a line, forge a field or
 * reach a terminal as an escape sequence.
 */
#ifndef ENL_HOST_CTL_JSON_H
#define ENL_HOST_CTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <glib.h>

#define ENL_JSON_DEPTH	16

/*
 * Writes one JSON value into buf. Inside an object every call takes a key,
 * inside an array (or for the single top-level value) key is NULL. Misuse
 * (a key where none belongs, too deep, end without begin) sets `bad`, and
 * the envelope then reports the verb's data as unusable instead of emitting
 * broken JSON.
 */
struct enl_json {
	GString *buf;
	int depth;
	bool bad;
	bool first[ENL_JSON_DEPTH + 1];
	char close[ENL_JSON_DEPTH + 1];	/* '}' or ']' per open level */
	bool top_done;
};

void enl_json_init(struct enl_json *j, GString *buf);
void enl_json_obj(struct enl_json *j, const char *key);
void enl_json_arr(struct enl_json *j, const char *key);
void enl_json_end(struct enl_json *j);
/* s may be NULL (null); strn takes len bytes that may hold NUL. */
void enl_json_str(struct enl_json *j, const char *key, const char *s);
void enl_json_strn(struct enl_json *j, const char *key, const char *s,
		   size_t len);
void enl_json_u64(struct enl_json *j, const char *key, uint64_t v);
void enl_json_i64(struct enl_json *j, const char *key, int64_t v);
void enl_json_bool(struct enl_json *j, const char *key, bool v);
void enl_json_null(struct enl_json *j, const char *key);
/*
 * A whole one-field object, {"key": v}: what a verb that did one thing
 * answers (the relid it offered, the file it wrote). j NULL (no --json):
 * nothing, so callers need not test for it.
 */
void enl_json_one_str(struct enl_json *j, const char *key, const char *s);
void enl_json_one_u64(struct enl_json *j, const char *key, uint64_t v);
void enl_json_one_bool(struct enl_json *j, const char *key, bool v);
/* The value must be done: every obj/arr ended, one top-level value. */
bool enl_json_complete(const struct enl_json *j);

/*
 * A JSON string literal (with quotes) of len bytes: ", \ and control
 * characters escaped, bytes that are not UTF-8 as U+FFFD.
 */
void enl_json_quote(GString *out, const char *s, size_t len);

/*
 * Text-reply form of untrusted bytes: printable UTF-8 as is; backslash,
 * control characters (newline, ESC, DEL, C1) and bytes that are not UTF-8
 * as \\, \n, \t, \r or \xNN. len < 0: up to the NUL.
 */
void enl_ctl_escape(GString *out, const char *s, ssize_t len);

/*
 * v in decimal, without printf: a status reply carries a hundred counters,
 * and formatting each through printf (which allocates) was most of its
 * cost.
 */
void enl_ctl_append_u64(GString *out, uint64_t v);

#endif /* ENL_HOST_CTL_JSON_H */
