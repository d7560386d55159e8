// SPDX-License-Identifier: GPL-2.0-only
/* SynIC layer: message and event pages, their registers, and draining them. */
#include <linux/bitops.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include "vmbus.h"

/* Messages handled per tasklet run before yielding the CPU. */
#define SYNIC_MSG_BUDGET	16

/*
 * Take the message in s's VMBus SINT slot, if any: true with *type and
 * *size set and the payload in buf. Called with s->msg_lock held.
 */
static bool synic_take_message(struct enl_vmbus *vb, struct enl_synic *s,
			       u32 *type, void *buf, u32 *size)
{
	struct enl_hv_message *msg =
		&s->msg_page->sint_message[ENL_VMBUS_MESSAGE_SINT];

	*type = READ_ONCE(msg->header.message_type);
	if (*type == ENL_HVMSG_NONE)
		return false;
	*size = READ_ONCE(msg->header.payload_size);
	if (*size > ENL_HV_MESSAGE_PAYLOAD_BYTE_COUNT) {
		atomic_long_inc(&vb->err.bad_msg);
		pr_err_ratelimited("enl_vmbus: SynIC message of %u bytes dropped\n",
				   *size);
		*type = ENL_HVMSG_NONE;
		*size = 0;
	}
	memcpy(buf, msg->u.bytes, *size);
	WRITE_ONCE(msg->header.message_type, ENL_HVMSG_NONE);
	/*
	 * The freed slot must be visible before EOM: on EOM the host
	 * delivers its next queued message into the same slot. Read the
	 * pending flag only now: the host may set it while the slot is
	 * still full.
	 */
	mb();
	if (READ_ONCE(msg->header.message_flags) & ENL_HV_MESSAGE_FLAG_PENDING)
		vb->t->msr_write(vb->t, s->idx, ENL_HV_MSR_EOM, 0);
	return true;
}

static void synic_handle_message(struct enl_vmbus *vb, u32 type,
				 const void *buf, u32 size)
{
	if (type == ENL_HVMSG_VMBUS) {
		enl_conn_on_message(vb, buf, size);
	} else if (type != ENL_HVMSG_NONE) {
		atomic_long_inc(&vb->err.bad_msg);
		pr_err_ratelimited("enl_vmbus: unexpected SynIC message type %#x\n",
				   type);
	}
}

static void synic_drain_messages(struct enl_vmbus *vb, struct enl_synic *s)
{
	u64 buf[ENL_HV_MESSAGE_PAYLOAD_QWORD_COUNT];
	unsigned long flags;
	u32 type, size;
	bool got;
	int n;

	for (n = 0; n < SYNIC_MSG_BUDGET; n++) {
		spin_lock_irqsave(&s->msg_lock, flags);
		got = synic_take_message(vb, s, &type, buf, &size);
		spin_unlock_irqrestore(&s->msg_lock, flags);
		if (!got)
			return;
		synic_handle_message(vb, type, buf, size);
	}
	/* More may be queued: come back rather than hog the softirq. */
	tasklet_schedule(&s->tasklet);
}

/*
 * Shutdown (kexec, reboot, crash): take what waits in every enabled SynIC's
 * slot, whether or not interrupts and tasklets still run. A lock held by
 * whoever we interrupted is skipped, never waited for. hv: an EOM is
 * written on this CPU's VP, so a message queued behind another VP's slot
 * still needs that VP's tasklet (Linux's vmbus_wait_for_unload has the
 * same limit); pci posts the EOM for the SynIC's own VP.
 */
void enl_synic_poll(struct enl_vmbus *vb)
{
	u64 buf[ENL_HV_MESSAGE_PAYLOAD_QWORD_COUNT];
	unsigned long flags;
	unsigned int i;
	u32 type, size;
	bool got;

	for (i = 0; i < vb->t->nr_synic; i++) {
		struct enl_synic *s = &vb->synic[i];

		if (!READ_ONCE(s->enabled) ||
		    !spin_trylock_irqsave(&s->msg_lock, flags))
			continue;
		got = synic_take_message(vb, s, &type, buf, &size);
		spin_unlock_irqrestore(&s->msg_lock, flags);
		if (got)
			synic_handle_message(vb, type, buf, size);
	}
}

static void synic_drain_events(struct enl_vmbus *vb, struct enl_synic *s)
{
	u64 *flags = s->event_page->sintevent_flags[ENL_VMBUS_MESSAGE_SINT].flags;
	/*
	 * Only as far as the highest relid offered: the page has 2048 flags,
	 * a guest a handful of channels, and this runs on every interrupt.
	 */
	unsigned int words = min_t(unsigned int, READ_ONCE(vb->event_words),
				   ENL_HV_EVENT_FLAGS_BYTES / 8);
	unsigned long bits;
	unsigned int i, bit;

	for (i = 0; i < words; i++) {
		if (!READ_ONCE(flags[i]))
			continue;
		/* Claim the whole word at once: the host sets bits atomically. */
		bits = xchg(&flags[i], 0);
		for_each_set_bit(bit, &bits, 64)
			enl_channel_on_event(vb, i * 64 + bit);
	}
}

static void synic_tasklet(struct tasklet_struct *t)
{
	struct enl_synic *s = from_tasklet(s, t, tasklet);
	struct enl_vmbus *vb = READ_ONCE(enl_vb);

	if (!vb)
		return;
	synic_drain_messages(vb, s);
	synic_drain_events(vb, s);
}

void enl_synic_interrupt(unsigned int idx)
{
	struct enl_vmbus *vb = READ_ONCE(enl_vb);
	struct enl_synic *s;

	/* Interrupt handlers are RCU readers: enl_synic_exit waits for us. */
	if (!vb || !READ_ONCE(vb->synic_live) || idx >= vb->t->nr_synic)
		return;
	s = &vb->synic[idx];
	/*
	 * Without a message, take the channel events right here: a channel's
	 * data then costs one tasklet (the channel's), not two. A message
	 * goes to the SynIC's tasklet with the events behind it, so an open
	 * or rescind is handled before the events that follow it.
	 */
	if (READ_ONCE(s->msg_page->sint_message[ENL_VMBUS_MESSAGE_SINT].header.message_type) !=
	    ENL_HVMSG_NONE)
		tasklet_schedule(&s->tasklet);
	else
		synic_drain_events(vb, s);
}

/* SIMP and SIEFP: page number in 63:12, enable in 0, RsvdP in 11:1. */
#define SYNIC_PAGE_BITS	(~0ULL << ENL_HV_SYNIC_PAGE_SHIFT)

/* Point SIMP or SIEFP at page (NULL: disable), preserving bits 11:1. */
static int synic_set_page(struct enl_transport *t, unsigned int idx, u32 msr,
			  void *page)
{
	u64 val;
	int ret;

	ret = t->msr_read(t, idx, msr, &val);
	if (ret)
		return ret;
	/* ENL_HV_SYNIC_SIEFP_ENABLE is the same bit. */
	val &= ~(SYNIC_PAGE_BITS | ENL_HV_SYNIC_SIMP_ENABLE);
	if (page)
		val |= virt_to_phys(page) | ENL_HV_SYNIC_SIMP_ENABLE;
	return t->msr_write(t, idx, msr, val);
}

/*
 * TLFS order, as Linux's hv_synic_enable_regs: message and event pages,
 * then unmask the SINT, then enable the SynIC as a whole.
 */
static int synic_enable(struct enl_vmbus *vb, struct enl_synic *s)
{
	struct enl_transport *t = vb->t;
	u32 sint = ENL_HV_MSR_SINT(ENL_VMBUS_MESSAGE_SINT);
	u64 val;
	int ret;

	/* Even a write that failed may reach the host later. */
	s->msg_shared = true;
	ret = synic_set_page(t, s->idx, ENL_HV_MSR_SIMP, s->msg_page);
	if (!ret) {
		s->event_shared = true;
		ret = synic_set_page(t, s->idx, ENL_HV_MSR_SIEFP, s->event_page);
	}
	/* Keep the reserved bits of SINT and SCONTROL as the TLFS asks. */
	if (!ret)
		ret = t->msr_read(t, s->idx, sint, &val);
	if (!ret) {
		val &= ~(ENL_HV_SYNIC_SINT_VECTOR_MASK |
			 ENL_HV_SYNIC_SINT_MASKED | ENL_HV_SYNIC_SINT_AUTO_EOI |
			 ENL_HV_SYNIC_SINT_POLLING);
		if (t->sint_auto_eoi)
			val |= ENL_HV_SYNIC_SINT_AUTO_EOI;
		ret = t->msr_write(t, s->idx, sint, val | t->sint_vector);
	}
	if (!ret)
		ret = t->msr_read(t, s->idx, ENL_HV_MSR_SCONTROL, &val);
	if (!ret)
		ret = t->msr_write(t, s->idx, ENL_HV_MSR_SCONTROL,
				   val | ENL_HV_SYNIC_CONTROL_ENABLE);
	WRITE_ONCE(s->enabled, !ret);
	return ret;
}

static void synic_disable(struct enl_vmbus *vb, struct enl_synic *s)
{
	struct enl_transport *t = vb->t;
	u32 sint = ENL_HV_MSR_SINT(ENL_VMBUS_MESSAGE_SINT);
	u64 val;

	if (!READ_ONCE(s->enabled) && !s->msg_shared && !s->event_shared)
		return;
	WRITE_ONCE(s->enabled, false);
	if (!t->msr_read(t, s->idx, sint, &val))
		t->msr_write(t, s->idx, sint, val | ENL_HV_SYNIC_SINT_MASKED);
	/*
	 * The host acknowledged the page off: it writes it no more (enl-host
	 * and Hyper-V write SynIC pages only while they are enabled).
	 */
	if (s->msg_shared && !synic_set_page(t, s->idx, ENL_HV_MSR_SIMP, NULL))
		s->msg_shared = false;
	if (s->event_shared &&
	    !synic_set_page(t, s->idx, ENL_HV_MSR_SIEFP, NULL))
		s->event_shared = false;
	if (!t->msr_read(t, s->idx, ENL_HV_MSR_SCONTROL, &val))
		t->msr_write(t, s->idx, ENL_HV_MSR_SCONTROL,
			     val & ~ENL_HV_SYNIC_CONTROL_ENABLE);
}

/* Each CPU programs its own SynIC as it comes online (cpuhp runs it there). */
static int synic_cpu_online(unsigned int cpu)
{
	struct enl_vmbus *vb = enl_vb;

	return synic_enable(vb, &vb->synic[cpu]);
}

static int synic_cpu_offline(unsigned int cpu)
{
	struct enl_vmbus *vb = enl_vb;

	/*
	 * While VMBus is up, channel messages (UNLOAD_RESPONSE too) go to
	 * CPU 0's VP: keep it. Open channels that target this CPU move to
	 * another one first (MODIFYCHANNEL); if one cannot, the CPU stays.
	 * A failed setup and the teardown disable them all.
	 */
	if (READ_ONCE(vb->synic_live) && !READ_ONCE(vb->unloading)) {
		if (cpu == 0 || enl_channel_move_off_cpu(vb, cpu))
			return -EBUSY;
	}
	synic_disable(vb, &vb->synic[cpu]);
	return 0;
}

static void synic_free(struct enl_vmbus *vb)
{
	unsigned int i;

	for (i = 0; i < vb->t->nr_synic; i++) {
		struct enl_synic *s = &vb->synic[i];

		if (s->msg_shared || s->event_shared)
			enl_leak_pages(s->msg_shared + s->event_shared,
				       "SynIC pages not confirmed off");
		if (!s->msg_shared)
			free_page((unsigned long)s->msg_page);
		if (!s->event_shared)
			free_page((unsigned long)s->event_page);
	}
	kfree(vb->synic);
	vb->synic = NULL;
}

int enl_synic_init(struct enl_vmbus *vb)
{
	unsigned int i, n = vb->t->nr_synic;
	int ret;

	vb->synic = kcalloc(n, sizeof(*vb->synic), GFP_KERNEL);
	if (!vb->synic)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct enl_synic *s = &vb->synic[i];

		s->idx = i;
		tasklet_setup(&s->tasklet, synic_tasklet);
		spin_lock_init(&s->msg_lock);
		s->msg_page = (void *)get_zeroed_page(GFP_KERNEL);
		s->event_page = (void *)get_zeroed_page(GFP_KERNEL);
		if (!s->msg_page || !s->event_page) {
			synic_free(vb);
			return -ENOMEM;
		}
	}
	vb->cpuhp_state = -1;
	if (n == 1) {
		ret = synic_enable(vb, &vb->synic[0]);
	} else {
		ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "enl_vmbus:online",
					synic_cpu_online, synic_cpu_offline);
		if (ret > 0) {
			vb->cpuhp_state = ret;
			ret = 0;
		}
	}
	if (ret) {
		synic_disable(vb, &vb->synic[0]);
		synic_free(vb);
		return ret;
	}
	WRITE_ONCE(vb->synic_live, true);
	return 0;
}

/*
 * Shutdown: no more tasklets from the interrupt, and SynIC idx off (hv: on
 * its own CPU; pci: from any). The pages stay allocated: the host may still be writing
 * them until the SynIC is off, and the kernel is going away.
 */
void enl_synic_shutdown(struct enl_vmbus *vb, unsigned int idx)
{
	WRITE_ONCE(vb->synic_live, false);
	if (idx < vb->t->nr_synic)
		synic_disable(vb, &vb->synic[idx]);
}

void enl_synic_exit(struct enl_vmbus *vb)
{
	unsigned int i;

	WRITE_ONCE(vb->synic_live, false);
	if (vb->cpuhp_state >= 0)
		cpuhp_remove_state(vb->cpuhp_state);
	else
		synic_disable(vb, &vb->synic[0]);
	/* No SINT can be raised now; let running handlers finish. */
	synchronize_rcu();
	for (i = 0; i < vb->t->nr_synic; i++)
		tasklet_kill(&vb->synic[i].tasklet);
	synic_free(vb);
}
