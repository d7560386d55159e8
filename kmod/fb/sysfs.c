// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_fb sysfs, on the VMBus device (/sys/bus/enl_vmbus/devices/<id>/):
 *   enl_fb_stats   one line of key=value pairs: the synthvid version, VRAM,
 *                  the largest mode, whether the host wants dirt and the
 *                  pointer, messages sent, and the host's bad input by
 *                  reason (bad_msg, bad_type, bad_value, unexpected,
 *                  too_big) and sends the ring refused (send_fail)
 */
#include <linux/device.h>
#include <linux/sysfs.h>
#include "fb.h"

static ssize_t enl_fb_stats_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct enl_fb *fb = dev_get_drvdata(dev);
	struct enl_fb_stats *st = &fb->st;

	return sysfs_emit(buf, "version=%u.%u vram=%pa size=%pa max=%ux%u depth=%u dirt_needed=%d ptr_needed=%d dirt_msgs=%lld dirt_rects=%lld pointer_msgs=%lld feature_changes=%lld bad_msg=%lld bad_type=%lld bad_value=%lld unexpected=%lld too_big=%lld send_fail=%lld\n",
			  ENL_SYNTHVID_MAJOR(fb->version),
			  ENL_SYNTHVID_MINOR(fb->version), &fb->vram_gpa,
			  &fb->vram_size, fb->width_max, fb->height_max,
			  fb->depth, READ_ONCE(fb->dirt_needed),
			  READ_ONCE(fb->ptr_needed),
			  (long long)atomic64_read(&st->dirt_msgs),
			  (long long)atomic64_read(&st->dirt_rects),
			  (long long)atomic64_read(&st->pointer_msgs),
			  (long long)atomic64_read(&st->feature_changes),
			  (long long)atomic64_read(&st->bad_msg),
			  (long long)atomic64_read(&st->bad_type),
			  (long long)atomic64_read(&st->bad_value),
			  (long long)atomic64_read(&st->unexpected),
			  (long long)atomic64_read(&st->too_big),
			  (long long)atomic64_read(&st->send_fail));
}
static DEVICE_ATTR_RO(enl_fb_stats);

static struct attribute *enl_fb_attrs[] = {
	&dev_attr_enl_fb_stats.attr,
	NULL,
};

const struct attribute_group enl_fb_attr_group = {
	.attrs = enl_fb_attrs,
};
