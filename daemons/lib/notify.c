// SPDX-License-Identifier: GPL-2.0-only
/* sd_notify wrappers and the main-loop watchdog ping (see notify.h). */
#include "notify.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>
#include <systemd/sd-daemon.h>

#include "log.h"

void enl_notify_ready(void)
{
	sd_notify(0, "READY=1");
}

void enl_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void enl_notify_status(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", buf);
}

struct watchdog {
	enl_watchdog_check check;
	void *ctx;
};

static gboolean watchdog_tick(gpointer data)
{
	struct watchdog *w = data;

	if (!w->check || w->check(w->ctx))
		sd_notify(0, "WATCHDOG=1");
	return G_SOURCE_CONTINUE;
}

bool enl_watchdog_start(enl_watchdog_check check, void *ctx)
{
	static struct watchdog w;
	uint64_t usec;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return false;
	w.check = check;
	w.ctx = ctx;
	g_timeout_add(MAX(usec / 2000, 1), watchdog_tick, &w);
	enl_debug("systemd watchdog every %llu ms",
		  (unsigned long long)usec / 2000);
	return true;
}
