// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's receive buffer, as the host uses it: cut into sections of
 * one size, each free or holding one RNDIS message sent up in a
 * transfer-page packet. A packet's sections are chained; its transaction
 * id names the chain's first section and that section's generation, so a
 * completion the guest makes up, repeats or sends late frees nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net_priv.h"

enum { SEC_FREE, SEC_BATCH, SEC_SENT };

int net_rx_setup(struct enl_net_dev *d, uint32_t section_size)
{
	struct enl_net_recvbuf *rb = &d->rx;
	uint32_t n;

	if (!section_size || rb->buf.map.len / section_size == 0)
		return -EINVAL;
	n = (uint32_t)(rb->buf.map.len / section_size);
	rb->free_stack = calloc(n, sizeof(*rb->free_stack));
	rb->next = calloc(n, sizeof(*rb->next));
	rb->gen = calloc(n, sizeof(*rb->gen));
	rb->busy = calloc(n, sizeof(*rb->busy));
	if (!rb->free_stack || !rb->next || !rb->gen || !rb->busy) {
		net_rx_teardown(d);
		return -ENOMEM;
	}
	rb->section_size = section_size;
	rb->nsections = n;
	/* Low sections first: they are popped from the top. */
	for (uint32_t i = 0; i < n; i++)
		rb->free_stack[i] = n - 1 - i;
	rb->nfree = n;
	return 0;
}

void net_rx_teardown(struct enl_net_dev *d)
{
	struct enl_net_recvbuf *rb = &d->rx;

	free(rb->free_stack);
	free(rb->next);
	free(rb->gen);
	free(rb->busy);
	rb->free_stack = rb->next = rb->gen = NULL;
	rb->busy = NULL;
	rb->nsections = rb->nfree = rb->section_size = 0;
}

uint32_t net_rx_alloc(struct enl_net_dev *d)
{
	struct enl_net_recvbuf *rb = &d->rx;
	uint32_t sec = ENL_NET_NO_SECTION;

	pthread_mutex_lock(&rb->lock);
	if (rb->nfree) {
		sec = rb->free_stack[--rb->nfree];
		rb->busy[sec] = SEC_BATCH;
		rb->next[sec] = ENL_NET_NO_SECTION;
	}
	pthread_mutex_unlock(&rb->lock);
	return sec;
}

static void release_locked(struct enl_net_recvbuf *rb, uint32_t sec)
{
	rb->busy[sec] = SEC_FREE;
	rb->free_stack[rb->nfree++] = sec;
}

void net_rx_release(struct enl_net_dev *d, uint32_t sec)
{
	pthread_mutex_lock(&d->rx.lock);
	release_locked(&d->rx, sec);
	pthread_mutex_unlock(&d->rx.lock);
}

uint32_t enl_net_free_sections(struct enl_net_dev *d)
{
	uint32_t n;

	pthread_mutex_lock(&d->rx.lock);
	n = d->rx.nfree;
	pthread_mutex_unlock(&d->rx.lock);
	return n;
}

uint64_t enl_net_recv_span(struct enl_net_dev *d)
{
	uint64_t n;

	pthread_mutex_lock(&d->rx.lock);
	n = (uint64_t)d->rx.nsections * d->rx.section_size;
	pthread_mutex_unlock(&d->rx.lock);
	return n;
}

void enl_net_xfer_begin(struct enl_net_dev *d, unsigned int queue,
			struct enl_net_xfer *x)
{
	x->queue = (uint16_t)queue;
	x->pageset_id = d->rx.buf.id;
	x->nranges = 0;
	x->tid = 0;
	x->head = x->tail = ENL_NET_NO_SECTION;
	memset(&x->msg, 0, sizeof(x->msg));
	x->msg.hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT;
	x->msg.msg.rndis.channel_type = ENL_NVSP_CHANNEL_DATA;
	x->msg.msg.rndis.section_index = ENL_NVSP_NO_SECTION;
}

/* Append a filled section (message of len bytes) to the batch. */
int net_xfer_add_section(struct enl_net_dev *d, struct enl_net_xfer *x,
			 uint32_t sec, uint32_t len)
{
	if (x->nranges >= ENL_NET_XFER_MAX_RANGES)
		return -ENOSPC;
	x->ranges[x->nranges].byte_offset = sec * d->rx.section_size;
	x->ranges[x->nranges].byte_count = len;
	x->nranges++;
	if (x->tail == ENL_NET_NO_SECTION)
		x->head = sec;
	else
		d->rx.next[x->tail] = sec;
	x->tail = sec;
	return 0;
}

static void free_chain_locked(struct enl_net_recvbuf *rb, uint32_t sec)
{
	/* A chain is at most ENL_NET_XFER_MAX_RANGES long and acyclic. */
	for (unsigned int i = 0; sec != ENL_NET_NO_SECTION &&
	     i < ENL_NET_XFER_MAX_RANGES; i++) {
		uint32_t nx = rb->next[sec];

		release_locked(rb, sec);
		sec = nx;
	}
}

int enl_net_xfer_send(struct enl_net_dev *d, struct enl_net_xfer *x)
{
	struct enl_net_recvbuf *rb = &d->rx;
	int ret;

	if (!x->nranges)
		return 0;
	pthread_mutex_lock(&rb->lock);
	rb->gen[x->head]++;
	rb->busy[x->head] = SEC_SENT;
	x->tid = (uint64_t)rb->gen[x->head] << 32 | x->head;
	pthread_mutex_unlock(&rb->lock);
	ret = d->ops->send_xfer(d->ctx, x);
	if (ret) {
		/* Never reached the guest: the sections are ours again. */
		pthread_mutex_lock(&rb->lock);
		free_chain_locked(rb, x->head);
		pthread_mutex_unlock(&rb->lock);
	}
	x->nranges = 0;
	x->head = x->tail = ENL_NET_NO_SECTION;
	return ret;
}

void enl_net_recv_complete(struct enl_net_dev *d, uint64_t tid,
			   const void *msg, size_t len)
{
	struct enl_net_recvbuf *rb = &d->rx;
	uint32_t sec = (uint32_t)tid, gen = (uint32_t)(tid >> 32);
	bool ok;

	/* The completion says RNDIS_PKT_COMPLETE and a status. */
	if (msg && len >= sizeof(struct enl_nvsp_hdr) +
	    sizeof(struct enl_nvsp1_rndis_packet_complete)) {
		const struct enl_nvsp_message *m = msg;

		if (get_le32(&m->hdr.msg_type) ==
		    ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE &&
		    get_le32(&m->msg.rndis_complete.status) !=
		    ENL_NVSP_STAT_SUCCESS)
			net_count(d, ENL_NET_RX_GUEST_FAILED);
	}
	pthread_mutex_lock(&rb->lock);
	ok = sec < rb->nsections && rb->busy[sec] == SEC_SENT &&
	     rb->gen[sec] == gen;
	if (ok)
		free_chain_locked(rb, sec);
	pthread_mutex_unlock(&rb->lock);
	if (!ok) {
		net_count(d, ENL_NET_RX_BAD_TID);
		return;
	}
	/* Sections came back: say what could not be said before. */
	if (atomic_load_explicit(&d->pending_ind, memory_order_relaxed))
		net_flush_indications(d);
}

int net_send_ctl(struct enl_net_dev *d, const void *msg, size_t len)
{
	struct enl_net_xfer x;
	uint32_t sec;

	if (!d->rx.nsections || len > d->rx.section_size) {
		net_count(d, ENL_NET_CTL_NO_ROOM);
		return -ENOSPC;
	}
	sec = net_rx_alloc(d);
	if (sec == ENL_NET_NO_SECTION) {
		net_count(d, ENL_NET_RX_NO_SECTION);
		return -ENOSPC;
	}
	if (!enl_iov_write(&d->rx.buf.map, (size_t)sec * d->rx.section_size,
			   msg, len)) {
		net_rx_release(d, sec);
		return -EIO;
	}
	enl_net_xfer_begin(d, 0, &x);
	x.msg.msg.rndis.channel_type = ENL_NVSP_CHANNEL_CONTROL;
	net_xfer_add_section(d, &x, sec, (uint32_t)len);
	return enl_net_xfer_send(d, &x);
}

int enl_net_xfer_raw(struct enl_net_dev *d, unsigned int queue,
		     uint32_t channel_type, const void *msg, size_t len,
		     uint32_t range_len)
{
	struct enl_net_xfer x;
	uint64_t off;
	uint32_t sec;

	if (!d->rx.nsections)
		return -ENOSPC;
	if (!len || len > d->rx.section_size)
		return -EINVAL;
	sec = net_rx_alloc(d);
	if (sec == ENL_NET_NO_SECTION)
		return -ENOSPC;
	off = (uint64_t)sec * d->rx.section_size;
	if (!range_len)
		range_len = (uint32_t)len;
	if (range_len > d->rx.buf.map.len - off ||
	    !enl_iov_write(&d->rx.buf.map, off, msg, len)) {
		net_rx_release(d, sec);
		return -EINVAL;
	}
	enl_net_xfer_begin(d, queue, &x);
	x.msg.msg.rndis.channel_type = channel_type;
	net_xfer_add_section(d, &x, sec, range_len);
	return enl_net_xfer_send(d, &x);
}
