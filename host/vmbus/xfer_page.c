// SPDX-License-Identifier: GPL-2.0-only
/* Transfer-page packets and their completions (see xfer_page.h). */
#include <errno.h>
#include <string.h>

#include "inflight.h"
#include "ring.h"
#include "vsp.h"
#include "xfer_page.h"

int enl_vsp_send_xfer_pages(struct enl_vsp_channel *ch,
			    struct enl_vsp_inflight *table, void *req,
			    uint16_t pageset_id, uint64_t buf_len,
			    const struct enl_vmtransfer_page_range *ranges,
			    uint32_t nr, const void *msg, uint32_t msg_len)
{
	struct enl_vmtransfer_page_packet_header h;
	struct enl_ring_iov iov[3];
	uint64_t trans_id;
	uint32_t i;
	int ret;

	if (!req || !nr || nr > ENL_XFER_MAX_RANGES || (msg_len && !msg))
		return -EINVAL;
	if (!table)
		table = enl_vsp_inflight(ch);
	for (i = 0; i < nr; i++)
		if (!ranges[i].byte_count || ranges[i].byte_offset >= buf_len ||
		    ranges[i].byte_count > buf_len - ranges[i].byte_offset)
			return -EINVAL;
	ret = enl_vsp_inflight_add(table, req, &trans_id);
	if (ret)
		return ret;
	memset(&h, 0, sizeof(h));
	h.d.type = ENL_VMPKT_DATA_USING_XFER_PAGES;
	h.d.flags = ENL_VMPKT_FLAG_COMPLETION_REQUESTED;
	h.d.trans_id = trans_id;
	/* The inband message starts right after the ranges (8-aligned). */
	h.d.offset8 = (uint16_t)((sizeof(h) + (size_t)nr * sizeof(*ranges)) / 8);
	h.xfer_pageset_id = pageset_id;
	h.range_cnt = nr;
	iov[0].base = &h;
	iov[0].len = sizeof(h);
	iov[1].base = ranges;
	iov[1].len = nr * (uint32_t)sizeof(*ranges);
	iov[2].base = msg;
	iov[2].len = msg_len;
	ret = enl_vsp_send_raw(ch, iov, msg_len ? 3 : 2);
	if (ret)
		enl_vsp_inflight_cancel(table, trans_id);
	return ret;
}

void *enl_vsp_complete(struct enl_vsp_inflight *table,
		       const struct enl_ring_pkt *pkt)
{
	if (pkt->type != ENL_VMPKT_COMP)
		return NULL;
	return enl_vsp_inflight_take(table, pkt->trans_id);
}
