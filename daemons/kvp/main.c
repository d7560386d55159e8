// SPDX-License-Identifier: GPL-2.0-only
/* enl-kvpd: the key-value pair exchange integration service. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "daemon.h"
#include "kvp.h"
#include "log.h"
#include "notify.h"

static struct enl_daemon d = {
	.ident = "enl-kvpd",
	.summary = "Serves the Hyper-V key-value pair exchange service.",
};
static struct enl_kvp_conf conf;
static struct enl_kvp_store store;
static struct enl_kvp_guest kvp;
static struct enl_kvp_sys_paths sys_paths;

static void applies_changed(const struct enl_kvp_apply_stats *st)
{
	enl_notify_status("serving KVP pools in %s; IP applies: %lu ok, "
			  "%lu failed, %lu timed out", conf.pool_dir, st->ok,
			  st->failed, st->timed_out);
}

static void on_closed(void *ctx)
{
	(void)ctx;
	enl_daemon_quit(&d, EXIT_FAILURE);
}

static int open_store(void)
{
	int ret = enl_kvp_store_open(&store, conf.pool_dir, conf.max_records,
				     true);

	if (ret < 0) {
		/* Never start over an unreadable pool: it would be lost. */
		enl_err("kvp: pools in %s: %s", conf.pool_dir, strerror(-ret));
		return ret;
	}
	if (conf.import_from && *conf.import_from) {
		ret = enl_kvp_store_import_legacy(&store, conf.import_from);
		if (ret > 0)
			enl_notice("kvp: imported %d records of hyperv-daemons "
				   "from %s", ret, conf.import_from);
		else if (ret < 0)
			enl_warn("kvp: importing %s: %s", conf.import_from,
				 strerror(-ret));
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct enl_ic_service_ops ops = enl_kvp_guest_ops;
	struct enl_ic_service *s = NULL;
	struct enl_channel *ch;
	int ret;

	ret = enl_daemon_init(&d, "kvp", &argc, &argv, NULL);
	if (ret >= 0)
		return ret;
	enl_kvp_conf_read(&conf, &d.cfg);
	ret = enl_daemon_config_ok(&d);
	if (ret >= 0)
		goto out;
	ret = EXIT_FAILURE;
	if (open_store() < 0)
		goto out;
	enl_kvp_guest_init(&kvp, &store);
	kvp.facts.os_release = conf.os_release;
	kvp.facts.is_version = ENL_VERSION;
	kvp.facts.net = (struct enl_kvp_net_ops){
		enl_kvp_netinfo_read_system, &sys_paths };
	kvp.net = kvp.facts.net;
	kvp.ip.backend = conf.ip_backend;
	kvp.ip.hook = conf.ip_hook;
	kvp.ip.reload = conf.ip_reload;
	kvp.ip.timeout_ms = conf.ip_timeout_s * 1000;
	kvp.ip.stats.changed = applies_changed;
	ch = enl_channel_open(conf.channel);
	if (!ch) {
		enl_err("cannot open %s: %s", conf.channel, strerror(errno));
		goto out_kvp;
	}
	ops.closed = on_closed;
	s = enl_ic_service_new(&ops, &kvp, ch);
	enl_ic_service_attach(s);
	enl_watchdog_start(NULL, NULL);
	enl_notify_status("serving KVP pools in %s", conf.pool_dir);
	ret = enl_daemon_run(&d);
out_kvp:
	enl_ic_service_free(s);
	enl_kvp_guest_free(&kvp);
out:
	enl_kvp_store_close(&store);
	enl_kvp_conf_free(&conf);
	enl_daemon_free(&d);
	return ret;
}
