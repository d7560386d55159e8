/* SPDX-License-Identifier: GPL-2.0-only */
/* Host shutdown service: ask the guest to power off or reboot. */
#ifndef ENL_HOST_IC_SHUTDOWN_H
#define ENL_HOST_IC_SHUTDOWN_H

#include <stdbool.h>
#include <stdint.h>

#include "ic_host.h"

enum enl_sd_state {
	ENL_SD_IDLE,
	ENL_SD_SENT,
	ENL_SD_ACCEPTED,
	ENL_SD_REFUSED,
};

struct enl_sd_host {
	struct enl_ic_host ic;
	enum enl_sd_state state;
	uint32_t last_flags, last_status;
};

void enl_sd_host_init(struct enl_sd_host *sd);
/*
 * Send a request (message: optional UTF-8 text shown to guest users).
 * 0, -ENOTCONN before negotiation, -EBUSY while one is unanswered,
 * -EILSEQ for a message that is not valid UTF-8.
 */
int enl_sd_host_request(struct enl_sd_host *sd, bool reboot, bool force,
			const char *message);
const char *enl_sd_state_name(enum enl_sd_state s);

#endif /* ENL_HOST_IC_SHUTDOWN_H */
