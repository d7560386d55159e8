// SPDX-License-Identifier: GPL-2.0-only
/*
 * Channel I/O: sending (plain, GPA-direct, with request ids), receiving by
 * copy or in place, skipping, and completions checked against requests.
 */
#include "vmbus.h"

void enl_channel_broken(struct enl_vmbus_channel *ch)
{
	if (!READ_ONCE(ch->broken))
		dev_err(enl_channel_dev(ch),
			"ring buffer corrupt: channel %u disabled\n", ch->relid);
	WRITE_ONCE(ch->broken, true);
}

/*
 * Write one packet. With ctx, an id is taken from the requestor under the
 * same lock that checks the channel is open (close frees the requestor)
 * and becomes the packet's trans_id: at trans_id_pos in the iov[0] of a
 * raw packet, else the descriptor's. quiet: a signal the host needs is
 * owed instead, and rung by the next send that is not quiet (whether or
 * not it needs one itself) or by enl_vmbus_signal_owed().
 */
static int chan_write(struct enl_vmbus_channel *ch, u16 type, u16 flags,
		      u64 trans_id, const struct enl_ring_iov *iov,
		      u32 iovcnt, bool raw, void *ctx, bool quiet)
{
	unsigned long irqflags;
	bool signal = false;
	u64 id = 0;
	int ret;

	spin_lock_irqsave(&ch->out_lock, irqflags);
	if (ch->state != ENL_CHAN_OPEN || READ_ONCE(ch->rescinded)) {
		ret = -ENODEV;
		goto unlock;
	}
	if (READ_ONCE(ch->broken)) {
		ret = -EIO;
		goto unlock;
	}
	if (ctx) {
		ret = -EINVAL;
		if (!ch->rqst)
			goto unlock;
		ret = -EBUSY;
		id = enl_requestor_get(ch->rqst, ctx);
		if (!id)
			goto unlock;
		trans_id = id;
		if (raw)
			((struct enl_vmpacket_descriptor *)iov[0].base)->trans_id = id;
	}
	if (raw)
		ret = enl_ring_write_raw(&ch->out, iov, iovcnt, &signal);
	else
		ret = enl_ring_write(&ch->out, type, flags, trans_id, iov,
				     iovcnt, &signal);
	if (ret && id)
		enl_requestor_put(ch->rqst, id);
	if (ret == -EAGAIN)
		ch->ring_full++;
	if (quiet) {
		ch->signal_owed |= signal;
		signal = false;
	} else if (!ret && ch->signal_owed) {
		ch->signal_owed = false;
		signal = true;
	}
unlock:
	spin_unlock_irqrestore(&ch->out_lock, irqflags);
	if (ret == -EIO)
		enl_channel_broken(ch);
	if (signal)
		enl_channel_signal(ch);
	return ret;
}

int enl_vmbus_send(struct enl_vmbus_channel *ch, const void *data, u32 len,
		   u64 trans_id, u16 type, u16 flags)
{
	struct enl_ring_iov iov = { .base = data, .len = len };

	return chan_write(ch, type, flags, trans_id, &iov, len ? 1 : 0, false,
			  NULL, false);
}
EXPORT_SYMBOL_GPL(enl_vmbus_send);

int enl_vmbus_send_quiet(struct enl_vmbus_channel *ch, const void *data,
			 u32 len, u64 trans_id, u16 type, u16 flags)
{
	struct enl_ring_iov iov = { .base = data, .len = len };

	return chan_write(ch, type, flags, trans_id, &iov, len ? 1 : 0, false,
			  NULL, true);
}
EXPORT_SYMBOL_GPL(enl_vmbus_send_quiet);

void enl_vmbus_signal_owed(struct enl_vmbus_channel *ch)
{
	unsigned long flags;
	bool signal;

	spin_lock_irqsave(&ch->out_lock, flags);
	signal = ch->signal_owed && ch->state == ENL_CHAN_OPEN &&
		 !READ_ONCE(ch->rescinded) && !READ_ONCE(ch->broken);
	ch->signal_owed = false;
	spin_unlock_irqrestore(&ch->out_lock, flags);
	if (signal)
		enl_channel_signal(ch);
}
EXPORT_SYMBOL_GPL(enl_vmbus_signal_owed);

int enl_vmbus_send_request(struct enl_vmbus_channel *ch, const void *data,
			   u32 len, void *ctx)
{
	struct enl_ring_iov iov = { .base = data, .len = len };

	if (!ctx)
		return -EINVAL;
	return chan_write(ch, ENL_VMPKT_DATA_INBAND,
			  ENL_VMPKT_FLAG_COMPLETION_REQUESTED, 0, &iov,
			  len ? 1 : 0, false, ctx, false);
}
EXPORT_SYMBOL_GPL(enl_vmbus_send_request);

static int chan_send_gpa(struct enl_vmbus_channel *ch,
			 const struct enl_gpa_range *ranges, u32 ranges_len,
			 u32 range_cnt, const void *data, u32 len,
			 u64 trans_id, void *ctx)
{
	struct enl_vmdata_gpa_direct hdr = {};
	struct enl_ring_iov iov[3] = {
		{ .base = &hdr, .len = sizeof(hdr) },
		{ .base = ranges, .len = ranges_len },
		{ .base = data, .len = len },
	};

	if (ranges_len % 8 || ranges_len > ENL_VMPKT_MAX_LEN)
		return -EINVAL;
	hdr.d.type = ENL_VMPKT_DATA_USING_GPA_DIRECT;
	hdr.d.flags = ENL_VMPKT_FLAG_COMPLETION_REQUESTED;
	hdr.d.offset8 = (sizeof(hdr) + ranges_len) / 8;
	hdr.d.trans_id = trans_id;
	hdr.range_cnt = range_cnt;
	return chan_write(ch, 0, 0, 0, iov, len ? 3 : 2, true, ctx, false);
}

int enl_vmbus_send_gpa(struct enl_vmbus_channel *ch,
		       const struct enl_gpa_range *ranges, u32 ranges_len,
		       u32 range_cnt, const void *data, u32 len, u64 trans_id)
{
	return chan_send_gpa(ch, ranges, ranges_len, range_cnt, data, len,
			     trans_id, NULL);
}
EXPORT_SYMBOL_GPL(enl_vmbus_send_gpa);

int enl_vmbus_send_gpa_request(struct enl_vmbus_channel *ch,
			       const struct enl_gpa_range *ranges,
			       u32 ranges_len, u32 range_cnt,
			       const void *data, u32 len, void *ctx)
{
	if (!ctx)
		return -EINVAL;
	return chan_send_gpa(ch, ranges, ranges_len, range_cnt, data, len, 0,
			     ctx);
}
EXPORT_SYMBOL_GPL(enl_vmbus_send_gpa_request);

void *enl_vmbus_request_complete(struct enl_vmbus_channel *ch, u64 trans_id)
{
	enum enl_rqst_error why = ENL_RQST_UNKNOWN;
	void *ctx = NULL;

	if (ch->rqst)
		ctx = enl_requestor_complete(ch->rqst, trans_id, &why);
	if (!ctx) {
		atomic64_inc(&ch->rqst_err[why]);
		dev_warn_ratelimited(enl_channel_dev(ch),
				     "relid %u: completion with %s id %#llx dropped\n",
				     ch->relid,
				     why == ENL_RQST_DUPLICATE ? "duplicate" :
				     why == ENL_RQST_STALE ? "stale" : "unknown",
				     trans_id);
	}
	return ctx;
}
EXPORT_SYMBOL_GPL(enl_vmbus_request_complete);

u32 enl_vmbus_requests_outstanding(struct enl_vmbus_channel *ch)
{
	return enl_requestor_outstanding(ch->rqst);
}
EXPORT_SYMBOL_GPL(enl_vmbus_requests_outstanding);

bool enl_vmbus_want_send_room(struct enl_vmbus_channel *ch, u32 len)
{
	unsigned long flags;
	bool fits = true;

	spin_lock_irqsave(&ch->out_lock, flags);
	if (ch->state == ENL_CHAN_OPEN && !READ_ONCE(ch->broken))
		fits = enl_ring_set_pending_send(&ch->out, len ?
				enl_ring_pkt_size(sizeof(struct enl_vmpacket_descriptor) +
						  len) : 0);
	spin_unlock_irqrestore(&ch->out_lock, flags);
	return fits;
}
EXPORT_SYMBOL_GPL(enl_vmbus_want_send_room);

/* Peek at the next inbound packet of an open, healthy channel. */
static int chan_peek(struct enl_vmbus_channel *ch, struct enl_ring_pkt *pkt)
{
	int ret;

	if (READ_ONCE(ch->state) != ENL_CHAN_OPEN)
		return -ENODEV;
	if (READ_ONCE(ch->broken))
		return -EIO;
	ret = enl_ring_peek(&ch->in, pkt);
	if (ret == -EIO)
		enl_channel_broken(ch);
	return ret;
}

/* Callback readers commit once per batch, in the channel tasklet. */
static void chan_consumed(struct enl_vmbus_channel *ch)
{
	if ((ch->flags & ENL_VMBUS_OPEN_NOTIFY) &&
	    enl_ring_read_commit(&ch->in))
		enl_channel_signal(ch);
}

static int chan_recv(struct enl_vmbus_channel *ch, void *buf, u32 buflen,
		     struct enl_vmbus_pkt_info *info, bool raw)
{
	struct enl_ring_pkt pkt;
	u32 off, len;
	int ret;

	ret = chan_peek(ch, &pkt);
	if (ret)
		return ret;
	off = raw ? 0 : pkt.hdr_len;
	len = pkt.len - off;
	if (info) {
		info->type = pkt.type;
		info->flags = pkt.flags;
		info->len = len;
		info->trans_id = pkt.trans_id;
	}
	if (len > buflen)
		return -EMSGSIZE;
	ret = enl_ring_copy(&ch->in, &pkt, off, buf, len);
	if (ret)
		return ret;
	enl_ring_skip(&ch->in, &pkt);
	chan_consumed(ch);
	return len;
}

int enl_vmbus_recv(struct enl_vmbus_channel *ch, void *buf, u32 buflen,
		   struct enl_vmbus_pkt_info *info)
{
	return chan_recv(ch, buf, buflen, info, false);
}
EXPORT_SYMBOL_GPL(enl_vmbus_recv);

int enl_vmbus_recv_raw(struct enl_vmbus_channel *ch, void *buf, u32 buflen,
		       struct enl_vmbus_pkt_info *info)
{
	return chan_recv(ch, buf, buflen, info, true);
}
EXPORT_SYMBOL_GPL(enl_vmbus_recv_raw);

int enl_vmbus_recv_skip(struct enl_vmbus_channel *ch)
{
	struct enl_ring_pkt pkt;
	int ret;

	ret = chan_peek(ch, &pkt);
	if (ret)
		return ret;
	enl_ring_skip(&ch->in, &pkt);
	atomic64_inc(&ch->skipped);
	chan_consumed(ch);
	return 0;
}
EXPORT_SYMBOL_GPL(enl_vmbus_recv_skip);

bool enl_vmbus_recv_ready(struct enl_vmbus_channel *ch)
{
	u64 corrupt = ch->in.stats.corrupt;
	u32 avail;

	if (READ_ONCE(ch->state) != ENL_CHAN_OPEN || READ_ONCE(ch->broken))
		return false;
	avail = enl_ring_bytes_to_read(&ch->in);
	/* A bad write index reads as "empty": disable rather than wait forever. */
	if (ch->in.stats.corrupt != corrupt)
		enl_channel_broken(ch);
	return avail > 0;
}
EXPORT_SYMBOL_GPL(enl_vmbus_recv_ready);

void enl_vmbus_intr_mask(struct enl_vmbus_channel *ch)
{
	if (READ_ONCE(ch->state) == ENL_CHAN_OPEN)
		enl_ring_intr_mask(&ch->in);
}
EXPORT_SYMBOL_GPL(enl_vmbus_intr_mask);

bool enl_vmbus_intr_unmask(struct enl_vmbus_channel *ch)
{
	bool more;

	if (READ_ONCE(ch->state) != ENL_CHAN_OPEN || READ_ONCE(ch->broken))
		return false;
	more = enl_ring_intr_unmask(&ch->in);
	/* A corrupt write index reads as "more": peek reports it. */
	return more;
}
EXPORT_SYMBOL_GPL(enl_vmbus_intr_unmask);

int enl_vmbus_read_begin(struct enl_vmbus_channel *ch)
{
	if (READ_ONCE(ch->state) != ENL_CHAN_OPEN)
		return -ENODEV;
	return READ_ONCE(ch->broken) ? -EIO : 0;
}
EXPORT_SYMBOL_GPL(enl_vmbus_read_begin);

int enl_vmbus_read_peek(struct enl_vmbus_channel *ch,
			struct enl_vmbus_pkt *pkt)
{
	struct enl_ring_pkt rp;
	const u8 *at;
	int ret;

	ret = chan_peek(ch, &rp);
	if (ret)
		return ret;
	/* The inbound data pages are mapped twice in a row (channel.c). */
	at = ch->in.data + rp.pos;
	pkt->type = rp.type;
	pkt->flags = rp.flags;
	pkt->len = rp.len - rp.hdr_len;
	pkt->trans_id = rp.trans_id;
	pkt->desc = at;
	pkt->desc_len = rp.len;
	pkt->data = at + rp.hdr_len;
	return 0;
}
EXPORT_SYMBOL_GPL(enl_vmbus_read_peek);

int enl_vmbus_read_next(struct enl_vmbus_channel *ch,
			struct enl_vmbus_pkt *pkt)
{
	struct enl_ring_pkt rp;
	int ret;

	ret = enl_vmbus_read_peek(ch, pkt);
	if (ret)
		return ret;
	/* What peek validated; the private index moves, nothing else. */
	rp.pos = (const u8 *)pkt->desc - ch->in.data;
	rp.len = pkt->desc_len;
	enl_ring_skip(&ch->in, &rp);
	return 0;
}
EXPORT_SYMBOL_GPL(enl_vmbus_read_next);

void enl_vmbus_read_end(struct enl_vmbus_channel *ch)
{
	if (READ_ONCE(ch->state) == ENL_CHAN_OPEN &&
	    enl_ring_read_commit(&ch->in))
		enl_channel_signal(ch);
}
EXPORT_SYMBOL_GPL(enl_vmbus_read_end);
