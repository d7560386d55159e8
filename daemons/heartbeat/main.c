// SPDX-License-Identifier: GPL-2.0-only
/* enl-heartbeatd: the heartbeat and shutdown integration services. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "daemon.h"
#include "health.h"
#include "heartbeat.h"
#include "log.h"
#include "notify.h"
#include "power.h"
#include "shutdown.h"

static struct enl_daemon d = {
	.ident = "enl-heartbeatd",
	.summary = "Answers the Hyper-V heartbeat and shutdown services.",
};
static struct enl_hb_guest hb;
static struct enl_sd_guest sd = {
	.power = { .execute = enl_power_execute },
};
static struct enl_health health;

static void on_health(void *ctx, bool healthy)
{
	(void)ctx;
	hb.healthy = healthy;
	enl_notify_status("%s", healthy ? "guest healthy" :
			  "guest unhealthy: health check failing");
}

/* Losing the channel is fatal: systemd restarts us, or the device is gone. */
static void on_closed(void *ctx)
{
	(void)ctx;
	enl_daemon_quit(&d, EXIT_FAILURE);
}

/*
 * The shutdown service is optional (a host may not offer it, or rescind it):
 * heartbeats go on without it.
 */
static void on_sd_closed(void *ctx)
{
	(void)ctx;
	enl_warn("shutdown channel closed; still answering heartbeats");
}

static struct enl_ic_service *open_service(const char *spec,
					   const struct enl_ic_service_ops *tmpl,
					   struct enl_ic_service_ops *ops,
					   void *ctx, void (*closed)(void *))
{
	struct enl_channel *ch = enl_channel_open(spec);
	struct enl_ic_service *s;

	if (!ch) {
		enl_err("%s: cannot open %s: %s", tmpl->name, spec,
			strerror(errno));
		return NULL;
	}
	*ops = *tmpl;
	ops->closed = closed;
	s = enl_ic_service_new(ops, ctx, ch);
	enl_ic_service_attach(s);
	return s;
}

int main(int argc, char **argv)
{
	struct enl_ic_service_ops hb_ops, sd_ops;
	struct enl_ic_service *hbs = NULL, *sds = NULL;
	struct enl_hb_conf conf = { 0 };
	int ret;

	ret = enl_daemon_init(&d, "heartbeat", &argc, &argv, NULL);
	if (ret >= 0)
		return ret;
	enl_hb_conf_read(&conf, &d.cfg);
	ret = enl_daemon_config_ok(&d);
	if (ret >= 0 || enl_health_init(&health, conf.health_check,
					 conf.health_interval_s,
					 conf.health_timeout_s) < 0)
		goto out;
	hb.healthy = true;
	sd.allow_hibernate = conf.allow_hibernate;
	ret = EXIT_FAILURE;
	hbs = open_service(conf.heartbeat_channel, &enl_hb_guest_ops, &hb_ops,
			   &hb, on_closed);
	if (!hbs)
		goto out;
	if (*conf.shutdown_channel) {
		sds = open_service(conf.shutdown_channel, &enl_sd_guest_ops,
				   &sd_ops, &sd, on_sd_closed);
		if (!sds)
			enl_warn("no shutdown service; answering heartbeats only");
	}
	health.changed = on_health;
	enl_health_start(&health);
	enl_watchdog_start(NULL, NULL);
	enl_notify_status("answering heartbeats%s%s",
			  sds ? " and shutdown requests" : "",
			  health.argv ? ", health check on" : "");
	ret = enl_daemon_run(&d);
out:
	enl_health_stop(&health);
	enl_ic_service_free(hbs);
	enl_ic_service_free(sds);
	enl_hb_conf_free(&conf);
	enl_daemon_free(&d);
	return ret < 0 ? EXIT_FAILURE : ret;
}
