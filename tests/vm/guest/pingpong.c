// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-pingpong: blocking round trips through /dev/vmbus/echo. Unlike
 * enl-echo, every read() sleeps until the host's interrupt wakes it, so this
 * checks the SINT -> event flag -> channel callback path and measures its
 * latency. (enl-chardev checks the device's error semantics.)
 * Exit: 0 pass, 1 fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define FAIL(...) do { fprintf(stderr, "enl-pingpong: " __VA_ARGS__); return 1; } while (0)

int main(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "/dev/vmbus/echo";
	long i, n = argc > 1 ? strtol(argv[1], NULL, 0) : 1000;
	static char out[64], in[64];
	double t0, best = 1e9, worst = 0, *rtt;
	ssize_t r;
	int fd;

	if (n < 1)
		n = 1;
	rtt = calloc(n, sizeof(*rtt));
	if (!rtt)
		FAIL("out of memory\n");
	fd = open(path, O_RDWR);
	if (fd < 0)
		FAIL("open %s: %s\n", path, strerror(errno));
	t0 = now();
	for (i = 0; i < n; i++) {
		double t = now(), d;

		snprintf(out, sizeof(out), "ping %ld.....", i);
		if (write(fd, out, 16) != 16)
			FAIL("write %ld: %s\n", i, strerror(errno));
		r = read(fd, in, sizeof(in));
		if (r != 16 || memcmp(in, out, 16))
			FAIL("read %ld: %zd bytes\n", i, r);
		d = now() - t;
		rtt[i] = d;
		best = d < best ? d : best;
		worst = d > worst ? d : worst;
	}
	qsort(rtt, n, sizeof(*rtt), cmp_double);
	printf("pingpong %ld round trips in %.2f s: mean %.0f us, best %.0f us, worst %.0f us, p99 %.0f us\n",
	       n, now() - t0, (now() - t0) / n * 1e6, best * 1e6, worst * 1e6,
	       rtt[n * 99 / 100 < n - 1 ? n * 99 / 100 : n - 1] * 1e6);
	free(rtt);
	close(fd);
	return 0;
}
