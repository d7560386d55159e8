// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMBus ring buffer: packet write, read, batching and signalling decisions,
 * for the guest (enl_vmbus.ko) and the reference host (enl-host) alike.
 *
 * The data area is mapped once, so packets that straddle its end are copied
 * in two pieces. Packets start and end on 8-byte boundaries, which keeps
 * each u64 of a descriptor in one piece at one aligned address.
 */
#include "ring.h"

#define RING_DESC_SIZE	((__u32)sizeof(struct enl_vmpacket_descriptor))
/* Smallest packet a reader can find: a bare descriptor plus trailer. */
#define RING_MIN_PKT	(RING_DESC_SIZE + ENL_RING_TRAILER_SIZE)

static const __u8 ring_zeros[8];

static bool ring_index_ok(const struct enl_ring *ring, __u32 idx)
{
	return idx < ring->size && !(idx & 7);
}

/* pos < 2 * size, as positions and lengths are each below size. */
static __u32 ring_wrap(const struct enl_ring *ring, __u32 pos)
{
	return pos >= ring->size ? pos - ring->size : pos;
}

/* Bytes from index "from" up to index "to", going forward. */
static __u32 ring_dist(const struct enl_ring *ring, __u32 from, __u32 to)
{
	return to >= from ? to - from : ring->size - from + to;
}

static int ring_corrupt(struct enl_ring *ring)
{
	ring->stats.corrupt++;
	return -EIO;
}

static __u32 ring_put(struct enl_ring *ring, __u32 pos, const void *src,
		      __u32 len)
{
	__u32 first = ring->size - pos;

	if (!len)
		return pos;
	if (len <= first) {
		memcpy(ring->data + pos, src, len);
	} else {
		memcpy(ring->data + pos, src, first);
		memcpy(ring->data, (const __u8 *)src + first, len - first);
	}
	return ring_wrap(ring, pos + len);
}

static void ring_get(const struct enl_ring *ring, __u32 pos, void *dst,
		     __u32 len)
{
	__u32 first = ring->size - pos;

	if (!len)
		return;
	if (len <= first) {
		memcpy(dst, ring->data + pos, len);
	} else {
		memcpy(dst, ring->data + pos, first);
		memcpy((__u8 *)dst + first, ring->data, len - first);
	}
}

int enl_ring_init(struct enl_ring *ring, struct enl_ring_ctl *ctl,
		  void *data, __u32 size)
{
	__u32 w, r;

	if (!ctl || !data || !size || size % ENL_RING_PAGE_SIZE ||
	    size > ENL_RING_MAX_DATA_SIZE || ((unsigned long)data & 7))
		return -EINVAL;

	memset(ring, 0, sizeof(*ring));
	ring->ctl = ctl;
	ring->data = data;
	ring->size = size;

	w = enl_load_once(&ctl->write_index);
	r = enl_load_once(&ctl->read_index);
	if (!ring_index_ok(ring, w) || !ring_index_ok(ring, r))
		return ring_corrupt(ring);

	ring->priv_write = w;
	ring->priv_read = r;
	ring->committed_read = r;
	return 0;
}

void enl_ring_reset(struct enl_ring *ring)
{
	struct enl_ring_ctl *ctl = ring->ctl;

	enl_store_once(&ctl->write_index, 0);
	enl_store_once(&ctl->read_index, 0);
	enl_store_once(&ctl->interrupt_mask, 0);
	enl_store_once(&ctl->pending_send_sz, 0);
	enl_store_once(&ctl->feature_bits, ENL_RING_FEAT_PENDING_SEND_SZ);
	ring->priv_write = 0;
	ring->priv_read = 0;
	ring->committed_read = 0;
}

/*
 * After publishing a packet: signal only if the reader had consumed all up
 * to where this packet starts (empty to non-empty) and is not draining.
 * Hyper-V treats any other interrupt as misbehaviour and may throttle.
 */
static bool ring_signal_reader(struct enl_ring *ring, __u32 old_write)
{
	/* Our write_index store must be visible before we sample the mask. */
	enl_mb();
	if (enl_load_acquire(&ring->ctl->interrupt_mask))
		return false;
	if (enl_load_once(&ring->ctl->read_index) != old_write)
		return false;
	ring->stats.signals++;
	return true;
}

/*
 * Common tail of both writers: desc has everything but len8; body is the
 * packet length before padding; skip0 leading bytes of iov[0] are not copied
 * (the raw writer's descriptor, already in desc).
 */
static int ring_put_packet(struct enl_ring *ring,
			   struct enl_vmpacket_descriptor *desc,
			   const struct enl_ring_iov *iov, __u32 iovcnt,
			   __u32 skip0, __u32 body, bool *signal)
{
	__u32 padded = (body + 7) & ~7u;
	__u32 total = padded + ENL_RING_TRAILER_SIZE;
	__u32 r, avail, old, pos, i;
	__u64 trailer;

	if (total >= ring->size)
		return -EMSGSIZE;

	r = enl_load_acquire(&ring->ctl->read_index);
	if (!ring_index_ok(ring, r))
		return ring_corrupt(ring);
	/* Never fill the last 8 bytes: write == read must mean empty. */
	avail = ring->size - ring_dist(ring, r, ring->priv_write);
	if (total >= avail) {
		ring->stats.full++;
		return -EAGAIN;
	}

	desc->len8 = (__u16)(padded / 8);
	old = ring->priv_write;
	pos = ring_put(ring, old, desc, RING_DESC_SIZE);
	for (i = 0; i < iovcnt; i++) {
		__u32 skip = i ? 0 : skip0;

		pos = ring_put(ring, pos, (const __u8 *)iov[i].base + skip,
			       iov[i].len - skip);
	}
	pos = ring_put(ring, pos, ring_zeros, padded - body);
	trailer = (__u64)old << 32;
	pos = ring_put(ring, pos, &trailer, sizeof(trailer));

	ring->priv_write = pos;
	/* The packet must be in place before the reader can see the index. */
	enl_store_release(&ring->ctl->write_index, pos);
	ring->stats.packets++;
	ring->stats.bytes += padded;

	*signal = ring_signal_reader(ring, old);
	return 0;
}

/* Sum of iov lengths from skip0 on, or -EMSGSIZE past what len8 can say. */
static int ring_iov_len(const struct enl_ring_iov *iov, __u32 iovcnt,
			__u32 base, __u32 *body)
{
	__u64 sum = base;
	__u32 i;

	for (i = 0; i < iovcnt; i++) {
		sum += iov[i].len;
		if (sum > ENL_VMPKT_MAX_LEN)
			return -EMSGSIZE;
	}
	*body = (__u32)sum;
	return 0;
}

int enl_ring_write(struct enl_ring *ring, __u16 type, __u16 flags,
		   __u64 trans_id, const struct enl_ring_iov *iov,
		   __u32 iovcnt, bool *signal)
{
	struct enl_vmpacket_descriptor desc = {
		.type = type,
		.offset8 = RING_DESC_SIZE / 8,
		.flags = flags,
		.trans_id = trans_id,
	};
	__u32 body;
	int err;

	*signal = false;
	err = ring_iov_len(iov, iovcnt, RING_DESC_SIZE, &body);
	if (err)
		return err;
	return ring_put_packet(ring, &desc, iov, iovcnt, 0, body, signal);
}

int enl_ring_write_raw(struct enl_ring *ring, const struct enl_ring_iov *iov,
		       __u32 iovcnt, bool *signal)
{
	struct enl_vmpacket_descriptor desc;
	__u32 body, hdr;
	int err;

	*signal = false;
	if (!iovcnt || iov[0].len < RING_DESC_SIZE)
		return -EINVAL;
	err = ring_iov_len(iov, iovcnt, 0, &body);
	if (err)
		return err;
	memcpy(&desc, iov[0].base, sizeof(desc));
	hdr = (__u32)desc.offset8 * 8;
	if (hdr < RING_DESC_SIZE || hdr > ((body + 7) & ~7u))
		return -EINVAL;
	return ring_put_packet(ring, &desc, iov, iovcnt, RING_DESC_SIZE, body,
			       signal);
}

__u32 enl_ring_bytes_to_write(struct enl_ring *ring)
{
	__u32 r = enl_load_acquire(&ring->ctl->read_index);

	if (!ring_index_ok(ring, r)) {
		ring_corrupt(ring);
		return 0;
	}
	return ring->size - ring_dist(ring, r, ring->priv_write);
}

bool enl_ring_set_pending_send(struct enl_ring *ring, __u32 bytes)
{
	enl_store_once(&ring->ctl->pending_send_sz, bytes);
	if (!bytes)
		return true;
	/*
	 * Publish the request before sampling read_index: either the reader's
	 * commit sees it and signals, or we see the space it freed.
	 */
	enl_mb();
	return bytes < enl_ring_bytes_to_write(ring);
}

int enl_ring_peek(struct enl_ring *ring, struct enl_ring_pkt *pkt)
{
	__u32 w, avail, pos, len, hdr;
	__u64 w0, w1;

	/* Acquire: packet contents are read only after the index. */
	w = enl_load_acquire(&ring->ctl->write_index);
	if (!ring_index_ok(ring, w))
		return ring_corrupt(ring);
	avail = ring_dist(ring, ring->priv_read, w);
	if (!avail)
		return -EAGAIN;
	if (avail < RING_MIN_PKT)
		return ring_corrupt(ring);

	/*
	 * The descriptor is two aligned little-endian u64s, possibly on
	 * either side of the wrap; read each once so the peer cannot change
	 * a length between its check and its use.
	 */
	pos = ring->priv_read;
	w0 = enl_load_once((__u64 *)(ring->data + pos));
	w1 = enl_load_once((__u64 *)(ring->data + ring_wrap(ring, pos + 8)));
	hdr = (__u32)((w0 >> 16) & 0xffff) * 8;
	len = (__u32)((w0 >> 32) & 0xffff) * 8;
	if (hdr < RING_DESC_SIZE || hdr > len ||
	    len > avail - ENL_RING_TRAILER_SIZE)
		return ring_corrupt(ring);

	pkt->type = (__u16)w0;
	pkt->flags = (__u16)(w0 >> 48);
	pkt->hdr_len = hdr;
	pkt->len = len;
	pkt->pos = pos;
	pkt->trans_id = w1;
	return 0;
}

int enl_ring_copy(const struct enl_ring *ring, const struct enl_ring_pkt *pkt,
		  __u32 off, void *buf, __u32 len)
{
	struct enl_vmpacket_descriptor desc;
	__u32 n;

	if (off > pkt->len || len > pkt->len - off)
		return -EINVAL;
	ring_get(ring, ring_wrap(ring, pkt->pos + off), buf, len);
	if (off >= RING_DESC_SIZE || !len)
		return 0;

	/* Hand out the descriptor that was validated, not what is there now. */
	desc.type = pkt->type;
	desc.offset8 = (__u16)(pkt->hdr_len / 8);
	desc.len8 = (__u16)(pkt->len / 8);
	desc.flags = pkt->flags;
	desc.trans_id = pkt->trans_id;
	n = RING_DESC_SIZE - off;
	memcpy(buf, (const __u8 *)&desc + off, n < len ? n : len);
	return 0;
}

void enl_ring_skip(struct enl_ring *ring, const struct enl_ring_pkt *pkt)
{
	ring->priv_read = ring_wrap(ring, pkt->pos + pkt->len +
					  ENL_RING_TRAILER_SIZE);
	ring->stats.packets++;
	ring->stats.bytes += pkt->len;
}

int enl_ring_read(struct enl_ring *ring, void *buf, __u32 buflen,
		  struct enl_ring_pkt *pkt)
{
	int err;

	err = enl_ring_peek(ring, pkt);
	if (err)
		return err;
	if (buflen < pkt->len)
		return -ENOBUFS;
	enl_ring_copy(ring, pkt, 0, buf, pkt->len);
	enl_ring_skip(ring, pkt);
	return (int)pkt->len;
}

bool enl_ring_read_commit(struct enl_ring *ring)
{
	__u32 freed, pending, w, now_free;

	freed = ring_dist(ring, ring->committed_read, ring->priv_read);
	if (!freed)
		return false;
	/* Our reads of the packets must be done before the writer reuses them. */
	enl_store_release(&ring->ctl->read_index, ring->priv_read);
	ring->committed_read = ring->priv_read;

	if (!(enl_load_once(&ring->ctl->feature_bits) &
	      ENL_RING_FEAT_PENDING_SEND_SZ))
		return false;
	/*
	 * Order the read_index store before the pending_send_sz load: else a
	 * writer could set it after our look and then miss the freed space.
	 */
	enl_mb();
	pending = enl_load_once(&ring->ctl->pending_send_sz);
	if (!pending)
		return false;
	w = enl_load_acquire(&ring->ctl->write_index);
	if (!ring_index_ok(ring, w)) {
		ring_corrupt(ring);
		return false;
	}
	/*
	 * Signal on the transition only: the writer had no room for pending
	 * bytes before this commit (free <= pending, as a packet needs free >
	 * its size) and has now. A writer lying about write_index makes the
	 * subtraction wrap, which reads as "had room", i.e. no signal.
	 */
	now_free = ring->size - ring_dist(ring, ring->priv_read, w);
	if (now_free - freed > pending || now_free <= pending)
		return false;
	ring->stats.signals++;
	return true;
}

__u32 enl_ring_bytes_to_read(struct enl_ring *ring)
{
	__u32 w = enl_load_acquire(&ring->ctl->write_index);

	if (!ring_index_ok(ring, w)) {
		ring_corrupt(ring);
		return 0;
	}
	return ring_dist(ring, ring->priv_read, w);
}

void enl_ring_intr_mask(struct enl_ring *ring)
{
	enl_store_once(&ring->ctl->interrupt_mask, 1);
	enl_mb();
}

bool enl_ring_intr_unmask(struct enl_ring *ring)
{
	__u32 w;

	enl_store_once(&ring->ctl->interrupt_mask, 0);
	/*
	 * The unmask must be visible before we look at write_index: a writer
	 * that still saw the mask did not signal, so its packet must be seen
	 * here.
	 */
	enl_mb();
	w = enl_load_acquire(&ring->ctl->write_index);
	if (!ring_index_ok(ring, w)) {
		ring_corrupt(ring);
		return true;
	}
	return w != ring->priv_read;
}
