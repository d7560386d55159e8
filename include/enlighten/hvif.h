/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Hyper-V guest interface carried over a QEMU ivshmem-doorbell device:
 * the contract between enl_vmbus's "pci" transport and enl-host.
 *
 * On real Hyper-V the guest writes synthetic MSRs and issues hypercalls; the
 * hypervisor writes SynIC message/event pages in guest memory and raises the
 * SINT's vector. Here the same operations travel through one call slot per
 * virtual processor in the device's shared memory (BAR2), announced by a
 * doorbell write; HvSignalEvent and EOM, which need no answer, are bits in
 * BAR2 with a doorbell of their own; and each VP's SynIC interrupts arrive
 * as that VP's MSI-X vector. Message and event pages stay in guest RAM,
 * which enl-host maps, exactly as on Hyper-V.
 * docs/hvif.md explains the sequence; this header fixes the bytes.
 */
#ifndef _ENLIGHTEN_HVIF_H
#define _ENLIGHTEN_HVIF_H

#include "types.h"

/* PCI identity of QEMU's ivshmem device (doorbell flavour, MSI-X). */
#define ENL_HVIF_PCI_VENDOR		0x1af4
#define ENL_HVIF_PCI_DEVICE		0x1110

/* BAR0 registers of ivshmem (QEMU docs/specs/ivshmem-spec.txt). */
#define ENL_HVIF_REG_INTRMASK		0x00
#define ENL_HVIF_REG_INTRSTATUS		0x04
#define ENL_HVIF_REG_IVPOSITION		0x08	/* our own peer id */
#define ENL_HVIF_REG_DOORBELL		0x0c	/* write peer << 16 | vector */

/*
 * BAR2: shared memory served by enl-host. Its first ENL_HVIF_SHM_SIZE bytes
 * are struct enl_hvif_shared; from mmio_offset on (if mmio_size is not 0)
 * lies the MMIO window: guest-physical space that is memory enl-host maps
 * too, where devices that need MMIO of their own put it (the synthetic
 * video device's VRAM). enl-host makes BAR2 ENL_HVIF_BAR2_SIZE bytes (a
 * PCI BAR is a power of two) with the window in its upper half.
 */
#define ENL_HVIF_SHM_SIZE		0x10000
#define ENL_HVIF_BAR2_SIZE		(32u << 20)
#define ENL_HVIF_MMIO_OFFSET		(16u << 20)
#define ENL_HVIF_MMIO_SIZE		(16u << 20)
#define ENL_HVIF_MAGIC			"ENLHVIF1"	/* 8 bytes, no NUL */
#define ENL_HVIF_VERSION		2
#define ENL_HVIF_MAX_VP			64

/*
 * Host -> guest: MSI-X vector v means "VP v's SynIC has something" (a
 * message or an event flag, any SINT). The device has max(max_vp, 2)
 * vectors (nr_vectors); the guest uses the first max_vp of them, one per
 * CPU, each affine to its CPU.
 *
 * Guest -> host doorbell vectors (a write of host_peer << 16 | vector):
 */
#define ENL_HVIF_DOORBELL_CALL		0	/* a call slot was filled */
#define ENL_HVIF_DOORBELL_SIGNAL	1	/* signal or EOM bits were set */
#define ENL_HVIF_NR_DOORBELLS		2
/*
 * Channel doorbells (feature ENL_HVIF_FEATURE_SIGNAL_VECTORS): vectors
 * from ENL_HVIF_DOORBELL_CHANNEL_FIRST up to nr_vectors - 1 each wake the
 * host thread that serves one channel, without a stop on the way. Which
 * one a posted signal rings is in signal_vector[]; enl-host keeps
 * ENL_HVIF_CHANNEL_DOORBELLS of them, so nr_vectors is at least
 * ENL_HVIF_DOORBELL_CHANNEL_FIRST + ENL_HVIF_CHANNEL_DOORBELLS.
 */
#define ENL_HVIF_DOORBELL_CHANNEL_FIRST	ENL_HVIF_NR_DOORBELLS
#define ENL_HVIF_CHANNEL_DOORBELLS	30

/* features: what this enl-host offers beyond hvif 2 as first published. */
#define ENL_HVIF_FEATURE_SIGNAL_VECTORS	0x1

/*
 * HvSignalEvent(connection id, flag 0) for the connection ids
 * ENL_HVIF_SIGNAL_CONN_BASE .. + ENL_HVIF_SIGNAL_BITS - 1 (VMBus channel
 * connections) is posted, not called: bit (id - base) of signal_bits.
 */
#define ENL_HVIF_SIGNAL_CONN_BASE	0x10000
#define ENL_HVIF_SIGNAL_BITS		2048
#define ENL_HVIF_SIGNAL_WORDS		(ENL_HVIF_SIGNAL_BITS / 64)

/* Operations of a call slot. */
enum enl_hvif_op {
	ENL_HVIF_OP_NONE = 0,
	/* arg[0] = synthetic MSR number, arg[1] = value */
	ENL_HVIF_OP_WRMSR = 1,
	/* arg[0] = synthetic MSR number; result value in arg[1] */
	ENL_HVIF_OP_RDMSR = 2,
	/*
	 * arg[0] = hypercall input value (call code in bits 0-15, fast bit 16),
	 * arg[1] = fast input (HvSignalEvent: connection id | flag << 32),
	 * input[] = the slow input page (HvPostMessage: struct
	 * enl_hv_input_post_message). The hypervisor status lands in status.
	 */
	ENL_HVIF_OP_HYPERCALL = 3,
};

/*
 * One per virtual processor: call[v] acts as VP v. The guest fills
 * op/arg/input, then increments seq (release) and rings
 * ENL_HVIF_DOORBELL_CALL; enl-host handles the call, writes status/arg and
 * stores seq into done (release). The guest polls done for a bounded time;
 * a call not answered in time stays in flight, and the slot is reused only
 * once done caught up with it.
 */
struct enl_hvif_call {
	__u32 seq;
	__u32 done;
	__u32 op;
	__u32 reserved;
	__u64 status;		/* HV_STATUS_* (low 16 bits) */
	__u64 arg[2];
	__u8 input[256];
	__u8 pad[216];
} ENL_PACKED;
ENL_ASSERT_SIZE(struct enl_hvif_call, 512);
ENL_ASSERT_OFFSET(struct enl_hvif_call, status, 16);
ENL_ASSERT_OFFSET(struct enl_hvif_call, arg, 24);
ENL_ASSERT_OFFSET(struct enl_hvif_call, input, 40);

/*
 * The start of BAR2. The header is written by enl-host before the guest can
 * see it; eom_bits and signal_bits are set by the guest with atomic ORs and
 * taken by enl-host with atomic exchanges, each in a cache line of its own.
 */
struct enl_hvif_shared {
	__u8 magic[8];		/* ENL_HVIF_MAGIC: never grab another ivshmem */
	__u32 version;		/* ENL_HVIF_VERSION */
	__u32 max_vp;		/* call slots and SynICs (<= ENL_HVIF_MAX_VP) */
	__u32 host_peer;	/* ivshmem peer id that takes our doorbells */
	__u32 nr_vectors;	/* MSI-X vectors of the device (>= max_vp) */
	/*
	 * The MMIO window, written by enl-host: BAR2 bytes [mmio_offset,
	 * mmio_offset + mmio_size), page aligned; mmio_size 0: none. A guest
	 * that knows no window ignores both (the fields were reserved, zero,
	 * in hvif 2 as first published).
	 */
	__u32 mmio_offset;
	__u32 mmio_size;
	/*
	 * Written by the guest at probe: the guest-physical address its
	 * firmware gave BAR2, so that enl-host can place the GPAs devices
	 * name in the window (enl-host cannot see PCI configuration).
	 */
	__u64 bar2_gpa;
	__u32 features;		/* ENL_HVIF_FEATURE_*, written by enl-host */
	__u8 reserved0[20];
	/* Bit v: VP v wrote EOM (fire and forget). */
	__u64 eom_bits;
	__u8 reserved1[56];
	/* Bit i: HvSignalEvent(ENL_HVIF_SIGNAL_CONN_BASE + i, flag 0). */
	__u64 signal_bits[ENL_HVIF_SIGNAL_WORDS];
	__u8 reserved2[128];
	struct enl_hvif_call call[ENL_HVIF_MAX_VP];
	/*
	 * With ENL_HVIF_FEATURE_SIGNAL_VECTORS: entry i is the doorbell vector
	 * to ring after setting signal_bits bit i (it was clear). Written by
	 * enl-host as channels open and close; 0 (or anything outside the
	 * channel doorbells) means ENL_HVIF_DOORBELL_SIGNAL. A stale entry
	 * costs only a spurious wake-up: the bit stays the truth.
	 */
	__u16 signal_vector[ENL_HVIF_SIGNAL_BITS];
} ENL_PACKED;
ENL_ASSERT_OFFSET(struct enl_hvif_shared, version, 8);
ENL_ASSERT_OFFSET(struct enl_hvif_shared, host_peer, 16);
ENL_ASSERT_OFFSET(struct enl_hvif_shared, nr_vectors, 20);
ENL_ASSERT_OFFSET(struct enl_hvif_shared, mmio_offset, 24);
ENL_ASSERT_OFFSET(struct enl_hvif_shared, bar2_gpa, 32);
ENL_ASSERT_OFFSET(struct enl_hvif_shared, features, 40);
ENL_ASSERT_OFFSET(struct enl_hvif_shared, eom_bits, 64);
ENL_ASSERT_OFFSET(struct enl_hvif_shared, signal_bits, 128);
ENL_ASSERT_OFFSET(struct enl_hvif_shared, call, 512);
ENL_ASSERT_OFFSET(struct enl_hvif_shared, signal_vector, 33280);
_Static_assert(ENL_HVIF_DOORBELL_CHANNEL_FIRST + ENL_HVIF_CHANNEL_DOORBELLS <=
	       ENL_HVIF_MAX_VP, "channel doorbells within the device's vectors");
_Static_assert(ENL_HVIF_MAX_VP <= 64, "eom_bits has one bit per VP");
_Static_assert(sizeof(struct enl_hvif_shared) <= ENL_HVIF_SHM_SIZE,
	       "hvif shared area larger than its part of BAR2");
_Static_assert(ENL_HVIF_SHM_SIZE <= ENL_HVIF_MMIO_OFFSET,
	       "MMIO window over the shared area");
_Static_assert(ENL_HVIF_BAR2_SIZE - ENL_HVIF_MMIO_OFFSET >= ENL_HVIF_MMIO_SIZE,
	       "MMIO window outside BAR2");
_Static_assert((ENL_HVIF_BAR2_SIZE & (ENL_HVIF_BAR2_SIZE - 1)) == 0,
	       "a PCI BAR is a power of two");

#endif /* _ENLIGHTEN_HVIF_H */
