// SPDX-License-Identifier: GPL-2.0-only
/* The pci transport: the Hyper-V guest interface of enl-host over ivshmem-doorbell. */
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/utsname.h>
#include <linux/version.h>
#include <asm/irq_vectors.h>
#include <asm/sync_bitops.h>
#include <enlighten/hvif.h>
#include "transport.h"
#include "vmbus.h"

/*
 * A call is a hypercall for the guest: enl-host answers in microseconds.
 * Callers that cannot sleep spin at most this long; HvPostMessage from
 * process context sleeps between looks, for longer. A call not answered by
 * then fails with -ETIMEDOUT and stays in flight; its slot is reused once
 * the host caught up, so a stalled host delays calls but never ends them.
 */
#define PCI_CALL_SPIN_MS	20
/*
 * enl-host's main thread answers calls, and serves an HvPostMessage's
 * message before it answers; on a slow or busy machine that thread may
 * not run for hundreds of ms. Where the caller may sleep, wait as long as
 * for a VMBus reply (ENL_REPLY_TIMEOUT_MS): a message the host takes late
 * but the guest counted as failed leaves the two sides disagreeing (an
 * open or a GPADL the host made and the guest gave up on).
 */
#define PCI_CALL_SLEEP_MS	ENL_REPLY_TIMEOUT_MS
/* Sleeping looks start this far apart and back off to PCI_CALL_LOOK_MAX_US. */
#define PCI_CALL_LOOK_MIN_US	20
#define PCI_CALL_LOOK_MAX_US	1000
/* Probe-time calls are retried this often when the host is slow. */
#define PCI_PROBE_TRIES		5
/* How long a sleeping caller spins before it starts sleeping. */
#define PCI_CALL_FAST_NS	(50 * NSEC_PER_USEC)
/* enl-host answers UNLOAD at once; the bound is for a host that is gone. */
#define PCI_UNLOAD_WAIT_MS	10000
/* SIMP and SIEFP: the page number, bits 63:12. */
#define PCI_SYNIC_PAGE_BITS	(~0ULL << ENL_HV_SYNIC_PAGE_SHIFT)

/*
 * Our side of one call slot. CPU n uses slot n (its VP); the lock is only
 * contended when a CPU acts for another VP (resetting or turning off every
 * VP's SynIC at probe and shutdown).
 */
struct hvif_slot {
	raw_spinlock_t lock;
	u32 seq;		/* the last call issued */
	bool busy;		/* issued, its answer not collected yet */
	bool abandoned;		/* ... and its caller gave up waiting */
};

/* MSI-X vector n: VP n's SynIC has something. */
struct hvif_vec {
	struct enl_pci *p;
	unsigned int idx;
	char name[24];
};

struct enl_pci {
	struct enl_transport t;
	struct pci_dev *pdev;
	void __iomem *regs;		/* BAR0: ivshmem registers */
	struct enl_hvif_shared *shm;	/* BAR2, ordinary memory */
	struct resource mmio_window;	/* BAR2's MMIO window, if any */
	u32 host_peer;
	u32 max_vp;
	u32 doorbells_end;		/* channel doorbells: FIRST..end-1; 0: none */
	struct hvif_slot slot[ENL_HVIF_MAX_VP];
	struct hvif_vec *vec;		/* nr_synic of them */
	unsigned int nr_irqs;		/* requested so far */
	atomic_long_t timeouts;
	bool started;
	bool shut_down;			/* .shutdown ran: no calls, no MSI-X */
};

static struct enl_pci *to_enl_pci(struct enl_transport *t)
{
	return container_of(t, struct enl_pci, t);
}

static void pci_ring(struct enl_pci *p, u32 vector)
{
	/* writel orders the shared-memory stores before the doorbell. */
	writel(p->host_peer << 16 | vector, p->regs + ENL_HVIF_REG_DOORBELL);
}

struct pci_req {
	u32 op;
	u64 arg0;
	u64 arg1;
	const void *input;
	size_t input_len;
};

/* Slot lock held: true if the slot can take a new call. */
static bool slot_free(struct hvif_slot *sl, struct enl_hvif_call *c)
{
	if (!sl->busy)
		return true;
	/* A call given up on: the host answered it meanwhile. */
	if (sl->abandoned && smp_load_acquire(&c->done) == sl->seq) {
		sl->busy = false;
		sl->abandoned = false;
		return true;
	}
	return false;
}

/* Slot lock held, the call answered (acquire on done): take its results. */
static void slot_collect(struct hvif_slot *sl, struct enl_hvif_call *c,
			 u64 *status, u64 *result)
{
	*status = READ_ONCE(c->status);
	if (result)
		*result = READ_ONCE(c->arg[1]);
	sl->busy = false;
}

static bool call_answered(struct enl_hvif_call *c, u32 seq)
{
	/* Acquire: the host's status and results are read after done. */
	return smp_load_acquire(&c->done) == seq;
}

static int pci_timed_out(struct enl_pci *p, unsigned int vp, u32 op,
			 const char *what)
{
	atomic_long_inc(&p->timeouts);
	dev_warn_ratelimited(&p->pdev->dev,
			     "enl-host did not %s call (op %u) on VP %u in time: -ETIMEDOUT (%ld so far)\n",
			     what, op, vp, atomic_long_read(&p->timeouts));
	return -ETIMEDOUT;
}

/*
 * One call through VP vp's slot (vp < 0: the calling CPU's own). Without
 * can_sleep it spins with interrupts off, for at most PCI_CALL_SPIN_MS;
 * with it, it sleeps between looks, for at most PCI_CALL_SLEEP_MS.
 * 0 with the host's status, -ENODEV after shutdown, -ETIMEDOUT.
 */
static int pci_call(struct enl_pci *p, int vp, const struct pci_req *rq,
		    u64 *status, u64 *result, bool can_sleep)
{
	ktime_t deadline = ktime_add_ms(ktime_get(), can_sleep ?
					PCI_CALL_SLEEP_MS : PCI_CALL_SPIN_MS);
	struct enl_hvif_call *c;
	struct hvif_slot *sl;
	unsigned long flags;
	unsigned int v, look_us;
	u32 seq;

	if (rq->input_len > sizeof(c->input))
		return -EINVAL;
	/* Claim the slot, waiting (bounded) for a call still in flight. */
	for (;;) {
		local_irq_save(flags);
		v = vp < 0 ? raw_smp_processor_id() : vp;
		if (v >= p->max_vp) {
			local_irq_restore(flags);
			return -EINVAL;
		}
		sl = &p->slot[v];
		c = &p->shm->call[v];
		raw_spin_lock(&sl->lock);
		if (READ_ONCE(p->shut_down)) {
			raw_spin_unlock_irqrestore(&sl->lock, flags);
			return -ENODEV;
		}
		if (slot_free(sl, c))
			break;
		raw_spin_unlock_irqrestore(&sl->lock, flags);
		if (ktime_after(ktime_get(), deadline))
			return pci_timed_out(p, v, rq->op, "finish an earlier");
		if (can_sleep)
			usleep_range(50, 100);
		else
			cpu_relax();
	}

	WRITE_ONCE(c->op, rq->op);
	WRITE_ONCE(c->arg[0], rq->arg0);
	WRITE_ONCE(c->arg[1], rq->arg1);
	WRITE_ONCE(c->status, 0);
	if (rq->input_len)
		memcpy(c->input, rq->input, rq->input_len);
	seq = ++sl->seq;
	sl->busy = true;
	/* The host must see the filled slot before the new seq. */
	smp_store_release(&c->seq, seq);
	pci_ring(p, ENL_HVIF_DOORBELL_CALL);

	/* Most answers come within microseconds: spin for those. */
	if (can_sleep)
		deadline = ktime_add_ns(ktime_get(), PCI_CALL_FAST_NS);
	while (!call_answered(c, seq) && !ktime_after(ktime_get(), deadline))
		cpu_relax();
	if (call_answered(c, seq) || !can_sleep) {
		if (call_answered(c, seq)) {
			slot_collect(sl, c, status, result);
			raw_spin_unlock_irqrestore(&sl->lock, flags);
			return 0;
		}
		sl->abandoned = true;
		raw_spin_unlock_irqrestore(&sl->lock, flags);
		return pci_timed_out(p, v, rq->op, "answer");
	}

	/*
	 * A slow answer: sleep, the slot stays ours (busy, not abandoned).
	 * Back off: a vCPU polling hard takes host CPU from the very thread
	 * that is late to answer.
	 */
	raw_spin_unlock_irqrestore(&sl->lock, flags);
	deadline = ktime_add_ms(ktime_get(), PCI_CALL_SLEEP_MS);
	look_us = PCI_CALL_LOOK_MIN_US;
	while (!call_answered(c, seq) && !ktime_after(ktime_get(), deadline)) {
		usleep_range(look_us, 2 * look_us);
		look_us = min_t(unsigned int, 2 * look_us,
				PCI_CALL_LOOK_MAX_US);
	}
	raw_spin_lock_irqsave(&sl->lock, flags);
	if (call_answered(c, seq)) {
		slot_collect(sl, c, status, result);
		raw_spin_unlock_irqrestore(&sl->lock, flags);
		return 0;
	}
	sl->abandoned = true;
	raw_spin_unlock_irqrestore(&sl->lock, flags);
	return pci_timed_out(p, v, rq->op, "answer");
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

/*
 * Every SynIC register access but EOM comes from probe, remove, .shutdown
 * and CPU hotplug callbacks, which may sleep: let them wait longer for a
 * busy host. The check keeps any atomic caller spinning.
 */
static bool pci_msr_can_sleep(void)
{
	return preemptible();
}

/*
 * Bits enl-host takes from BAR2 while we set them: sync_ bitops, whose lock
 * prefix stays. A kernel booted with one present CPU patches the lock out
 * of test_and_set_bit() (SMP alternatives), in modules too; the plain
 * read-modify-write can then store back a bit enl-host took meanwhile, and
 * a bit that reads as set means "a doorbell is coming": we never ring for
 * it again, and the channel waits for good.
 */
static bool pci_post_bit(unsigned int bit, __u64 *words)
{
	return !sync_test_and_set_bit(bit, (unsigned long *)words);
}

/* EOM needs no answer: a bit per VP and the "signals" doorbell. */
static void pci_post_eom(struct enl_pci *p, unsigned int vp)
{
	if (pci_post_bit(vp, &p->shm->eom_bits))
		pci_ring(p, ENL_HVIF_DOORBELL_SIGNAL);
}

static int pci_wrmsr(struct enl_transport *t, unsigned int idx, u32 msr,
		     u64 val)
{
	struct enl_pci *p = to_enl_pci(t);
	struct pci_req rq = { .op = ENL_HVIF_OP_WRMSR, .arg0 = msr,
			      .arg1 = val };
	u64 status = 0;
	int ret;

	if (idx >= p->max_vp)
		return -EINVAL;
	if (msr == ENL_HV_MSR_EOM) {
		if (READ_ONCE(p->shut_down))
			return -ENODEV;
		pci_post_eom(p, idx);
		return 0;
	}
	ret = pci_call(p, idx, &rq, &status, NULL, pci_msr_can_sleep());
	return pci_msr_status(p, ret, status, msr);
}

static int pci_rdmsr(struct enl_transport *t, unsigned int idx, u32 msr,
		     u64 *val)
{
	struct enl_pci *p = to_enl_pci(t);
	struct pci_req rq = { .op = ENL_HVIF_OP_RDMSR, .arg0 = msr };
	u64 status = 0;
	int ret;

	if (idx >= p->max_vp)
		return -EINVAL;
	ret = pci_call(p, idx, &rq, &status, val, pci_msr_can_sleep());
	return pci_msr_status(p, ret, status, msr);
}

static int pci_post_message(struct enl_transport *t,
			    const struct enl_hv_input_post_message *in,
			    bool can_sleep)
{
	struct pci_req rq = {
		.op = ENL_HVIF_OP_HYPERCALL,
		.arg0 = ENL_HVCALL_POST_MESSAGE,
		.input = in,
		.input_len = sizeof(*in),
	};
	u64 status = 0;
	int ret;

	ret = pci_call(to_enl_pci(t), -1, &rq, &status, NULL, can_sleep);
	return ret ? ret : (int)(status & ENL_HV_HYPERCALL_RESULT_MASK);
}

/*
 * Which doorbell a posted signal on `bit` rings: the channel's own when
 * enl-host gave it one (the thread serving the channel polls it), else the
 * shared one. The table is the host's to change at any time: an entry
 * outside the channel doorbells means the shared one.
 */
static u32 pci_signal_doorbell(struct enl_pci *p, unsigned int bit)
{
	u32 v;

	if (!p->doorbells_end)
		return ENL_HVIF_DOORBELL_SIGNAL;
	v = READ_ONCE(p->shm->signal_vector[bit]);
	if (v < ENL_HVIF_DOORBELL_CHANNEL_FIRST || v >= p->doorbells_end)
		return ENL_HVIF_DOORBELL_SIGNAL;
	return v;
}

/*
 * VMBus channel signals are posted: a bit in BAR2 and, when the bit was
 * clear, a doorbell (a set bit means the host has a doorbell coming for
 * it). The guest never waits; enl-host counts and logs a bad connection
 * id. Anything else is a real hypercall.
 */
static int pci_signal_event(struct enl_transport *t, u64 input)
{
	struct enl_pci *p = to_enl_pci(t);
	u32 conn = input & ENL_HV_CONNECTION_ID_MASK;
	struct pci_req rq = {
		.op = ENL_HVIF_OP_HYPERCALL,
		.arg0 = ENL_HVCALL_SIGNAL_EVENT | ENL_HV_HYPERCALL_FAST,
		.arg1 = input,
	};
	u64 status = 0;
	int ret;

	if (READ_ONCE(p->shut_down))
		return -ENODEV;
	if (!(input >> 32) && conn >= ENL_HVIF_SIGNAL_CONN_BASE &&
	    conn - ENL_HVIF_SIGNAL_CONN_BASE < ENL_HVIF_SIGNAL_BITS) {
		unsigned int bit = conn - ENL_HVIF_SIGNAL_CONN_BASE;

		if (pci_post_bit(bit, p->shm->signal_bits))
			pci_ring(p, pci_signal_doorbell(p, bit));
		return 0;
	}
	ret = pci_call(p, -1, &rq, &status, NULL, false);
	return ret ? ret : (int)(status & ENL_HV_HYPERCALL_RESULT_MASK);
}

/* enl-host numbers VPs as the guest numbers CPUs. */
static u32 pci_vp_index(struct enl_transport *t, unsigned int cpu)
{
	return cpu;
}

/* The running kernel's version, as the guest OS id reports it. */
static u32 pci_kernel_version(void)
{
	unsigned int a = 0, b = 0, c = 0;

	if (sscanf(init_utsname()->release, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	return KERNEL_VERSION(a, b, min(c, 255u));
}

static irqreturn_t pci_vp_irq(int irq, void *data)
{
	struct hvif_vec *v = data;

	enl_synic_interrupt(v->idx);
	return IRQ_HANDLED;
}

/* BAR2 is ours only if enl-host wrote its magic there. */
static int pci_check_shared(struct pci_dev *pdev, struct enl_hvif_shared *s)
{
	u32 max_vp, nvec;

	if (memcmp(s->magic, ENL_HVIF_MAGIC, sizeof(s->magic))) {
		dev_info(&pdev->dev, "ivshmem without Enlighten magic: not ours\n");
		return -ENODEV;
	}
	if (READ_ONCE(s->version) != ENL_HVIF_VERSION) {
		dev_err(&pdev->dev, "hvif version %u, want %u\n",
			READ_ONCE(s->version), ENL_HVIF_VERSION);
		return -ENODEV;
	}
	max_vp = READ_ONCE(s->max_vp);
	nvec = READ_ONCE(s->nr_vectors);
	/* Every CPU needs its VP: a call slot, a SynIC and a vector. */
	if (max_vp > ENL_HVIF_MAX_VP || max_vp < nr_cpu_ids ||
	    nvec < nr_cpu_ids) {
		dev_err(&pdev->dev, "hvif offers %u VPs, %u vectors: %u CPUs need one each\n",
			max_vp, nvec, nr_cpu_ids);
		return -ENODEV;
	}
	return 0;
}

/*
 * A kernel that ended without .shutdown (crash kexec, kdump) left SynICs on
 * and enl-host connected, writing pages that are no longer its. Switch
 * every VP's SynIC off first, as .shutdown would have, including VPs whose
 * CPU this kernel does not run (a crash kernel often has one): enl-host
 * drops the VMBus connection, with its channels and GPADLs, when the SINT
 * it answers on goes off, so the INITIATE_CONTACT that follows is a first
 * contact.
 */
static int pci_reset_stale_synic(struct enl_pci *p, unsigned int vp)
{
	u32 sint = ENL_HV_MSR_SINT(ENL_VMBUS_MESSAGE_SINT);
	struct enl_transport *t = &p->t;
	u64 simp, val;
	int ret;

	ret = pci_rdmsr(t, vp, ENL_HV_MSR_SIMP, &simp);
	if (ret || !(simp & ENL_HV_SYNIC_SIMP_ENABLE))
		return ret;
	dev_warn(&p->pdev->dev, "VP %u's SynIC left on by the previous kernel: switching it off\n",
		 vp);
	ret = pci_rdmsr(t, vp, sint, &val);
	if (!ret)
		ret = pci_wrmsr(t, vp, sint, val | ENL_HV_SYNIC_SINT_MASKED);
	if (!ret)
		ret = pci_wrmsr(t, vp, ENL_HV_MSR_SIMP,
				simp & ~(PCI_SYNIC_PAGE_BITS |
					 ENL_HV_SYNIC_SIMP_ENABLE));
	if (!ret)
		ret = pci_rdmsr(t, vp, ENL_HV_MSR_SIEFP, &val);
	if (!ret)
		ret = pci_wrmsr(t, vp, ENL_HV_MSR_SIEFP,
				val & ~(PCI_SYNIC_PAGE_BITS |
					ENL_HV_SYNIC_SIEFP_ENABLE));
	if (!ret)
		ret = pci_rdmsr(t, vp, ENL_HV_MSR_SCONTROL, &val);
	if (!ret)
		ret = pci_wrmsr(t, vp, ENL_HV_MSR_SCONTROL,
				val & ~ENL_HV_SYNIC_CONTROL_ENABLE);
	return ret;
}

/*
 * The guest OS id, then every VP's SynIC reset. Both are idempotent: a
 * host too busy to answer in time (a loaded machine) gets a few tries
 * before the probe gives up.
 */
static int pci_identify(struct enl_pci *p)
{
	unsigned int vp, tries;
	int ret = -ETIMEDOUT;

	for (tries = 0; tries < PCI_PROBE_TRIES && ret == -ETIMEDOUT; tries++) {
		ret = pci_wrmsr(&p->t, 0, ENL_HV_MSR_GUEST_OS_ID,
				ENL_HV_GUEST_OS_ID(pci_kernel_version()));
		for (vp = 0; vp < p->max_vp && !ret; vp++)
			ret = pci_reset_stale_synic(p, vp);
	}
	return ret;
}

static void pci_free_irqs(struct enl_pci *p)
{
	while (p->nr_irqs) {
		p->nr_irqs--;
		free_irq(pci_irq_vector(p->pdev, p->nr_irqs),
			 &p->vec[p->nr_irqs]);
	}
}

/*
 * One vector per CPU, affinity-managed so that vector n fires on CPU n and
 * is shut down while CPU n is offline. The spreading gives vector n to the
 * n-th present CPU; should it not, interrupts still reach the right SynIC,
 * only on another CPU, so say so and carry on.
 */
static int pci_setup_irqs(struct enl_pci *p)
{
	struct pci_dev *pdev = p->pdev;
	unsigned int i, n = p->t.nr_synic;
	const struct cpumask *mask;
	int ret;

	p->vec = devm_kcalloc(&pdev->dev, n, sizeof(*p->vec), GFP_KERNEL);
	if (!p->vec)
		return -ENOMEM;
	ret = pci_alloc_irq_vectors_affinity(pdev, n, n,
					     PCI_IRQ_MSIX | PCI_IRQ_AFFINITY,
					     NULL);
	if (ret < 0) {
		dev_err(&pdev->dev, "cannot enable %u MSI-X vectors: %d\n",
			n, ret);
		return ret;
	}
	for (i = 0; i < n; i++) {
		struct hvif_vec *v = &p->vec[i];

		v->p = p;
		v->idx = i;
		snprintf(v->name, sizeof(v->name), "enl_vmbus-vp%u", i);
		mask = pci_irq_get_affinity(pdev, i);
		if (mask && !cpumask_equal(mask, cpumask_of(i)))
			dev_warn(&pdev->dev, "vector %u is not affine to CPU %u alone (%*pbl)\n",
				 i, i, cpumask_pr_args(mask));
		ret = request_irq(pci_irq_vector(pdev, i), pci_vp_irq, 0,
				  v->name, v);
		if (ret) {
			pci_free_irqs(p);
			pci_free_irq_vectors(pdev);
			return ret;
		}
		p->nr_irqs++;
	}
	return 0;
}

static void pci_init_slots(struct enl_pci *p)
{
	unsigned int v;

	for (v = 0; v < ENL_HVIF_MAX_VP; v++) {
		struct hvif_slot *sl = &p->slot[v];
		struct enl_hvif_call *c = &p->shm->call[v];

		raw_spin_lock_init(&sl->lock);
		if (v >= p->max_vp)
			continue;
		/*
		 * Continue from the previous kernel's last call; one it left
		 * unanswered is waited for like any abandoned call.
		 */
		sl->seq = READ_ONCE(c->seq);
		/* Acquire, as for any answer collected later. */
		sl->busy = sl->seq != smp_load_acquire(&c->done);
		sl->abandoned = sl->busy;
	}
}

/*
 * The MMIO window enl-host backs in BAR2 (hvif.h): tell the host where BAR2
 * is, and hand the window to enl_vmbus_mmio_alloc(). Without a sane one,
 * devices get address space elsewhere (which nobody backs).
 */
static void pci_setup_mmio_window(struct enl_pci *p)
{
	struct pci_dev *pdev = p->pdev;
	u32 off = READ_ONCE(p->shm->mmio_offset);
	u32 size = READ_ONCE(p->shm->mmio_size);
	resource_size_t bar_len = pci_resource_len(pdev, 2);

	WRITE_ONCE(p->shm->bar2_gpa, pci_resource_start(pdev, 2));
	if (!size)
		return;
	if (off < ENL_HVIF_SHM_SIZE || !PAGE_ALIGNED(off) ||
	    !PAGE_ALIGNED(size) || off > bar_len || size > bar_len - off) {
		dev_warn(&pdev->dev, "MMIO window %#x+%#x outside BAR2 (%pa bytes): not used\n",
			 off, size, &bar_len);
		return;
	}
	p->mmio_window.name = "enl_vmbus MMIO window";
	p->mmio_window.start = pci_resource_start(pdev, 2) + off;
	p->mmio_window.end = p->mmio_window.start + size - 1;
	p->mmio_window.flags = IORESOURCE_MEM;
	/* Shows in /proc/iomem under BAR2; allocation works without too. */
	if (insert_resource(&iomem_resource, &p->mmio_window))
		dev_warn(&pdev->dev, "MMIO window %pR not in /proc/iomem\n",
			 &p->mmio_window);
	p->t.mmio_window = &p->mmio_window;
}

static void pci_release_mmio_window(struct enl_pci *p)
{
	if (p->mmio_window.parent)
		release_resource(&p->mmio_window);
}

static int pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct enl_pci *p;
	int ret;

	if (pci_resource_len(pdev, 2) < ENL_HVIF_SHM_SIZE)
		return -ENODEV;
	p = devm_kzalloc(&pdev->dev, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->pdev = pdev;

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
	p->max_vp = READ_ONCE(p->shm->max_vp);
	if (READ_ONCE(p->shm->features) & ENL_HVIF_FEATURE_SIGNAL_VECTORS)
		p->doorbells_end = min_t(u32, READ_ONCE(p->shm->nr_vectors),
					 ENL_HVIF_MAX_VP);
	pci_init_slots(p);
	pci_setup_mmio_window(p);

	p->t.name = "pci";
	p->t.nr_synic = nr_cpu_ids;
	/* enl-host raises VP n's MSI-X vector; any valid vector will do. */
	p->t.sint_vector = HYPERVISOR_CALLBACK_VECTOR;
	p->t.parent = &pdev->dev;
	p->t.msr_write = pci_wrmsr;
	p->t.msr_read = pci_rdmsr;
	p->t.post_message = pci_post_message;
	p->t.signal_event = pci_signal_event;
	p->t.vp_index = pci_vp_index;
	pci_set_drvdata(pdev, p);

	/*
	 * enl-host drops interrupts raised before MSI-X is on: enable it (and
	 * bus mastering, which MSI writes need) before any SynIC register.
	 */
	pci_set_master(pdev);
	ret = pci_setup_irqs(p);
	if (ret)
		goto clear_master;

	/*
	 * On Hyper-V arch/x86/hyperv identifies the guest before any
	 * hypercall; here nobody has, and the TLFS refuses hypercalls until
	 * someone does. The register is partition-wide: any VP's slot will do.
	 */
	ret = pci_identify(p);
	if (!ret)
		ret = enl_vmbus_start(&p->t);
	if (ret)
		goto free_irqs;
	p->started = true;
	return 0;

free_irqs:
	pci_free_irqs(p);
	pci_free_irq_vectors(pdev);
clear_master:
	pci_clear_master(pdev);
	pci_release_mmio_window(p);
	return ret;
}

static void pci_quiesce(struct enl_pci *p)
{
	pci_free_irqs(p);
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
	pci_release_mmio_window(p);
}

/*
 * Reboot and kexec (device_shutdown). The next kernel must find enl-host as
 * a first boot does: UNLOAD (the host closes every channel and frees every
 * GPADL), every VP's SynIC off (the host stops writing our pages), then no
 * more calls, interrupts, MSI-X or DMA from the device. The device model is
 * left alone: this runs under the device lock, and the kernel is going
 * away. The UNLOAD is polled: the same path as the hv transport's crash
 * handler.
 */
static void pci_shutdown(struct pci_dev *pdev)
{
	struct enl_pci *p = pci_get_drvdata(pdev);
	unsigned int i;
	int ret;

	if (!p || !p->started || p->shut_down)
		return;
	ret = enl_vmbus_shutdown(&p->t, PCI_UNLOAD_WAIT_MS);
	if (ret && ret != -ENOTCONN)
		dev_warn(&pdev->dev, "UNLOAD not answered (%d): SynICs off regardless\n",
			 ret);
	for (i = 0; i < p->t.nr_synic; i++)
		enl_vmbus_shutdown_synic(&p->t, i);
	WRITE_ONCE(p->shut_down, true);
	pci_quiesce(p);
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
