/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMBus ring buffer algorithm, shared by enl_vmbus.ko and enl-host.
 *
 * A struct enl_ring is one side's view of one ring: the writer's view of its
 * outbound ring or the reader's view of its inbound ring. The peer on the
 * other side is untrusted: every index and descriptor it wrote is read once,
 * validated, and a lie yields -EIO (and stats.corrupt++) without touching
 * memory outside the ring or looping. Each side keeps its own index
 * privately and only publishes it, so the peer cannot move it either.
 *
 * Concurrency: one writer and one reader per ring, each serialised by its
 * caller; the two may run concurrently on different CPUs or machines.
 *
 * Return values: 0 or a positive count on success, negative errno on error.
 * "Signal" results tell the caller to kick the peer (HvSignalEvent or the
 * host's equivalent); the ring never signals by itself.
 *
 * Reading:   enl_ring_peek() -> enl_ring_copy() -> enl_ring_skip(), or
 *            enl_ring_read() for all three; repeat; enl_ring_read_commit().
 *            Peek/skip only move a private index, so several packets can be
 *            consumed before one commit publishes read_index.
 * Draining:  enl_ring_intr_mask(); read until -EAGAIN; commit;
 *            if (enl_ring_intr_unmask()) go again, else sleep until signalled.
 * Writing:   enl_ring_write() / enl_ring_write_raw(); on -EAGAIN call
 *            enl_ring_set_pending_send(ring, enl_ring_pkt_size(...)) and
 *            retry if it says there is room now, else sleep until signalled;
 *            clear it with enl_ring_set_pending_send(ring, 0) once written.
 */
#ifndef _ENL_COMMON_RING_H
#define _ENL_COMMON_RING_H

#include "ring_shim.h"
#include <enlighten/ring.h>

/* Largest data area accepted; keeps index arithmetic inside a u32. */
#define ENL_RING_MAX_DATA_SIZE		0x80000000u

struct enl_ring_stats {
	__u64 packets;		/* packets written (writer) or consumed (reader) */
	__u64 bytes;		/* their len8 * 8 (descriptor and padding, no trailer) */
	__u64 full;		/* writes refused with -EAGAIN */
	__u64 corrupt;		/* peer indices or descriptors rejected */
	__u64 signals;		/* times this side was told to signal the peer */
};

struct enl_ring {
	struct enl_ring_ctl *ctl;
	__u8 *data;
	__u32 size;		/* data area bytes, a multiple of 4 KiB */
	__u32 priv_write;	/* writer: next write offset */
	__u32 priv_read;	/* reader: next unconsumed packet */
	__u32 committed_read;	/* reader: last read_index published */
	struct enl_ring_stats stats;
};

/* One piece of a gathered packet. */
struct enl_ring_iov {
	const void *base;
	__u32 len;
};

/* A validated copy of the next packet's descriptor, filled by peek. */
struct enl_ring_pkt {
	__u16 type;		/* enum enl_vmpacket_type */
	__u16 flags;		/* ENL_VMPKT_FLAG_* */
	__u32 hdr_len;		/* offset8 * 8: payload starts here */
	__u32 len;		/* len8 * 8: whole packet, trailer excluded */
	__u32 pos;		/* data-area offset of the descriptor */
	__u64 trans_id;
};

/* Bytes a packet of hdr_and_payload bytes takes in the ring. */
static inline __u32 enl_ring_pkt_size(__u32 hdr_and_payload)
{
	return ((hdr_and_payload + 7u) & ~7u) + ENL_RING_TRAILER_SIZE;
}

/*
 * Attach to a ring: size is the data area's length, a non-zero multiple of
 * ENL_RING_PAGE_SIZE up to ENL_RING_MAX_DATA_SIZE (powers of two are best,
 * but stock Linux guests use other page multiples). Samples both indices.
 * Returns 0, -EINVAL for a bad size, -EIO if the indices are corrupt.
 */
int enl_ring_init(struct enl_ring *ring, struct enl_ring_ctl *ctl,
		  void *data, __u32 size);

/*
 * For the side that allocates the ring (the guest): zero both indices, the
 * mask and pending_send_sz, and advertise ENL_RING_FEAT_PENDING_SEND_SZ.
 */
void enl_ring_reset(struct enl_ring *ring);

/*
 * Append one packet: a descriptor built from type/flags/trans_id (offset8 =
 * 2), then the iovs, zero padding and the trailer. *signal is set when the
 * peer must be signalled (the ring was empty and the reader is not masked).
 * Returns 0, -EAGAIN if it does not fit now, -EMSGSIZE if it never can,
 * -EIO if the reader's index is corrupt.
 */
int enl_ring_write(struct enl_ring *ring, __u16 type, __u16 flags,
		   __u64 trans_id, const struct enl_ring_iov *iov,
		   __u32 iovcnt, bool *signal);

/*
 * Like enl_ring_write() but iov[0] starts with the caller's complete
 * descriptor (type, flags, trans_id and offset8, e.g. a GPA-direct or
 * transfer-page header); len8 is filled in from the gathered length.
 * -EINVAL if iov[0] is shorter than a descriptor or offset8 does not lie
 * between the descriptor and the packet's end.
 */
int enl_ring_write_raw(struct enl_ring *ring, const struct enl_ring_iov *iov,
		       __u32 iovcnt, bool *signal);

/*
 * Free bytes as the writer sees them; a packet of enl_ring_pkt_size() n fits
 * when n < free, as one 8-byte slot always stays empty. 0 if corrupt.
 */
__u32 enl_ring_bytes_to_write(struct enl_ring *ring);

/*
 * Writer blocked on a packet of enl_ring_pkt_size() bytes: publish that size
 * so the reader signals once it fits (0 clears it). Returns true if it fits
 * already, in which case retry instead of sleeping (the reader may have
 * freed space before it could see the request).
 */
bool enl_ring_set_pending_send(struct enl_ring *ring, __u32 bytes);

/*
 * Describe the next packet without consuming it. Returns 0, -EAGAIN if the
 * ring is empty, -EIO if the writer's index or the descriptor is corrupt.
 */
int enl_ring_peek(struct enl_ring *ring, struct enl_ring_pkt *pkt);

/*
 * Copy len bytes at offset off of the peeked packet into buf, across the end
 * of the data area if need be. The descriptor bytes come from the validated
 * copy in pkt, not from shared memory. -EINVAL if off + len > pkt->len.
 */
int enl_ring_copy(const struct enl_ring *ring, const struct enl_ring_pkt *pkt,
		  __u32 off, void *buf, __u32 len);

/* Consume the peeked packet (private index only; see commit). */
void enl_ring_skip(struct enl_ring *ring, const struct enl_ring_pkt *pkt);

/*
 * Peek, copy the whole packet (descriptor included) into buf and skip it.
 * Returns the packet length, -EAGAIN, -EIO, or -ENOBUFS if buflen is too
 * short (pkt then says how long it is, and the packet stays).
 */
int enl_ring_read(struct enl_ring *ring, void *buf, __u32 buflen,
		  struct enl_ring_pkt *pkt);

/*
 * Publish what was consumed. Returns true if the writer must be signalled:
 * it advertised pending_send_sz and the free space just grew from at most
 * that to more than that (both sides having ENL_RING_FEAT_PENDING_SEND_SZ).
 */
bool enl_ring_read_commit(struct enl_ring *ring);

/* Bytes the reader has not consumed yet (0 if corrupt; peek says -EIO). */
__u32 enl_ring_bytes_to_read(struct enl_ring *ring);

/* Reader draining: ask the writer not to signal. */
void enl_ring_intr_mask(struct enl_ring *ring);

/*
 * Reader done draining: unmask, then look again. Returns true if data
 * arrived meanwhile (or the writer's index is corrupt, so that the next peek
 * reports it): keep reading instead of sleeping, or a wakeup is lost.
 */
bool enl_ring_intr_unmask(struct enl_ring *ring);

#endif /* _ENL_COMMON_RING_H */
