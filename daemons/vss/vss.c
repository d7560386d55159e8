// SPDX-License-Identifier: GPL-2.0-only
/* The backup IC state machine: hooks, freeze, thaw, auto-thaw (vss.h). */
#include "vss.h"

#include <errno.h>
#include <string.h>
#include <enlighten/ic_vss.h>

#include "holdlog.h"
#include "mountinfo.h"

static const uint32_t vss_srv_versions[] = { ENL_IC_VSS_VERSION_5_0 };

void enl_vss_init(struct enl_vss *v, const struct enl_vss_conf *conf,
		  const struct enl_vss_env *env)
{
	memset(v, 0, sizeof(*v));
	v->conf = conf;
	v->env = *env;
}

void enl_vss_free(struct enl_vss *v)
{
	enl_freeze_plan_free(&v->plan);
	if (v->hooks)
		g_ptr_array_unref(v->hooks);
	v->hooks = NULL;
}

static int run_legacy(struct enl_vss *v, const char *script, const char *arg)
{
	size_t ran;
	const char *failed;
	GPtrArray *one;
	int ret;

	if (!script || !*script)
		return 0;
	one = g_ptr_array_new();
	g_ptr_array_add(one, (gpointer)script);
	ret = enl_hooks_run(one, 1, arg, false, true, v->env.run_hook,
			    v->env.hook_ctx, v->conf->hook_timeout_ms, &ran,
			    &failed);
	g_ptr_array_unref(one);
	return ret;
}

/* "thaw" or "freezefail" to the hooks that saw "freeze", newest first. */
static void undo_hooks(struct enl_vss *v, const char *arg)
{
	const char *failed;
	size_t ran;

	if (v->hooks)
		enl_hooks_run(v->hooks, v->hooks_ran, arg, true, false,
			      v->env.run_hook, v->env.hook_ctx,
			      v->conf->hook_timeout_ms, &ran, &failed);
	run_legacy(v, v->conf->post_thaw_script, arg);
	if (v->hooks)
		g_ptr_array_unref(v->hooks);
	v->hooks = NULL;
	v->hooks_ran = 0;
}

static int freeze_hooks(struct enl_vss *v)
{
	const char *failed;
	int ret;

	v->hooks = enl_hooks_list(v->conf->hooks_dir ? v->conf->hooks_dir :
				  ENL_VSS_HOOKS_DIR);
	v->hooks_ran = 0;
	ret = run_legacy(v, v->conf->pre_freeze_script, "freeze");
	if (ret)
		return ret;
	return enl_hooks_run(v->hooks, v->hooks->len, "freeze", false, true,
			     v->env.run_hook, v->env.hook_ctx,
			     v->conf->hook_timeout_ms, &v->hooks_ran, &failed);
}

static int build_plan(struct enl_vss *v)
{
	struct enl_mount_table t;
	int ret;

	ret = enl_mountinfo_load(v->conf->mountinfo, &t);
	if (ret < 0) {
		enl_vss_log(LOG_ERR, "cannot read the mount table: %s",
			    strerror(-ret));
		return ret;
	}
	if (t.bad_lines)
		enl_vss_log(LOG_WARNING, "mount table: %u malformed lines",
			    t.bad_lines);
	enl_freeze_plan_build(&t, v->conf->sysfs ? v->conf->sysfs : "/sys",
			      &v->plan);
	enl_mount_table_free(&t);
	for (size_t i = 0; i < v->plan.skipped->len; i++)
		enl_vss_log(LOG_DEBUG, "not freezing %s",
			    (char *)g_ptr_array_index(v->plan.skipped, i));
	/* Worth a user's attention: a file system left out of the backup. */
	for (size_t i = 0; i < v->plan.hidden->len; i++)
		enl_vss_log(LOG_WARNING, "not freezing %s (no path reaches it)",
			    (char *)g_ptr_array_index(v->plan.hidden, i));
	if (v->plan.cycles)
		enl_vss_log(LOG_WARNING,
			    "freeze order has %u cycles (loop file inside its own mount tree)",
			    v->plan.cycles);
	return 0;
}

int enl_vss_freeze(struct enl_vss *v)
{
	const char *failed = NULL;
	int ret;

	if (v->state == ENL_VSS_FROZEN) {
		/* A repeated freeze: still frozen, the window starts anew. */
		v->env.set_timer(v->env.timer_ctx, v->conf->auto_thaw_ms);
		if (v->env.guard_extend)
			v->env.guard_extend(v->env.guard_ctx);
		return 0;
	}
	v->auto_thawed = false;
	v->guard_thawed = false;
	enl_vss_log(LOG_INFO, "freeze requested");
	ret = freeze_hooks(v);
	if (!ret)
		ret = build_plan(v);
	/* Armed before the first FIFREEZE: nothing frozen goes unguarded. */
	if (!ret && v->env.guard_arm) {
		ret = v->env.guard_arm(v->env.guard_ctx, &v->plan,
				       v->conf->auto_thaw_ms +
				       ENL_VSS_GUARD_MARGIN_MS);
		if (ret)
			v->stats.guard_failures++;
	}
	if (!ret) {
		/* From here until thaw nothing of ours reaches the disk. */
		enl_holdlog_hold();
		ret = enl_freeze_all(&v->plan, v->env.fs, &v->n_frozen,
				     &failed);
		if (ret && v->env.guard_disarm)
			v->env.guard_disarm(v->env.guard_ctx);
	}
	if (ret) {
		enl_holdlog_flush();
		enl_vss_log(LOG_ERR, "freeze failed%s%s: %s; everything thawed",
			    failed ? " at " : "", failed ? failed : "",
			    strerror(-ret));
		enl_freeze_plan_free(&v->plan);
		v->n_frozen = 0;
		undo_hooks(v, "freezefail");
		v->stats.freeze_failures++;
		return ret;
	}
	v->state = ENL_VSS_FROZEN;
	v->stats.freezes++;
	v->env.set_timer(v->env.timer_ctx, v->conf->auto_thaw_ms);
	enl_vss_log(LOG_INFO, "froze %zu file systems", v->n_frozen);
	return 0;
}

static int do_thaw(struct enl_vss *v)
{
	int ret;

	v->env.set_timer(v->env.timer_ctx, 0);
	ret = enl_thaw_all(&v->plan, v->n_frozen, v->env.fs);
	v->state = ENL_VSS_THAWED;
	if (v->env.guard_disarm)
		v->env.guard_disarm(v->env.guard_ctx);
	enl_holdlog_flush();
	if (ret)
		v->stats.thaw_errors++;
	v->stats.thaws++;
	enl_vss_log(ret ? LOG_ERR : LOG_INFO, "thawed %zu file systems%s",
		    v->n_frozen, ret ? " with errors" : "");
	enl_freeze_plan_free(&v->plan);
	v->n_frozen = 0;
	undo_hooks(v, "thaw");
	return ret;
}

int enl_vss_thaw_why(struct enl_vss *v, uint32_t *why)
{
	if (why)
		*why = 0;
	if (v->state != ENL_VSS_FROZEN) {
		if (v->auto_thawed || v->guard_thawed) {
			/* The snapshot outlived our window: say so. */
			if (why)
				*why = v->guard_thawed ? ENL_VSS_THAWED_BY_GUARD :
					ENL_VSS_THAWED_BY_TIMER;
			enl_vss_log(LOG_WARNING, "thaw after %s: the snapshot may not be consistent",
				    v->guard_thawed ? "a thaw by the guard of a dead enl-vssd" :
				    "auto-thaw");
			v->auto_thawed = false;
			v->guard_thawed = false;
			return -ETIMEDOUT;
		}
		return 0;
	}
	return do_thaw(v);
}

int enl_vss_thaw(struct enl_vss *v)
{
	return enl_vss_thaw_why(v, NULL);
}

void enl_vss_auto_thaw(struct enl_vss *v)
{
	if (v->state != ENL_VSS_FROZEN)
		return;
	do_thaw(v);
	v->auto_thawed = true;
	v->stats.auto_thaws++;
	enl_vss_log(LOG_WARNING,
		    "the host sent no thaw within %u ms: thawed by ourselves",
		    v->conf->auto_thaw_ms);
}

uint32_t enl_vss_handle_body(struct enl_vss *v, uint8_t *body,
			     size_t body_len)
{
	struct enl_vss_msg *msg = (struct enl_vss_msg *)body;

	if (body_len < sizeof(*msg)) {
		v->stats.bad_requests++;
		enl_vss_log(LOG_WARNING, "VSS request of %zu bytes is too short",
			    body_len);
		return ENL_HV_E_FAIL;
	}
	switch (msg->vss_hdr.operation) {
	case ENL_VSS_OP_HOT_BACKUP:
		v->stats.checks++;
		msg->vss_cf.flags = ENL_VSS_HBU_NO_AUTO_RECOVERY;
		return ENL_HV_S_OK;
	case ENL_VSS_OP_GET_DM_INFO:
		msg->dm_info.flags = 0;
		return ENL_HV_S_OK;
	case ENL_VSS_OP_FREEZE:
		return enl_vss_freeze(v) ? ENL_HV_E_FAIL : ENL_HV_S_OK;
	case ENL_VSS_OP_THAW: {
		uint32_t why;

		if (!enl_vss_thaw_why(v, &why))
			return ENL_HV_S_OK;
		/* Tell a host that understands it why (ic_vss.h). */
		msg->vss_cf.flags = why;
		return ENL_HV_E_FAIL;
	}
	case ENL_VSS_OP_CREATE:
	case ENL_VSS_OP_DELETE:
	case ENL_VSS_OP_BU_COMPLETE:
	case ENL_VSS_OP_AUTO_RECOVER:
		/* Host-side bookkeeping; nothing to do in the guest. */
		return ENL_HV_S_OK;
	}
	v->stats.bad_requests++;
	enl_vss_log(LOG_WARNING, "unknown VSS operation %u",
		    msg->vss_hdr.operation);
	return ENL_HV_ERROR_NOT_SUPPORTED;
}

static uint32_t vss_handle(void *ctx, struct enl_ic_msg *m, uint32_t srv,
			   size_t buf_size, size_t *resp_len)
{
	(void)srv;
	(void)buf_size;
	(void)resp_len;	/* answered with the received length, as Hyper-V expects */
	return enl_vss_handle_body(ctx, m->body, m->body_len);
}

const struct enl_ic_service_ops enl_vss_guest_ops = {
	.name = "vss",
	.msgtype = ENL_ICMSGTYPE_VSS,
	.versions = ENL_IC_VERSIONS(enl_ic_fw_versions, vss_srv_versions),
	.handle = vss_handle,
};

const char *enl_vss_op_name(unsigned int op)
{
	static const char *const names[] = {
		[ENL_VSS_OP_CREATE] = "create",
		[ENL_VSS_OP_DELETE] = "delete",
		[ENL_VSS_OP_HOT_BACKUP] = "hot-backup",
		[ENL_VSS_OP_GET_DM_INFO] = "get-dm-info",
		[ENL_VSS_OP_BU_COMPLETE] = "backup-complete",
		[ENL_VSS_OP_FREEZE] = "freeze",
		[ENL_VSS_OP_THAW] = "thaw",
		[ENL_VSS_OP_AUTO_RECOVER] = "auto-recover",
	};

	return op < ENL_VSS_OP_COUNT ? names[op] : "unknown";
}
