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
	unsigned int report_interval_s;	/* 0: do not report the offset */
	/* From the [kvp] section: where enl-kvpd keeps the pools. */
	char *kvp_pool_dir;
	unsigned int kvp_max_records;
};

void enl_ts_conf_read(struct enl_ts_conf *c, struct enl_config *cfg);
/*
 * Read pool-dir and max-records of [kvp] from path (NULL: the default
 * file), as enl-kvpd reads them: 0 or -errno.
 */
int enl_ts_conf_read_kvp(struct enl_ts_conf *c, const char *path);
void enl_ts_conf_free(struct enl_ts_conf *c);

#endif /* ENL_TIMESYNC_CONF_H */
