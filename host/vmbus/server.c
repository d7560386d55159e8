// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMBus server's front door: lifetime, the SynIC upcalls, per-type
 * validation and dispatch of guest channel messages, replies and the
 * per-reason error counters.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <enlighten/hv_synic.h>
#include "hv.h"
#include "server_priv.h"

const char *const enl_vmbus_err_names[ENL_VMBUS_ERR_COUNT] = {
	[ENL_VMBUS_ERR_BAD_SIZE] = "bad_size",
	[ENL_VMBUS_ERR_BAD_TYPE] = "bad_type",
	[ENL_VMBUS_ERR_BAD_CONNECTION] = "bad_connection",
	[ENL_VMBUS_ERR_BAD_STATE] = "bad_state",
	[ENL_VMBUS_ERR_BAD_VERSION] = "bad_version",
	[ENL_VMBUS_ERR_BAD_RELID] = "bad_relid",
	[ENL_VMBUS_ERR_BAD_VP] = "bad_vp",
	[ENL_VMBUS_ERR_GPADL_DUP] = "gpadl_dup",
	[ENL_VMBUS_ERR_GPADL_RANGE] = "gpadl_range",
	[ENL_VMBUS_ERR_GPADL_GPA] = "gpadl_gpa",
	[ENL_VMBUS_ERR_GPADL_LIMIT] = "gpadl_limit",
	[ENL_VMBUS_ERR_GPADL_UNKNOWN] = "gpadl_unknown",
	[ENL_VMBUS_ERR_OPEN_RING] = "open_ring",
	[ENL_VMBUS_ERR_OPEN_VSP] = "open_vsp",
	[ENL_VMBUS_ERR_RING_CORRUPT] = "ring_corrupt",
	[ENL_VMBUS_ERR_BAD_SIGNAL] = "bad_signal",
	[ENL_VMBUS_ERR_REPLY_FAILED] = "reply_failed",
	[ENL_VMBUS_ERR_BAD_DATA_PKT] = "bad_data_pkt",
	[ENL_VMBUS_ERR_GPADL_VIEW] = "gpadl_view",
};

/* What each guest -> host message needs before its handler may read it. */
struct msg_rule {
	uint32_t min_size;
	bool needs_connection;
};

static const struct msg_rule msg_rules[ENL_CHANNELMSG_COUNT] = {
	[ENL_CHANNELMSG_INITIATE_CONTACT] = {
		sizeof(struct enl_vmbus_channel_initiate_contact), false },
	[ENL_CHANNELMSG_REQUESTOFFERS] = {
		sizeof(struct enl_vmbus_channel_request_offers), true },
	[ENL_CHANNELMSG_OPENCHANNEL] = {
		sizeof(struct enl_vmbus_channel_open_channel), true },
	[ENL_CHANNELMSG_CLOSECHANNEL] = {
		sizeof(struct enl_vmbus_channel_close_channel), true },
	/* Ranges are checked by gpadl.c; at least one range header here. */
	[ENL_CHANNELMSG_GPADL_HEADER] = {
		sizeof(struct enl_vmbus_channel_gpadl_header) + 8, true },
	[ENL_CHANNELMSG_GPADL_BODY] = {
		sizeof(struct enl_vmbus_channel_gpadl_body) + 8, true },
	[ENL_CHANNELMSG_GPADL_TEARDOWN] = {
		sizeof(struct enl_vmbus_channel_gpadl_teardown), true },
	[ENL_CHANNELMSG_RELID_RELEASED] = {
		sizeof(struct enl_vmbus_channel_relid_released), true },
	[ENL_CHANNELMSG_UNLOAD] = {
		sizeof(struct enl_vmbus_channel_unload), true },
	[ENL_CHANNELMSG_MODIFYCHANNEL] = {
		sizeof(struct enl_vmbus_channel_modifychannel), true },
};

void enl_vmbus_error(struct enl_vmbus_server *srv, enum enl_vmbus_err why,
		     const char *fmt, ...)
{
	va_list ap;
	char *s;

	uint64_t n = __atomic_add_fetch(&srv->stats.errors[why], 1,
					__ATOMIC_RELAXED);

	/* A guest can repeat a mistake forever: log the first few, then thin out. */
	if (n > 16 && (n & (n - 1)))
		return;
	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_warning("vmbus: %s: %s", enl_vmbus_err_names[why], s);
	g_free(s);
}

int enl_vmbus_reply(struct enl_vmbus_server *srv, const void *msg,
		    uint32_t len)
{
	int ret;

	if (enl_vmbus_hold_take(srv, msg, len))
		return 0;
	ret = enl_hv_post_message(srv->hv, srv->target_vp, srv->msg_sint,
				  ENL_HVMSG_VMBUS, msg, len);
	if (ret)
		enl_vmbus_error(srv, ENL_VMBUS_ERR_REPLY_FAILED,
				"post to vp %u sint %u: %d", srv->target_vp,
				srv->msg_sint, ret);
	else
		enl_vmbus_stat_inc(&srv->stats.messages_out);
	return ret;
}

struct enl_guest_mem *enl_vmbus_mem(struct enl_vmbus_server *srv)
{
	return enl_hv_guest_mem(srv->hv);
}

static bool is_message_connection(uint32_t id)
{
	return id == ENL_VMBUS_MESSAGE_CONNECTION_ID ||
	       id == ENL_VMBUS_MESSAGE_CONNECTION_ID_4;
}

static void dispatch(struct enl_vmbus_server *srv, uint32_t connection_id,
		     uint32_t type, const void *msg, uint32_t size)
{
	switch (type) {
	case ENL_CHANNELMSG_INITIATE_CONTACT:
		enl_vmbus_on_initiate_contact(srv, connection_id, msg);
		break;
	case ENL_CHANNELMSG_REQUESTOFFERS:
		enl_vmbus_on_request_offers(srv);
		break;
	case ENL_CHANNELMSG_UNLOAD:
		enl_vmbus_on_unload(srv);
		break;
	case ENL_CHANNELMSG_GPADL_HEADER:
		enl_vmbus_on_gpadl_header(srv, msg, size);
		break;
	case ENL_CHANNELMSG_GPADL_BODY:
		enl_vmbus_on_gpadl_body(srv, msg, size);
		break;
	case ENL_CHANNELMSG_GPADL_TEARDOWN:
		enl_vmbus_on_gpadl_teardown(srv, msg);
		break;
	case ENL_CHANNELMSG_OPENCHANNEL:
		enl_vmbus_on_open(srv, msg);
		break;
	case ENL_CHANNELMSG_CLOSECHANNEL:
		enl_vmbus_on_close(srv, msg);
		break;
	case ENL_CHANNELMSG_MODIFYCHANNEL:
		enl_vmbus_on_modify(srv, msg);
		break;
	case ENL_CHANNELMSG_RELID_RELEASED:
		enl_vmbus_on_relid_released(srv, msg);
		break;
	}
}

uint16_t enl_vmbus_server_post_message(struct enl_vmbus_server *srv,
				       uint32_t connection_id,
				       uint32_t message_type,
				       const void *payload, uint32_t size)
{
	/* Aligned private copy: the guest's buffer may change under us. */
	uint64_t buf[ENL_VMBUS_MAX_MSG_SIZE / 8] = { 0 };
	const struct enl_vmbus_channel_message_header *hdr = (void *)buf;
	const struct msg_rule *rule;

	srv->stats.messages_in++;
	if (!is_message_connection(connection_id)) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_CONNECTION,
				"post to connection %u", connection_id);
		return ENL_HV_STATUS_INVALID_CONNECTION_ID;
	}
	if (message_type != ENL_HVMSG_VMBUS || size > sizeof(buf) ||
	    (size && !payload)) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_SIZE,
				"message type %u size %u", message_type, size);
		return ENL_HV_STATUS_INVALID_PARAMETER;
	}
	if (size < sizeof(*hdr)) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_SIZE,
				"message of %u bytes", size);
		return ENL_HV_STATUS_SUCCESS;
	}
	memcpy(buf, payload, size);

	rule = hdr->msgtype < ENL_CHANNELMSG_COUNT ?
	       &msg_rules[hdr->msgtype] : NULL;
	if (!rule || !rule->min_size) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_TYPE,
				"msgtype %u from the guest", hdr->msgtype);
		return ENL_HV_STATUS_SUCCESS;
	}
	if (size < rule->min_size) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_SIZE,
				"msgtype %u: %u bytes, need %u", hdr->msgtype,
				size, rule->min_size);
		return ENL_HV_STATUS_SUCCESS;
	}
	if (rule->needs_connection && !srv->connected) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_STATE,
				"msgtype %u before contact", hdr->msgtype);
		return ENL_HV_STATUS_SUCCESS;
	}
	/* Once agreed, only the negotiated message connection is valid. */
	if (srv->connected && connection_id != srv->msg_conn_id) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_CONNECTION,
				"msgtype %u on connection %u, agreed %u",
				hdr->msgtype, connection_id, srv->msg_conn_id);
		return ENL_HV_STATUS_INVALID_CONNECTION_ID;
	}
	dispatch(srv, connection_id, hdr->msgtype, buf, size);
	return ENL_HV_STATUS_SUCCESS;
}

uint16_t enl_vmbus_server_signal_event(struct enl_vmbus_server *srv,
				       uint32_t connection_id,
				       uint16_t flag_number)
{
	struct enl_vsp_channel *ch = NULL;
	uint32_t id = connection_id & ENL_HV_CONNECTION_ID_MASK;

	if (id > ENL_VMBUS_CHANNEL_CONN_BASE &&
	    id <= ENL_VMBUS_CHANNEL_CONN_BASE + ENL_VMBUS_MAX_RELID)
		ch = srv->chan[id - ENL_VMBUS_CHANNEL_CONN_BASE];
	if (!ch) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_SIGNAL,
				"signal on connection %u", connection_id);
		return ENL_HV_STATUS_INVALID_CONNECTION_ID;
	}
	(void)flag_number;	/* VMBus always signals flag 0 */
	enl_vmbus_stat_inc(&ch->stats.signals_in);
	if (ch->state != ENL_CHAN_OPEN) {
		/* A racing close or rescind: harmless, but worth counting. */
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_SIGNAL,
				"signal on relid %u, not open", ch->relid);
		return ENL_HV_STATUS_SUCCESS;
	}
	/* The hypercall completes now; the channel's worker does the rest. */
	enl_vmbus_chan_wake(ch);
	return ENL_HV_STATUS_SUCCESS;
}

static uint16_t hv_post_message(void *ctx, uint32_t connection_id,
				uint32_t message_type, const void *payload,
				uint32_t payload_size)
{
	return enl_vmbus_server_post_message(ctx, connection_id, message_type,
					     payload, payload_size);
}

static uint16_t hv_signal_event(void *ctx, uint32_t connection_id,
				uint16_t flag_number)
{
	return enl_vmbus_server_signal_event(ctx, connection_id, flag_number);
}

/*
 * The guest turned off the SINT we answer on (reset, kexec, crash kernel):
 * whatever it knew of VMBus is gone, so forget it too, or its next
 * INITIATE_CONTACT would be refused as a second contact.
 */
static void hv_synic_changed(void *ctx, uint32_t vp)
{
	struct enl_vmbus_server *srv = ctx;

	if (!srv->connected || vp != srv->target_vp ||
	    enl_hv_sint_ready(srv->hv, vp, srv->msg_sint))
		return;
	g_message("vmbus: SINT %u of vp %u disabled: connection reset",
		  srv->msg_sint, vp);
	enl_vmbus_reset(srv);
}

static const struct enl_hv_ops server_hv_ops = {
	.post_message = hv_post_message,
	.signal_event = hv_signal_event,
	.synic_changed = hv_synic_changed,
};

struct enl_vmbus_server *enl_vmbus_server_new(struct enl_hv *hv)
{
	struct enl_vmbus_server *srv = g_new0(struct enl_vmbus_server, 1);

	srv->hv = hv;
	srv->ram_fd = -1;
	srv->msg_sint = ENL_VMBUS_MESSAGE_SINT;
	srv->gpadls = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_mutex_init(&srv->gpadl_lock);
	g_mutex_init(&srv->mute_lock);
	enl_hv_set_ops(hv, &server_hv_ops, srv);
	return srv;
}

void enl_vmbus_server_set_ram_fd(struct enl_vmbus_server *srv, int fd)
{
	srv->ram_fd = fd;
}

void enl_vmbus_server_set_chan_context(struct enl_vmbus_server *srv,
				       GMainContext *ctx)
{
	srv->chan_ctx = ctx;
}

void enl_vmbus_server_free(struct enl_vmbus_server *srv)
{
	uint32_t relid;

	if (!srv)
		return;
	enl_hv_set_ops(srv->hv, NULL, NULL);
	enl_vmbus_chaos_free(srv);
	enl_vmbus_reset(srv);
	enl_vmbus_hold_free(srv);
	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++)
		if (srv->chan[relid])
			enl_vmbus_chan_free(srv->chan[relid]);
	enl_vmbus_source_drop(&srv->reaper);
	g_hash_table_destroy(srv->gpadls);
	g_mutex_clear(&srv->gpadl_lock);
	g_mutex_clear(&srv->mute_lock);
	g_free(srv);
}

int enl_vmbus_server_add_class(struct enl_vmbus_server *srv,
			       const struct enl_vsp_class *cls)
{
	unsigned int i;

	if (!cls || !cls->name || !cls->on_open ||
	    (!cls->on_packet && !cls->on_signal) ||
	    srv->nr_classes == ENL_VMBUS_MAX_CLASSES)
		return -EINVAL;
	for (i = 0; i < srv->nr_classes; i++)
		if (!strcmp(srv->classes[i]->name, cls->name))
			return -EEXIST;
	srv->classes[srv->nr_classes++] = cls;
	return 0;
}

uint32_t enl_vmbus_server_version(const struct enl_vmbus_server *srv)
{
	return srv->connected ? srv->version : 0;
}

uint64_t enl_vmbus_server_unloads(const struct enl_vmbus_server *srv)
{
	return srv->stats.unloads;
}
