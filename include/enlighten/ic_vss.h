/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Backup IC (ENL_ICMSGTYPE_VSS): the host asks the guest to quiesce its
 * file systems around a host-side snapshot (FREEZE ... THAW) and queries
 * what the guest supports.
 */
#ifndef _ENLIGHTEN_IC_VSS_H
#define _ENLIGHTEN_IC_VSS_H

#include <enlighten/types.h>
#include <enlighten/icmsg.h>

/* Service version */
#define ENL_IC_VSS_VERSION_5_0		ENL_IC_VERSION(5, 0)

/*
 * A FREEZE request carries LUN details after struct enl_vss_msg and may be
 * 6260 bytes long; AUTO_RECOVER requests up to 12500. Receive into at least
 * this many bytes and answer with the received length.
 */
#define ENL_IC_VSS_MAX_PKT_SIZE		8192

/* enl_vss_hdr.operation */
enum enl_vss_op {
	ENL_VSS_OP_CREATE	= 0,
	ENL_VSS_OP_DELETE	= 1,
	ENL_VSS_OP_HOT_BACKUP	= 2,	/* query: reply with check_feature */
	ENL_VSS_OP_GET_DM_INFO	= 3,
	ENL_VSS_OP_BU_COMPLETE	= 4,
	/* service version 5.0 and later */
	ENL_VSS_OP_FREEZE	= 5,
	ENL_VSS_OP_THAW		= 6,
	ENL_VSS_OP_AUTO_RECOVER	= 7,
	ENL_VSS_OP_COUNT
};

/* enl_vss_check_feature.flags: the guest does no auto-recovery */
#define ENL_VSS_HBU_NO_AUTO_RECOVERY	0x00000005

/*
 * Enlighten's addition, in vss_cf.flags of a THAW answer that fails
 * (E_FAIL) because the guest had already thawed by itself: why. A host
 * that does not know it sees an ordinary failed thaw.
 */
#define ENL_VSS_THAWED_BY_TIMER		0x00000001	/* the auto-thaw timer */
#define ENL_VSS_THAWED_BY_GUARD		0x00000002	/* enl-vssd died frozen */

struct enl_vss_hdr {
	__u8 operation;
	__u8 reserved[7];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vss_hdr, 8);
ENL_ASSERT_OFFSET(struct enl_vss_hdr, operation, 0);
ENL_ASSERT_OFFSET(struct enl_vss_hdr, reserved, 1);

struct enl_vss_check_feature {
	__u32 flags;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vss_check_feature, 4);

struct enl_vss_check_dm_info {
	__u32 flags;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vss_check_dm_info, 4);

struct enl_vss_msg {
	struct enl_vss_hdr vss_hdr;
	union {
		struct enl_vss_check_feature vss_cf;	/* HOT_BACKUP */
		struct enl_vss_check_dm_info dm_info;	/* GET_DM_INFO */
	} ENL_PACKED;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_vss_msg, 12);
ENL_ASSERT_OFFSET(struct enl_vss_msg, vss_hdr, 0);
ENL_ASSERT_OFFSET(struct enl_vss_msg, vss_cf, 8);
ENL_ASSERT_OFFSET(struct enl_vss_msg, dm_info, 8);

#endif /* _ENLIGHTEN_IC_VSS_H */
