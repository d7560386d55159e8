// SPDX-License-Identifier: GPL-2.0-only
/*
 * The echo devices (include/enlighten/echo.h). Never drop a packet: when
 * the host -> guest ring is full, the packet stays in the guest -> host
 * ring, pending_send_sz asks the guest to signal once it has made room, and
 * reading resumes then.
 */
#include <errno.h>
#include <string.h>

#include <enlighten/echo.h>
#include <enlighten/guids.h>
#include "echo.h"

static int echo_open(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	(void)ch;
	(void)user_data;
	return 0;
}

static int echo_back(struct enl_vsp_channel *ch, const struct enl_ring_pkt *pkt,
		     const void *data, uint16_t type)
{
	struct enl_ring_iov iov = {
		.base = (const uint8_t *)data + pkt->hdr_len,
		.len = pkt->len - pkt->hdr_len,
	};
	int ret;

	for (;;) {
		ret = enl_vsp_send(ch, type, 0, pkt->trans_id, &iov, 1);
		if (ret != -EAGAIN)
			return ret;
		/* Room appeared before the guest could see our request? */
		if (!enl_vsp_wait_for_space(ch, iov.len))
			return -EAGAIN;
	}
}

static int echo_packet(struct enl_vsp_channel *ch,
		       const struct enl_ring_pkt *pkt, const void *data)
{
	/* Completions and the like are not ours to answer. */
	if (pkt->type != ENL_VMPKT_DATA_INBAND)
		return 0;
	return echo_back(ch, pkt, data, ENL_VMPKT_DATA_INBAND);
}

const struct enl_vsp_class enl_vsp_echo_class = {
	.name = "echo",
	.class_guid = ENL_GUID_ECHO,
	.on_open = echo_open,
	.on_packet = echo_packet,
};

/* The primary's open asks for sub-channels; theirs carry nothing. */
static int echo_mq_open(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	struct enl_echo_mq_open req;
	int ret;

	if (enl_vsp_sub_index(ch))
		return 0;
	memcpy(&req, user_data, sizeof(req));
	if (req.magic != ENL_ECHO_MQ_MAGIC)
		return -EPROTO;
	if (req.nr_subchannels > ENL_ECHO_MQ_MAX_SUBCHANNELS)
		return -EINVAL;
	if (!req.nr_subchannels)
		return 0;
	ret = enl_vsp_create_subchannels(ch, req.nr_subchannels);
	return ret < 0 ? ret : 0;
}

static int echo_mq_packet(struct enl_vsp_channel *ch,
			  const struct enl_ring_pkt *pkt, const void *data)
{
	if (pkt->type != ENL_VMPKT_DATA_INBAND)
		return 0;
	return echo_back(ch, pkt, data,
			 pkt->flags & ENL_VMPKT_FLAG_COMPLETION_REQUESTED ?
			 ENL_VMPKT_COMP : ENL_VMPKT_DATA_INBAND);
}

const struct enl_vsp_class enl_vsp_echo_mq_class = {
	.name = "echo-mq",
	.class_guid = ENL_GUID_ECHO_MQ,
	.on_open = echo_mq_open,
	.on_packet = echo_mq_packet,
};
