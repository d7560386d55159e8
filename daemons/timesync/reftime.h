/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The partition reference time through the channel's ENL_VMBUS_IOC_REFTIME
 * (enlighten/vmbus_dev.h): the guest side of version 4's delivery delay.
 */
#ifndef ENL_TS_REFTIME_H
#define ENL_TS_REFTIME_H

#include "timesync.h"

/*
 * The best of a few reads (the narrowest bracket: up to 8, fewer once one
 * is within 0.2 ms), at the midpoint of the guest clock around it: 0, -ENOTTY where the channel is
 * not an enl_vmbus device (a socket in tests, an older module), -errno.
 */
int enl_reftime_read(int fd, struct enl_ts_ref *r);

#endif /* ENL_TS_REFTIME_H */
