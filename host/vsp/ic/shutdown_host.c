// SPDX-License-Identifier: GPL-2.0-only
/* Host shutdown service (see shutdown.h). */
#include "shutdown_host.h"

#include <errno.h>
#include <string.h>
#include <glib.h>
#include <enlighten/ic_shutdown.h>

#include "utf16.h"

static const uint32_t sd_versions[] = {
	ENL_IC_SHUTDOWN_VERSION_3_2, ENL_IC_SHUTDOWN_VERSION_3_1,
	ENL_IC_SHUTDOWN_VERSION_3_0, ENL_IC_SHUTDOWN_VERSION_1_0,
};

static void sd_response(void *ctx, const struct enl_ic_msg *m)
{
	struct enl_sd_host *sd = ctx;

	sd->last_status = m->hdr->status;
	sd->state = m->hdr->status == ENL_HV_S_OK ? ENL_SD_ACCEPTED :
						      ENL_SD_REFUSED;
	g_message("ic shutdown: guest %s the request (status 0x%08x)",
		  sd->state == ENL_SD_ACCEPTED ? "accepted" : "refused",
		  m->hdr->status);
}

static const struct enl_ic_host_ops sd_ops = {
	.name = "shutdown",
	.msgtype = ENL_ICMSGTYPE_SHUTDOWN,
	.srv_versions = sd_versions,
	.n_srv_versions = G_N_ELEMENTS(sd_versions),
	.response = sd_response,
};

void enl_sd_host_init(struct enl_sd_host *sd)
{
	memset(sd, 0, sizeof(*sd));
	enl_ic_host_init(&sd->ic, &sd_ops, sd);
}

int enl_sd_host_request(struct enl_sd_host *sd, bool reboot, bool force,
			const char *message)
{
	struct enl_ic_shutdown_msg msg = { 0 };
	ssize_t n;
	int ret;

	if (sd->ic.state != ENL_IC_HOST_READY)
		return -ENOTCONN;
	if (sd->state == ENL_SD_SENT && sd->ic.pending)
		return -EBUSY;
	msg.flags = (reboot ? ENL_IC_SHUTDOWN_FLAG_REBOOT : 0) |
		    (force ? ENL_IC_SHUTDOWN_FLAG_FORCE : 0);
	msg.timeout_seconds = 60;
	if (message) {
		n = enl_utf8_to_utf16le(message, msg.display_message,
					sizeof(msg.display_message));
		if (n < 0)
			return (int)n;
	}
	ret = enl_ic_host_request(&sd->ic, &msg, sizeof(msg));
	if (!ret) {
		sd->state = ENL_SD_SENT;
		sd->last_flags = msg.flags;
	}
	return ret;
}

const char *enl_sd_state_name(enum enl_sd_state s)
{
	switch (s) {
	case ENL_SD_IDLE:	return "idle";
	case ENL_SD_SENT:	return "sent";
	case ENL_SD_ACCEPTED:	return "accepted";
	case ENL_SD_REFUSED:	return "refused";
	}
	return "?";
}
