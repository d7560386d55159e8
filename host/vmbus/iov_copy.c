// SPDX-License-Identifier: GPL-2.0-only
/* Bounded copies between a buffer and scattered memory; see iov_copy.h. */
#include <stdint.h>
#include <string.h>

#include "iov_copy.h"

size_t enl_iov_copy_at(const struct iovec *iov, unsigned int cnt,
		       unsigned int idx, size_t in, void *buf, size_t len,
		       bool to_iov)
{
	uint8_t *b = buf;
	size_t done = 0;

	for (; idx < cnt && done < len; idx++) {
		uint8_t *p = iov[idx].iov_base;
		size_t n;

		if (in >= iov[idx].iov_len) {
			in -= iov[idx].iov_len;
			continue;
		}
		n = iov[idx].iov_len - in;
		if (n > len - done)
			n = len - done;
		if (to_iov)
			memcpy(p + in, b + done, n);
		else
			memcpy(b + done, p + in, n);
		done += n;
		in = 0;
	}
	return done;
}
