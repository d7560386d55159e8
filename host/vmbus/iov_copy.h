/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one bounded copy between a flat buffer and scattered memory (the
 * iovecs a VSP gets from enl_vsp_gpadl_iov, enl_vsp_gpa_direct or its own
 * buffers). It never touches a byte outside the pieces: a copy that runs
 * past their end stops there and says how much it moved, so a length the
 * guest chose can only make a copy short, never wild.
 */
#ifndef ENL_HOST_VMBUS_IOV_COPY_H
#define ENL_HOST_VMBUS_IOV_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/*
 * Copy up to len bytes between buf and the pieces, starting in piece idx
 * at byte in of it (in may be past that piece's end: the start moves on
 * through the following pieces), into the pieces when to_iov, out of them
 * otherwise. Returns the bytes copied: len, or less when the pieces end.
 */
size_t enl_iov_copy_at(const struct iovec *iov, unsigned int cnt,
		       unsigned int idx, size_t in, void *buf, size_t len,
		       bool to_iov);

/* Into / out of the pieces at byte offset off of their concatenation. */
static inline size_t enl_iov_copy_to(const struct iovec *iov, unsigned int cnt,
				     size_t off, const void *src, size_t len)
{
	return enl_iov_copy_at(iov, cnt, 0, off, (void *)src, len, true);
}

static inline size_t enl_iov_copy_from(const struct iovec *iov,
				       unsigned int cnt, size_t off, void *dst,
				       size_t len)
{
	return enl_iov_copy_at(iov, cnt, 0, off, dst, len, false);
}

#endif /* ENL_HOST_VMBUS_IOV_COPY_H */
