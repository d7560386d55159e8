/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The echo device: every inband packet the guest sends comes back unchanged
 * (same payload, same trans_id). A test peer for the guest's channel code,
 * ring flow control included.
 */
#ifndef ENL_HOST_VSP_ECHO_H
#define ENL_HOST_VSP_ECHO_H

#include "vsp.h"

extern const struct enl_vsp_class enl_vsp_echo_class;

#endif /* ENL_HOST_VSP_ECHO_H */
