// SPDX-License-Identifier: GPL-2.0-only
/* Read enl-vssd's configuration (see packaging/conf/enlighten.conf). */
#include "conf.h"

#include <glib.h>

void enl_vss_conf_read(struct enl_vss_conf *c, struct enl_config *cfg)
{
	c->channel = enl_config_string(cfg, "channel", "/dev/vmbus/vss");
	c->mountinfo = enl_config_string(cfg, "mountinfo", NULL);
	c->sysfs = enl_config_string(cfg, "sysfs", NULL);
	c->hooks_dir = enl_config_string(cfg, "hooks-dir", ENL_VSS_HOOKS_DIR);
	c->pre_freeze_script = enl_config_string(cfg, "pre-freeze-script",
						 NULL);
	c->post_thaw_script = enl_config_string(cfg, "post-thaw-script", NULL);
	c->hook_timeout_ms = 1000 * enl_config_int(cfg, "hook-timeout", 30, 1,
						   3600);
	/*
	 * Hyper-V keeps a snapshot window of seconds to minutes; two minutes
	 * covers it with margin while bounding how long a silent host can
	 * keep writers blocked.
	 */
	c->auto_thaw_ms = 1000 * enl_config_int(cfg, "auto-thaw-timeout", 120,
						5, 3600);
}

void enl_vss_conf_free(struct enl_vss_conf *c)
{
	g_free(c->channel);
	g_free(c->mountinfo);
	g_free(c->sysfs);
	g_free(c->hooks_dir);
	g_free(c->pre_freeze_script);
	g_free(c->post_thaw_script);
}
