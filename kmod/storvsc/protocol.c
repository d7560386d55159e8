// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_storvsc: the VMSTOR handshake and control requests on the primary
 * channel, and opening the channels a controller uses (the primary and the
 * sub-channels the host grants, one per blk-mq hardware queue).
 */
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include "storvsc.h"

/*
 * One control request at a time. Its context (sd->ctl) lives as long as
 * the device, so an answer that comes after we gave up waiting lands in
 * it harmlessly; until it comes, ctl.busy refuses the next request, which
 * could not tell the two answers apart.
 */
int stor_ctl_request(struct stor_dev *sd, u32 op, u16 arg,
		     struct enl_vstor_packet *resp)
{
	struct enl_vstor_packet pkt = {
		.operation = op,
		.flags = ENL_VSTOR_FLAG_REQUEST_COMPLETION,
	};
	unsigned long left;
	bool short_reply;
	int ret;

	if (op == ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION)
		pkt.version.major_minor = arg;
	else if (op == ENL_VSTOR_OP_CREATE_SUB_CHANNELS)
		pkt.sub_channel_count = arg;

	mutex_lock(&sd->ctl_lock);
	spin_lock_bh(&sd->ctl_spin);
	if (sd->ctl.busy) {
		spin_unlock_bh(&sd->ctl_spin);
		ret = -EBUSY;
		goto out;
	}
	sd->ctl.busy = true;
	reinit_completion(&sd->ctl.done);
	spin_unlock_bh(&sd->ctl_spin);

	ret = enl_vmbus_send_request(sd->chan[0].ch, &pkt, sizeof(pkt),
				     &sd->ctl);
	if (ret) {
		spin_lock_bh(&sd->ctl_spin);
		sd->ctl.busy = false;
		spin_unlock_bh(&sd->ctl_spin);
		goto out;
	}
	left = wait_for_completion_timeout(&sd->ctl.done,
					   msecs_to_jiffies(STOR_CTL_TIMEOUT_MS));
	if (!left) {
		ret = -ETIMEDOUT;
		goto out;
	}
	spin_lock_bh(&sd->ctl_spin);
	*resp = sd->ctl.resp;
	short_reply = sd->ctl.short_reply;
	spin_unlock_bh(&sd->ctl_spin);
	if (short_reply || resp->operation != ENL_VSTOR_OP_COMPLETE_IO)
		ret = -EPROTO;
out:
	mutex_unlock(&sd->ctl_lock);
	if (ret)
		dev_err(&sd->vdev->dev, "VMSTOR operation %u: %d\n", op, ret);
	return ret;
}

/* The host answered the control request (softirq, primary channel). */
void stor_ctl_done(struct stor_dev *sd, const void *data, u32 len)
{
	spin_lock(&sd->ctl_spin);
	if (!sd->ctl.busy) {
		/* The requestor vouched for the id: this cannot happen. */
		spin_unlock(&sd->ctl_spin);
		atomic64_inc(&sd->chan[0].st.bogus);
		return;
	}
	memset(&sd->ctl.resp, 0, sizeof(sd->ctl.resp));
	memcpy(&sd->ctl.resp, data, min_t(u32, len, sizeof(sd->ctl.resp)));
	sd->ctl.short_reply = len < sizeof(sd->ctl.resp);
	sd->ctl.busy = false;
	complete(&sd->ctl.done);
	spin_unlock(&sd->ctl_spin);
}

/* A handshake step the host must accept (status 0). */
static int stor_step(struct stor_dev *sd, u32 op, u16 arg,
		     struct enl_vstor_packet *resp)
{
	int ret = stor_ctl_request(sd, op, arg, resp);

	if (ret)
		return ret;
	if (resp->status != ENL_VSTOR_STATUS_SUCCESS) {
		dev_err(&sd->vdev->dev, "VMSTOR operation %u refused: %#x\n",
			op, resp->status);
		return -EIO;
	}
	return 0;
}

/*
 * BEGIN, the newest common version, properties, END, sub-channels.
 * Returns how many sub-channels the host agreed to create, or -errno.
 */
int stor_handshake(struct stor_dev *sd)
{
	static const u16 versions[] = ENL_VMSTOR_VERSIONS_NEWEST_FIRST;
	struct enl_vmstorage_channel_properties props;
	struct enl_vstor_packet r;
	unsigned int i, nsub = 0;
	u32 xfer;
	int ret;

	ret = stor_step(sd, ENL_VSTOR_OP_BEGIN_INITIALIZATION, 0, &r);
	if (ret)
		return ret;
	sd->version = 0;
	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		ret = stor_ctl_request(sd, ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION,
				       versions[i], &r);
		if (ret)
			return ret;
		if (r.status == ENL_VSTOR_STATUS_SUCCESS) {
			sd->version = versions[i];
			break;
		}
	}
	if (!sd->version) {
		dev_err(&sd->vdev->dev, "host speaks no VMSTOR version from WIN8 on\n");
		return -EPROTONOSUPPORT;
	}

	ret = stor_step(sd, ENL_VSTOR_OP_QUERY_PROPERTIES, 0, &r);
	if (ret)
		return ret;
	props = r.storage_channel_properties;
	/* Ours is the limit too; a host that says less than a page is odd. */
	xfer = min_t(u32, props.max_transfer_bytes, STOR_MAX_TRANSFER);
	xfer = round_down(xfer, PAGE_SIZE);
	if (!xfer) {
		dev_warn(&sd->vdev->dev, "host's max transfer %u: using one page\n",
			 props.max_transfer_bytes);
		xfer = PAGE_SIZE;
	}
	sd->max_transfer = xfer;
	sd->multi_channel = props.flags & ENL_VSTOR_PROP_SUPPORTS_MULTI_CHANNEL;
	sd->host_subchannels = min_t(u16, props.max_channel_cnt,
				     STOR_MAX_QUEUES - 1);

	ret = stor_step(sd, ENL_VSTOR_OP_END_INITIALIZATION, 0, &r);
	if (ret)
		return ret;
	/*
	 * One channel per CPU, as many as the host grants; IDE has one. Asked
	 * for once initialization has ended, as the host (and Linux) expect.
	 */
	if (!sd->ide && sd->multi_channel)
		nsub = min_t(unsigned int, num_online_cpus() - 1,
			     sd->host_subchannels);
	if (nsub) {
		ret = stor_ctl_request(sd, ENL_VSTOR_OP_CREATE_SUB_CHANNELS,
				       nsub, &r);
		if (ret)
			return ret;
		if (r.status != ENL_VSTOR_STATUS_SUCCESS) {
			dev_warn(&sd->vdev->dev, "%u sub-channels refused (%#x): one queue\n",
				 nsub, r.status);
			nsub = 0;
		}
	}
	return nsub;
}

static int stor_open_one(struct stor_dev *sd, unsigned int index,
			 struct enl_vmbus_channel *ch)
{
	struct stor_chan *c = &sd->chan[index];
	struct enl_vmbus_open_params p = {
		.send_ring_size = STOR_SEND_RING_SIZE,
		.recv_ring_size = STOR_RECV_RING_SIZE,
		.flags = ENL_VMBUS_OPEN_TARGET_CPU,
		.on_event = stor_on_event,
		.priv = c,
		/* Queue i's completions on the i-th CPU: blk-mq's default map. */
		.target_cpu = enl_vmbus_spread_cpu(index),
		/* The primary also carries the one control request. */
		.max_requests = sd->depth + (index ? 0 : 1),
	};
	int ret;

	c->sd = sd;
	c->ch = ch;
	c->index = index;
	ret = stor_chan_init(c, sd->depth);
	if (ret)
		return ret;
	ret = enl_vmbus_channel_open(ch, &p);
	if (ret) {
		stor_chan_free(c);
		return ret;
	}
	c->open = true;
	return 0;
}

/* Open the primary, shake hands, open the sub-channels the host offers. */
int stor_open_channels(struct stor_dev *sd)
{
	struct enl_vmbus_channel *primary = sd->vdev->channel;
	unsigned int i;
	int nsub, ret;

	ret = stor_open_one(sd, 0, primary);
	if (ret)
		return ret;
	sd->nr_chan = 1;
	nsub = stor_handshake(sd);
	if (nsub < 0) {
		stor_close_channels(sd);
		return nsub;
	}
	if (!nsub)
		return 0;
	ret = enl_vmbus_wait_subchannels(primary, nsub, STOR_SUB_TIMEOUT_MS);
	if (ret < 0)
		dev_warn(&sd->vdev->dev, "%d sub-channels asked for: %d; using those offered\n",
			 nsub, ret);
	for (i = 1; i <= nsub; i++) {
		struct enl_vmbus_channel *sub = enl_vmbus_subchannel(primary, i);

		if (!sub)
			break;
		ret = stor_open_one(sd, i, sub);
		if (ret) {
			dev_warn(&sd->vdev->dev, "sub-channel %u: %d; %u queues\n",
				 i, ret, sd->nr_chan);
			break;
		}
		sd->nr_chan = i + 1;
	}
	return 0;
}

/*
 * The host rescinded one sub-channel alone (called under the device lock,
 * before enl_vmbus closes and releases it). Its queue's new commands go to
 * the primary; after the grace period no queuecommand is still sending on
 * it. What the host held there it will not answer (a host stops a
 * channel's I/O before it rescinds it): those commands go back to the
 * midlayer to be sent again, not failed.
 */
void stor_sub_rescind(struct enl_vmbus_device *vdev,
		      struct enl_vmbus_channel *sub)
{
	struct stor_dev *sd = dev_get_drvdata(&vdev->dev);
	struct stor_chan *c = NULL;
	unsigned long flags;
	unsigned int i, n;

	for (i = 1; sd && i < sd->nr_chan; i++)
		if (sd->chan[i].open && sd->chan[i].ch == sub)
			c = &sd->chan[i];
	if (!c)
		return;
	WRITE_ONCE(c->gone, true);
	synchronize_rcu();
	n = stor_detach_chan(c, DID_REQUEUE);
	spin_lock_irqsave(&c->lock, flags);
	c->ch = NULL;
	spin_unlock_irqrestore(&c->lock, flags);
	/* enl_vmbus closes it: stor_close_channels must not. */
	c->open = false;
	dev_warn(&vdev->dev, "queue %u: its sub-channel was rescinded by the host; %u commands sent again, the queue now uses the primary\n",
		 c->index, n);
}

/* Sub-channels first, then the primary; then their slots. */
void stor_close_channels(struct stor_dev *sd)
{
	unsigned int i;

	for (i = sd->nr_chan; i-- > 0;) {
		struct stor_chan *c = &sd->chan[i];

		if (c->open)
			enl_vmbus_channel_close(c->ch);
		c->open = false;
		stor_chan_free(c);
	}
	sd->nr_chan = 0;
}
