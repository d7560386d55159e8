/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The echo test devices (guids.h: ENL_GUID_ECHO, ENL_GUID_ECHO_MQ).
 *
 * echo: every inband packet the guest sends comes back unchanged (payload
 * and trans_id). No open userdata.
 *
 * echo-mq: the same on every channel, and the guest's OPENCHANNEL of the
 * primary asks for sub-channels in its userdata (struct enl_echo_mq_open;
 * a sub-channel's open carries none). A packet sent with
 * ENL_VMPKT_FLAG_COMPLETION_REQUESTED comes back as ENL_VMPKT_COMP, others
 * as ENL_VMPKT_DATA_INBAND; payload and trans_id unchanged.
 */
#ifndef _ENLIGHTEN_ECHO_H
#define _ENLIGHTEN_ECHO_H

#include <enlighten/types.h>

#define ENL_ECHO_MQ_MAGIC		0x716d6365u	/* "ecmq" */
/* Most sub-channels the host offers one echo-mq primary. */
#define ENL_ECHO_MQ_MAX_SUBCHANNELS	64

/* Userdata of the primary's OPENCHANNEL (the first 8 of its 120 bytes). */
struct enl_echo_mq_open {
	__u32 magic;		/* ENL_ECHO_MQ_MAGIC, else the open fails */
	__u32 nr_subchannels;	/* 0..ENL_ECHO_MQ_MAX_SUBCHANNELS */
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_echo_mq_open, 8);
ENL_ASSERT_OFFSET(struct enl_echo_mq_open, magic, 0);
ENL_ASSERT_OFFSET(struct enl_echo_mq_open, nr_subchannels, 4);

#endif /* _ENLIGHTEN_ECHO_H */
