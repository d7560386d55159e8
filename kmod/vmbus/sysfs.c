// SPDX-License-Identifier: GPL-2.0-only
/* sysfs: per-device identity, state and counters; bus-wide version and error counters. */
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>
#include <enlighten/guids.h>
#include "vmbus.h"

static ssize_t class_id_show(struct device *dev, struct device_attribute *a,
			     char *buf)
{
	return sysfs_emit(buf, "%pUl\n", &to_enl_vmbus_device(dev)->class_id);
}
static DEVICE_ATTR_RO(class_id);

static ssize_t device_id_show(struct device *dev, struct device_attribute *a,
			      char *buf)
{
	return sysfs_emit(buf, "%pUl\n",
			  &to_enl_vmbus_device(dev)->instance_id);
}
static DEVICE_ATTR_RO(device_id);

static ssize_t modalias_show(struct device *dev, struct device_attribute *a,
			     char *buf)
{
	return sysfs_emit(buf, ENL_VMBUS_MODALIAS_PREFIX "%*phN\n", UUID_SIZE,
			  &to_enl_vmbus_device(dev)->class_id);
}
static DEVICE_ATTR_RO(modalias);

static ssize_t state_show(struct device *dev, struct device_attribute *a,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  enl_channel_state_name(to_enl_channel(dev)));
}
static DEVICE_ATTR_RO(state);

/* The service name (echo, heartbeat, ...); "unknown" for other classes. */
static ssize_t class_name_show(struct device *dev, struct device_attribute *a,
			       char *buf)
{
	const struct enl_guid *g = (const void *)&to_enl_vmbus_device(dev)->class_id;

	return sysfs_emit(buf, "%s\n",
			  enl_dev_class_name(enl_dev_class_from_guid(g)));
}
static DEVICE_ATTR_RO(class_name);

#define CHAN_ATTR(name, fmt, expr)					\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *a, char *buf)	\
{									\
	struct enl_vmbus_channel *ch = to_enl_channel(dev);		\
									\
	return sysfs_emit(buf, fmt "\n", expr);				\
}									\
static DEVICE_ATTR_RO(name)

CHAN_ATTR(relid, "%u", ch->relid);
CHAN_ATTR(target_cpu, "%u", ch->target_cpu);
CHAN_ATTR(in_packets, "%llu", READ_ONCE(ch->in.stats.packets));
CHAN_ATTR(in_bytes, "%llu", READ_ONCE(ch->in.stats.bytes));
CHAN_ATTR(out_packets, "%llu", READ_ONCE(ch->out.stats.packets));
CHAN_ATTR(out_bytes, "%llu", READ_ONCE(ch->out.stats.bytes));
CHAN_ATTR(interrupts, "%lld", (long long)atomic64_read(&ch->interrupts));
CHAN_ATTR(signals, "%lld", (long long)atomic64_read(&ch->signals));
CHAN_ATTR(ring_full, "%llu", READ_ONCE(ch->ring_full));
CHAN_ATTR(ring_corrupt, "%llu", READ_ONCE(ch->in.stats.corrupt) +
	  READ_ONCE(ch->out.stats.corrupt));
CHAN_ATTR(skipped, "%lld", (long long)atomic64_read(&ch->skipped));
CHAN_ATTR(stalls, "%lld", (long long)atomic64_read(&ch->stalls));

/* Completions whose transaction id was dropped, by reason. */
static ssize_t bad_completions_show(struct device *dev,
				    struct device_attribute *a, char *buf)
{
	struct enl_vmbus_channel *ch = to_enl_channel(dev);

	return sysfs_emit(buf, "unknown=%lld duplicate=%lld stale=%lld\n",
			  (long long)atomic64_read(&ch->rqst_err[ENL_RQST_UNKNOWN]),
			  (long long)atomic64_read(&ch->rqst_err[ENL_RQST_DUPLICATE]),
			  (long long)atomic64_read(&ch->rqst_err[ENL_RQST_STALE]));
}
static DEVICE_ATTR_RO(bad_completions);
CHAN_ATTR(mmio_megabytes, "%u", ch->offer.offer.mmio_megabytes);

/*
 * One line per sub-channel: index relid state target_cpu interrupts
 * in_packets out_packets skipped stalls retargets bad_completions.
 */
static ssize_t subchannels_show(struct device *dev,
				struct device_attribute *a, char *buf)
{
	struct enl_vmbus_channel *ch = to_enl_channel(dev), *sub;
	unsigned int after = 0;
	int len = 0;

	while ((sub = enl_subchannel_next(ch, after))) {
		after = sub->sub_index;
		len += sysfs_emit_at(buf, len,
				     "%u %u %s %u %lld %llu %llu %lld %lld %lld %lld\n",
				     sub->sub_index, sub->relid,
				     enl_channel_state_name(sub),
				     READ_ONCE(sub->target_cpu),
				     (long long)atomic64_read(&sub->interrupts),
				     READ_ONCE(sub->in.stats.packets),
				     READ_ONCE(sub->out.stats.packets),
				     (long long)atomic64_read(&sub->skipped),
				     (long long)atomic64_read(&sub->stalls),
				     (long long)atomic64_read(&sub->retargets),
				     (long long)(atomic64_read(&sub->rqst_err[0]) +
						 atomic64_read(&sub->rqst_err[1]) +
						 atomic64_read(&sub->rqst_err[2])));
		put_device(&sub->vdev.dev);
	}
	return len;
}
static DEVICE_ATTR_RO(subchannels);

/*
 * One channel's rings as the guest sees them (the shared indices, mask and
 * pending_send_sz, and its private read index) and its tasklet: what a
 * lost wakeup leaves behind, next to enl-host's view in `ctl stats`.
 */
static int ring_state_emit(struct enl_vmbus_channel *ch, char *buf, int len)
{
	unsigned long t;

	mutex_lock(&ch->lock);
	len += sysfs_emit_at(buf, len, "relid=%u state=%s", ch->relid,
			     enl_channel_state_name(ch));
	/* The rings exist from open to close, which take ch->lock. */
	if (ch->state == ENL_CHAN_OPEN)
		len += sysfs_emit_at(buf, len,
				     " in=%u/%u/%u/%u out=%u/%u/%u/%u in_priv_read=%u out_priv_write=%u",
				     READ_ONCE(ch->in.ctl->write_index),
				     READ_ONCE(ch->in.ctl->read_index),
				     READ_ONCE(ch->in.ctl->interrupt_mask),
				     READ_ONCE(ch->in.ctl->pending_send_sz),
				     READ_ONCE(ch->out.ctl->write_index),
				     READ_ONCE(ch->out.ctl->read_index),
				     READ_ONCE(ch->out.ctl->interrupt_mask),
				     READ_ONCE(ch->out.ctl->pending_send_sz),
				     READ_ONCE(ch->in.priv_read),
				     READ_ONCE(ch->out.priv_write));
	mutex_unlock(&ch->lock);
	t = READ_ONCE(ch->tasklet.state);
	len += sysfs_emit_at(buf, len,
			     " tasklet=%s%s interrupts=%lld signals=%lld stalls=%lld\n",
			     t & BIT(TASKLET_STATE_SCHED) ? "scheduled" : "idle",
			     t & BIT(TASKLET_STATE_RUN) ? ",running" : "",
			     (long long)atomic64_read(&ch->interrupts),
			     (long long)atomic64_read(&ch->signals),
			     (long long)atomic64_read(&ch->stalls));
	return len;
}

/*
 * The primary and each sub-channel, a line each: relid, state, in= and
 * out= as write/read/interrupt_mask/pending_send_sz, the private indices,
 * the tasklet, interrupts taken and signals sent.
 */
static ssize_t ring_state_show(struct device *dev, struct device_attribute *a,
			       char *buf)
{
	struct enl_vmbus_channel *ch = to_enl_channel(dev), *sub;
	unsigned int after = 0;
	int len;

	len = ring_state_emit(ch, buf, 0);
	while ((sub = enl_subchannel_next(ch, after))) {
		after = sub->sub_index;
		len = ring_state_emit(sub, buf, len);
		put_device(&sub->vdev.dev);
	}
	return len;
}
static DEVICE_ATTR_RO(ring_state);

static struct attribute *enl_dev_attrs[] = {
	&dev_attr_class_name.attr,
	&dev_attr_class_id.attr,
	&dev_attr_device_id.attr,
	&dev_attr_modalias.attr,
	&dev_attr_relid.attr,
	&dev_attr_state.attr,
	&dev_attr_target_cpu.attr,
	&dev_attr_in_packets.attr,
	&dev_attr_in_bytes.attr,
	&dev_attr_out_packets.attr,
	&dev_attr_out_bytes.attr,
	&dev_attr_interrupts.attr,
	&dev_attr_signals.attr,
	&dev_attr_ring_full.attr,
	&dev_attr_ring_corrupt.attr,
	&dev_attr_skipped.attr,
	&dev_attr_stalls.attr,
	&dev_attr_bad_completions.attr,
	&dev_attr_mmio_megabytes.attr,
	&dev_attr_subchannels.attr,
	&dev_attr_ring_state.attr,
	NULL,
};

static const struct attribute_group enl_dev_group = {
	.attrs = enl_dev_attrs,
};

const struct attribute_group *enl_vmbus_dev_groups[] = {
	&enl_dev_group,
	NULL,
};

static ssize_t version_show(struct bus_type *bus, char *buf)
{
	struct enl_vmbus *vb = READ_ONCE(enl_vb);
	u32 v = vb ? vb->version : 0;

	return sysfs_emit(buf, "%u.%u\n", ENL_VMBUS_VERSION_MAJOR(v),
			  ENL_VMBUS_VERSION_MINOR(v));
}

static ssize_t transport_show(struct bus_type *bus, char *buf)
{
	struct enl_vmbus *vb = READ_ONCE(enl_vb);

	return sysfs_emit(buf, "%s\n", vb ? vb->t->name : "none");
}

/* SynICs driven: 1 means every channel interrupt arrives on VP 0's. */
static ssize_t synics_show(struct bus_type *bus, char *buf)
{
	struct enl_vmbus *vb = READ_ONCE(enl_vb);

	return sysfs_emit(buf, "%u\n", vb ? vb->t->nr_synic : 0);
}

/* Pages never freed because the host did not confirm it let go of them. */
static ssize_t leaked_pages_show(struct bus_type *bus, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&enl_leaked_pages));
}

#define ERR_ATTR(name)							\
static ssize_t name##_show(struct bus_type *bus, char *buf)	\
{									\
	struct enl_vmbus *vb = READ_ONCE(enl_vb);			\
									\
	return sysfs_emit(buf, "%ld\n",					\
			  vb ? atomic_long_read(&vb->err.name) : 0);	\
}

ERR_ATTR(bad_msg)
ERR_ATTR(bad_relid)
ERR_ATTR(unexpected)
ERR_ATTR(post_fail)

static BUS_ATTR_RO(version);
static BUS_ATTR_RO(transport);
static BUS_ATTR_RO(synics);
static BUS_ATTR_RO(bad_msg);
static BUS_ATTR_RO(bad_relid);
static BUS_ATTR_RO(unexpected);
static BUS_ATTR_RO(post_fail);
static BUS_ATTR_RO(leaked_pages);

static struct attribute *enl_bus_attrs[] = {
	&bus_attr_version.attr,
	&bus_attr_transport.attr,
	&bus_attr_synics.attr,
	&bus_attr_bad_msg.attr,
	&bus_attr_bad_relid.attr,
	&bus_attr_unexpected.attr,
	&bus_attr_post_fail.attr,
	&bus_attr_leaked_pages.attr,
	NULL,
};

static const struct attribute_group enl_bus_group = {
	.attrs = enl_bus_attrs,
};

const struct attribute_group *enl_vmbus_bus_groups[] = {
	&enl_bus_group,
	NULL,
};
