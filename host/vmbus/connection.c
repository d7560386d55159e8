// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMBus connection: version negotiation (INITIATE_CONTACT), the offer
 * round (REQUESTOFFERS) and UNLOAD, which returns everything to the state
 * before contact.
 */
#include <string.h>

#include "server_priv.h"

/* Newest first; a guest walks its own list down until we say yes. */
static const uint32_t supported_versions[] = ENL_VMBUS_VERSIONS_NEWEST_FIRST;

static bool version_supported(uint32_t v)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(supported_versions); i++)
		if (supported_versions[i] == v)
			return true;
	return false;
}

static void send_version_response(struct enl_vmbus_server *srv, bool ok)
{
	struct enl_vmbus_channel_version_response r = { 0 };

	r.header.msgtype = ENL_CHANNELMSG_VERSION_RESPONSE;
	r.version_supported = ok;
	r.connection_state = ok ? ENL_VMBUS_CONNECTION_SUCCESSFUL :
			     ENL_VMBUS_CONNECTION_FAILED_UNKNOWN_FAILURE;
	r.msg_conn_id = ok ? srv->msg_conn_id : 0;
	enl_vmbus_reply(srv, &r, sizeof(r));
}

void enl_vmbus_on_initiate_contact(struct enl_vmbus_server *srv,
				   uint32_t connection_id, const void *msg)
{
	const struct enl_vmbus_channel_initiate_contact *m = msg;
	uint32_t v = m->vmbus_version_requested;
	bool v5 = v >= ENL_VMBUS_VERSION_WIN10_V5;
	uint32_t want_conn = v5 ? ENL_VMBUS_MESSAGE_CONNECTION_ID_4 :
			     ENL_VMBUS_MESSAGE_CONNECTION_ID;
	uint32_t sint = v5 ? m->msg_sint : ENL_VMBUS_MESSAGE_SINT;

	if (srv->connected) {
		/* A guest must UNLOAD before it negotiates again. */
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_STATE,
				"INITIATE_CONTACT %u.%u while connected",
				v >> 16, v & 0xffff);
		send_version_response(srv, false);
		return;
	}
	/* Answer where the guest asked, as far as that is possible at all. */
	srv->target_vp = m->target_vcpu < ENL_VMBUS_MAX_VP ? m->target_vcpu : 0;
	srv->msg_sint = sint < ENL_HV_SYNIC_SINT_COUNT ? sint :
			ENL_VMBUS_MESSAGE_SINT;

	if (!version_supported(v)) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_VERSION,
				"version %u.%u refused", v >> 16, v & 0xffff);
		send_version_response(srv, false);
		return;
	}
	if (connection_id != want_conn) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_CONNECTION,
				"version %u.%u contact on connection %u",
				v >> 16, v & 0xffff, connection_id);
		send_version_response(srv, false);
		return;
	}
	if (m->target_vcpu >= ENL_VMBUS_MAX_VP ||
	    sint >= ENL_HV_SYNIC_SINT_COUNT) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_VP,
				"contact for vp %u sint %u", m->target_vcpu,
				sint);
		send_version_response(srv, false);
		return;
	}
	srv->connected = true;
	srv->offers_requested = false;
	srv->version = v;
	srv->msg_conn_id = want_conn;
	g_message("vmbus: version %u.%u, vp %u sint %u", v >> 16, v & 0xffff,
		  srv->target_vp, srv->msg_sint);
	send_version_response(srv, true);
}

void enl_vmbus_on_request_offers(struct enl_vmbus_server *srv)
{
	struct enl_vmbus_channel_all_offers_delivered done = { 0 };
	uint32_t relid;

	if (srv->offers_requested) {
		enl_vmbus_error(srv, ENL_VMBUS_ERR_BAD_STATE,
				"REQUESTOFFERS twice");
		return;
	}
	srv->offers_requested = true;
	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++) {
		struct enl_vsp_channel *ch = srv->chan[relid];

		if (ch && ch->state == ENL_CHAN_OFFERED && !ch->offer_sent)
			enl_vmbus_send_offer(ch);
	}
	done.header.msgtype = ENL_CHANNELMSG_ALLOFFERS_DELIVERED;
	enl_vmbus_reply(srv, &done, sizeof(done));
}

void enl_vmbus_reset(struct enl_vmbus_server *srv)
{
	uint32_t relid;

	/* Held messages were for the connection going away. */
	enl_vmbus_hold_drop(srv);
	enl_vmbus_drop_subchannels(srv);
	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++) {
		struct enl_vsp_channel *ch = srv->chan[relid];

		if (!ch)
			continue;
		enl_vmbus_chan_close(ch);
		/* The guest forgot the relid: a rescinded channel is gone. */
		if (ch->state == ENL_CHAN_RESCINDED) {
			enl_vmbus_chan_free(ch);
			continue;
		}
		ch->offer_sent = false;
	}
	enl_vmbus_gpadl_free_all(srv);
	srv->connected = false;
	srv->offers_requested = false;
	srv->version = 0;
	srv->msg_conn_id = 0;
}

void enl_vmbus_on_unload(struct enl_vmbus_server *srv)
{
	struct enl_vmbus_channel_unload_response r = { 0 };

	/* Reply on the SINT of the connection that is going away. */
	enl_vmbus_reset(srv);
	srv->stats.unloads++;
	r.header.msgtype = ENL_CHANNELMSG_UNLOAD_RESPONSE;
	if (!enl_vmbus_muted(srv, ENL_MUTE_UNLOAD_RESPONSE, 0))
		enl_vmbus_reply(srv, &r, sizeof(r));
}
