// SPDX-License-Identifier: GPL-2.0-only
/* Hold log lines in memory while file systems are frozen (holdlog.h). */
#include "holdlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

struct held {
	int prio;
	char text[ENL_HOLDLOG_MAX_LINE];
};

/* Static storage: nothing to allocate on the freeze path. */
static struct held lines[ENL_HOLDLOG_MAX_LINES];
static size_t n_lines;
static unsigned long dropped;
static bool holding;

static void default_sink(int prio, const char *line)
{
	enl_log(prio, "%s", line);
}

static enl_holdlog_sink sink = default_sink;

void enl_holdlog_set_sink(enl_holdlog_sink s)
{
	sink = s ? s : default_sink;
}

static void keep(int prio, const char *text)
{
	if (n_lines == ENL_HOLDLOG_MAX_LINES) {
		dropped++;
		return;
	}
	lines[n_lines].prio = prio;
	snprintf(lines[n_lines].text, sizeof(lines[n_lines].text), "%s", text);
	n_lines++;
}

/* libenl's own lines (channel, IC service, config) are held the same way. */
static bool hold_hook(int prio, const char *line)
{
	if (!holding)
		return false;
	keep(prio, line);
	return true;
}

void enl_holdlog_hold(void)
{
	holding = true;
	enl_log_set_hold(hold_hook);
}

bool enl_holdlog_holding(void)
{
	return holding;
}

size_t enl_holdlog_pending(void)
{
	return n_lines;
}

void enl_holdlog_flush(void)
{
	char note[96];

	holding = false;
	enl_log_set_hold(NULL);
	for (size_t i = 0; i < n_lines; i++)
		sink(lines[i].prio, lines[i].text);
	n_lines = 0;
	if (dropped) {
		snprintf(note, sizeof(note),
			 "%lu log lines dropped while frozen", dropped);
		sink(LOG_WARNING, note);
		dropped = 0;
	}
}

void enl_vss_log(int prio, const char *fmt, ...)
{
	char buf[ENL_HOLDLOG_MAX_LINE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!holding) {
		sink(prio, buf);
		return;
	}
	keep(prio, buf);
}
