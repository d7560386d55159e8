// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-echo: pushes packets of random sizes through /dev/vmbus/echo and checks
 * every byte that comes back. Packet i's size and bytes derive from (seed, i),
 * so the reader knows what to expect without any header in the packet.
 * Exit: 0 all echoed, 1 mismatch or I/O error, 3 device went away (ENODEV).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PKT 4000

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static size_t pkt_fill(uint64_t seed, uint64_t i, size_t max, uint8_t *buf)
{
	uint64_t s = mix(seed ^ mix(i + 1));
	size_t len = 1 + s % max, k;

	for (k = 0; k < len; k++) {
		if (k % 8 == 0)
			s = mix(s + k);
		buf[k] = (uint8_t)(s >> (8 * (k % 8)));
	}
	return len;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *path = "/dev/vmbus/echo";
	uint64_t count = 100000, seed = 1, sent = 0, got = 0, bytes = 0;
	size_t max = MAX_PKT;
	uint8_t out[MAX_PKT], in[MAX_PKT + 64], want[MAX_PKT];
	static const uint8_t zeros[8];
	size_t out_len = 0;
	double t0;
	int opt, fd;

	while ((opt = getopt(argc, argv, "n:s:m:d:")) != -1) {
		switch (opt) {
		case 'n': count = strtoull(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'm': max = strtoul(optarg, NULL, 0); break;
		case 'd': path = optarg; break;
		default:
			fprintf(stderr, "usage: enl-echo [-n count] [-s seed] [-m max<=4000] [-d dev]\n");
			return 2;
		}
	}
	if (max < 1 || max > MAX_PKT)
		max = MAX_PKT;
	fd = open(path, O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "enl-echo: open %s: %s\n", path, strerror(errno));
		return errno == ENOENT || errno == ENODEV ? 3 : 1;
	}
	t0 = now();
	while (got < count) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (sent < count) {
			if (!out_len)
				out_len = pkt_fill(seed, sent, max, out);
			p.events |= POLLOUT;
		}
		if (poll(&p, 1, 10000) <= 0) {
			fprintf(stderr, "enl-echo: stalled after %llu sent, %llu echoed\n",
				(unsigned long long)sent, (unsigned long long)got);
			return 1;
		}
		if (p.revents & (POLLERR | POLLHUP)) {
			fprintf(stderr, "enl-echo: device gone (revents %#x)\n", p.revents);
			return 3;
		}
		if ((p.revents & POLLOUT) && sent < count) {
			n = write(fd, out, out_len);
			if (n == (ssize_t)out_len) {
				sent++;
				out_len = 0;
			} else if (n < 0 && errno != EAGAIN) {
				fprintf(stderr, "enl-echo: write: %s\n", strerror(errno));
				return errno == ENODEV ? 3 : 1;
			}
		}
		if (p.revents & POLLIN) {
			size_t wl;

			n = read(fd, in, sizeof(in));
			if (n < 0) {
				if (errno == EAGAIN)
					continue;
				fprintf(stderr, "enl-echo: read: %s\n", strerror(errno));
				return errno == ENODEV ? 3 : 1;
			}
			wl = pkt_fill(seed, got, max, want);
			/*
			 * VMBus packets carry their length in 8-byte units, so
			 * the echo comes back zero-padded to a multiple of 8.
			 */
			if ((size_t)n != ((wl + 7) & ~(size_t)7) ||
			    memcmp(in, want, wl) || memcmp(in + wl, zeros, n - wl)) {
				fprintf(stderr, "enl-echo: packet %llu: got %zd bytes, want %zu%s\n",
					(unsigned long long)got, n, wl,
					(size_t)n == wl ? " (content differs)" : "");
				return 1;
			}
			got++;
			bytes += wl;
		}
	}
	printf("echoed %llu packets, %llu bytes in %.2f s: %.0f packets/s, %.2f MB/s each way\n",
	       (unsigned long long)got, (unsigned long long)bytes, now() - t0,
	       got / (now() - t0), bytes / (now() - t0) / 1e6);
	close(fd);
	return 0;
}
