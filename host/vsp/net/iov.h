/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bounded access to scattered memory (a mapped guest buffer or a guest
 * packet's GPA ranges): copy in and out at a byte offset and cut a byte
 * range into iovecs, never touching anything outside the pieces.
 */
#ifndef ENL_HOST_NET_IOV_H
#define ENL_HOST_NET_IOV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

struct enl_iov_map {
	const struct iovec *iov;
	size_t *start;		/* start offset of each piece, or NULL */
	struct iovec *owned;	/* iov when the map holds its own copy */
	unsigned int cnt;
	size_t len;
};

/*
 * Wrap caller-owned pieces (no allocation; lookups scan the pieces, for
 * short lists). False when the total length overflows.
 */
bool enl_iov_map_wrap(struct enl_iov_map *m, const struct iovec *iov,
		      unsigned int cnt);
/* Copy the pieces and index them for fast lookups; 0 or -errno. */
int enl_iov_map_copy(struct enl_iov_map *m, const struct iovec *iov,
		     unsigned int cnt);
void enl_iov_map_free(struct enl_iov_map *m);

bool enl_iov_read(const struct enl_iov_map *m, size_t off, void *dst,
		  size_t n);
bool enl_iov_write(const struct enl_iov_map *m, size_t off, const void *src,
		   size_t n);
/*
 * [off, off + n) as at most max iovecs in out; the count, or -1 when the
 * range leaves the map or needs more than max pieces.
 */
int enl_iov_slice(const struct enl_iov_map *m, size_t off, size_t n,
		  struct iovec *out, unsigned int max);

/* Total bytes of an iovec array; false on overflow. */
bool enl_iov_total(const struct iovec *iov, unsigned int cnt, size_t *len);
/* Copy [off, off + n) of an iovec array out; false if short. */
bool enl_iov_gather(const struct iovec *iov, unsigned int cnt, size_t off,
		    void *dst, size_t n);

#endif /* ENL_HOST_NET_IOV_H */
