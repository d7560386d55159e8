// SPDX-License-Identifier: GPL-2.0-only
/* Channels: lifetime, open/close, ring memory and per-channel interrupts. */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/sync_bitops.h>
#include "vmbus.h"

/* Packets an on_event callback may take per tasklet run. */
#define CHAN_BUDGET		64

/* Where to log about a channel: a sub-channel is no device of its own. */
struct device *enl_channel_dev(struct enl_vmbus_channel *ch)
{
	return ch->primary ? &ch->primary->vdev.dev : &ch->vdev.dev;
}

void enl_channel_signal(struct enl_vmbus_channel *ch)
{
	struct enl_vmbus *vb = ch->vb;
	int ret;

	/*
	 * Before 5.0, a shared-interrupt channel also flags the send page,
	 * which the host clears: a locked bit op even on a kernel patched
	 * for one CPU (transport_pci.c, pci_post_bit).
	 */
	if (vb->version < ENL_VMBUS_VERSION_WIN10_V5 &&
	    !(ch->offer.is_dedicated_interrupt & ENL_VMBUS_OFFER_DEDICATED_INTERRUPT))
		sync_set_bit(ch->relid,
			(unsigned long *)(vb->int_page + ENL_HV_PAGE_SIZE / 2));
	atomic64_inc(&ch->signals);
	ret = vb->t->signal_event(vb->t,
				  ENL_HV_SIGNAL_EVENT_VALUE(ch->sig_conn_id, 0));
	if (ret)
		dev_err_ratelimited(enl_channel_dev(ch),
				    "HvSignalEvent for relid %u failed: %d\n",
				    ch->relid, ret);
}

static void chan_tasklet(struct tasklet_struct *t)
{
	struct enl_vmbus_channel *ch = from_tasklet(ch, t, tasklet);
	bool more, progress;
	u64 before;
	int n;

	if (READ_ONCE(ch->state) != ENL_CHAN_OPEN || READ_ONCE(ch->broken))
		return;
	if (ch->flags & ENL_VMBUS_OPEN_NOTIFY) {
		ch->on_event(ch, 0);
		return;
	}
	/* No need for the host to interrupt while we drain. */
	enl_ring_intr_mask(&ch->in);
	before = ch->in.stats.packets;
	n = ch->on_event(ch, CHAN_BUDGET);
	if (enl_ring_read_commit(&ch->in))
		enl_channel_signal(ch);
	if (READ_ONCE(ch->broken))
		return;
	/* Data came in as we unmasked: run again, or a wakeup is lost. */
	more = enl_ring_intr_unmask(&ch->in);
	progress = ch->in.stats.packets != before;
	if (progress) {
		ch->idle_runs = 0;
	} else if (more && ++ch->idle_runs >= 2) {
		/*
		 * Twice in a row the callback took nothing although packets
		 * wait: it leaves one it cannot take now (e.g. too large for
		 * its buffer). Running it again at once would spin; wait for
		 * the next interrupt or for enl_vmbus_channel_kick().
		 */
		ch->idle_runs = 0;
		atomic64_inc(&ch->stalls);
		dev_warn_ratelimited(enl_channel_dev(ch),
				     "relid %u: callback took no packet; waiting for the driver\n",
				     ch->relid);
		return;
	}
	/* More to read, or out of budget (having read something). */
	if (more || (progress && n >= CHAN_BUDGET))
		tasklet_schedule(&ch->tasklet);
}

void enl_vmbus_channel_kick(struct enl_vmbus_channel *ch)
{
	if (READ_ONCE(ch->state) == ENL_CHAN_OPEN)
		tasklet_schedule(&ch->tasklet);
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_kick);

/* SynIC tasklet: the host set relid's event flag. */
void enl_channel_on_event(struct enl_vmbus *vb, u32 relid)
{
	struct enl_vmbus_channel *ch = NULL;
	unsigned long flags;

	spin_lock_irqsave(&vb->chan_lock, flags);
	if (relid < ENL_MAX_RELID)
		ch = vb->chan[relid];
	if (ch) {
		atomic64_inc(&ch->interrupts);
		tasklet_schedule(&ch->tasklet);
	}
	spin_unlock_irqrestore(&vb->chan_lock, flags);
	if (!ch) {
		atomic_long_inc(&vb->err.bad_relid);
		pr_err_ratelimited("enl_vmbus: event for unknown relid %u\n",
				   relid);
	}
}

static void chan_release(struct device *dev)
{
	struct enl_vmbus_channel *ch = to_enl_channel(dev);

	/* A sub's hold on its primary (offer_add_sub). */
	if (ch->primary)
		put_device(&ch->primary->vdev.dev);
	kfree(ch);
}

struct enl_vmbus_channel *enl_channel_alloc(struct enl_vmbus *vb,
		const struct enl_vmbus_channel_offer_channel *offer)
{
	struct enl_vmbus_channel *ch = kzalloc(sizeof(*ch), GFP_ATOMIC);

	if (!ch)
		return NULL;
	ch->vb = vb;
	ch->offer = *offer;
	ch->relid = offer->child_relid;
	ch->sig_conn_id = offer->connection_id & ENL_HV_CONNECTION_ID_MASK;
	ch->sub_index = offer->offer.sub_channel_index;
	memcpy(&ch->vdev.class_id, &offer->offer.if_type, sizeof(guid_t));
	memcpy(&ch->vdev.instance_id, &offer->offer.if_instance,
	       sizeof(guid_t));
	ch->vdev.channel = ch;
	INIT_LIST_HEAD(&ch->sub_list);
	INIT_LIST_HEAD(&ch->sub_node);
	init_waitqueue_head(&ch->sub_wq);
	mutex_init(&ch->lock);
	spin_lock_init(&ch->out_lock);
	tasklet_setup(&ch->tasklet, chan_tasklet);
	ch->state = ENL_CHAN_OFFERED;
	device_initialize(&ch->vdev.dev);
	ch->vdev.dev.release = chan_release;
	return ch;
}

const char *enl_channel_state_name(struct enl_vmbus_channel *ch)
{
	static const char * const names[] = {
		[ENL_CHAN_OFFERED] = "offered",
		[ENL_CHAN_OPENING] = "opening",
		[ENL_CHAN_OPEN] = "open",
		[ENL_CHAN_CLOSING] = "closing",
	};

	if (READ_ONCE(ch->rescinded))
		return "rescinded";
	if (READ_ONCE(ch->broken))
		return "broken";
	return names[READ_ONCE(ch->state)];
}

void enl_channel_set_state(struct enl_vmbus_channel *ch, int state)
{
	unsigned long flags;

	/* Senders test the state under out_lock. */
	spin_lock_irqsave(&ch->out_lock, flags);
	WRITE_ONCE(ch->state, state);
	spin_unlock_irqrestore(&ch->out_lock, flags);
}

static int chan_send_open(struct enl_vmbus_channel *ch,
			  const struct enl_vmbus_open_params *p)
{
	struct enl_vmbus_channel_open_channel msg = {};
	const struct enl_vmbus_channel_open_result *res;
	struct enl_msg_waiter *w;
	int ret;

	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	msg.header.msgtype = ENL_CHANNELMSG_OPENCHANNEL;
	msg.child_relid = ch->relid;
	msg.openid = ch->relid;
	msg.ringbuffer_gpadlhandle = ch->ring_gpadl;
	msg.target_vp = ch->target_vp;
	/* The inbound ring starts after the outbound ring's pages. */
	msg.downstream_ringbuffer_pageoffset =
		(ENL_RING_PAGE_SIZE + p->send_ring_size) / ENL_RING_PAGE_SIZE;
	if (p->userdata_len)
		memcpy(msg.userdata, p->userdata, p->userdata_len);

	enl_conn_waiter_add(ch->vb, w, ENL_CHANNELMSG_OPENCHANNEL_RESULT,
			    ch->relid, ch);
	ret = enl_conn_post(ch->vb, &msg, sizeof(msg));
	if (ret) {
		enl_conn_waiter_wait(ch->vb, w, 0);	/* only unlinks it */
		goto out;
	}
	ret = enl_conn_waiter_wait(ch->vb, w, ENL_REPLY_TIMEOUT_MS);
	if (ret)
		goto out;
	res = (const void *)w->msg;
	if (res->status) {
		dev_err(enl_channel_dev(ch),
			"host refused to open relid %u: status %#x\n",
			ch->relid, res->status);
		ret = -EIO;
	}
out:
	kfree(w);
	return ret;
}

static void chan_send_close(struct enl_vmbus_channel *ch)
{
	struct enl_vmbus_channel_close_channel msg = {
		.header.msgtype = ENL_CHANNELMSG_CLOSECHANNEL,
		.child_relid = ch->relid,
	};

	if (!READ_ONCE(ch->rescinded))
		enl_conn_post(ch->vb, &msg, sizeof(msg));
}

static void chan_put_pages(struct enl_vmbus_channel *ch, bool free_pages)
{
	u32 i;

	if (ch->ring_buf)
		vunmap(ch->ring_buf);
	for (i = 0; free_pages && i < ch->ring_npages; i++)
		__free_page(ch->ring_pages[i]);
	kvfree(ch->ring_pages);
	ch->ring_buf = NULL;
	ch->ring_pages = NULL;
	ch->ring_npages = 0;
}

/*
 * Both rings as one run of pages, shared as one GPADL: outbound control
 * page and data, inbound control page and data. The mapping repeats the
 * inbound data pages once more after them, so that a packet that wraps
 * around the end of the ring reads contiguously in place.
 */
static int chan_alloc_rings(struct enl_vmbus_channel *ch, u32 send, u32 recv)
{
	u32 n = ch->ring_bytes >> PAGE_SHIFT, extra = recv >> PAGE_SHIFT, i;
	struct page **map;
	int ret = -ENOMEM;

	ch->ring_pages = kvcalloc(n, sizeof(*ch->ring_pages), GFP_KERNEL);
	map = kvmalloc_array(n + extra, sizeof(*map), GFP_KERNEL);
	if (!ch->ring_pages || !map)
		goto out;
	for (i = 0; i < n; i++) {
		ch->ring_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!ch->ring_pages[i])
			goto out;
		ch->ring_npages++;
		map[i] = ch->ring_pages[i];
	}
	for (i = 0; i < extra; i++)
		map[n + i] = ch->ring_pages[n - extra + i];
	ch->ring_buf = vmap(map, n + extra, VM_MAP, PAGE_KERNEL);
	if (ch->ring_buf)
		ret = 0;
out:
	kvfree(map);
	if (ret)
		chan_put_pages(ch, true);
	return ret;
}

/* The host may still write rings it never confirmed it let go of. */
static void chan_free_rings(struct enl_vmbus_channel *ch, bool gpadl_up)
{
	if (gpadl_up && enl_vmbus_gpadl_teardown(ch, ch->ring_gpadl)) {
		dev_err(enl_channel_dev(ch),
			"relid %u: ring GPADL not torn down: leaking %u bytes\n",
			ch->relid, ch->ring_bytes);
		atomic_long_add(ch->ring_npages, &enl_leaked_pages);
		chan_put_pages(ch, false);
	} else {
		chan_put_pages(ch, true);
	}
}

static bool ring_size_ok(u32 size)
{
	return size >= ENL_RING_PAGE_SIZE && size <= ENL_VMBUS_MAX_RING_SIZE &&
	       !(size % PAGE_SIZE);
}

static int chan_setup_rings(struct enl_vmbus_channel *ch,
			    const struct enl_vmbus_open_params *p)
{
	u8 *buf;
	int ret;

	ch->ring_bytes = 2 * ENL_RING_PAGE_SIZE + p->send_ring_size +
			 p->recv_ring_size;
	ret = chan_alloc_rings(ch, p->send_ring_size, p->recv_ring_size);
	if (ret)
		return ret;
	buf = ch->ring_buf;
	ret = enl_ring_init(&ch->out, (void *)buf, buf + ENL_RING_PAGE_SIZE,
			    p->send_ring_size);
	buf += ENL_RING_PAGE_SIZE + p->send_ring_size;
	ret = ret ?: enl_ring_init(&ch->in, (void *)buf,
				   buf + ENL_RING_PAGE_SIZE, p->recv_ring_size);
	if (ret) {
		chan_free_rings(ch, false);
		return ret;
	}
	enl_ring_reset(&ch->out);
	enl_ring_reset(&ch->in);
	return 0;
}

int enl_vmbus_channel_open(struct enl_vmbus_channel *ch,
			   const struct enl_vmbus_open_params *p)
{
	int ret;

	if (!p->on_event || !ring_size_ok(p->send_ring_size) ||
	    !ring_size_ok(p->recv_ring_size) ||
	    p->userdata_len > ENL_VMBUS_MAX_USER_DEFINED_BYTES ||
	    p->max_requests > ENL_VMBUS_MAX_REQUESTS ||
	    ((p->flags & ENL_VMBUS_OPEN_TARGET_CPU) &&
	     p->target_cpu >= nr_cpu_ids))
		return -EINVAL;
	mutex_lock(&ch->lock);
	ret = -EBUSY;
	if (ch->state != ENL_CHAN_OFFERED)
		goto unlock;
	ret = -ENODEV;
	if (READ_ONCE(ch->rescinded))
		goto unlock;
	if (p->max_requests) {
		ret = -ENOMEM;
		ch->rqst = enl_requestor_alloc(p->max_requests);
		if (!ch->rqst)
			goto unlock;
	}
	ret = chan_setup_rings(ch, p);
	if (ret)
		goto free_rqst;
	WRITE_ONCE(ch->broken, false);
	ch->ring_full = 0;
	ch->signal_owed = false;

	ret = enl_vmbus_gpadl_establish(ch, ch->ring_buf, ch->ring_bytes,
					&ch->ring_gpadl);
	if (ret) {
		/* After a timeout the host may yet map it: keep the pages. */
		if (ret == -ETIMEDOUT)
			enl_leak_pages(ch->ring_npages,
				       "ring GPADL never confirmed");
		chan_put_pages(ch, ret != -ETIMEDOUT);
		goto free_rqst;
	}
	ch->on_event = p->on_event;
	ch->flags = p->flags;
	ch->priv = p->priv;
	/* CPU hotplug sees either no such CPU or a channel on it (synic.c). */
	cpus_read_lock();
	ret = enl_channel_pick_cpu(ch, p);
	if (!ret)
		enl_channel_set_state(ch, ENL_CHAN_OPENING);
	cpus_read_unlock();
	if (ret) {
		chan_free_rings(ch, true);
		goto free_rqst;
	}

	ret = chan_send_open(ch, p);
	if (ret) {
		if (ret == -ETIMEDOUT)
			chan_send_close(ch);
		enl_channel_set_state(ch, ENL_CHAN_OFFERED);
		chan_free_rings(ch, true);
		goto free_rqst;
	}
	enl_channel_set_state(ch, ENL_CHAN_OPEN);
	/* Events that came before the state said open were dropped. */
	tasklet_schedule(&ch->tasklet);
	mutex_unlock(&ch->lock);
	return 0;
free_rqst:
	enl_requestor_free(ch->rqst);
	ch->rqst = NULL;
unlock:
	mutex_unlock(&ch->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_open);

void enl_vmbus_channel_close(struct enl_vmbus_channel *ch)
{
	mutex_lock(&ch->lock);
	if (ch->state != ENL_CHAN_OPEN) {
		mutex_unlock(&ch->lock);
		return;
	}
	enl_channel_set_state(ch, ENL_CHAN_CLOSING);
	/*
	 * Wait out a running callback; later runs see the state and return
	 * at once, so the tasklet stays enabled across the sleeping host
	 * round trips below.
	 */
	tasklet_disable(&ch->tasklet);
	tasklet_enable(&ch->tasklet);
	chan_send_close(ch);
	chan_free_rings(ch, true);
	ch->on_event = NULL;
	enl_requestor_free(ch->rqst);
	ch->rqst = NULL;
	enl_channel_set_state(ch, ENL_CHAN_OFFERED);
	mutex_unlock(&ch->lock);
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_close);

void enl_vmbus_channel_close_all(struct enl_vmbus_channel *primary)
{
	struct enl_vmbus_channel *sub;
	unsigned int after = 0;

	while ((sub = enl_subchannel_next(primary, after))) {
		after = sub->sub_index;
		enl_vmbus_channel_close(sub);
		put_device(&sub->vdev.dev);
	}
	enl_vmbus_channel_close(primary);
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_close_all);

void *enl_vmbus_channel_priv(const struct enl_vmbus_channel *ch)
{
	return ch->priv;
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_priv);

struct enl_vmbus_device *enl_vmbus_channel_device(struct enl_vmbus_channel *ch)
{
	return ch->primary ? &ch->primary->vdev : &ch->vdev;
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_device);

void enl_vmbus_channel_offer_info(const struct enl_vmbus_channel *ch,
				  struct enl_vmbus_offer_info *info)
{
	const struct enl_vmbus_channel_offer *o = &ch->offer.offer;

	info->chn_flags = o->chn_flags;
	info->mmio_megabytes = o->mmio_megabytes;
	info->sub_channel_index = o->sub_channel_index;
	memcpy(info->user_def, o->u.std.user_def, sizeof(info->user_def));
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_offer_info);
