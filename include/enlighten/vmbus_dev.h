/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioctls of the enl_vmbus character devices (/dev/vmbus/<service>), besides
 * the packet read/write that chardev.c describes.
 *
 * ENL_VMBUS_IOC_REFTIME reads the partition reference time (TLFS: the
 * HV_X64_MSR_TIME_REF_COUNT register, 100 ns units since the partition
 * started; enl-host answers it over hvif) together with the guest's
 * CLOCK_REALTIME just before and just after the read. Time sync version 4
 * stamps each host time with the same counter (vmreferencetime), so a
 * guest that reads it when it handles the message knows how long the
 * message took to reach it. The read is a call to the host: after - before
 * bounds when the host sampled the counter.
 */
#ifndef _ENLIGHTEN_VMBUS_DEV_H
#define _ENLIGHTEN_VMBUS_DEV_H

#include <linux/ioctl.h>
#include <enlighten/types.h>

struct enl_vmbus_reftime {
	__u64 ref_time;			/* 100 ns units */
	__s64 realtime_before_ns;	/* CLOCK_REALTIME, ns since 1970 */
	__s64 realtime_after_ns;
};

ENL_ASSERT_SIZE(struct enl_vmbus_reftime, 24);
ENL_ASSERT_OFFSET(struct enl_vmbus_reftime, ref_time, 0);
ENL_ASSERT_OFFSET(struct enl_vmbus_reftime, realtime_before_ns, 8);
ENL_ASSERT_OFFSET(struct enl_vmbus_reftime, realtime_after_ns, 16);

#define ENL_VMBUS_IOC_MAGIC	0xE7
#define ENL_VMBUS_IOC_REFTIME	_IOR(ENL_VMBUS_IOC_MAGIC, 1, \
				     struct enl_vmbus_reftime)

#endif /* _ENLIGHTEN_VMBUS_DEV_H */
