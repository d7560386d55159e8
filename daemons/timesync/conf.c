// SPDX-License-Identifier: GPL-2.0-only
/* Read enl-timesyncd's configuration (see packaging/conf/enlighten.conf). */
#include "conf.h"

#include <glib.h>

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
	if (c->chrony_socket && !*c->chrony_socket) {
		g_free(c->chrony_socket);
		c->chrony_socket = NULL;
	}
}

void enl_ts_conf_free(struct enl_ts_conf *c)
{
	g_free(c->channel);
	g_free(c->chrony_socket);
}
