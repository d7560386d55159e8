// SPDX-License-Identifier: GPL-2.0-only
/* The pci transport: the Hyper-V guest interface of enl-host over ivshmem-doorbell. */
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/utsname.h>
#include <linux/version.h>
#include <asm/irq_vectors.h>
#include <enlighten/hvif.h>
#include "transport.h"
#include "vmbus.h"

/* A call is a hypercall for the guest: the host answers in microseconds. */
#define PCI_CALL_TIMEOUT_NS	(2 * NSEC_PER_SEC)
/* enl-host answers UNLOAD at once; the bound is for a host that is gone. */
#define PCI_UNLOAD_WAIT_MS	10000
/* SIMP and SIEFP: the page number, bits 63:12. */
#define PCI_SYNIC_PAGE_BITS	(~0ULL << ENL_HV_SYNIC_PAGE_SHIFT)

struct enl_pci {
	struct enl_transport t;
	struct pci_dev *pdev;
	void __iomem *regs;		/* BAR0: ivshmem registers */
	struct enl_hvif_shared *shm;	/* BAR2, ordinary memory */
	u32 host_peer;
	/*
	 * Every call goes through VP 0's slot: enl-host keeps one SynIC
	 * (VP 0) for the guest, so MSR writes must land there whichever CPU
	 * makes them, and one slot keeps calls strictly ordered.
	 */
	raw_spinlock_t call_lock;
	u32 seq;
	bool dead;			/* a call timed out, or shut down */
	bool started;
	bool shut_down;			/* .shutdown ran: irqs and MSI-X gone */
};

static struct enl_pci *to_enl_pci(struct enl_transport *t)
{
	return container_of(t, struct enl_pci, t);
}

/*
 * One synchronous call. Hypercalls happen in atomic context (signalling a
 * channel from a softirq), so this spins rather than sleeps, with a bound.
 */
static int pci_call(struct enl_pci *p, u32 op, u64 arg0, u64 arg1,
		    const void *input, size_t input_len, u64 *status,
		    u64 *result)
{
	struct enl_hvif_call *slot = &p->shm->call[0];
	unsigned long flags;
	ktime_t deadline;
	int ret = 0;
	u32 seq;

	if (input_len > sizeof(slot->input))
		return -EINVAL;
	raw_spin_lock_irqsave(&p->call_lock, flags);
	if (p->dead) {
		ret = -ENODEV;
		goto out;
	}
	WRITE_ONCE(slot->op, op);
	WRITE_ONCE(slot->arg[0], arg0);
	WRITE_ONCE(slot->arg[1], arg1);
	WRITE_ONCE(slot->status, 0);
	if (input_len)
		memcpy(slot->input, input, input_len);
	seq = ++p->seq;
	/* The host must see the filled slot before the new seq. */
	smp_store_release(&slot->seq, seq);
	/* writel orders the shared-memory stores before the doorbell. */
	writel(p->host_peer << 16 | ENL_HVIF_DOORBELL_CALL,
	       p->regs + ENL_HVIF_REG_DOORBELL);

	deadline = ktime_add_ns(ktime_get(), PCI_CALL_TIMEOUT_NS);
	/* Acquire: the host's status and results are read after done. */
	while (smp_load_acquire(&slot->done) != seq) {
		if (ktime_after(ktime_get(), deadline)) {
			p->dead = true;
			ret = -ETIMEDOUT;
			goto out;
		}
		cpu_relax();
	}
	if (status)
		*status = READ_ONCE(slot->status);
	if (result)
		*result = READ_ONCE(slot->arg[1]);
out:
	raw_spin_unlock_irqrestore(&p->call_lock, flags);
	if (ret == -ETIMEDOUT)
		dev_err(&p->pdev->dev,
			"enl-host did not answer call %u (op %u) within 2 s; transport disabled\n",
			seq, op);
	return ret;
}

/* A register the host refuses is an error, as a #GP would be on Hyper-V. */
static int pci_msr_status(struct enl_pci *p, int ret, u64 status, u32 msr)
{
	if (ret || !(status & ENL_HV_HYPERCALL_RESULT_MASK))
		return ret;
	dev_err(&p->pdev->dev, "enl-host refused MSR %#x: status %llu\n",
		msr, status & ENL_HV_HYPERCALL_RESULT_MASK);
	return -EIO;
}

static int pci_wrmsr(struct enl_transport *t, u32 msr, u64 val)
{
	struct enl_pci *p = to_enl_pci(t);
	u64 status = 0;
	int ret;

	ret = pci_call(p, ENL_HVIF_OP_WRMSR, msr, val, NULL, 0, &status, NULL);
	return pci_msr_status(p, ret, status, msr);
}

static int pci_rdmsr(struct enl_transport *t, u32 msr, u64 *val)
{
	struct enl_pci *p = to_enl_pci(t);
	u64 status = 0;
	int ret;

	ret = pci_call(p, ENL_HVIF_OP_RDMSR, msr, 0, NULL, 0, &status, val);
	return pci_msr_status(p, ret, status, msr);
}

static int pci_post_message(struct enl_transport *t,
			    const struct enl_hv_input_post_message *in)
{
	u64 status = 0;
	int ret;

	ret = pci_call(to_enl_pci(t), ENL_HVIF_OP_HYPERCALL,
		       ENL_HVCALL_POST_MESSAGE, 0, in, sizeof(*in), &status,
		       NULL);
	return ret ? ret : (int)(status & ENL_HV_HYPERCALL_RESULT_MASK);
}

static int pci_signal_event(struct enl_transport *t, u64 input)
{
	u64 status = 0;
	int ret;

	ret = pci_call(to_enl_pci(t), ENL_HVIF_OP_HYPERCALL,
		       ENL_HVCALL_SIGNAL_EVENT | ENL_HV_HYPERCALL_FAST, input,
		       NULL, 0, &status, NULL);
	return ret ? ret : (int)(status & ENL_HV_HYPERCALL_RESULT_MASK);
}

static u32 pci_vp_index(struct enl_transport *t, unsigned int cpu)
{
	return 0;
}

/* The running kernel's version, as the guest OS id reports it. */
static u32 pci_kernel_version(void)
{
	unsigned int a = 0, b = 0, c = 0;

	if (sscanf(init_utsname()->release, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	return KERNEL_VERSION(a, b, min(c, 255u));
}

static irqreturn_t pci_sint_irq(int irq, void *data)
{
	enl_synic_interrupt(0);
	return IRQ_HANDLED;
}

/* BAR2 is ours only if enl-host wrote its magic there. */
static int pci_check_shared(struct pci_dev *pdev, struct enl_hvif_shared *s)
{
	if (memcmp(s->magic, ENL_HVIF_MAGIC, sizeof(s->magic))) {
		dev_info(&pdev->dev, "ivshmem without Enlighten magic: not ours\n");
		return -ENODEV;
	}
	if (READ_ONCE(s->version) != ENL_HVIF_VERSION) {
		dev_err(&pdev->dev, "hvif version %u, want %u\n",
			READ_ONCE(s->version), ENL_HVIF_VERSION);
		return -ENODEV;
	}
	if (READ_ONCE(s->max_vp) < 1 ||
	    READ_ONCE(s->nr_vectors) <= ENL_VMBUS_MESSAGE_SINT) {
		dev_err(&pdev->dev, "hvif offers %u VPs, %u vectors: too few\n",
			READ_ONCE(s->max_vp), READ_ONCE(s->nr_vectors));
		return -ENODEV;
	}
	return 0;
}

/*
 * A kernel that ended without .shutdown (crash kexec, kdump) left VP 0's
 * SynIC on and enl-host connected to it, writing pages that are no longer
 * its. Switch the SynIC off first, as .shutdown would have: enl-host drops
 * that connection, with its channels and GPADLs, when the SINT it answers
 * on goes off, so the INITIATE_CONTACT that follows is a first contact.
 */
static int pci_reset_stale_synic(struct enl_pci *p)
{
	u32 sint = ENL_HV_MSR_SINT(ENL_VMBUS_MESSAGE_SINT);
	u64 simp, val;
	int ret;

	ret = pci_rdmsr(&p->t, ENL_HV_MSR_SIMP, &simp);
	if (ret || !(simp & ENL_HV_SYNIC_SIMP_ENABLE))
		return ret;
	dev_warn(&p->pdev->dev, "SynIC left on by the previous kernel: switching it off\n");
	ret = pci_rdmsr(&p->t, sint, &val);
	if (!ret)
		ret = pci_wrmsr(&p->t, sint, val | ENL_HV_SYNIC_SINT_MASKED);
	if (!ret)
		ret = pci_wrmsr(&p->t, ENL_HV_MSR_SIMP,
				simp & ~(PCI_SYNIC_PAGE_BITS |
					 ENL_HV_SYNIC_SIMP_ENABLE));
	if (!ret)
		ret = pci_rdmsr(&p->t, ENL_HV_MSR_SIEFP, &val);
	if (!ret)
		ret = pci_wrmsr(&p->t, ENL_HV_MSR_SIEFP,
				val & ~(PCI_SYNIC_PAGE_BITS |
					ENL_HV_SYNIC_SIEFP_ENABLE));
	if (!ret)
		ret = pci_rdmsr(&p->t, ENL_HV_MSR_SCONTROL, &val);
	if (!ret)
		ret = pci_wrmsr(&p->t, ENL_HV_MSR_SCONTROL,
				val & ~ENL_HV_SYNIC_CONTROL_ENABLE);
	return ret;
}

static int pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct enl_pci *p;
	int nvec, ret;

	if (pci_resource_len(pdev, 2) < ENL_HVIF_SHM_SIZE)
		return -ENODEV;
	p = devm_kzalloc(&pdev->dev, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->pdev = pdev;
	raw_spin_lock_init(&p->call_lock);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (ret)
		return ret;
	p->regs = pcim_iomap_table(pdev)[0];
	/* Plain shared RAM on both sides: map it cacheable. */
	p->shm = devm_memremap(&pdev->dev, pci_resource_start(pdev, 2),
			       ENL_HVIF_SHM_SIZE, MEMREMAP_WB);
	if (IS_ERR(p->shm))
		return PTR_ERR(p->shm);
	ret = pci_check_shared(pdev, p->shm);
	if (ret)
		return ret;
	p->host_peer = READ_ONCE(p->shm->host_peer) & 0xffff;
	/*
	 * A previous kernel (or module load) left its last seq in done:
	 * continue from there, or a first call equal to it is never served.
	 */
	p->seq = READ_ONCE(p->shm->call[0].done);

	/*
	 * enl-host drops SINTs raised before MSI-X is on: enable it (and bus
	 * mastering, which MSI writes need) before any SynIC register.
	 */
	pci_set_master(pdev);
	nvec = min_t(u32, READ_ONCE(p->shm->nr_vectors), ENL_HVIF_NR_VECTORS);
	ret = pci_alloc_irq_vectors(pdev, nvec, nvec, PCI_IRQ_MSIX);
	if (ret < 0) {
		dev_err(&pdev->dev, "cannot enable %d MSI-X vectors: %d\n",
			nvec, ret);
		return ret;
	}
	ret = request_irq(pci_irq_vector(pdev, ENL_VMBUS_MESSAGE_SINT),
			  pci_sint_irq, 0, "enl_vmbus-sint", p);
	if (ret)
		goto free_vectors;

	p->t.name = "pci";
	p->t.nr_synic = 1;
	/* enl-host raises MSI-X vector n for SINT n; any valid vector will do. */
	p->t.sint_vector = HYPERVISOR_CALLBACK_VECTOR;
	p->t.parent = &pdev->dev;
	p->t.msr_write = pci_wrmsr;
	p->t.msr_read = pci_rdmsr;
	p->t.post_message = pci_post_message;
	p->t.signal_event = pci_signal_event;
	p->t.vp_index = pci_vp_index;
	pci_set_drvdata(pdev, p);

	/*
	 * On Hyper-V arch/x86/hyperv identifies the guest before any
	 * hypercall; here nobody has, and the TLFS refuses hypercalls until
	 * someone does.
	 */
	ret = pci_wrmsr(&p->t, ENL_HV_MSR_GUEST_OS_ID,
			ENL_HV_GUEST_OS_ID(pci_kernel_version()));
	if (!ret)
		ret = pci_reset_stale_synic(p);
	if (!ret)
		ret = enl_vmbus_start(&p->t);
	if (ret)
		goto free_irq;
	p->started = true;
	return 0;

free_irq:
	free_irq(pci_irq_vector(pdev, ENL_VMBUS_MESSAGE_SINT), p);
free_vectors:
	pci_free_irq_vectors(pdev);
	pci_clear_master(pdev);
	return ret;
}

static void pci_quiesce(struct enl_pci *p)
{
	free_irq(pci_irq_vector(p->pdev, ENL_VMBUS_MESSAGE_SINT), p);
	pci_free_irq_vectors(p->pdev);
	pci_clear_master(p->pdev);
}

static void pci_remove(struct pci_dev *pdev)
{
	struct enl_pci *p = pci_get_drvdata(pdev);

	if (p->started)
		enl_vmbus_stop(&p->t);
	if (!p->shut_down)
		pci_quiesce(p);
}

/*
 * Reboot and kexec (device_shutdown). The next kernel must find enl-host as
 * a first boot does: UNLOAD (the host closes every channel and frees every
 * GPADL), VP 0's SynIC off (the host stops writing our pages), then no more
 * calls, interrupts, MSI-X or DMA from the device. The device model is left
 * alone: this runs under the device lock, and the kernel is going away. The
 * UNLOAD is polled: the same path as the hv transport's crash handler.
 */
static void pci_shutdown(struct pci_dev *pdev)
{
	struct enl_pci *p = pci_get_drvdata(pdev);
	unsigned long flags;
	int ret;

	if (!p || !p->started || p->shut_down)
		return;
	ret = enl_vmbus_shutdown(&p->t, PCI_UNLOAD_WAIT_MS);
	if (ret && ret != -ENOTCONN)
		dev_warn(&pdev->dev, "UNLOAD not answered (%d): SynIC off regardless\n",
			 ret);
	enl_vmbus_shutdown_synic(&p->t, 0);
	raw_spin_lock_irqsave(&p->call_lock, flags);
	p->dead = true;
	raw_spin_unlock_irqrestore(&p->call_lock, flags);
	pci_quiesce(p);
	p->shut_down = true;
	dev_info(&pdev->dev, "shutdown: VMBus %s, SynIC and MSI-X off\n",
		 ret ? "not unloaded" : "unloaded");
}

static const struct pci_device_id pci_ids[] = {
	{ PCI_DEVICE(ENL_HVIF_PCI_VENDOR, ENL_HVIF_PCI_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, pci_ids);

static struct pci_driver pci_drv = {
	.name = "enl_vmbus_pci",
	.id_table = pci_ids,
	.probe = pci_probe,
	.remove = pci_remove,
	.shutdown = pci_shutdown,
};

int enl_transport_pci_register(void)
{
	return pci_register_driver(&pci_drv);
}

void enl_transport_pci_unregister(void)
{
	pci_unregister_driver(&pci_drv);
}
