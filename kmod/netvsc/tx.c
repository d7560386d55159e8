// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_netvsc transmit path. Each frame gets an RNDIS data header with its
 * per-packet infos (checksum or LSOv2, VLAN tag). A frame that fits a
 * send-buffer section is copied there, behind the others of the current
 * batch (up to the host's messages per send), and the skb is freed at
 * once; the batch goes out as one SEND_RNDIS_PKT when the stack has no
 * more for now (xmit_more), so the host is signalled once per batch. A
 * larger frame is sent in place as GPA-direct page ranges: the RNDIS
 * header in the skb's headroom, then the linear part and the frags.
 * Completions come back through the requestor table to the channel's
 * NAPI poll, which frees sections and skbs and wakes the queue.
 */
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>
#include "netvsc.h"

/* Room the poll asks the ring for: the largest packet we send. */
#define NV_ROOM		(sizeof(struct enl_vmdata_gpa_direct) + \
			 NV_TX_MAX_PAGES * sizeof(struct enl_gpa_page_range) + \
			 sizeof(struct enl_nvsp_message))

int nv_tx_init(struct nv_chan *c, u32 first, u32 count)
{
	u32 i;

	c->txd = kvcalloc(NV_TX_DESCS, sizeof(*c->txd), GFP_KERNEL);
	c->sec_busy = bitmap_zalloc(max_t(u32, count, 1), GFP_KERNEL);
	if (!c->txd || !c->sec_busy) {
		nv_tx_free(c);
		return -ENOMEM;
	}
	c->txd_free = NULL;
	for (i = NV_TX_DESCS; i-- > 0;) {
		c->txd[i].kind = NV_CTX_TX;
		c->txd[i].next_free = c->txd_free;
		c->txd_free = &c->txd[i];
	}
	c->txd_used = 0;
	c->sec_first = first;
	c->sec_count = count;
	c->batch_sec = ENL_NVSP_NO_SECTION;
	c->batch_len = 0;
	c->batch_pkts = 0;
	c->batch_bytes = 0;
	c->ring_full = false;
	return 0;
}

/* After the channel closed: what the host never completed is ours. */
void nv_tx_free(struct nv_chan *c)
{
	u32 i;

	if (c->txd) {
		for (i = 0; i < NV_TX_DESCS; i++)
			dev_kfree_skb_any(c->txd[i].skb);
	}
	kvfree(c->txd);
	bitmap_free(c->sec_busy);
	c->txd = NULL;
	c->txd_free = NULL;
	c->sec_busy = NULL;
	c->sec_count = 0;
	c->batch_sec = ENL_NVSP_NO_SECTION;
}

static struct nv_txd *nv_txd_get(struct nv_chan *c)
{
	struct nv_txd *d;

	spin_lock_bh(&c->lock);
	d = c->txd_free;
	if (d) {
		c->txd_free = d->next_free;
		c->txd_used++;
	}
	spin_unlock_bh(&c->lock);
	if (d) {
		d->skb = NULL;
		d->section = ENL_NVSP_NO_SECTION;
		d->pkts = 0;
		d->bytes = 0;
	}
	return d;
}

static void nv_txd_put(struct nv_chan *c, struct nv_txd *d)
{
	spin_lock_bh(&c->lock);
	if (d->section != ENL_NVSP_NO_SECTION)
		clear_bit(d->section - c->sec_first, c->sec_busy);
	d->skb = NULL;
	d->next_free = c->txd_free;
	c->txd_free = d;
	c->txd_used--;
	spin_unlock_bh(&c->lock);
}

/* A free section of this channel's share, or ENL_NVSP_NO_SECTION. */
static u32 nv_sec_get(struct nv_chan *c)
{
	u32 s;

	spin_lock_bh(&c->lock);
	s = find_first_zero_bit(c->sec_busy, c->sec_count);
	if (s < c->sec_count)
		set_bit(s, c->sec_busy);
	spin_unlock_bh(&c->lock);
	return s < c->sec_count ? c->sec_first + s : ENL_NVSP_NO_SECTION;
}

/* Resources for one more send: a descriptor, and a section if we batch. */
static bool nv_tx_room(struct nv_chan *c)
{
	bool ok;

	spin_lock_bh(&c->lock);
	ok = c->txd_free && (!c->sec_count || c->batch_sec != ENL_NVSP_NO_SECTION ||
			     find_first_zero_bit(c->sec_busy, c->sec_count) <
			     c->sec_count);
	spin_unlock_bh(&c->lock);
	return ok;
}

/* Stop the queue; undo it at once if resources came back meanwhile. */
static void nv_tx_stop(struct nv_chan *c, struct netdev_queue *txq)
{
	netif_tx_stop_queue(txq);
	nv_count(c, NV_ST_tx_stopped, 1);
	smp_mb(); /* the poll frees, then tests stopped: see nv_tx_poll */
	if (!c->ring_full && nv_tx_room(c))
		netif_tx_start_queue(txq);
}

/* The ring is full: stop, and have the host signal when there is room. */
static void nv_tx_ring_full(struct nv_chan *c, struct netdev_queue *txq)
{
	c->ring_full = true;
	netif_tx_stop_queue(txq);
	nv_count(c, NV_ST_tx_stopped, 1);
	enl_vmbus_want_send_room(c->ch, NV_ROOM);
	/* The poll retries (and asks again) whether or not it fits now. */
	napi_schedule(&c->napi);
}

/*
 * Send the batch in the current section. 0 (also when there is none),
 * -EAGAIN/-EBUSY (ring or descriptors full: the batch stays), or the
 * channel is gone and the batch was dropped.
 */
static int nv_flush(struct nv_chan *c, struct netdev_queue *txq)
{
	struct enl_nvsp_message m = {};
	struct nv_txd *d;
	int ret;

	if (c->batch_sec == ENL_NVSP_NO_SECTION)
		return 0;
	d = nv_txd_get(c);
	if (!d)
		return -EBUSY;
	d->section = c->batch_sec;
	d->pkts = c->batch_pkts;
	d->bytes = c->batch_bytes;
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT;
	m.msg.rndis.channel_type = ENL_NVSP_CHANNEL_DATA;
	m.msg.rndis.section_index = c->batch_sec;
	m.msg.rndis.section_size = c->batch_len;
	ret = enl_vmbus_send_request(c->ch, &m, sizeof(m), d);
	if (ret == -EAGAIN || ret == -EBUSY) {
		d->section = ENL_NVSP_NO_SECTION;
		nv_txd_put(c, d);
		return ret;
	}
	if (ret) {
		/* The channel is gone: so is the batch. */
		nv_count(c, NV_ST_tx_dropped, c->batch_pkts);
		netdev_tx_completed_queue(txq, c->batch_pkts, c->batch_bytes);
		nv_txd_put(c, d);
	} else {
		nv_count(c, NV_ST_tx_batches, 1);
	}
	c->batch_sec = ENL_NVSP_NO_SECTION;
	c->batch_len = 0;
	c->batch_pkts = 0;
	c->batch_bytes = 0;
	return 0;
}

/*
 * Send the batch; when it cannot go yet, stop the queue until the host
 * makes ring room (-EAGAIN) or a send descriptor comes back (-EBUSY).
 */
static int nv_flush_or_stop(struct nv_chan *c, struct netdev_queue *txq)
{
	int ret = nv_flush(c, txq);

	if (ret == -EAGAIN)
		nv_tx_ring_full(c, txq);
	else if (ret)
		nv_tx_stop(c, txq);
	return ret;
}

static u8 *nv_put_ppi(u8 *p, u32 type, u32 v)
{
	struct enl_rndis_ppi e = {
		.size = ENL_RNDIS_PPI_U32_SIZE,
		.type = type,
		.ppi_offset = sizeof(e),
	};

	memcpy(p, &e, sizeof(e));
	memcpy(p + sizeof(e), &v, sizeof(v));
	return p + ENL_RNDIS_PPI_U32_SIZE;
}

/* LSOv2 wants the headers as Windows leaves them: no lengths, no sums. */
static int nv_prep_lso(struct sk_buff *skb, u32 *v)
{
	u32 l4 = skb_transport_offset(skb);
	bool v6 = skb_shinfo(skb)->gso_type & SKB_GSO_TCPV6;
	int ret;

	if (!(skb_shinfo(skb)->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) ||
	    l4 > ENL_LSO_L4_OFFSET_MASK)
		return -EINVAL;
	ret = skb_cow_head(skb, 0);
	if (ret)
		return ret;
	if (v6) {
		struct ipv6hdr *ip6 = ipv6_hdr(skb);

		ip6->payload_len = 0;
		tcp_hdr(skb)->check = ~tcp_v6_check(0, &ip6->saddr,
						    &ip6->daddr, 0);
	} else {
		struct iphdr *ip = ip_hdr(skb);

		ip->tot_len = 0;
		ip->check = 0;
		tcp_hdr(skb)->check = ~csum_tcpudp_magic(ip->saddr, ip->daddr,
							 0, IPPROTO_TCP, 0);
	}
	*v = ENL_LSO_TYPE_V2 | (v6 ? ENL_LSO_IPV6 : 0) |
	     l4 << ENL_LSO_L4_OFFSET_SHIFT |
	     (skb_shinfo(skb)->gso_size & ENL_LSO_MSS_MASK);
	return 0;
}

/* The checksum info for a partial checksum, or 0: finish it here. */
static u32 nv_csum_info(struct nv_dev *nd, struct sk_buff *skb)
{
	u32 l4 = skb_transport_offset(skb), mask = nd->tx_csum_mask;
	__be16 proto = vlan_get_protocol(skb);
	u8 ipproto;

	if (l4 > ENL_CSUM_TX_L4_OFFSET_MASK)
		return 0;
	if (proto == htons(ETH_P_IP)) {
		ipproto = ip_hdr(skb)->protocol;
		if (ipproto == IPPROTO_TCP && (mask & NV_TXCSUM_TCP4))
			return ENL_CSUM_TX_IPV4 | ENL_CSUM_TX_TCP |
			       l4 << ENL_CSUM_TX_L4_OFFSET_SHIFT;
		if (ipproto == IPPROTO_UDP && (mask & NV_TXCSUM_UDP4))
			return ENL_CSUM_TX_IPV4 | ENL_CSUM_TX_UDP |
			       l4 << ENL_CSUM_TX_L4_OFFSET_SHIFT;
	} else if (proto == htons(ETH_P_IPV6)) {
		/* With extension headers nexthdr is not TCP: done here. */
		ipproto = ipv6_hdr(skb)->nexthdr;
		if (ipproto == IPPROTO_TCP && (mask & NV_TXCSUM_TCP6))
			return ENL_CSUM_TX_IPV6 | ENL_CSUM_TX_TCP |
			       l4 << ENL_CSUM_TX_L4_OFFSET_SHIFT;
		if (ipproto == IPPROTO_UDP && (mask & NV_TXCSUM_UDP6))
			return ENL_CSUM_TX_IPV6 | ENL_CSUM_TX_UDP |
			       l4 << ENL_CSUM_TX_L4_OFFSET_SHIFT;
	}
	return 0;
}

/* The RNDIS header of skb into hdr; its length, or -errno (drop). */
static int nv_build_hdr(struct nv_chan *c, struct sk_buff *skb, u8 *hdr)
{
	struct enl_rndis_hdr *h = (void *)hdr;
	struct enl_rndis_packet *rp = (void *)(h + 1);
	u8 *ppi = (u8 *)(rp + 1), *at = ppi;
	u32 v;
	int ret;

	memset(hdr, 0, NV_TX_HDR_MAX);
	if (skb_vlan_tag_present(skb)) {
		u16 tci = skb_vlan_tag_get(skb);

		v = (tci & VLAN_PRIO_MASK) >> VLAN_PRIO_SHIFT |
		    (tci & VLAN_CFI_MASK ? ENL_VLAN_CFI : 0) |
		    (u32)(tci & VLAN_VID_MASK) << ENL_VLAN_ID_SHIFT;
		at = nv_put_ppi(at, ENL_PPI_IEEE_8021Q, v);
	}
	if (skb_is_gso(skb)) {
		ret = nv_prep_lso(skb, &v);
		if (ret)
			return ret;
		at = nv_put_ppi(at, ENL_PPI_TCP_LARGESEND, v);
		nv_count(c, NV_ST_tx_tso, 1);
	} else if (skb->ip_summed == CHECKSUM_PARTIAL) {
		v = nv_csum_info(c->nd, skb);
		if (v) {
			at = nv_put_ppi(at, ENL_PPI_TCPIP_CHECKSUM, v);
			nv_count(c, NV_ST_tx_csum, 1);
		} else {
			ret = skb_checksum_help(skb);
			if (ret)
				return ret;
		}
	}
	rp->data_offset = at - (u8 *)rp;
	rp->data_len = skb->len;
	if (at != ppi) {
		rp->ppi_offset = sizeof(*rp);
		rp->ppi_len = at - ppi;
	}
	h->type = ENL_RNDIS_MSG_PACKET;
	h->len = (at - hdr) + skb->len;
	return at - hdr;
}

/* Page ranges of len bytes from addr (linear kernel memory). */
static int nv_map(struct enl_gpa_page_range *r, int n, unsigned long pfn,
		  u32 off, u32 len)
{
	while (len) {
		u32 o = offset_in_page(off), k = min_t(u32, len, PAGE_SIZE - o);

		if (n >= NV_TX_MAX_PAGES)
			return -E2BIG;
		r[n].pfn = pfn + (off >> PAGE_SHIFT);
		r[n].byte_offset = o;
		r[n].byte_count = k;
		n++;
		off += k;
		len -= k;
	}
	return n;
}

/* The header (hlen bytes in the headroom) and all of skb as pages. */
static int nv_map_skb(struct sk_buff *skb, u32 hlen,
		      struct enl_gpa_page_range *r)
{
	u8 *start = skb->data - hlen;
	unsigned int i;
	int n;

	n = nv_map(r, 0, page_to_pfn(virt_to_page(start)),
		   offset_in_page(start), hlen + skb_headlen(skb));
	for (i = 0; n >= 0 && i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *f = &skb_shinfo(skb)->frags[i];

		n = nv_map(r, n, page_to_pfn(skb_frag_page(f)), skb_frag_off(f),
			   skb_frag_size(f));
	}
	return n;
}

static void nv_drop(struct nv_chan *c, struct sk_buff *skb)
{
	nv_count(c, NV_ST_tx_dropped, 1);
	dev_kfree_skb_any(skb);
}

/* Copy skb behind the batch; false if it must go as pages. */
static netdev_tx_t nv_xmit_copy(struct nv_chan *c, struct netdev_queue *txq,
				struct sk_buff *skb, const u8 *hdr, u32 hlen)
{
	struct nv_dev *nd = c->nd;
	u32 total = hlen + skb->len, start;
	u8 *dst;

	if (c->batch_sec != ENL_NVSP_NO_SECTION) {
		start = ALIGN(c->batch_len, nd->pkt_align);
		if (c->batch_pkts >= nd->max_pkt_per_msg ||
		    start + total > nd->send_section_size) {
			if (nv_flush_or_stop(c, txq))
				return NETDEV_TX_BUSY;
		}
	}
	if (c->batch_sec == ENL_NVSP_NO_SECTION) {
		c->batch_sec = nv_sec_get(c);
		if (c->batch_sec == ENL_NVSP_NO_SECTION) {
			nv_tx_stop(c, txq);
			return NETDEV_TX_BUSY;
		}
		c->batch_len = 0;
	}
	start = ALIGN(c->batch_len, nd->pkt_align);
	dst = (u8 *)nd->send_buf + (size_t)c->batch_sec * nd->send_section_size +
	      start;
	memcpy(dst, hdr, hlen);
	skb_copy_bits(skb, 0, dst + hlen, skb->len);
	c->batch_len = start + total;
	c->batch_pkts++;
	c->batch_bytes += skb->len;
	netdev_tx_sent_queue(txq, skb->len);
	nv_count(c, NV_ST_tx_copied, 1);
	if (!netdev_xmit_more() || c->batch_pkts >= nd->max_pkt_per_msg ||
	    netif_xmit_stopped(txq))
		nv_flush_or_stop(c, txq);
	/*
	 * Freed after the doorbell: the skb's release (socket accounting,
	 * write-space wakeups) costs tens of microseconds under TCG that a
	 * reply waiting for the host need not wait for.
	 */
	dev_consume_skb_any(skb);
	return NETDEV_TX_OK;
}

static netdev_tx_t nv_xmit_gpa(struct nv_chan *c, struct netdev_queue *txq,
			       struct sk_buff *skb, const u8 *hdr, u32 hlen)
{
	struct enl_gpa_page_range r[NV_TX_MAX_PAGES];
	struct enl_nvsp_message m = {};
	struct nv_txd *d;
	u32 len = skb->len;
	int n, ret;

	/* In order: what was batched before goes first. */
	if (nv_flush_or_stop(c, txq))
		return NETDEV_TX_BUSY;
	if (skb_cow_head(skb, hlen)) {
		nv_drop(c, skb);
		return NETDEV_TX_OK;
	}
	n = nv_map_skb(skb, hlen, r);
	if (n < 0) {
		/* Too scattered for one packet: make it one piece. */
		nv_count(c, NV_ST_tx_linearized, 1);
		if (skb_linearize(skb) || skb_cow_head(skb, hlen)) {
			nv_drop(c, skb);
			return NETDEV_TX_OK;
		}
		n = nv_map_skb(skb, hlen, r);
		if (n < 0) {
			nv_drop(c, skb);
			return NETDEV_TX_OK;
		}
	}
	memcpy(skb->data - hlen, hdr, hlen);
	d = nv_txd_get(c);
	if (!d) {
		nv_tx_stop(c, txq);
		return NETDEV_TX_BUSY;
	}
	d->skb = skb;
	d->pkts = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
	d->bytes = len;
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT;
	m.msg.rndis.channel_type = ENL_NVSP_CHANNEL_DATA;
	m.msg.rndis.section_index = ENL_NVSP_NO_SECTION;
	/* Before the send: the completion may come before it returns. */
	netdev_tx_sent_queue(txq, len);
	ret = enl_vmbus_send_gpa_request(c->ch, (struct enl_gpa_range *)r,
					 n * sizeof(r[0]), n, &m, sizeof(m), d);
	if (!ret) {
		nv_count(c, NV_ST_tx_gpa, 1);
		return NETDEV_TX_OK;
	}
	d->skb = NULL;
	nv_txd_put(c, d);
	netdev_tx_completed_queue(txq, 0, len);
	if (ret == -EAGAIN || ret == -EBUSY) {
		nv_tx_ring_full(c, txq);
		return NETDEV_TX_BUSY;
	}
	nv_drop(c, skb);
	return NETDEV_TX_OK;
}

netdev_tx_t nv_start_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct nv_dev *nd = netdev_priv(ndev);
	u16 q = skb_get_queue_mapping(skb);
	struct netdev_queue *txq = netdev_get_tx_queue(ndev, q);
	struct nv_chan *c = &nd->chan[q];
	u8 hdr[NV_TX_HDR_MAX];
	int hlen;

	if (unlikely(!READ_ONCE(nd->attached) || q >= nd->nr_chan)) {
		nv_drop(c, skb);
		return NETDEV_TX_OK;
	}
	hlen = nv_build_hdr(c, skb, hdr);
	if (hlen < 0) {
		nv_drop(c, skb);
		return NETDEV_TX_OK;
	}
	if (c->sec_count && hlen + skb->len <= nd->send_section_size)
		return nv_xmit_copy(c, txq, skb, hdr, hlen);
	return nv_xmit_gpa(c, txq, skb, hdr, hlen);
}

/* The host took a send (NAPI of its channel). */
void nv_tx_done(struct nv_chan *c, struct nv_txd *d, const void *data,
		u32 len)
{
	struct netdev_queue *txq = netdev_get_tx_queue(c->nd->ndev, c->index);
	struct enl_nvsp_message m = {};

	memcpy(&m, data, min_t(u32, len, sizeof(m)));
	if (len < sizeof(m.hdr) + sizeof(m.msg.rndis_complete) ||
	    m.hdr.msg_type != ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE) {
		nv_count(c, NV_ST_bad_completions, 1);
		nv_warn_rl(c->nd->ndev, "queue %u: send completion of type %u, %u bytes, not understood\n",
			   c->index, m.hdr.msg_type, len);
	} else if (m.msg.rndis_complete.status != ENL_NVSP_STAT_SUCCESS)
		nv_count(c, NV_ST_tx_host_failed, d->pkts);
	u64_stats_update_begin(&c->syncp);
	c->st[NV_ST_tx_packets] += d->pkts;
	c->st[NV_ST_tx_bytes] += d->bytes;
	u64_stats_update_end(&c->syncp);
	netdev_tx_completed_queue(txq, d->pkts, d->bytes);
	if (d->skb)
		napi_consume_skb(d->skb, 1);
	nv_txd_put(c, d);
}

/*
 * End of a poll: flush a batch left behind by a full ring, wake the
 * queue when it can send again, and ask the host for ring room while a
 * send or a receive completion waits for it. True: poll again now.
 */
bool nv_tx_poll(struct nv_chan *c)
{
	struct nv_dev *nd = c->nd;
	struct netdev_queue *txq;
	bool need, fits = false;

	if (c->index >= nd->ndev->num_tx_queues || !c->txd)
		return false;
	txq = netdev_get_tx_queue(nd->ndev, c->index);
	__netif_tx_lock(txq, smp_processor_id());
	if (netif_tx_queue_stopped(txq) && READ_ONCE(nd->attached)) {
		int ret = nv_flush(c, txq);

		if (ret != -EAGAIN)
			c->ring_full = false;
		if (!c->ring_full && nv_tx_room(c))
			netif_tx_wake_queue(txq);
	}
	need = c->comp_count || c->ring_full;
	if (need)
		fits = enl_vmbus_want_send_room(c->ch, NV_ROOM);
	else if (c->want_room)
		enl_vmbus_want_send_room(c->ch, 0);
	c->want_room = need;
	__netif_tx_unlock(txq);
	return need && fits;
}

u16 nv_select_queue(struct net_device *ndev, struct sk_buff *skb,
		    struct net_device *sb_dev)
{
	struct nv_dev *nd = netdev_priv(ndev);
	unsigned int n = ndev->real_num_tx_queues;
	u32 hash, q;

	if (n <= 1)
		return 0;
	/*
	 * An XPS map the administrator set, by CPU or by receive queue,
	 * wins over the host's table.
	 */
	if (rcu_access_pointer(ndev->xps_maps[XPS_CPUS]) ||
	    rcu_access_pointer(ndev->xps_maps[XPS_RXQS]))
		return netdev_pick_tx(ndev, skb, sb_dev);
	hash = skb_get_hash(skb);
	q = READ_ONCE(nd->tx_table[hash & (ENL_NVSP_SEND_TABLE_SIZE - 1)]);
	if (q >= n)
		q = reciprocal_scale(hash, n);
	return q;
}
