/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shutdown IC (ENL_ICMSGTYPE_SHUTDOWN): the host asks the guest to power
 * off, reboot or hibernate. The guest answers ENL_HV_S_OK if it will do it
 * (then does it) or ENL_HV_E_FAIL if it will not.
 */
#ifndef _ENLIGHTEN_IC_SHUTDOWN_H
#define _ENLIGHTEN_IC_SHUTDOWN_H

#include <enlighten/types.h>
#include <enlighten/icmsg.h>

/* Service versions, newest first (3.2 adds hibernate) */
#define ENL_IC_SHUTDOWN_VERSION_3_2	ENL_IC_VERSION(3, 2)
#define ENL_IC_SHUTDOWN_VERSION_3_1	ENL_IC_VERSION(3, 1)
#define ENL_IC_SHUTDOWN_VERSION_3_0	ENL_IC_VERSION(3, 0)
#define ENL_IC_SHUTDOWN_VERSION_1_0	ENL_IC_VERSION(1, 0)

/*
 * enl_ic_shutdown_msg.flags: the action is 0 (power off), REBOOT or
 * HIBERNATE, optionally ORed with FORCE.
 */
#define ENL_IC_SHUTDOWN_FLAG_FORCE	0x1
#define ENL_IC_SHUTDOWN_FLAG_REBOOT	0x2
#define ENL_IC_SHUTDOWN_FLAG_HIBERNATE	0x4

#define ENL_IC_SHUTDOWN_DISPLAY_MESSAGE_SIZE	2048

struct enl_ic_shutdown_msg {
	__u32 reason_code;
	__u32 timeout_seconds;
	__u32 flags;
	__u8 display_message[ENL_IC_SHUTDOWN_DISPLAY_MESSAGE_SIZE];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_ic_shutdown_msg, 2060);
ENL_ASSERT_OFFSET(struct enl_ic_shutdown_msg, reason_code, 0);
ENL_ASSERT_OFFSET(struct enl_ic_shutdown_msg, timeout_seconds, 4);
ENL_ASSERT_OFFSET(struct enl_ic_shutdown_msg, flags, 8);
ENL_ASSERT_OFFSET(struct enl_ic_shutdown_msg, display_message, 12);

#endif /* _ENLIGHTEN_IC_SHUTDOWN_H */
