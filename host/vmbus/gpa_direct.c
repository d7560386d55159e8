// SPDX-License-Identifier: GPL-2.0-only
/* GPA-direct packets into iovecs (see gpa_direct.h). */
#include <string.h>

#include <enlighten/hv_synic.h>
#include <enlighten/ring.h>
#include "gpa_direct.h"
#include "guest_mem.h"
#include "iov_build.h"
#include "server_priv.h"

#define PG	ENL_HV_PAGE_SIZE

/* The pieces of one range: byte_count bytes from byte_offset of pfns[0]. */
static int add_range(const struct enl_guest_mem *mem, struct enl_iov_build *b,
		     uint32_t count, uint32_t offset, const uint8_t *pfns,
		     uint64_t npfn)
{
	uint64_t left = count, i;
	uint32_t start = offset;

	for (i = 0; i < npfn; i++) {
		uint64_t pfn, piece = MIN(left, (uint64_t)(PG - start));
		void *p;
		int ret;

		memcpy(&pfn, pfns + i * 8, 8);
		if (pfn > (UINT64_MAX - PG) / PG)
			return -EFAULT;
		p = enl_gpa_ptr(mem, pfn * PG + start, piece);
		if (!p)
			return -EFAULT;
		ret = enl_iov_add(b, p, piece);
		if (ret)
			return ret;
		left -= piece;
		start = 0;
	}
	return 0;
}

int enl_gpa_direct_parse(const struct enl_guest_mem *mem, const void *pkt,
			 uint32_t len, uint32_t hdr_len,
			 struct enl_gpa_direct *out)
{
	const uint8_t *p = pkt;
	struct enl_vmdata_gpa_direct h;
	struct enl_iov_build b = { out->iov, out->max_iov, 0, 0 };
	uint32_t pos = sizeof(h), r;
	int ret;

	out->niov = 0;
	out->nranges = 0;
	out->bytes = 0;
	out->payload = NULL;
	out->payload_len = 0;
	if (len < sizeof(h) || hdr_len < sizeof(h) || hdr_len > len)
		return -EBADMSG;
	memcpy(&h, p, sizeof(h));
	if (h.d.type != ENL_VMPKT_DATA_USING_GPA_DIRECT || !h.range_cnt ||
	    h.range_cnt > ENL_GPA_DIRECT_MAX_RANGES)
		return -EBADMSG;
	for (r = 0; r < h.range_cnt; r++) {
		struct enl_gpa_range gr;
		uint64_t npfn;

		/* The ranges live between the header and the payload. */
		if (hdr_len - pos < sizeof(gr))
			return -EBADMSG;
		memcpy(&gr, p + pos, sizeof(gr));
		pos += sizeof(gr);
		if (!gr.byte_count || gr.byte_offset >= PG)
			return -EBADMSG;
		npfn = ((uint64_t)gr.byte_offset + gr.byte_count + PG - 1) / PG;
		if (npfn > (hdr_len - pos) / 8)
			return -EBADMSG;
		ret = add_range(mem, &b, gr.byte_count, gr.byte_offset,
				p + pos, npfn);
		if (ret)
			return ret;
		pos += (uint32_t)npfn * 8;
	}
	out->niov = b.n;
	out->nranges = h.range_cnt;
	out->bytes = b.total;
	out->payload = p + hdr_len;
	out->payload_len = len - hdr_len;
	return 0;
}

int enl_vsp_gpa_direct(struct enl_vsp_channel *ch,
		       const struct enl_ring_pkt *pkt, const void *data,
		       struct enl_gpa_direct *out)
{
	int ret = enl_gpa_direct_parse(enl_vmbus_mem(ch->srv), data, pkt->len,
				       pkt->hdr_len, out);

	if (ret && ret != -E2BIG)
		enl_vmbus_error(ch->srv, ENL_VMBUS_ERR_BAD_DATA_PKT,
				"relid %u: GPA-direct packet %#llx refused: %s",
				ch->relid, (unsigned long long)pkt->trans_id,
				g_strerror(-ret));
	return ret;
}
