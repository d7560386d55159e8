/* SPDX-License-Identifier: GPL-2.0-only */
/* The console tests' socket reads: exactly n bytes or -1. */
#ifndef ENL_TEST_CONSOLE_SOCKIO_H
#define ENL_TEST_CONSOLE_SOCKIO_H

#include <stddef.h>
#include <unistd.h>

static inline int rd(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r <= 0)
			return -1;
		got += r;
	}
	return 0;
}

#endif
