/* SPDX-License-Identifier: GPL-2.0-only */
/* The network engine's insides, shared by its files only. */
#ifndef ENL_HOST_NET_PRIV_H
#define ENL_HOST_NET_PRIV_H

#include <pthread.h>

#include "net_dev.h"
#include "iov.h"

/* Largest control message the engine reads or writes. */
#define ENL_NET_CTL_MAX		4096u
/* RNDIS packets one guest message may carry (we announce this many). */
#define ENL_NET_MAX_PKT_PER_MSG	8u
/* log2 of the alignment of packets batched in one message. */
#define ENL_NET_PKT_ALIGN_SHIFT	3u
/* GPA ranges a guest packet may have (a full 64 KiB frame, unaligned). */
#define ENL_NET_MAX_RANGES	34u
/* Receive buffer bounds: Linux allocates 16 MiB, hosts allow up to 31. */
#define ENL_NET_RECV_BUF_MAX	(64u << 20)
#define ENL_NET_SEND_BUF_MAX	(64u << 20)
/* Ethernet */
#define ENL_ETH_HLEN		14u
#define ENL_VLAN_HLEN		4u
#define ENL_ETH_MIN_MTU		68u
/* Largest frame a guest may send with LSO: a 64 KiB IP packet + headers. */
#define ENL_NET_MAX_GSO_FRAME	(ENL_ETH_HLEN + ENL_VLAN_HLEN + 65535u)
/* Bytes of a received frame's RNDIS wrapping: header, packet, 2 PPIs. */
#define ENL_NET_RX_OVERHEAD	(sizeof(struct enl_rndis_hdr) + \
				 sizeof(struct enl_rndis_packet) + \
				 2 * ENL_RNDIS_PPI_U32_SIZE)
#define ENL_NET_NO_SECTION	0xffffffffu

/* A mapped buffer with the start offset of each piece, for lookups. */
struct enl_net_buf {
	bool mapped;
	uint32_t gpadl;
	uint16_t id;
	struct enl_iov_map map;
};

struct enl_net_recvbuf {
	struct enl_net_buf buf;
	uint32_t section_size, nsections;
	pthread_mutex_t lock;
	uint32_t *free_stack;		/* section indexes */
	uint32_t nfree;
	uint32_t *next;			/* chain of one transfer, or NONE */
	uint32_t *gen;			/* bumped each time a chain is sent */
	uint8_t *busy;			/* 0 free, 1 in a batch, 2 sent head */
};

struct enl_net_sendbuf {
	struct enl_net_buf buf;
	uint32_t section_size, nsections;
};

enum enl_nvsp_phase {
	ENL_NVSP_WAIT_INIT,
	ENL_NVSP_READY,			/* version agreed */
};

struct enl_net_dev {
	struct enl_net_cfg cfg;
	const struct enl_net_ops *ops;
	void *ctx;

	/* NVSP */
	enum enl_nvsp_phase phase;
	uint32_t nvsp_version;
	uint32_t ndis_version;
	uint32_t ndis_mtu;
	uint64_t ndis_caps;
	uint32_t subchannels;
	uint32_t datapath;
	struct enl_net_recvbuf rx;
	struct enl_net_sendbuf tx;

	/* RNDIS */
	bool rndis_initialized;
	_Atomic uint32_t packet_filter;
	uint8_t mac[6];
	_Atomic bool link_up;
	uint64_t link_speed_bps;
	/* Indications owed to the guest (no section was free). */
	_Atomic uint32_t pending_ind;

	/* Offloads the guest turned on, read by the data path. */
	_Atomic uint32_t offl;
	uint32_t encap_v4, encap_v6;

	/* RSS */
	_Atomic bool rss_enabled;
	uint32_t rss_hashinfo;
	uint32_t rss_itab_size;
	uint32_t rss_itab[ENL_NDIS_RSS_ITAB_MAX];
	uint8_t rss_key[ENL_NDIS_RSS_KEY_SIZE];

	/* Ids of coalesced packets sent up in fragments (RSC). */
	_Atomic uint16_t rsc_id;

	_Atomic uint64_t stats[ENL_NET_STAT_COUNT];
};

/* enl_net_dev.offl bits */
#define ENL_OFFL_TX_CSUM4	(1u << 0)	/* TCP and UDP over IPv4 */
#define ENL_OFFL_TX_CSUM6	(1u << 1)
#define ENL_OFFL_LSO4		(1u << 2)
#define ENL_OFFL_LSO6		(1u << 3)
#define ENL_OFFL_RX_CSUM4	(1u << 4)
#define ENL_OFFL_RX_CSUM6	(1u << 5)
#define ENL_OFFL_RSC4		(1u << 6)	/* coalesced TCP/IPv4 up */
#define ENL_OFFL_RSC6		(1u << 7)

/* pending_ind bits */
#define ENL_IND_LINK		(1u << 0)
#define ENL_IND_SPEED		(1u << 1)

static inline void net_count(struct enl_net_dev *d, enum enl_net_stat s)
{
	atomic_fetch_add_explicit(&d->stats[s], 1, memory_order_relaxed);
}

static inline void net_add(struct enl_net_dev *d, enum enl_net_stat s,
			   uint64_t n)
{
	atomic_fetch_add_explicit(&d->stats[s], n, memory_order_relaxed);
}

static inline uint32_t get_le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint16_t get_be16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline void put_be16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* nvsp.c */
bool net_buf_attach(struct enl_net_dev *d, struct enl_net_buf *b,
		    uint32_t gpadl, uint16_t id);
void net_buf_detach(struct enl_net_dev *d, struct enl_net_buf *b);

/* recvbuf.c */
int net_rx_setup(struct enl_net_dev *d, uint32_t section_size);
void net_rx_teardown(struct enl_net_dev *d);
/* A section for a message of len bytes, written by fill(). */
uint32_t net_rx_alloc(struct enl_net_dev *d);
void net_rx_release(struct enl_net_dev *d, uint32_t sec);
int net_xfer_add_section(struct enl_net_dev *d, struct enl_net_xfer *x,
			 uint32_t sec, uint32_t len);
/* Send a control message (completion, indication) to the guest. */
int net_send_ctl(struct enl_net_dev *d, const void *msg, size_t len);

/* rndis_ctl.c */
uint32_t net_rndis_control(struct enl_net_dev *d, const uint8_t *msg,
			   uint32_t len);
void net_flush_indications(struct enl_net_dev *d);
unsigned int net_tun_flags(const struct enl_net_dev *d);

/* rndis_tx.c: one RNDIS data message from the guest */
bool net_rndis_tx(struct enl_net_dev *d, unsigned int queue,
		  const struct enl_iov_map *src, size_t off, uint32_t len);

/* csum.c */
uint32_t net_csum_add(uint32_t sum, const uint8_t *p, size_t n);
uint16_t net_csum_fold(uint32_t sum);
uint32_t net_toeplitz(const uint8_t *key, size_t keylen,
		      const uint8_t *in, size_t n);
/* The flow hash RSS defines for a frame; false for non-IP. */
bool net_rss_hash(const struct enl_net_dev *d, const uint8_t *frame,
		  size_t len, uint32_t *hash);

#endif /* ENL_HOST_NET_PRIV_H */
