// SPDX-License-Identifier: GPL-2.0-only
/* enl-vssd: the Hyper-V backup (volume snapshot) integration service. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "daemon.h"
#include "guard.h"
#include "holdlog.h"
#include "log.h"
#include "mountinfo.h"
#include "notify.h"
#include "vss.h"

static struct enl_daemon d = {
	.ident = "enl-vssd",
	.summary = "Quiesces file systems for Hyper-V backups (VSS).",
};
static struct enl_vss vss;
static struct enl_vss_guard guard;
static guint timer;

static gboolean on_timer(gpointer data)
{
	(void)data;
	timer = 0;
	enl_vss_auto_thaw(&vss);
	enl_notify_status("auto-thawed: the host sent no thaw");
	return G_SOURCE_REMOVE;
}

static void set_timer(void *ctx, unsigned int ms)
{
	(void)ctx;
	if (timer)
		g_source_remove(timer);
	timer = ms ? g_timeout_add(ms, on_timer, NULL) : 0;
}

static void on_closed(void *ctx)
{
	(void)ctx;
	enl_daemon_quit(&d, EXIT_FAILURE);
}

static int guard_arm(void *ctx, const struct enl_freeze_plan *p,
		     unsigned int deadline_ms)
{
	(void)ctx;
	return enl_vss_guard_arm(&guard, p, deadline_ms, ENL_VSS_RECORD);
}

static void guard_extend(void *ctx)
{
	(void)ctx;
	enl_vss_guard_extend(&guard);
}

static void guard_disarm(void *ctx)
{
	(void)ctx;
	enl_vss_guard_disarm(&guard);
}

/*
 * A previous instance may have died with file systems frozen: its guard
 * thawed them (or, if the guard died too, we do). Only what it recorded
 * is touched, never a freeze of fsfreeze or another agent. The host hears
 * of it at its next thaw (ENL_VSS_THAWED_BY_GUARD).
 */
static void recover(struct enl_vss *v)
{
	char why[96];

	if (enl_vss_guard_recover(ENL_VSS_RECORD, why, sizeof(why)) > 0) {
		v->guard_thawed = true;
		enl_warn("vss: the previous enl-vssd died with file systems "
			 "frozen: %s", why);
	}
}

int main(int argc, char **argv)
{
	struct enl_vss_conf conf = { 0 };
	struct enl_ic_service_ops ops = enl_vss_guest_ops;
	struct enl_vss_env env = {
		.fs = &enl_freeze_ioctl_ops,
		.run_hook = enl_hook_spawn,
		.set_timer = set_timer,
		.guard_arm = guard_arm,
		.guard_extend = guard_extend,
		.guard_disarm = guard_disarm,
	};
	struct enl_ic_service *s = NULL;
	struct enl_channel *ch;
	int ret;

	ret = enl_daemon_init(&d, "vss", &argc, &argv, NULL);
	if (ret >= 0)
		return ret;
	enl_vss_conf_read(&conf, &d.cfg);
	ret = enl_daemon_config_ok(&d);
	if (ret >= 0)
		goto out;
	enl_vss_init(&vss, &conf, &env);
	ret = EXIT_FAILURE;
	ch = enl_channel_open(conf.channel);
	if (!ch) {
		enl_err("vss: cannot open %s: %s", conf.channel,
			strerror(errno));
		goto out;
	}
	/*
	 * Only once the channel is ours: an instance that cannot open it
	 * leaves the record to the one systemd starts next.
	 */
	recover(&vss);
	ops.closed = on_closed;
	s = enl_ic_service_new(&ops, &vss, ch);
	enl_ic_service_attach(s);
	enl_notify_status("serving backup requests on %s", conf.channel);
	/* A stuck loop is restarted; the guard covers what it froze. */
	enl_watchdog_start(NULL, NULL);
	ret = enl_daemon_run(&d);
	/* Never leave the machine frozen behind us. */
	if (vss.state == ENL_VSS_FROZEN)
		enl_vss_thaw(&vss);
out:
	set_timer(NULL, 0);
	enl_holdlog_flush();
	enl_ic_service_free(s);
	enl_vss_free(&vss);
	enl_vss_conf_free(&conf);
	enl_daemon_free(&d);
	return ret < 0 ? EXIT_FAILURE : ret;
}
