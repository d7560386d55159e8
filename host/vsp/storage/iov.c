// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command's data buffer is an iovec list (guest memory mapped by the
 * VSP): its length, a private trimmed copy for the kernel, and the
 * alignment test that decides between handing it to O_DIRECT as it is and
 * going through a bounce buffer. Copies in and out of it are
 * enl_iov_copy_to/from (host/vmbus/iov_copy.h).
 */
#include <stdlib.h>
#include <string.h>

#include "stor_priv.h"

size_t stor_iov_total(const struct iovec *iov, unsigned int cnt)
{
	size_t n = 0, i;

	for (i = 0; i < cnt; i++) {
		if (iov[i].iov_len > SIZE_MAX - n)
			return SIZE_MAX;
		n += iov[i].iov_len;
	}
	return n;
}

unsigned int stor_iov_trim(const struct iovec *iov, unsigned int cnt,
			   size_t len, struct iovec **out)
{
	struct iovec *v;
	unsigned int i, n = 0;
	size_t left = len;

	v = calloc(cnt ? cnt : 1, sizeof(*v));
	if (!v)
		return 0;
	for (i = 0; i < cnt && left; i++) {
		if (!iov[i].iov_len)
			continue;
		v[n] = iov[i];
		if (v[n].iov_len > left)
			v[n].iov_len = left;
		left -= v[n].iov_len;
		n++;
	}
	if (!n) {
		free(v);
		return 0;
	}
	*out = v;
	return n;
}

bool stor_iov_aligned(const struct iovec *iov, unsigned int cnt,
		      size_t mem_align, size_t len_align)
{
	unsigned int i;

	for (i = 0; i < cnt; i++)
		if ((uintptr_t)iov[i].iov_base % mem_align ||
		    iov[i].iov_len % len_align)
			return false;
	return true;
}

void stor_iov_advance(struct iovec *iov, unsigned int cnt, unsigned int *idx,
		      size_t n)
{
	while (n && *idx < cnt) {
		if (n < iov[*idx].iov_len) {
			iov[*idx].iov_base = (uint8_t *)iov[*idx].iov_base + n;
			iov[*idx].iov_len -= n;
			return;
		}
		n -= iov[*idx].iov_len;
		(*idx)++;
	}
}

size_t stor_iov_cmp(const struct iovec *iov, unsigned int cnt,
		    const void *buf, size_t len)
{
	const uint8_t *b = buf;
	size_t done = 0, n, k;
	unsigned int i;

	for (i = 0; i < cnt && done < len; i++) {
		n = iov[i].iov_len;
		if (n > len - done)
			n = len - done;
		if (memcmp(iov[i].iov_base, b + done, n)) {
			for (k = 0; k < n; k++)
				if (((const uint8_t *)iov[i].iov_base)[k] !=
				    b[done + k])
					return done + k;
		}
		done += n;
	}
	return done;
}
