/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log lines of enl-vssd that may be written while file systems are frozen.
 * journald (or syslog) writes to disk; if it sits on a frozen file system
 * it blocks, and a daemon blocked on its own log line can never thaw. So
 * while holding, lines go to a bounded memory buffer and reach the log
 * only after thaw. libenl's own enl_log() lines are held too (log.h hook).
 */
#ifndef ENL_VSS_HOLDLOG_H
#define ENL_VSS_HOLDLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

/* Bounds of what we keep while frozen; the rest is counted. */
#define ENL_HOLDLOG_MAX_LINES	512
#define ENL_HOLDLOG_MAX_LINE	512

/* Where lines finally go (enl_log by default; tests collect them). */
typedef void (*enl_holdlog_sink)(int prio, const char *line);
void enl_holdlog_set_sink(enl_holdlog_sink sink);

void enl_holdlog_hold(void);
/* Stop holding and write out everything held, oldest first. */
void enl_holdlog_flush(void);
bool enl_holdlog_holding(void);
size_t enl_holdlog_pending(void);

void enl_vss_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* ENL_VSS_HOLDLOG_H */
