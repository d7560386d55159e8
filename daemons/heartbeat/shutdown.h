/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's shutdown service: validate the host's request, answer S_OK
 * or E_FAIL, and only after the answer is out hand the action to the power
 * executor (injectable, so tests never power the machine off).
 */
#ifndef ENL_SHUTDOWN_H
#define ENL_SHUTDOWN_H

#include <stdbool.h>
#include <stdint.h>

#include "icservice.h"

enum enl_power_action {
	ENL_POWER_NONE = 0,
	ENL_POWER_OFF,
	ENL_POWER_REBOOT,
	ENL_POWER_HIBERNATE,
};

struct enl_power_ops {
	/* Carry the action out; 0 or -errno (logged, nothing else to do). */
	int (*execute)(void *ctx, enum enl_power_action action, bool force);
	void *ctx;
};

struct enl_sd_guest {
	struct enl_power_ops power;
	bool allow_hibernate;
	/* Accepted and answered, to execute in the after() hook. */
	enum enl_power_action pending;
	bool pending_force;
	unsigned long accepted, refused;
};

extern const struct enl_ic_service_ops enl_sd_guest_ops;

const char *enl_power_action_name(enum enl_power_action a);

#endif /* ENL_SHUTDOWN_H */
