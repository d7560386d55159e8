// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_netvsc receive path: one NAPI context per channel. The channel is
 * opened in notify mode, so its interrupt only schedules NAPI, and the
 * host is asked not to interrupt again until the poll is done; the poll
 * walks the inbound ring in place, taking send completions, host
 * messages and transfer-page packets whose ranges point into the
 * receive buffer. Each range is one RNDIS message: a data packet becomes
 * an skb with its checksum verdict, hash and VLAN tag (its headers
 * copied, the rest lent: the receive buffer's own pages as fragments,
 * or copied into pool pages), a control message goes to rndis.c. Every
 * transfer is completed once all its ranges are taken and the stack gave
 * back every page it lent; a completion the ring has no room for waits
 * in a small queue for the next poll.
 */
#include <linux/if_vlan.h>
#include <linux/module.h>
#include "netvsc.h"

/*
 * Under TCG every byte the guest copies costs emulated instructions:
 * lending the receive buffer's pages saves the copy of everything past a
 * packet's headers. Off, data is copied into pool pages as before.
 */
static bool rx_lend = true;
module_param(rx_lend, bool, 0644);
MODULE_PARM_DESC(rx_lend, "lend receive-buffer pages to the stack instead of copying (default on)");

int nv_on_event(struct enl_vmbus_channel *ch, int budget)
{
	struct nv_chan *c = enl_vmbus_channel_priv(ch);

	/* Until the poll is done, the host need not interrupt again. */
	if (napi_schedule_prep(&c->napi)) {
		enl_vmbus_intr_mask(ch);
		__napi_schedule(&c->napi);
	}
	return 0;
}

/*
 * Only ever from the poll, which rings the signal at its end: a reply to
 * what it took (a ping's, a TCP ACK) goes out as GRO hands the packets
 * up in napi_complete_done, and carries it, so that the host is woken
 * once for the completion and the reply instead of twice.
 */
static int nv_send_comp(struct nv_chan *c, u64 tid, u32 status)
{
	struct enl_nvsp_message m = {};

	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE;
	m.msg.rndis_complete.status = status;
	return enl_vmbus_send_quiet(c->ch, &m, sizeof(m), tid, ENL_VMPKT_COMP,
				    0);
}

/* Send the completions that waited for room; false if some still wait. */
static bool nv_comp_flush(struct nv_chan *c)
{
	while (c->comp_count) {
		struct nv_comp *q = &c->comp[c->comp_head];

		if (nv_send_comp(c, q->tid, q->status) == -EAGAIN)
			return false;
		c->comp_head = (c->comp_head + 1) % NV_COMP_MAX;
		c->comp_count--;
	}
	return true;
}

static void nv_complete_xfer(struct nv_chan *c, u64 tid, u32 status)
{
	struct nv_comp *q;

	if (!c->comp_count && nv_send_comp(c, tid, status) != -EAGAIN)
		return;
	/* In order behind the ones already waiting. */
	nv_count(c, NV_ST_rx_comp_deferred, 1);
	if (c->comp_count == NV_COMP_MAX) {
		/* Cannot happen with a host that reads its ring. */
		netdev_err_once(c->nd->ndev, "receive completion lost: ring full\n");
		return;
	}
	q = &c->comp[(c->comp_head + c->comp_count) % NV_COMP_MAX];
	q->tid = tid;
	q->status = status;
	c->comp_count++;
}

struct nv_rx_info {
	bool csum, hash, vlan, frag;
	u32 csum_v, hash_v, vlan_v;
	struct enl_rndis_pktinfo_id id;	/* valid when frag */
};

/*
 * A transfer being taken: it lives on the stack of the transfer's
 * handling. A coalesced packet (RSC) is joined from its fragments, which
 * the host sends in consecutive ranges of one transfer: skb while
 * joining, skip while dropping the rest of one we had no memory for.
 * lend: the range being taken may lend its pages; tail_own: the skb's
 * last fragment is a pool page of ours, which may take more bytes;
 * lent: pages this transfer lent.
 */
struct nv_rsc {
	struct sk_buff *skb;
	struct nv_rx_info ri;		/* the first fragment's */
	bool skip;
	u16 id;
	bool lend_ok, lend, tail_own;
	u32 lent;
};

/* Per-packet infos, every size and offset bounded by the area. */
static bool nv_parse_ppi(const u8 *p, u32 n, struct nv_rx_info *ri)
{
	while (n) {
		struct enl_rndis_ppi e;
		u32 v;

		if (n < sizeof(e))
			return false;
		memcpy(&e, p, sizeof(e));
		if (e.size < sizeof(e) || e.size > n ||
		    e.ppi_offset < sizeof(e) || e.ppi_offset > e.size ||
		    e.size - e.ppi_offset < sizeof(v))
			return false;
		memcpy(&v, p + e.ppi_offset, sizeof(v));
		switch (e.type) {
		case ENL_PPI_TCPIP_CHECKSUM:
			ri->csum = true;
			ri->csum_v = v;
			break;
		case ENL_PPI_HASH_VALUE:
			ri->hash = true;
			ri->hash_v = v;
			break;
		case ENL_PPI_IEEE_8021Q:
			ri->vlan = true;
			ri->vlan_v = v;
			break;
		case ENL_PPI_INTERNAL_PKTINFO_ID | ENL_RNDIS_PPI_INTERNAL:
			ri->frag = true;
			memcpy(&ri->id, &v, sizeof(ri->id));
			break;
		default:
			/* The host's own infos mean nothing to a frame. */
			if (e.type & ENL_RNDIS_PPI_INTERNAL)
				return false;
			/* Harmless for a frame: ignored. */
			break;
		}
		p += e.size;
		n -= e.size;
	}
	return true;
}

/* Checksum verdict, hash and VLAN tag, then up the stack. */
static void nv_rx_deliver(struct nv_chan *c, struct sk_buff *skb,
			  const struct nv_rx_info *ri)
{
	struct net_device *ndev = c->nd->ndev;
	u32 len = skb->len;

	skb->protocol = eth_type_trans(skb, ndev);
	if (ri->csum && (ndev->features & NETIF_F_RXCSUM) &&
	    (ri->csum_v & (ENL_CSUM_RX_TCP_SUCCEEDED | ENL_CSUM_RX_UDP_SUCCEEDED)) &&
	    !(ri->csum_v & (ENL_CSUM_RX_TCP_FAILED | ENL_CSUM_RX_UDP_FAILED |
			    ENL_CSUM_RX_IP_FAILED))) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		nv_count(c, NV_ST_rx_csum_ok, 1);
	}
	if (ri->hash && (ndev->features & NETIF_F_RXHASH))
		skb_set_hash(skb, ri->hash_v, PKT_HASH_TYPE_L4);
	if (ri->vlan) {
		u16 tci = (ri->vlan_v >> ENL_VLAN_ID_SHIFT & ENL_VLAN_ID_MASK) |
			  (ri->vlan_v & ENL_VLAN_PRI_MASK) << VLAN_PRIO_SHIFT;

		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), tci);
	}
	skb_record_rx_queue(skb, c->index);
	u64_stats_update_begin(&c->syncp);
	c->st[NV_ST_rx_packets]++;
	c->st[NV_ST_rx_bytes] += len;
	u64_stats_update_end(&c->syncp);
	napi_gro_receive(&c->napi, skb);
}

/* Drop a coalesced packet joined only in part; false if there was none. */
static bool nv_rsc_drop(struct nv_rsc *r)
{
	bool was = r->skb || r->skip;

	kfree_skb(r->skb);
	r->skb = NULL;
	r->skip = false;
	return was;
}

/*
 * A page for a coalesced packet from the channel's pool: one the stack
 * gave back if there is one, else a new one (counted).
 */
static struct page *nv_rx_page(struct nv_chan *c)
{
	struct page *pg = page_pool_dev_alloc_pages(c->pool);
	/* Pages the pool took from the page allocator (NAPI writes it). */
	u32 held = READ_ONCE(c->pool->pages_state_hold_cnt);

	if (held != c->pool_seen) {
		nv_count(c, NV_ST_rx_pages_new, held - c->pool_seen);
		c->pool_seen = held;
	}
	if (pg)
		nv_count(c, NV_ST_rx_pages, 1);
	return pg;
}

/*
 * Copy len bytes into skb's fragments: into the room left in its last
 * page when that is a pool page of ours, then into new ones. -ENOMEM
 * without a page, -EMSGSIZE past the fragments an skb holds.
 */
static int nv_rx_copy(struct nv_chan *c, struct nv_rsc *r, struct sk_buff *skb,
		      const u8 *data, u32 len)
{
	struct skb_shared_info *sh = skb_shinfo(skb);

	while (len) {
		skb_frag_t *f = sh->nr_frags ? &sh->frags[sh->nr_frags - 1] : NULL;
		u32 end = f && r->tail_own ? skb_frag_off(f) + skb_frag_size(f) :
			  PAGE_SIZE;
		u32 k = min_t(u32, len, PAGE_SIZE - end);
		struct page *pg;

		if (!k) {
			if (sh->nr_frags >= MAX_SKB_FRAGS)
				return -EMSGSIZE;
			pg = nv_rx_page(c);
			if (!pg)
				return -ENOMEM;
			skb_add_rx_frag(skb, sh->nr_frags, pg, 0, 0, PAGE_SIZE);
			r->tail_own = true;
			continue;
		}
		memcpy(page_address(skb_frag_page(f)) + end, data, k);
		skb_frag_size_add(f, k);
		skb->len += k;
		skb->data_len += k;
		data += k;
		len -= k;
	}
	return 0;
}

/*
 * Append len bytes at p (in the receive buffer) to a packet that may
 * grow to total bytes. Each page's piece is lent when the range may lend,
 * the piece is worth it, the channel has room and enough fragment slots
 * stay free to copy whatever may still follow; else it is copied. The
 * stack then holds a reference to the buffer's own page, and the
 * transfer is completed only when every such reference is gone.
 */
static int nv_rx_add(struct nv_chan *c, struct nv_rsc *r, struct sk_buff *skb,
		     const u8 *p, u32 len, u32 total)
{
	struct nv_dev *nd = c->nd;
	struct skb_shared_info *sh = skb_shinfo(skb);
	int ret;

	while (len) {
		size_t off = p - (const u8 *)nd->recv_buf;
		u32 in = offset_in_page(off);
		u32 k = min_t(u32, len, PAGE_SIZE - in);
		u32 after = skb->len + k;
		u32 rest = total > after ? total - after : 0;

		if (r->lend && k >= NV_LEND_MIN &&
		    c->lend_pg_count >= c->lend_max)
			nv_count(c, NV_ST_rx_lend_capped, 1);
		if (r->lend && k >= NV_LEND_MIN &&
		    c->lend_pg_count < c->lend_max &&
		    sh->nr_frags + 1 + DIV_ROUND_UP(rest, PAGE_SIZE) <=
		    MAX_SKB_FRAGS) {
			u32 pgi = off >> PAGE_SHIFT;
			struct page *pg = nd->recv_pages[pgi];

			get_page(pg);
			skb_add_rx_frag(skb, sh->nr_frags, pg, in, k, PAGE_SIZE);
			c->lend_pg[(c->lend_pg_head + c->lend_pg_count) &
				   (NV_LEND_PAGES - 1)] = pgi;
			c->lend_pg_count++;
			r->lent++;
			r->tail_own = false;
			nv_count(c, NV_ST_rx_lent, 1);
			nv_count(c, NV_ST_rx_lent_now, 1);
		} else {
			ret = nv_rx_copy(c, r, skb, p, k);
			if (ret)
				return ret;
		}
		p += k;
		len -= k;
	}
	return 0;
}

/*
 * One RSC fragment: the first starts a packet in a linear skb, the rest
 * go into pages behind it, the last sends it up. False: malformed.
 */
static bool nv_rx_frag(struct nv_chan *c, struct nv_rsc *r,
		       const struct nv_rx_info *ri, const u8 *data, u32 len)
{
	bool last = ri->id.flag & ENL_PKTINFO_LAST_FRAG;
	struct sk_buff *skb;
	u32 head;
	int ret;

	if (!READ_ONCE(c->nd->rsc_offered) || ri->id.ver != ENL_PKTINFO_ID_V1 ||
	    !len || len > NV_RSC_MAX)
		return false;
	if (ri->id.flag & ENL_PKTINFO_1ST_FRAG) {
		/* One left unfinished: the host broke the sequence. */
		if (nv_rsc_drop(r))
			nv_count(c, NV_ST_rx_malformed, 1);
		if (len < ETH_HLEN)
			return false;
		r->id = ri->id.pkt_id;
		r->ri = *ri;
		/*
		 * The headers in the linear part, the rest in pages: the
		 * host's sections may be far larger than a page.
		 */
		head = min_t(u32, len, NV_RX_HEAD);
		skb = napi_alloc_skb(&c->napi, head);
		if (skb) {
			/* Freed anywhere, its pool pages go back to the pool. */
			skb_mark_for_recycle(skb);
			skb_put_data(skb, data, head);
			r->tail_own = false;
			if (nv_rx_add(c, r, skb, data + head, len - head,
				      NV_RSC_MAX)) {
				kfree_skb(skb);
				skb = NULL;
			}
		}
		if (!skb) {
			nv_count(c, NV_ST_rx_dropped_nomem, 1);
			r->skip = !last;
			return true;
		}
		r->skb = skb;
	} else if (!r->skip || ri->id.pkt_id != r->id) {
		if (!r->skb || ri->id.pkt_id != r->id ||
		    len > NV_RSC_MAX - r->skb->len) {
			nv_rsc_drop(r);
			return false;
		}
		ret = nv_rx_add(c, r, r->skb, data, len, NV_RSC_MAX);
		if (ret) {
			nv_rsc_drop(r);
			if (ret != -ENOMEM)
				return false;
			nv_count(c, NV_ST_rx_dropped_nomem, 1);
			r->skip = !last;
			return true;
		}
	} else {
		/* The rest of one we had no memory for. */
		r->skip = !last;
		return true;
	}
	nv_count(c, NV_ST_rx_rsc_frags, 1);
	if (last) {
		skb = r->skb;
		r->skb = NULL;
		nv_count(c, NV_ST_rx_rsc_packets, 1);
		nv_rx_deliver(c, skb, &r->ri);
	}
	return true;
}

/* One RNDIS data packet (mlen bytes at p, in the receive buffer). */
static void nv_rx_packet(struct nv_chan *c, struct nv_rsc *r, const u8 *p,
			 u32 mlen)
{
	struct net_device *ndev = c->nd->ndev;
	const u8 *body = p + sizeof(struct enl_rndis_hdr);
	u32 blen = mlen - sizeof(struct enl_rndis_hdr);
	/* Only the ppi_len bytes copied in are read: not zeroed per frame. */
	u8 ppi[256] __uninitialized;
	struct nv_rx_info ri = {};
	struct enl_rndis_packet rp;
	struct sk_buff *skb;
	u32 max, head;

	if (blen < sizeof(rp))
		goto bad;
	memcpy(&rp, body, sizeof(rp));
	if (rp.data_offset < sizeof(rp) || rp.data_offset > blen ||
	    rp.data_len > blen - rp.data_offset)
		goto bad;
	if (rp.ppi_len) {
		if (rp.ppi_offset < sizeof(rp) || rp.ppi_offset > blen ||
		    rp.ppi_len > blen - rp.ppi_offset || rp.ppi_len > sizeof(ppi))
			goto bad;
		/* Copied once: the host may change the buffer under us. */
		memcpy(ppi, body + rp.ppi_offset, rp.ppi_len);
		if (!nv_parse_ppi(ppi, rp.ppi_len, &ri))
			goto bad;
	}
	if (ri.frag) {
		if (!nv_rx_frag(c, r, &ri, body + rp.data_offset, rp.data_len))
			goto bad;
		return;
	}
	/* A whole frame amid the fragments of another: that one is lost. */
	if (nv_rsc_drop(r))
		nv_count(c, NV_ST_rx_malformed, 1);
	max = READ_ONCE(ndev->mtu) + ETH_HLEN + VLAN_HLEN;
	if (rp.data_len < ETH_HLEN || rp.data_len > max)
		goto bad;
	/*
	 * In the linear part: the whole frame when small or when nothing may
	 * be lent, else its headers (the rest is lent where it can be).
	 */
	head = !r->lend || rp.data_len < NV_RX_HEAD + NV_LEND_MIN ?
	       rp.data_len : NV_RX_HEAD;
	skb = napi_alloc_skb(&c->napi, head);
	if (!skb) {
		nv_count(c, NV_ST_rx_dropped_nomem, 1);
		return;
	}
	/* Marked as the coalesced ones are: GRO and TCP join only alike. */
	skb_mark_for_recycle(skb);
	skb_put_data(skb, body + rp.data_offset, head);
	r->tail_own = false;
	if (nv_rx_add(c, r, skb, body + rp.data_offset + head,
		      rp.data_len - head, rp.data_len)) {
		/* A frame of at most 9018 bytes fits: only memory lacks. */
		kfree_skb(skb);
		nv_count(c, NV_ST_rx_dropped_nomem, 1);
		return;
	}
	nv_rx_deliver(c, skb, &ri);
	return;
bad:
	/* Joined across a lost fragment, a packet would be wrong: drop it. */
	nv_rsc_drop(r);
	nv_count(c, NV_ST_rx_malformed, 1);
	nv_warn_rl(ndev, "queue %u: malformed RNDIS packet dropped\n",
				c->index);
}

/*
 * A control message, parsed from a private copy. Out of line: the copy's
 * buffer is zeroed on entry (the kernel's stack initialisation), which
 * the data path then does not pay for every frame.
 */
static noinline bool nv_rx_control(struct nv_chan *c, const u8 *p,
				   const struct enl_rndis_hdr *h, u32 mlen)
{
	u8 ctl[NV_CTL_MSG_MAX];

	if (mlen > sizeof(ctl))
		return false;
	memcpy(ctl, p, mlen);
	memcpy(ctl, h, sizeof(*h));
	nv_rndis_control(c, ctl, mlen);
	return true;
}

/* One range of a transfer: one RNDIS message. */
static bool nv_rx_range(struct nv_chan *c, struct nv_rsc *r, u32 off,
			u32 count)
{
	struct nv_dev *nd = c->nd;
	u32 end = nd->recv_section_size * nd->recv_sections;
	struct enl_rndis_hdr h;
	const u8 *p;
	u32 mlen;

	if (off >= end || count > end - off || count < sizeof(h))
		return false;
	/* Lent pages must be those of this range's section alone. */
	r->lend = r->lend_ok &&
		  off / nd->recv_section_size ==
		  (off + count - 1) / nd->recv_section_size;
	p = (const u8 *)nd->recv_buf + off;
	memcpy(&h, p, sizeof(h));
	mlen = h.len;
	if (mlen < sizeof(h) || mlen > count)
		return false;
	if (h.type == ENL_RNDIS_MSG_PACKET) {
		nv_rx_packet(c, r, p, mlen);
		return true;
	}
	return nv_rx_control(c, p, &h, mlen);
}

/*
 * May this transfer lend pages? The buffer's pages are known, sections
 * do not share pages, and there is room to hold one more transfer.
 */
static bool nv_lend_begin(struct nv_chan *c)
{
	struct nv_dev *nd = c->nd;
	u32 chans = max_t(u32, READ_ONCE(nd->nr_chan), 1);

	if (!READ_ONCE(rx_lend) || !nd->recv_pages ||
	    nd->recv_section_size % PAGE_SIZE ||
	    c->lend_x_count >= NV_LEND_XFERS)
		return false;
	/* The host needs the rest of the buffer to fill. */
	c->lend_max = min_t(u32, NV_LEND_PAGES,
			    (nd->recv_size >> PAGE_SHIFT) / 2 / chans);
	return true;
}

/*
 * Complete the oldest transfers whose lent pages all came back: the
 * stack dropped its references, only the buffer's own is left. In order,
 * so a page seen back stays counted in lend_seen. Returns how many.
 */
static u32 nv_lend_reclaim(struct nv_chan *c)
{
	struct nv_dev *nd = c->nd;
	u32 done = 0;

	while (c->lend_x_count) {
		struct nv_lent *x = &c->lend_x[c->lend_x_head];

		while (c->lend_seen < x->pages) {
			u32 i = (c->lend_pg_head + c->lend_seen) &
				(NV_LEND_PAGES - 1);

			if (page_ref_count(nd->recv_pages[c->lend_pg[i]]) != 1)
				return done;
			c->lend_seen++;
		}
		/* The stack's reads of the pages before the host's writes. */
		smp_mb();
		c->lend_pg_head = (c->lend_pg_head + x->pages) &
				  (NV_LEND_PAGES - 1);
		c->lend_pg_count -= x->pages;
		nv_count(c, NV_ST_rx_lent_now, -(u64)x->pages);
		c->lend_seen = 0;
		nv_complete_xfer(c, x->tid, x->status);
		c->lend_x_head = (c->lend_x_head + 1) & (NV_LEND_XFERS - 1);
		c->lend_x_count--;
		done++;
	}
	return done;
}

/* Nothing came to poll for, but lent pages may be back: look. */
void nv_lend_timer(struct timer_list *t)
{
	struct nv_chan *c = from_timer(c, t, lend_timer);

	if (napi_schedule_prep(&c->napi)) {
		enl_vmbus_intr_mask(c->ch);
		__napi_schedule(&c->napi);
	}
}

/*
 * NAPI is off and the channel closing: what is still lent stays with the
 * stack (the pages outlive the buffer's vfree), its transfers are never
 * completed; the host's sections go with the buffer.
 */
void nv_lend_forget(struct nv_chan *c)
{
	del_timer_sync(&c->lend_timer);
	u64_stats_update_begin(&c->syncp);
	c->st[NV_ST_rx_lent_now] = 0;
	u64_stats_update_end(&c->syncp);
	c->lend_pg_head = 0;
	c->lend_pg_count = 0;
	c->lend_x_head = 0;
	c->lend_x_count = 0;
	c->lend_seen = 0;
	c->lend_wait = 1;
}

/* A transfer-page packet: returns the work it was (ranges taken). */
static int nv_rx_xfer(struct nv_chan *c, const struct enl_vmbus_pkt *pkt)
{
	struct nv_dev *nd = c->nd;
	struct enl_vmtransfer_page_packet_header h;
	struct enl_nvsp_message m = {};
	struct nv_rsc rsc = {};
	u32 hdr_len = pkt->desc_len - pkt->len, i, n;
	u32 status = ENL_NVSP_STAT_SUCCESS;

	/* Pairs with nv_recv_buf(): the size and page table come with it. */
	if (hdr_len < sizeof(h) || !smp_load_acquire(&nd->recv_sections))
		goto bad;
	memcpy(&h, pkt->desc, sizeof(h));
	n = h.range_cnt;
	if (h.xfer_pageset_id != ENL_NVSP_RECV_BUFFER_ID || !n ||
	    n > (hdr_len - sizeof(h)) / sizeof(struct enl_vmtransfer_page_range))
		goto bad;
	memcpy(&m, pkt->data, min_t(u32, pkt->len, sizeof(m)));
	if (pkt->len < sizeof(m.hdr) + sizeof(m.msg.rndis) ||
	    m.hdr.msg_type != ENL_NVSP_MSG1_SEND_RNDIS_PKT)
		goto bad;
	rsc.lend_ok = nv_lend_begin(c);
	for (i = 0; i < n; i++) {
		struct enl_vmtransfer_page_range r;

		memcpy(&r, (const u8 *)pkt->desc + sizeof(h) + i * sizeof(r),
		       sizeof(r));
		if (!nv_rx_range(c, &rsc, r.byte_offset, r.byte_count)) {
			nv_rsc_drop(&rsc);
			nv_count(c, NV_ST_rx_malformed, 1);
			nv_warn_rl(nd->ndev, "queue %u: bad receive range %u+%u dropped\n",
						c->index, r.byte_offset,
						r.byte_count);
			status = ENL_NVSP_STAT_FAIL;
		}
	}
	/* A coalesced packet must end in the transfer that began it. */
	if (rsc.skb) {
		nv_count(c, NV_ST_rx_malformed, 1);
		nv_warn_rl(nd->ndev, "queue %u: coalesced packet without its last fragment\n",
					c->index);
		status = ENL_NVSP_STAT_FAIL;
	}
	nv_rsc_drop(&rsc);
	if (rsc.lent) {
		struct nv_lent *x = &c->lend_x[(c->lend_x_head + c->lend_x_count) &
					       (NV_LEND_XFERS - 1)];

		/* Completed once the stack gave back what it lent. */
		x->tid = pkt->trans_id;
		x->status = status;
		x->pages = rsc.lent;
		c->lend_x_count++;
		nv_count(c, NV_ST_rx_lend_held, 1);
		return n;
	}
	nv_complete_xfer(c, pkt->trans_id, status);
	return n;
bad:
	nv_count(c, NV_ST_rx_bad_xfer, 1);
	nv_warn_rl(nd->ndev, "queue %u: malformed transfer packet\n",
				c->index);
	/* Still give the host its sections back, if it named any. */
	nv_complete_xfer(c, pkt->trans_id, ENL_NVSP_STAT_FAIL);
	return 1;
}

static void nv_take_comp(struct nv_chan *c, const struct enl_vmbus_pkt *pkt)
{
	struct nv_dev *nd = c->nd;
	void *ctx;

	/* Unknown, duplicate and stale ids: NULL, counted by enl_vmbus too. */
	ctx = enl_vmbus_request_complete(c->ch, pkt->trans_id);
	if (!ctx) {
		nv_count(c, NV_ST_bad_completions, 1);
		return;
	}
	switch (*(enum nv_ctx_kind *)ctx) {
	case NV_CTX_TX:
		nv_tx_done(c, ctx, pkt->data, pkt->len);
		break;
	case NV_CTX_NVSP:
		nv_nvsp_ctl_done(nd, pkt->data, pkt->len);
		break;
	case NV_CTX_RNDIS:
		nv_rndis_sent(nd);
		break;
	}
}

static int nv_take(struct nv_chan *c, const struct enl_vmbus_pkt *pkt)
{
	switch (pkt->type) {
	case ENL_VMPKT_COMP:
		nv_take_comp(c, pkt);
		return 1;
	case ENL_VMPKT_DATA_USING_XFER_PAGES:
		return nv_rx_xfer(c, pkt);
	case ENL_VMPKT_DATA_INBAND:
		nv_nvsp_inband(c, pkt);
		return 1;
	default:
		nv_count(c, NV_ST_rx_bad_xfer, 1);
		nv_warn_rl(c->nd->ndev, "queue %u: packet of type %u dropped\n",
			   c->index, pkt->type);
		return 1;
	}
}

int nv_poll(struct napi_struct *napi, int budget)
{
	struct nv_chan *c = container_of(napi, struct nv_chan, napi);
	struct enl_vmbus_pkt pkt;
	bool again, done;
	int work = 0;

	if (c->lend_x_count && nv_lend_reclaim(c))
		c->lend_wait = 1;
	if (nv_comp_flush(c) && !enl_vmbus_read_begin(c->ch)) {
		while (work < budget && !enl_vmbus_read_next(c->ch, &pkt)) {
			work += nv_take(c, &pkt);
			/* No new transfer while completions wait for room. */
			if (c->comp_count)
				break;
		}
		enl_vmbus_read_end(c->ch);
	}
	again = nv_tx_poll(c);
	if (work >= budget || again) {
		enl_vmbus_signal_owed(c->ch);
		return budget;
	}
	done = napi_complete_done(napi, work);
	enl_vmbus_signal_owed(c->ch);
	if (!done)
		return work;
	/* Unmasked, a packet that came meanwhile raised no interrupt. */
	if (enl_vmbus_intr_unmask(c->ch) && napi_schedule_prep(napi)) {
		enl_vmbus_intr_mask(c->ch);
		__napi_schedule(napi);
	} else if (c->lend_x_count && !timer_pending(&c->lend_timer)) {
		/*
		 * The host waits for those sections: look again soon, and
		 * less often while a reader leaves them unread (the wait
		 * doubles up to NV_LEND_WAIT_MAX, back to one jiffy on
		 * traffic or a page back).
		 */
		if (work)
			c->lend_wait = 1;
		mod_timer(&c->lend_timer, jiffies + max(c->lend_wait, 1u));
		c->lend_wait = min(c->lend_wait * 2, (u32)NV_LEND_WAIT_MAX);
	}
	return work;
}
