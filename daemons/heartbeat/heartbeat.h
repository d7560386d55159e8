/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's heartbeat service: answer every heartbeat with seq_num + 1
 * while the guest is healthy; while the health check fails, answer with
 * ENL_HV_E_FAIL and the sequence number untouched, so the host can tell
 * "alive but unhealthy" from "alive" and from "silent" (lost).
 */
#ifndef ENL_HEARTBEAT_H
#define ENL_HEARTBEAT_H

#include <stdbool.h>
#include <stdint.h>

#include "icservice.h"

struct enl_hb_guest {
	bool healthy;
	uint64_t last_seq;
	unsigned long answered, refused;
};

extern const struct enl_ic_service_ops enl_hb_guest_ops;

#endif /* ENL_HEARTBEAT_H */
