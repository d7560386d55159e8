// SPDX-License-Identifier: GPL-2.0-only
/*
 * Deliberate protocol violations towards the guest, for robustness tests of
 * the guest's VMBus driver (ctl verb "fault"). Never used by normal paths.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server_priv.h"

/* An unknown msgtype for the oversize message; guests must ignore it. */
#define FAULT_UNKNOWN_MSGTYPE	0x7e
#define FAULT_GPADL_BASE	0xfa017000u

static struct enl_vsp_channel *open_channel(struct enl_vmbus_server *srv,
					    const char *arg)
{
	struct enl_vsp_channel *ch;
	char *end;
	unsigned long relid;

	if (!arg)
		return NULL;
	relid = strtoul(arg, &end, 0);
	if (end == arg || *end)
		return NULL;
	ch = enl_vmbus_chan_lookup(srv, relid);
	return ch && ch->state == ENL_CHAN_OPEN ? ch : NULL;
}

/* An offer cut off after its header and part of the class GUID. */
static int fault_bad_offer(struct enl_vmbus_server *srv)
{
	struct enl_vmbus_channel_offer_channel o;

	memset(&o, 0xa5, sizeof(o));
	o.header.msgtype = ENL_CHANNELMSG_OFFERCHANNEL;
	o.header.padding = 0;
	return enl_vmbus_reply(srv, &o, 20);
}

/* The largest message a SynIC slot takes, of a type nobody knows. */
static int fault_oversize_msg(struct enl_vmbus_server *srv)
{
	uint8_t buf[ENL_VMBUS_MAX_MSG_SIZE];
	struct enl_vmbus_channel_message_header h = {
		.msgtype = FAULT_UNKNOWN_MSGTYPE,
	};

	memset(buf, 0x5a, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	return enl_vmbus_reply(srv, buf, sizeof(buf));
}

/* One inband packet that fills the guest's inbound ring to the brim. */
static int fault_oversize_packet(struct enl_vsp_channel *ch)
{
	uint32_t free_bytes;
	uint32_t overhead = sizeof(struct enl_vmpacket_descriptor) +
			    ENL_RING_TRAILER_SIZE + 8;
	struct enl_ring_iov iov;
	uint32_t len;
	void *buf;
	int ret;

	g_mutex_lock(&ch->out_lock);
	free_bytes = enl_ring_bytes_to_write(&ch->out);
	g_mutex_unlock(&ch->out_lock);
	if (free_bytes <= overhead + 8)
		return -EAGAIN;
	len = (free_bytes - overhead) & ~7u;
	if (len > ENL_VMPKT_MAX_LEN - sizeof(struct enl_vmpacket_descriptor))
		len = (ENL_VMPKT_MAX_LEN -
		       sizeof(struct enl_vmpacket_descriptor)) & ~7u;
	buf = g_malloc0(len);
	iov.base = buf;
	iov.len = len;
	ret = enl_vsp_send(ch, ENL_VMPKT_DATA_INBAND, 0, 0xfa017, &iov, 1);
	g_free(buf);
	return ret;
}

static int fault_bad_gpadl_created(struct enl_vmbus_server *srv,
				   const char *arg)
{
	struct enl_vmbus_channel_gpadl_created c = { 0 };

	c.header.msgtype = ENL_CHANNELMSG_GPADL_CREATED;
	c.child_relid = arg ? strtoul(arg, NULL, 0) : 0;
	c.gpadl = FAULT_GPADL_BASE + (uint32_t)srv->stats.faults;
	return enl_vmbus_reply(srv, &c, sizeof(c));
}

/*
 * Publish a write index past the end of the guest's inbound ring. The host
 * stops serving the channel first: its next write would otherwise publish
 * a good index again before the guest ever looked.
 */
static int fault_corrupt_ring(struct enl_vsp_channel *ch)
{
	/* Under out_lock: a send racing on the worker must not undo it. */
	g_mutex_lock(&ch->out_lock);
	g_atomic_int_set(&ch->broken, 1);
	enl_store_release(&ch->out.ctl->write_index, ch->out.size + 8);
	g_mutex_unlock(&ch->out_lock);
	enl_vmbus_chan_signal_guest(ch);
	return 0;
}

static const char *const mute_names[ENL_MUTE_COUNT] = {
	[ENL_MUTE_OPEN_RESULT] = "open-result",
	[ENL_MUTE_CLOSE] = "close",
	[ENL_MUTE_TORNDOWN] = "torndown",
	[ENL_MUTE_GPADL_CREATED] = "gpadl-created",
	[ENL_MUTE_UNLOAD_RESPONSE] = "unload-response",
};

/* At most this many answers of one kind muted at once. */
#define FAULT_MUTE_MAX		1000

int enl_vmbus_fault_mute(struct enl_vmbus_server *srv, const char *what,
			 const char *relid, const char *count, GString *out)
{
	unsigned long r = 0, n = 1;
	char *end;
	int i;

	for (i = 0; i < ENL_MUTE_COUNT; i++)
		if (!strcmp(what, mute_names[i]))
			break;
	if (i == ENL_MUTE_COUNT)
		return -EINVAL;
	if (relid) {
		r = strtoul(relid, &end, 0);
		if (end == relid || *end || r > ENL_VMBUS_MAX_RELID)
			return -EINVAL;
	}
	if (count) {
		n = strtoul(count, &end, 0);
		if (end == count || *end || !n || n > FAULT_MUTE_MAX)
			return -EINVAL;
	}
	/* UNLOAD_RESPONSE belongs to no channel. */
	if (i == ENL_MUTE_UNLOAD_RESPONSE)
		r = 0;
	g_mutex_lock(&srv->mute_lock);
	srv->mute[i].relid = (uint32_t)r;
	srv->mute[i].count = (uint32_t)n;
	g_mutex_unlock(&srv->mute_lock);
	srv->stats.faults++;
	g_string_append_printf(out, "mute %s relid %lu: next %lu\n", what, r, n);
	g_message("vmbus: fault mute %s relid %lu count %lu", what, r, n);
	return 0;
}

void enl_vmbus_fault_unmute(struct enl_vmbus_server *srv)
{
	g_mutex_lock(&srv->mute_lock);
	memset(srv->mute, 0, sizeof(srv->mute));
	g_mutex_unlock(&srv->mute_lock);
}

bool enl_vmbus_muted(struct enl_vmbus_server *srv, enum enl_vmbus_mute what,
		     uint32_t relid)
{
	bool hit;

	g_mutex_lock(&srv->mute_lock);
	hit = srv->mute[what].count &&
	      (!srv->mute[what].relid || srv->mute[what].relid == relid);
	if (hit)
		srv->mute[what].count--;
	g_mutex_unlock(&srv->mute_lock);
	if (hit) {
		enl_vmbus_stat_inc(&srv->stats.muted);
		g_message("vmbus: fault: %s of relid %u left out",
			  mute_names[what], relid);
	}
	return hit;
}

int enl_vmbus_fault(struct enl_vmbus_server *srv, const char *kind,
		    const char *arg, GString *out)
{
	struct enl_vsp_channel *ch = open_channel(srv, arg);
	int ret;

	if (!srv->connected)
		return -ENOTCONN;
	if (!strcmp(kind, "bad-offer"))
		ret = fault_bad_offer(srv);
	else if (!strcmp(kind, "oversize"))
		ret = arg ? (ch ? fault_oversize_packet(ch) : -ENOENT) :
			    fault_oversize_msg(srv);
	else if (!strcmp(kind, "bad-gpadl-created"))
		ret = fault_bad_gpadl_created(srv, arg);
	else if (!strcmp(kind, "corrupt-ring"))
		ret = ch ? fault_corrupt_ring(ch) : -ENOENT;
	else if (!strcmp(kind, "rescind-primary-first"))
		ret = arg ? enl_vmbus_server_rescind_primary_first(srv,
						strtoul(arg, NULL, 0)) : -ENOENT;
	else
		return -EINVAL;
	if (!ret) {
		srv->stats.faults++;
		g_string_append_printf(out, "fault %s injected\n", kind);
		g_message("vmbus: fault %s %s injected", kind, arg ? arg : "");
	}
	return ret;
}
