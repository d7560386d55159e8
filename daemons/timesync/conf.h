/* SPDX-License-Identifier: GPL-2.0-only */
/* enl-timesyncd's [timesync] section of enlighten.conf. */
#ifndef ENL_TIMESYNC_CONF_H
#define ENL_TIMESYNC_CONF_H

#include "config.h"
#include "timesync.h"

struct enl_ts_conf {
	char *channel;
	enum enl_ts_policy policy;
	double step_threshold_s;
	char *chrony_socket;		/* NULL: do not feed chrony */
};

void enl_ts_conf_read(struct enl_ts_conf *c, struct enl_config *cfg);
void enl_ts_conf_free(struct enl_ts_conf *c);

#endif /* ENL_TIMESYNC_CONF_H */
