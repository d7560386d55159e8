// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_storvsc sysfs, in /sys/class/scsi_host/hostN/:
 *   enl_protocol   the VMSTOR version, channels, max transfer, depth
 *   enl_queues     one line per queue (VMBus channel), key=value pairs:
 *                  its target CPU, commands in flight, submitted,
 *                  completed, errors (failed I/O), absent (no such
 *                  target or LUN: a scan's probes), check (CHECK
 *                  CONDITION with sense, e.g. a page sd's probe asks
 *                  for and a disk may lack), busy (turned away), bogus (host
 *                  fields dropped or clamped), late (answers to handed-
 *                  back commands), orphaned (handed back by a reset),
 *                  unsolicited (packets the host sent on its own),
 *                  rescinded (1: the host took the queue's channel away,
 *                  its commands go to the primary's; cpu is then its)
 */
#include <linux/device.h>
#include <linux/sysfs.h>
#include "storvsc.h"

static struct stor_dev *stor_of(struct device *dev)
{
	return shost_priv(class_to_shost(dev));
}

static ssize_t enl_protocol_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct stor_dev *sd = stor_of(dev);

	return sysfs_emit(buf, "version=%u.%u class=%s channels=%u host_subchannels=%u max_transfer=%u depth=%u\n",
			  sd->version >> 8, sd->version & 0xff,
			  sd->ide ? "ide" : "scsi", sd->nr_chan,
			  sd->host_subchannels, sd->max_transfer, sd->depth);
}
static DEVICE_ATTR_RO(enl_protocol);

static ssize_t enl_queues_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct stor_dev *sd = stor_of(dev);
	unsigned int i;
	int len = 0;

	for (i = 0; i < sd->nr_chan; i++) {
		struct stor_chan *c = &sd->chan[i];
		struct stor_stats *st = &c->st;
		unsigned long flags;
		unsigned int cpu;

		/* c->ch may be rescinded and released meanwhile. */
		spin_lock_irqsave(&c->lock, flags);
		cpu = enl_vmbus_channel_target_cpu(c->ch ?: sd->chan[0].ch);
		spin_unlock_irqrestore(&c->lock, flags);
		len += sysfs_emit_at(buf, len,
				     "queue=%u cpu=%u inflight=%u submitted=%lld completed=%lld errors=%lld absent=%lld check=%lld busy=%lld bogus=%lld late=%lld orphaned=%lld unsolicited=%lld rescinded=%d\n",
				     i, cpu,
				     stor_chan_inflight(c),
				     (long long)atomic64_read(&st->submitted),
				     (long long)atomic64_read(&st->completed),
				     (long long)atomic64_read(&st->errors),
				     (long long)atomic64_read(&st->absent),
				     (long long)atomic64_read(&st->check),
				     (long long)atomic64_read(&st->busy),
				     (long long)atomic64_read(&st->bogus),
				     (long long)atomic64_read(&st->late),
				     (long long)atomic64_read(&st->orphaned),
				     (long long)atomic64_read(&st->unsolicited),
				     READ_ONCE(c->gone));
	}
	return len;
}
static DEVICE_ATTR_RO(enl_queues);

static struct attribute *stor_shost_attrs[] = {
	&dev_attr_enl_protocol.attr,
	&dev_attr_enl_queues.attr,
	NULL,
};

static const struct attribute_group stor_shost_group = {
	.attrs = stor_shost_attrs,
};

const struct attribute_group *stor_shost_groups[] = {
	&stor_shost_group,
	NULL,
};
