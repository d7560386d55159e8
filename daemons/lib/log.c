// SPDX-License-Identifier: GPL-2.0-only
/* Journal/syslog/stderr logging with a per-daemon identity (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

#define RL_INTERVAL	5	/* seconds */
#define RL_BURST	10

static const char *log_ident = "enlighten";
static bool log_stderr;
static bool log_journal;
static int log_level = LOG_INFO;
static enl_log_hold_fn log_hold;

void enl_log_init(const char *ident, bool to_stderr)
{
	log_ident = ident;
	log_stderr = to_stderr;
	/* journald may be absent (containers, initramfs): syslog is the fallback. */
	log_journal = access("/run/systemd/journal/socket", W_OK) == 0;
	if (!log_journal)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void enl_log_set_level(int max_prio)
{
	log_level = max_prio;
}

void enl_log_set_hold(enl_log_hold_fn hold)
{
	log_hold = hold;
}

void enl_log(int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (prio > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_hold && log_hold(prio, msg))
		return;
	if (log_stderr)
		fprintf(stderr, "%s: %s\n", log_ident, msg);
	if (log_journal &&
	    sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", prio,
			    "SYSLOG_IDENTIFIER=%s", log_ident, NULL) >= 0)
		return;
	if (!log_stderr)
		syslog(prio, "%s", msg);
}

bool enl_ratelimit_ok(struct enl_ratelimit *rl)
{
	time_t now = time(NULL);

	if (now - rl->window >= RL_INTERVAL) {
		if (rl->missed)
			enl_warn("%u similar messages suppressed", rl->missed);
		rl->window = now;
		rl->printed = 0;
		rl->missed = 0;
	}
	if (rl->printed < RL_BURST) {
		rl->printed++;
		return true;
	}
	rl->missed++;
	return false;
}
