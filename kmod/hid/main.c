// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_hid: one VMBus driver for the synthetic mouse and keyboard. Probe
 * opens the channel and hands over to mouse.c or keyboard.c, which shake
 * hands with the host and register the input side; remove undoes it.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <enlighten/guids.h>
#include "hidvsc.h"

#define HID_CLASS_MOUSE		0
#define HID_CLASS_KEYBOARD	1

int enl_hid_open(struct enl_hid_dev *hd, enl_vmbus_event_fn on_event)
{
	struct enl_vmbus_open_params p = {
		.send_ring_size = ENL_HID_RING_SIZE,
		.recv_ring_size = ENL_HID_RING_SIZE,
		.on_event = on_event,
		.priv = hd,
	};

	return enl_vmbus_channel_open(hd->ch, &p);
}

/* The counters of host input turned away, summed; under the lock. */
static u64 rejected(const struct enl_hid_counters *c)
{
	return c->bad_length + c->bad_type + c->bad_code + c->unexpected +
	       c->too_big;
}

/*
 * Every rejection of a host packet is counted where it is found (mouse.c,
 * keyboard.c, below); said here, once per packet and rate-limited.
 */
static void say_rejected(struct enl_hid_dev *hd, u64 before, u32 type,
			 u32 len)
{
	struct enl_hid_counters c;
	unsigned long flags;

	spin_lock_irqsave(&hd->lock, flags);
	c = hd->c;
	spin_unlock_irqrestore(&hd->lock, flags);
	if (rejected(&c) == before)
		return;
	dev_warn_ratelimited(&hd->vdev->dev,
			     "host packet (type %u, %u bytes) turned away; bad_length %llu bad_type %llu bad_code %llu unexpected %llu too_big %llu\n",
			     type, len, c.bad_length, c.bad_type, c.bad_code,
			     c.unexpected, c.too_big);
}

int enl_hid_drain(struct enl_vmbus_channel *ch, int budget,
		  void (*handle)(struct enl_hid_dev *hd, u32 len))
{
	struct enl_hid_dev *hd = enl_vmbus_channel_priv(ch);
	struct enl_vmbus_pkt_info info;
	unsigned long flags;
	u64 before;
	int n, ret;

	for (n = 0; n < budget; n++) {
		spin_lock_irqsave(&hd->lock, flags);
		before = rejected(&hd->c);
		spin_unlock_irqrestore(&hd->lock, flags);
		ret = enl_vmbus_recv(ch, hd->recv_buf, ENL_HID_RECV_BUF, &info);
		if (ret == -EMSGSIZE) {
			enl_hid_count(hd, too_big);
			enl_vmbus_recv_skip(ch);
			say_rejected(hd, before, info.type, info.len);
			continue;
		}
		if (ret < 0)
			break;
		enl_hid_count(hd, packets);
		if (info.type == ENL_VMPKT_COMP)
			continue;
		if (info.type != ENL_VMPKT_DATA_INBAND)
			enl_hid_count(hd, bad_type);
		else
			handle(hd, (u32)ret);
		say_rejected(hd, before, info.type, info.len);
	}
	return n;
}

int enl_hid_send(struct enl_hid_dev *hd, const void *msg, u32 len)
{
	int ret = enl_vmbus_send(hd->ch, msg, len, 0, ENL_VMPKT_DATA_INBAND, 0);

	if (ret)
		enl_hid_count(hd, send_errors);
	else
		enl_hid_count(hd, sent);
	return ret;
}

static int hid_probe(struct enl_vmbus_device *vdev,
		     const struct hv_vmbus_device_id *id)
{
	struct enl_hid_dev *hd;
	int ret;

	hd = kzalloc(sizeof(*hd), GFP_KERNEL);
	if (!hd)
		return -ENOMEM;
	hd->recv_buf = kmalloc(ENL_HID_RECV_BUF, GFP_KERNEL);
	if (!hd->recv_buf) {
		kfree(hd);
		return -ENOMEM;
	}
	hd->vdev = vdev;
	hd->ch = vdev->channel;
	hd->is_keyboard = id->driver_data == HID_CLASS_KEYBOARD;
	spin_lock_init(&hd->lock);
	init_completion(&hd->wait);
	dev_set_drvdata(&vdev->dev, hd);
	ret = hd->is_keyboard ? enl_hid_keyboard_probe(hd) :
				enl_hid_mouse_probe(hd);
	if (ret) {
		dev_set_drvdata(&vdev->dev, NULL);
		kfree(hd->recv_buf);
		kfree(hd);
	}
	return ret;
}

static void hid_remove(struct enl_vmbus_device *vdev)
{
	struct enl_hid_dev *hd = dev_get_drvdata(&vdev->dev);

	if (hd->is_keyboard)
		enl_hid_keyboard_remove(hd);
	else
		enl_hid_mouse_remove(hd);
	dev_set_drvdata(&vdev->dev, NULL);
	kfree(hd->recv_buf);
	kfree(hd);
}

static const struct hv_vmbus_device_id hid_ids[] = {
	{ .guid = ENL_GUID_MOUSE, .driver_data = HID_CLASS_MOUSE },
	{ .guid = ENL_GUID_KEYBOARD, .driver_data = HID_CLASS_KEYBOARD },
	{ },
};

ENL_VMBUS_MODULE_ALIAS("9eb6a8cf4a5bc04cb98b8ba1a1f3f95a");
ENL_VMBUS_MODULE_ALIAS("6dad12f9172bea48bd65f927a61c7684");

static struct enl_vmbus_driver hid_driver = {
	.name = "enl_hid",
	.id_table = hid_ids,
	.probe = hid_probe,
	.remove = hid_remove,
	.driver = {
		.dev_groups = enl_hid_groups,
	},
};

static int __init hid_init(void)
{
	return enl_vmbus_driver_register(&hid_driver);
}

static void __exit hid_exit(void)
{
	enl_vmbus_driver_unregister(&hid_driver);
}

module_init(hid_init);
module_exit(hid_exit);

MODULE_DESCRIPTION("Enlighten synthetic keyboard and mouse (synthkbd, synthhid)");
MODULE_LICENSE("GPL");
