/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The part of the Hyper-V guest interface (TLFS) that VMBus rests on: how a
 * guest finds the hypervisor (CPUID), the synthetic MSRs it programs, the two
 * hypercalls it makes (HvPostMessage, HvSignalEvent) and the SynIC pages the
 * host writes into (one 256-byte message slot and one 2048-bit event flag
 * block per SINT).
 *
 * Register bits are plain masks rather than bitfields so that both sides can
 * build and parse the 64-bit values without relying on compiler layout.
 */
#ifndef _ENLIGHTEN_HV_SYNIC_H
#define _ENLIGHTEN_HV_SYNIC_H

#include <enlighten/types.h>

/* Page size the hypervisor works in, whatever the guest's own page size. */
#define ENL_HV_PAGE_SHIFT		12
#define ENL_HV_PAGE_SIZE		(1U << ENL_HV_PAGE_SHIFT)

/* ---- CPUID (x86) ------------------------------------------------------ */

#define ENL_HV_CPUID_VENDOR_AND_MAX_FUNCTIONS	0x40000000U
#define ENL_HV_CPUID_INTERFACE			0x40000001U
#define ENL_HV_CPUID_VERSION			0x40000002U
#define ENL_HV_CPUID_FEATURES			0x40000003U

/* EAX of ENL_HV_CPUID_INTERFACE on a TLFS-conformant hypervisor: "Hv#1". */
#define ENL_HV_CPUID_INTERFACE_SIGNATURE	0x31237648U

/* EAX of ENL_HV_CPUID_FEATURES ("group A"): which MSRs the partition has. */
#define ENL_HV_MSR_TIME_REF_COUNT_AVAILABLE	(1U << 1)
#define ENL_HV_MSR_SYNIC_AVAILABLE		(1U << 2)
#define ENL_HV_MSR_HYPERCALL_AVAILABLE		(1U << 5)
#define ENL_HV_MSR_VP_INDEX_AVAILABLE		(1U << 6)

/* ---- Synthetic MSRs (x86) --------------------------------------------- */

#define ENL_HV_MSR_GUEST_OS_ID		0x40000000U
#define ENL_HV_MSR_HYPERCALL		0x40000001U
#define ENL_HV_MSR_VP_INDEX		0x40000002U
#define ENL_HV_MSR_RESET		0x40000003U
#define ENL_HV_MSR_TIME_REF_COUNT	0x40000020U
#define ENL_HV_MSR_SCONTROL		0x40000080U
#define ENL_HV_MSR_SVERSION		0x40000081U
#define ENL_HV_MSR_SIEFP		0x40000082U
#define ENL_HV_MSR_SIMP			0x40000083U
#define ENL_HV_MSR_EOM			0x40000084U
#define ENL_HV_MSR_SINT0		0x40000090U
#define ENL_HV_MSR_SINT15		0x4000009FU
/* SINTn register, n in 0..15. */
#define ENL_HV_MSR_SINT(n)		(ENL_HV_MSR_SINT0 + (n))

/*
 * Guest OS identity written to ENL_HV_MSR_GUEST_OS_ID before the hypercall
 * page may be enabled. An open-source OS sets bit 63; Linux is OS type 1 in
 * bits 62:56, hence the 0x8100 vendor word in bits 63:48. Bits 47:16 carry
 * the kernel version (LINUX_VERSION_CODE), bits 15:0 are distribution
 * specific and left at zero.
 */
#define ENL_HV_LINUX_VENDOR_ID		0x8100U
#define ENL_HV_GUEST_OS_ID(kernel_version)				\
	(((__u64)ENL_HV_LINUX_VENDOR_ID << 48) |			\
	 (((__u64)(kernel_version) & 0xffffffffULL) << 16))

/* ENL_HV_MSR_HYPERCALL: enable bit and guest page number in bits 63:12. */
#define ENL_HV_HYPERCALL_ENABLE		0x1ULL
#define ENL_HV_HYPERCALL_PAGE_SHIFT	ENL_HV_PAGE_SHIFT

/* ---- Hypercalls ------------------------------------------------------- */

/* Call codes (bits 15:0 of the hypercall input value). */
#define ENL_HVCALL_POST_MESSAGE		0x005c
#define ENL_HVCALL_SIGNAL_EVENT		0x005d

/* Other fields of the 64-bit hypercall input value. */
#define ENL_HV_HYPERCALL_CODE_MASK	0xffffULL
#define ENL_HV_HYPERCALL_FAST		(1ULL << 16)
#define ENL_HV_HYPERCALL_REP_COUNT_SHIFT	32
#define ENL_HV_HYPERCALL_REP_START_SHIFT	48

/* Bits 15:0 of the hypercall result value are one of these. */
#define ENL_HV_HYPERCALL_RESULT_MASK	0xffffULL

#define ENL_HV_STATUS_SUCCESS			0
#define ENL_HV_STATUS_INVALID_HYPERCALL_CODE	2
#define ENL_HV_STATUS_INVALID_HYPERCALL_INPUT	3
#define ENL_HV_STATUS_INVALID_ALIGNMENT		4
#define ENL_HV_STATUS_INVALID_PARAMETER		5
#define ENL_HV_STATUS_ACCESS_DENIED		6
#define ENL_HV_STATUS_OPERATION_DENIED		8
#define ENL_HV_STATUS_INSUFFICIENT_MEMORY	11
#define ENL_HV_STATUS_INVALID_PORT_ID		17
#define ENL_HV_STATUS_INVALID_CONNECTION_ID	18
#define ENL_HV_STATUS_INSUFFICIENT_BUFFERS	19

/* Connection and port ids are 24 bits; the top byte is reserved. */
#define ENL_HV_CONNECTION_ID_MASK	0x00ffffffU
#define ENL_HV_PORT_ID_MASK		0x00ffffffU

/* ---- SynIC registers -------------------------------------------------- */

#define ENL_HV_SYNIC_SINT_COUNT		16
/* Value ENL_HV_MSR_SVERSION reads back. */
#define ENL_HV_SYNIC_VERSION_1		0x1
/* Vectors 0..15 are invalid for a SINT. */
#define ENL_HV_SYNIC_FIRST_VALID_VECTOR	16

/* ENL_HV_MSR_SCONTROL */
#define ENL_HV_SYNIC_CONTROL_ENABLE	(1ULL << 0)

/* ENL_HV_MSR_SIMP / ENL_HV_MSR_SIEFP: enable bit, page number in 63:12. */
#define ENL_HV_SYNIC_SIMP_ENABLE	(1ULL << 0)
#define ENL_HV_SYNIC_SIEFP_ENABLE	(1ULL << 0)
#define ENL_HV_SYNIC_PAGE_SHIFT		ENL_HV_PAGE_SHIFT

/* ENL_HV_MSR_SINTn */
#define ENL_HV_SYNIC_SINT_VECTOR_MASK	0xffULL
#define ENL_HV_SYNIC_SINT_MASKED	(1ULL << 16)
#define ENL_HV_SYNIC_SINT_AUTO_EOI	(1ULL << 17)
#define ENL_HV_SYNIC_SINT_POLLING	(1ULL << 18)

/* ---- SynIC message page ----------------------------------------------- */

#define ENL_HV_MESSAGE_SIZE		256
#define ENL_HV_MESSAGE_PAYLOAD_BYTE_COUNT	240
#define ENL_HV_MESSAGE_PAYLOAD_QWORD_COUNT	30

/*
 * Message types seen in a slot's header. A free slot holds ENL_HVMSG_NONE;
 * the receiver writes that back, then writes ENL_HV_MSR_EOM if the
 * msg_pending flag was set so the next queued message gets delivered.
 * VMBus channel messages travel as type 1, both in HvPostMessage input and
 * in the slots of the VMBus message SINT.
 */
#define ENL_HVMSG_NONE			0x00000000U
#define ENL_HVMSG_VMBUS			0x00000001U
#define ENL_HVMSG_UNMAPPED_GPA		0x80000000U
#define ENL_HVMSG_GPA_INTERCEPT		0x80000001U
#define ENL_HVMSG_TIMER_EXPIRED		0x80000010U
#define ENL_HVMSG_INVALID_VP_REGISTER_VALUE	0x80000020U
#define ENL_HVMSG_UNRECOVERABLE_EXCEPTION	0x80000021U
#define ENL_HVMSG_UNSUPPORTED_FEATURE	0x80000022U
#define ENL_HVMSG_EVENTLOG_BUFFERCOMPLETE	0x80000040U

/* enl_hv_message_header.message_flags */
#define ENL_HV_MESSAGE_FLAG_PENDING	0x01

struct enl_hv_message_header {
	__u32 message_type;
	__u8 payload_size;
	__u8 message_flags;
	__u8 reserved[2];
	union {
		__u64 sender;
		__u32 port;	/* ENL_HV_PORT_ID_MASK applies */
	};
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_hv_message_header, 16);
ENL_ASSERT_OFFSET(struct enl_hv_message_header, message_type, 0);
ENL_ASSERT_OFFSET(struct enl_hv_message_header, payload_size, 4);
ENL_ASSERT_OFFSET(struct enl_hv_message_header, message_flags, 5);
ENL_ASSERT_OFFSET(struct enl_hv_message_header, reserved, 6);
ENL_ASSERT_OFFSET(struct enl_hv_message_header, sender, 8);
ENL_ASSERT_OFFSET(struct enl_hv_message_header, port, 8);

/* One message slot. */
struct enl_hv_message {
	struct enl_hv_message_header header;
	union {
		__u64 payload[ENL_HV_MESSAGE_PAYLOAD_QWORD_COUNT];
		__u8 bytes[ENL_HV_MESSAGE_PAYLOAD_BYTE_COUNT];
	} u;
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_hv_message, ENL_HV_MESSAGE_SIZE);
ENL_ASSERT_OFFSET(struct enl_hv_message, header, 0);
ENL_ASSERT_OFFSET(struct enl_hv_message, u, 16);

/* The SIMP page: slot n belongs to SINTn. */
struct enl_hv_message_page {
	struct enl_hv_message sint_message[ENL_HV_SYNIC_SINT_COUNT];
} ENL_PACKED;

ENL_ASSERT_SIZE(struct enl_hv_message_page, ENL_HV_PAGE_SIZE);

/* ---- SynIC event flags page ------------------------------------------- */

/*
 * Each SINT owns 256 bytes (2048 flags) of the SIEFP page. Flag n is bit
 * (n % 64) of flags[n / 64], i.e. bit (n % 8) of byte (n / 8): the same
 * bits whichever word size a side scans with, since both are little-endian.
 */
#define ENL_HV_EVENT_FLAGS_COUNT	(256 * 8)
#define ENL_HV_EVENT_FLAGS_BYTES	256

struct enl_hv_synic_event_flags {
	__u64 flags[ENL_HV_EVENT_FLAGS_BYTES / 8];
};

ENL_ASSERT_SIZE(struct enl_hv_synic_event_flags, 256);

struct enl_hv_synic_event_flags_page {
	struct enl_hv_synic_event_flags sintevent_flags[ENL_HV_SYNIC_SINT_COUNT];
};

ENL_ASSERT_SIZE(struct enl_hv_synic_event_flags_page, ENL_HV_PAGE_SIZE);

/* ---- Hypercall inputs ------------------------------------------------- */

/*
 * HvPostMessage input, placed in an 8-byte aligned page the hypervisor can
 * read; message_type is ENL_HVMSG_VMBUS for VMBus, payload_size at most
 * ENL_HV_MESSAGE_PAYLOAD_BYTE_COUNT.
 */
struct enl_hv_input_post_message {
	__u32 connection_id;
	__u32 reserved;
	__u32 message_type;
	__u32 payload_size;
	__u64 payload[ENL_HV_MESSAGE_PAYLOAD_QWORD_COUNT];
};

ENL_ASSERT_SIZE(struct enl_hv_input_post_message, 256);
ENL_ASSERT_OFFSET(struct enl_hv_input_post_message, connection_id, 0);
ENL_ASSERT_OFFSET(struct enl_hv_input_post_message, reserved, 4);
ENL_ASSERT_OFFSET(struct enl_hv_input_post_message, message_type, 8);
ENL_ASSERT_OFFSET(struct enl_hv_input_post_message, payload_size, 12);
ENL_ASSERT_OFFSET(struct enl_hv_input_post_message, payload, 16);

/*
 * HvSignalEvent input: 8 bytes, normally passed in a register as a fast
 * hypercall (ENL_HV_HYPERCALL_FAST). VMBus signals with flag_number 0 and
 * the connection id from the channel offer.
 */
struct enl_hv_input_signal_event {
	__u32 connection_id;
	__u16 flag_number;
	__u16 rsvdz;
};

ENL_ASSERT_SIZE(struct enl_hv_input_signal_event, 8);
ENL_ASSERT_OFFSET(struct enl_hv_input_signal_event, connection_id, 0);
ENL_ASSERT_OFFSET(struct enl_hv_input_signal_event, flag_number, 4);
ENL_ASSERT_OFFSET(struct enl_hv_input_signal_event, rsvdz, 6);

/* The same input as the 64-bit register value of a fast HvSignalEvent. */
#define ENL_HV_SIGNAL_EVENT_VALUE(connection_id, flag_number)		\
	(((__u64)(connection_id) & ENL_HV_CONNECTION_ID_MASK) |	\
	 ((__u64)((flag_number) & 0xffff) << 32))

#endif /* _ENLIGHTEN_HV_SYNIC_H */
