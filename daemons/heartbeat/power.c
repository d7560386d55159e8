// SPDX-License-Identifier: GPL-2.0-only
/* Carry out a power action with systemd or the classic commands. */
#include "power.h"

#include <errno.h>
#include <unistd.h>
#include <glib.h>

#include "log.h"

static const char *verb(enum enl_power_action a)
{
	switch (a) {
	case ENL_POWER_OFF:		return "poweroff";
	case ENL_POWER_REBOOT:		return "reboot";
	case ENL_POWER_HIBERNATE:	return "hibernate";
	default:			return NULL;
	}
}

int enl_power_execute(void *ctx, enum enl_power_action action, bool force)
{
	/* sd_booted()'s test: systemd creates this directory at boot. */
	bool systemd = access("/run/systemd/system", F_OK) == 0;
	const char *argv[5] = { NULL };
	GError *err = NULL;
	int i = 0;

	(void)ctx;
	if (!verb(action))
		return -EINVAL;
	if (systemd) {
		argv[i++] = "systemctl";
		argv[i++] = verb(action);
		/* Forced: skip inhibitors and the orderly stop of units. */
		if (force && action != ENL_POWER_HIBERNATE) {
			argv[i++] = "--check-inhibitors=no";
			argv[i++] = "--force";
		}
	} else {
		if (action == ENL_POWER_HIBERNATE)
			return -EOPNOTSUPP;
		argv[i++] = verb(action);
		if (force)
			argv[i++] = "-f";
	}
	enl_notice("executing %s%s%s", argv[0], i > 1 ? " " : "",
		   i > 1 ? argv[1] : "");
	if (!g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
			   NULL, NULL, NULL, &err)) {
		enl_err("cannot run %s: %s", argv[0], err->message);
		g_error_free(err);
		return -ENOEXEC;
	}
	return 0;
}
