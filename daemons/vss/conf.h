/* SPDX-License-Identifier: GPL-2.0-only */
/* enl-vssd's [vss] section of enlighten.conf. */
#ifndef ENL_VSS_CONF_H
#define ENL_VSS_CONF_H

#include "config.h"
#include "vss.h"

void enl_vss_conf_read(struct enl_vss_conf *c, struct enl_config *cfg);
void enl_vss_conf_free(struct enl_vss_conf *c);

#endif /* ENL_VSS_CONF_H */
