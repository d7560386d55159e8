// SPDX-License-Identifier: GPL-2.0-only
/* Read enl-clipboardd's configuration (see packaging/conf/enlighten.conf). */
#include "conf.h"

#include <glib.h>
#include <enlighten/clipboard.h>

#include "userproto.h"

void enl_clipd_conf_read(struct enl_clipd_conf *c, struct enl_config *cfg)
{
	g_autofree char *users = NULL;

	c->channel = enl_config_string(cfg, "channel", "/dev/vmbus/clipboard");
	c->socket = enl_config_string(cfg, "socket", ENL_CLIPD_SOCKET_DEFAULT);
	c->max_size = (size_t)enl_config_int(cfg, "max-size-mib",
					     ENL_CLIP_DEFAULT_CAP >> 20, 1,
					     ENL_CLIP_HARD_CAP >> 20) << 20;
	c->seat_user = enl_config_bool(cfg, "seat-user", true);
	c->idle_timeout_s = (unsigned int)enl_config_int(cfg, "idle-timeout",
		ENL_CLIPD_IDLE_DEFAULT_S, 1, 3600);
	c->max_per_user = (unsigned int)enl_config_int(cfg, "max-connections-per-user",
		ENL_CLIPD_PER_USER_DEFAULT, 1, 1024);
	users = enl_config_string(cfg, "allow-users", "");
	c->allow_users = g_strsplit_set(users, ";, ", -1);
}

void enl_clipd_conf_free(struct enl_clipd_conf *c)
{
	g_free(c->channel);
	g_free(c->socket);
	g_strfreev(c->allow_users);
	c->channel = c->socket = NULL;
	c->allow_users = NULL;
}
