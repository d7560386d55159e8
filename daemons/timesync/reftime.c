// SPDX-License-Identifier: GPL-2.0-only
/* Reading the partition reference time from the guest (see reftime.h). */
#include "reftime.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <enlighten/vmbus_dev.h>

/*
 * Reads per sample, at most: a busy host (or a descheduled vCPU) widens
 * the bracket, and one of several reads is usually narrow. Enough once
 * one is within GOOD_NS.
 */
#define TRIES	8
#define GOOD_NS	200000

int enl_reftime_read(int fd, struct enl_ts_ref *r)
{
	struct enl_vmbus_reftime rt;
	int64_t width, best = -1;
	int i;

	for (i = 0; i < TRIES && (best < 0 || best > GOOD_NS); i++) {
		if (ioctl(fd, ENL_VMBUS_IOC_REFTIME, &rt) < 0) {
			if (best >= 0)
				break;
			return -errno;
		}
		width = rt.realtime_after_ns - rt.realtime_before_ns;
		/* A step between the two reads makes the pair worthless. */
		if (width < 0)
			continue;
		if (best < 0 || width < best) {
			best = width;
			r->ref = rt.ref_time;
			r->at_ns = rt.realtime_before_ns + width / 2;
			r->err_ns = width / 2 + width % 2;
		}
	}
	return best < 0 ? -EAGAIN : 0;
}
