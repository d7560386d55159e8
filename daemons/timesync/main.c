// SPDX-License-Identifier: GPL-2.0-only
/* enl-timesyncd: the time synchronization integration service. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chrony.h"
#include "conf.h"
#include "kvpreport.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "reftime.h"
#include "timesync.h"

static struct enl_daemon d = {
	.ident = "enl-timesyncd",
	.summary = "Keeps the guest clock on the Hyper-V host's time.",
};
static struct enl_ts_conf conf;
static struct enl_ts_guest ts;
static int channel_fd = -1;
static struct enl_ts_kvpreport kvpreport;

static void feed_chrony(void *ctx, int64_t at_ns, int64_t offset_ns)
{
	int ret = enl_chrony_send(conf.chrony_socket, at_ns, offset_ns);

	(void)ctx;
	if (ret < 0)
		enl_log_rl(LOG_WARNING, "chrony refclock %s: %s",
			   conf.chrony_socket, strerror(-ret));
}

static int read_ref(void *ctx, struct enl_ts_ref *r)
{
	(void)ctx;
	return enl_reftime_read(channel_fd, r);
}

/* Each measured offset, for the host (at most one write an interval). */
static void report(void *ctx, int64_t at_ns, int64_t offset_ns,
		   int64_t err_ns)
{
	struct enl_ts_report r = {
		.offset_ns = offset_ns, .err_ns = err_ns,
		.delay_ns = ts.last_delay_ns, .at_ns = at_ns,
	};

	(void)ctx;
	enl_ts_kvpreport_put(&kvpreport, enl_system_clock.mono(NULL), &r);
}

static void on_closed(void *ctx)
{
	(void)ctx;
	enl_daemon_quit(&d, EXIT_FAILURE);
}

int main(int argc, char **argv)
{
	struct enl_ic_service_ops ops = enl_ts_guest_ops;
	struct enl_ic_service *s = NULL;
	struct enl_channel *ch;
	int ret;

	ret = enl_daemon_init(&d, "timesync", &argc, &argv, NULL);
	if (ret >= 0)
		return ret;
	enl_ts_conf_read(&conf, &d.cfg);
	if (enl_ts_conf_read_kvp(&conf, d.config_path) < 0)
		d.cfg.errors++;
	ret = enl_daemon_config_ok(&d);
	if (ret >= 0)
		goto out;
	enl_ts_guest_init(&ts);
	ts.clock = enl_system_clock;
	if (conf.chrony_socket)
		ts.clock.refclock = feed_chrony;
	ts.policy = conf.policy;
	ts.step_threshold_ns = (int64_t)(conf.step_threshold_s * 1e9);
	ret = EXIT_FAILURE;
	ch = enl_channel_open(conf.channel);
	if (!ch) {
		enl_err("cannot open %s: %s", conf.channel, strerror(errno));
		goto out;
	}
	channel_fd = ch->fd;
	ts.clock.ref_time = read_ref;
	if (conf.report_interval_s) {
		kvpreport.pool_dir = conf.kvp_pool_dir;
		kvpreport.max_records = conf.kvp_max_records;
		kvpreport.interval_ns = conf.report_interval_s * 1000000000LL;
		ts.clock.report = report;
	}
	ops.closed = on_closed;
	s = enl_ic_service_new(&ops, &ts, ch);
	enl_ic_service_attach(s);
	enl_watchdog_start(NULL, NULL);
	enl_notify_status("following host time (policy %s%s)",
			  conf.policy == ENL_TS_AUTO ? "auto" :
			  conf.policy == ENL_TS_ALWAYS ? "always" : "never",
			  conf.chrony_socket ? ", feeding chrony" : "");
	ret = enl_daemon_run(&d);
out:
	enl_ic_service_free(s);
	enl_ts_conf_free(&conf);
	enl_daemon_free(&d);
	return ret;
}
