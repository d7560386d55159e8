// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-host ctl verbs of the backup service: vss check|freeze|thaw|status
 * and backup. Each request waits for the guest's answer (ctl_wait.h) with
 * a deadline, so a guest without enl-vssd gives a clear error, not a hang.
 * The service lives on its channel's worker: what touches it runs there
 * (enl_vss_ctl_call), while the verb waits on the main loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <enlighten/ic_vss.h>

#include "ctl.h"
#include "ctl_wait.h"
#include "vss_glue.h"
#ifdef ENL_HAVE_VSP
#include "stor_glue.h"
#endif

#define VSS_WAIT_DEFAULT_MS	20000

static const char *const op_names[ENL_VSS_OP_COUNT] = {
	[ENL_VSS_OP_HOT_BACKUP] = "check",
	[ENL_VSS_OP_FREEZE] = "freeze",
	[ENL_VSS_OP_THAW] = "thaw",
};

static const char *op_name(unsigned int op)
{
	return op < ENL_VSS_OP_COUNT && op_names[op] ? op_names[op] : "?";
}

static const char *status_name(uint32_t s)
{
	switch (s) {
	case ENL_HV_S_OK:				return "S_OK";
	case ENL_HV_E_FAIL:				return "E_FAIL";
	case ENL_HV_ERROR_NOT_SUPPORTED:		return "NOT_SUPPORTED";
	case ENL_HV_ERROR_DEVICE_NOT_CONNECTED:		return "channel closed";
	}
	return "unknown";
}

/*
 * "--timeout S" anywhere; the other words (at most one) to *word. The
 * strings belong to the ctl dispatcher, which frees them as a GStrv.
 */
static int parse_args(int argc, char **argv, unsigned int *ms,
		      const char **word)
{
	*ms = VSS_WAIT_DEFAULT_MS;
	*word = NULL;
	for (int i = 1; i < argc; i++) {
		char *end;
		double s;

		if (strcmp(argv[i], "--timeout")) {
			if (*word)
				return -1;
			*word = argv[i];
			continue;
		}
		if (++i >= argc)
			return -1;
		s = strtod(argv[i], &end);
		if (*end || end == argv[i] || !(s > 0) ||
		    s * 1000 > ENL_CTL_WAIT_MAX_MS)
			return -1;
		*ms = (unsigned int)(s * 1000);
	}
	return 0;
}

/* One request: sent and finished on the worker, waited for on main. */
struct op_call {
	unsigned int op;
	int ret;
	int done;			/* atomic: the guest answered */
	GString *out;
	/* What the worker saw once it was over. */
	bool answered;
	uint32_t status;
	uint32_t feature_flags;
	enum enl_vss_host_state state;
};

/* On the worker, from the service: wake the verb waiting on main. */
static void on_done(void *ctx, struct enl_vss_host *v)
{
	struct op_call *c = ctx;

	(void)v;
	g_atomic_int_set(&c->done, 1);
	g_main_context_wakeup(NULL);
}

static void start_op(struct enl_vss_host *v, void *data)
{
	struct op_call *c = data;

	c->ret = enl_vss_host_request(v, c->op);
	if (c->ret == -ENOTCONN)
		g_string_append_printf(c->out, "the guest's vss channel is %s: "
				       "offer vss and run enl-vssd in the guest\n",
				       enl_ic_host_state_name(v->ic.state));
	else if (c->ret == -EBUSY)
		g_string_append_printf(c->out, "a vss %s is still out\n",
				       op_name(v->op));
	if (c->ret)
		return;
	v->done = on_done;
	v->done_ctx = c;
}

static void finish_op(struct enl_vss_host *v, void *data)
{
	struct op_call *c = data;

	/* c lives on the verb's stack: nobody may call back into it later. */
	v->done = NULL;
	v->done_ctx = NULL;
	c->answered = g_atomic_int_get(&c->done);
	if (!c->answered)
		enl_vss_host_abandon(v);
	c->status = v->status;
	c->feature_flags = v->feature_flags;
	c->state = v->state;
}

/*
 * Send op and wait for the answer. 0 when the guest said S_OK; otherwise
 * out says why and the return is -errno. c says what came of it.
 */
static int run_op(struct enl_vss_ctl *h, struct op_call *c, unsigned int op,
		  unsigned int ms, GString *out)
{
	gint64 t0 = g_get_monotonic_time();

	memset(c, 0, sizeof(*c));
	c->op = op;
	c->out = out;
	if (!enl_vss_ctl_call(h, start_op, c))
		goto gone;
	if (c->ret)
		return c->ret;
	enl_ctl_wait(&c->done, ms);
	if (!enl_vss_ctl_call(h, finish_op, c))
		goto gone;
	if (!c->answered) {
		g_string_append_printf(out, "the guest did not answer vss %s "
				       "within %.1f s (is enl-vssd running?)\n",
				       op_name(op), ms / 1000.0);
		return -ETIMEDOUT;
	}
	if (c->status != ENL_HV_S_OK) {
		g_string_append_printf(out, "the guest failed vss %s: "
				       "0x%08x (%s)%s\n", op_name(op),
				       c->status, status_name(c->status),
				       op == ENL_VSS_OP_THAW ?
				       "; it had thawed by itself (auto-thaw, "
				       "or the guard of a dead enl-vssd) "
				       "before this thaw" : "");
		if (op == ENL_VSS_OP_THAW)
			g_string_append_printf(out, "state: %s\n",
					       enl_vss_host_state_name(c->state));
		return -EIO;
	}
	g_string_append_printf(out, "%s: ok in %.0f ms\n", op_name(op),
			       (g_get_monotonic_time() - t0) / 1000.0);
	return 0;
gone:
	g_string_append(out, "the vss device was removed meanwhile\n");
	return -ENODEV;
}

static void show_status(struct enl_vss_host *v, void *data)
{
	struct enl_ctl_req *req = data;
	struct enl_json *j = req->json;
	GString *out = req->out;
	char a[16], b[16];

	enl_ic_version_str(v->ic.fw, a, sizeof(a));
	enl_ic_version_str(v->ic.srv, b, sizeof(b));
	g_string_append_printf(out, "state: %s\n",
			       enl_vss_host_state_name(v->state));
	if (v->have_result)
		g_string_append_printf(out, "last: %s -> 0x%08x (%s)\n",
				       op_name(v->op), v->status,
				       status_name(v->status));
	g_string_append_printf(out, "channel: %s, framework %s, version %s\n",
			       enl_ic_host_state_name(v->ic.state), a, b);
	g_string_append_printf(out, "packets: tx %lu, rx %lu, bad %lu, "
			       "unexpected %lu; bad answers %lu, timeouts %lu\n",
			       v->ic.stats.tx, v->ic.stats.rx,
			       v->ic.stats.rx_bad, v->ic.stats.rx_unexpected,
			       v->bad_answers, v->timeouts);
	if (!j)
		return;
	enl_json_obj(j, NULL);
	enl_json_str(j, "state", enl_vss_host_state_name(v->state));
	if (v->have_result) {
		enl_json_obj(j, "last");
		enl_json_str(j, "op", op_name(v->op));
		enl_json_u64(j, "status", v->status);
		enl_json_str(j, "status_name", status_name(v->status));
		enl_json_end(j);
	} else {
		enl_json_null(j, "last");
	}
	enl_json_obj(j, "channel");
	enl_json_str(j, "state", enl_ic_host_state_name(v->ic.state));
	enl_json_str(j, "framework", a);
	enl_json_str(j, "version", b);
	enl_json_u64(j, "tx", v->ic.stats.tx);
	enl_json_u64(j, "rx", v->ic.stats.rx);
	enl_json_u64(j, "bad", v->ic.stats.rx_bad);
	enl_json_u64(j, "unexpected", v->ic.stats.rx_unexpected);
	enl_json_end(j);
	enl_json_u64(j, "bad_answers", v->bad_answers);
	enl_json_u64(j, "timeouts", v->timeouts);
	enl_json_end(j);
}

static void send_thaw(struct enl_vss_host *v, void *data)
{
	*(int *)data = enl_vss_host_request(v, ENL_VSS_OP_THAW);
}

static void get_state(struct enl_vss_host *v, void *data)
{
	*(enum enl_vss_host_state *)data = v->state;
}

/* The JSON of an op that went through: what, and the state after. */
static void op_json(struct enl_ctl_req *req, unsigned int op,
		    const struct op_call *c, const char *dest)
{
	struct enl_json *j = req->json;

	if (!j)
		return;
	enl_json_obj(j, NULL);
	enl_json_str(j, "op", op_name(op));
	enl_json_str(j, "state", enl_vss_host_state_name(c->state));
	if (op == ENL_VSS_OP_HOT_BACKUP)
		enl_json_u64(j, "feature_flags", c->feature_flags);
	if (dest)
		enl_json_str(j, "to", dest);
	enl_json_end(j);
}

static int do_vss(struct enl_vss_ctl *h, struct enl_ctl_req *req)
{
	GString *out = req->out;
	struct op_call c;
	const char *word;
	unsigned int ms;
	int op, ret, thaw = -1;

	if (parse_args(req->argc, req->argv, &ms, &word) < 0)
		return -EINVAL;
	if (!word || !strcmp(word, "status"))
		return enl_vss_ctl_call(h, show_status, req) ? 0 : -ENODEV;
	op = enl_vss_host_op_from_name(word);
	if (op < 0)
		return -EINVAL;
	ret = run_op(h, &c, (unsigned int)op, ms, out);
	if (ret == -ETIMEDOUT && op == ENL_VSS_OP_FREEZE &&
	    enl_vss_ctl_call(h, send_thaw, &thaw) && thaw == 0)
		/* The guest may freeze after all: make it thaw then. */
		g_string_append(out, "sent thaw to undo a late freeze; "
			       "`enl-host ctl vss` shows its outcome\n");
	if (!ret && op == ENL_VSS_OP_HOT_BACKUP)
		g_string_append_printf(out, "feature flags: 0x%08x\n",
				       c.feature_flags);
	if (!ret) {
		g_string_append_printf(out, "state: %s\n",
				       enl_vss_host_state_name(c.state));
		op_json(req, (unsigned int)op, &c, NULL);
	}
	return ret;
}

/* Takes "--to DEST" out of argv; NULL if absent, "" if it lacks DEST. */
static const char *take_dest(int *argc, char **argv)
{
	const char *dest = NULL;
	int i, j = 1;

	for (i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--to")) {
			dest = i + 1 < *argc ? argv[++i] : "";
			continue;
		}
		argv[j++] = argv[i];
	}
	*argc = j;
	return dest;
}

/*
 * The capture between freeze and thaw: with --to, the storage VSP copies
 * every synthetic disk (host/vsp/storage/backup.c); without, nothing is
 * copied and the step only checks that the guest reported frozen, which
 * is what a copy relies on.
 */
static int capture(struct enl_vmbus_server *srv, const char *dest,
		   GString *out)
{
	if (!dest) {
		g_string_append(out, "capture: no disk copied (no --to); "
				"verified instead that the guest reported its "
				"file systems frozen\n");
		return 0;
	}
#ifdef ENL_HAVE_VSP
	return enl_stor_backup(srv, dest, out);
#else
	(void)srv;
	g_string_append(out, "capture: this enl-host has no storage VSP\n");
	return -ENOTSUP;
#endif
}

/* Freeze, copy the disks (--to), thaw: the thaw comes whatever the copy did. */
static int do_backup(struct enl_vmbus_server *srv, struct enl_vss_ctl *h,
		     struct enl_ctl_req *req)
{
	enum enl_vss_host_state state;
	const char *dest = take_dest(&req->argc, req->argv);
	GString *out = req->out;
	struct op_call c;
	const char *word;
	unsigned int ms;
	int ret, copied;

	if ((dest && !*dest) || parse_args(req->argc, req->argv, &ms, &word) < 0 ||
	    word)
		return -EINVAL;
	if (!enl_vss_ctl_call(h, get_state, &state))
		return -ENODEV;
	if (state == ENL_VSS_HOST_BUSY || state == ENL_VSS_HOST_FROZEN ||
	    state == ENL_VSS_HOST_ORPHANED) {
		g_string_append_printf(out, "the guest is %s already; "
				       "vss thaw first\n",
				       enl_vss_host_state_name(state));
		return -EBUSY;
	}
	ret = run_op(h, &c, ENL_VSS_OP_FREEZE, ms, out);
	if (ret) {
		g_string_prepend(out, "backup aborted: ");
		return ret;
	}
	if (c.state != ENL_VSS_HOST_FROZEN) {
		g_string_append(out, "backup aborted: the guest's answer "
			       "left it not frozen\n");
		return -EIO;
	}
	copied = capture(srv, dest, out);
	ret = run_op(h, &c, ENL_VSS_OP_THAW, ms, out);
	if (ret) {
		g_string_prepend(out, "backup: the thaw failed (below)\n");
		return ret;
	}
	g_string_append_printf(out, "state: %s\n",
			       enl_vss_host_state_name(c.state));
	if (copied)
		g_string_append(out, "backup failed: the copy did not "
				"complete (above)\n");
	else
		op_json(req, ENL_VSS_OP_THAW, &c, dest);
	return copied;
}

static int ctl_vss(void *ctx, struct enl_ctl_req *req)
{
	struct enl_vss_ctl *h = enl_vss_ctl_get(ctx, &req->argc, req->argv,
						req->out);
	int ret;

	if (!h)
		return -ENODEV;
	ret = do_vss(h, req);
	enl_vss_ctl_put(h);
	return ret;
}

static int ctl_backup(void *ctx, struct enl_ctl_req *req)
{
	struct enl_vss_ctl *h = enl_vss_ctl_get(ctx, &req->argc, req->argv,
						req->out);
	int ret;

	if (!h)
		return -ENODEV;
	ret = do_backup(ctx, h, req);
	enl_vss_ctl_put(h);
	return ret;
}

void enl_vss_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl)
{
	static const struct enl_ctl_verb verbs[] = {
		{ "vss", ctl_vss,
		  "vss [status] | vss check|freeze|thaw [--timeout S] "
		  "[--relid N]: the guest's backup service (enl-vssd)", 0 },
		{ "backup", ctl_backup,
		  "backup [--to DIR|FILE] [--timeout S] [--relid N]: freeze "
		  "the guest, copy its synthetic disks to DIR (reflink where "
		  "possible), thaw", 0 },
	};

	/* verbs find their offer's state through srv */
	ENL_CTL_ADD_VERBS(ctl, srv, verbs);
}
