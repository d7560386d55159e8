/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The echo devices (include/enlighten/echo.h): every inband packet the
 * guest sends comes back unchanged (same payload, same trans_id). Test
 * peers for the guest's channel code, ring flow control and sub-channels
 * (echo-mq) included.
 */
#ifndef ENL_HOST_VSP_ECHO_H
#define ENL_HOST_VSP_ECHO_H

#include "vsp.h"

extern const struct enl_vsp_class enl_vsp_echo_class;
extern const struct enl_vsp_class enl_vsp_echo_mq_class;

#endif /* ENL_HOST_VSP_ECHO_H */
