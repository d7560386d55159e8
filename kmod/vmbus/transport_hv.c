// SPDX-License-Identifier: GPL-2.0-only
/* The hv transport: real Hyper-V, through synthetic MSRs and the kernel's hypercall page. */
#include <linux/acpi.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/irqflags.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/irq_vectors.h>
#include <asm/msr.h>
#include <asm/mshyperv.h>
#include "transport.h"
#include "vmbus.h"

/* The ACPI ids of the VMBus device, as the in-tree hv_vmbus binds them. */
static const struct acpi_device_id hv_acpi_ids[] = {
	{ "VMBUS", 0 },
	{ "VMBus", 0 },
	{ "", 0 },
};
MODULE_DEVICE_TABLE(acpi, hv_acpi_ids);

/*
 * How long kexec and crash wait for UNLOAD_RESPONSE, as Linux's
 * vmbus_wait_for_unload: an Azure host writes back its disk cache before
 * answering, seen to take up to 50 s.
 */
#define HV_UNLOAD_WAIT_MS	(100 * 1000)

/* Why the last probe failed, for enl_transport_hv_register(). */
static int hv_probe_err;
static bool hv_registered;

/*
 * Synthetic MSRs are per VP and act on the CPU that writes them: the SynIC
 * layer programs each CPU's SynIC on that CPU (CPU hotplug callbacks), so
 * idx is always the calling CPU and needs no use here.
 * arch/x86/hyperv already set the guest OS id and the hypercall page, so
 * only the SynIC registers are ours (TLFS: Synthetic Interrupt Controller).
 * A missing MSR faults: report it rather than oops.
 */
static int hv_wrmsr(struct enl_transport *t, unsigned int idx, u32 msr,
		    u64 val)
{
	return wrmsrl_safe(msr, val) ? -EIO : 0;
}

static int hv_rdmsr(struct enl_transport *t, unsigned int idx, u32 msr,
		    u64 *val)
{
	return rdmsrl_safe(msr, val) ? -EIO : 0;
}

/*
 * HvPostMessage takes its input by GPA, 8-byte aligned and within one page:
 * the per-CPU hypercall input page (page aligned), used with interrupts off
 * as every user of it does. The hypercall returns at once: can_sleep
 * changes nothing here.
 */
static int hv_post_message(struct enl_transport *t,
			   const struct enl_hv_input_post_message *in,
			   bool can_sleep)
{
	unsigned long flags;
	void *page;
	u64 status;

	BUILD_BUG_ON(sizeof(*in) > HV_HYP_PAGE_SIZE);
	local_irq_save(flags);
	page = *this_cpu_ptr(hyperv_pcpu_input_arg);
	if (!page) {
		local_irq_restore(flags);
		return -ENODEV;
	}
	memcpy(page, in, sizeof(*in));
	status = hv_do_hypercall(ENL_HVCALL_POST_MESSAGE, page, NULL);
	local_irq_restore(flags);
	return (int)(status & ENL_HV_HYPERCALL_RESULT_MASK);
}

/* Fast call: the 8-byte input in a register, no input page. */
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

static void hv_synic_off_here(void *unused)
{
	enl_vmbus_shutdown_synic(&hv_transport, smp_processor_id());
}

/*
 * kexec, from machine_shutdown() (after device_shutdown, before the other
 * CPUs are stopped, interrupts on): UNLOAD, so the host lets go of every
 * channel and ring GPADL, then every CPU's SynIC off, so the hypervisor
 * stops writing message and event pages that will belong to the next
 * kernel (Linux 6.1: hv_kexec_handler). The UNLOAD is polled as on crash.
 */
static void hv_kexec(void)
{
	int ret = enl_vmbus_shutdown(&hv_transport, HV_UNLOAD_WAIT_MS);

	if (ret == -ENODEV)
		return;
	if (ret && ret != -ENOTCONN)
		pr_err("enl_vmbus: kexec: no UNLOAD_RESPONSE (%d)\n", ret);
	if (irqs_disabled())
		hv_synic_off_here(NULL);
	else
		on_each_cpu(hv_synic_off_here, NULL, 1);
}

/*
 * Crash, from machine_crash_shutdown() before the other CPUs are stopped:
 * any context, interrupts off, locks possibly held. UNLOAD with a polled
 * wait, then this CPU's SynIC off: the crash kernel boots on this CPU, and
 * the other CPUs are stopped with their SynICs pointing into the old
 * kernel's memory, which the crash kernel does not use (Linux 6.1:
 * hv_crash_handler does the same).
 */
static void hv_crash(struct pt_regs *regs)
{
	if (enl_vmbus_shutdown(&hv_transport, HV_UNLOAD_WAIT_MS) == -ENODEV)
		return;
	hv_synic_off_here(NULL);
}

/* Can this partition be a VMBus client through this transport? */
static int hv_check(struct acpi_device *adev)
{
	u64 simp;

	if (!hv_is_hyperv_initialized() || !hv_hypercall_pg ||
	    !hyperv_pcpu_input_arg)
		return -ENODEV;
	if (!(ms_hyperv.features & HV_MSR_SYNIC_AVAILABLE)) {
		dev_err(&adev->dev, "Hyper-V offers no SynIC to this partition\n");
		return -ENODEV;
	}
	if (hv_root_partition) {
		dev_err(&adev->dev, "the root partition is no VMBus client\n");
		return -ENODEV;
	}
	/* Isolated VMs need GHCB hypercalls and paravisor SynIC pages. */
	if (hv_is_isolation_supported()) {
		dev_err(&adev->dev, "isolated (confidential) VMs are not supported; use hv_vmbus\n");
		return -ENODEV;
	}
	/* An enabled message page means another driver owns this SynIC. */
	if (rdmsrl_safe(ENL_HV_MSR_SIMP, &simp))
		return -ENODEV;
	if (simp & ENL_HV_SYNIC_SIMP_ENABLE) {
		dev_err(&adev->dev, "the SynIC is already in use (hv_vmbus, or a kernel before kexec)\n");
		return -EBUSY;
	}
	return 0;
}

/*
 * The in-tree hv_vmbus is an acpi_driver for the same ids: binding the ACPI
 * device makes the two stacks exclusive, whichever binds first owns the bus,
 * the SynIC and the vector (hv_vmbus fails to load once we hold it).
 */
static int hv_acpi_add(struct acpi_device *adev)
{
	int ret;

	ret = hv_check(adev);
	if (ret)
		goto out;
	hv_transport.nr_synic = nr_cpu_ids;
	hv_transport.parent = &adev->dev;
	/*
	 * The kernel's vector handler EOIs the local APIC only when Hyper-V
	 * recommends against AutoEOI; otherwise the SINT must auto-EOI.
	 */
	hv_transport.sint_auto_eoi =
		!(ms_hyperv.hints & HV_DEPRECATING_AEOI_RECOMMENDED);
	hv_setup_vmbus_handler(hv_isr);
	ret = enl_vmbus_start(&hv_transport);
	if (ret) {
		hv_remove_vmbus_handler();
		goto out;
	}
	/* Single slots in arch/x86: ours, since hv_vmbus cannot be loaded. */
	hv_setup_kexec_handler(hv_kexec);
	hv_setup_crash_handler(hv_crash);
out:
	hv_probe_err = ret;
	return ret;
}

/* UNLOAD, then the SynICs, then the vector: enl_vmbus_stop does the first two. */
static int hv_acpi_remove(struct acpi_device *adev)
{
	hv_remove_crash_handler();
	hv_remove_kexec_handler();
	enl_vmbus_stop(&hv_transport);
	hv_remove_vmbus_handler();
	return 0;
}

static struct acpi_driver hv_acpi_drv = {
	.name = "enl_vmbus_hv",
	.ids = hv_acpi_ids,
	.ops = {
		.add = hv_acpi_add,
		.remove = hv_acpi_remove,
	},
	/* enl_transport_hv_register() looks at the outcome. */
	.drv.probe_type = PROBE_FORCE_SYNCHRONOUS,
};

/*
 * After registering: 0 if we own VMBus or there is none to own (no such
 * ACPI device, or not Hyper-V), else why not, with the reason in the log.
 */
static int hv_acpi_outcome(void)
{
	const struct acpi_device_id *id;
	struct acpi_device *adev;
	struct device_driver *drv;
	int ret = 0;

	for (id = hv_acpi_ids; id->id[0] && !ret; id++) {
		adev = acpi_dev_get_first_match_dev(id->id, NULL, -1);
		if (!adev)
			continue;
		device_lock(&adev->dev);
		drv = adev->dev.driver;
		if (drv && drv != &hv_acpi_drv.drv) {
			pr_err("enl_vmbus: VMBus (%s) is owned by driver \"%s\", the in-tree hv_vmbus: not loading. Blacklist hv_vmbus, or if it is built in boot with initcall_blacklist=hv_acpi_init\n",
			       dev_name(&adev->dev), drv->name);
			ret = -EBUSY;
		} else if (!drv && hv_probe_err && hv_probe_err != -ENODEV) {
			ret = hv_probe_err;
		}
		device_unlock(&adev->dev);
		acpi_dev_put(adev);
	}
	return ret;
}

/* -ENODEV: no ACPI. Any other error: on Hyper-V, yet VMBus is not ours. */
int enl_transport_hv_register(void)
{
	int ret;

	ret = acpi_bus_register_driver(&hv_acpi_drv);
	if (ret)
		return ret;
	ret = hv_acpi_outcome();
	if (ret)
		acpi_bus_unregister_driver(&hv_acpi_drv);
	hv_registered = !ret;
	return ret;
}

void enl_transport_hv_unregister(void)
{
	if (hv_registered)
		acpi_bus_unregister_driver(&hv_acpi_drv);
	hv_registered = false;
}
