/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Time sync IC (ENL_ICMSGTYPE_TIMESYNC): the host pushes its wall clock.
 * Times are in 100 ns units since 1601-01-01 UTC (Windows FILETIME).
 * Service versions up to 3.0 send struct enl_ic_timesync_data; 4.0 sends
 * struct enl_ic_timesync_ref_data, which also carries the partition
 * reference time (ENL_HV_MSR_TIME_REF_COUNT) at which parenttime was read,
 * so the guest can correct for the delay until it handles the message.
 */
#ifndef _ENLIGHTEN_IC_TIMESYNC_H
#define _ENLIGHTEN_IC_TIMESYNC_H

#include <enlighten/types.h>
#include <enlighten/icmsg.h>

/* Service versions, newest first */
#define ENL_IC_TIMESYNC_VERSION_4_0	ENL_IC_VERSION(4, 0)
#define ENL_IC_TIMESYNC_VERSION_3_0	ENL_IC_VERSION(3, 0)
#define ENL_IC_TIMESYNC_VERSION_1_0	ENL_IC_VERSION(1, 0)

/*
 * flags: SYNC asks the guest to set its clock now; SAMPLE and PROBE (0)
 * are periodic samples the guest may use to discipline its clock.
 */
#define ENL_IC_TIMESYNC_FLAG_PROBE	0
#define ENL_IC_TIMESYNC_FLAG_SYNC	1
#define ENL_IC_TIMESYNC_FLAG_SAMPLE	2

/* 100 ns intervals between 1601-01-01 and 1970-01-01 */
#define ENL_IC_TIMESYNC_EPOCH_DELTA	116444736000000000ULL

struct enl_ic_timesync_data {
	__u64 parenttime;
	__u64 childtime;
	__u64 roundtriptime;
	__u8 flags;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_ic_timesync_data, 25);
ENL_ASSERT_OFFSET(struct enl_ic_timesync_data, parenttime, 0);
ENL_ASSERT_OFFSET(struct enl_ic_timesync_data, childtime, 8);
ENL_ASSERT_OFFSET(struct enl_ic_timesync_data, roundtriptime, 16);
ENL_ASSERT_OFFSET(struct enl_ic_timesync_data, flags, 24);

struct enl_ic_timesync_ref_data {
	__u64 parenttime;
	__u64 vmreferencetime;
	__u8 flags;
	__u8 leapflags;
	__u8 stratum;
	__u8 reserved[3];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_ic_timesync_ref_data, 22);
ENL_ASSERT_OFFSET(struct enl_ic_timesync_ref_data, parenttime, 0);
ENL_ASSERT_OFFSET(struct enl_ic_timesync_ref_data, vmreferencetime, 8);
ENL_ASSERT_OFFSET(struct enl_ic_timesync_ref_data, flags, 16);
ENL_ASSERT_OFFSET(struct enl_ic_timesync_ref_data, leapflags, 17);
ENL_ASSERT_OFFSET(struct enl_ic_timesync_ref_data, stratum, 18);
ENL_ASSERT_OFFSET(struct enl_ic_timesync_ref_data, reserved, 19);

/*
 * The guest's own offset, reported to the host. Neither version's message
 * carries it (childtime of versions up to 3.0 is unused by Hyper-V's
 * guests, and version 4 has no such field), so Enlighten's guest puts it
 * in the KVP guest pool (ENL_KVP_POOL_GUEST), which the host enumerates
 * anyway: key ENL_TS_REPORT_KEY, value ENL_TS_REPORT_FMT, all decimal
 * integers:
 *   offset_ns  host - guest, as the guest measured it at at_ns;
 *   err_ns     its uncertainty (half the span that brackets the host's
 *              stamp; 0 when the guest could not bound it);
 *   delay_ns   the delivery delay the guest subtracted;
 *   at_ns      the guest's CLOCK_REALTIME then, ns since 1970.
 * docs/timesync.md gives the reasons.
 */
#define ENL_TS_REPORT_KEY	"EnlightenTimeSync"
#define ENL_TS_REPORT_FMT	"offset_ns=%lld err_ns=%lld delay_ns=%lld " \
				"at_ns=%lld"

#endif /* _ENLIGHTEN_IC_TIMESYNC_H */
