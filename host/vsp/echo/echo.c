// SPDX-License-Identifier: GPL-2.0-only
/*
 * The echo device. Never drops a packet: when the host -> guest ring is
 * full, the packet stays in the guest -> host ring, pending_send_sz asks the
 * guest to signal once it has made room, and reading resumes then.
 */
#include <errno.h>

#include <enlighten/guids.h>
#include "echo.h"

static int echo_open(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	(void)ch;
	(void)user_data;
	return 0;
}

static int echo_packet(struct enl_vsp_channel *ch,
		       const struct enl_ring_pkt *pkt, const void *data)
{
	struct enl_ring_iov iov = {
		.base = (const uint8_t *)data + pkt->hdr_len,
		.len = pkt->len - pkt->hdr_len,
	};
	int ret;

	/* Completions and the like are not ours to answer. */
	if (pkt->type != ENL_VMPKT_DATA_INBAND)
		return 0;
	for (;;) {
		ret = enl_vsp_send(ch, ENL_VMPKT_DATA_INBAND, 0, pkt->trans_id,
				   &iov, 1);
		if (ret != -EAGAIN)
			return ret;
		/* Room appeared before the guest could see our request? */
		if (!enl_vsp_wait_for_space(ch, iov.len))
			return -EAGAIN;
	}
}

const struct enl_vsp_class enl_vsp_echo_class = {
	.name = "echo",
	.class_guid = ENL_GUID_ECHO,
	.on_open = echo_open,
	.on_packet = echo_packet,
};
