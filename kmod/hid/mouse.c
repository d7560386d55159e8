// SPDX-License-Identifier: GPL-2.0-only
/*
 * The synthetic mouse: synthhid 2.0 with the host, then a HID device whose
 * report descriptor is the one the host sent, fed the host's input
 * reports. Every size in a host message is bounded before use: the pipe
 * size by the packet, the message size by the pipe, the class
 * descriptor's bLength and the report descriptor's length by the message,
 * a report by ENL_SYNTHHID_MAX_INPUT_REPORT.
 */
#include <linux/hid.h>
#include <linux/slab.h>
#include "hidvsc.h"

/* Send one synthhid message of body_len bytes after its header. */
static int mouse_send(struct enl_hid_dev *hd, u32 type, const void *body,
		      u32 body_len)
{
	struct {
		struct enl_synthhid_pipe_hdr pipe;
		struct enl_synthhid_msg_hdr hdr;
		u8 body[4];
	} __packed msg = {
		.pipe.type = ENL_SYNTHHID_PIPE_DATA,
		.pipe.size = sizeof(msg.hdr) + body_len,
		.hdr.type = type,
		.hdr.size = body_len,
	};

	memcpy(msg.body, body, body_len);
	return enl_hid_send(hd, &msg, sizeof(msg.pipe) + sizeof(msg.hdr) +
			    body_len);
}

/*
 * The device info, size bytes after the message header (callback
 * context). Keeps a copy of the report descriptor; 0 or -EINVAL.
 */
static int mouse_device_info(struct enl_hid_dev *hd, const u8 *body, u32 size)
{
	const u32 info_len = sizeof(struct enl_synthhid_dev_info);
	struct enl_hid_class_desc desc;
	u32 rlen;

	if (size < info_len + sizeof(desc))
		return -EINVAL;
	memcpy(&hd->m.info, body, info_len);
	memcpy(&desc, body + info_len, sizeof(desc));
	rlen = desc.wReportLength;
	if (desc.bLength < sizeof(desc) || desc.bLength > size - info_len ||
	    !rlen || rlen > ENL_SYNTHHID_MAX_REPORT_DESC ||
	    rlen > size - info_len - desc.bLength)
		return -EINVAL;
	hd->m.report_desc = kmemdup(body + info_len + desc.bLength, rlen,
				    GFP_ATOMIC);
	if (!hd->m.report_desc)
		return -ENOMEM;
	hd->m.report_desc_len = rlen;
	return 0;
}

/* One in-band packet of len bytes (padded to 8) in hd->recv_buf. */
static void mouse_message(struct enl_hid_dev *hd, u32 len)
{
	struct enl_synthhid_pipe_hdr pipe;
	struct enl_synthhid_msg_hdr hdr;
	const u8 *body = hd->recv_buf + sizeof(pipe) + sizeof(hdr);
	struct hid_device *hid = NULL;
	unsigned long flags;
	u8 approved;

	if (len < sizeof(pipe) + sizeof(hdr)) {
		enl_hid_count(hd, bad_length);
		return;
	}
	memcpy(&pipe, hd->recv_buf, sizeof(pipe));
	memcpy(&hdr, hd->recv_buf + sizeof(pipe), sizeof(hdr));
	if (pipe.type != ENL_SYNTHHID_PIPE_DATA) {
		enl_hid_count(hd, bad_type);
		return;
	}
	if (pipe.size > len - sizeof(pipe) || pipe.size < sizeof(hdr) ||
	    hdr.size > pipe.size - sizeof(hdr)) {
		enl_hid_count(hd, bad_length);
		return;
	}
	spin_lock_irqsave(&hd->lock, flags);
	switch (hdr.type) {
	case ENL_SYNTHHID_PROTOCOL_RESPONSE:
		if (hdr.size < sizeof(u32) + sizeof(u8)) {
			hd->c.bad_length++;
			break;
		}
		if (!hd->m.waiting_response) {
			hd->c.unexpected++;
			break;
		}
		approved = body[sizeof(u32)];
		hd->m.approved = approved;
		hd->m.waiting_response = false;
		hd->m.waiting_info = approved;
		complete(&hd->wait);
		break;
	case ENL_SYNTHHID_INITIAL_DEVICE_INFO:
		if (!hd->m.waiting_info) {
			hd->c.unexpected++;
			break;
		}
		hd->m.waiting_info = false;
		hd->m.info_status = mouse_device_info(hd, body, hdr.size);
		if (hd->m.info_status == -EINVAL)
			hd->c.bad_length++;
		complete(&hd->wait);
		break;
	case ENL_SYNTHHID_INPUT_REPORT:
		if (!hdr.size || hdr.size > ENL_SYNTHHID_MAX_INPUT_REPORT) {
			hd->c.bad_length++;
			break;
		}
		if (!hd->ready) {
			hd->c.unexpected++;
			break;
		}
		hid = hd->m.hid;
		memcpy(hd->m.report_buf, body, hdr.size);
		hd->c.delivered++;
		/*
		 * Under the lock: remove clears ready under it before the
		 * HID device goes, so the device outlives this call.
		 */
		hid_input_report(hid, HID_INPUT_REPORT, hd->m.report_buf,
				 hdr.size, 1);
		break;
	default:
		hd->c.bad_type++;
		break;
	}
	spin_unlock_irqrestore(&hd->lock, flags);
}

static int mouse_on_event(struct enl_vmbus_channel *ch, int budget)
{
	return enl_hid_drain(ch, budget, mouse_message);
}

/* ---- The HID side ---- */

static int mouse_hid_parse(struct hid_device *hid)
{
	struct enl_hid_dev *hd = hid->driver_data;

	return hid_parse_report(hid, hd->m.report_desc, hd->m.report_desc_len);
}

static int mouse_hid_start(struct hid_device *hid)
{
	return 0;
}

static void mouse_hid_stop(struct hid_device *hid)
{
}

static int mouse_hid_open(struct hid_device *hid)
{
	return 0;
}

static void mouse_hid_close(struct hid_device *hid)
{
}

/* Nothing goes to the mouse: synthhid carries input reports only. */
static int mouse_hid_raw_request(struct hid_device *hid, unsigned char num,
				 __u8 *buf, size_t len, unsigned char rtype,
				 int reqtype)
{
	return -EIO;
}

static struct hid_ll_driver mouse_ll_driver = {
	.parse = mouse_hid_parse,
	.start = mouse_hid_start,
	.stop = mouse_hid_stop,
	.open = mouse_hid_open,
	.close = mouse_hid_close,
	.raw_request = mouse_hid_raw_request,
};

/*
 * Hyper-V's own mouse descriptor tags its Usage Maximum of the buttons
 * (byte 14, after Usage Page Button and Usage Minimum 1) as a Logical
 * Maximum; read it as what it means, as Linux's driver does.
 */
static void mouse_fix_desc(u8 *d, u32 len)
{
	if (len > 15 && d[10] == 0x05 && d[11] == 0x09 && d[12] == 0x19 &&
	    d[14] == 0x25)
		d[14] = 0x29;
}

static int mouse_wait(struct enl_hid_dev *hd)
{
	if (!wait_for_completion_timeout(&hd->wait,
					 msecs_to_jiffies(ENL_HID_WAIT_MS)))
		return -ETIMEDOUT;
	return 0;
}

int enl_hid_mouse_probe(struct enl_hid_dev *hd)
{
	struct device *dev = &hd->vdev->dev;
	u32 version = ENL_SYNTHHID_VERSION_2_0;
	struct hid_device *hid;
	unsigned long flags;
	u8 ack = 0;
	int ret;

	hd->m.report_buf = kzalloc(HID_MAX_BUFFER_SIZE, GFP_KERNEL);
	if (!hd->m.report_buf)
		return -ENOMEM;
	ret = enl_hid_open(hd, mouse_on_event);
	if (ret)
		goto free;
	spin_lock_irqsave(&hd->lock, flags);
	hd->m.waiting_response = true;
	spin_unlock_irqrestore(&hd->lock, flags);
	ret = mouse_send(hd, ENL_SYNTHHID_PROTOCOL_REQUEST, &version,
			 sizeof(version));
	if (!ret)
		ret = mouse_wait(hd);
	if (ret)
		goto close;
	if (!hd->m.approved) {
		dev_err(dev, "the host refused synthhid 2.0\n");
		ret = -ENODEV;
		goto close;
	}
	/* The device info follows the response: its own complete(). */
	ret = mouse_wait(hd);
	if (!ret)
		ret = hd->m.info_status;
	if (ret) {
		dev_err(dev, "no usable device info from the host (%d)\n", ret);
		goto close;
	}
	ret = mouse_send(hd, ENL_SYNTHHID_INITIAL_DEVICE_INFO_ACK, &ack, 1);
	if (ret)
		goto close;
	mouse_fix_desc(hd->m.report_desc, hd->m.report_desc_len);

	hid = hid_allocate_device();
	if (IS_ERR(hid)) {
		ret = PTR_ERR(hid);
		goto close;
	}
	hid->ll_driver = &mouse_ll_driver;
	hid->dev.parent = dev;
	hid->bus = BUS_VIRTUAL;
	hid->vendor = hd->m.info.vendor;
	hid->product = hd->m.info.product;
	hid->version = hd->m.info.version;
	hid->driver_data = hd;
	strscpy(hid->name, "Enlighten synthetic mouse", sizeof(hid->name));
	strscpy(hid->phys, dev_name(dev), sizeof(hid->phys));
	hd->m.hid = hid;
	ret = hid_add_device(hid);
	if (ret) {
		hid_destroy_device(hid);
		hd->m.hid = NULL;
		goto close;
	}
	spin_lock_irqsave(&hd->lock, flags);
	hd->ready = true;
	spin_unlock_irqrestore(&hd->lock, flags);
	return 0;
close:
	enl_vmbus_channel_close(hd->ch);
free:
	kfree(hd->m.report_desc);
	kfree(hd->m.report_buf);
	return ret;
}

void enl_hid_mouse_remove(struct enl_hid_dev *hd)
{
	unsigned long flags;

	spin_lock_irqsave(&hd->lock, flags);
	hd->ready = false;
	spin_unlock_irqrestore(&hd->lock, flags);
	enl_vmbus_channel_close(hd->ch);
	hid_destroy_device(hd->m.hid);
	kfree(hd->m.report_desc);
	kfree(hd->m.report_buf);
}
