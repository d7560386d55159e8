// SPDX-License-Identifier: GPL-2.0-only
/* Offers and rescinds: the relid table, and devices coming and going with them. */
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

/* Device gone: its driver has closed the channel; free the relid. */
static void offer_unregister(struct enl_vmbus_channel *ch, bool release_relid)
{
	struct enl_vmbus *vb = ch->vb;
	struct enl_vmbus_channel_relid_released msg = {
		.header.msgtype = ENL_CHANNELMSG_RELID_RELEASED,
		.child_relid = ch->relid,
	};
	unsigned long flags;

	if (ch->registered)
		device_del(&ch->vdev.dev);
	ch->registered = false;
	/* A driver that forgot to close must not leave the rings shared. */
	enl_vmbus_channel_close(ch);

	spin_lock_irqsave(&vb->chan_lock, flags);
	vb->chan[ch->relid] = NULL;
	spin_unlock_irqrestore(&vb->chan_lock, flags);
	tasklet_kill(&ch->tasklet);
	if (release_relid)
		enl_conn_post(vb, &msg, sizeof(msg));
	put_device(&ch->vdev.dev);
}

static void offer_rescind_work(struct work_struct *work)
{
	struct enl_vmbus_channel *ch =
		container_of(work, struct enl_vmbus_channel, rescind_work);

	dev_info(&ch->vdev.dev, "rescinded by the host (relid %u)\n",
		 ch->relid);
	offer_unregister(ch, true);
}

/* SynIC tasklet: a new device. The table is updated here, in order. */
void enl_offer_on_offer(struct enl_vmbus *vb, const void *msg, u32 len)
{
	const struct enl_vmbus_channel_offer_channel *offer = msg;
	struct enl_vmbus_channel *ch;
	u32 relid = offer->child_relid;
	unsigned long flags;
	bool dup;

	if (READ_ONCE(vb->unloading))
		return;
	if (relid >= ENL_MAX_RELID) {
		atomic_long_inc(&vb->err.bad_relid);
		pr_err_ratelimited("enl_vmbus: offer with relid %u refused\n",
				   relid);
		return;
	}
	/* Sub-channels come only when asked for, and we never ask. */
	if (offer->offer.sub_channel_index) {
		atomic_long_inc(&vb->err.bad_msg);
		pr_err_ratelimited("enl_vmbus: unrequested sub-channel %u (relid %u) ignored\n",
				   offer->offer.sub_channel_index, relid);
		return;
	}
	ch = enl_channel_alloc(vb, offer);
	if (!ch) {
		pr_err_ratelimited("enl_vmbus: no memory for offer %u\n", relid);
		return;
	}
	INIT_WORK(&ch->offer_work, offer_register);
	INIT_WORK(&ch->rescind_work, offer_rescind_work);

	spin_lock_irqsave(&vb->chan_lock, flags);
	dup = vb->chan[relid];
	if (!dup)
		vb->chan[relid] = ch;
	spin_unlock_irqrestore(&vb->chan_lock, flags);
	if (dup) {
		atomic_long_inc(&vb->err.bad_relid);
		pr_err_ratelimited("enl_vmbus: second offer for relid %u refused\n",
				   relid);
		put_device(&ch->vdev.dev);
		return;
	}
	queue_work(vb->offer_wq, &ch->offer_work);
}

/* SynIC tasklet: fail the channel's pending requests now, remove it later. */
void enl_offer_on_rescind(struct enl_vmbus *vb, const void *msg, u32 len)
{
	const struct enl_vmbus_channel_rescind_offer *r = msg;
	struct enl_vmbus_channel *ch = NULL;
	unsigned long flags;
	bool queue = false;

	spin_lock_irqsave(&vb->chan_lock, flags);
	if (r->child_relid < ENL_MAX_RELID)
		ch = vb->chan[r->child_relid];
	if (ch && !ch->rescinded) {
		WRITE_ONCE(ch->rescinded, true);
		queue = true;
	}
	spin_unlock_irqrestore(&vb->chan_lock, flags);
	if (!queue) {
		atomic_long_inc(&vb->err.bad_relid);
		pr_err_ratelimited("enl_vmbus: rescind of unknown relid %u\n",
				   r->child_relid);
		return;
	}
	enl_conn_abort_waiters(vb, ch);
	/* enl_offer_remove_all() owns every channel once unloading. */
	if (!READ_ONCE(vb->unloading))
		queue_work(vb->offer_wq, &ch->rescind_work);
}

/* Unload: remove every device; channels close normally, the host is there. */
void enl_offer_remove_all(struct enl_vmbus *vb)
{
	struct enl_vmbus_channel *ch;
	unsigned long flags;
	unsigned int relid;

	WRITE_ONCE(vb->unloading, true);
	flush_workqueue(vb->offer_wq);
	for (relid = 0; relid < ENL_MAX_RELID; relid++) {
		spin_lock_irqsave(&vb->chan_lock, flags);
		ch = vb->chan[relid];
		spin_unlock_irqrestore(&vb->chan_lock, flags);
		if (ch)
			offer_unregister(ch, READ_ONCE(ch->rescinded));
	}
}
