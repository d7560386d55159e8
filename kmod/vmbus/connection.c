// SPDX-License-Identifier: GPL-2.0-only
/* VMBus connection: posting channel messages, matching replies, version negotiation, unload. */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include "vmbus.h"

struct enl_vmbus *enl_vb;

/* Newest first; the host says version_supported=0 to each it lacks. */
static const u32 enl_versions[] = ENL_VMBUS_VERSIONS_NEWEST_FIRST;

/* Shortest acceptable length of each message the host may send. */
static const u8 enl_msg_min_len[ENL_CHANNELMSG_COUNT] = {
	[ENL_CHANNELMSG_OFFERCHANNEL] =
		sizeof(struct enl_vmbus_channel_offer_channel),
	[ENL_CHANNELMSG_RESCIND_CHANNELOFFER] =
		sizeof(struct enl_vmbus_channel_rescind_offer),
	[ENL_CHANNELMSG_ALLOFFERS_DELIVERED] =
		sizeof(struct enl_vmbus_channel_message_header),
	[ENL_CHANNELMSG_OPENCHANNEL_RESULT] =
		sizeof(struct enl_vmbus_channel_open_result),
	[ENL_CHANNELMSG_GPADL_CREATED] =
		sizeof(struct enl_vmbus_channel_gpadl_created),
	[ENL_CHANNELMSG_GPADL_TORNDOWN] =
		sizeof(struct enl_vmbus_channel_gpadl_torndown),
	/* msg_conn_id (the last 4 bytes) is new in 5.0: zero before. */
	[ENL_CHANNELMSG_VERSION_RESPONSE] =
		offsetof(struct enl_vmbus_channel_version_response, padding),
	[ENL_CHANNELMSG_UNLOAD_RESPONSE] =
		sizeof(struct enl_vmbus_channel_message_header),
	[ENL_CHANNELMSG_MODIFYCHANNEL_RESPONSE] =
		sizeof(struct enl_vmbus_channel_modifychannel_response),
};

static int conn_post(struct enl_vmbus *vb, const void *msg, u32 len,
		     bool can_sleep)
{
	const struct enl_vmbus_channel_message_header *hdr = msg;
	struct enl_hv_input_post_message in = {};
	unsigned int tries;
	int ret;

	if (WARN_ON(len > ENL_VMBUS_MAX_MSG_SIZE))
		return -EINVAL;
	in.connection_id = vb->msg_conn_id;
	in.message_type = ENL_HVMSG_VMBUS;
	in.payload_size = len;
	memcpy(in.payload, msg, len);

	/* The host's message queue can be full for a moment: back off. */
	for (tries = 0; tries < 20; tries++) {
		ret = vb->t->post_message(vb->t, &in, can_sleep);
		if (ret == ENL_HV_STATUS_SUCCESS)
			return 0;
		/*
		 * A host older than 5.0 has no ID_4 connection to contact:
		 * not a failure, that version is refused (as in Linux).
		 */
		if (ret == ENL_HV_STATUS_INVALID_CONNECTION_ID &&
		    hdr->msgtype == ENL_CHANNELMSG_INITIATE_CONTACT)
			return -ECONNREFUSED;
		/* Hyper-V also says so when messages come too fast. */
		if (ret != ENL_HV_STATUS_INSUFFICIENT_BUFFERS &&
		    ret != ENL_HV_STATUS_INSUFFICIENT_MEMORY &&
		    ret != ENL_HV_STATUS_INVALID_CONNECTION_ID)
			break;
		if (can_sleep)
			msleep(min(1u << tries, 100u));
		else
			mdelay(min(1u << tries, 100u));
	}
	atomic_long_inc(&vb->err.post_fail);
	pr_err_ratelimited("enl_vmbus: HvPostMessage of message %u failed: %d\n",
			   hdr->msgtype, ret);
	return ret < 0 ? ret : -EIO;
}

int enl_conn_post(struct enl_vmbus *vb, const void *msg, u32 len)
{
	might_sleep();
	return conn_post(vb, msg, len, true);
}

void enl_conn_waiter_add(struct enl_vmbus *vb, struct enl_msg_waiter *w,
			 u32 type, u32 key, struct enl_vmbus_channel *ch)
{
	unsigned long flags;

	w->type = type;
	w->key = key;
	w->ch = ch;
	w->err = 0;
	w->len = 0;
	memset(w->msg, 0, sizeof(w->msg));
	init_completion(&w->done);
	spin_lock_irqsave(&vb->wait_lock, flags);
	list_add_tail(&w->node, &vb->waiters);
	spin_unlock_irqrestore(&vb->wait_lock, flags);
}

/* 0 with the reply in w->msg, -ENODEV if aborted, -ETIMEDOUT. */
int enl_conn_waiter_wait(struct enl_vmbus *vb, struct enl_msg_waiter *w,
			 unsigned int timeout_ms)
{
	unsigned long flags;
	bool timed_out = false;

	wait_for_completion_timeout(&w->done, msecs_to_jiffies(timeout_ms));
	/* Whoever takes the waiter off the list owns its outcome. */
	spin_lock_irqsave(&vb->wait_lock, flags);
	if (!list_empty(&w->node)) {
		list_del_init(&w->node);
		timed_out = true;
	}
	spin_unlock_irqrestore(&vb->wait_lock, flags);
	return timed_out ? -ETIMEDOUT : w->err;
}

/* Wake everyone waiting on ch (or on anything, for NULL): the host is gone. */
void enl_conn_abort_waiters(struct enl_vmbus *vb, struct enl_vmbus_channel *ch)
{
	struct enl_msg_waiter *w, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&vb->wait_lock, flags);
	list_for_each_entry_safe(w, tmp, &vb->waiters, node) {
		if (ch && w->ch != ch)
			continue;
		list_del_init(&w->node);
		w->err = -ENODEV;
		complete(&w->done);
	}
	spin_unlock_irqrestore(&vb->wait_lock, flags);
}

static void conn_reply(struct enl_vmbus *vb, u32 type, u32 key,
		       const void *msg, u32 len)
{
	struct enl_msg_waiter *w;
	unsigned long flags;

	spin_lock_irqsave(&vb->wait_lock, flags);
	list_for_each_entry(w, &vb->waiters, node) {
		if (w->type != type || w->key != key)
			continue;
		list_del_init(&w->node);
		memcpy(w->msg, msg, len);
		w->len = len;
		complete(&w->done);
		spin_unlock_irqrestore(&vb->wait_lock, flags);
		return;
	}
	spin_unlock_irqrestore(&vb->wait_lock, flags);
	atomic_long_inc(&vb->err.unexpected);
	pr_err_ratelimited("enl_vmbus: unexpected reply %u (key %u) ignored\n",
			   type, key);
}

/* SynIC tasklet: one channel message from the host, len <= 240. */
void enl_conn_on_message(struct enl_vmbus *vb, const void *msg, u32 len)
{
	const struct enl_vmbus_channel_message_header *hdr = msg;
	const struct enl_vmbus_channel_open_result *open = msg;
	const struct enl_vmbus_channel_gpadl_created *created = msg;
	const struct enl_vmbus_channel_gpadl_torndown *torndown = msg;
	const struct enl_vmbus_channel_modifychannel_response *modify = msg;
	u32 type;

	if (len < sizeof(*hdr))
		goto bad;
	type = hdr->msgtype;
	if (type >= ENL_CHANNELMSG_COUNT || !enl_msg_min_len[type] ||
	    len < enl_msg_min_len[type])
		goto bad;

	/* Shutting down: the host is told to forget us; nothing else counts. */
	if (atomic_read(&vb->shutting_down)) {
		if (type == ENL_CHANNELMSG_UNLOAD_RESPONSE)
			WRITE_ONCE(vb->unload_acked, true);
		return;
	}

	switch (type) {
	case ENL_CHANNELMSG_OFFERCHANNEL:
		enl_offer_on_offer(vb, msg, len);
		break;
	case ENL_CHANNELMSG_RESCIND_CHANNELOFFER:
		enl_offer_on_rescind(vb, msg, len);
		break;
	case ENL_CHANNELMSG_ALLOFFERS_DELIVERED:
		complete_all(&vb->all_offers);
		break;
	case ENL_CHANNELMSG_OPENCHANNEL_RESULT:
		conn_reply(vb, type, open->child_relid, msg, len);
		break;
	case ENL_CHANNELMSG_GPADL_CREATED:
		conn_reply(vb, type, created->gpadl, msg, len);
		break;
	case ENL_CHANNELMSG_GPADL_TORNDOWN:
		conn_reply(vb, type, torndown->gpadl, msg, len);
		break;
	case ENL_CHANNELMSG_MODIFYCHANNEL_RESPONSE:
		conn_reply(vb, type, modify->child_relid, msg, len);
		break;
	default:				/* version, unload */
		conn_reply(vb, type, 0, msg, len);
		break;
	}
	return;
bad:
	atomic_long_inc(&vb->err.bad_msg);
	pr_err_ratelimited("enl_vmbus: malformed channel message (type %u, %u bytes)\n",
			   len >= sizeof(*hdr) ? hdr->msgtype : 0, len);
}

/* 1 accepted, 0 refused, or -errno. */
static int conn_try_version(struct enl_vmbus *vb, u32 version)
{
	struct enl_vmbus_channel_initiate_contact msg = {};
	const struct enl_vmbus_channel_version_response *resp;
	struct enl_msg_waiter *w;
	int ret;

	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	msg.header.msgtype = ENL_CHANNELMSG_INITIATE_CONTACT;
	msg.vmbus_version_requested = version;
	/* Channel messages arrive on the SynIC that enl_vmbus drains first. */
	msg.target_vcpu = vb->t->vp_index(vb->t, 0);
	if (version >= ENL_VMBUS_VERSION_WIN10_V5) {
		msg.msg_sint = ENL_VMBUS_MESSAGE_SINT;
		vb->msg_conn_id = ENL_VMBUS_MESSAGE_CONNECTION_ID_4;
	} else {
		msg.interrupt_page = virt_to_phys(vb->int_page);
		vb->msg_conn_id = ENL_VMBUS_MESSAGE_CONNECTION_ID;
	}
	msg.monitor_page1 = virt_to_phys(vb->monitor_page[0]);
	msg.monitor_page2 = virt_to_phys(vb->monitor_page[1]);

	enl_conn_waiter_add(vb, w, ENL_CHANNELMSG_VERSION_RESPONSE, 0, NULL);
	ret = enl_conn_post(vb, &msg, sizeof(msg));
	if (ret) {
		enl_conn_waiter_wait(vb, w, 0);	/* only unlinks it */
		if (ret == -ECONNREFUSED)
			ret = 0;
		goto out;
	}
	ret = enl_conn_waiter_wait(vb, w, ENL_REPLY_TIMEOUT_MS);
	if (ret)
		goto out;
	resp = (const void *)w->msg;
	ret = resp->version_supported ? 1 : 0;
	if (ret && version >= ENL_VMBUS_VERSION_WIN10_V5)
		vb->msg_conn_id = resp->msg_conn_id & ENL_HV_CONNECTION_ID_MASK;
out:
	kfree(w);
	return ret;
}

int enl_conn_connect(struct enl_vmbus *vb)
{
	struct enl_vmbus_channel_request_offers req = {
		.header.msgtype = ENL_CHANNELMSG_REQUESTOFFERS,
	};
	unsigned int i;
	int ret = 0;

	vb->int_page = (void *)get_zeroed_page(GFP_KERNEL);
	vb->monitor_page[0] = (void *)get_zeroed_page(GFP_KERNEL);
	vb->monitor_page[1] = (void *)get_zeroed_page(GFP_KERNEL);
	if (!vb->int_page || !vb->monitor_page[0] || !vb->monitor_page[1])
		return -ENOMEM;

	for (i = 0; i < ARRAY_SIZE(enl_versions); i++) {
		ret = conn_try_version(vb, enl_versions[i]);
		if (ret)
			break;
	}
	if (ret <= 0) {
		pr_err("enl_vmbus: no VMBus version agreed with the host (%d)\n",
		       ret);
		return ret ? ret : -ECONNREFUSED;
	}
	vb->version = enl_versions[i];
	dev_info(vb->root, "VMBus version %u.%u negotiated over the %s transport\n",
		 ENL_VMBUS_VERSION_MAJOR(vb->version),
		 ENL_VMBUS_VERSION_MINOR(vb->version), vb->t->name);

	return enl_conn_post(vb, &req, sizeof(req));
}

/* Tell the host we are going; it answers once it has let go of everything. */
void enl_conn_unload(struct enl_vmbus *vb)
{
	struct enl_vmbus_channel_unload msg = {
		.header.msgtype = ENL_CHANNELMSG_UNLOAD,
	};
	struct enl_msg_waiter *w;
	/* Without an agreed version the host took none of our pages. */
	bool let_go = !vb->version;
	int ret;

	if (vb->version) {
		w = kmalloc(sizeof(*w), GFP_KERNEL);
		if (!w)
			goto out;
		enl_conn_waiter_add(vb, w, ENL_CHANNELMSG_UNLOAD_RESPONSE, 0,
				    NULL);
		ret = enl_conn_post(vb, &msg, sizeof(msg));
		ret = enl_conn_waiter_wait(vb, w, ret ? 0 :
					   ENL_REPLY_TIMEOUT_MS);
		if (ret)
			dev_err(vb->root, "no UNLOAD_RESPONSE from the host (%d)\n",
				ret);
		let_go = !ret;
		kfree(w);
	}
out:
	vb->version = 0;
	if (let_go) {
		free_page((unsigned long)vb->int_page);
		free_page((unsigned long)vb->monitor_page[0]);
		free_page((unsigned long)vb->monitor_page[1]);
	} else {
		/* The interrupt and monitor pages went out in INITIATE_CONTACT. */
		enl_leak_pages(!!vb->int_page + !!vb->monitor_page[0] +
			       !!vb->monitor_page[1],
			       "no UNLOAD_RESPONSE: interrupt and monitor pages");
	}
	vb->int_page = NULL;
	vb->monitor_page[0] = NULL;
	vb->monitor_page[1] = NULL;
}

/*
 * kexec, reboot, crash: UNLOAD, and poll the message pages for the answer,
 * since interrupts may be off and the tasklet may never run again. No
 * sleeping, no allocation, no lock that the interrupted context may hold.
 * Hosts older than 8.1 (Windows Server 2012) do not answer UNLOAD (Linux's
 * vmbus_initiate_unload skips it there too): do not wait for them.
 */
int enl_conn_unload_poll(struct enl_vmbus *vb, unsigned int wait_ms)
{
	struct enl_vmbus_channel_unload msg = {
		.header.msgtype = ENL_CHANNELMSG_UNLOAD,
	};
	u32 version = READ_ONCE(vb->version);
	unsigned int ms;
	int ret;

	if (!version)
		return -ENOTCONN;
	if (version < ENL_VMBUS_VERSION_WIN8_1)
		return 0;
	ret = conn_post(vb, &msg, sizeof(msg), false);
	if (ret)
		return ret;
	for (ms = 0; ms < wait_ms; ms++) {
		enl_synic_poll(vb);
		if (READ_ONCE(vb->unload_acked)) {
			/* Free the slots of anything queued behind it. */
			enl_synic_poll(vb);
			return 0;
		}
		if (ms && !(ms % 5000))
			pr_notice("enl_vmbus: waiting for the host's UNLOAD_RESPONSE\n");
		mdelay(1);
	}
	return -ETIMEDOUT;
}
