// SPDX-License-Identifier: GPL-2.0-only
/*
 * Target CPUs: which CPU's VP the host interrupts for a channel (so where
 * its callback runs), chosen at open, changed with MODIFYCHANNEL, and moved
 * off a CPU that goes offline.
 */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/slab.h>
#include "vmbus.h"

/* How long a CPU going offline waits for each MODIFYCHANNEL_RESPONSE. */
#define MODIFY_TIMEOUT_MS	2000

unsigned int enl_vmbus_spread_cpu(unsigned int n)
{
	unsigned int cpu;

	n %= num_online_cpus();
	for_each_online_cpu(cpu)
		if (!n--)
			return cpu;
	return cpumask_first(cpu_online_mask);
}
EXPORT_SYMBOL_GPL(enl_vmbus_spread_cpu);

/*
 * At open, under cpus_read_lock. Spread channels over the online CPUs when
 * each VP has its own SynIC; with one SynIC (pci today) every interrupt
 * arrives on CPU 0's, so that is where a default channel says it is.
 */
int enl_channel_pick_cpu(struct enl_vmbus_channel *ch,
			 const struct enl_vmbus_open_params *p)
{
	struct enl_vmbus *vb = ch->vb;
	unsigned int cpu = 0;

	if (p->flags & ENL_VMBUS_OPEN_TARGET_CPU) {
		if (!cpu_online(p->target_cpu))
			return -EINVAL;
		cpu = p->target_cpu;
	} else if (vb->t->nr_synic > 1) {
		cpu = enl_vmbus_spread_cpu(atomic_inc_return(&vb->next_cpu));
	}
	WRITE_ONCE(ch->target_cpu, cpu);
	ch->target_vp = vb->t->vp_index(vb->t, cpu);
	return 0;
}

unsigned int enl_vmbus_channel_target_cpu(const struct enl_vmbus_channel *ch)
{
	return READ_ONCE(ch->target_cpu);
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_target_cpu);

/*
 * MODIFYCHANNEL to cpu's VP; from 5.3 on the host answers. The caller
 * keeps cpu online (cpus_read_lock, or it is the hotplug callback).
 */
static int chan_modify(struct enl_vmbus_channel *ch, unsigned int cpu)
{
	struct enl_vmbus *vb = ch->vb;
	struct enl_vmbus_channel_modifychannel msg = {
		.header.msgtype = ENL_CHANNELMSG_MODIFYCHANNEL,
		.child_relid = ch->relid,
		.target_vp = vb->t->vp_index(vb->t, cpu),
	};
	const struct enl_vmbus_channel_modifychannel_response *res;
	struct enl_msg_waiter *w = NULL;
	int ret;

	if (vb->version < ENL_VMBUS_VERSION_WIN10_V4_1)
		return -EOPNOTSUPP;
	if (vb->version >= ENL_VMBUS_VERSION_WIN10_V5_3) {
		w = kmalloc(sizeof(*w), GFP_KERNEL);
		if (!w)
			return -ENOMEM;
		enl_conn_waiter_add(vb, w, ENL_CHANNELMSG_MODIFYCHANNEL_RESPONSE,
				    ch->relid, ch);
	}
	ret = enl_conn_post(vb, &msg, sizeof(msg));
	if (w) {
		ret = enl_conn_waiter_wait(vb, w, ret ? 0 : MODIFY_TIMEOUT_MS) ?:
		      ret;
		res = (const void *)w->msg;
		if (!ret && res->status) {
			dev_err(enl_channel_dev(ch),
				"host refused to move relid %u to VP %u: status %#x\n",
				ch->relid, msg.target_vp, res->status);
			ret = -EIO;
		}
		kfree(w);
	}
	if (ret)
		return ret;
	WRITE_ONCE(ch->target_cpu, cpu);
	ch->target_vp = msg.target_vp;
	atomic64_inc(&ch->retargets);
	/* An event flagged on the old VP just before the move: look now. */
	enl_vmbus_channel_kick(ch);
	return 0;
}

int enl_vmbus_channel_set_target_cpu(struct enl_vmbus_channel *ch,
				     unsigned int cpu)
{
	int ret;

	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	mutex_lock(&ch->lock);
	cpus_read_lock();
	if (!cpu_online(cpu))
		ret = -EINVAL;
	else if (ch->state != ENL_CHAN_OPEN || READ_ONCE(ch->rescinded))
		ret = -ENODEV;
	else if (cpu == ch->target_cpu)
		ret = 0;
	else
		ret = chan_modify(ch, cpu);
	cpus_read_unlock();
	mutex_unlock(&ch->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_set_target_cpu);

/*
 * cpuhp teardown of cpu (hotplug lock held for writing: no ch->lock here,
 * an opener holds it while it waits for cpus_read_lock). Every channel
 * that is not closed and targets cpu moves to another online CPU. -EBUSY
 * keeps cpu online: a channel is half open, the host is older than 4.1
 * or refused.
 */
int enl_channel_move_off_cpu(struct enl_vmbus *vb, unsigned int cpu)
{
	struct enl_vmbus_channel **list;
	unsigned int relid, n = 0, i, next = 0, to;
	int ret = 0;

	if (num_online_cpus() < 2)
		return -EBUSY;
	list = kcalloc(ENL_MAX_RELID, sizeof(*list), GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	spin_lock_irq(&vb->chan_lock);
	for (relid = 0; relid < ENL_MAX_RELID; relid++) {
		struct enl_vmbus_channel *ch = vb->chan[relid];

		if (!ch || READ_ONCE(ch->state) == ENL_CHAN_OFFERED ||
		    READ_ONCE(ch->target_cpu) != cpu)
			continue;
		if (READ_ONCE(ch->state) == ENL_CHAN_OPENING)
			ret = -EBUSY;
		get_device(&ch->vdev.dev);
		list[n++] = ch;
	}
	spin_unlock_irq(&vb->chan_lock);

	for (i = 0; i < n; i++) {
		struct enl_vmbus_channel *ch = list[i];

		if (!ret && READ_ONCE(ch->state) == ENL_CHAN_OPEN &&
		    !READ_ONCE(ch->rescinded)) {
			/* Spread what leaves over the CPUs that stay. */
			do {
				to = enl_vmbus_spread_cpu(next++);
			} while (to == cpu);
			ret = chan_modify(ch, to);
			if (ret) {
				dev_err(enl_channel_dev(ch),
					"cannot move relid %u off CPU %u: %d\n",
					ch->relid, cpu, ret);
				ret = -EBUSY;
			}
		}
		put_device(&ch->vdev.dev);
	}
	kfree(list);
	return ret;
}
