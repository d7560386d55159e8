/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The thaw guard: a child of enl-vssd, forked before the first FIFREEZE,
 * that holds a descriptor on every mount of the plan and thaws them all
 *   - when enl-vssd dies (its end of a pipe closes: kill -9, a crash, the
 *     systemd watchdog),
 *   - when the deadline passes (enl-vssd alive but stuck), or
 *   - on SIGTERM, SIGINT or SIGHUP (a stop that reaches it too).
 * enl-vssd disarms it after its own thaw. The guard writes nothing to disk
 * (no log: journald may sit on a frozen file system); once it thawed it
 * notes why in the record under /run (tmpfs), for the next enl-vssd.
 *
 * The record (ENL_VSS_RECORD) also lets a new enl-vssd thaw exactly what a
 * dead one froze and nothing else (never a freeze made by fsfreeze or
 * another agent): "frozen\n" or "thawed-by-guard <why>\n", then one mount
 * point per line.
 */
#ifndef ENL_VSS_GUARD_H
#define ENL_VSS_GUARD_H

#include <stdbool.h>
#include <sys/types.h>

#include "fsplan.h"

#define ENL_VSS_RECORD		"/run/enlighten/enl-vssd.frozen"

struct enl_vss_guard {
	pid_t pid;		/* 0: not armed */
	int wfd;		/* our end of the pipe */
	char *record;		/* its path */
};

/*
 * Open every mount of p, write the record ("frozen"), fork the guard with a
 * deadline of deadline_ms. 0 or -errno (then nothing is armed and the
 * freeze must not go ahead).
 */
int enl_vss_guard_arm(struct enl_vss_guard *g, const struct enl_freeze_plan *p,
		      unsigned int deadline_ms, const char *record);
/* A repeated freeze: the deadline starts anew. */
void enl_vss_guard_extend(struct enl_vss_guard *g);
/* We thawed: the guard exits without touching anything; record removed. */
void enl_vss_guard_disarm(struct enl_vss_guard *g);

/*
 * At start: what a previous enl-vssd left in the record. Thaws what it
 * recorded as frozen (and only that); returns 1 when a guard (or this
 * call) had to thaw after a death, 0 when there was nothing, -errno on a
 * broken record. why (may be NULL) gets a short reason. The record goes.
 */
int enl_vss_guard_recover(const char *record, char *why, size_t why_len);

#endif /* ENL_VSS_GUARD_H */
