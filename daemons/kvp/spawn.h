/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Run a program with an argv (never a shell: arguments that came from the
 * host stay single words) and wait for it, killing it past a timeout so a
 * hung hook cannot stall the KVP channel.
 */
#ifndef ENL_KVP_SPAWN_H
#define ENL_KVP_SPAWN_H

/* Exit status (0..255), -ETIMEDOUT, -ECHILD (killed by a signal), -errno. */
int enl_kvp_spawn(char *const argv[], unsigned int timeout_ms);

#endif /* ENL_KVP_SPAWN_H */
