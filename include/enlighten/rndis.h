/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RNDIS as the synthetic network adapter carries it inside NVSP
 * SEND_RNDIS_PKT messages: control messages (initialize, query, set,
 * reset, keepalive, halt, status indications) and data packets with
 * per-packet information (checksum, large send, VLAN, hash, RSC
 * fragments). The facts are Microsoft's Remote NDIS specification and the
 * NDIS object definitions, as Linux 6.1's netvsc uses them
 * (include/linux/rndis.h, drivers/net/hyperv/hyperv_net.h); sizes and
 * offsets are checked below against the hv_netvsc module's BTF.
 *
 * Every message starts with struct enl_rndis_hdr. All offsets inside a
 * message body (info buffers, packet data, per-packet info) count from the
 * start of the body, i.e. from the byte after the 8-byte header; a
 * per-packet info's own ppi_offset counts from the start of that entry.
 * Linux uses bit-fields for the per-packet info words; here they are whole
 * little-endian words with shift/mask macros.
 */
#ifndef _ENLIGHTEN_RNDIS_H
#define _ENLIGHTEN_RNDIS_H

#include <enlighten/types.h>

/* ---- Message types ---------------------------------------------------- */

#define ENL_RNDIS_MSG_COMPLETION	0x80000000u
#define ENL_RNDIS_MSG_PACKET		0x00000001u
#define ENL_RNDIS_MSG_INIT		0x00000002u
#define ENL_RNDIS_MSG_HALT		0x00000003u
#define ENL_RNDIS_MSG_QUERY		0x00000004u
#define ENL_RNDIS_MSG_SET		0x00000005u
#define ENL_RNDIS_MSG_RESET		0x00000006u
#define ENL_RNDIS_MSG_INDICATE		0x00000007u
#define ENL_RNDIS_MSG_KEEPALIVE		0x00000008u
#define ENL_RNDIS_MSG_INIT_C		(ENL_RNDIS_MSG_INIT | ENL_RNDIS_MSG_COMPLETION)
#define ENL_RNDIS_MSG_QUERY_C		(ENL_RNDIS_MSG_QUERY | ENL_RNDIS_MSG_COMPLETION)
#define ENL_RNDIS_MSG_SET_C		(ENL_RNDIS_MSG_SET | ENL_RNDIS_MSG_COMPLETION)
#define ENL_RNDIS_MSG_RESET_C		(ENL_RNDIS_MSG_RESET | ENL_RNDIS_MSG_COMPLETION)
#define ENL_RNDIS_MSG_KEEPALIVE_C	(ENL_RNDIS_MSG_KEEPALIVE | ENL_RNDIS_MSG_COMPLETION)

#define ENL_RNDIS_MAJOR_VERSION		1
#define ENL_RNDIS_MINOR_VERSION		0

/* enl_rndis_init_complete.dev_flags and .medium */
#define ENL_RNDIS_DF_CONNECTIONLESS	0x00000001u
#define ENL_RNDIS_MEDIUM_802_3		0x00000000u

/* ---- Status codes ----------------------------------------------------- */

#define ENL_RNDIS_STATUS_SUCCESS		0x00000000u
#define ENL_RNDIS_STATUS_PENDING		0x00000103u
#define ENL_RNDIS_STATUS_MEDIA_CONNECT		0x4001000bu
#define ENL_RNDIS_STATUS_MEDIA_DISCONNECT	0x4001000cu
#define ENL_RNDIS_STATUS_LINK_SPEED_CHANGE	0x40010013u
#define ENL_RNDIS_STATUS_NETWORK_CHANGE		0x40010018u
#define ENL_RNDIS_STATUS_BUFFER_OVERFLOW	0x80000005u
#define ENL_RNDIS_STATUS_FAILURE		0xc0000001u
#define ENL_RNDIS_STATUS_RESOURCES		0xc000009au
#define ENL_RNDIS_STATUS_NOT_SUPPORTED		0xc00000bbu
#define ENL_RNDIS_STATUS_BAD_VERSION		0xc0010004u
#define ENL_RNDIS_STATUS_ADAPTER_NOT_READY	0xc0010011u
#define ENL_RNDIS_STATUS_INVALID_PACKET		0xc001000fu
#define ENL_RNDIS_STATUS_INVALID_LENGTH		0xc0010014u
#define ENL_RNDIS_STATUS_INVALID_DATA		0xc0010015u
#define ENL_RNDIS_STATUS_BUFFER_TOO_SHORT	0xc0010016u
#define ENL_RNDIS_STATUS_INVALID_OID		0xc0010017u

/* ---- OIDs the netvsc guest queries and sets --------------------------- */

#define ENL_OID_GEN_SUPPORTED_LIST		0x00010101u
#define ENL_OID_GEN_HARDWARE_STATUS		0x00010102u
#define ENL_OID_GEN_MEDIA_SUPPORTED		0x00010103u
#define ENL_OID_GEN_MEDIA_IN_USE		0x00010104u
#define ENL_OID_GEN_MAXIMUM_FRAME_SIZE		0x00010106u
#define ENL_OID_GEN_LINK_SPEED			0x00010107u	/* 100 bit/s units */
#define ENL_OID_GEN_CURRENT_PACKET_FILTER	0x0001010eu
#define ENL_OID_GEN_MAXIMUM_TOTAL_SIZE		0x00010111u
#define ENL_OID_GEN_MEDIA_CONNECT_STATUS	0x00010114u
#define ENL_OID_GEN_RNDIS_CONFIG_PARAMETER	0x0001021bu
#define ENL_OID_GEN_RECEIVE_SCALE_CAPABILITIES	0x00010203u	/* query */
#define ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS	0x00010204u	/* set */
#define ENL_OID_GEN_FRIENDLY_NAME		0x00020216u
#define ENL_OID_802_3_PERMANENT_ADDRESS		0x01010101u
#define ENL_OID_802_3_CURRENT_ADDRESS		0x01010102u
#define ENL_OID_802_3_MULTICAST_LIST		0x01010103u
#define ENL_OID_802_3_MAXIMUM_LIST_SIZE		0x01010104u
#define ENL_OID_OFFLOAD_ENCAPSULATION		0x0101010au
#define ENL_OID_TCP_OFFLOAD_CURRENT_CONFIG	0xfc01020bu
#define ENL_OID_TCP_OFFLOAD_PARAMETERS		0xfc01020cu	/* set */
#define ENL_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES 0xfc01020du	/* query */

/* MEDIA_CONNECT_STATUS values */
#define ENL_RNDIS_MEDIA_STATE_CONNECTED		0u
#define ENL_RNDIS_MEDIA_STATE_DISCONNECTED	1u

/* CURRENT_PACKET_FILTER bits */
#define ENL_NDIS_PACKET_TYPE_DIRECTED		0x00000001u
#define ENL_NDIS_PACKET_TYPE_MULTICAST		0x00000002u
#define ENL_NDIS_PACKET_TYPE_ALL_MULTICAST	0x00000004u
#define ENL_NDIS_PACKET_TYPE_BROADCAST		0x00000008u
#define ENL_NDIS_PACKET_TYPE_PROMISCUOUS	0x00000020u

/* ---- Message header and control messages ------------------------------ */

struct enl_rndis_hdr {
	__u32 type;			/* ENL_RNDIS_MSG_* */
	__u32 len;			/* whole message, header included */
} ENL_PACKED;

/* Every request and its completion start with the request id ... */
struct enl_rndis_init_request {
	__u32 req_id;
	__u32 major;
	__u32 minor;
	__u32 max_xfer_size;
} ENL_PACKED;

struct enl_rndis_init_complete {
	__u32 req_id;
	__u32 status;
	__u32 major;
	__u32 minor;
	__u32 dev_flags;
	__u32 medium;
	__u32 max_pkt_per_msg;
	__u32 max_xfer_size;
	__u32 pkt_alignment_factor;	/* log2 of the alignment */
	__u32 af_list_offset;
	__u32 af_list_size;
} ENL_PACKED;

struct enl_rndis_halt_request {
	__u32 req_id;
} ENL_PACKED;

/*
 * QUERY and SET carry an information buffer of info_buflen bytes at
 * info_buf_offset (from the body); a query's buffer is an input for
 * NDIS objects that say which revision the guest wants.
 */
struct enl_rndis_query_request {
	__u32 req_id;
	__u32 oid;
	__u32 info_buflen;
	__u32 info_buf_offset;
	__u32 dev_vc_handle;
} ENL_PACKED;

struct enl_rndis_query_complete {
	__u32 req_id;
	__u32 status;
	__u32 info_buflen;
	__u32 info_buf_offset;
} ENL_PACKED;

struct enl_rndis_set_request {
	__u32 req_id;
	__u32 oid;
	__u32 info_buflen;
	__u32 info_buf_offset;
	__u32 dev_vc_handle;
} ENL_PACKED;

struct enl_rndis_set_complete {
	__u32 req_id;
	__u32 status;
} ENL_PACKED;

/* ... except RESET, which has none. */
struct enl_rndis_reset_request {
	__u32 reserved;
} ENL_PACKED;

struct enl_rndis_reset_complete {
	__u32 status;
	__u32 addressing_reset;
} ENL_PACKED;

struct enl_rndis_keepalive_request {
	__u32 req_id;
} ENL_PACKED;

struct enl_rndis_keepalive_complete {
	__u32 req_id;
	__u32 status;
} ENL_PACKED;

/* INDICATE (device to host driver): a status and an optional buffer. */
struct enl_rndis_indicate_status {
	__u32 status;
	__u32 status_buflen;
	__u32 status_buf_offset;
} ENL_PACKED;

/* RNDIS_CONFIG_PARAMETER set: a UTF-16 name and value (e.g. NetworkAddress). */
#define ENL_RNDIS_CONFIG_PARAM_INTEGER	0
#define ENL_RNDIS_CONFIG_PARAM_STRING	2

struct enl_rndis_config_param {
	__u32 name_offset;		/* from the start of this struct */
	__u32 name_length;		/* bytes */
	__u32 type;
	__u32 value_offset;
	__u32 value_length;
} ENL_PACKED;

/* ---- Data packets ----------------------------------------------------- */

/*
 * An Ethernet frame of data_len bytes at data_offset; per-packet info
 * entries in [ppi_offset, ppi_offset + ppi_len). OOB data is unused.
 */
struct enl_rndis_packet {
	__u32 data_offset;
	__u32 data_len;
	__u32 oob_data_offset;
	__u32 oob_data_len;
	__u32 num_oob_data_elements;
	__u32 ppi_offset;
	__u32 ppi_len;
	__u32 vc_handle;
	__u32 reserved;
} ENL_PACKED;

/* A per-packet info entry: size bytes in all, its value at ppi_offset. */
struct enl_rndis_ppi {
	__u32 size;
	__u32 type;			/* bits 30:0 the type, bit 31 internal */
	__u32 ppi_offset;
} ENL_PACKED;

#define ENL_RNDIS_PPI_INTERNAL		0x80000000u
#define ENL_RNDIS_PPI_TYPE_MASK		0x7fffffffu

/* Per-packet info types (type field, internal bit clear) */
enum enl_rndis_ppi_type {
	ENL_PPI_TCPIP_CHECKSUM	= 0,
	ENL_PPI_IPSEC		= 1,
	ENL_PPI_TCP_LARGESEND	= 2,
	ENL_PPI_CLASSIFICATION	= 3,
	ENL_PPI_SG_LIST		= 5,
	ENL_PPI_IEEE_8021Q	= 6,
	ENL_PPI_ORIGINAL	= 7,
	ENL_PPI_HASH_VALUE	= 8,
	ENL_PPI_HASH_INFO	= 9,
};

/* Internal types (internal bit set) */
#define ENL_PPI_INTERNAL_PKTINFO_ID	1

/* TCPIP_CHECKSUM, guest to host: what to compute. */
#define ENL_CSUM_TX_IPV4		(1u << 0)
#define ENL_CSUM_TX_IPV6		(1u << 1)
#define ENL_CSUM_TX_TCP			(1u << 2)
#define ENL_CSUM_TX_UDP			(1u << 3)
#define ENL_CSUM_TX_IP_HEADER		(1u << 4)
#define ENL_CSUM_TX_L4_OFFSET_SHIFT	16
#define ENL_CSUM_TX_L4_OFFSET_MASK	0x3ffu

/* TCPIP_CHECKSUM, host to guest: what was checked. */
#define ENL_CSUM_RX_TCP_FAILED		(1u << 0)
#define ENL_CSUM_RX_UDP_FAILED		(1u << 1)
#define ENL_CSUM_RX_IP_FAILED		(1u << 2)
#define ENL_CSUM_RX_TCP_SUCCEEDED	(1u << 3)
#define ENL_CSUM_RX_UDP_SUCCEEDED	(1u << 4)
#define ENL_CSUM_RX_IP_SUCCEEDED	(1u << 5)
#define ENL_CSUM_RX_LOOPBACK		(1u << 6)
#define ENL_CSUM_RX_TCP_VALUE_INVALID	(1u << 7)
#define ENL_CSUM_RX_IP_VALUE_INVALID	(1u << 8)

/* TCP_LARGESEND, LSOv2 (guest to host) */
#define ENL_LSO_MSS_MASK		0xfffffu
#define ENL_LSO_L4_OFFSET_SHIFT		20
#define ENL_LSO_L4_OFFSET_MASK		0x3ffu
#define ENL_LSO_TYPE_V2			(1u << 30)
#define ENL_LSO_IPV6			(1u << 31)

/* IEEE_8021Q */
#define ENL_VLAN_PRI_MASK		0x7u
#define ENL_VLAN_CFI			(1u << 3)
#define ENL_VLAN_ID_SHIFT		4
#define ENL_VLAN_ID_MASK		0xfffu

/* Internal PKTINFO_ID: RSC fragments of one coalesced packet. */
#define ENL_PKTINFO_ID_V1		1
#define ENL_PKTINFO_SUBALLOC		(1u << 0)
#define ENL_PKTINFO_1ST_FRAG		(1u << 1)
#define ENL_PKTINFO_LAST_FRAG		(1u << 2)

struct enl_rndis_pktinfo_id {
	__u8 ver;
	__u8 flag;
	__u16 pkt_id;
} ENL_PACKED;

/* Bytes one PPI with a 4-byte value takes (all four kinds above). */
#define ENL_RNDIS_PPI_U32_SIZE	(sizeof(struct enl_rndis_ppi) + 4)

/* ---- NDIS objects in query and set buffers ---------------------------- */

struct enl_ndis_object_header {
	__u8 type;
	__u8 revision;
	__u16 size;
} ENL_PACKED;

#define ENL_NDIS_OBJECT_TYPE_DEFAULT		0x80
#define ENL_NDIS_OBJECT_TYPE_RSS_CAPABILITIES	0x88
#define ENL_NDIS_OBJECT_TYPE_RSS_PARAMETERS	0x89
#define ENL_NDIS_OBJECT_TYPE_OFFLOAD		0xa7
#define ENL_NDIS_OBJECT_TYPE_OFFLOAD_ENCAP	0xa8

/* Offload capability encapsulations */
#define ENL_NDIS_ENCAP_NONE		0x0000u
#define ENL_NDIS_ENCAP_NULL		0x0001u
#define ENL_NDIS_ENCAP_8023		0x0002u

/* Checksum capability bits (ip4_txcsum, ip4_rxcsum, ip6_*) */
#define ENL_NDIS_CSUM_IP_OPT		0x001u	/* IPv4 options / IPv6 ext */
#define ENL_NDIS_CSUM_TCP_OPT		0x004u
#define ENL_NDIS_CSUM_TCP		0x010u
#define ENL_NDIS_CSUM_UDP		0x040u
#define ENL_NDIS_CSUM_IP4		0x100u

/* LSOv2 ip6_opts */
#define ENL_NDIS_LSOV2_IP6_EXT		0x001u
#define ENL_NDIS_LSOV2_TCP6_OPT		0x004u

struct enl_ndis_csum_offload {
	__u32 ip4_txenc;
	__u32 ip4_txcsum;
	__u32 ip4_rxenc;
	__u32 ip4_rxcsum;
	__u32 ip6_txenc;
	__u32 ip6_txcsum;
	__u32 ip6_rxenc;
	__u32 ip6_rxcsum;
} ENL_PACKED;

struct enl_ndis_lsov1_offload {
	__u32 encap;
	__u32 maxsize;
	__u32 minsegs;
	__u32 opts;
} ENL_PACKED;

struct enl_ndis_ipsecv1_offload {
	__u32 encap;
	__u32 ah_esp;
	__u32 xport_tun;
	__u32 ip4_opts;
	__u32 flags;
	__u32 ip4_ah;
	__u32 ip4_esp;
} ENL_PACKED;

struct enl_ndis_lsov2_offload {
	__u32 ip4_encap;
	__u32 ip4_maxsz;
	__u32 ip4_minsg;
	__u32 ip6_encap;
	__u32 ip6_maxsz;
	__u32 ip6_minsg;
	__u32 ip6_opts;
} ENL_PACKED;

struct enl_ndis_ipsecv2_offload {
	__u32 encap;
	__u8 ip6;
	__u8 ip4opt;
	__u8 ip6ext;
	__u8 ah;
	__u8 esp;
	__u8 ah_esp;
	__u8 xport;
	__u8 tun;
	__u8 xport_tun;
	__u8 lso;
	__u8 extseq;
	__u8 pad;
	__u32 udp_esp;
	__u32 auth;
	__u32 crypto;
	__u32 sa_caps;
} ENL_PACKED;

struct enl_ndis_rsc_offload {
	__u8 ip4;
	__u8 ip6;
} ENL_PACKED;

struct enl_ndis_encap_offload {
	__u32 flags;
	__u32 maxhdr;
} ENL_PACKED;

/*
 * TCP_OFFLOAD_HARDWARE_CAPABILITIES: revision 1 ends before ipsecv2
 * (NDIS 6.0), revision 2 before rsc (6.1), revision 3 is all of it.
 */
struct enl_ndis_offload {
	struct enl_ndis_object_header header;
	struct enl_ndis_csum_offload csum;
	struct enl_ndis_lsov1_offload lsov1;
	struct enl_ndis_ipsecv1_offload ipsecv1;
	struct enl_ndis_lsov2_offload lsov2;
	__u32 flags;
	struct enl_ndis_ipsecv2_offload ipsecv2;
	struct enl_ndis_rsc_offload rsc;
	__u16 pad;
	struct enl_ndis_encap_offload encap_gre;
} ENL_PACKED;

#define ENL_NDIS_OFFLOAD_SIZE_6_0	112		/* up to ipsecv2 */
#define ENL_NDIS_OFFLOAD_SIZE_6_1	144		/* up to rsc */
#define ENL_NDIS_OFFLOAD_SIZE		156

/* Revisions of the offload objects */
#define ENL_NDIS_OFFLOAD_REVISION_1	1
#define ENL_NDIS_OFFLOAD_REVISION_2	2
#define ENL_NDIS_OFFLOAD_REVISION_3	3

/* enl_ndis_offload_params checksum fields */
#define ENL_NDIS_OFFLOAD_NO_CHANGE		0
#define ENL_NDIS_OFFLOAD_TX_RX_DISABLED		1
#define ENL_NDIS_OFFLOAD_TX_ENABLED_RX_DISABLED	2
#define ENL_NDIS_OFFLOAD_RX_ENABLED_TX_DISABLED	3
#define ENL_NDIS_OFFLOAD_TX_RX_ENABLED		4
/* lso_v1, lso_v2_*, rsc_* fields */
#define ENL_NDIS_OFFLOAD_DISABLED		1
#define ENL_NDIS_OFFLOAD_ENABLED		2

/*
 * TCP_OFFLOAD_PARAMETERS: what the guest turns on. Guests of NVSP 4 and
 * older send only the first ENL_NDIS_OFFLOAD_PARAMS_SIZE_V4 bytes.
 */
struct enl_ndis_offload_params {
	struct enl_ndis_object_header header;
	__u8 ip_v4_csum;
	__u8 tcp_ip_v4_csum;
	__u8 udp_ip_v4_csum;
	__u8 tcp_ip_v6_csum;
	__u8 udp_ip_v6_csum;
	__u8 lso_v1;
	__u8 ip_sec_v1;
	__u8 lso_v2_ipv4;
	__u8 lso_v2_ipv6;
	__u8 tcp_connection_ip_v4;
	__u8 tcp_connection_ip_v6;
	__u8 pad1;
	__u32 flags;
	__u8 ip_sec_v2;
	__u8 ip_sec_v2_ip_v4;
	__u8 rsc_ip_v4;
	__u8 rsc_ip_v6;
	__u8 encapsulated_packet_task_offload;
	__u8 encapsulation_types;
	__u8 pad2[2];
} ENL_PACKED;

#define ENL_NDIS_OFFLOAD_PARAMS_SIZE_V4	22

/* OID_OFFLOAD_ENCAPSULATION: the framing the guest wants offloads for. */
struct enl_ndis_offload_encap {
	struct enl_ndis_object_header header;
	__u32 ipv4_enabled;		/* ENL_NDIS_OFFLOAD_SET_* */
	__u32 ipv4_encap_type;		/* ENL_NDIS_ENCAP_* */
	__u32 ipv4_header_size;
	__u32 ipv6_enabled;
	__u32 ipv6_encap_type;
	__u32 ipv6_header_size;
} ENL_PACKED;

#define ENL_NDIS_OFFLOAD_ENCAP_REVISION_1	1
#define ENL_NDIS_OFFLOAD_SET_NO_CHANGE	0
#define ENL_NDIS_OFFLOAD_SET_ON		1
#define ENL_NDIS_OFFLOAD_SET_OFF	2

/* RECEIVE_SCALE_CAPABILITIES (revision 2) */
#define ENL_NDIS_RSS_CAPS_REVISION_2	2
#define ENL_NDIS_RSS_CAPS_MSI		0x01000000u
#define ENL_NDIS_RSS_CAPS_HASH_TCP4	0x00000100u
#define ENL_NDIS_RSS_CAPS_HASH_TCP6	0x00000200u
#define ENL_NDIS_RSS_CAPS_HASH_TCP6_EX	0x00000400u

struct enl_ndis_rss_caps {
	struct enl_ndis_object_header header;
	__u32 cap_flag;
	__u32 num_int_msg;
	__u32 num_recv_que;
	__u16 num_indirect_tabent;
} ENL_PACKED;

/* RECEIVE_SCALE_PARAMETERS (revision 2) */
#define ENL_NDIS_RSS_PARAMS_REVISION_2		2
#define ENL_NDIS_RSS_FLAG_BASE_CPU_UNCHANGED	0x0001u
#define ENL_NDIS_RSS_FLAG_HASH_INFO_UNCHANGED	0x0002u
#define ENL_NDIS_RSS_FLAG_ITABLE_UNCHANGED	0x0004u
#define ENL_NDIS_RSS_FLAG_HASH_KEY_UNCHANGED	0x0008u
#define ENL_NDIS_RSS_FLAG_DISABLE_RSS		0x0010u

#define ENL_NDIS_HASH_FUNC_TOEPLITZ	0x00000001u
#define ENL_NDIS_HASH_IPV4		0x00000100u
#define ENL_NDIS_HASH_TCP_IPV4		0x00000200u
#define ENL_NDIS_HASH_IPV6		0x00000400u
#define ENL_NDIS_HASH_IPV6_EX		0x00000800u
#define ENL_NDIS_HASH_TCP_IPV6		0x00001000u
#define ENL_NDIS_HASH_TCP_IPV6_EX	0x00002000u

/* Largest indirection table (entries) and hash key (bytes) */
#define ENL_NDIS_RSS_ITAB_MAX		256
#define ENL_NDIS_RSS_KEY_SIZE		40

/* Table and key follow the struct, at offsets from its start. */
struct enl_ndis_rss_params {
	struct enl_ndis_object_header header;
	__u16 flag;
	__u16 base_cpu_number;
	__u32 hashinfo;
	__u16 indirect_tabsize;		/* bytes, 4 per entry */
	__u16 pad1;
	__u32 indirect_taboffset;
	__u16 hashkey_size;
	__u16 pad2;
	__u32 hashkey_offset;
	__u32 processor_masks_offset;
	__u32 num_processor_masks;
	__u32 processor_masks_entry_size;
} ENL_PACKED;

/* ---- Layout checks (Linux 6.1, hv_netvsc BTF) ------------------------- */

ENL_ASSERT_SIZE(struct enl_rndis_hdr, 8);
ENL_ASSERT_OFFSET(struct enl_rndis_hdr, len, 4);
ENL_ASSERT_SIZE(struct enl_rndis_init_request, 16);
ENL_ASSERT_OFFSET(struct enl_rndis_init_request, max_xfer_size, 12);
ENL_ASSERT_SIZE(struct enl_rndis_init_complete, 44);
ENL_ASSERT_OFFSET(struct enl_rndis_init_complete, status, 4);
ENL_ASSERT_OFFSET(struct enl_rndis_init_complete, dev_flags, 16);
ENL_ASSERT_OFFSET(struct enl_rndis_init_complete, medium, 20);
ENL_ASSERT_OFFSET(struct enl_rndis_init_complete, max_pkt_per_msg, 24);
ENL_ASSERT_OFFSET(struct enl_rndis_init_complete, max_xfer_size, 28);
ENL_ASSERT_OFFSET(struct enl_rndis_init_complete, pkt_alignment_factor, 32);
ENL_ASSERT_OFFSET(struct enl_rndis_init_complete, af_list_size, 40);
ENL_ASSERT_SIZE(struct enl_rndis_halt_request, 4);
ENL_ASSERT_SIZE(struct enl_rndis_query_request, 20);
ENL_ASSERT_OFFSET(struct enl_rndis_query_request, oid, 4);
ENL_ASSERT_OFFSET(struct enl_rndis_query_request, info_buflen, 8);
ENL_ASSERT_OFFSET(struct enl_rndis_query_request, info_buf_offset, 12);
ENL_ASSERT_OFFSET(struct enl_rndis_query_request, dev_vc_handle, 16);
ENL_ASSERT_SIZE(struct enl_rndis_query_complete, 16);
ENL_ASSERT_OFFSET(struct enl_rndis_query_complete, info_buflen, 8);
ENL_ASSERT_OFFSET(struct enl_rndis_query_complete, info_buf_offset, 12);
ENL_ASSERT_SIZE(struct enl_rndis_set_request, 20);
ENL_ASSERT_OFFSET(struct enl_rndis_set_request, info_buf_offset, 12);
ENL_ASSERT_SIZE(struct enl_rndis_set_complete, 8);
ENL_ASSERT_SIZE(struct enl_rndis_reset_request, 4);
ENL_ASSERT_SIZE(struct enl_rndis_reset_complete, 8);
ENL_ASSERT_OFFSET(struct enl_rndis_reset_complete, addressing_reset, 4);
ENL_ASSERT_SIZE(struct enl_rndis_keepalive_request, 4);
ENL_ASSERT_SIZE(struct enl_rndis_keepalive_complete, 8);
ENL_ASSERT_SIZE(struct enl_rndis_indicate_status, 12);
ENL_ASSERT_OFFSET(struct enl_rndis_indicate_status, status_buflen, 4);
ENL_ASSERT_OFFSET(struct enl_rndis_indicate_status, status_buf_offset, 8);
ENL_ASSERT_SIZE(struct enl_rndis_config_param, 20);
ENL_ASSERT_OFFSET(struct enl_rndis_config_param, value_offset, 12);
ENL_ASSERT_SIZE(struct enl_rndis_packet, 36);
ENL_ASSERT_OFFSET(struct enl_rndis_packet, data_len, 4);
ENL_ASSERT_OFFSET(struct enl_rndis_packet, oob_data_offset, 8);
ENL_ASSERT_OFFSET(struct enl_rndis_packet, num_oob_data_elements, 16);
ENL_ASSERT_OFFSET(struct enl_rndis_packet, ppi_offset, 20);
ENL_ASSERT_OFFSET(struct enl_rndis_packet, ppi_len, 24);
ENL_ASSERT_OFFSET(struct enl_rndis_packet, vc_handle, 28);
ENL_ASSERT_OFFSET(struct enl_rndis_packet, reserved, 32);
ENL_ASSERT_SIZE(struct enl_rndis_ppi, 12);
ENL_ASSERT_OFFSET(struct enl_rndis_ppi, type, 4);
ENL_ASSERT_OFFSET(struct enl_rndis_ppi, ppi_offset, 8);
ENL_ASSERT_SIZE(struct enl_rndis_pktinfo_id, 4);
ENL_ASSERT_OFFSET(struct enl_rndis_pktinfo_id, pkt_id, 2);
ENL_ASSERT_SIZE(struct enl_ndis_object_header, 4);
ENL_ASSERT_OFFSET(struct enl_ndis_object_header, size, 2);
ENL_ASSERT_SIZE(struct enl_ndis_csum_offload, 32);
ENL_ASSERT_SIZE(struct enl_ndis_lsov1_offload, 16);
ENL_ASSERT_SIZE(struct enl_ndis_ipsecv1_offload, 28);
ENL_ASSERT_SIZE(struct enl_ndis_lsov2_offload, 28);
ENL_ASSERT_OFFSET(struct enl_ndis_lsov2_offload, ip6_encap, 12);
ENL_ASSERT_OFFSET(struct enl_ndis_lsov2_offload, ip6_opts, 24);
ENL_ASSERT_SIZE(struct enl_ndis_ipsecv2_offload, 32);
ENL_ASSERT_OFFSET(struct enl_ndis_ipsecv2_offload, extseq, 14);
ENL_ASSERT_OFFSET(struct enl_ndis_ipsecv2_offload, udp_esp, 16);
ENL_ASSERT_SIZE(struct enl_ndis_rsc_offload, 2);
ENL_ASSERT_SIZE(struct enl_ndis_encap_offload, 8);
ENL_ASSERT_SIZE(struct enl_ndis_offload, ENL_NDIS_OFFLOAD_SIZE);
ENL_ASSERT_OFFSET(struct enl_ndis_offload, csum, 4);
ENL_ASSERT_OFFSET(struct enl_ndis_offload, lsov1, 36);
ENL_ASSERT_OFFSET(struct enl_ndis_offload, ipsecv1, 52);
ENL_ASSERT_OFFSET(struct enl_ndis_offload, lsov2, 80);
ENL_ASSERT_OFFSET(struct enl_ndis_offload, flags, 108);
ENL_ASSERT_OFFSET(struct enl_ndis_offload, ipsecv2, 112);
ENL_ASSERT_OFFSET(struct enl_ndis_offload, rsc, ENL_NDIS_OFFLOAD_SIZE_6_1);
ENL_ASSERT_OFFSET(struct enl_ndis_offload, encap_gre, 148);
ENL_ASSERT_OFFSET(struct enl_ndis_offload, ipsecv2, ENL_NDIS_OFFLOAD_SIZE_6_0);
ENL_ASSERT_SIZE(struct enl_ndis_offload_params, 28);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, ip_v4_csum, 4);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, tcp_ip_v4_csum, 5);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, udp_ip_v4_csum, 6);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, tcp_ip_v6_csum, 7);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, udp_ip_v6_csum, 8);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, lso_v1, 9);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, lso_v2_ipv4, 11);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, lso_v2_ipv6, 12);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, tcp_connection_ip_v6, 14);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, flags, 16);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, ip_sec_v2, 20);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, rsc_ip_v4, 22);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, rsc_ip_v6, 23);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, encapsulated_packet_task_offload, 24);
ENL_ASSERT_OFFSET(struct enl_ndis_offload_params, encapsulation_types, 25);
ENL_ASSERT_SIZE(struct enl_ndis_offload_encap, 28);
ENL_ASSERT_SIZE(struct enl_ndis_rss_caps, 18);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_caps, cap_flag, 4);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_caps, num_int_msg, 8);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_caps, num_recv_que, 12);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_caps, num_indirect_tabent, 16);
ENL_ASSERT_SIZE(struct enl_ndis_rss_params, 40);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_params, flag, 4);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_params, base_cpu_number, 6);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_params, hashinfo, 8);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_params, indirect_tabsize, 12);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_params, indirect_taboffset, 16);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_params, hashkey_size, 20);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_params, hashkey_offset, 24);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_params, processor_masks_offset, 28);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_params, num_processor_masks, 32);
ENL_ASSERT_OFFSET(struct enl_ndis_rss_params, processor_masks_entry_size, 36);

#endif /* _ENLIGHTEN_RNDIS_H */
