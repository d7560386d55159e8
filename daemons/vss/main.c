// SPDX-License-Identifier: GPL-2.0-only
/* enl-vssd: the Hyper-V backup (volume snapshot) integration service. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "daemon.h"
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

/*
 * A previous instance may have died with file systems frozen; nobody else
 * would thaw them. "Not frozen" answers are ignored.
 */
static void thaw_leftovers(const struct enl_vss_conf *conf)
{
	struct enl_mount_table t;
	struct enl_freeze_plan p;

	if (enl_mountinfo_load(conf->mountinfo, &t) < 0)
		return;
	enl_freeze_plan_build(&t, conf->sysfs ? conf->sysfs : "/sys", &p);
	enl_thaw_all(&p, p.n, &enl_freeze_ioctl_ops);
	enl_freeze_plan_free(&p);
	enl_mount_table_free(&t);
}

int main(int argc, char **argv)
{
	struct enl_vss_conf conf = { 0 };
	struct enl_ic_service_ops ops = enl_vss_guest_ops;
	struct enl_vss_env env = {
		.fs = &enl_freeze_ioctl_ops,
		.run_hook = enl_hook_spawn,
		.set_timer = set_timer,
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
	thaw_leftovers(&conf);
	enl_vss_init(&vss, &conf, &env);
	ret = EXIT_FAILURE;
	ch = enl_channel_open(conf.channel);
	if (!ch) {
		enl_err("vss: cannot open %s: %s", conf.channel,
			strerror(errno));
		goto out;
	}
	ops.closed = on_closed;
	s = enl_ic_service_new(&ops, &vss, ch);
	enl_ic_service_attach(s);
	enl_notify_status("serving backup requests on %s", conf.channel);
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
