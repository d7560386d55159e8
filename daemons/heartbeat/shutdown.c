// SPDX-License-Identifier: GPL-2.0-only
/* Guest shutdown service logic (see shutdown.h). */
#include "shutdown.h"

#include <stddef.h>
#include <string.h>
#include <enlighten/ic_shutdown.h>

#include "log.h"
#include "utf16.h"

static const uint32_t sd_versions[] = {
	ENL_IC_SHUTDOWN_VERSION_3_2, ENL_IC_SHUTDOWN_VERSION_3_1,
	ENL_IC_SHUTDOWN_VERSION_3_0, ENL_IC_SHUTDOWN_VERSION_1_0,
};

const char *enl_power_action_name(enum enl_power_action a)
{
	switch (a) {
	case ENL_POWER_OFF:		return "power off";
	case ENL_POWER_REBOOT:		return "reboot";
	case ENL_POWER_HIBERNATE:	return "hibernate";
	default:			return "none";
	}
}

/* The display message is UTF-16 text from the host; log it only if valid. */
static void log_request(const struct enl_ic_msg *m, enum enl_power_action a,
			bool force)
{
	size_t off = offsetof(struct enl_ic_shutdown_msg, display_message);
	char text[512] = "";

	if (m->body_len > off &&
	    enl_utf16le_to_utf8(m->body + off, (m->body_len - off) & ~1UL,
				text, sizeof(text)) < 0)
		text[0] = '\0';
	enl_notice("shutdown: host requests %s%s%s%s%s", enl_power_action_name(a),
		   force ? " (forced)" : "", text[0] ? ": \"" : "", text,
		   text[0] ? "\"" : "");
}

static uint32_t sd_handle(void *ctx, struct enl_ic_msg *m, uint32_t srv,
			  size_t buf_size, size_t *resp_len)
{
	struct enl_sd_guest *sd = ctx;
	uint32_t flags;
	enum enl_power_action a;
	bool force;

	(void)buf_size;
	(void)resp_len;
	/* reason, timeout and flags are needed; the message text is optional. */
	if (m->body_len < offsetof(struct enl_ic_shutdown_msg, display_message)) {
		enl_log_rl(LOG_WARNING, "shutdown: body of %zu bytes is too "
			   "short", m->body_len);
		sd->refused++;
		return ENL_HV_E_FAIL;
	}
	memcpy(&flags, m->body + offsetof(struct enl_ic_shutdown_msg, flags),
	       sizeof(flags));
	force = flags & ENL_IC_SHUTDOWN_FLAG_FORCE;
	switch (flags & ~ENL_IC_SHUTDOWN_FLAG_FORCE) {
	case 0:
		a = ENL_POWER_OFF;
		break;
	case ENL_IC_SHUTDOWN_FLAG_REBOOT:
		a = ENL_POWER_REBOOT;
		break;
	case ENL_IC_SHUTDOWN_FLAG_HIBERNATE:
		/* Hibernate exists from 3.2 on, and only if the admin allows. */
		if (srv >= ENL_IC_SHUTDOWN_VERSION_3_2 && sd->allow_hibernate) {
			a = ENL_POWER_HIBERNATE;
			break;
		}
		enl_warn("shutdown: hibernate refused (%s)",
			 srv < ENL_IC_SHUTDOWN_VERSION_3_2 ?
			 "not in this protocol version" : "not allowed by config");
		sd->refused++;
		return ENL_HV_E_FAIL;
	default:
		enl_log_rl(LOG_WARNING, "shutdown: invalid flags 0x%x", flags);
		sd->refused++;
		return ENL_HV_E_FAIL;
	}
	log_request(m, a, force);
	sd->pending = a;
	sd->pending_force = force;
	sd->accepted++;
	return ENL_HV_S_OK;
}

static void sd_after(void *ctx)
{
	struct enl_sd_guest *sd = ctx;
	enum enl_power_action a = sd->pending;
	int ret;

	if (a == ENL_POWER_NONE)
		return;
	sd->pending = ENL_POWER_NONE;
	ret = sd->power.execute(sd->power.ctx, a, sd->pending_force);
	if (ret < 0)
		enl_err("shutdown: %s failed: %s", enl_power_action_name(a),
			strerror(-ret));
}

const struct enl_ic_service_ops enl_sd_guest_ops = {
	.name = "shutdown",
	.msgtype = ENL_ICMSGTYPE_SHUTDOWN,
	.versions = ENL_IC_VERSIONS(enl_ic_fw_versions, sd_versions),
	.handle = sd_handle,
	.after = sd_after,
};
