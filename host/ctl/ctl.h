/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's control socket: a UNIX stream socket; a client sends one
 * request (frame.h: the verb and its arguments, any bytes), the server
 * writes the reply and closes. A text reply's first line is "ok" or
 * "error: <why>"; with `--json` before the verb the reply is one JSON
 * object on one line:
 *   {"ok":true,"verb":"V","data":<the verb's value or null>,"text":"..."}
 *   {"ok":false,"verb":"V","error":"why"}
 * Parts of the host register verbs; docs/ctl.md says how to add one.
 */
#ifndef ENL_HOST_CTL_H
#define ENL_HOST_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "json.h"

struct enl_ctl;

/* One request as a verb sees it. */
struct enl_ctl_req {
	int argc;
	char **argv;	/* the verb's own pointer array: may reorder or drop */
	GString *out;	/* the text body (after "ok\n"), or the error's why */
	/*
	 * Non-NULL when the client asked for --json: write exactly one value
	 * (usually an object) with enl_json_*; it becomes "data". Text in out
	 * is sent too, as "text". Untouched, "data" is null.
	 */
	struct enl_json *json;
	bool kv_words;	/* enl_ctl_kv_* text is "k v", not "k=v" (kv.c) */
};

/*
 * Return 0 for "ok", -errno for "error". -EINVAL with nothing in out
 * answers "error: usage: <usage>".
 */
typedef int (*enl_ctl_verb_fn)(void *ctx, struct enl_ctl_req *req);

/*
 * A part's verbs, in one table registered at once (ENL_CTL_ADD_VERBS):
 * each verb writes its text to req->out and its JSON through req->json,
 * and the dispatcher alone turns that into a text or a --json reply.
 */
struct enl_ctl_verb {
	const char *name;
	enl_ctl_verb_fn fn;
	const char *usage;
	unsigned int flags;
};

/*
 * The verb also takes "--json" among its own arguments (`disk list
 * --json`, its form from before `ctl --json`): the dispatcher takes the
 * flag out and the reply body is then the verb's JSON value alone.
 */
#define ENL_CTL_JSON_ARG	1u

void enl_ctl_add_verbs(struct enl_ctl *ctl, void *ctx,
		       const struct enl_ctl_verb *verbs, size_t n);
#define ENL_CTL_ADD_VERBS(ctl, ctx, verbs) \
	enl_ctl_add_verbs(ctl, ctx, verbs, G_N_ELEMENTS(verbs))

/* One verb alone. */
void enl_ctl_add(struct enl_ctl *ctl, const char *verb, enl_ctl_verb_fn fn,
		 void *ctx, const char *usage);

/*
 * Counters and fields written once for both forms: text
 * "<prefix> k=v k=v ...\n" (prefix may be NULL: no prefix, no leading
 * space), and with --json an object {"k":v,...} (key: its name in the
 * enclosing object, NULL inside an array or at the top).
 */
void enl_ctl_kv_begin(struct enl_ctl_req *req, const char *key,
		      const char *prefix);
/* The same, for a line of words: text "<prefix> k v k v ...\n". */
void enl_ctl_kv_begin_words(struct enl_ctl_req *req, const char *key,
			    const char *prefix);
void enl_ctl_kv_u64(struct enl_ctl_req *req, const char *k, uint64_t v);
/* Text 0x%0*x (width hex digits), JSON a number. */
void enl_ctl_kv_hex(struct enl_ctl_req *req, const char *k, uint64_t v,
		    int width);
/* Text 1 or 0, JSON true or false. */
void enl_ctl_kv_bool(struct enl_ctl_req *req, const char *k, bool v);
/* Text " word" when v (nothing otherwise), JSON k: true or false. */
void enl_ctl_kv_flag(struct enl_ctl_req *req, const char *word,
		     const char *k, bool v);
/* Text escaped (enl_ctl_escape), JSON quoted; NULL: text "-", JSON null. */
void enl_ctl_kv_str(struct enl_ctl_req *req, const char *k, const char *s);
void enl_ctl_kv_end(struct enl_ctl_req *req);
/*
 * A counter another thread updates (any integer width), read once
 * without ordering: a snapshot for display.
 */
#define ENL_CTL_KV_ATOMIC(req, k, p) \
	enl_ctl_kv_u64((req), (k), __atomic_load_n((p), __ATOMIC_RELAXED))

/* ---- Strict argument helpers: each refuses with a reason in req->out. ---- */

/* argc (verb included) must be within [min, max]: else -EINVAL + usage. */
int enl_ctl_nargs(struct enl_ctl_req *req, int min, int max);

/*
 * A decimal number without sign, spaces, leading zeros or suffix, within
 * [min, max] ("0x1", "01", "1 ", "+1" are refused). what names it in the
 * error ("relid").
 */
int enl_ctl_parse_u64(struct enl_ctl_req *req, const char *what,
		      const char *s, uint64_t min, uint64_t max, uint64_t *v);
int enl_ctl_parse_u32(struct enl_ctl_req *req, const char *what,
		      const char *s, uint32_t min, uint32_t max, uint32_t *v);
/* The same check without a request: 0, -EINVAL (not a number), -ERANGE. */
int enl_ctl_strict_u64(const char *s, uint64_t *v);
/* Signed decimal (one optional '-') within [min, max]. */
int enl_ctl_parse_i64(struct enl_ctl_req *req, const char *what,
		      const char *s, int64_t min, int64_t max, int64_t *v);

/*
 * Take "--name VALUE" out of req->argv (wherever it is after the verb):
 * 1 with *value when present, 0 when absent, -EINVAL when it has no value
 * or is given twice.
 */
int enl_ctl_take_opt(struct enl_ctl_req *req, const char *name,
		     const char **value);
/* Take a flag "--name": 1 present, 0 absent, -EINVAL given twice. */
int enl_ctl_take_flag(struct enl_ctl_req *req, const char *name);

/* ---- Below: the server's life and the client, for main.c and tests. ---- */

/* Listen on `path` (a stale socket is replaced, a live one is -EADDRINUSE). */
struct enl_ctl *enl_ctl_new(const char *path, int *err);
/* Verbs without a socket: `enl-host ctl --help` lists them offline. */
struct enl_ctl *enl_ctl_new_offline(void);
void enl_ctl_free(struct enl_ctl *ctl);
/* Every verb's usage, one per line, in registration order. */
void enl_ctl_usage(struct enl_ctl *ctl, GString *out);

/* $XDG_RUNTIME_DIR/enl-host.sock, else /run/enlighten/enl-host.sock. */
char *enl_ctl_default_path(void);

/* Run one request through the verbs; reply as the socket would send. */
void enl_ctl_dispatch_argv(struct enl_ctl *ctl, int argc, char **argv,
			   GString *reply);
/* The same for a shell-quoted line (the line form of frame.h). */
void enl_ctl_dispatch(struct enl_ctl *ctl, const char *line, GString *reply);

/*
 * For tests: run a request line (text form), return the verb's own result
 * (-ENOENT for an unknown verb, -EINVAL when the line does not parse), the
 * body or the error's why in out.
 */
int enl_ctl_call(struct enl_ctl *ctl, const char *line, GString *out);

/* Per-client limits (ctl.c): beyond them a client is answered and dropped. */
#define ENL_CTL_CLIENTS_MAX	32
#define ENL_CTL_REPLY_MAX	(64u << 20)	/* bytes one reply may hold */
#define ENL_CTL_IDLE_MS		30000	/* to send a request or read a reply */

/* Counters a test or `status` can read. */
struct enl_ctl_stats {
	uint64_t requests, refused_busy, dropped_slow, dropped_idle,
		 replies_too_large, bad_requests;
};
void enl_ctl_get_stats(struct enl_ctl *ctl, struct enl_ctl_stats *st);

/*
 * `enl-host ctl [--json] verb args...`: send, print the reply to stdout.
 * Exit status: 0 for "ok", 1 for "error: ...", 2 when the server cannot be
 * reached.
 */
int enl_ctl_client(const char *path, int argc, char **argv);

#endif /* ENL_HOST_CTL_H */
