/* SPDX-License-Identifier: GPL-2.0-only */
/* enl-kvpd's [kvp] section of enlighten.conf (the enl-kvp CLI reads it too). */
#ifndef ENL_KVP_CONF_H
#define ENL_KVP_CONF_H

#include <stdbool.h>

#include "config.h"
#include "ipapply.h"

struct enl_kvp_conf {
	char *channel;
	char *pool_dir;
	unsigned int max_records;
	char *import_from;		/* "" disables the import */
	enum enl_kvp_ip_backend ip_backend;
	char *ip_hook;
	bool ip_reload;
	unsigned int ip_timeout_s;
	char *os_release;		/* NULL: the standard places */
};

void enl_kvp_conf_read(struct enl_kvp_conf *c, struct enl_config *cfg);
void enl_kvp_conf_free(struct enl_kvp_conf *c);

#endif /* ENL_KVP_CONF_H */
