/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The network device's backend: a TAP interface opened by name (created
 * when it does not exist, attached when it does) with IFF_TAP | IFF_NO_PI
 * | IFF_VNET_HDR | IFF_MULTI_QUEUE, one non-blocking fd per queue, every
 * frame preceded by a struct virtio_net_hdr_v1 (TUNSETVNETHDRSZ 12).
 */
#ifndef ENL_HOST_NET_NET_TAP_H
#define ENL_HOST_NET_NET_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#define ENL_TAP_MAX_QUEUES	64
/* Pieces one frame may be written from. */
#define ENL_TAP_MAX_IOV		64

struct enl_tap;

/* One frame read from the TAP into a caller buffer. */
struct enl_tap_frame {
	struct virtio_net_hdr_v1 vh;
	uint8_t *buf;
	size_t cap;			/* bytes at buf */
	size_t len;			/* frame bytes read */
};

/* Open `name` with nqueues queues; 0 and *out, or a negative errno. */
int enl_tap_open(const char *name, unsigned int nqueues, struct enl_tap **out);
void enl_tap_close(struct enl_tap *t);
unsigned int enl_tap_queues(const struct enl_tap *t);
int enl_tap_fd(const struct enl_tap *t, unsigned int q);
const char *enl_tap_name(const struct enl_tap *t);
/* TUN_F_* the reader accepts (TUNSETOFFLOAD); 0 or a negative errno. */
int enl_tap_set_offload(struct enl_tap *t, unsigned int tun_flags);

/*
 * Take queue q out of the kernel's choice of queues for received frames
 * (attach false) or put it back: a queue nobody reads (its sub-channel is
 * not open) would otherwise hold the flows the kernel steers to it.
 * 0 or a negative errno.
 */
int enl_tap_set_queue(struct enl_tap *t, unsigned int q, bool attach);
/* The interface's MTU (SIOCSIFMTU); 0 or a negative errno. */
int enl_tap_set_mtu(struct enl_tap *t, unsigned int mtu);

/* One frame out; 0, -EAGAIN when the queue is full, or a negative errno. */
int enl_tap_write(struct enl_tap *t, unsigned int q,
		  const struct virtio_net_hdr_v1 *vh,
		  const struct iovec *iov, unsigned int iovcnt);
/*
 * Up to n frames in; how many were read (0 when none is waiting), or a
 * negative errno. A frame larger than its buffer is dropped by the kernel
 * (truncated) and skipped here.
 */
int enl_tap_read_batch(struct enl_tap *t, unsigned int q,
		       struct enl_tap_frame *f, unsigned int n);

#endif /* ENL_HOST_NET_NET_TAP_H */
