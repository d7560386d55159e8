// SPDX-License-Identifier: GPL-2.0-only
/* Channels: open/close, ring buffers, sending, receiving and per-channel interrupts. */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "vmbus.h"

/* Packets an on_event callback may take per tasklet run. */
#define CHAN_BUDGET		64

static void chan_broken(struct enl_vmbus_channel *ch)
{
	if (!READ_ONCE(ch->broken))
		dev_err(&ch->vdev.dev, "ring buffer corrupt: channel %u disabled\n",
			ch->relid);
	WRITE_ONCE(ch->broken, true);
}

void enl_channel_signal(struct enl_vmbus_channel *ch)
{
	struct enl_vmbus *vb = ch->vb;
	int ret;

	/* Before 5.0, a shared-interrupt channel also flags the send page. */
	if (vb->version < ENL_VMBUS_VERSION_WIN10_V5 &&
	    !(ch->offer.is_dedicated_interrupt & ENL_VMBUS_OFFER_DEDICATED_INTERRUPT))
		set_bit(ch->relid,
			(unsigned long *)(vb->int_page + ENL_HV_PAGE_SIZE / 2));
	atomic64_inc(&ch->signals);
	ret = vb->t->signal_event(vb->t,
				  ENL_HV_SIGNAL_EVENT_VALUE(ch->sig_conn_id, 0));
	if (ret)
		dev_err_ratelimited(&ch->vdev.dev, "HvSignalEvent failed: %d\n",
				    ret);
}

static void chan_tasklet(struct tasklet_struct *t)
{
	struct enl_vmbus_channel *ch = from_tasklet(ch, t, tasklet);
	int n;

	if (READ_ONCE(ch->state) != ENL_CHAN_OPEN || READ_ONCE(ch->broken))
		return;
	if (ch->flags & ENL_VMBUS_OPEN_NOTIFY) {
		ch->on_event(ch, 0);
		return;
	}
	/* No need for the host to interrupt while we drain. */
	enl_ring_intr_mask(&ch->in);
	n = ch->on_event(ch, CHAN_BUDGET);
	if (enl_ring_read_commit(&ch->in))
		enl_channel_signal(ch);
	if (READ_ONCE(ch->broken))
		return;
	/* Out of budget, or data came in as we unmasked: run again. */
	if (n >= CHAN_BUDGET || enl_ring_intr_unmask(&ch->in))
		tasklet_schedule(&ch->tasklet);
}

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
	kfree(to_enl_channel(dev));
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
	memcpy(&ch->vdev.class_id, &offer->offer.if_type, sizeof(guid_t));
	memcpy(&ch->vdev.instance_id, &offer->offer.if_instance,
	       sizeof(guid_t));
	ch->vdev.channel = ch;
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

static void chan_set_state(struct enl_vmbus_channel *ch, int state)
{
	unsigned long flags;

	/* Senders test the state under out_lock. */
	spin_lock_irqsave(&ch->out_lock, flags);
	WRITE_ONCE(ch->state, state);
	spin_unlock_irqrestore(&ch->out_lock, flags);
}

/* Spread channels over the online CPUs (hv); pci delivers all to VP 0. */
static void chan_pick_cpu(struct enl_vmbus_channel *ch)
{
	struct enl_vmbus *vb = ch->vb;
	unsigned int cpu = 0, n;

	if (vb->t->nr_synic > 1) {
		n = atomic_inc_return(&vb->next_cpu) % num_online_cpus();
		for_each_online_cpu(cpu)
			if (!n--)
				break;
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	ch->target_cpu = cpu;
	ch->target_vp = vb->t->vp_index(vb->t, cpu);
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
		dev_err(&ch->vdev.dev, "host refused to open channel: status %#x\n",
			res->status);
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

/* The host may still write rings it never confirmed it let go of. */
static void chan_free_rings(struct enl_vmbus_channel *ch, bool gpadl_up)
{
	if (gpadl_up && enl_vmbus_gpadl_teardown(ch, ch->ring_gpadl)) {
		dev_err(&ch->vdev.dev, "ring GPADL not torn down: leaking %u bytes\n",
			ch->ring_bytes);
	} else {
		vfree(ch->ring_buf);
	}
	ch->ring_buf = NULL;
}

static bool ring_size_ok(u32 size)
{
	return size >= ENL_RING_PAGE_SIZE && size <= ENL_VMBUS_MAX_RING_SIZE &&
	       !(size % PAGE_SIZE);
}

int enl_vmbus_channel_open(struct enl_vmbus_channel *ch,
			   const struct enl_vmbus_open_params *p)
{
	u8 *buf;
	int ret;

	if (!p->on_event || !ring_size_ok(p->send_ring_size) ||
	    !ring_size_ok(p->recv_ring_size) ||
	    p->userdata_len > ENL_VMBUS_MAX_USER_DEFINED_BYTES)
		return -EINVAL;
	mutex_lock(&ch->lock);
	ret = -EBUSY;
	if (ch->state != ENL_CHAN_OFFERED)
		goto unlock;
	ret = -ENODEV;
	if (READ_ONCE(ch->rescinded))
		goto unlock;

	ret = -ENOMEM;
	ch->ring_bytes = 2 * ENL_RING_PAGE_SIZE + p->send_ring_size +
			 p->recv_ring_size;
	buf = vzalloc(ch->ring_bytes);
	if (!buf)
		goto unlock;
	ch->ring_buf = buf;
	ret = enl_ring_init(&ch->out, (void *)buf, buf + ENL_RING_PAGE_SIZE,
			    p->send_ring_size);
	buf += ENL_RING_PAGE_SIZE + p->send_ring_size;
	ret = ret ?: enl_ring_init(&ch->in, (void *)buf,
				   buf + ENL_RING_PAGE_SIZE, p->recv_ring_size);
	if (ret) {
		chan_free_rings(ch, false);
		goto unlock;
	}
	enl_ring_reset(&ch->out);
	enl_ring_reset(&ch->in);
	WRITE_ONCE(ch->broken, false);
	ch->ring_full = 0;

	ret = enl_vmbus_gpadl_establish(ch, ch->ring_buf, ch->ring_bytes,
					&ch->ring_gpadl);
	if (ret) {
		/* After a timeout the host may yet map it: keep it. */
		if (ret == -ETIMEDOUT)
			ch->ring_buf = NULL;
		else
			chan_free_rings(ch, false);
		goto unlock;
	}
	ch->on_event = p->on_event;
	ch->flags = p->flags;
	ch->priv = p->priv;
	/* CPU hotplug sees either no such CPU or a channel on it (synic.c). */
	cpus_read_lock();
	chan_pick_cpu(ch);
	chan_set_state(ch, ENL_CHAN_OPENING);
	cpus_read_unlock();

	ret = chan_send_open(ch, p);
	if (ret) {
		if (ret == -ETIMEDOUT)
			chan_send_close(ch);
		chan_set_state(ch, ENL_CHAN_OFFERED);
		chan_free_rings(ch, true);
		goto unlock;
	}
	chan_set_state(ch, ENL_CHAN_OPEN);
	/* Events that came before the state said open were dropped. */
	tasklet_schedule(&ch->tasklet);
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
	chan_set_state(ch, ENL_CHAN_CLOSING);
	/* Wait out a running callback; later runs see the state. */
	tasklet_disable(&ch->tasklet);
	chan_send_close(ch);
	chan_free_rings(ch, true);
	ch->on_event = NULL;
	chan_set_state(ch, ENL_CHAN_OFFERED);
	tasklet_enable(&ch->tasklet);
	mutex_unlock(&ch->lock);
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_close);

void *enl_vmbus_channel_priv(const struct enl_vmbus_channel *ch)
{
	return ch->priv;
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_priv);

struct enl_vmbus_device *enl_vmbus_channel_device(struct enl_vmbus_channel *ch)
{
	return &ch->vdev;
}
EXPORT_SYMBOL_GPL(enl_vmbus_channel_device);

static int chan_write(struct enl_vmbus_channel *ch, u16 type, u16 flags,
		      u64 trans_id, const struct enl_ring_iov *iov,
		      u32 iovcnt, bool raw)
{
	unsigned long irqflags;
	bool signal = false;
	int ret;

	spin_lock_irqsave(&ch->out_lock, irqflags);
	if (ch->state != ENL_CHAN_OPEN || READ_ONCE(ch->rescinded))
		ret = -ENODEV;
	else if (READ_ONCE(ch->broken))
		ret = -EIO;
	else if (raw)
		ret = enl_ring_write_raw(&ch->out, iov, iovcnt, &signal);
	else
		ret = enl_ring_write(&ch->out, type, flags, trans_id, iov,
				     iovcnt, &signal);
	if (ret == -EAGAIN)
		ch->ring_full++;
	spin_unlock_irqrestore(&ch->out_lock, irqflags);
	if (ret == -EIO)
		chan_broken(ch);
	if (signal)
		enl_channel_signal(ch);
	return ret;
}

int enl_vmbus_send(struct enl_vmbus_channel *ch, const void *data, u32 len,
		   u64 trans_id, u16 type, u16 flags)
{
	struct enl_ring_iov iov = { .base = data, .len = len };

	return chan_write(ch, type, flags, trans_id, &iov, len ? 1 : 0, false);
}
EXPORT_SYMBOL_GPL(enl_vmbus_send);

int enl_vmbus_send_gpa(struct enl_vmbus_channel *ch,
		       const struct enl_gpa_range *ranges, u32 ranges_len,
		       u32 range_cnt, const void *data, u32 len, u64 trans_id)
{
	struct enl_vmdata_gpa_direct hdr = {};
	struct enl_ring_iov iov[3] = {
		{ .base = &hdr, .len = sizeof(hdr) },
		{ .base = ranges, .len = ranges_len },
		{ .base = data, .len = len },
	};

	if (ranges_len % 8 || ranges_len > ENL_VMPKT_MAX_LEN)
		return -EINVAL;
	hdr.d.type = ENL_VMPKT_DATA_USING_GPA_DIRECT;
	hdr.d.flags = ENL_VMPKT_FLAG_COMPLETION_REQUESTED;
	hdr.d.offset8 = (sizeof(hdr) + ranges_len) / 8;
	hdr.d.trans_id = trans_id;
	hdr.range_cnt = range_cnt;
	return chan_write(ch, 0, 0, 0, iov, len ? 3 : 2, true);
}
EXPORT_SYMBOL_GPL(enl_vmbus_send_gpa);

bool enl_vmbus_want_send_room(struct enl_vmbus_channel *ch, u32 len)
{
	unsigned long flags;
	bool fits = true;

	spin_lock_irqsave(&ch->out_lock, flags);
	if (ch->state == ENL_CHAN_OPEN && !READ_ONCE(ch->broken))
		fits = enl_ring_set_pending_send(&ch->out, len ?
				enl_ring_pkt_size(sizeof(struct enl_vmpacket_descriptor) +
						  len) : 0);
	spin_unlock_irqrestore(&ch->out_lock, flags);
	return fits;
}
EXPORT_SYMBOL_GPL(enl_vmbus_want_send_room);

static int chan_recv(struct enl_vmbus_channel *ch, void *buf, u32 buflen,
		     struct enl_vmbus_pkt_info *info, bool raw)
{
	struct enl_ring_pkt pkt;
	u32 off, len;
	int ret;

	if (READ_ONCE(ch->state) != ENL_CHAN_OPEN)
		return -ENODEV;
	if (READ_ONCE(ch->broken))
		return -EIO;
	ret = enl_ring_peek(&ch->in, &pkt);
	if (ret) {
		if (ret == -EIO)
			chan_broken(ch);
		return ret;
	}
	off = raw ? 0 : pkt.hdr_len;
	len = pkt.len - off;
	if (info) {
		info->type = pkt.type;
		info->flags = pkt.flags;
		info->len = len;
		info->trans_id = pkt.trans_id;
	}
	if (len > buflen)
		return -EMSGSIZE;
	ret = enl_ring_copy(&ch->in, &pkt, off, buf, len);
	if (ret)
		return ret;
	enl_ring_skip(&ch->in, &pkt);
	/* Callback readers commit once per batch, in chan_tasklet. */
	if ((ch->flags & ENL_VMBUS_OPEN_NOTIFY) &&
	    enl_ring_read_commit(&ch->in))
		enl_channel_signal(ch);
	return len;
}

int enl_vmbus_recv(struct enl_vmbus_channel *ch, void *buf, u32 buflen,
		   struct enl_vmbus_pkt_info *info)
{
	return chan_recv(ch, buf, buflen, info, false);
}
EXPORT_SYMBOL_GPL(enl_vmbus_recv);

int enl_vmbus_recv_raw(struct enl_vmbus_channel *ch, void *buf, u32 buflen,
		       struct enl_vmbus_pkt_info *info)
{
	return chan_recv(ch, buf, buflen, info, true);
}
EXPORT_SYMBOL_GPL(enl_vmbus_recv_raw);

bool enl_vmbus_recv_ready(struct enl_vmbus_channel *ch)
{
	u64 corrupt = ch->in.stats.corrupt;
	u32 avail;

	if (READ_ONCE(ch->state) != ENL_CHAN_OPEN || READ_ONCE(ch->broken))
		return false;
	avail = enl_ring_bytes_to_read(&ch->in);
	/* A bad write index reads as "empty": disable rather than wait forever. */
	if (ch->in.stats.corrupt != corrupt)
		chan_broken(ch);
	return avail > 0;
}
EXPORT_SYMBOL_GPL(enl_vmbus_recv_ready);
