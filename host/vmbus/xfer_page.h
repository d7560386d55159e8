/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transfer-page packets (ENL_VMPKT_DATA_USING_XFER_PAGES): the host tells
 * the guest where in a receive buffer (a GPADL the guest gave, registered
 * as transfer page set pageset_id) the data of a packet lies, as byte
 * ranges of that buffer, followed by an inband message (e.g. NVSP's "RNDIS
 * packet"). The guest answers with a completion (ENL_VMPKT_COMP) carrying
 * the packet's transaction id, after which the host may reuse the ranges.
 * Ids come from an in-flight table (inflight.h), so a completion finds its
 * request and a stale or duplicate one is counted and dropped.
 */
#ifndef ENL_HOST_VMBUS_XFER_PAGE_H
#define ENL_HOST_VMBUS_XFER_PAGE_H

#include <stdint.h>

#include <enlighten/ring.h>

struct enl_ring_pkt;
struct enl_vsp_channel;
struct enl_vsp_inflight;

/* Ranges in one packet; Linux's netvsc takes up to 562 (its RSC limit). */
#define ENL_XFER_MAX_RANGES	1024u

/*
 * Send nr ranges of a buffer of buf_len bytes, then msg (msg_len bytes),
 * as one packet asking for a completion; req goes into table (NULL: the
 * channel's own, enl_vsp_inflight(ch)) under the packet's transaction id. 0; -EINVAL (no range, too many, one empty or
 * outside the buffer, or req NULL), -ENOSPC (table full), or what
 * enl_vsp_send_raw() says (-EAGAIN when the ring is full: nothing was
 * sent and req is not in the table).
 */
int enl_vsp_send_xfer_pages(struct enl_vsp_channel *ch,
			    struct enl_vsp_inflight *table, void *req,
			    uint16_t pageset_id, uint64_t buf_len,
			    const struct enl_vmtransfer_page_range *ranges,
			    uint32_t nr, const void *msg, uint32_t msg_len);

/*
 * A packet from the guest that should complete one we sent: the request
 * it completes (removed from table), or NULL if it is no completion or
 * names nothing outstanding (counted by the table as stale).
 */
void *enl_vsp_complete(struct enl_vsp_inflight *table,
		       const struct enl_ring_pkt *pkt);

#endif /* ENL_HOST_VMBUS_XFER_PAGE_H */
