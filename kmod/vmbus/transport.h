/* SPDX-License-Identifier: GPL-2.0-only */
/* The primitives a transport (pci: enl-host over ivshmem, hv: Hyper-V) gives the SynIC layer. */
#ifndef _ENL_VMBUS_TRANSPORT_H
#define _ENL_VMBUS_TRANSPORT_H

#include <linux/types.h>
#include <enlighten/hv_synic.h>

struct device;

/*
 * Everything above a transport is shared. What differs is only how a
 * synthetic register is written, how a hypercall is made and how a SINT
 * interrupt arrives (the transport calls enl_synic_interrupt()).
 */
struct enl_transport {
	const char *name;
	/*
	 * Number of SynICs driven. hv: one per CPU (nr_cpu_ids), each
	 * programmed on its own CPU. pci: 1, VP 0's, whatever CPU the MSI-X
	 * interrupt lands on: enl-host delivers every SINT through VP 0.
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

	/* On the calling CPU's VP (hv) or VP 0 (pci). 0 or -errno. */
	int (*msr_write)(struct enl_transport *t, u32 msr, u64 val);
	int (*msr_read)(struct enl_transport *t, u32 msr, u64 *val);
	/* HvPostMessage: the HV_STATUS (>= 0) or -errno if the call failed. */
	int (*post_message)(struct enl_transport *t,
			    const struct enl_hv_input_post_message *in);
	/* Fast HvSignalEvent with ENL_HV_SIGNAL_EVENT_VALUE(); any context. */
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
 * enl_vmbus_shutdown_synic: SynIC idx off, on its own CPU for hv.
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
