// SPDX-License-Identifier: GPL-2.0-only
/* Guest heartbeat service logic (see heartbeat.h). */
#include "heartbeat.h"

#include <string.h>
#include <enlighten/ic_heartbeat.h>

#include "log.h"

static const uint32_t hb_versions[] = {
	ENL_IC_HEARTBEAT_VERSION_3_0, ENL_IC_HEARTBEAT_VERSION_1_0,
};

static uint32_t hb_handle(void *ctx, struct enl_ic_msg *m, uint32_t srv,
			  size_t buf_size, size_t *resp_len)
{
	struct enl_hb_guest *hb = ctx;
	uint64_t seq;

	(void)srv;
	(void)buf_size;
	(void)resp_len;
	/* Only seq_num matters; hosts need not fill the reserved words. */
	if (m->body_len < sizeof(seq)) {
		enl_log_rl(LOG_WARNING, "heartbeat: body of %zu bytes is too "
			   "short for a sequence number", m->body_len);
		return ENL_HV_E_FAIL;
	}
	memcpy(&seq, m->body, sizeof(seq));
	hb->last_seq = seq;
	if (!hb->healthy) {
		hb->refused++;
		return ENL_HV_E_FAIL;
	}
	seq++;
	memcpy(m->body, &seq, sizeof(seq));
	hb->answered++;
	return ENL_HV_S_OK;
}

const struct enl_ic_service_ops enl_hb_guest_ops = {
	.name = "heartbeat",
	.msgtype = ENL_ICMSGTYPE_HEARTBEAT,
	.versions = ENL_IC_VERSIONS(enl_ic_fw_versions, hb_versions),
	.handle = hb_handle,
};
