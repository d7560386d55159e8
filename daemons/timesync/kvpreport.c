// SPDX-License-Identifier: GPL-2.0-only
/* The guest's offset, published in the KVP guest pool (kvpreport.h). */
#include "kvpreport.h"

#include <errno.h>
#include <string.h>
#include <enlighten/ic_kvp.h>
#include <enlighten/ic_timesync.h>

#include "log.h"
#include "store.h"

int enl_ts_kvpreport_put(struct enl_ts_kvpreport *k, int64_t mono_ns,
			 const struct enl_ts_report *r)
{
	struct enl_kvp_store st;
	char value[160];
	int ret;

	if (k->written + k->failed && mono_ns - k->last_ns < k->interval_ns)
		return 0;
	k->last_ns = mono_ns;
	if (enl_ts_report_format(r, value, sizeof(value)) < 0) {
		ret = -EINVAL;
		goto fail;
	}
	/* Not created here: without enl-kvpd's directory nobody reads it. */
	ret = enl_kvp_store_open(&st, k->pool_dir, k->max_records, false);
	if (!ret)
		ret = enl_kvp_store_set(&st, ENL_KVP_POOL_GUEST,
					ENL_TS_REPORT_KEY, value);
	enl_kvp_store_close(&st);
	if (ret < 0)
		goto fail;
	k->written++;
	return 1;
fail:
	k->failed++;
	enl_log_rl(LOG_WARNING, "timesync: cannot report the offset in the "
		   "KVP guest pool (%s): %s", k->pool_dir,
		   ret == -ENOSPC ? "pool is full (max-records)" :
		   strerror(-ret));
	return ret;
}
