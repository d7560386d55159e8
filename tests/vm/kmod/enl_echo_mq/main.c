// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_echo_mq: a test VSC for enl-host's echo-mq device, written only
 * against the enl_vmbus driver API. Probe opens the primary asking for one
 * sub-channel per online CPU, waits for them and opens each with its own
 * target CPU; the channels use the in-place receive model and request ids.
 *
 * sysfs, in the device's directory:
 *   pump       write "N K": N packets of 1..4000 bytes over channels 0..K-1
 *              from a task bound to each channel's CPU, every byte checked
 *   pingpong   write "N [index]": N round trips, one at a time
 *   bogus      write "1": a completion with an unknown id, one with a
 *              duplicate id (both must be dropped and counted)
 *   wedge      write 1: channel 0 leaves packets it cannot take in the
 *              ring; 0: it skips them again and is kicked
 *   mmio       write N: reserve N MiB of MMIO space for the device
 *              (enl_vmbus_mmio_alloc), 0: release it; result says where
 *   reopen     write 1: open the sub-channels not open now (after the
 *              host rescinded one alone and offered its index again)
 *   result     the last run's figures
 *   channels   index target_cpu oversize unexpected sub_channel_index
 *              (from the offer), one line each; "index gone" for a
 *              sub-channel the host took away
 *
 * A sub-channel the host rescinds alone is closed and forgotten
 * (sub_rescind); runs over it fail with ENODEV until it is reopened.
 */
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <enlighten/echo.h>
#include <enlighten/guids.h>
#include "echo_mq.h"

#define EMQ_SUB_TIMEOUT_MS	10000

/* Tests: fail probe once every channel is open (it must leave them closed). */
static bool fail_probe;
module_param(fail_probe, bool, 0644);
MODULE_PARM_DESC(fail_probe, "fail probe after opening every channel");

static void emq_chan_free(struct emq_chan *c)
{
	if (c->open)
		enl_vmbus_channel_close(c->ch);
	c->open = false;
	kvfree(c->reqs);
	kfree(c->cb_cpu);
	c->reqs = NULL;
	c->cb_cpu = NULL;
	/* Reopened later (sysfs reopen): nothing of this use may remain. */
	c->free = NULL;
	atomic_set(&c->inflight, 0);
}

/*
 * The state of a probe failed on purpose: its channels still point at it
 * until enl_vmbus has closed them, after probe returns; freed later.
 */
static struct emq_dev *failed_dev;

static void emq_free_failed(void)
{
	unsigned int i;

	if (!failed_dev)
		return;
	for (i = 0; i < failed_dev->nr; i++) {
		failed_dev->chan[i].open = false;
		emq_chan_free(&failed_dev->chan[i]);
	}
	kvfree(failed_dev);
	failed_dev = NULL;
}

static int emq_chan_open(struct emq_dev *d, unsigned int index,
			 struct enl_vmbus_channel *ch, u32 nsub)
{
	struct emq_chan *c = &d->chan[index];
	struct enl_echo_mq_open req = {
		.magic = ENL_ECHO_MQ_MAGIC,
		.nr_subchannels = nsub,
	};
	struct enl_vmbus_open_params p = {
		.send_ring_size = EMQ_RING_SIZE,
		.recv_ring_size = EMQ_RING_SIZE,
		.flags = ENL_VMBUS_OPEN_TARGET_CPU,
		.on_event = emq_event,
		.priv = c,
		.target_cpu = enl_vmbus_spread_cpu(index),
		.max_requests = EMQ_WINDOW,
	};
	unsigned int i;
	int ret;

	c->dev = d;
	c->ch = ch;
	c->index = index;
	c->cpu = p.target_cpu;
	spin_lock_init(&c->lock);
	init_waitqueue_head(&c->wq);
	c->reqs = kvcalloc(EMQ_WINDOW, sizeof(*c->reqs), GFP_KERNEL);
	c->cb_cpu = kcalloc(nr_cpu_ids, sizeof(*c->cb_cpu), GFP_KERNEL);
	if (!c->reqs || !c->cb_cpu)
		return -ENOMEM;
	for (i = 0; i < EMQ_WINDOW; i++) {
		c->reqs[i].next_free = c->free;
		c->free = &c->reqs[i];
	}
	/* Only the primary's open carries the request for sub-channels. */
	if (!index) {
		p.userdata = &req;
		p.userdata_len = sizeof(req);
	}
	ret = enl_vmbus_channel_open(ch, &p);
	if (ret)
		return ret;
	c->open = true;
	return 0;
}

static int emq_probe(struct enl_vmbus_device *vdev,
		     const struct hv_vmbus_device_id *id)
{
	struct enl_vmbus_channel *primary = vdev->channel;
	u32 nsub = min(num_online_cpus(), ENL_ECHO_MQ_MAX_SUBCHANNELS);
	struct emq_dev *d;
	unsigned int i;
	int ret;

	d = kvzalloc(struct_size(d, chan, nsub + 1), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->vdev = vdev;
	mutex_init(&d->run_lock);
	ret = emq_chan_open(d, 0, primary, nsub);
	if (ret)
		goto fail;
	d->nr = 1;
	ret = enl_vmbus_wait_subchannels(primary, nsub, EMQ_SUB_TIMEOUT_MS);
	if (ret < 0) {
		dev_err(&vdev->dev, "%u sub-channels asked for, not offered: %d\n",
			nsub, ret);
		goto fail;
	}
	for (i = 1; i <= nsub; i++) {
		struct enl_vmbus_channel *sub = enl_vmbus_subchannel(primary, i);

		ret = sub ? emq_chan_open(d, i, sub, 0) : -ENODEV;
		if (ret) {
			dev_err(&vdev->dev, "sub-channel %u: %d\n", i, ret);
			goto fail;
		}
		d->nr = i + 1;
	}
	if (READ_ONCE(fail_probe)) {
		dev_info(&vdev->dev, "echo-mq: failing probe as asked, channels left open\n");
		/* enl_vmbus must close the channels; an earlier one it has. */
		emq_free_failed();
		failed_dev = d;
		return -EIO;
	}
	dev_set_drvdata(&vdev->dev, d);
	dev_info(&vdev->dev, "echo-mq: primary and %u sub-channels open\n",
		 nsub);
	return 0;
fail:
	/* Sub-channels first, then the primary. */
	for (i = nsub + 1; i-- > 0;)
		emq_chan_free(&d->chan[i]);
	kvfree(d);
	return ret;
}

static void emq_remove(struct enl_vmbus_device *vdev)
{
	struct emq_dev *d = dev_get_drvdata(&vdev->dev);
	unsigned int i;

	mutex_lock(&d->run_lock);
	for (i = d->nr; i-- > 0;)
		emq_chan_free(&d->chan[i]);
	mutex_unlock(&d->run_lock);
	kvfree(d);
}

static struct emq_dev *emq_of(struct device *dev)
{
	return dev_get_drvdata(dev);
}

/* enl_vmbus releases sub once this returns: let go of it. */
static void emq_sub_rescind(struct enl_vmbus_device *vdev,
			    struct enl_vmbus_channel *sub)
{
	struct emq_dev *d = dev_get_drvdata(&vdev->dev);
	unsigned int i;

	if (!d)
		return;
	mutex_lock(&d->run_lock);
	for (i = 1; i < d->nr; i++) {
		if (d->chan[i].ch != sub)
			continue;
		emq_chan_free(&d->chan[i]);
		d->chan[i].ch = NULL;
		dev_info(&vdev->dev, "echo-mq: sub-channel %u gone\n", i);
	}
	mutex_unlock(&d->run_lock);
}

static ssize_t reopen_store(struct device *dev, struct device_attribute *a,
			    const char *buf, size_t count)
{
	struct emq_dev *d = emq_of(dev);
	unsigned int i;
	int ret = 0;

	mutex_lock(&d->run_lock);
	for (i = 1; i < d->nr && !ret; i++) {
		struct enl_vmbus_channel *sub;

		if (d->chan[i].open)
			continue;
		sub = enl_vmbus_subchannel(d->vdev->channel, i);
		ret = sub ? emq_chan_open(d, i, sub, 0) : -ENODEV;
		if (ret) {
			emq_chan_free(&d->chan[i]);
			d->chan[i].ch = NULL;
		}
	}
	mutex_unlock(&d->run_lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(reopen);

static ssize_t pump_store(struct device *dev, struct device_attribute *a,
			  const char *buf, size_t count)
{
	unsigned long long n;
	unsigned int k;
	int ret;

	if (sscanf(buf, "%llu %u", &n, &k) != 2 || !n || !k)
		return -EINVAL;
	ret = emq_pump(emq_of(dev), n, k);
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(pump);

static ssize_t pingpong_store(struct device *dev, struct device_attribute *a,
			      const char *buf, size_t count)
{
	unsigned int n, index = 0;
	int ret;

	if (sscanf(buf, "%u %u", &n, &index) < 1 || !n)
		return -EINVAL;
	ret = emq_pingpong(emq_of(dev), n, index);
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(pingpong);

static ssize_t bogus_store(struct device *dev, struct device_attribute *a,
			   const char *buf, size_t count)
{
	int ret = emq_bogus(emq_of(dev));

	return ret ? ret : count;
}
static DEVICE_ATTR_WO(bogus);

static ssize_t wedge_store(struct device *dev, struct device_attribute *a,
			   const char *buf, size_t count)
{
	struct emq_chan *c = &emq_of(dev)->chan[0];
	bool on;

	if (kstrtobool(buf, &on))
		return -EINVAL;
	WRITE_ONCE(c->wedge, on);
	/* What was left in the ring meanwhile is taken now. */
	if (!on)
		enl_vmbus_channel_kick(c->ch);
	return count;
}
static DEVICE_ATTR_WO(wedge);

static ssize_t mmio_store(struct device *dev, struct device_attribute *a,
			  const char *buf, size_t count)
{
	struct emq_dev *d = emq_of(dev);
	unsigned int mib;
	int ret = 0;

	if (kstrtouint(buf, 0, &mib) || mib > 1024)
		return -EINVAL;
	mutex_lock(&d->run_lock);
	if (d->mmio_size) {
		enl_vmbus_mmio_free(d->vdev, d->mmio_start);
		d->mmio_size = 0;
	}
	if (mib) {
		ret = enl_vmbus_mmio_alloc(d->vdev, 0, 0, (resource_size_t)mib << 20,
					   SZ_1M, &d->mmio_start);
		if (!ret)
			d->mmio_size = (resource_size_t)mib << 20;
	}
	scnprintf(d->result, PAGE_SIZE, "mmio start=%pa size=%pa status=%d\n",
		  &d->mmio_start, &d->mmio_size, ret);
	mutex_unlock(&d->run_lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(mmio);

static ssize_t result_show(struct device *dev, struct device_attribute *a,
			   char *buf)
{
	struct emq_dev *d = emq_of(dev);
	ssize_t len;

	mutex_lock(&d->run_lock);
	len = sysfs_emit(buf, "%s", d->result);
	mutex_unlock(&d->run_lock);
	return len;
}
static DEVICE_ATTR_RO(result);

static ssize_t channels_show(struct device *dev, struct device_attribute *a,
			     char *buf)
{
	struct emq_dev *d = emq_of(dev);
	unsigned int i;
	int len = 0;

	/* Against sub_rescind letting go of a channel. */
	mutex_lock(&d->run_lock);
	for (i = 0; i < d->nr; i++) {
		struct emq_chan *c = &d->chan[i];
		struct enl_vmbus_offer_info info;

		if (!c->ch) {
			len += sysfs_emit_at(buf, len, "%u gone\n", c->index);
			continue;
		}
		enl_vmbus_channel_offer_info(c->ch, &info);
		len += sysfs_emit_at(buf, len, "%u %u %lld %lld %u\n", c->index,
				     enl_vmbus_channel_target_cpu(c->ch),
				     (long long)atomic64_read(&c->oversize),
				     (long long)atomic64_read(&c->unexpected),
				     info.sub_channel_index);
	}
	mutex_unlock(&d->run_lock);
	return len;
}
static DEVICE_ATTR_RO(channels);

static struct attribute *emq_attrs[] = {
	&dev_attr_pump.attr,
	&dev_attr_pingpong.attr,
	&dev_attr_bogus.attr,
	&dev_attr_wedge.attr,
	&dev_attr_mmio.attr,
	&dev_attr_reopen.attr,
	&dev_attr_result.attr,
	&dev_attr_channels.attr,
	NULL,
};
ATTRIBUTE_GROUPS(emq);

static const struct hv_vmbus_device_id emq_ids[] = {
	{ .guid = ENL_GUID_ECHO_MQ },
	{ },
};
/* ENL_GUID_ECHO_MQ in memory order. */
ENL_VMBUS_MODULE_ALIAS("1342422fc9b99a4da9bbf80d0f31bf87");

static struct enl_vmbus_driver emq_driver = {
	.name = "enl_echo_mq",
	.id_table = emq_ids,
	.probe = emq_probe,
	.remove = emq_remove,
	.sub_rescind = emq_sub_rescind,
	.driver = {
		.dev_groups = emq_groups,
	},
};

static int __init emq_init(void)
{
	return enl_vmbus_driver_register(&emq_driver);
}

static void __exit emq_exit(void)
{
	enl_vmbus_driver_unregister(&emq_driver);
	emq_free_failed();
}

module_init(emq_init);
module_exit(emq_exit);

MODULE_DESCRIPTION("Enlighten echo-mq test driver (sub-channels, in-place receive, request ids)");
MODULE_LICENSE("GPL");
