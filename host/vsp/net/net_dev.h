/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's synthetic network device engine: NVSP negotiation, the
 * guest's receive and send buffers, RNDIS control (initialize, query, set,
 * reset, keepalive, halt, status indications) and the data path in both
 * directions (RNDIS packet <-> virtio-net header + frame for a TAP with
 * IFF_VNET_HDR). No VMBus in here: the VSP glue hands the engine the bytes
 * of the guest's packets and the mapped buffers, and sends what the engine
 * gives back (completions, transfer-page packets) on the channel.
 *
 * Threads: control (enl_net_nvsp on the primary channel, link changes) runs
 * on one thread at a time; the data path (enl_net_nvsp with SEND_RNDIS_PKT
 * data, enl_net_rx_frame, enl_net_xfer_*, enl_net_recv_complete) may run
 * on one thread per queue at once. Buffers are attached and revoked while
 * the data path is idle (the guest does that only during setup and
 * teardown). Counters are atomic.
 *
 * Every byte from the guest is untrusted: every length, offset, index and
 * transaction id is checked; a bad message is counted under its reason
 * (enl_net_stat_name) and dropped or failed, never trusted.
 */
#ifndef ENL_HOST_NET_DEV_H
#define ENL_HOST_NET_DEV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#include <enlighten/nvsp.h>
#include <enlighten/rndis.h>
#include <enlighten/ring.h>

/* ---- Counters ----------------------------------------------------------- */

#define ENL_NET_STATS(X)						\
	X(TX_PACKETS, "tx_packets")	/* guest to backend */		\
	X(TX_BYTES, "tx_bytes")						\
	X(RX_PACKETS, "rx_packets")	/* backend to guest */		\
	X(RX_COALESCED, "rx_coalesced")	/* of them, sent in fragments */	\
	X(RX_BYTES, "rx_bytes")						\
	X(CTL_MESSAGES, "ctl_messages")					\
	X(INDICATIONS, "indications")					\
	X(NVSP_SHORT, "nvsp_short")					\
	X(NVSP_UNKNOWN, "nvsp_unknown")					\
	X(NVSP_OUT_OF_ORDER, "nvsp_out_of_order")			\
	X(NVSP_NO_VERSION, "nvsp_no_version")				\
	X(BUF_MAP_FAILED, "buf_map_failed")				\
	X(BUF_BAD_SIZE, "buf_bad_size")					\
	X(BUF_BAD_ID, "buf_bad_id")					\
	X(PKT_BAD_SECTION, "pkt_bad_section")				\
	X(PKT_NO_BUFFER, "pkt_no_buffer")				\
	X(RNDIS_SHORT, "rndis_short")					\
	X(RNDIS_BAD_LEN, "rndis_bad_len")				\
	X(RNDIS_TOO_MANY, "rndis_too_many")				\
	X(RNDIS_UNKNOWN_TYPE, "rndis_unknown_type")			\
	X(RNDIS_NOT_INITIALIZED, "rndis_not_initialized")		\
	X(CTL_BAD_INFO, "ctl_bad_info")					\
	X(CTL_UNSUPPORTED_OID, "ctl_unsupported_oid")			\
	X(CTL_BAD_VALUE, "ctl_bad_value")				\
	X(CTL_NO_ROOM, "ctl_no_room")					\
	X(TX_BAD_OFFSET, "tx_bad_offset")				\
	X(TX_RUNT, "tx_runt")						\
	X(TX_OVERSIZE, "tx_oversize")					\
	X(TX_TOO_MANY_IOV, "tx_too_many_iov")				\
	X(PPI_BAD_AREA, "ppi_bad_area")					\
	X(PPI_TOO_LONG, "ppi_too_long")					\
	X(PPI_BAD_SIZE, "ppi_bad_size")					\
	X(PPI_BAD_OFFSET, "ppi_bad_offset")				\
	X(PPI_UNKNOWN, "ppi_unknown")					\
	X(TX_BAD_LSO, "tx_bad_lso")					\
	X(TX_BAD_CSUM, "tx_bad_csum")					\
	X(TX_BACKEND_ERROR, "tx_backend_error")				\
	X(RX_FILTERED, "rx_filtered")					\
	X(RX_NO_SECTION, "rx_no_section")				\
	X(RX_TOO_BIG, "rx_too_big")					\
	X(RX_BAD_VNET_HDR, "rx_bad_vnet_hdr")				\
	X(RX_RUNT, "rx_runt")						\
	X(RX_BAD_TID, "rx_bad_tid")					\
	X(RX_GUEST_FAILED, "rx_guest_failed")				\
	X(CTL_ON_SUBCHANNEL, "ctl_on_subchannel")

enum enl_net_stat {
#define ENL_NET_STAT_ENUM(id, name) ENL_NET_##id,
	ENL_NET_STATS(ENL_NET_STAT_ENUM)
#undef ENL_NET_STAT_ENUM
	ENL_NET_STAT_COUNT
};

const char *enl_net_stat_name(enum enl_net_stat s);

/* ---- Configuration and callbacks --------------------------------------- */

struct enl_net_cfg {
	uint8_t mac[6];
	uint32_t max_mtu;		/* largest MTU offered (68..65521) */
	uint64_t link_speed_bps;	/* reported link speed */
	uint32_t max_queues;		/* RSS queues offered, 1..64 */
	uint32_t max_nvsp_version;	/* ENL_NVSP_VERSION_*; 0: newest */
	uint32_t send_section_size;	/* send-buffer section size */
	/*
	 * Receive sections at least this big (0: 1728, what Linux guests
	 * expect for a 1500-byte MTU). Larger ones cut a coalesced packet
	 * into fewer fragments, so more of them go in one transfer.
	 */
	uint32_t recv_section_min;
	bool link_up;			/* link state at start */
};

/* A mapped guest buffer: scattered host memory, in order. */
struct enl_net_view {
	const struct iovec *iov;
	unsigned int iovcnt;
};

/* A transfer-page packet for the guest, built by enl_net_xfer_*. */
#define ENL_NET_XFER_MAX_RANGES		64

struct enl_net_xfer {
	uint16_t queue;
	uint16_t pageset_id;		/* the receive buffer's id */
	uint32_t nranges;
	uint64_t tid;			/* the VMBus transaction id to use */
	struct enl_nvsp_message msg;	/* SEND_RNDIS_PKT */
	struct enl_vmtransfer_page_range ranges[ENL_NET_XFER_MAX_RANGES];
	uint32_t head, tail;		/* private: the section chain */
};

struct enl_net_dev;

struct enl_net_ops {
	/*
	 * Map the guest's GPADL as a buffer view valid until unmap_buffer;
	 * 0 or a negative errno.
	 */
	int (*map_buffer)(void *ctx, uint32_t gpadl, struct enl_net_view *view);
	void (*unmap_buffer)(void *ctx, uint32_t gpadl);
	/* Offer up to n sub-channels; returns how many were offered. */
	uint32_t (*open_subchannels)(void *ctx, uint32_t n);
	/*
	 * One guest frame for the backend, as a virtio-net header and the
	 * frame's bytes; 0 or a negative errno (counted, the guest is told
	 * nothing: a NIC drops).
	 */
	int (*tx_frame)(void *ctx, unsigned int queue,
			const struct virtio_net_hdr_v1 *vh,
			const struct iovec *iov, unsigned int iovcnt);
	/* Send a finished transfer-page packet on its queue's channel. */
	int (*send_xfer)(void *ctx, const struct enl_net_xfer *x);
	/* The guest changed its offloads: TUN_F_* flags for the TAP. */
	void (*offloads_changed)(void *ctx, unsigned int tun_flags);
};

/* ---- Lifetime ----------------------------------------------------------- */

struct enl_net_dev *enl_net_new(const struct enl_net_cfg *cfg,
				const struct enl_net_ops *ops, void *ctx);
/* Back to the state of a freshly opened channel (buffers unmapped). */
void enl_net_reset(struct enl_net_dev *d);
void enl_net_free(struct enl_net_dev *d);

uint64_t enl_net_stat(const struct enl_net_dev *d, enum enl_net_stat s);

/* ---- NVSP --------------------------------------------------------------- */

enum enl_net_reply {
	ENL_NET_REPLY_NONE,		/* nothing to send */
	ENL_NET_REPLY_EMPTY,		/* a completion without payload */
	ENL_NET_REPLY_MSG,		/* a completion carrying *reply */
};

/*
 * One in-band NVSP message from the guest on queue `queue`. For a
 * SEND_RNDIS_PKT whose data are not in the send buffer, `payload` views
 * the packet's GPA ranges (NULL otherwise). The answer, if any, is the
 * completion of the guest's packet (same transaction id); a REPLY_MSG is
 * always a whole struct enl_nvsp_message.
 */
enum enl_net_reply enl_net_nvsp(struct enl_net_dev *d, unsigned int queue,
				const void *msg, size_t len,
				const struct enl_net_view *payload,
				struct enl_nvsp_message *reply);

/* What the guest negotiated (0 before INIT completed). */
uint32_t enl_net_nvsp_version(const struct enl_net_dev *d);
/* Sections of the guest's send buffer (0 while it gave none). */
uint32_t enl_net_send_sections(const struct enl_net_dev *d);
/* The send indirection table message for n channels (NVSP 5+). */
void enl_net_send_table(const struct enl_net_dev *d, uint32_t nchannels,
			struct enl_nvsp_indirection_msg *out);

/* ---- Data path, backend to guest ----------------------------------------- */

void enl_net_xfer_begin(struct enl_net_dev *d, unsigned int queue,
			struct enl_net_xfer *x);
/*
 * Put one frame read from the backend (virtio-net header + bytes) into
 * the batch. 0: added or dropped (counted); -ENOSPC: no free section or
 * the batch is full, keep the frame for later.
 */
int enl_net_xfer_frame(struct enl_net_dev *d, struct enl_net_xfer *x,
		       const struct virtio_net_hdr_v1 *vh,
		       const struct iovec *iov, unsigned int iovcnt);
/* Send the batch (if not empty) through ops->send_xfer; 0 or its error. */
int enl_net_xfer_send(struct enl_net_dev *d, struct enl_net_xfer *x);
/* The guest completed transfer `tid`: its sections are free again. */
void enl_net_recv_complete(struct enl_net_dev *d, uint64_t tid,
			   const void *msg, size_t len);
/* Free receive sections (for flow control of the backend reads). */
uint32_t enl_net_free_sections(struct enl_net_dev *d);
/*
 * Bytes of the receive buffer the sections cover (0 before the guest gave
 * one): every range of a transfer lies inside, the bound for send_xfer.
 */
uint64_t enl_net_recv_span(struct enl_net_dev *d);

/*
 * Fault injection (enl-host ctl nic fault): len bytes of msg, whatever
 * they say, into a free receive section, sent on queue's channel as one
 * range of range_len bytes (0: len; at most to the buffer's end) with
 * channel_type in the NVSP message. The guest's completion frees the
 * section as usual. 0, -ENOSPC (no section), -EINVAL (len above a
 * section or range_len past the buffer) or send_xfer's error.
 */
int enl_net_xfer_raw(struct enl_net_dev *d, unsigned int queue,
		     uint32_t channel_type, const void *msg, size_t len,
		     uint32_t range_len);

/* ---- Link --------------------------------------------------------------- */

/* Link up or down: an RNDIS status indication to the guest. */
void enl_net_set_link(struct enl_net_dev *d, bool up);
/* Link speed change: indicated when the guest asked for updates. */
void enl_net_set_speed(struct enl_net_dev *d, uint64_t bps);

/* ---- State the glue and tests look at ----------------------------------- */

struct enl_net_state {
	uint32_t nvsp_version;
	uint32_t ndis_version;
	uint32_t ndis_mtu;		/* from NDIS config, with Ethernet header */
	uint64_t ndis_caps;
	bool rndis_initialized;
	uint32_t packet_filter;
	uint8_t mac[6];			/* current address */
	bool link_up;
	uint64_t link_speed_bps;
	uint32_t recv_sections, recv_section_size;
	uint32_t send_sections, send_section_size;
	uint32_t tun_flags;		/* offloads the guest turned on */
	bool tx_csum_v4, tx_csum_v6, lso_v4, lso_v6, rsc_v4, rsc_v6;
	bool rss_enabled;
	uint32_t rss_hashinfo;
	uint32_t rss_itab_size;
	uint8_t rss_key[ENL_NDIS_RSS_KEY_SIZE];
	uint32_t subchannels;
	uint32_t datapath;
};

void enl_net_get_state(const struct enl_net_dev *d, struct enl_net_state *st);
/* The queue RSS would pick for `hash` (0 when RSS is off). */
uint32_t enl_net_rss_queue(const struct enl_net_dev *d, uint32_t hash);

#endif /* ENL_HOST_NET_DEV_H */
