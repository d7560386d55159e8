/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-vssd's service logic: the backup IC (ENL_ICMSGTYPE_VSS) as a state
 * machine, transport-agnostic. Freeze runs the hooks with "freeze", builds
 * the plan from the mount table and freezes it; thaw undoes that in reverse;
 * an auto-thaw timer covers a host that never sends thaw. Every effect on
 * the machine (ioctls, hooks, the timer) goes through struct enl_vss_env so
 * the unit tests drive the real sequencing with fakes.
 */
#ifndef ENL_VSS_H
#define ENL_VSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "freeze.h"
#include "fsplan.h"
#include "hooks.h"
#include "icservice.h"

struct enl_vss_conf {
	char *channel;			/* device path or unix:<path> */
	char *mountinfo;		/* NULL: /proc/self/mountinfo */
	char *sysfs;			/* NULL: /sys */
	char *hooks_dir;
	char *pre_freeze_script;	/* legacy single hooks, or NULL */
	char *post_thaw_script;
	unsigned int hook_timeout_ms;
	unsigned int auto_thaw_ms;
};

struct enl_vss_env {
	const struct enl_freeze_ops *fs;
	enl_hook_run_fn run_hook;
	void *hook_ctx;
	/* Start (or restart) the auto-thaw timer; ms == 0 stops it. */
	void (*set_timer)(void *ctx, unsigned int ms);
	void *timer_ctx;
	/*
	 * The thaw guard (guard.h), armed before the first FIFREEZE and
	 * disarmed after our own thaw; NULL leaves the freeze unguarded (unit
	 * tests of the sequencing). arm returns 0 or -errno (no freeze then).
	 */
	int (*guard_arm)(void *ctx, const struct enl_freeze_plan *p,
			 unsigned int deadline_ms);
	void (*guard_extend)(void *ctx);
	void (*guard_disarm)(void *ctx);
	void *guard_ctx;
};

/* How much longer than auto-thaw the guard waits for a stuck daemon. */
#define ENL_VSS_GUARD_MARGIN_MS	5000

enum enl_vss_state {
	ENL_VSS_THAWED,
	ENL_VSS_FROZEN,
};

struct enl_vss_stats {
	unsigned long freezes, freeze_failures, thaws, thaw_errors,
		      auto_thaws, checks, bad_requests, guard_failures;
};

struct enl_vss {
	const struct enl_vss_conf *conf;
	struct enl_vss_env env;
	enum enl_vss_state state;
	bool auto_thawed;		/* since the last freeze; told on thaw */
	bool guard_thawed;		/* a dead predecessor's guard thawed */
	struct enl_freeze_plan plan;	/* what is frozen */
	size_t n_frozen;
	GPtrArray *hooks;		/* ran with "freeze" this cycle */
	size_t hooks_ran;
	struct enl_vss_stats stats;
};

void enl_vss_init(struct enl_vss *v, const struct enl_vss_conf *conf,
		  const struct enl_vss_env *env);
void enl_vss_free(struct enl_vss *v);

/* Freeze everything: 0, or -errno with everything thawed again. */
int enl_vss_freeze(struct enl_vss *v);
/*
 * Thaw and run the thaw hooks: 0 or the first -errno; -ETIMEDOUT when the
 * guest had thawed by itself (*why: ENL_VSS_THAWED_BY_*, may be NULL).
 */
int enl_vss_thaw(struct enl_vss *v);
int enl_vss_thaw_why(struct enl_vss *v, uint32_t *why);
/* The timer fired: thaw and remember to tell the host. */
void enl_vss_auto_thaw(struct enl_vss *v);

/*
 * Answer one VSS request body in place (body_len bytes, untrusted); returns
 * the HRESULT for the icmsg header.
 */
uint32_t enl_vss_handle_body(struct enl_vss *v, uint8_t *body,
			     size_t body_len);

/* The IC service glue for libenl's enl_ic_service (ctx is struct enl_vss). */
extern const struct enl_ic_service_ops enl_vss_guest_ops;

const char *enl_vss_op_name(unsigned int op);

#endif /* ENL_VSS_H */
