/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl_netvsc: state shared by the driver's files. main.c binds the device
 * and owns the net_device and its attach/detach cycle, nvsp.c the NVSP
 * handshake and buffers, rndis.c RNDIS control and status indications,
 * rx.c the NAPI receive path, tx.c the transmit path, netdev.c the
 * net_device_ops, ethtool.c the ethtool_ops and counters.
 */
#ifndef _ENL_NETVSC_H
#define _ENL_NETVSC_H

#include <linux/completion.h>
#include <linux/etherdevice.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/page_pool.h>
#include <enlighten/nvsp.h>
#include <enlighten/rndis.h>
#include "enl_vmbus.h"

/* Ring data area per direction and channel. */
#define NV_RING_SIZE		(256 * 1024)
/* Receive buffer (NVSP 2 and older hosts take at most 15 MiB). */
#define NV_RECV_BUF_SIZE	(16u << 20)
#define NV_RECV_BUF_LEGACY	(15u << 20)
#define NV_SEND_BUF_SIZE	(1u << 20)
/*
 * ethtool -G bounds: sections of each buffer, buffer sizes. Each buffer is
 * one GPADL (ENL_VMBUS_GPADL_MAX_PAGES: 32 MiB does not fit, 31 MiB does).
 */
#define NV_RECV_SECTIONS_MIN	64
#define NV_SEND_SECTIONS_MIN	(2 * NV_MAX_QUEUES)
#define NV_RECV_BUF_MAX		(31u << 20)
#define NV_SEND_BUF_MAX		(16u << 20)
static_assert(NV_RECV_BUF_MAX / ENL_HV_PAGE_SIZE <= ENL_VMBUS_GPADL_MAX_PAGES);
static_assert(NV_SEND_BUF_MAX / ENL_HV_PAGE_SIZE <= ENL_VMBUS_GPADL_MAX_PAGES);
/* Channels (queues) one NIC uses at most. */
#define NV_MAX_QUEUES		8
/*
 * The least a send queue's byte queue limit (BQL) goes down to. The host
 * takes a busy ring's packets every 200 us rather than on each signal,
 * and completes them together: BQL, seeing the queue never run dry
 * between such bursts, shrank its limit to 8 KiB, so UDP waited on
 * completions (the guest 11% idle, 0.17 Gbit/s; 0.27 with this floor).
 * 256 KiB is 200 us at the 10 Gbit/s link speed the host reports.
 */
#define NV_BQL_MIN		(256 * 1024)
/* Send descriptors (packets at the host) per channel. */
#define NV_TX_DESCS		512
/* How long a control step may take under TCG. */
#define NV_CTL_TIMEOUT_MS	10000
#define NV_SUB_TIMEOUT_MS	10000
/* Page ranges of one GPA-direct send; more and the skb is linearized. */
#define NV_TX_MAX_PAGES		32
/* RNDIS header, packet and at most three per-packet infos. */
#define NV_TX_HDR_MAX		(sizeof(struct enl_rndis_hdr) + \
				 sizeof(struct enl_rndis_packet) + \
				 3 * ENL_RNDIS_PPI_U32_SIZE)
/* Largest MTU this driver offers, whatever the host allows. */
#define NV_MAX_MTU		9000
/* RNDIS control messages we send or take (queries, sets, answers). */
#define NV_CTL_MSG_MAX		1024
/* RSS indirection table entries we set. */
#define NV_ITAB_SIZE		128
/*
 * Largest packet the host may coalesce (RSC): an IP packet of 64 KiB
 * (plus the IPv6 header, which its payload length does not count)
 * behind an Ethernet header and a VLAN tag.
 */
#define NV_RSC_MAX		(ETH_HLEN + VLAN_HLEN + 40 + 65535)
/* Receive completions that may wait for ring room, per channel. */
#define NV_COMP_MAX		2048
/* Bytes of a coalesced packet's first fragment copied into its linear part. */
#define NV_RX_HEAD		256
/* Freed receive pages a channel's pool keeps for reuse. */
#define NV_RX_POOL_PAGES	1024
/*
 * Receive-buffer pages a channel may have lent to the stack at once (a
 * power of two; at most half the buffer's pages over all channels, so
 * the host keeps sections to fill: with three quarters, 2 vCPUs and 4
 * streams it ran out 1693 times in a minute, each a wait of 1 ms or
 * more), the transfers waiting for theirs (a power of two), and the
 * smallest piece of a page worth lending rather than copying.
 */
#define NV_LEND_PAGES		4096
#define NV_LEND_XFERS		512
#define NV_LEND_MIN		256
/* Longest wait between looks for lent pages while nothing comes. */
#define NV_LEND_WAIT_MAX	(HZ / 4)

/* What a request id's context is (the first member of each). */
enum nv_ctx_kind {
	NV_CTX_TX = 1,		/* a data send: struct nv_txd */
	NV_CTX_NVSP,		/* an NVSP step waiting for its answer */
	NV_CTX_RNDIS,		/* the RNDIS control message at the host */
};

/* One data send the host holds. */
struct nv_txd {
	enum nv_ctx_kind kind;
	struct nv_txd *next_free;
	struct sk_buff *skb;	/* GPA-direct: its pages; NULL when copied */
	u32 section;		/* send section, ENL_NVSP_NO_SECTION if none */
	u32 pkts, bytes;	/* for BQL and the counters */
};

/* Counters of one channel; their names in ethtool.c, in this order. */
enum {
	NV_ST_rx_packets,
	NV_ST_rx_bytes,
	NV_ST_rx_csum_ok,
	NV_ST_rx_dropped_nomem,
	NV_ST_rx_malformed,
	NV_ST_rx_bad_xfer,
	NV_ST_rx_comp_deferred,
	NV_ST_rx_rsc_packets,
	NV_ST_rx_rsc_frags,
	NV_ST_rx_pages,
	NV_ST_rx_pages_new,
	NV_ST_rx_lent,
	NV_ST_rx_lend_capped,
	NV_ST_rx_lend_held,
	NV_ST_rx_lent_now,
	NV_ST_tx_packets,
	NV_ST_tx_bytes,
	NV_ST_tx_copied,
	NV_ST_tx_gpa,
	NV_ST_tx_batches,
	NV_ST_tx_tso,
	NV_ST_tx_csum,
	NV_ST_tx_linearized,
	NV_ST_tx_dropped,
	NV_ST_tx_stopped,
	NV_ST_tx_host_failed,
	NV_ST_bad_completions,
	NV_ST_unsolicited,
	NV_ST_COUNT
};

/* A receive completion waiting for ring room. */
struct nv_comp {
	u64 tid;
	u32 status;
};

/* A transfer whose completion waits for the pages it lent to come back. */
struct nv_lent {
	u64 tid;
	u32 status;
	u32 pages;		/* its entries in the channel's lend_pg */
};

struct nv_dev;

struct nv_chan {
	struct nv_dev *nd;
	struct enl_vmbus_channel *ch;
	unsigned int index;
	bool open;
	bool rescinded;			/* by the host: its sends never complete */
	struct napi_struct napi;
	/*
	 * Pages of coalesced packets (NAPI only): the stack gives them back
	 * when it frees the skbs, so they are not zeroed and allocated anew.
	 */
	struct page_pool *pool;
	u32 pool_seen;			/* its pages_state_hold_cnt counted */

	/* Transmit: taken under the queue's xmit lock, or lock for frees. */
	spinlock_t lock;		/* free lists below */
	struct nv_txd *txd;		/* NV_TX_DESCS of them */
	struct nv_txd *txd_free;
	u32 txd_used;
	u32 sec_first, sec_count;	/* this channel's send sections */
	unsigned long *sec_busy;	/* bitmap, sec_count bits */
	/* The batch being filled in a send section (xmit lock). */
	u32 batch_sec;			/* ENL_NVSP_NO_SECTION: none */
	u32 batch_len, batch_pkts, batch_bytes;
	bool ring_full;			/* stopped until the ring has room */
	bool want_room;			/* we asked the host to tell us */

	/* Receive completions the ring had no room for (NAPI only). */
	struct nv_comp *comp;		/* NV_COMP_MAX of them */
	u32 comp_head, comp_count;

	/*
	 * Receive-buffer pages lent to the stack as skb fragments (NAPI
	 * only): their indices in lending order, and the transfers that
	 * lent them, oldest first. A transfer is completed (its sections
	 * go back to the host) once the stack dropped every page it lent;
	 * the timer looks again while some are out and no packet comes.
	 */
	u32 *lend_pg;			/* NV_LEND_PAGES of them */
	u32 lend_pg_head, lend_pg_count;
	struct nv_lent *lend_x;		/* NV_LEND_XFERS of them */
	u32 lend_x_head, lend_x_count;
	u32 lend_seen;			/* pages of the oldest seen back */
	u32 lend_max;			/* pages this channel may lend */
	u32 lend_wait;			/* jiffies the timer waits next */
	struct timer_list lend_timer;

	struct u64_stats_sync syncp;
	u64 st[NV_ST_COUNT];
};

/* The one NVSP step in flight (INIT, buffers, sub-channels). */
struct nv_nvsp_ctl {
	enum nv_ctx_kind kind;
	struct completion done;
	struct enl_nvsp_message resp;
	u32 resp_len;
	bool busy;
};

/* The one RNDIS control request in flight. */
struct nv_rndis_ctl {
	enum nv_ctx_kind kind;
	void *page;			/* the request: one page, sent as GPA */
	bool at_host;			/* its NVSP completion not yet back */
	wait_queue_head_t idle;		/* woken when at_host clears */
	u32 req_id;			/* the answer we wait for, 0: none */
	struct completion done;
	u8 resp[NV_CTL_MSG_MAX];
	u32 resp_len;
};

struct nv_dev {
	struct enl_vmbus_device *vdev;
	struct net_device *ndev;
	struct mutex lock;		/* attach/detach, control requests */
	bool attached;			/* channels open, RNDIS initialized */
	bool removing;
	bool gone;			/* rescinded: no more waiting for it */

	u32 nvsp_version;
	u32 ndis_version;
	/* Receive and send buffers, shared with the host as GPADLs. */
	void *recv_buf;
	struct page **recv_pages;	/* recv_buf's pages, NULL: no lending */
	u32 recv_size, recv_gpadl;
	u32 want_recv_size, want_send_size;	/* ethtool -G */
	u32 recv_section_size, recv_sections;
	void *send_buf;
	u32 send_size, send_gpadl;
	u32 send_section_size, send_sections;

	spinlock_t ctl_spin;		/* nctl and rctl state */
	struct nv_nvsp_ctl nctl;
	struct nv_rndis_ctl rctl;
	u32 next_req_id;
	u32 max_pkt_per_msg, pkt_align;

	struct enl_ndis_offload hwcaps;
	u32 tx_csum_mask;		/* NV_TXCSUM_* the host does */
	u32 gso_max;
	bool rsc_offered;		/* the host coalesces if asked (6.1) */
	bool rsc_off;			/* ethtool -K lro off */
	u8 perm_addr[ETH_ALEN];
	bool mac_set;			/* the user's MAC: set again on attach */
	u32 link_speed;			/* Mbit/s */
	bool link_up;
	u32 filter;			/* packet filter in force */

	/* Multi-queue */
	u32 max_chan;			/* the host's RSS queues, ours capped */
	u32 want_chan;			/* ethtool -L */
	u32 nr_chan;			/* open now */
	u32 stats_chan;			/* queues ethtool -S shows */
	u32 rx_table[NV_ITAB_SIZE];
	bool rx_table_set;		/* by ethtool -X: kept while valid */
	u8 rss_key[ENL_NDIS_RSS_KEY_SIZE];
	u32 tx_table[ENL_NVSP_SEND_TABLE_SIZE];

	struct work_struct rx_mode_work;
	struct work_struct link_work;
	struct work_struct reattach_work;	/* after a sub-channel rescind */
	atomic64_t malformed_ctl;	/* bad control messages from the host */
	atomic64_t indications;

	struct nv_chan chan[NV_MAX_QUEUES];
};

#define NV_TXCSUM_TCP4		0x1u
#define NV_TXCSUM_UDP4		0x2u
#define NV_TXCSUM_TCP6		0x4u
#define NV_TXCSUM_UDP6		0x8u

/* A warning about the host's input, at most a few per second. */
#define nv_warn_rl(ndev, fmt, ...)				\
	do {							\
		if (net_ratelimit())				\
			netdev_warn(ndev, fmt, ##__VA_ARGS__);	\
	} while (0)

static inline void nv_count(struct nv_chan *c, unsigned int i, u64 v)
{
	u64_stats_update_begin(&c->syncp);
	c->st[i] += v;
	u64_stats_update_end(&c->syncp);
}

/* A consistent copy of a channel's counters. */
static inline void nv_read_stats(struct nv_chan *c, u64 *out)
{
	unsigned int start, i;

	do {
		start = u64_stats_fetch_begin(&c->syncp);
		for (i = 0; i < NV_ST_COUNT; i++)
			out[i] = c->st[i];
	} while (u64_stats_fetch_retry(&c->syncp, start));
}

/* main.c */
int nv_attach(struct nv_dev *nd);
void nv_detach(struct nv_dev *nd);
int nv_reconfigure(struct nv_dev *nd, unsigned int mtu, unsigned int nchan,
		   u32 recv_size, u32 send_size);

/* nvsp.c */
int nv_nvsp_connect(struct nv_dev *nd);
void nv_nvsp_disconnect(struct nv_dev *nd);
int nv_nvsp_subchannels(struct nv_dev *nd, u32 n);
void nv_nvsp_ctl_done(struct nv_dev *nd, const void *data, u32 len);
void nv_nvsp_inband(struct nv_chan *c, const struct enl_vmbus_pkt *pkt);

/* rndis.c */
int nv_rndis_init(struct nv_dev *nd);
void nv_rndis_halt(struct nv_dev *nd);
int nv_rndis_query(struct nv_dev *nd, u32 oid, const void *in, u32 inlen,
		   void *out, u32 *outlen);
int nv_rndis_set(struct nv_dev *nd, u32 oid, const void *in, u32 len);
int nv_rndis_set_filter(struct nv_dev *nd, u32 filter);
int nv_rndis_set_mac(struct nv_dev *nd, const u8 *mac);
int nv_rndis_setup_offloads(struct nv_dev *nd);
int nv_rndis_set_rsc(struct nv_dev *nd, bool on);
int nv_rndis_set_rss(struct nv_dev *nd);
void nv_rndis_query_link(struct nv_dev *nd);
void nv_rndis_control(struct nv_chan *c, const u8 *msg, u32 len);
void nv_rndis_sent(struct nv_dev *nd);

/* rx.c */
int nv_poll(struct napi_struct *napi, int budget);
int nv_on_event(struct enl_vmbus_channel *ch, int budget);
void nv_lend_timer(struct timer_list *t);
void nv_lend_forget(struct nv_chan *c);

/* tx.c */
netdev_tx_t nv_start_xmit(struct sk_buff *skb, struct net_device *ndev);
u16 nv_select_queue(struct net_device *ndev, struct sk_buff *skb,
		    struct net_device *sb_dev);
void nv_tx_done(struct nv_chan *c, struct nv_txd *d, const void *data,
		u32 len);
bool nv_tx_poll(struct nv_chan *c);
int nv_tx_init(struct nv_chan *c, u32 first, u32 count);
void nv_tx_free(struct nv_chan *c);

/* netdev.c */
extern const struct net_device_ops nv_netdev_ops;
void nv_rx_mode_work(struct work_struct *w);
void nv_link_work(struct work_struct *w);
u32 nv_filter(struct net_device *ndev);

/* ethtool.c */
extern const struct ethtool_ops nv_ethtool_ops;

#endif /* _ENL_NETVSC_H */
