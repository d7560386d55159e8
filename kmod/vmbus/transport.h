/* SPDX-License-Identifier: GPL-2.0-only */
/* The primitives a transport (pci: enl-host over ivshmem, hv: Hyper-V) gives the SynIC layer. */
#ifndef _ENL_VMBUS_TRANSPORT_H
#define _ENL_VMBUS_TRANSPORT_H

#include <linux/types.h>
#include <enlighten/hv_synic.h>

struct device;
struct resource;

/*
 * Everything above a transport is shared. What differs is only how a
 * synthetic register is written, how a hypercall is made and how a SINT
 * interrupt arrives (the transport calls enl_synic_interrupt()).
 */
struct enl_transport {
	const char *name;
	/*
	 * Number of SynICs driven: one per possible CPU (nr_cpu_ids), SynIC
	 * n being CPU n's, enabled as CPU n comes online (cpuhp) and taken by
	 * CPU n's interrupt (hv: HYPERVISOR_CALLBACK_VECTOR; pci: MSI-X
	 * vector n, affine to CPU n).
	 */
	unsigned int nr_synic;
	/* Vector programmed into the SINT register. */
	u8 sint_vector;
	/*
	 * SINT AutoEOI bit. hv: set unless Hyper-V recommends against it,
	 * because the kernel's vector handler EOIs the APIC only then.
	 */
	bool sint_auto_eoi;
	/* Parent of the bus's root device (the PCI or ACPI device). */
	struct device *parent;
	/*
	 * Guest-physical space the host backs, for devices with MMIO of their
	 * own (synthetic video VRAM): enl_vmbus_mmio_alloc() carves from it.
	 * NULL: none; then from the free part of iomem_resource. pci: the
	 * hvif MMIO window in BAR2 (docs/hvif.md).
	 */
	struct resource *mmio_window;

	/*
	 * Synthetic registers of SynIC idx's VP. 0 or -errno. hv: only on
	 * CPU idx itself (MSRs act on the CPU that writes them). pci: from
	 * any CPU, through VP idx's call slot; an EOM is posted, not called.
	 */
	int (*msr_write)(struct enl_transport *t, unsigned int idx, u32 msr,
			 u64 val);
	int (*msr_read)(struct enl_transport *t, unsigned int idx, u32 msr,
			u64 *val);
	/*
	 * HvPostMessage: the HV_STATUS (>= 0) or -errno if the call failed
	 * (pci: -ETIMEDOUT when the host did not answer in time; the message
	 * may still be delivered later). can_sleep: process context.
	 */
	int (*post_message)(struct enl_transport *t,
			    const struct enl_hv_input_post_message *in,
			    bool can_sleep);
	/*
	 * Fast HvSignalEvent with ENL_HV_SIGNAL_EVENT_VALUE(); any context.
	 * pci: posted, the host's verdict is only counted on the host.
	 */
	int (*signal_event)(struct enl_transport *t, u64 input);
	/* Hyper-V VP index of a CPU, for target_vcpu / target_vp. */
	u32 (*vp_index)(struct enl_transport *t, unsigned int cpu);
};

/* Bring VMBus up on a transport, and down. Only one at a time. */
int enl_vmbus_start(struct enl_transport *t);
void enl_vmbus_stop(struct enl_transport *t);

/*
 * kexec, reboot and crash, when the next kernel must find the host with no
 * connection, channel or GPADL of ours and the SynICs off. Neither sleeps,
 * allocates or takes a lock the interrupted context may hold; both work
 * with interrupts off.
 * enl_vmbus_shutdown: UNLOAD, then poll the message pages for the answer
 * for at most wait_ms. 0 if answered, -ENODEV if VMBus is not up on t,
 * -ENOTCONN if no version was agreed, -ETIMEDOUT, or the post's error.
 * enl_vmbus_shutdown_synic: SynIC idx off (hv: on its own CPU; pci: from
 * any CPU).
 */
int enl_vmbus_shutdown(struct enl_transport *t, unsigned int wait_ms);
void enl_vmbus_shutdown_synic(struct enl_transport *t, unsigned int idx);

/* From the transport's interrupt handler (hardirq): SynIC idx has work. */
void enl_synic_interrupt(unsigned int idx);

int enl_transport_pci_register(void);
void enl_transport_pci_unregister(void);
int enl_transport_hv_register(void);
void enl_transport_hv_unregister(void);

#endif /* _ENL_VMBUS_TRANSPORT_H */
