// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs of an enl_hid device: "counters" (what came from the host and
 * what was refused) and, on the keyboard, "leds" (what the guest last
 * told the host). The files go with the driver (dev_groups).
 */
#include <linux/device.h>
#include <linux/sysfs.h>
#include "hidvsc.h"

static ssize_t counters_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct enl_hid_dev *hd = dev_get_drvdata(dev);
	struct enl_hid_counters c;
	unsigned long flags;
	bool ready;

	if (!hd)
		return -ENODEV;
	spin_lock_irqsave(&hd->lock, flags);
	c = hd->c;
	ready = hd->ready;
	spin_unlock_irqrestore(&hd->lock, flags);
	return sysfs_emit(buf,
			  "ready %d\npackets %llu\ndelivered %llu\n"
			  "bad_length %llu\nbad_type %llu\nbad_code %llu\n"
			  "unexpected %llu\ntoo_big %llu\nsent %llu\n"
			  "send_errors %llu\n", ready, c.packets, c.delivered,
			  c.bad_length, c.bad_type, c.bad_code, c.unexpected,
			  c.too_big, c.sent, c.send_errors);
}
static DEVICE_ATTR_RO(counters);

static ssize_t leds_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct enl_hid_dev *hd = dev_get_drvdata(dev);
	unsigned long flags;
	u64 updates;
	u8 leds;

	if (!hd || !hd->is_keyboard)
		return -ENODEV;
	spin_lock_irqsave(&hd->lock, flags);
	leds = hd->k.leds;
	updates = hd->k.led_updates;
	spin_unlock_irqrestore(&hd->lock, flags);
	return sysfs_emit(buf, "0x%x %llu\n", leds, updates);
}
static DEVICE_ATTR_RO(leds);

static struct attribute *hid_attrs[] = {
	&dev_attr_counters.attr,
	&dev_attr_leds.attr,
	NULL,
};

static const struct attribute_group hid_group = {
	.attrs = hid_attrs,
};

const struct attribute_group *enl_hid_groups[] = {
	&hid_group,
	NULL,
};
