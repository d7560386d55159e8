/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the KVP pools live and how many records a pool holds ([kvp]
 * pool-dir and max-records): read alike by enl-kvpd, enl-kvp and every
 * other writer of the pools (enl-timesyncd's offset report).
 */
#ifndef ENL_KVP_STORECONF_H
#define ENL_KVP_STORECONF_H

#include "config.h"

/* *pool_dir newly allocated. */
void enl_kvp_storeconf_read(struct enl_config *cfg, char **pool_dir,
			    unsigned int *max_records);

#endif /* ENL_KVP_STORECONF_H */
