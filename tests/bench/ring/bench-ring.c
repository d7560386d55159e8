// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ring buffer throughput: packets of 64 B to 64 KiB written and read back
 * through a 1 MiB ring, single-threaded and with a producer and a consumer
 * thread, against plain memcpy of the same packets in the same run (one
 * copy each into a ring-sized buffer; the ring copies every byte in and
 * out). Fixed work per size, about a second; not a test.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ring.h"

#define RING_SIZE	(1u << 20)
/* Threads pay for cache-line ping-pong: give them a quarter of the work. */
#define THREAD_SHARE	4

struct bench {
	struct enl_ring_ctl *ctl;
	__u8 *data;
	struct enl_ring w, r;
	__u8 *src, *dst;
	__u32 len;
	__u64 count;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench-ring: %s: %d\n", what, err);
	exit(1);
}

static void bench_reset(struct bench *b)
{
	memset(b->ctl, 0, sizeof(*b->ctl));
	if (enl_ring_init(&b->w, b->ctl, b->data, RING_SIZE))
		die("init", 0);
	enl_ring_reset(&b->w);
	b->r = b->w;
}

/* The same bytes, one memcpy per packet into a ring-sized buffer. */
static double run_memcpy(struct bench *b)
{
	__u32 off = 0;
	__u64 i;
	double t = now();

	for (i = 0; i < b->count; i++) {
		if (off + b->len > RING_SIZE)
			off = 0;
		memcpy(b->data + off, b->src, b->len);
		__asm__ volatile("" : : "r"(b->data) : "memory");
		off += (b->len + 31) & ~7u;
	}
	return now() - t;
}

static void drain(struct bench *b, __u64 *got)
{
	struct enl_ring_pkt pkt;
	int n;

	while ((n = enl_ring_read(&b->r, b->dst, RING_SIZE, &pkt)) > 0)
		++*got;
	if (n != -EAGAIN)
		die("read", n);
	enl_ring_read_commit(&b->r);
}

/* Write until full, then read everything back, until count packets. */
static double run_single(struct bench *b)
{
	struct enl_ring_iov iov = { b->src, b->len };
	__u64 put = 0, got = 0;
	double t;
	bool sig;
	int err;

	bench_reset(b);
	t = now();
	while (got < b->count) {
		while (put < b->count) {
			err = enl_ring_write(&b->w, ENL_VMPKT_DATA_INBAND, 0,
					     put, &iov, 1, &sig);
			if (err == -EAGAIN)
				break;
			if (err)
				die("write", err);
			put++;
		}
		drain(b, &got);
	}
	return now() - t;
}

static void *producer(void *arg)
{
	struct bench *b = arg;
	struct enl_ring_iov iov = { b->src, b->len };
	__u64 put = 0;
	bool sig;
	int err;

	while (put < b->count) {
		err = enl_ring_write(&b->w, ENL_VMPKT_DATA_INBAND, 0, put,
				     &iov, 1, &sig);
		if (err == -EAGAIN) {
			sched_yield();
			continue;
		}
		if (err)
			die("write", err);
		put++;
	}
	return NULL;
}

/* Producer and consumer threads polling the ring. */
static double run_threads(struct bench *b)
{
	pthread_t prod;
	__u64 got = 0, last;
	double t;

	bench_reset(b);
	t = now();
	pthread_create(&prod, NULL, producer, b);
	while (got < b->count) {
		last = got;
		drain(b, &got);
		if (got == last)
			sched_yield();
	}
	pthread_join(prod, NULL);
	return now() - t;
}

static double rate(const struct bench *b, double t)
{
	return (double)b->len * b->count / t;
}

int main(void)
{
	static const struct {
		__u32 len;
		__u64 count;
	} work[] = {
		{ 64, 16u << 20 },
		{ 1024, 8u << 20 },
		{ 4096, 2u << 20 },
		{ 65536, 128u << 10 },
	};
	struct bench b = { 0 };
	unsigned int i;

	b.ctl = aligned_alloc(ENL_RING_PAGE_SIZE, sizeof(*b.ctl));
	b.data = aligned_alloc(ENL_RING_PAGE_SIZE, RING_SIZE);
	b.src = aligned_alloc(64, 65536);
	b.dst = aligned_alloc(64, RING_SIZE);
	if (!b.ctl || !b.data || !b.src || !b.dst)
		die("alloc", 0);
	memset(b.data, 0, RING_SIZE);
	memset(b.dst, 0, RING_SIZE);
	for (i = 0; i < 65536; i++)
		b.src[i] = (__u8)(i * 131 + 7);

	for (i = 0; i < sizeof(work) / sizeof(work[0]); i++) {
		double mem, one, two;

		b.len = work[i].len;
		b.count = work[i].count;
		mem = rate(&b, run_memcpy(&b));
		one = rate(&b, run_single(&b));
		b.count /= THREAD_SHARE;
		two = rate(&b, run_threads(&b));
		printf("memcpy %uB: %.2f GB/s\n", b.len, mem / 1e9);
		printf("ring %uB: %.2f GB/s, %.2f x memcpy\n", b.len,
		       one / 1e9, one / mem);
		printf("ring %uB 2 threads: %.2f GB/s, %.2f x memcpy\n",
		       b.len, two / 1e9, two / mem);
		fflush(stdout);
	}
	free(b.ctl);
	free(b.data);
	free(b.src);
	free(b.dst);
	return 0;
}
