/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sd_notify for the enl-* daemons: READY, STATUS, STOPPING and the WATCHDOG
 * keep-alive, all no-ops when not started by systemd.
 */
#ifndef ENL_NOTIFY_H
#define ENL_NOTIFY_H

#include <stdbool.h>

void enl_notify_ready(void);
void enl_notify_stopping(void);
void enl_notify_status(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * Ask whether the daemon deserves a WATCHDOG=1 ping; returning false lets
 * systemd's WatchdogSec run out and restart it.
 */
typedef bool (*enl_watchdog_check)(void *ctx);

/*
 * Ping the watchdog from the main loop at half of WatchdogSec, so a stuck
 * loop is caught; check may be NULL. Returns false when no watchdog is set.
 */
bool enl_watchdog_start(enl_watchdog_check check, void *ctx);

#endif /* ENL_NOTIFY_H */
