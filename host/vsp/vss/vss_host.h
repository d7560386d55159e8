/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host backup service (ENL_ICMSGTYPE_VSS) for `enl-host ctl vss
 * check|freeze|thaw`: builds the requests, validates the guest's answers
 * and tracks what the guest is believed to be (thawed, frozen). Transport
 * agnostic, on struct enl_ic_host like the other IC services.
 */
#ifndef ENL_HOST_VSS_HOST_H
#define ENL_HOST_VSS_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "ic_host.h"

enum enl_vss_host_state {
	ENL_VSS_HOST_IDLE,		/* thawed as far as we know */
	ENL_VSS_HOST_BUSY,		/* a request is out */
	ENL_VSS_HOST_FROZEN,
	/*
	 * The channel closed while the guest was frozen: enl-vssd is gone and
	 * its guard thaws (at once, or at its deadline). When the guest's
	 * service is back, a thaw goes out by itself to learn what happened.
	 */
	ENL_VSS_HOST_ORPHANED,
	ENL_VSS_HOST_GUARD_THAWED,	/* that thaw said: thawed by the guard */
	ENL_VSS_HOST_SELF_THAWED,	/* a thaw found the guest's timer had */
};

struct enl_vss_host {
	struct enl_ic_host ic;
	enum enl_vss_host_state state;
	uint8_t op;			/* of the request out, or the last */
	bool frozen_before;		/* state to return to on failure */
	bool have_result;
	uint32_t status;		/* HRESULT of the last answer */
	uint32_t feature_flags;		/* from the last hot-backup check */
	unsigned long bad_answers;
	unsigned long timeouts;		/* requests given up on (abandon) */
	unsigned long orphaned;		/* closes while frozen */
	/* Optional: an answer arrived (ctl replies to its client here). */
	void (*done)(void *ctx, struct enl_vss_host *v);
	void *done_ctx;
};

void enl_vss_host_init(struct enl_vss_host *v);
/*
 * Send operation op (ENL_VSS_OP_*): 0, -EBUSY while a request is out,
 * -ENOTCONN before negotiation, -EINVAL for an unknown op.
 */
int enl_vss_host_request(struct enl_vss_host *v, unsigned int op);
/*
 * The caller stopped waiting for the answer to the request out: back to
 * the state before it, so the next request can go. A late answer to it is
 * counted as unexpected (a newer transaction id is pending by then) or,
 * if nothing newer went out, still taken.
 */
void enl_vss_host_abandon(struct enl_vss_host *v);
/* "check" | "freeze" | "thaw" -> ENL_VSS_OP_*, or -EINVAL. */
int enl_vss_host_op_from_name(const char *name);
const char *enl_vss_host_state_name(enum enl_vss_host_state s);

#endif /* ENL_HOST_VSS_HOST_H */
