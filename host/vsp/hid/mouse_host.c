// SPDX-License-Identifier: GPL-2.0-only
/*
 * The synthetic mouse's protocol engine: agree on synthhid 2.0, describe
 * an absolute pointer, then send input reports. Every guest message is
 * bounded: the pipe size by the packet, the message size by the pipe.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "hid_host.h"

/*
 * HID report descriptor (HID 1.11 items) of struct
 * enl_synthhid_mouse_report: a mouse application collection with a
 * pointer: five buttons and three bits of padding, absolute x and y
 * (16 bits each, 0..0x7fff), a relative wheel (-127..127).
 */
const uint8_t enl_mouse_report_desc[] = {
	0x05, 0x01,		/* Usage Page (Generic Desktop) */
	0x09, 0x02,		/* Usage (Mouse) */
	0xa1, 0x01,		/* Collection (Application) */
	0x09, 0x01,		/*  Usage (Pointer) */
	0xa1, 0x00,		/*  Collection (Physical) */
	0x05, 0x09,		/*   Usage Page (Button) */
	0x19, 0x01,		/*   Usage Minimum (1) */
	0x29, 0x05,		/*   Usage Maximum (5) */
	0x15, 0x00,		/*   Logical Minimum (0) */
	0x25, 0x01,		/*   Logical Maximum (1) */
	0x95, 0x05,		/*   Report Count (5) */
	0x75, 0x01,		/*   Report Size (1) */
	0x81, 0x02,		/*   Input (Data, Variable, Absolute) */
	0x95, 0x01,		/*   Report Count (1) */
	0x75, 0x03,		/*   Report Size (3) */
	0x81, 0x01,		/*   Input (Constant): padding */
	0x05, 0x01,		/*   Usage Page (Generic Desktop) */
	0x09, 0x30,		/*   Usage (X) */
	0x09, 0x31,		/*   Usage (Y) */
	0x15, 0x00,		/*   Logical Minimum (0) */
	0x26, 0xff, 0x7f,	/*   Logical Maximum (32767) */
	0x75, 0x10,		/*   Report Size (16) */
	0x95, 0x02,		/*   Report Count (2) */
	0x81, 0x02,		/*   Input (Data, Variable, Absolute) */
	0x09, 0x38,		/*   Usage (Wheel) */
	0x15, 0x81,		/*   Logical Minimum (-127) */
	0x25, 0x7f,		/*   Logical Maximum (127) */
	0x75, 0x08,		/*   Report Size (8) */
	0x95, 0x01,		/*   Report Count (1) */
	0x81, 0x06,		/*   Input (Data, Variable, Relative) */
	0xc0,			/*  End Collection */
	0xc0,			/* End Collection */
};
const uint32_t enl_mouse_report_desc_len = sizeof(enl_mouse_report_desc);

void enl_mouse_host_init(struct enl_mouse_host *m, enl_hid_send_fn send,
			 void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->send = send;
	m->ctx = ctx;
}

void enl_mouse_host_reset(struct enl_mouse_host *m)
{
	m->approved = false;
	m->ready = false;
}

static int send_msg(struct enl_mouse_host *m, void *buf, uint32_t len)
{
	int ret = m->send(m->ctx, buf, len);

	if (ret)
		m->st.send_errors++;
	else
		m->st.sent++;
	return ret;
}

/* Frame buf (pipe header + message header already reserved) and send it. */
static int send_framed(struct enl_mouse_host *m, uint8_t *buf, uint32_t len,
		       uint32_t type)
{
	struct enl_synthhid_pipe_hdr pipe = {
		.type = ENL_SYNTHHID_PIPE_DATA,
		.size = len - sizeof(pipe),
	};
	struct enl_synthhid_msg_hdr hdr = {
		.type = type,
		.size = len - sizeof(pipe) - sizeof(hdr),
	};

	memcpy(buf, &pipe, sizeof(pipe));
	memcpy(buf + sizeof(pipe), &hdr, sizeof(hdr));
	return send_msg(m, buf, len);
}

static int send_device_info(struct enl_mouse_host *m)
{
	uint8_t buf[sizeof(struct enl_synthhid_pipe_hdr) +
		    sizeof(struct enl_synthhid_device_info) +
		    sizeof(enl_mouse_report_desc)];
	struct enl_synthhid_device_info di = {
		.info = {
			.size = sizeof(struct enl_synthhid_dev_info),
			.vendor = ENL_SYNTHHID_VENDOR_MICROSOFT,
			.product = ENL_SYNTHHID_PRODUCT_MOUSE,
			.version = 1,
		},
		.desc = {
			.bLength = sizeof(struct enl_hid_class_desc),
			.bDescriptorType = ENL_HID_DT_HID,
			.bcdHID = 0x0101,
			.bNumDescriptors = 1,
			.bReportType = ENL_HID_DT_REPORT,
			.wReportLength = sizeof(enl_mouse_report_desc),
		},
	};
	size_t at = sizeof(struct enl_synthhid_pipe_hdr);

	/* di.hdr is written by send_framed. */
	memcpy(buf + at, &di, sizeof(di));
	memcpy(buf + at + sizeof(di), enl_mouse_report_desc,
	       sizeof(enl_mouse_report_desc));
	return send_framed(m, buf, sizeof(buf),
			   ENL_SYNTHHID_INITIAL_DEVICE_INFO);
}

static int protocol_request(struct enl_mouse_host *m, const uint8_t *body,
			    uint32_t size)
{
	uint8_t buf[sizeof(struct enl_synthhid_pipe_hdr) +
		    sizeof(struct enl_synthhid_protocol_response)];
	struct enl_synthhid_protocol_response r = { 0 };
	uint32_t version;
	int ret;

	if (size < sizeof(version)) {
		m->st.bad_length++;
		return -EINVAL;
	}
	memcpy(&version, body, sizeof(version));
	m->version = version;
	/* A new request starts over (the guest's driver was reloaded). */
	m->ready = false;
	m->approved = version >> 16 == ENL_SYNTHHID_VERSION_2_0 >> 16;
	if (!m->approved)
		m->st.bad_version++;
	r.version = version;
	r.approved = m->approved;
	memcpy(buf + sizeof(struct enl_synthhid_pipe_hdr), &r, sizeof(r));
	ret = send_framed(m, buf, sizeof(buf), ENL_SYNTHHID_PROTOCOL_RESPONSE);
	if (ret || !m->approved)
		return ret;
	return send_device_info(m);
}

int enl_mouse_host_recv(struct enl_mouse_host *m, const void *data,
			uint32_t len)
{
	const uint8_t *buf = data;
	struct enl_synthhid_pipe_hdr pipe;
	struct enl_synthhid_msg_hdr hdr;

	m->st.packets++;
	if (len < sizeof(pipe) + sizeof(hdr)) {
		m->st.bad_length++;
		return -EINVAL;
	}
	memcpy(&pipe, buf, sizeof(pipe));
	memcpy(&hdr, buf + sizeof(pipe), sizeof(hdr));
	if (pipe.type != ENL_SYNTHHID_PIPE_DATA) {
		m->st.bad_type++;
		return -EPROTO;
	}
	if (pipe.size > len - sizeof(pipe) || pipe.size < sizeof(hdr) ||
	    hdr.size > pipe.size - sizeof(hdr)) {
		m->st.bad_length++;
		return -EINVAL;
	}
	switch (hdr.type) {
	case ENL_SYNTHHID_PROTOCOL_REQUEST:
		return protocol_request(m, buf + sizeof(pipe) + sizeof(hdr),
					hdr.size);
	case ENL_SYNTHHID_INITIAL_DEVICE_INFO_ACK:
		if (!m->approved) {
			m->st.bad_type++;
			return -EPROTO;
		}
		m->ready = true;
		return 0;
	default:
		m->st.bad_type++;
		return -EPROTO;
	}
}

uint32_t enl_mouse_host_report(const struct enl_synthhid_mouse_report *r,
			       uint8_t *buf)
{
	struct enl_synthhid_pipe_hdr pipe = {
		.type = ENL_SYNTHHID_PIPE_DATA,
		.size = sizeof(struct enl_synthhid_input_report) + sizeof(*r),
	};
	struct enl_synthhid_msg_hdr hdr = {
		.type = ENL_SYNTHHID_INPUT_REPORT,
		.size = sizeof(*r),
	};

	memcpy(buf, &pipe, sizeof(pipe));
	memcpy(buf + sizeof(pipe), &hdr, sizeof(hdr));
	memcpy(buf + sizeof(pipe) + sizeof(hdr), r, sizeof(*r));
	return ENL_MOUSE_REPORT_MSG_LEN;
}
