/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The network VSP's insides, shared by vsp.c, nic_info.c, fault.c and
 * reoffer.c only.
 */
#ifndef ENL_HOST_NET_NIC_H
#define ENL_HOST_NET_NIC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <glib.h>

#include "net_dev.h"
#include "net_tap.h"
#include "net_vsp.h"
#include "vsp.h"

/* Frames read from the TAP at once: at most one transfer's worth. */
#define NIC_RX_BATCH	ENL_NET_XFER_MAX_RANGES
/* The receive sections' size at least (the engine's recv_section_min). */
#define NIC_RECV_SECTION	16384
/* How often a busy queue's ring is looked at with the guest's signals off. */
#define NIC_POLL_US	200
/*
 * A lone request this soon after the last pass that took packets is a
 * stream (vsp_poll.h resume_us): a ping's round trip under TCG is longer,
 * and a request/response faster than this costs a look, not latency.
 */
#define NIC_RESUME_US	1000
/* A frame from the TAP: a 64 KiB GSO packet with Ethernet and VLAN headers. */
#define NIC_FRAME_CAP	(65536 + 18)

/*
 * One channel of a NIC: the registry state of that offer. The primary's
 * (index 0) owns the NIC; a sub-channel's points at its primary's.
 */
struct nic_queue {
	struct enl_nic *nic;
	struct enl_vsp_channel *ch;
	unsigned int index;
	bool open;
	/* Set on the queue's context when its primary closes under it. */
	bool stopped;

	/* The ring's packet being handled. */
	uint8_t *buf;
	uint32_t buf_len;
	struct iovec *gd_iov;
	/* A completion the guest's ring had no room for. */
	bool owed;
	uint64_t owed_tid;
	uint32_t owed_len;
	struct enl_nvsp_message owed_msg;
	/*
	 * While packets come (2 requests in a pass, or one within
	 * NIC_RESUME_US of the last pass that took any; the guest's
	 * completions of our transfers count as one at most), the guest's
	 * signals are masked and the ring is looked at every NIC_POLL_US
	 * instead: a doorbell costs an emulated guest far more than a look
	 * costs us. The first look that finds nothing unmasks (vsp_poll.h).
	 */
	struct enl_vsp_poll poll;

	/* TAP -> guest */
	GSource *tap_src;	/* NULL while paused */
	GSource *retry_src;	/* a timer while paused for sections */
	/* Per queue, for `nic stats` (relaxed atomics: read elsewhere). */
	uint64_t guest_packets;	/* packets read from the guest's ring */
	uint64_t frames_up;	/* TAP frames handed to the engine */
	uint64_t bytes_up;	/* their bytes (virtio-net header not counted) */
	uint64_t frames_down;	/* guest frames written to the TAP */
	uint64_t bytes_down;
	uint64_t tap_drops;	/* guest frames the TAP refused */
	struct enl_tap_frame *frames;
	uint8_t *frame_mem;
	unsigned int nframes, next_frame;	/* read, handed on */
};

struct enl_nic {
	struct enl_nic_spec spec;
	struct enl_tap *tap;		/* NULL: no backend */
	struct enl_net_dev *dev;
	uint32_t relid;

	GMutex lock;			/* queues[] and views */
	struct nic_queue *queues[ENL_NIC_MAX_QUEUES];
	struct {
		struct enl_vsp_gpadl *view;
		uint32_t handle;
		struct iovec *iov;
	} views[2];

	unsigned int open_queues;	/* primary's context */
	uint32_t subs_wanted;		/* the guest's SUBCHANNEL request */
	struct enl_nic_glue_stats st;	/* atomic adds */
};

/*
 * Transfer-page packets the guest has not completed: the channel's own
 * in-flight table, made and freed by the server with the channel.
 */
static inline struct enl_vsp_inflight *q_inflight(const struct nic_queue *q)
{
	return enl_vsp_inflight(q->ch);
}

/* The class's save / reoffer / forget (vsp.h): reoffer.c. */
void *enl_nic_save(struct enl_vsp_channel *ch);
int enl_nic_reoffer(struct enl_vmbus_server *srv, const void *saved);
void enl_nic_forget(void *saved);

#define nic_count(n, field) \
	__atomic_add_fetch(&(n)->st.field, 1, __ATOMIC_RELAXED)

#endif /* ENL_HOST_NET_NIC_H */
