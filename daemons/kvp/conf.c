// SPDX-License-Identifier: GPL-2.0-only
/* Read enl-kvpd's configuration (see packaging/conf/enlighten.conf). */
#include "conf.h"

#include <glib.h>

#include "log.h"
#include "pool.h"
#include "store.h"
#include "storeconf.h"

static char *nonempty(char *s)
{
	if (s && !*s) {
		g_free(s);
		return NULL;
	}
	return s;
}

void enl_kvp_conf_read(struct enl_kvp_conf *c, struct enl_config *cfg)
{
	static const char *const backends[] = {
		"auto", "networkmanager", "networkd", "hook", "off", NULL
	};

	c->channel = enl_config_string(cfg, "channel", "/dev/vmbus/kvp");
	enl_kvp_storeconf_read(cfg, &c->pool_dir, &c->max_records);
	c->import_from = enl_config_string(cfg, "import-from",
					   ENL_KVP_LEGACY_DIR);
	c->ip_backend = enl_config_enum(cfg, "ip-backend", ENL_KVP_IP_AUTO,
					backends);
	c->ip_hook = nonempty(enl_config_string(cfg, "ip-hook", NULL));
	c->ip_reload = enl_config_bool(cfg, "ip-reload", true);
	c->ip_timeout_s = (unsigned int)enl_config_int(cfg, "ip-timeout", 10,
						       1, 600);
	c->os_release = nonempty(enl_config_string(cfg, "os-release", NULL));
	if (c->ip_backend == ENL_KVP_IP_HOOK && !c->ip_hook) {
		enl_err("kvp: ip-backend=hook needs ip-hook");
		cfg->errors++;
	}
	if (c->ip_hook && !g_path_is_absolute(c->ip_hook)) {
		enl_err("kvp: ip-hook must be an absolute path");
		cfg->errors++;
	}
}

void enl_kvp_conf_free(struct enl_kvp_conf *c)
{
	g_free(c->channel);
	g_free(c->pool_dir);
	g_free(c->import_from);
	g_free(c->ip_hook);
	g_free(c->os_release);
}
