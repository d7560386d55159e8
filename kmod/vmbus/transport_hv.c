// SPDX-License-Identifier: GPL-2.0-only
/* The hv transport: real Hyper-V, through synthetic MSRs and the kernel's hypercall page. */
#include <linux/acpi.h>
#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/irq_vectors.h>
#include <asm/msr.h>
#include <asm/mshyperv.h>
#include "transport.h"
#include "vmbus.h"

/*
 * Synthetic MSRs are per VP and act on the CPU that writes them: the SynIC
 * layer programs each CPU's SynIC on that CPU (CPU hotplug callbacks).
 * arch/x86/hyperv already set the guest OS id and the hypercall page, so
 * only the SynIC registers are ours (TLFS: Synthetic Interrupt Controller).
 */
static int hv_wrmsr(struct enl_transport *t, u32 msr, u64 val)
{
	wrmsrl(msr, val);
	return 0;
}

static int hv_rdmsr(struct enl_transport *t, u32 msr, u64 *val)
{
	rdmsrl(msr, *val);
	return 0;
}

/* HvPostMessage takes its input by GPA: the per-CPU hypercall input page. */
static int hv_post_message(struct enl_transport *t,
			   const struct enl_hv_input_post_message *in)
{
	unsigned long flags;
	void *page;
	u64 status;

	local_irq_save(flags);
	page = *this_cpu_ptr(hyperv_pcpu_input_arg);
	memcpy(page, in, sizeof(*in));
	status = hv_do_hypercall(ENL_HVCALL_POST_MESSAGE, page, NULL);
	local_irq_restore(flags);
	return (int)(status & ENL_HV_HYPERCALL_RESULT_MASK);
}

static int hv_signal_event(struct enl_transport *t, u64 input)
{
	u64 status = hv_do_fast_hypercall8(ENL_HVCALL_SIGNAL_EVENT, input);

	return (int)(status & ENL_HV_HYPERCALL_RESULT_MASK);
}

static u32 hv_vp(struct enl_transport *t, unsigned int cpu)
{
	return hv_vp_index ? hv_vp_index[cpu] : cpu;
}

/* HYPERVISOR_CALLBACK_VECTOR: every SINT of this CPU's SynIC. */
static void hv_isr(void)
{
	enl_synic_interrupt(smp_processor_id());
}

static struct enl_transport hv_transport = {
	.name = "hv",
	.sint_vector = HYPERVISOR_CALLBACK_VECTOR,
	.msr_write = hv_wrmsr,
	.msr_read = hv_rdmsr,
	.post_message = hv_post_message,
	.signal_event = hv_signal_event,
	.vp_index = hv_vp,
};

/*
 * Binding the ACPI VMBus device, like the in-tree hv_vmbus, makes the two
 * stacks exclusive: whichever binds first owns the bus and the vector.
 */
static int hv_acpi_add(struct acpi_device *adev)
{
	int ret;

	if (!hv_is_hyperv_initialized() || !hyperv_pcpu_input_arg)
		return -ENODEV;
	hv_transport.nr_synic = nr_cpu_ids;
	hv_transport.parent = &adev->dev;
	hv_setup_vmbus_handler(hv_isr);
	ret = enl_vmbus_start(&hv_transport);
	if (ret)
		hv_remove_vmbus_handler();
	return ret;
}

static int hv_acpi_remove(struct acpi_device *adev)
{
	enl_vmbus_stop(&hv_transport);
	hv_remove_vmbus_handler();
	return 0;
}

static const struct acpi_device_id hv_acpi_ids[] = {
	{ "VMBUS", 0 },
	{ "VMBus", 0 },
	{ "", 0 },
};
MODULE_DEVICE_TABLE(acpi, hv_acpi_ids);

static struct acpi_driver hv_acpi_drv = {
	.name = "enl_vmbus_hv",
	.ids = hv_acpi_ids,
	.ops = {
		.add = hv_acpi_add,
		.remove = hv_acpi_remove,
	},
};

int enl_transport_hv_register(void)
{
	return acpi_bus_register_driver(&hv_acpi_drv);
}

void enl_transport_hv_unregister(void)
{
	acpi_bus_unregister_driver(&hv_acpi_drv);
}
