// SPDX-License-Identifier: GPL-2.0-only
/* [kvp] pool-dir and max-records (storeconf.h). */
#include "storeconf.h"

#include "pool.h"
#include "store.h"

void enl_kvp_storeconf_read(struct enl_config *cfg, char **pool_dir,
			    unsigned int *max_records)
{
	*pool_dir = enl_config_string(cfg, "pool-dir", ENL_KVP_STORE_DIR);
	*max_records = (unsigned int)enl_config_int(cfg, "max-records",
		ENL_KVP_POOL_MAX_DEFAULT, 1, ENL_KVP_POOL_MAX_LIMIT);
}
