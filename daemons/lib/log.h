/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging for the enl-* daemons: the journal with the daemon's identity when
 * journald runs, syslog otherwise, and stderr too when it is a terminal.
 */
#ifndef ENL_LOG_H
#define ENL_LOG_H

#include <stdbool.h>
#include <syslog.h>
#include <time.h>

void enl_log_init(const char *ident, bool to_stderr);
/* Messages less important than max_prio (LOG_DEBUG shows all) are dropped. */
void enl_log_set_level(int max_prio);
void enl_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A hold hook sees every line that passed the level check, before it goes
 * anywhere; returning true keeps it from stderr, the journal and syslog.
 * enl-vssd holds lines in memory while file systems are frozen, because a
 * journald or log file on a frozen file system blocks the writer, and a
 * daemon blocked on its own log line could never thaw. NULL removes it.
 * The hook may call enl_log() itself once it lets lines through again.
 */
typedef bool (*enl_log_hold_fn)(int prio, const char *line);
void enl_log_set_hold(enl_log_hold_fn hold);

#define enl_err(...)	enl_log(LOG_ERR, __VA_ARGS__)
#define enl_warn(...)	enl_log(LOG_WARNING, __VA_ARGS__)
#define enl_notice(...)	enl_log(LOG_NOTICE, __VA_ARGS__)
#define enl_info(...)	enl_log(LOG_INFO, __VA_ARGS__)
#define enl_debug(...)	enl_log(LOG_DEBUG, __VA_ARGS__)

/*
 * Rate limit per call site, for lines that input from the host can trigger:
 * a misbehaving host must not be able to flood the journal.
 */
struct enl_ratelimit {
	time_t window;
	unsigned int printed, missed;
};

bool enl_ratelimit_ok(struct enl_ratelimit *rl);

#define enl_log_rl(prio, ...) do {				\
	static struct enl_ratelimit rl_;			\
	if (enl_ratelimit_ok(&rl_))				\
		enl_log(prio, __VA_ARGS__);			\
} while (0)

#endif /* ENL_LOG_H */
