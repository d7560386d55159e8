// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/vmbus/<service>: one character device per integration-service or test
 * channel, so the IC daemons speak their protocol from userspace.
 *
 * open() opens the channel, release() closes it; one opener at a time
 * (EBUSY). misc_open() calls us under the kernel-wide misc_mtx, so open()
 * waits for the host only briefly (IC_OPEN_WAIT_MS): a host slow to answer
 * OPENCHANNEL leaves the open running, and read, write and poll wait for it
 * (EAGAIN under O_NONBLOCK) and return its error if it failed. read()
 * returns one whole packet's payload (pipe and IC headers included, VMBus
 * padding to 8 bytes too), or leaves the packet queued and fails with
 * EMSGSIZE if the buffer is too small (IC_RING_SIZE always suffices) or
 * EFAULT if it is not writable. write() sends one whole packet of 1 to
 * IC_MAX_WRITE bytes (EINVAL for none, EMSGSIZE beyond), with the transaction id of the last packet read, since every IC
 * message is a reply to the host's request; it blocks while the ring is
 * full, or fails with EAGAIN under O_NONBLOCK. poll() tells both. Once the
 * host rescinds the device every call fails with ENODEV.
 * ENL_VMBUS_IOC_REFTIME (enlighten/vmbus_dev.h) reads the partition
 * reference time, which time sync version 4 stamps its samples with.
 */
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <enlighten/guids.h>
#include <enlighten/vmbus_dev.h>
#include "vmbus.h"

#define IC_RING_SIZE		(16 * 1024)
#define IC_MAX_WRITE		(8 * 1024)
/* How long open() may hold misc_mtx waiting for the host's OPEN_RESULT. */
#define IC_OPEN_WAIT_MS		100
/* /dev/vmbus nodes at most (the kernel has 128 dynamic misc minors). */
#define IC_MAX_NODES		64

enum ic_state {
	IC_CLOSED,
	IC_OPENING,	/* open_work is opening the channel */
	IC_OPEN,
	IC_FAILED,	/* open_err says why; until release */
};

struct enl_ic {
	struct miscdevice misc;
	char name[40];
	struct kref ref;
	struct mutex lock;		/* everything below but the flags */
	struct enl_vmbus_channel *ch;
	enum ic_state state;
	int open_err;
	struct work_struct open_work;
	bool gone;			/* device removed: ch is not ours */
	int plain_cls;			/* owns /dev/vmbus/<service>, or -1 */
	bool rx_ready;			/* set by the channel callback */
	bool tx_ready;
	u64 last_trans_id;
	wait_queue_head_t rx_wq;
	wait_queue_head_t tx_wq;
	wait_queue_head_t open_wq;	/* state left IC_OPENING */
	u8 buf[IC_RING_SIZE];
};

static void ic_free(struct kref *ref)
{
	kfree(container_of(ref, struct enl_ic, ref));
}

/* Channel tasklet: data arrived or the ring has room again. */
static int ic_event(struct enl_vmbus_channel *ch, int budget)
{
	struct enl_ic *ic = enl_vmbus_channel_priv(ch);

	WRITE_ONCE(ic->rx_ready, true);
	WRITE_ONCE(ic->tx_ready, true);
	wake_up_interruptible(&ic->rx_wq);
	wake_up_interruptible(&ic->tx_wq);
	return 0;
}

/* Runs outside misc_mtx: the host may take its time to answer. */
static void ic_open_work(struct work_struct *work)
{
	struct enl_ic *ic = container_of(work, struct enl_ic, open_work);
	struct enl_vmbus_open_params p = {
		.send_ring_size = IC_RING_SIZE,
		.recv_ring_size = IC_RING_SIZE,
		.flags = ENL_VMBUS_OPEN_NOTIFY,
		.on_event = ic_event,
		.priv = ic,
	};
	int ret;

	/* ic_remove flushes this work before it lets go of ch. */
	ret = enl_vmbus_channel_open(ic->ch, &p);
	mutex_lock(&ic->lock);
	ic->open_err = ret;
	WRITE_ONCE(ic->state, ret ? IC_FAILED : IC_OPEN);
	mutex_unlock(&ic->lock);
	wake_up_all(&ic->open_wq);
	wake_up_interruptible(&ic->rx_wq);
	wake_up_interruptible(&ic->tx_wq);
	kref_put(&ic->ref, ic_free);
}

static int ic_open(struct inode *inode, struct file *file)
{
	struct enl_ic *ic = container_of(file->private_data, struct enl_ic,
					 misc);
	int ret;

	/* misc_open holds misc_mtx: removal cannot run concurrently. */
	mutex_lock(&ic->lock);
	ret = ic->gone ? -ENODEV : ic->state != IC_CLOSED ? -EBUSY : 0;
	if (!ret) {
		WRITE_ONCE(ic->state, IC_OPENING);
		ic->last_trans_id = 0;
		kref_get(&ic->ref);	/* the file's */
		kref_get(&ic->ref);	/* the work's */
		queue_work(system_long_wq, &ic->open_work);
	}
	mutex_unlock(&ic->lock);
	if (ret)
		return ret;
	file->private_data = ic;
	/* The usual case: the host answers at once, and open() reports it. */
	wait_event_timeout(ic->open_wq, READ_ONCE(ic->state) != IC_OPENING,
			   msecs_to_jiffies(IC_OPEN_WAIT_MS));
	mutex_lock(&ic->lock);
	if (ic->state == IC_FAILED) {
		ret = ic->open_err;
		WRITE_ONCE(ic->state, IC_CLOSED);
	}
	mutex_unlock(&ic->lock);
	if (ret) {
		kref_put(&ic->ref, ic_free);
		return ret;
	}
	return stream_open(inode, file);
}

/*
 * Called with ic->lock held: 0 once the channel is open, the open's error
 * if it failed, -ENODEV once removed, -EAGAIN while it is still opening.
 */
static int ic_usable(struct enl_ic *ic)
{
	if (ic->gone)
		return -ENODEV;
	switch (ic->state) {
	case IC_OPEN:
		return 0;
	case IC_FAILED:
		return ic->open_err;
	default:
		return -EAGAIN;
	}
}

/* Wait (unless O_NONBLOCK) for an open still talking to the host. */
static int ic_wait_opened(struct enl_ic *ic, struct file *file)
{
	if (READ_ONCE(ic->state) != IC_OPENING)
		return 0;
	if (file->f_flags & O_NONBLOCK)
		return -EAGAIN;
	if (wait_event_interruptible(ic->open_wq,
				     READ_ONCE(ic->state) != IC_OPENING))
		return -ERESTARTSYS;
	return 0;
}

static int ic_release(struct inode *inode, struct file *file)
{
	struct enl_ic *ic = file->private_data;

	/* An open still in flight ends first: then there is one state. */
	flush_work(&ic->open_work);
	mutex_lock(&ic->lock);
	if (!ic->gone && ic->state == IC_OPEN)
		enl_vmbus_channel_close(ic->ch);
	WRITE_ONCE(ic->state, IC_CLOSED);
	mutex_unlock(&ic->lock);
	kref_put(&ic->ref, ic_free);
	return 0;
}

/*
 * One packet's payload to ubuf, called with ic->lock held. The packet
 * leaves the ring only once it reached the caller: a short buffer
 * (EMSGSIZE) or a bad one (EFAULT) keeps it for the next read.
 */
static int ic_recv_to_user(struct enl_ic *ic, char __user *ubuf,
			   size_t count)
{
	struct enl_vmbus_pkt pkt;
	int ret;

	ret = enl_vmbus_read_begin(ic->ch);
	if (ret)
		return ret;
	ret = enl_vmbus_read_peek(ic->ch, &pkt);
	if (ret)
		return ret;
	if (pkt.len > count || pkt.len > sizeof(ic->buf))
		return -EMSGSIZE;
	/* Our own copy first: the host may rewrite its ring meanwhile. */
	memcpy(ic->buf, pkt.data, pkt.len);
	if (copy_to_user(ubuf, ic->buf, pkt.len))
		return -EFAULT;
	ic->last_trans_id = pkt.trans_id;
	ret = pkt.len;
	enl_vmbus_read_next(ic->ch, &pkt);
	enl_vmbus_read_end(ic->ch);
	return ret;
}

static ssize_t ic_read(struct file *file, char __user *ubuf, size_t count,
		       loff_t *ppos)
{
	struct enl_ic *ic = file->private_data;
	int ret;

	ret = ic_wait_opened(ic, file);
	if (ret)
		return ret;
	for (;;) {
		mutex_lock(&ic->lock);
		ret = ic_usable(ic);
		if (ret) {
			mutex_unlock(&ic->lock);
			return ret;
		}
		WRITE_ONCE(ic->rx_ready, false);
		ret = ic_recv_to_user(ic, ubuf, count);
		mutex_unlock(&ic->lock);
		if (ret != -EAGAIN)
			return ret;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(ic->rx_wq, READ_ONCE(ic->rx_ready) ||
					     READ_ONCE(ic->gone)))
			return -ERESTARTSYS;
	}
}

static ssize_t ic_write(struct file *file, const char __user *ubuf,
			size_t count, loff_t *ppos)
{
	struct enl_ic *ic = file->private_data;
	bool waited = false, fits;
	void *data;
	int ret;

	/* An empty packet means nothing to a service; so read 0 means EOF. */
	if (!count)
		return -EINVAL;
	if (count > IC_MAX_WRITE)
		return -EMSGSIZE;
	ret = ic_wait_opened(ic, file);
	if (ret)
		return ret;
	data = memdup_user(ubuf, count);
	if (IS_ERR(data))
		return PTR_ERR(data);
	for (;;) {
		mutex_lock(&ic->lock);
		ret = ic_usable(ic);
		if (ret)
			goto unlock;
		WRITE_ONCE(ic->tx_ready, false);
		ret = enl_vmbus_send(ic->ch, data, count, ic->last_trans_id,
				     ENL_VMPKT_DATA_INBAND, 0);
		if (ret != -EAGAIN || (file->f_flags & O_NONBLOCK))
			goto unlock;
		/* Ask the host to signal once the packet fits. */
		waited = true;
		fits = enl_vmbus_want_send_room(ic->ch, count);
		mutex_unlock(&ic->lock);
		if (!fits &&
		    wait_event_interruptible(ic->tx_wq, READ_ONCE(ic->tx_ready) ||
					     READ_ONCE(ic->gone))) {
			ret = -ERESTARTSYS;
			goto out;
		}
	}
unlock:
	if (waited && !ic->gone)
		enl_vmbus_want_send_room(ic->ch, 0);
	mutex_unlock(&ic->lock);
out:
	kfree(data);
	return ret ? ret : count;
}

static __poll_t ic_poll(struct file *file, poll_table *wait)
{
	struct enl_ic *ic = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &ic->rx_wq, wait);
	poll_wait(file, &ic->tx_wq, wait);
	mutex_lock(&ic->lock);
	if (ic->gone) {
		mask = EPOLLHUP | EPOLLERR;
	} else if (ic->state == IC_FAILED) {
		mask = EPOLLERR;	/* read and write return the open's error */
	} else if (ic->state == IC_OPEN) {
		if (enl_vmbus_recv_ready(ic->ch))
			mask |= EPOLLIN | EPOLLRDNORM;
		/* Leaves a wish for room behind: the host signals when free. */
		if (enl_vmbus_want_send_room(ic->ch, IC_MAX_WRITE))
			mask |= EPOLLOUT | EPOLLWRNORM;
		/* A corrupt ring: read and write fail with EIO from now on. */
		if (READ_ONCE(ic->ch->broken))
			mask = EPOLLERR;
	}
	mutex_unlock(&ic->lock);
	return mask;
}

/*
 * The reference counter, bracketed by the guest's wall clock. It is
 * partition-wide, so any CPU's register (or call slot) will do. Under
 * ic->lock, so the device (and its bus) cannot go meanwhile; a slow host
 * delays only this channel's own reads and writes.
 */
static int ic_reftime(struct enl_ic *ic, struct enl_vmbus_reftime *rt)
{
	struct enl_transport *t;
	int ret;

	mutex_lock(&ic->lock);
	if (ic->gone) {
		ret = -ENODEV;
		goto unlock;
	}
	t = ic->ch->vb->t;
	rt->realtime_before_ns = ktime_get_real_ns();
	ret = t->msr_read(t, raw_smp_processor_id(),
			  ENL_HV_MSR_TIME_REF_COUNT, &rt->ref_time);
	rt->realtime_after_ns = ktime_get_real_ns();
unlock:
	mutex_unlock(&ic->lock);
	return ret;
}

static long ic_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct enl_ic *ic = file->private_data;
	struct enl_vmbus_reftime rt = {};
	int ret;

	if (cmd != ENL_VMBUS_IOC_REFTIME)
		return -ENOTTY;
	ret = ic_reftime(ic, &rt);
	if (ret)
		return ret;
	if (copy_to_user((void __user *)arg, &rt, sizeof(rt)))
		return -EFAULT;
	return 0;
}

static const struct file_operations ic_fops = {
	.owner = THIS_MODULE,
	.open = ic_open,
	.release = ic_release,
	.read = ic_read,
	.write = ic_write,
	.poll = ic_poll,
	.unlocked_ioctl = ic_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

/*
 * Which services have a /dev/vmbus/<service> already: a second device of
 * a class gets <service>-<relid> (misc_register would only warn about the
 * duplicate sysfs name, not fail).
 */
static DEFINE_MUTEX(ic_names_lock);
static DECLARE_BITMAP(ic_plain_taken, ENL_DEV_COUNT);
/*
 * Nodes registered. A host may offer any number of IC devices; past this
 * many the next are refused with an error, before the kernel's dynamic
 * misc minors run out (which it reports with a stack trace).
 */
static unsigned int ic_nodes;

static int ic_register(struct enl_ic *ic, const char *service,
		       unsigned int cls, u32 relid)
{
	int ret;

	mutex_lock(&ic_names_lock);
	if (ic_nodes >= IC_MAX_NODES) {
		mutex_unlock(&ic_names_lock);
		return -ENOSPC;
	}
	ic->plain_cls = -1;
	if (cls < ENL_DEV_COUNT && !test_bit(cls, ic_plain_taken)) {
		snprintf(ic->name, sizeof(ic->name), "vmbus/%s", service);
		ic->plain_cls = cls;
	} else {
		snprintf(ic->name, sizeof(ic->name), "vmbus/%s-%u", service,
			 relid);
	}
	ret = misc_register(&ic->misc);
	if (!ret)
		ic_nodes++;
	if (!ret && ic->plain_cls >= 0)
		set_bit(cls, ic_plain_taken);
	mutex_unlock(&ic_names_lock);
	return ret;
}

static void ic_deregister(struct enl_ic *ic)
{
	mutex_lock(&ic_names_lock);
	misc_deregister(&ic->misc);
	ic_nodes--;
	if (ic->plain_cls >= 0)
		clear_bit(ic->plain_cls, ic_plain_taken);
	mutex_unlock(&ic_names_lock);
}

static int ic_probe(struct enl_vmbus_device *vdev,
		    const struct hv_vmbus_device_id *id)
{
	const char *service =
		enl_dev_class_name((enum enl_dev_class)id->driver_data);
	struct enl_ic *ic;
	int ret;

	ic = kzalloc(sizeof(*ic), GFP_KERNEL);
	if (!ic)
		return -ENOMEM;
	kref_init(&ic->ref);
	mutex_init(&ic->lock);
	init_waitqueue_head(&ic->rx_wq);
	init_waitqueue_head(&ic->tx_wq);
	init_waitqueue_head(&ic->open_wq);
	INIT_WORK(&ic->open_work, ic_open_work);
	ic->ch = vdev->channel;
	ic->misc.minor = MISC_DYNAMIC_MINOR;
	ic->misc.fops = &ic_fops;
	ic->misc.parent = &vdev->dev;
	ic->misc.name = ic->name;
	/* "vmbus/echo" becomes /dev/vmbus/echo; a second one gets its relid. */
	ret = ic_register(ic, service, id->driver_data, vdev->channel->relid);
	if (ret == -ENOSPC) {
		dev_err_ratelimited(&vdev->dev,
				    "%s device of relid %u refused: already %u /dev/vmbus nodes\n",
				    service, vdev->channel->relid, IC_MAX_NODES);
		kfree(ic);
		return ret;
	}
	if (ret) {
		dev_err(&vdev->dev, "cannot create /dev/%s: %d\n", ic->name,
			ret);
		kfree(ic);
		return ret;
	}
	dev_set_drvdata(&vdev->dev, ic);
	dev_info(&vdev->dev, "/dev/%s for relid %u\n", ic->name,
		 vdev->channel->relid);
	return 0;
}

static void ic_remove(struct enl_vmbus_device *vdev)
{
	struct enl_ic *ic = dev_get_drvdata(&vdev->dev);

	ic_deregister(ic);
	/* No new opens now; one in flight ends (fast, once rescinded). */
	flush_work(&ic->open_work);
	mutex_lock(&ic->lock);
	WRITE_ONCE(ic->gone, true);
	if (ic->state == IC_OPEN)
		enl_vmbus_channel_close(ic->ch);
	ic->ch = NULL;
	mutex_unlock(&ic->lock);
	wake_up_interruptible(&ic->rx_wq);
	wake_up_interruptible(&ic->tx_wq);
	wake_up_all(&ic->open_wq);
	kref_put(&ic->ref, ic_free);
}

#define IC_ID(cls)	{ .guid = ENL_GUID_##cls, .driver_data = ENL_DEV_##cls }

static const struct hv_vmbus_device_id ic_ids[] = {
	IC_ID(HEARTBEAT),
	IC_ID(SHUTDOWN),
	IC_ID(TIMESYNC),
	IC_ID(KVP),
	IC_ID(VSS),
	IC_ID(CLIPBOARD),
	IC_ID(ECHO),
	{ },
};

static struct enl_vmbus_driver ic_driver = {
	.name = "enl_vmbus_ic",
	.id_table = ic_ids,
	.probe = ic_probe,
	.remove = ic_remove,
};

int enl_chardev_init(void)
{
	return enl_vmbus_driver_register(&ic_driver);
}

void enl_chardev_exit(void)
{
	enl_vmbus_driver_unregister(&ic_driver);
}
