/* SPDX-License-Identifier: GPL-2.0-only */
/* Filling a caller's iovec array with pieces of guest RAM, merging neighbours. */
#ifndef ENL_HOST_VMBUS_IOV_BUILD_H
#define ENL_HOST_VMBUS_IOV_BUILD_H

#include <errno.h>
#include <stdint.h>
#include <sys/uio.h>

struct enl_iov_build {
	struct iovec *iov;
	uint32_t max;
	uint32_t n;
	uint64_t total;
};

/* Append [p, p + len); -E2BIG once the array is full. */
static inline int enl_iov_add(struct enl_iov_build *b, void *p, size_t len)
{
	struct iovec *last = b->n ? &b->iov[b->n - 1] : NULL;

	if (!len)
		return 0;
	b->total += len;
	/* Guest pages next to each other in RAM make one piece. */
	if (last && (uint8_t *)last->iov_base + last->iov_len == p) {
		last->iov_len += len;
		return 0;
	}
	if (b->n == b->max)
		return -E2BIG;
	b->iov[b->n].iov_base = p;
	b->iov[b->n].iov_len = len;
	b->n++;
	return 0;
}

#endif /* ENL_HOST_VMBUS_IOV_BUILD_H */
