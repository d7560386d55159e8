/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMSTOR: the synthetic storage protocol spoken on a storage channel (SCSI
 * controller class ENL_GUID_SCSI, IDE accelerator class ENL_GUID_IDE, both
 * in guids.h). Every packet in either direction is one struct
 * enl_vstor_packet in an in-band VMBus packet; a SCSI command's data travels
 * as the GPA ranges of a GPA-direct packet carrying the same struct.
 *
 * Handshake, each step a packet with ENL_VSTOR_FLAG_REQUEST_COMPLETION that
 * the host answers with COMPLETE_IO (status 0 means accepted):
 *	BEGIN_INITIALIZATION
 *	QUERY_PROTOCOL_VERSION		once per version, newest first, until
 *					the host accepts one (WIN10 .. WIN8)
 *	QUERY_PROPERTIES		channel properties (max sub-channels,
 *					multi-channel flag, max transfer)
 *	END_INITIALIZATION
 *	CREATE_SUB_CHANNELS		optional, sub_channel_count: only once
 *					the channel is initialised (the host
 *					refuses it before END_INITIALIZATION)
 * then EXECUTE_SRB packets, each answered by COMPLETE_IO carrying the SRB
 * back with its status, sense data and transfer length. The host sends
 * ENUMERATE_BUS on its own when LUNs come or go, and REMOVE_DEVICE.
 *
 * Sizes and offsets match Linux 6.1 (drivers/scsi/storvsc_drv.c), checked
 * below; from WIN8 on the SRB always has its 52-byte form (the "win8
 * extension" after the CDB/sense union), so there is no size delta to
 * negotiate. Packed like every wire struct here.
 */
#ifndef _ENLIGHTEN_STORVSC_H
#define _ENLIGHTEN_STORVSC_H

#include <enlighten/types.h>

/* ---- Protocol versions ------------------------------------------------ */

/* A VMSTOR version: major in bits 15:8, minor in bits 7:0. */
#define ENL_VMSTOR_MAKE_VERSION(major, minor)	\
	((__u16)((((major) & 0xff) << 8) | ((minor) & 0xff)))

#define ENL_VMSTOR_VERSION_WIN8		ENL_VMSTOR_MAKE_VERSION(5, 1)
#define ENL_VMSTOR_VERSION_WIN8_1	ENL_VMSTOR_MAKE_VERSION(6, 0)
#define ENL_VMSTOR_VERSION_WIN10	ENL_VMSTOR_MAKE_VERSION(6, 2)

/* What the suite speaks, newest first (guest offers, host accepts these). */
#define ENL_VMSTOR_VERSIONS_NEWEST_FIRST {				\
	ENL_VMSTOR_VERSION_WIN10, ENL_VMSTOR_VERSION_WIN8_1,		\
	ENL_VMSTOR_VERSION_WIN8 }

/* ---- Packet operations ------------------------------------------------ */

enum enl_vstor_operation {
	ENL_VSTOR_OP_COMPLETE_IO		= 1,
	ENL_VSTOR_OP_REMOVE_DEVICE		= 2,
	ENL_VSTOR_OP_EXECUTE_SRB		= 3,
	ENL_VSTOR_OP_RESET_LUN			= 4,
	ENL_VSTOR_OP_RESET_ADAPTER		= 5,
	ENL_VSTOR_OP_RESET_BUS			= 6,
	ENL_VSTOR_OP_BEGIN_INITIALIZATION	= 7,
	ENL_VSTOR_OP_END_INITIALIZATION		= 8,
	ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION	= 9,
	ENL_VSTOR_OP_QUERY_PROPERTIES		= 10,
	ENL_VSTOR_OP_ENUMERATE_BUS		= 11,
	ENL_VSTOR_OP_FCHBA_DATA			= 12,
	ENL_VSTOR_OP_CREATE_SUB_CHANNELS	= 13,
	ENL_VSTOR_OP_MAX			= 13,
};

/* enl_vstor_packet.flags: the sender wants a COMPLETE_IO back. */
#define ENL_VSTOR_FLAG_REQUEST_COMPLETION	0x1

/*
 * enl_vstor_packet.status of a completion: 0 is success; a refused step of
 * the handshake (e.g. a version the host does not speak) is non-zero. The
 * guest tests only for zero; a host answers with an NTSTATUS, and these are
 * the ones enl-host uses.
 */
#define ENL_VSTOR_STATUS_SUCCESS		0x00000000U
#define ENL_VSTOR_STATUS_REVISION_MISMATCH	0xc0000059U
#define ENL_VSTOR_STATUS_INVALID_PARAMETER	0xc000000dU
#define ENL_VSTOR_STATUS_UNSUCCESSFUL		0xc0000001U

/* ---- The SRB: one SCSI command ----------------------------------------- */

#define ENL_VMSCSI_MAX_CDB_LEN		16
/* Sense bytes the SRB carries back (in the CDB's place), since WIN8. */
#define ENL_VMSCSI_SENSE_BUFFER_SIZE	20

/* vmscsi_request.data_in: the direction of the data (the host's view). */
#define ENL_VMSCSI_DATA_WRITE		0	/* guest -> host (data-out) */
#define ENL_VMSCSI_DATA_READ		1	/* host -> guest (data-in) */
#define ENL_VMSCSI_DATA_UNKNOWN		2	/* no data */

/*
 * srb_status: bits 5:0 a status code, bit 7 says the sense data in the
 * completion is valid (with scsi_status CHECK CONDITION), bit 6 that the
 * queue is frozen.
 */
#define ENL_SRB_STATUS_AUTOSENSE_VALID	0x80
#define ENL_SRB_STATUS_QUEUE_FROZEN	0x40
#define ENL_SRB_STATUS(s)		((s) & 0x3f)

#define ENL_SRB_STATUS_PENDING		0x00
#define ENL_SRB_STATUS_SUCCESS		0x01
#define ENL_SRB_STATUS_ABORTED		0x02
#define ENL_SRB_STATUS_ERROR		0x04
#define ENL_SRB_STATUS_INVALID_REQUEST	0x06
#define ENL_SRB_STATUS_NO_DEVICE	0x08
#define ENL_SRB_STATUS_TIMEOUT		0x09
/* The target did not answer selection: no device there (any more). */
#define ENL_SRB_STATUS_SELECTION_TIMEOUT	0x0a
#define ENL_SRB_STATUS_BUS_RESET	0x0e
/* Data overrun or underrun: data_transfer_length holds what moved. */
#define ENL_SRB_STATUS_DATA_OVERRUN	0x12
#define ENL_SRB_STATUS_INVALID_LUN	0x20

/* srb_flags (the win8 extension), as a Windows port driver reads them. */
#define ENL_SRB_FLAGS_QUEUE_ACTION_ENABLE	0x00000002
#define ENL_SRB_FLAGS_DISABLE_DISCONNECT	0x00000004
#define ENL_SRB_FLAGS_DISABLE_SYNCH_TRANSFER	0x00000008
#define ENL_SRB_FLAGS_BYPASS_FROZEN_QUEUE	0x00000010
#define ENL_SRB_FLAGS_DISABLE_AUTOSENSE		0x00000020
#define ENL_SRB_FLAGS_DATA_IN			0x00000040
#define ENL_SRB_FLAGS_DATA_OUT			0x00000080
#define ENL_SRB_FLAGS_NO_DATA_TRANSFER		0x00000000
#define ENL_SRB_FLAGS_UNSPECIFIED_DIRECTION	\
	(ENL_SRB_FLAGS_DATA_IN | ENL_SRB_FLAGS_DATA_OUT)
#define ENL_SRB_FLAGS_NO_QUEUE_FREEZE		0x00000100
#define ENL_SRB_FLAGS_ADAPTER_CACHE_ENABLE	0x00000200
#define ENL_SRB_FLAGS_FREE_SENSE_BUFFER		0x00000400
#define ENL_SRB_FLAGS_D3_PROCESSING		0x00000800
#define ENL_SRB_FLAGS_IS_ACTIVE			0x00010000
#define ENL_SRB_FLAGS_ALLOCATED_FROM_ZONE	0x00020000
#define ENL_SRB_FLAGS_SGLIST_FROM_POOL		0x00040000
#define ENL_SRB_FLAGS_BYPASS_LOCKED_QUEUE	0x00080000
#define ENL_SRB_FLAGS_NO_KEEP_AWAKE		0x00100000
#define ENL_SRB_FLAGS_PORT_DRIVER_ALLOCSENSE	0x00200000
#define ENL_SRB_FLAGS_PORT_DRIVER_SENSEHASPORT	0x00400000
#define ENL_SRB_FLAGS_DONT_START_NEXT_PACKET	0x00800000
#define ENL_SRB_FLAGS_PORT_DRIVER_RESERVED	0x0f000000
#define ENL_SRB_FLAGS_CLASS_DRIVER_RESERVED	0xf0000000

/* queue_tag / queue_action */
#define ENL_SRB_QUEUE_UNTAGGED		0xff
#define ENL_SRB_SIMPLE_TAG_REQUEST	0x20

struct enl_vmscsi_request {
	__u16 length;			/* sizeof(struct enl_vmscsi_request) */
	__u8 srb_status;		/* completion: ENL_SRB_STATUS_* */
	__u8 scsi_status;		/* completion: SAM status (GOOD, ...) */

	__u8 port_number;
	__u8 path_id;
	__u8 target_id;
	__u8 lun;

	__u8 cdb_length;
	__u8 sense_info_length;		/* request: room; completion: valid */
	__u8 data_in;			/* ENL_VMSCSI_DATA_* */
	__u8 reserved;

	__u32 data_transfer_length;	/* request: buffer; completion: moved */

	union {
		__u8 cdb[ENL_VMSCSI_MAX_CDB_LEN];
		__u8 sense_data[ENL_VMSCSI_SENSE_BUFFER_SIZE];
		__u8 reserved_array[ENL_VMSCSI_SENSE_BUFFER_SIZE];
	};

	/* The win8 extension: present in every version this suite speaks. */
	__u16 reserve;
	__u8 queue_tag;
	__u8 queue_action;
	__u32 srb_flags;
	__u32 time_out_value;
	__u32 queue_sort_key;
} __attribute__((__packed__));

ENL_ASSERT_SIZE(struct enl_vmscsi_request, 52);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, srb_status, 2);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, scsi_status, 3);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, port_number, 4);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, path_id, 5);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, target_id, 6);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, lun, 7);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, cdb_length, 8);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, sense_info_length, 9);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, data_in, 10);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, reserved, 11);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, data_transfer_length, 12);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, cdb, 16);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, sense_data, 16);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, reserve, 36);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, queue_tag, 38);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, queue_action, 39);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, srb_flags, 40);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, time_out_value, 44);
ENL_ASSERT_OFFSET(struct enl_vmscsi_request, queue_sort_key, 48);

/* ---- Handshake payloads ------------------------------------------------ */

/* storage_channel_properties.flags */
#define ENL_VSTOR_PROP_SUPPORTS_MULTI_CHANNEL	0x1

struct enl_vmstorage_channel_properties {
	__u32 reserved;
	__u16 max_channel_cnt;		/* sub-channels the host can open */
	__u16 reserved1;
	__u32 flags;			/* ENL_VSTOR_PROP_* */
	__u32 max_transfer_bytes;	/* largest data_transfer_length */
	__u64 reserved2;
} __attribute__((__packed__));

ENL_ASSERT_SIZE(struct enl_vmstorage_channel_properties, 24);
ENL_ASSERT_OFFSET(struct enl_vmstorage_channel_properties, max_channel_cnt, 4);
ENL_ASSERT_OFFSET(struct enl_vmstorage_channel_properties, reserved1, 6);
ENL_ASSERT_OFFSET(struct enl_vmstorage_channel_properties, flags, 8);
ENL_ASSERT_OFFSET(struct enl_vmstorage_channel_properties, max_transfer_bytes, 12);
ENL_ASSERT_OFFSET(struct enl_vmstorage_channel_properties, reserved2, 16);

struct enl_vmstorage_protocol_version {
	__u16 major_minor;		/* ENL_VMSTOR_VERSION_* */
	__u16 revision;			/* build revision; 0, not compared */
} __attribute__((__packed__));

ENL_ASSERT_SIZE(struct enl_vmstorage_protocol_version, 4);
ENL_ASSERT_OFFSET(struct enl_vmstorage_protocol_version, revision, 2);

/* Fibre Channel port and node names (synthetic FC only; not served here). */
struct enl_vstor_fc_wwn {
	__u8 primary_active;
	__u8 reserved1[3];
	__u8 primary_port_wwn[8];
	__u8 primary_node_wwn[8];
	__u8 secondary_port_wwn[8];
	__u8 secondary_node_wwn[8];
} __attribute__((__packed__));

ENL_ASSERT_SIZE(struct enl_vstor_fc_wwn, 36);
ENL_ASSERT_OFFSET(struct enl_vstor_fc_wwn, primary_port_wwn, 4);
ENL_ASSERT_OFFSET(struct enl_vstor_fc_wwn, secondary_node_wwn, 28);

/* ---- The packet --------------------------------------------------------- */

#define ENL_VSTOR_PAYLOAD_SIZE		52

struct enl_vstor_packet {
	__u32 operation;		/* enum enl_vstor_operation */
	__u32 flags;			/* ENL_VSTOR_FLAG_* */
	__u32 status;			/* completion: ENL_VSTOR_STATUS_* */
	union {
		struct enl_vmscsi_request vm_srb;
		struct enl_vmstorage_channel_properties storage_channel_properties;
		struct enl_vmstorage_protocol_version version;
		struct enl_vstor_fc_wwn wwn_packet;
		__u16 sub_channel_count;
		__u8 buffer[ENL_VSTOR_PAYLOAD_SIZE];
	};
} __attribute__((__packed__));

ENL_ASSERT_SIZE(struct enl_vstor_packet, 64);
ENL_ASSERT_OFFSET(struct enl_vstor_packet, flags, 4);
ENL_ASSERT_OFFSET(struct enl_vstor_packet, status, 8);
ENL_ASSERT_OFFSET(struct enl_vstor_packet, vm_srb, 12);
ENL_ASSERT_OFFSET(struct enl_vstor_packet, storage_channel_properties, 12);
ENL_ASSERT_OFFSET(struct enl_vstor_packet, version, 12);
ENL_ASSERT_OFFSET(struct enl_vstor_packet, wwn_packet, 12);
ENL_ASSERT_OFFSET(struct enl_vstor_packet, sub_channel_count, 12);
ENL_ASSERT_OFFSET(struct enl_vstor_packet, buffer, 12);

/* ---- Limits of the controllers (what Linux and Hyper-V agree on) -------- */

#define ENL_VSTOR_SCSI_MAX_TARGETS	2
#define ENL_VSTOR_SCSI_MAX_LUNS		255
#define ENL_VSTOR_SCSI_MAX_CHANNELS	8
#define ENL_VSTOR_IDE_MAX_TARGETS	1
#define ENL_VSTOR_IDE_MAX_LUNS		64
#define ENL_VSTOR_IDE_MAX_CHANNELS	1

#endif /* _ENLIGHTEN_STORVSC_H */
