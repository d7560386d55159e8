/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Run the commands that apply a host-injected IP configuration (a hook, or
 * the network manager's reload) in the background on the GLib main loop:
 * SET_IP_INFO is answered once the configuration is written, well inside
 * the host's answer timeout, however long nmcli or networkctl take. Each
 * command of a chain runs after the one before succeeded, under a timeout
 * (then SIGKILL); the outcome is logged and counted.
 */
#ifndef ENL_KVP_APPLYJOB_H
#define ENL_KVP_APPLYJOB_H

#include <stdbool.h>

/* Outcomes of background applies (enl-kvpd's status line shows them). */
struct enl_kvp_apply_stats {
	unsigned long started, ok, failed, timed_out;
	unsigned int running;
	/* Optional: called after each chain ended (e.g. sd_notify STATUS). */
	void (*changed)(const struct enl_kvp_apply_stats *st);
};

/*
 * Start argvs[0] (NULL-terminated argv, absolute path), then argvs[1] if
 * it exits 0, and so on up to a NULL. what names it in log lines. 0 once
 * the first command runs, -errno if it cannot be started (nothing runs
 * then). argvs are copied.
 */
int enl_kvp_apply_start(struct enl_kvp_apply_stats *st, const char *what,
			char *const *const argvs[], unsigned int timeout_ms);

#endif /* ENL_KVP_APPLYJOB_H */
