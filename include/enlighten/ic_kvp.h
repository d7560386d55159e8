/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Key-value pair exchange IC (ENL_ICMSGTYPE_KVPEXCHANGE).
 *
 * The host sends one request at a time; its body is a struct enl_kvp_msg
 * (operation, pool, then the operation's data) except for the IP
 * configuration operations, whose body is a struct enl_kvp_ip_msg. The
 * guest answers in place. Keys and string values are UTF-16LE on the wire
 * and their sizes are in bytes, terminating NUL included.
 *
 * Enumeration: the host asks ENUMERATE with index 0, 1, 2... on a pool and
 * the guest answers with the key and value at that index, until it answers
 * with a failure status (ENL_HV_S_CONT or ENL_HV_E_FAIL).
 */
#ifndef _ENLIGHTEN_IC_KVP_H
#define _ENLIGHTEN_IC_KVP_H

#include <enlighten/types.h>
#include <enlighten/icmsg.h>

/* Service versions, newest first */
#define ENL_IC_KVP_VERSION_4_0		ENL_IC_VERSION(4, 0)	/* WIN8 */
#define ENL_IC_KVP_VERSION_3_0		ENL_IC_VERSION(3, 0)	/* WIN7 */
#define ENL_IC_KVP_VERSION_1_0		ENL_IC_VERSION(1, 0)	/* WS2008 */

/* Bytes of a key and of a value, NUL included */
#define ENL_KVP_MAX_KEY_SIZE		512
#define ENL_KVP_MAX_VALUE_SIZE		2048

/* enl_kvp_hdr.operation */
enum enl_kvp_op {
	ENL_KVP_OP_GET		= 0,
	ENL_KVP_OP_SET		= 1,
	ENL_KVP_OP_DELETE	= 2,
	ENL_KVP_OP_ENUMERATE	= 3,
	ENL_KVP_OP_GET_IP_INFO	= 4,
	ENL_KVP_OP_SET_IP_INFO	= 5,
	ENL_KVP_OP_COUNT
};

/* enl_kvp_hdr.pool */
enum enl_kvp_pool {
	ENL_KVP_POOL_EXTERNAL		= 0,	/* written by the host */
	ENL_KVP_POOL_GUEST		= 1,	/* written by the guest */
	ENL_KVP_POOL_AUTO		= 2,	/* guest facts, see below */
	ENL_KVP_POOL_AUTO_EXTERNAL	= 3,
	ENL_KVP_POOL_AUTO_INTERNAL	= 4,
	ENL_KVP_POOL_COUNT
};

/*
 * Keys the host expects at these enumeration indexes of ENL_KVP_POOL_AUTO:
 * 0 FullyQualifiedDomainName, 1 IntegrationServicesVersion,
 * 2 NetworkAddressIPv4, 3 NetworkAddressIPv6, 4 OSBuildNumber, 5 OSName,
 * 6 OSMajorVersion, 7 OSMinorVersion, 8 OSVersion, 9 ProcessorArchitecture.
 */

/* enl_kvp_exchg_msg_value.value_type (Windows registry types) */
#define ENL_KVP_REG_SZ		1	/* UTF-16LE string */
#define ENL_KVP_REG_U32		4
#define ENL_KVP_REG_U64		8

struct enl_kvp_hdr {
	__u8 operation;
	__u8 pool;
	__u16 pad;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_kvp_hdr, 4);
ENL_ASSERT_OFFSET(struct enl_kvp_hdr, operation, 0);
ENL_ASSERT_OFFSET(struct enl_kvp_hdr, pool, 1);
ENL_ASSERT_OFFSET(struct enl_kvp_hdr, pad, 2);

struct enl_kvp_exchg_msg_value {
	__u32 value_type;
	__u32 key_size;
	__u32 value_size;
	__u8 key[ENL_KVP_MAX_KEY_SIZE];
	union {
		__u8 value[ENL_KVP_MAX_VALUE_SIZE];
		__u32 value_u32;
		__u64 value_u64;
	} ENL_PACKED;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_kvp_exchg_msg_value, 2572);
ENL_ASSERT_OFFSET(struct enl_kvp_exchg_msg_value, value_type, 0);
ENL_ASSERT_OFFSET(struct enl_kvp_exchg_msg_value, key_size, 4);
ENL_ASSERT_OFFSET(struct enl_kvp_exchg_msg_value, value_size, 8);
ENL_ASSERT_OFFSET(struct enl_kvp_exchg_msg_value, key, 12);
ENL_ASSERT_OFFSET(struct enl_kvp_exchg_msg_value, value, 524);
ENL_ASSERT_OFFSET(struct enl_kvp_exchg_msg_value, value_u32, 524);
ENL_ASSERT_OFFSET(struct enl_kvp_exchg_msg_value, value_u64, 524);

/* GET: the host names the key, the guest fills in the value. */
struct enl_kvp_msg_get {
	struct enl_kvp_exchg_msg_value data;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_kvp_msg_get, 2572);

/* SET: the host sends key and value (any of the three value types). */
struct enl_kvp_msg_set {
	struct enl_kvp_exchg_msg_value data;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_kvp_msg_set, 2572);

struct enl_kvp_msg_delete {
	__u32 key_size;
	__u8 key[ENL_KVP_MAX_KEY_SIZE];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_kvp_msg_delete, 516);
ENL_ASSERT_OFFSET(struct enl_kvp_msg_delete, key_size, 0);
ENL_ASSERT_OFFSET(struct enl_kvp_msg_delete, key, 4);

/* ENUMERATE: the host sends index, the guest fills in key and value. */
struct enl_kvp_msg_enumerate {
	__u32 index;
	struct enl_kvp_exchg_msg_value data;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_kvp_msg_enumerate, 2576);
ENL_ASSERT_OFFSET(struct enl_kvp_msg_enumerate, index, 0);
ENL_ASSERT_OFFSET(struct enl_kvp_msg_enumerate, data, 4);

/*
 * Body of GET, SET, DELETE and ENUMERATE requests. Linux's hv_kvp_msg has
 * the same layout up to here but is 7432 bytes: its union also holds the
 * kernel <-> daemon registration and IP members, which never reach the
 * host. Check the received length against the operation, not sizeof().
 */
struct enl_kvp_msg {
	struct enl_kvp_hdr kvp_hdr;
	union {
		struct enl_kvp_msg_get kvp_get;
		struct enl_kvp_msg_set kvp_set;
		struct enl_kvp_msg_delete kvp_delete;
		struct enl_kvp_msg_enumerate kvp_enum_data;
	} ENL_PACKED body;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_kvp_msg, 2580);
ENL_ASSERT_OFFSET(struct enl_kvp_msg, kvp_hdr, 0);
ENL_ASSERT_OFFSET(struct enl_kvp_msg, body, 4);
ENL_ASSERT_OFFSET(struct enl_kvp_msg, body.kvp_get.data, 4);
ENL_ASSERT_OFFSET(struct enl_kvp_msg, body.kvp_enum_data.data, 8);

/* ---- IP injection (GET_IP_INFO / SET_IP_INFO) ------------------------- */

/* enl_kvp_ipaddr_value.addr_family, may be ORed */
#define ENL_KVP_ADDR_FAMILY_NONE	0x00
#define ENL_KVP_ADDR_FAMILY_IPV4	0x01
#define ENL_KVP_ADDR_FAMILY_IPV6	0x02

/* Sizes in UTF-16 code units */
#define ENL_KVP_MAX_ADAPTER_ID_SIZE	128
#define ENL_KVP_MAX_IP_ADDR_SIZE	1024
#define ENL_KVP_MAX_GATEWAY_SIZE	512

/*
 * One adapter's configuration; every string is UTF-16LE, lists are
 * separated by ';'. adapter_id is the adapter's MAC address text.
 */
struct enl_kvp_ipaddr_value {
	__u16 adapter_id[ENL_KVP_MAX_ADAPTER_ID_SIZE];
	__u8 addr_family;
	__u8 dhcp_enabled;
	__u16 ip_addr[ENL_KVP_MAX_IP_ADDR_SIZE];
	__u16 sub_net[ENL_KVP_MAX_IP_ADDR_SIZE];
	__u16 gate_way[ENL_KVP_MAX_GATEWAY_SIZE];
	__u16 dns_addr[ENL_KVP_MAX_IP_ADDR_SIZE];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_kvp_ipaddr_value, 7426);
ENL_ASSERT_OFFSET(struct enl_kvp_ipaddr_value, adapter_id, 0);
ENL_ASSERT_OFFSET(struct enl_kvp_ipaddr_value, addr_family, 256);
ENL_ASSERT_OFFSET(struct enl_kvp_ipaddr_value, dhcp_enabled, 257);
ENL_ASSERT_OFFSET(struct enl_kvp_ipaddr_value, ip_addr, 258);
ENL_ASSERT_OFFSET(struct enl_kvp_ipaddr_value, sub_net, 2306);
ENL_ASSERT_OFFSET(struct enl_kvp_ipaddr_value, gate_way, 4354);
ENL_ASSERT_OFFSET(struct enl_kvp_ipaddr_value, dns_addr, 5378);

/* Body of GET_IP_INFO and SET_IP_INFO: no pad after the pool byte. */
struct enl_kvp_ip_msg {
	__u8 operation;
	__u8 pool;
	struct enl_kvp_ipaddr_value kvp_ip_val;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_kvp_ip_msg, 7428);
ENL_ASSERT_OFFSET(struct enl_kvp_ip_msg, operation, 0);
ENL_ASSERT_OFFSET(struct enl_kvp_ip_msg, pool, 1);
ENL_ASSERT_OFFSET(struct enl_kvp_ip_msg, kvp_ip_val, 2);

#endif /* _ENLIGHTEN_IC_KVP_H */
