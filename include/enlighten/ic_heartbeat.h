/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Heartbeat IC (ENL_ICMSGTYPE_HEARTBEAT): the host sends a sequence number
 * and the guest answers with seq_num + 1 to show it is alive.
 */
#ifndef _ENLIGHTEN_IC_HEARTBEAT_H
#define _ENLIGHTEN_IC_HEARTBEAT_H

#include <enlighten/types.h>
#include <enlighten/icmsg.h>

/* Service versions, newest first */
#define ENL_IC_HEARTBEAT_VERSION_3_0	ENL_IC_VERSION(3, 0)
#define ENL_IC_HEARTBEAT_VERSION_1_0	ENL_IC_VERSION(1, 0)

struct enl_ic_heartbeat_msg {
	__u64 seq_num;
	__u32 reserved[8];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_ic_heartbeat_msg, 40);
ENL_ASSERT_OFFSET(struct enl_ic_heartbeat_msg, seq_num, 0);
ENL_ASSERT_OFFSET(struct enl_ic_heartbeat_msg, reserved, 8);

#endif /* _ENLIGHTEN_IC_HEARTBEAT_H */
