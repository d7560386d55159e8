/* SPDX-License-Identifier: GPL-2.0-only */
/* enl-heartbeatd's [heartbeat] section of enlighten.conf. */
#ifndef ENL_HEARTBEAT_CONF_H
#define ENL_HEARTBEAT_CONF_H

#include <stdbool.h>

#include "config.h"

struct enl_hb_conf {
	char *heartbeat_channel;	/* device path or unix:<path> */
	char *shutdown_channel;		/* "" disables the shutdown service */
	char *health_check;		/* command, or NULL */
	unsigned int health_interval_s, health_timeout_s;
	bool allow_hibernate;
};

void enl_hb_conf_read(struct enl_hb_conf *c, struct enl_config *cfg);
void enl_hb_conf_free(struct enl_hb_conf *c);

#endif /* ENL_HEARTBEAT_CONF_H */
