// SPDX-License-Identifier: GPL-2.0-only
/*
 * Offers and rescinds: the relid table, devices coming and going with
 * them, and sub-channels joining their primary.
 */
#include <linux/slab.h>
#include "vmbus.h"

static void offer_register(struct work_struct *work)
{
	struct enl_vmbus_channel *ch =
		container_of(work, struct enl_vmbus_channel, offer_work);

	/* A rescind already queued behind us will clean up. */
	if (READ_ONCE(ch->rescinded))
		return;
	ch->registered = !enl_bus_add_device(ch);
}

/* Forget a closed channel's relid; tell the host if it rescinded it. */
static void offer_release(struct enl_vmbus_channel *ch, bool release_relid)
{
	struct enl_vmbus *vb = ch->vb;
	struct enl_vmbus_channel_relid_released msg = {
		.header.msgtype = ENL_CHANNELMSG_RELID_RELEASED,
		.child_relid = ch->relid,
	};
	unsigned long flags;

	spin_lock_irqsave(&vb->chan_lock, flags);
	vb->chan[ch->relid] = NULL;
	spin_unlock_irqrestore(&vb->chan_lock, flags);
	tasklet_kill(&ch->tasklet);
	if (release_relid)
		enl_conn_post(vb, &msg, sizeof(msg));
	put_device(&ch->vdev.dev);
}

/*
 * Device gone: its driver has closed its channels. Sub-channels go first
 * (closed, then released: a sub is released as rescinded only if the host
 * rescinded it), then the primary.
 */
static void offer_unregister(struct enl_vmbus_channel *ch, bool release_relid)
{
	struct enl_vmbus *vb = ch->vb;
	struct enl_vmbus_channel *sub, *tmp;
	unsigned long flags;
	LIST_HEAD(subs);

	spin_lock_irqsave(&vb->chan_lock, flags);
	ch->subs_closed = true;
	spin_unlock_irqrestore(&vb->chan_lock, flags);
	wake_up_all(&ch->sub_wq);

	if (ch->registered)
		device_del(&ch->vdev.dev);
	ch->registered = false;
	enl_mmio_release_device(vb, &ch->vdev);
	/* A driver that forgot to close must not leave the rings shared. */
	enl_vmbus_channel_close_all(ch);

	spin_lock_irqsave(&vb->chan_lock, flags);
	list_splice_init(&ch->sub_list, &subs);
	spin_unlock_irqrestore(&vb->chan_lock, flags);
	list_for_each_entry_safe(sub, tmp, &subs, sub_node) {
		list_del_init(&sub->sub_node);
		offer_release(sub, READ_ONCE(sub->rescinded));
	}
	offer_release(ch, release_relid);
}

/*
 * A sub-channel rescinded alone (its primary lives on): if the primary's
 * driver can let go of it (sub_rescind), close and release it, so that the
 * host may offer its index again. Holds a reference on sub (taken by
 * enl_offer_on_rescind) and drops it.
 */
static void offer_sub_rescind(struct enl_vmbus_channel *sub)
{
	struct enl_vmbus_channel *primary = sub->primary;
	struct enl_vmbus *vb = sub->vb;
	struct enl_vmbus_driver *drv = NULL;
	struct device *dev = &primary->vdev.dev;
	unsigned long flags;
	bool release = false;

	/* Against probe and remove of the primary's device. */
	device_lock(dev);
	spin_lock_irqsave(&vb->chan_lock, flags);
	/* Still on its primary's list: the primary is not going (yet). */
	if (!list_empty(&sub->sub_node) && !primary->subs_closed) {
		if (dev->driver)
			drv = container_of(dev->driver, struct enl_vmbus_driver,
					   driver);
		release = !drv || drv->sub_rescind;
	}
	spin_unlock_irqrestore(&vb->chan_lock, flags);
	if (release) {
		if (drv)
			drv->sub_rescind(&primary->vdev, sub);
		enl_vmbus_channel_close(sub);
		spin_lock_irqsave(&vb->chan_lock, flags);
		list_del_init(&sub->sub_node);
		WRITE_ONCE(primary->nr_subs, primary->nr_subs - 1);
		spin_unlock_irqrestore(&vb->chan_lock, flags);
	}
	device_unlock(dev);
	if (release) {
		dev_info(dev, "sub-channel %u (relid %u) rescinded by the host, released\n",
			 sub->sub_index, sub->relid);
		offer_release(sub, true);
	}
	put_device(&sub->vdev.dev);
}

static void offer_rescind_work(struct work_struct *work)
{
	struct enl_vmbus_channel *ch =
		container_of(work, struct enl_vmbus_channel, rescind_work);

	if (ch->primary) {
		offer_sub_rescind(ch);
		return;
	}
	/* After offer_register (one ordered queue): rescinded first, no device. */
	if (ch->registered)
		dev_info(&ch->vdev.dev, "rescinded by the host (relid %u)\n",
			 ch->relid);
	else
		pr_info("enl_vmbus: relid %u (no device) rescinded by the host\n",
			ch->relid);
	offer_unregister(ch, true);
}

/*
 * The primary a sub-channel offer belongs to: same class and instance,
 * sub-channel index 0, not going away. Called with chan_lock held.
 */
static struct enl_vmbus_channel *
offer_find_primary(struct enl_vmbus *vb,
		   const struct enl_vmbus_channel_offer *o)
{
	struct enl_vmbus_channel *ch;
	unsigned int relid;

	for (relid = 0; relid < ENL_MAX_RELID; relid++) {
		ch = vb->chan[relid];
		if (ch && !ch->primary &&
		    !memcmp(&ch->offer.offer.if_type, &o->if_type,
			    sizeof(o->if_type)) &&
		    !memcmp(&ch->offer.offer.if_instance, &o->if_instance,
			    sizeof(o->if_instance)))
			return ch->rescinded || ch->subs_closed ? NULL : ch;
	}
	return NULL;
}

/*
 * SynIC tasklet: a sub-channel joins its primary at once, not through the
 * ordered offer queue, whose work may be the primary's probe waiting for
 * it. Called with chan_lock held; false if refused.
 */
static bool offer_add_sub(struct enl_vmbus *vb, struct enl_vmbus_channel *sub)
{
	struct enl_vmbus_channel *primary, *other;

	primary = offer_find_primary(vb, &sub->offer.offer);
	if (!primary) {
		pr_err_ratelimited("enl_vmbus: sub-channel %u (relid %u) of no live primary refused\n",
				   sub->sub_index, sub->relid);
		return false;
	}
	list_for_each_entry(other, &primary->sub_list, sub_node) {
		if (other->sub_index == sub->sub_index) {
			pr_err_ratelimited("enl_vmbus: second sub-channel %u of relid %u refused\n",
					   sub->sub_index, primary->relid);
			return false;
		}
	}
	/*
	 * Pinned until the sub's own release: the host may rescind the
	 * primary first, and the sub's rescind work still locks it.
	 */
	get_device(&primary->vdev.dev);
	sub->primary = primary;
	list_add_tail(&sub->sub_node, &primary->sub_list);
	WRITE_ONCE(primary->nr_subs, primary->nr_subs + 1);
	vb->chan[sub->relid] = sub;
	wake_up_all(&primary->sub_wq);
	return true;
}

/* SynIC tasklet: a new device or sub-channel. The table is updated here, in order. */
void enl_offer_on_offer(struct enl_vmbus *vb, const void *msg, u32 len)
{
	const struct enl_vmbus_channel_offer_channel *offer = msg;
	struct enl_vmbus_channel *ch;
	u32 relid = offer->child_relid;
	unsigned long flags;
	bool ok;

	if (relid >= ENL_MAX_RELID) {
		atomic_long_inc(&vb->err.bad_relid);
		pr_err_ratelimited("enl_vmbus: offer with relid %u refused\n",
				   relid);
		return;
	}
	ch = enl_channel_alloc(vb, offer);
	if (!ch) {
		pr_err_ratelimited("enl_vmbus: no memory for offer %u\n", relid);
		return;
	}
	INIT_WORK(&ch->offer_work, offer_register);
	INIT_WORK(&ch->rescind_work, offer_rescind_work);

	/*
	 * unloading is read under chan_lock, as enl_offer_remove_all() sets
	 * it: either this offer is dropped, or its table entry and work are
	 * in place before that flush and walk.
	 */
	spin_lock_irqsave(&vb->chan_lock, flags);
	ok = !vb->chan[relid] && !vb->unloading;
	if (vb->unloading) {
		/* Going away: the host's late offers are not ours to take. */
	} else if (!ok) {
		atomic_long_inc(&vb->err.bad_relid);
		pr_err_ratelimited("enl_vmbus: second offer for relid %u refused\n",
				   relid);
	} else if (ch->sub_index) {
		ok = offer_add_sub(vb, ch);
		if (!ok)
			atomic_long_inc(&vb->err.bad_msg);
	} else {
		vb->chan[relid] = ch;
		queue_work(vb->offer_wq, &ch->offer_work);
	}
	/* The SynIC scans event flags this far (synic_drain_events). */
	if (ok && relid / 64 + 1 > vb->event_words)
		WRITE_ONCE(vb->event_words, relid / 64 + 1);
	spin_unlock_irqrestore(&vb->chan_lock, flags);
	if (!ok)
		put_device(&ch->vdev.dev);
}

/*
 * SynIC tasklet: fail the channel's pending requests now, remove it later.
 * A sub-channel is released by the offer queue if its driver can let go
 * of it (offer_sub_rescind), or stays with its primary, dead, until the
 * primary goes.
 */
void enl_offer_on_rescind(struct enl_vmbus *vb, const void *msg, u32 len)
{
	const struct enl_vmbus_channel_rescind_offer *r = msg;
	struct enl_vmbus_channel *ch = NULL;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&vb->chan_lock, flags);
	if (r->child_relid < ENL_MAX_RELID)
		ch = vb->chan[r->child_relid];
	if (ch && !ch->rescinded) {
		WRITE_ONCE(ch->rescinded, true);
		found = true;
		/* The rescind work may free ch before we are done with it. */
		get_device(&ch->vdev.dev);
		/*
		 * Queued under chan_lock, like the offer: once unloading,
		 * enl_offer_remove_all() owns every channel.
		 */
		if (!vb->unloading) {
			/* The sub's work holds it: its primary may go first. */
			if (ch->primary)
				get_device(&ch->vdev.dev);
			queue_work(vb->offer_wq, &ch->rescind_work);
		}
	}
	spin_unlock_irqrestore(&vb->chan_lock, flags);
	if (!found) {
		atomic_long_inc(&vb->err.bad_relid);
		pr_err_ratelimited("enl_vmbus: rescind of unknown relid %u\n",
				   r->child_relid);
		return;
	}
	enl_conn_abort_waiters(vb, ch);
	if (!ch->primary)
		wake_up_all(&ch->sub_wq);
	put_device(&ch->vdev.dev);
}

/* Unload: remove every device; channels close normally, the host is there. */
void enl_offer_remove_all(struct enl_vmbus *vb)
{
	struct enl_vmbus_channel *ch;
	unsigned long flags;
	unsigned int relid;

	/* Under chan_lock: no offer or rescind queues work after this. */
	spin_lock_irqsave(&vb->chan_lock, flags);
	WRITE_ONCE(vb->unloading, true);
	spin_unlock_irqrestore(&vb->chan_lock, flags);
	flush_workqueue(vb->offer_wq);
	for (relid = 0; relid < ENL_MAX_RELID; relid++) {
		spin_lock_irqsave(&vb->chan_lock, flags);
		ch = vb->chan[relid];
		spin_unlock_irqrestore(&vb->chan_lock, flags);
		/* Sub-channels go with their primary. */
		if (ch && !ch->primary)
			offer_unregister(ch, READ_ONCE(ch->rescinded));
	}
}

int enl_vmbus_wait_subchannels(struct enl_vmbus_channel *primary,
			       unsigned int n, unsigned int timeout_ms)
{
	long left;

	if (primary->primary)
		return -EINVAL;
	left = wait_event_timeout(primary->sub_wq,
				  READ_ONCE(primary->nr_subs) >= n ||
				  READ_ONCE(primary->rescinded) ||
				  READ_ONCE(primary->subs_closed),
				  msecs_to_jiffies(timeout_ms));
	if (READ_ONCE(primary->rescinded) || READ_ONCE(primary->subs_closed))
		return -ENODEV;
	if (!left && READ_ONCE(primary->nr_subs) < n)
		return -ETIMEDOUT;
	return READ_ONCE(primary->nr_subs);
}
EXPORT_SYMBOL_GPL(enl_vmbus_wait_subchannels);

struct enl_vmbus_channel *enl_vmbus_subchannel(struct enl_vmbus_channel *primary,
					       unsigned int index)
{
	struct enl_vmbus_channel *sub, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&primary->vb->chan_lock, flags);
	list_for_each_entry(sub, &primary->sub_list, sub_node) {
		if (sub->sub_index == index) {
			found = sub;
			break;
		}
	}
	spin_unlock_irqrestore(&primary->vb->chan_lock, flags);
	return found;
}
EXPORT_SYMBOL_GPL(enl_vmbus_subchannel);

/*
 * The sub-channel of primary with the lowest index above after, with a
 * reference (dropped with put_device()), or NULL: walks that may sleep
 * between steps (close_all, sysfs readers that do not hold the primary's
 * device lock, when a rescinded sub may be released meanwhile) go by the
 * list, not by an index range the host chose.
 */
struct enl_vmbus_channel *enl_subchannel_next(struct enl_vmbus_channel *primary,
					      unsigned int after)
{
	struct enl_vmbus_channel *sub, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&primary->vb->chan_lock, flags);
	list_for_each_entry(sub, &primary->sub_list, sub_node)
		if (sub->sub_index > after &&
		    (!found || sub->sub_index < found->sub_index))
			found = sub;
	if (found)
		get_device(&found->vdev.dev);
	spin_unlock_irqrestore(&primary->vb->chan_lock, flags);
	return found;
}

struct enl_vmbus_channel *enl_vmbus_channel_primary(struct enl_vmbus_channel *ch)
{
	return ch->primary ?: ch;
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_primary);
