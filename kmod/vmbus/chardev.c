// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/vmbus/<service>: one character device per integration-service or test
 * channel, so the IC daemons speak their protocol from userspace.
 *
 * open() opens the channel, release() closes it; one opener at a time
 * (EBUSY). read() returns one whole packet's payload (pipe and IC headers
 * included, VMBus padding to 8 bytes too) or EMSGSIZE, leaving the packet
 * queued, if the buffer is too small; IC_RING_SIZE always suffices.
 * write() sends one whole packet of at most IC_MAX_WRITE bytes (EMSGSIZE
 * beyond), with the transaction id of the last packet read, since every IC
 * message is a reply to the host's request; it blocks while the ring is
 * full, or fails with EAGAIN under O_NONBLOCK. poll() tells both. Once the
 * host rescinds the device every call fails with ENODEV.
 */
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <enlighten/guids.h>
#include "vmbus.h"

#define IC_RING_SIZE		(16 * 1024)
#define IC_MAX_WRITE		(8 * 1024)

struct enl_ic {
	struct miscdevice misc;
	char name[40];
	struct kref ref;
	struct mutex lock;		/* everything below but the flags */
	struct enl_vmbus_channel *ch;
	bool open;
	bool gone;			/* device removed: ch is not ours */
	bool rx_ready;			/* set by the channel callback */
	bool tx_ready;
	u64 last_trans_id;
	wait_queue_head_t rx_wq;
	wait_queue_head_t tx_wq;
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

static int ic_open(struct inode *inode, struct file *file)
{
	struct enl_ic *ic = container_of(file->private_data, struct enl_ic,
					 misc);
	struct enl_vmbus_open_params p = {
		.send_ring_size = IC_RING_SIZE,
		.recv_ring_size = IC_RING_SIZE,
		.flags = ENL_VMBUS_OPEN_NOTIFY,
		.on_event = ic_event,
		.priv = ic,
	};
	int ret;

	/* misc_open holds misc_mtx: removal cannot run concurrently. */
	mutex_lock(&ic->lock);
	ret = ic->gone ? -ENODEV : ic->open ? -EBUSY : 0;
	if (!ret)
		ret = enl_vmbus_channel_open(ic->ch, &p);
	if (!ret) {
		ic->open = true;
		ic->last_trans_id = 0;
		kref_get(&ic->ref);
		file->private_data = ic;
	}
	mutex_unlock(&ic->lock);
	return ret ? ret : stream_open(inode, file);
}

static int ic_release(struct inode *inode, struct file *file)
{
	struct enl_ic *ic = file->private_data;

	mutex_lock(&ic->lock);
	if (!ic->gone)
		enl_vmbus_channel_close(ic->ch);
	ic->open = false;
	mutex_unlock(&ic->lock);
	kref_put(&ic->ref, ic_free);
	return 0;
}

static ssize_t ic_read(struct file *file, char __user *ubuf, size_t count,
		       loff_t *ppos)
{
	struct enl_ic *ic = file->private_data;
	struct enl_vmbus_pkt_info info;
	int ret;

	for (;;) {
		mutex_lock(&ic->lock);
		if (ic->gone) {
			mutex_unlock(&ic->lock);
			return -ENODEV;
		}
		WRITE_ONCE(ic->rx_ready, false);
		ret = enl_vmbus_recv(ic->ch, ic->buf,
				     min_t(size_t, count, sizeof(ic->buf)),
				     &info);
		if (ret >= 0) {
			ic->last_trans_id = info.trans_id;
			if (copy_to_user(ubuf, ic->buf, ret))
				ret = -EFAULT;
		}
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

	if (count > IC_MAX_WRITE)
		return -EMSGSIZE;
	data = memdup_user(ubuf, count);
	if (IS_ERR(data))
		return PTR_ERR(data);
	for (;;) {
		mutex_lock(&ic->lock);
		if (ic->gone) {
			ret = -ENODEV;
			goto unlock;
		}
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
	} else {
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

static const struct file_operations ic_fops = {
	.owner = THIS_MODULE,
	.open = ic_open,
	.release = ic_release,
	.read = ic_read,
	.write = ic_write,
	.poll = ic_poll,
	.llseek = no_llseek,
};

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
	ic->ch = vdev->channel;
	ic->misc.minor = MISC_DYNAMIC_MINOR;
	ic->misc.fops = &ic_fops;
	ic->misc.parent = &vdev->dev;
	ic->misc.name = ic->name;
	/* "vmbus/echo" becomes /dev/vmbus/echo; a second one gets its relid. */
	snprintf(ic->name, sizeof(ic->name), "vmbus/%s", service);
	ret = misc_register(&ic->misc);
	if (ret) {
		snprintf(ic->name, sizeof(ic->name), "vmbus/%s-%u", service,
			 vdev->channel->relid);
		ret = misc_register(&ic->misc);
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

	misc_deregister(&ic->misc);
	mutex_lock(&ic->lock);
	WRITE_ONCE(ic->gone, true);
	if (ic->open)
		enl_vmbus_channel_close(ic->ch);
	ic->ch = NULL;
	mutex_unlock(&ic->lock);
	wake_up_interruptible(&ic->rx_wq);
	wake_up_interruptible(&ic->tx_wq);
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
