/* SPDX-License-Identifier: GPL-2.0-only */
/* enl_echo_mq: shared state of the driver (main.c) and its test runs (run.c). */
#ifndef _ENL_ECHO_MQ_H
#define _ENL_ECHO_MQ_H

#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include "enl_vmbus.h"

/* Largest packet a run sends; anything longer that comes back is skipped. */
#define EMQ_MAX_PKT		4000
/* Requests in flight per channel (the requestor's size). */
#define EMQ_WINDOW		32
#define EMQ_RING_SIZE		(256 * 1024)

struct emq_dev;

struct emq_req {
	u32 len;
	u64 sent_ns;
	struct emq_req *next_free;
	u8 data[EMQ_MAX_PKT];
};

struct emq_chan {
	struct emq_dev *dev;
	struct enl_vmbus_channel *ch;
	unsigned int index;		/* 0: the primary, else sub-channel index */
	unsigned int cpu;		/* target CPU asked for at open */
	bool open;

	spinlock_t lock;		/* free list */
	struct emq_req *free;
	struct emq_req *reqs;		/* EMQ_WINDOW of them */
	wait_queue_head_t wq;		/* a request came back */
	atomic_t inflight;

	/* Counted by the callback, reset by each run. */
	atomic64_t packets;
	atomic64_t bytes;
	atomic64_t errors;
	atomic64_t oversize;		/* too long: skipped */
	atomic64_t unexpected;		/* not a completion */
	u64 last_id;			/* trans_id of the last completion */
	u64 *lat_ns;			/* ping-pong samples, or NULL */
	u32 lat_n;
	u32 lat_max;
	unsigned long *cb_cpu;		/* callback runs per CPU */
	bool wedge;			/* leave oversize packets in the ring */
};

struct emq_dev {
	struct enl_vmbus_device *vdev;
	struct mutex run_lock;		/* one run at a time; result */
	char result[PAGE_SIZE];
	phys_addr_t mmio_start;		/* enl_vmbus_mmio_alloc, if mmio_size */
	resource_size_t mmio_size;
	unsigned int nr;		/* channels: primary + sub-channels */
	struct emq_chan chan[];
};

/* run.c */
int emq_pump(struct emq_dev *d, u64 packets, unsigned int nchan);
int emq_pingpong(struct emq_dev *d, u32 rounds, unsigned int index);
int emq_bogus(struct emq_dev *d);
int emq_event(struct enl_vmbus_channel *ch, int budget);

#endif /* _ENL_ECHO_MQ_H */
