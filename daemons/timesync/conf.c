// SPDX-License-Identifier: GPL-2.0-only
/* Read enl-timesyncd's configuration (see packaging/conf/enlighten.conf). */
#include "conf.h"

#include <errno.h>
#include <glib.h>

#include "storeconf.h"

void enl_ts_conf_read(struct enl_ts_conf *c, struct enl_config *cfg)
{
	static const char *const policies[] = {
		"auto", "always", "never", NULL
	};

	c->channel = enl_config_string(cfg, "channel", "/dev/vmbus/timesync");
	c->policy = enl_config_enum(cfg, "policy", ENL_TS_AUTO, policies);
	c->step_threshold_s = enl_config_double(cfg, "step-threshold", 1.0,
						0.001, 86400);
	c->chrony_socket = enl_config_string(cfg, "chrony-socket", NULL);
	c->report_interval_s = (unsigned int)
		enl_config_int(cfg, "report-interval", 30, 0, 86400);
	if (c->chrony_socket && !*c->chrony_socket) {
		g_free(c->chrony_socket);
		c->chrony_socket = NULL;
	}
}

int enl_ts_conf_read_kvp(struct enl_ts_conf *c, const char *path)
{
	struct enl_config k = { 0 };
	int ret = enl_config_load(&k, path, "kvp");

	if (ret < 0)
		return ret;
	enl_kvp_storeconf_read(&k, &c->kvp_pool_dir, &c->kvp_max_records);
	ret = k.errors ? -EINVAL : 0;
	enl_config_free(&k);
	return ret;
}

void enl_ts_conf_free(struct enl_ts_conf *c)
{
	g_free(c->kvp_pool_dir);
	g_free(c->channel);
	g_free(c->chrony_socket);
}
