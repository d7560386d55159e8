// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wire-format headers: every header of include/enlighten/ that declares a
 * protocol builds here with -Wall -Wextra -Werror, and a few representative
 * layouts are checked again at run time, byte by byte, as a peer would see
 * them. The compile-time asserts in the headers are the main check; this
 * catches macro and encoding mistakes they cannot.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <enlighten/hv_synic.h>
#include <enlighten/vmbus_msg.h>
#include <enlighten/vmbus_monitor.h>
#include <enlighten/guids.h>
#include <enlighten/icmsg.h>
#include <enlighten/ic_heartbeat.h>
#include <enlighten/ic_shutdown.h>
#include <enlighten/ic_timesync.h>
#include <enlighten/ic_kvp.h>
#include <enlighten/ic_vss.h>
#include <enlighten/storvsc.h>
#include <enlighten/synthhid.h>
#include <enlighten/synthkbd.h>

#include "tap.h"

static __u32 get_le32(const __u8 *p)
{
	return (__u32)p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 |
	       (__u32)p[3] << 24;
}

static __u64 get_le64(const __u8 *p)
{
	return (__u64)get_le32(p) | (__u64)get_le32(p + 4) << 32;
}

static void test_guids(void)
{
	/* {a9a0f4e7-5a45-4d96-b827-8a841e8c03e6}, mixed-endian on the wire */
	static const __u8 kvp_wire[16] = {
		0xe7, 0xf4, 0xa0, 0xa9, 0x45, 0x5a, 0x96, 0x4d,
		0xb8, 0x27, 0x8a, 0x84, 0x1e, 0x8c, 0x03, 0xe6,
	};
	static const struct enl_guid kvp = ENL_GUID_KVP;
	unsigned int i, j;
	int ok = 1;

	tap_ok(!memcmp(kvp.b, kvp_wire, 16), "KVP GUID wire bytes");
	tap_ok(enl_guid_equal(enl_dev_class_guid(ENL_DEV_KVP), &kvp),
	       "class table holds the KVP GUID");

	for (i = ENL_DEV_UNKNOWN + 1; i < ENL_DEV_COUNT; i++) {
		const struct enl_guid *g = enl_dev_class_guid(i);

		if (enl_dev_class_from_guid(g) != (enum enl_dev_class)i) {
			tap_diag("class %u does not round-trip", i);
			ok = 0;
		}
		for (j = i + 1; j < ENL_DEV_COUNT; j++) {
			if (enl_guid_equal(g, enl_dev_class_guid(j)) ||
			    !strcmp(enl_dev_class_name(i),
				    enl_dev_class_name(j))) {
				tap_diag("classes %u and %u collide", i, j);
				ok = 0;
			}
		}
		if (!strcmp(enl_dev_class_name(i), "unknown"))
			ok = 0;
	}
	tap_ok(ok, "every class has a distinct GUID and name, and round-trips");

	tap_ok(enl_dev_class_from_guid(enl_dev_class_guid(ENL_DEV_UNKNOWN)) ==
	       ENL_DEV_UNKNOWN, "the null GUID is no class");
	tap_ok(!strcmp(enl_dev_class_name(ENL_DEV_COUNT), "unknown") &&
	       enl_dev_class_guid(ENL_DEV_COUNT) ==
	       enl_dev_class_guid(ENL_DEV_UNKNOWN),
	       "out-of-range class is unknown");
	tap_ok(!strcmp(enl_dev_class_name(ENL_DEV_HEARTBEAT), "heartbeat") &&
	       !strcmp(enl_dev_class_name(ENL_DEV_TIMESYNC), "timesync") &&
	       !strcmp(enl_dev_class_name(ENL_DEV_CLIPBOARD), "clipboard") &&
	       !strcmp(enl_dev_class_name(ENL_DEV_ECHO), "echo"),
	       "service names");
}

static void test_synic(void)
{
	struct enl_hv_message_page page;
	struct enl_hv_message *m = &page.sint_message[ENL_VMBUS_MESSAGE_SINT];
	const __u8 *raw = (const __u8 *)&page;
	size_t slot = ENL_VMBUS_MESSAGE_SINT * ENL_HV_MESSAGE_SIZE;

	memset(&page, 0, sizeof(page));
	m->header.message_type = ENL_HVMSG_VMBUS;
	m->header.payload_size = 12;
	m->header.message_flags = ENL_HV_MESSAGE_FLAG_PENDING;
	m->u.bytes[0] = 0xaa;

	tap_ok(sizeof(page) == 4096 && get_le32(raw + slot) == 1 &&
	       raw[slot + 4] == 12 && raw[slot + 5] == 1 &&
	       raw[slot + 16] == 0xaa,
	       "SIMP slot of SINT 2 at byte %zu", slot);

	tap_ok(ENL_HV_MSR_SINT(2) == 0x40000092 &&
	       ENL_HV_MSR_SINT(15) == ENL_HV_MSR_SINT15,
	       "SINT MSR numbers");
	tap_ok(ENL_HV_SIGNAL_EVENT_VALUE(0x123456, 1) == 0x0000000100123456ULL,
	       "fast HvSignalEvent value");
	tap_ok(ENL_HV_GUEST_OS_ID(0x060100) == 0x8100000601000000ULL,
	       "guest OS id of Linux 6.1.0");
	tap_ok(offsetof(struct enl_hv_input_post_message, payload) == 16 &&
	       sizeof(struct enl_hv_input_post_message) == 256,
	       "HvPostMessage input layout");
	tap_ok(offsetof(struct enl_hv_monitor_page, parameter) == 1088 &&
	       sizeof(struct enl_hv_monitor_page) == 4096,
	       "monitor page layout");
}

static void test_vmbus_msg(void)
{
	__u8 buf[ENL_VMBUS_MAX_MSG_SIZE];
	struct enl_vmbus_channel_offer_channel *o = (void *)buf;
	struct enl_vmbus_channel_initiate_contact *ic = (void *)buf;
	struct enl_vmbus_channel_gpadl_header *gh = (void *)buf;
	struct enl_vmbus_channel_version_response *vr = (void *)buf;
	static const struct enl_guid scsi = ENL_GUID_SCSI;

	tap_ok(ENL_VMBUS_VERSION_WIN8 == 0x00020004 &&
	       ENL_VMBUS_VERSION_WIN10_V5_3 == 0x00050003 &&
	       ENL_VMBUS_VERSION_MAJOR(ENL_VMBUS_VERSION_WIN8_1) == 3 &&
	       ENL_VMBUS_VERSION_MINOR(ENL_VMBUS_VERSION_WIN10_V4_1) == 1,
	       "VMBus version words");

	memset(buf, 0, sizeof(buf));
	o->header.msgtype = ENL_CHANNELMSG_OFFERCHANNEL;
	o->offer.if_type = scsi;
	o->offer.u.pipe.pipe_mode = ENL_VMBUS_PIPE_TYPE_MESSAGE;
	o->offer.sub_channel_index = 3;
	o->child_relid = 0x11223344;
	o->monitorid = 0x42;
	o->monitor_allocated = ENL_VMBUS_OFFER_MONITOR_ALLOCATED;
	o->is_dedicated_interrupt = ENL_VMBUS_OFFER_DEDICATED_INTERRUPT;
	o->connection_id = 0x00abcdef;
	tap_ok(get_le32(buf) == 1 && buf[8] == 0xd9 && buf[60] == 4 &&
	       buf[180] == 3 && get_le32(buf + 192 - 8) == 0x11223344 &&
	       buf[188] == 0x42 && buf[189] == 1 && buf[190] == 1 &&
	       get_le32(buf + 192) == 0x00abcdef &&
	       sizeof(*o) == 196,
	       "offer channel bytes");

	memset(buf, 0, sizeof(buf));
	ic->header.msgtype = ENL_CHANNELMSG_INITIATE_CONTACT;
	ic->vmbus_version_requested = ENL_VMBUS_VERSION_WIN10_V5_2;
	ic->msg_sint = ENL_VMBUS_MESSAGE_SINT;
	ic->msg_vtl = 0;
	ic->monitor_page1 = 0x1000;
	ic->monitor_page2 = 0x2000;
	tap_ok(get_le32(buf) == 14 && get_le32(buf + 8) == 0x00050002 &&
	       buf[16] == 2 && get_le64(buf + 16) == 2 &&
	       get_le64(buf + 24) == 0x1000 && get_le64(buf + 32) == 0x2000,
	       "initiate contact (5.x layout) bytes");
	ic->interrupt_page = 0x123000;
	tap_ok(get_le64(buf + 16) == 0x123000, "initiate contact (pre-5.0)");

	memset(buf, 0, sizeof(buf));
	vr->version_supported = 1;
	vr->msg_conn_id = ENL_VMBUS_MESSAGE_CONNECTION_ID_4;
	tap_ok(buf[8] == 1 && get_le32(buf + 12) == 4,
	       "version response bytes");

	memset(buf, 0, sizeof(buf));
	gh->rangecount = 1;
	gh->range_buflen = sizeof(struct enl_gpa_range) +
			   ENL_VMBUS_GPADL_HEADER_MAX_PFNS * sizeof(__u64);
	enl_vmbus_gpadl_header_range(gh)->byte_count = 0x5000;
	enl_vmbus_gpadl_header_range(gh)->pfn_array
		[ENL_VMBUS_GPADL_HEADER_MAX_PFNS - 1] = 0x77;
	tap_ok(get_le32(buf + 20) == 0x5000 &&
	       get_le64(buf + ENL_VMBUS_MAX_MSG_SIZE - 4 - 8) == 0x77 &&
	       enl_vmbus_gpadl_header_range_const(gh)->byte_count == 0x5000,
	       "GPADL header range at 20, last of %zu pfns fits",
	       (size_t)ENL_VMBUS_GPADL_HEADER_MAX_PFNS);
	tap_ok(sizeof(struct enl_vmbus_channel_gpadl_body) +
	       ENL_VMBUS_GPADL_BODY_MAX_PFNS * 8 == ENL_VMBUS_MAX_MSG_SIZE,
	       "GPADL body holds %zu pfns",
	       (size_t)ENL_VMBUS_GPADL_BODY_MAX_PFNS);
	tap_ok(ENL_CHANNELMSG_MODIFYCHANNEL_RESPONSE == 24 &&
	       ENL_CHANNELMSG_TL_CONNECT_REQUEST == 21 &&
	       ENL_CHANNELMSG_UNLOAD_RESPONSE == 17,
	       "channel message type numbers");
}

static void test_ic(void)
{
	__u8 pkt[ENL_ICMSG_NEGOTIATE_PKT_SIZE(2, 2)];
	struct enl_icmsg_hdr *h = (void *)(pkt + ENL_ICMSG_HDR_OFFSET);
	struct enl_icmsg_negotiate *n = (void *)(pkt + ENL_ICMSG_BODY_OFFSET);
	__u8 hb[ENL_ICMSG_BODY_OFFSET + sizeof(struct enl_ic_heartbeat_msg)];
	struct enl_ic_heartbeat_msg *hbm = (void *)(hb + ENL_ICMSG_BODY_OFFSET);

	tap_ok(sizeof(pkt) == 28 + 8 + 16, "negotiate packet size");
	memset(pkt, 0, sizeof(pkt));
	h->icmsgtype = ENL_ICMSGTYPE_NEGOTIATE;
	h->icmsgsize = ENL_ICMSG_NEGOTIATE_RESP_SIZE;
	h->ictransaction_id = 7;
	h->icflags = ENL_ICMSGHDRFLAG_TRANSACTION | ENL_ICMSGHDRFLAG_RESPONSE;
	h->status = ENL_HV_E_FAIL;
	n->icframe_vercnt = 1;
	n->icmsg_vercnt = 1;
	n->icversion_data[1].major = 3;
	n->icversion_data[1].minor = 2;
	tap_ok(pkt[8 + 10] == 16 && pkt[8 + 16] == 7 && pkt[8 + 17] == 5 &&
	       get_le32(pkt + 8 + 12) == 0x80004005 && pkt[28] == 1 &&
	       pkt[30] == 1 && pkt[28 + 12] == 3 && pkt[28 + 14] == 2,
	       "icmsg header and negotiate bytes");
	tap_ok(enl_ic_version_word(&n->icversion_data[1]) ==
	       ENL_IC_SHUTDOWN_VERSION_3_2, "version word helper");

	/* The body sits at offset 28: the packed u64 must still work. */
	memset(hb, 0, sizeof(hb));
	hbm->seq_num = 0x0102030405060708ULL;
	hbm->seq_num++;
	tap_ok(get_le64(hb + 28) == 0x0102030405060709ULL,
	       "heartbeat seq_num at unaligned offset 28");

	tap_ok(offsetof(struct enl_ic_shutdown_msg, display_message) == 12 &&
	       sizeof(struct enl_ic_timesync_data) == 25 &&
	       sizeof(struct enl_ic_timesync_ref_data) == 22 &&
	       offsetof(struct enl_ic_timesync_ref_data, stratum) == 18,
	       "shutdown and timesync layouts");
	tap_ok(offsetof(struct enl_kvp_msg, body.kvp_enum_data.data.value) ==
	       4 + 4 + 524 &&
	       offsetof(struct enl_kvp_ip_msg, kvp_ip_val.dns_addr) == 2 + 5378 &&
	       sizeof(struct enl_kvp_ip_msg) == 7428,
	       "KVP layouts");
	tap_ok(offsetof(struct enl_vss_msg, vss_cf.flags) == 8 &&
	       sizeof(struct enl_vss_msg) == 12 && ENL_VSS_OP_FREEZE == 5 &&
	       ENL_VSS_OP_THAW == 6, "VSS layout and operations");
}

static void test_storvsc(void)
{
	static const __u16 versions[] = ENL_VMSTOR_VERSIONS_NEWEST_FIRST;
	struct enl_vstor_packet pkt;
	const __u8 *b = (const __u8 *)&pkt;

	tap_ok(ENL_VMSTOR_VERSION_WIN8 == 0x0501 &&
	       ENL_VMSTOR_VERSION_WIN8_1 == 0x0600 &&
	       ENL_VMSTOR_VERSION_WIN10 == 0x0602 &&
	       sizeof(versions) == 3 * sizeof(versions[0]) &&
	       versions[0] == ENL_VMSTOR_VERSION_WIN10,
	       "VMSTOR versions, newest first");

	memset(&pkt, 0, sizeof(pkt));
	pkt.operation = ENL_VSTOR_OP_EXECUTE_SRB;
	pkt.flags = ENL_VSTOR_FLAG_REQUEST_COMPLETION;
	pkt.vm_srb.length = sizeof(pkt.vm_srb);
	pkt.vm_srb.lun = 7;
	pkt.vm_srb.cdb_length = 10;
	pkt.vm_srb.data_in = ENL_VMSCSI_DATA_READ;
	pkt.vm_srb.data_transfer_length = 0x00100000;
	pkt.vm_srb.cdb[0] = 0x28;
	pkt.vm_srb.cdb[15] = 0xee;
	pkt.vm_srb.queue_tag = ENL_SRB_QUEUE_UNTAGGED;
	pkt.vm_srb.srb_flags = ENL_SRB_FLAGS_DATA_IN;
	pkt.vm_srb.queue_sort_key = 0xa1b2c3d4;
	tap_ok(sizeof(pkt) == 64 && get_le32(b) == 3 && get_le32(b + 4) == 1 &&
	       b[12] == 52 && b[12 + 7] == 7 && b[12 + 8] == 10 &&
	       b[12 + 10] == 1 && get_le32(b + 12 + 12) == 0x00100000 &&
	       b[12 + 16] == 0x28 && b[12 + 31] == 0xee && b[12 + 38] == 0xff &&
	       get_le32(b + 12 + 40) == 0x40 &&
	       get_le32(b + 12 + 48) == 0xa1b2c3d4,
	       "EXECUTE_SRB packet bytes (SRB with the win8 extension)");

	/* The sense data overlays the CDB and runs 4 bytes past it. */
	pkt.vm_srb.sense_data[19] = 0x5a;
	tap_ok(b[12 + 35] == 0x5a && pkt.vm_srb.reserve == 0,
	       "sense data: 20 bytes in the CDB's place");

	memset(&pkt, 0, sizeof(pkt));
	pkt.operation = ENL_VSTOR_OP_COMPLETE_IO;
	pkt.status = ENL_VSTOR_STATUS_REVISION_MISMATCH;
	pkt.storage_channel_properties.max_channel_cnt = 0x0102;
	pkt.storage_channel_properties.flags =
		ENL_VSTOR_PROP_SUPPORTS_MULTI_CHANNEL;
	pkt.storage_channel_properties.max_transfer_bytes = 0x800000;
	tap_ok(get_le32(b + 8) == 0xc0000059 && b[16] == 2 && b[17] == 1 &&
	       get_le32(b + 20) == 1 && get_le32(b + 24) == 0x800000,
	       "channel properties bytes");
	memset(&pkt, 0, sizeof(pkt));
	pkt.version.major_minor = ENL_VMSTOR_VERSION_WIN10;
	pkt.version.revision = 0x1234;
	tap_ok(b[12] == 0x02 && b[13] == 0x06 && b[14] == 0x34 && b[15] == 0x12,
	       "protocol version bytes");
	tap_ok(ENL_SRB_STATUS(ENL_SRB_STATUS_ERROR |
			      ENL_SRB_STATUS_AUTOSENSE_VALID |
			      ENL_SRB_STATUS_QUEUE_FROZEN) ==
	       ENL_SRB_STATUS_ERROR && ENL_SRB_STATUS_INVALID_LUN == 0x20 &&
	       ENL_SRB_STATUS_DATA_OVERRUN == 0x12 &&
	       ENL_VSTOR_OP_CREATE_SUB_CHANNELS == 13,
	       "SRB status codes and operations");
}

int main(void)
{
	test_guids();
	test_synic();
	test_vmbus_msg();
	test_ic();
	test_storvsc();
	return tap_done();
}
