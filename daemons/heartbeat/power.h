/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The real power executor of enl-heartbeatd: systemctl when systemd is the
 * init system (it honours the orderly shutdown of every unit), the plain
 * poweroff/reboot commands otherwise. Fixed argument vectors only: nothing
 * from the host ever reaches a command line.
 */
#ifndef ENL_POWER_H
#define ENL_POWER_H

#include "shutdown.h"

int enl_power_execute(void *ctx, enum enl_power_action action, bool force);

#endif /* ENL_POWER_H */
