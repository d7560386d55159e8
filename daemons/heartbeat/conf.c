// SPDX-License-Identifier: GPL-2.0-only
/* Read enl-heartbeatd's configuration (see packaging/conf/enlighten.conf). */
#include "conf.h"

#include <glib.h>

void enl_hb_conf_read(struct enl_hb_conf *c, struct enl_config *cfg)
{
	c->heartbeat_channel = enl_config_string(cfg, "heartbeat-channel",
						 "/dev/vmbus/heartbeat");
	c->shutdown_channel = enl_config_string(cfg, "shutdown-channel",
						"/dev/vmbus/shutdown");
	c->health_check = enl_config_string(cfg, "health-check", NULL);
	c->health_interval_s = enl_config_int(cfg, "health-interval", 10, 1,
					      3600);
	c->health_timeout_s = enl_config_int(cfg, "health-timeout", 5, 1, 3600);
	c->allow_hibernate = enl_config_bool(cfg, "allow-hibernate", false);
}

void enl_hb_conf_free(struct enl_hb_conf *c)
{
	g_free(c->heartbeat_channel);
	g_free(c->shutdown_channel);
	g_free(c->health_check);
}
