/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The optional health check of enl-heartbeatd: an admin-configured command
 * run periodically; while it exits non-zero (or hangs past its timeout)
 * the guest is unhealthy. The command comes from the config file only.
 */
#ifndef ENL_HEALTH_H
#define ENL_HEALTH_H

#include <stdbool.h>
#include <glib.h>

struct enl_health {
	char **argv;			/* NULL: no check, always healthy */
	unsigned int interval_s, timeout_s;
	bool healthy;
	GPid pid;			/* running check, or 0 */
	guint timer, child_watch, kill_timer;
	void (*changed)(void *ctx, bool healthy);
	void *ctx;
};

/* command may be NULL or empty. 0, or -EINVAL for an unparsable command. */
int enl_health_init(struct enl_health *h, const char *command,
		    unsigned int interval_s, unsigned int timeout_s);
void enl_health_start(struct enl_health *h);
void enl_health_stop(struct enl_health *h);

#endif /* ENL_HEALTH_H */
