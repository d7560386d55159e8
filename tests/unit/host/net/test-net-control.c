// SPDX-License-Identifier: GPL-2.0-only
/*
 * The network engine's control side: NVSP negotiation with version
 * fallback, the buffers, sub-channels, every RNDIS control message and
 * every OID a netvsc guest uses, with the status each wrong request gets,
 * and the link indications.
 */
#include "net_guest.h"

static void test_negotiation(void)
{
	struct enl_net_cfg cfg = g_cfg;
	struct enl_nvsp_message m, r;
	struct enl_net_dev *d;
	uint32_t v = 0;

	d = enl_net_new(&cfg, &g_ops, NULL);
	tap_ok(d != NULL, "device created");

	/* Before INIT nothing else is taken. */
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RECV_BUF;
	m.msg.buffer.gpadl_handle = G_RECV_GPADL;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_MSG &&
	       r.msg.recv_buf_complete.status == ENL_NVSP_STAT_FAIL &&
	       enl_net_stat(d, ENL_NET_NVSP_OUT_OF_ORDER) == 1 &&
	       g.mapped[0] == 0,
	       "receive buffer before INIT: FAIL, counted, not mapped");

	tap_ok(g_init(d, ENL_NVSP_VERSION_61, ENL_NVSP_VERSION_61, &v) ==
	       ENL_NVSP_STAT_SUCCESS && v == ENL_NVSP_VERSION_61 &&
	       enl_net_nvsp_version(d) == ENL_NVSP_VERSION_61,
	       "INIT 6.1 accepted");
	tap_ok(g_init(d, 0x30000, 0x30000, NULL) == ENL_NVSP_STAT_FAIL &&
	       enl_net_nvsp_version(d) == 0 &&
	       enl_net_stat(d, ENL_NET_NVSP_NO_VERSION) == 1,
	       "INIT of a version that does not exist fails and resets");
	tap_ok(g_init(d, ENL_NVSP_VERSION_1, 0x7fffffff, &v) ==
	       ENL_NVSP_STAT_SUCCESS && v == ENL_NVSP_VERSION_61,
	       "a range: the newest version inside it");
	tap_ok(g_init(d, ENL_NVSP_VERSION_2, ENL_NVSP_VERSION_5, &v) ==
	       ENL_NVSP_STAT_SUCCESS && v == ENL_NVSP_VERSION_5,
	       "range 2..5 gives 5");
	enl_net_free(d);

	/* A host capped at 5: Linux falls back 6.1, 6, then 5. */
	cfg.max_nvsp_version = ENL_NVSP_VERSION_5;
	d = enl_net_new(&cfg, &g_ops, NULL);
	tap_ok(g_init(d, ENL_NVSP_VERSION_61, ENL_NVSP_VERSION_61, NULL) ==
	       ENL_NVSP_STAT_FAIL &&
	       g_init(d, ENL_NVSP_VERSION_6, ENL_NVSP_VERSION_6, NULL) ==
	       ENL_NVSP_STAT_FAIL &&
	       g_init(d, ENL_NVSP_VERSION_5, ENL_NVSP_VERSION_5, &v) ==
	       ENL_NVSP_STAT_SUCCESS && v == ENL_NVSP_VERSION_5,
	       "capped host: 6.1 and 6 refused, 5 taken");
	/* v4 messages at v5 are fine; a v5 message at v4 is not. */
	enl_net_free(d);
	cfg.max_nvsp_version = ENL_NVSP_VERSION_4;
	d = enl_net_new(&cfg, &g_ops, NULL);
	tap_ok(g_connect(d, 1500) && enl_net_nvsp_version(d) == ENL_NVSP_VERSION_4,
	       "Linux-style connect falls back to 4");
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG5_SUBCHANNEL;
	m.msg.subchannel.op = ENL_NVSP_SUBCHANNEL_ALLOCATE;
	m.msg.subchannel.num_subchannels = 3;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_MSG &&
	       r.hdr.msg_type == ENL_NVSP_MSG5_SUBCHANNEL &&
	       r.msg.subchannel_complete.status == ENL_NVSP_STAT_FAIL,
	       "SUBCHANNEL at NVSP 4: FAIL");
	tap_ok(g_init(d, ENL_NVSP_VERSION_61, ENL_NVSP_VERSION_61, NULL) ==
	       ENL_NVSP_STAT_FAIL &&
	       enl_net_nvsp_version(d) == ENL_NVSP_VERSION_4,
	       "INIT while the buffers are in use: refused, state kept");
	enl_net_free(d);
	tap_ok(g.mapped[0] == 0 && g.mapped[1] == 0, "free unmaps both buffers");

	/* Version 1: no NDIS config; the receive buffer is capped at 16 MiB. */
	cfg.max_nvsp_version = ENL_NVSP_VERSION_1;
	d = enl_net_new(&cfg, &g_ops, NULL);
	tap_ok(g_connect(d, 1500) && enl_net_nvsp_version(d) == ENL_NVSP_VERSION_1,
	       "NVSP 1 guest connects");
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG2_SEND_NDIS_CONFIG;
	m.msg.ndis_config.mtu = 1514;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_NONE &&
	       enl_net_stat(d, ENL_NET_NVSP_OUT_OF_ORDER) == 1,
	       "NDIS config at NVSP 1: ignored, counted");
	enl_net_free(d);
}

static void test_buffers(void)
{
	struct enl_net_cfg cfg = g_cfg;
	struct enl_nvsp_message m, r;
	struct enl_net_state st;
	struct enl_net_dev *d;

	d = enl_net_new(&cfg, &g_ops, NULL);
	tap_ok(g_connect(d, 1500), "connect at 1500");
	enl_net_get_state(d, &st);
	tap_ok(st.recv_section_size >= 1728 &&
	       st.recv_section_size >= 1514 + 4 + ENL_RNDIS_PPI_U32_SIZE * 2 + 44 &&
	       st.recv_sections == G_RECV_SIZE / st.recv_section_size,
	       "receive sections: %u of %u bytes", st.recv_sections,
	       st.recv_section_size);
	tap_ok(st.send_section_size == 6144 &&
	       st.send_sections == G_SEND_SIZE / 6144,
	       "send sections: %u of %u bytes", st.send_sections,
	       st.send_section_size);
	tap_ok(st.ndis_version == ENL_NDIS_VERSION_6_30 && st.ndis_mtu == 1514 &&
	       (st.ndis_caps & ENL_NVSP_CAP_TEAMING),
	       "NDIS version and config recorded");

	/* A second receive buffer is refused, the first stays. */
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RECV_BUF;
	m.msg.buffer.gpadl_handle = G_RECV_GPADL;
	m.msg.buffer.id = 1;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_MSG &&
	       r.msg.recv_buf_complete.status == ENL_NVSP_STAT_FAIL &&
	       g.mapped[0] == 1, "second receive buffer: FAIL");
	/* Revoke with the wrong id: counted, kept. */
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_REVOKE_RECV_BUF;
	m.msg.revoke.id = 1;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_NONE && g.mapped[0] == 1 &&
	       enl_net_stat(d, ENL_NET_BUF_BAD_ID) == 1,
	       "revoke with a wrong id: counted, buffer kept");
	m.msg.revoke.id = ENL_NVSP_RECV_BUFFER_ID;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_NONE && g.mapped[0] == 0,
	       "revoke of the receive buffer unmaps it");
	m.hdr.msg_type = ENL_NVSP_MSG1_REVOKE_SEND_BUF;
	m.msg.revoke.id = ENL_NVSP_SEND_BUFFER_ID;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_NONE && g.mapped[1] == 0,
	       "revoke of the send buffer unmaps it");
	enl_net_free(d);

	/* MTU 9000: sections grow so a jumbo frame fits one. */
	d = enl_net_new(&cfg, &g_ops, NULL);
	tap_ok(g_connect(d, 9000), "connect at MTU 9000");
	enl_net_get_state(d, &st);
	tap_ok(st.recv_section_size >= 9014 + 4 + 76 &&
	       st.recv_section_size % 64 == 0,
	       "jumbo receive sections of %u bytes", st.recv_section_size);
	enl_net_free(d);

	/* A map that fails, a GPADL that is not there. */
	d = enl_net_new(&cfg, &g_ops, NULL);
	g_init(d, ENL_NVSP_VERSION_61, ENL_NVSP_VERSION_61, NULL);
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RECV_BUF;
	m.msg.buffer.gpadl_handle = 999;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_MSG &&
	       r.msg.recv_buf_complete.status == ENL_NVSP_STAT_FAIL &&
	       enl_net_stat(d, ENL_NET_BUF_MAP_FAILED) == 1,
	       "unknown GPADL: FAIL, counted");
	/* Sections larger than the buffer: nothing fits. */
	g.recv_iov[0].iov_len = 1000;
	{
		m.msg.buffer.gpadl_handle = G_RECV_GPADL;
		/* Make the whole buffer one 1000-byte piece. */
		for (unsigned int i = 1; i < G_RECV_SIZE / G_PIECE; i++)
			g.recv_iov[i].iov_len = 0;
		tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_MSG &&
		       r.msg.recv_buf_complete.status == ENL_NVSP_STAT_FAIL &&
		       enl_net_stat(d, ENL_NET_BUF_BAD_SIZE) == 1 &&
		       g.mapped[0] == 0,
		       "a receive buffer smaller than a section: FAIL, unmapped");
		for (unsigned int i = 0; i < G_RECV_SIZE / G_PIECE; i++)
			g.recv_iov[i].iov_len = G_PIECE;
	}
	/* Short and unknown messages. */
	tap_ok(enl_net_nvsp(d, 0, &m, 3, NULL, &r) == ENL_NET_REPLY_NONE &&
	       enl_net_stat(d, ENL_NET_NVSP_SHORT) == 1, "3-byte message counted");
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RECV_BUF;
	tap_ok(enl_net_nvsp(d, 0, &m, 8, NULL, &r) == ENL_NET_REPLY_NONE &&
	       enl_net_stat(d, ENL_NET_NVSP_SHORT) == 2,
	       "SEND_RECV_BUF without its handle and id counted");
	m.hdr.msg_type = ENL_NVSP_MSG6_PD_API;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_NONE &&
	       enl_net_stat(d, ENL_NET_NVSP_UNKNOWN) == 1,
	       "PacketDirect message: not spoken, counted");
	enl_net_free(d);
}

static void test_subchannels(void)
{
	struct enl_nvsp_message m, r;
	struct enl_nvsp_indirection_msg t;
	struct enl_net_dev *d = g_up(0);
	bool ok = true;

	tap_ok(d != NULL, "device up at 6.1");
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG5_SUBCHANNEL;
	m.msg.subchannel.op = ENL_NVSP_SUBCHANNEL_ALLOCATE;
	m.msg.subchannel.num_subchannels = 7;
	g.sub_offer = 64;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_MSG &&
	       r.hdr.msg_type == ENL_NVSP_MSG5_SUBCHANNEL &&
	       r.msg.subchannel_complete.status == ENL_NVSP_STAT_SUCCESS &&
	       r.msg.subchannel_complete.num_subchannels == 3,
	       "7 sub-channels asked, 3 granted (4 queues)");
	m.msg.subchannel.num_subchannels = 1;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_MSG &&
	       r.msg.subchannel_complete.status == ENL_NVSP_STAT_SUCCESS &&
	       r.msg.subchannel_complete.num_subchannels == 1,
	       "asked again for fewer: the grant never exceeds the request");
	m.msg.subchannel.op = 5;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_MSG &&
	       r.msg.subchannel_complete.status == ENL_NVSP_STAT_FAIL,
	       "unknown sub-channel op: FAIL");
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG4_SWITCH_DATA_PATH;
	m.msg.datapath.active_datapath = ENL_NVSP_DATAPATH_VF;
	tap_ok(g_nvsp(d, &m, &r) == ENL_NET_REPLY_EMPTY,
	       "data path switch: completion without payload");
	enl_net_send_table(d, 4, &t);
	for (int i = 0; i < ENL_NVSP_SEND_TABLE_SIZE; i++)
		ok &= t.table[i] == (uint32_t)i % 4;
	tap_ok(ok && t.m.hdr.msg_type == ENL_NVSP_MSG5_SEND_INDIRECTION_TABLE &&
	       t.m.msg.indirection.count == 16 &&
	       t.m.msg.indirection.offset == sizeof(struct enl_nvsp_message),
	       "send indirection table spreads over the channels");
	enl_net_free(d);
}

static void test_rndis_basic(void)
{
	struct enl_net_dev *d = enl_net_new(&g_cfg, &g_ops, NULL);
	struct enl_rndis_init_complete ic;
	uint8_t buf[64];
	uint32_t len, v;
	struct {
		struct enl_rndis_hdr h;
		uint32_t id;
	} ENL_PACKED ka = { { ENL_RNDIS_MSG_KEEPALIVE, 12 }, 77 };
	const uint8_t *r;

	g_connect(d, 1500);
	tap_ok(g_query(d, ENL_OID_GEN_LINK_SPEED, NULL, 0, buf, &len) ==
	       ENL_RNDIS_STATUS_ADAPTER_NOT_READY &&
	       enl_net_stat(d, ENL_NET_RNDIS_NOT_INITIALIZED) == 1,
	       "QUERY before INITIALIZE: ADAPTER_NOT_READY");
	tap_ok(g_rndis_init(d, &ic) == ENL_RNDIS_STATUS_SUCCESS &&
	       ic.major == 1 && ic.minor == 0 &&
	       ic.dev_flags == ENL_RNDIS_DF_CONNECTIONLESS &&
	       ic.medium == ENL_RNDIS_MEDIUM_802_3 && ic.max_pkt_per_msg == 8 &&
	       ic.pkt_alignment_factor == 3 && ic.max_xfer_size == 6144,
	       "INITIALIZE: 1.0, connectionless 802.3, 8 packets 8-aligned");
	g.nxfers = 0;
	tap_ok(g_send(d, &ka, sizeof(ka)) == ENL_NVSP_STAT_SUCCESS &&
	       (r = g_last_msg(0, &len)) && len == 16 &&
	       get_le32(r) == ENL_RNDIS_MSG_KEEPALIVE_C && get_le32(r + 8) == 77 &&
	       get_le32(r + 12) == ENL_RNDIS_STATUS_SUCCESS,
	       "KEEPALIVE answered with its id");
	g_complete_all(d);
	ka.h.type = ENL_RNDIS_MSG_RESET;
	tap_ok(g_send(d, &ka, sizeof(ka)) == ENL_NVSP_STAT_SUCCESS &&
	       (r = g_last_msg(0, &len)) && len == 16 &&
	       get_le32(r) == ENL_RNDIS_MSG_RESET_C &&
	       get_le32(r + 8) == ENL_RNDIS_STATUS_SUCCESS &&
	       get_le32(r + 12) == 0,
	       "RESET: success, addressing kept");
	g_complete_all(d);
	v = ENL_NDIS_PACKET_TYPE_DIRECTED;
	g_set(d, ENL_OID_GEN_CURRENT_PACKET_FILTER, &v, 4);
	ka.h.type = ENL_RNDIS_MSG_HALT;
	tap_ok(g_send(d, &ka, sizeof(ka)) == ENL_NVSP_STAT_SUCCESS &&
	       g.nxfers == 0, "HALT: no answer");
	tap_ok(g_query(d, ENL_OID_GEN_LINK_SPEED, NULL, 0, buf, &len) ==
	       ENL_RNDIS_STATUS_ADAPTER_NOT_READY, "after HALT: not ready");
	{
		struct {
			struct enl_rndis_hdr h;
			struct enl_rndis_packet p;
			uint8_t f[60];
		} ENL_PACKED pk = { { ENL_RNDIS_MSG_PACKET, sizeof(pk) },
				    { .data_offset = 36, .data_len = 60 }, { 0 } };
		uint64_t before = enl_net_stat(d, ENL_NET_RNDIS_NOT_INITIALIZED);

		g.nframes = 0;
		tap_ok(g_send(d, &pk, sizeof(pk)) == ENL_NVSP_STAT_INVALID_RNDIS_PKT &&
		       g.nframes == 0 &&
		       enl_net_stat(d, ENL_NET_RNDIS_NOT_INITIALIZED) == before + 1,
		       "after HALT: a data packet is not sent");
	}
	ka.h.type = 0x55;
	tap_ok(g_send(d, &ka, sizeof(ka)) == ENL_NVSP_STAT_INVALID_RNDIS_PKT &&
	       enl_net_stat(d, ENL_NET_RNDIS_UNKNOWN_TYPE) == 1,
	       "unknown RNDIS type: INVALID_RNDIS_PKT, counted");
	ka.h.type = ENL_RNDIS_MSG_QUERY;
	tap_ok(g_send(d, &ka, sizeof(ka)) == ENL_NVSP_STAT_INVALID_RNDIS_PKT &&
	       enl_net_stat(d, ENL_NET_RNDIS_SHORT) == 1,
	       "QUERY shorter than its fixed part: counted");
	ka.h.type = ENL_RNDIS_MSG_INIT;
	ka.id = 5;
	{
		struct {
			struct enl_rndis_hdr h;
			struct enl_rndis_init_request q;
		} ENL_PACKED bad = { { ENL_RNDIS_MSG_INIT, sizeof(bad) },
				     { 9, 2, 0, 0 } };

		g.nxfers = 0;
		tap_ok(g_send(d, &bad, sizeof(bad)) == ENL_NVSP_STAT_SUCCESS &&
		       (r = g_last_msg(0, &len)) &&
		       get_le32(r + 12) == ENL_RNDIS_STATUS_BAD_VERSION,
		       "INITIALIZE of RNDIS 2.0: BAD_VERSION");
		g_complete_all(d);
	}
	enl_net_free(d);
}

static void test_queries(void)
{
	struct enl_net_dev *d = g_up(0);
	uint8_t out[1024];
	uint32_t len = 0, u;
	struct enl_ndis_offload *c = (void *)out;
	struct enl_ndis_rss_caps *rc = (void *)out;
	struct enl_ndis_object_header want = {
		ENL_NDIS_OBJECT_TYPE_OFFLOAD, 2, ENL_NDIS_OFFLOAD_SIZE_6_1 };
	bool found = false;

	tap_ok(d != NULL, "device up");
	tap_ok(g_query(d, ENL_OID_802_3_PERMANENT_ADDRESS, NULL, 0, out, &len) ==
	       0 && len == 6 && !memcmp(out, g_cfg.mac, 6), "permanent MAC");
	tap_ok(g_query(d, ENL_OID_802_3_CURRENT_ADDRESS, NULL, 0, out, &len) ==
	       0 && len == 6 && !memcmp(out, g_cfg.mac, 6), "current MAC");
	tap_ok(g_query(d, ENL_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0, out, &len) ==
	       0 && len == 4 && get_le32(out) == ENL_RNDIS_MEDIA_STATE_CONNECTED,
	       "link connected");
	tap_ok(g_query(d, ENL_OID_GEN_LINK_SPEED, NULL, 0, out, &len) == 0 &&
	       len == 4 && get_le32(out) == 100000000u,
	       "10 Gbit/s in 100 bit/s units");
	tap_ok(g_query(d, ENL_OID_GEN_MAXIMUM_FRAME_SIZE, NULL, 0, out, &len) ==
	       0 && len == 4 && get_le32(out) == 9000, "maximum frame size 9000");
	tap_ok(g_query(d, ENL_OID_GEN_MAXIMUM_TOTAL_SIZE, NULL, 0, out, &len) ==
	       0 && get_le32(out) == 9014, "maximum total size 9014");
	tap_ok(g_query(d, ENL_OID_GEN_MEDIA_SUPPORTED, NULL, 0, out, &len) == 0 &&
	       len == 4 && get_le32(out) == ENL_RNDIS_MEDIUM_802_3, "802.3");
	tap_ok(g_query(d, ENL_OID_GEN_HARDWARE_STATUS, NULL, 0, out, &len) == 0 &&
	       len == 4, "hardware status");
	u = g_query(d, ENL_OID_GEN_SUPPORTED_LIST, NULL, 0, out, &len);
	tap_ok(u == 0 && len % 4 == 0 && len >= 40, "supported list of %u OIDs",
	       len / 4);
	for (uint32_t i = 0; i < len / 4; i++)
		found |= get_le32(out + 4 * i) == ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS;
	tap_ok(found, "RSS parameters in the supported list");

	/* Hardware offloads, by the revision the guest puts in its query. */
	tap_ok(g_query(d, ENL_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, NULL, 0,
		       out, &len) == 0 && len == ENL_NDIS_OFFLOAD_SIZE &&
	       c->header.type == ENL_NDIS_OBJECT_TYPE_OFFLOAD &&
	       c->header.revision == 3 && c->header.size == ENL_NDIS_OFFLOAD_SIZE,
	       "hardware capabilities at NVSP 6.1: revision 3, 156 bytes");
	tap_ok((c->csum.ip4_txcsum & 0x14) == 0x14 &&
	       (c->csum.ip4_txcsum & ENL_NDIS_CSUM_UDP) &&
	       (c->csum.ip6_txcsum & 0x15) == 0x15 &&
	       (c->lsov2.ip4_encap & ENL_NDIS_ENCAP_8023) &&
	       c->lsov2.ip4_maxsz >= 32768 && c->lsov2.ip4_maxsz < 65536 &&
	       (c->lsov2.ip6_opts & 5) == 5 && c->rsc.ip4 && c->rsc.ip6,
	       "TCP/UDP checksums, LSOv2 and RSC for both IP versions");
	tap_ok(g_query(d, ENL_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, &want,
		       sizeof(want), out, &len) == 0 &&
	       len == ENL_NDIS_OFFLOAD_SIZE_6_1 && c->header.revision == 2,
	       "revision 2 asked: 144 bytes");
	tap_ok(g_query(d, ENL_OID_TCP_OFFLOAD_CURRENT_CONFIG, NULL, 0, out,
		       &len) == 0 && len == ENL_NDIS_OFFLOAD_SIZE &&
	       !c->csum.ip4_txcsum && !c->lsov2.ip4_encap,
	       "current offloads: nothing on before the guest sets them");
	tap_ok(g_query(d, ENL_OID_GEN_RECEIVE_SCALE_CAPABILITIES, NULL, 0, out,
		       &len) == 0 && len == sizeof(*rc) &&
	       rc->header.type == ENL_NDIS_OBJECT_TYPE_RSS_CAPABILITIES &&
	       rc->num_recv_que == 4 && rc->num_indirect_tabent == 128,
	       "RSS capabilities: 4 queues, 128 entries");
	tap_ok(g_query(d, ENL_OID_OFFLOAD_ENCAPSULATION, NULL, 0, out, &len) ==
	       0 && len == sizeof(struct enl_ndis_offload_encap),
	       "encapsulation query");
	tap_ok(g_query(d, 0x00010105, NULL, 0, out, &len) ==
	       ENL_RNDIS_STATUS_NOT_SUPPORTED && len == 0 &&
	       enl_net_stat(d, ENL_NET_CTL_UNSUPPORTED_OID) >= 1,
	       "unknown OID: NOT_SUPPORTED, no information");
	tap_ok(g_query(d, ENL_OID_GEN_FRIENDLY_NAME, NULL, 0, out, &len) ==
	       ENL_RNDIS_STATUS_NOT_SUPPORTED, "friendly name: not supported");

	/* An information buffer outside the message. */
	{
		uint8_t b[64] = { 0 };
		struct enl_rndis_hdr *h = (void *)b;
		struct enl_rndis_query_request *q = (void *)(h + 1);
		const uint8_t *r;

		h->type = ENL_RNDIS_MSG_QUERY;
		h->len = 8 + sizeof(*q) + 4;
		q->req_id = 99;
		q->oid = ENL_OID_GEN_LINK_SPEED;
		q->info_buflen = 8;
		q->info_buf_offset = sizeof(*q);
		g.nxfers = 0;
		tap_ok(g_send(d, b, h->len) == 0 + ENL_NVSP_STAT_SUCCESS &&
		       (r = g_last_msg(0, &u)) &&
		       get_le32(r + 12) == ENL_RNDIS_STATUS_INVALID_LENGTH &&
		       enl_net_stat(d, ENL_NET_CTL_BAD_INFO) == 1,
		       "info buffer past the message: INVALID_LENGTH");
		g_complete_all(d);
		q->info_buflen = 4;
		q->info_buf_offset = 4;
		g.nxfers = 0;
		tap_ok(g_send(d, b, h->len) == ENL_NVSP_STAT_SUCCESS &&
		       (r = g_last_msg(0, &u)) &&
		       get_le32(r + 12) == ENL_RNDIS_STATUS_INVALID_LENGTH,
		       "info buffer inside the fixed part: INVALID_LENGTH");
		g_complete_all(d);
	}
	enl_net_free(d);

	/* NVSP 6.0: no RSC (it needs 6.1's fragment ids). */
	d = g_up(ENL_NVSP_VERSION_6);
	{
		struct enl_ndis_offload_params p;

		memset(&p, 0, sizeof(p));
		p.header.type = ENL_NDIS_OBJECT_TYPE_DEFAULT;
		p.rsc_ip_v4 = ENL_NDIS_OFFLOAD_ENABLED;
		tap_ok(g_query(d, ENL_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, NULL, 0,
			       out, &len) == 0 && !c->rsc.ip4 && !c->rsc.ip6 &&
		       g_set(d, ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p)) ==
		       ENL_RNDIS_STATUS_NOT_SUPPORTED,
		       "NVSP 6.0: RSC neither offered nor accepted");
	}
	enl_net_free(d);

	/* NVSP 4: revision 2 by default, no RSS. */
	d = g_up(ENL_NVSP_VERSION_4);
	tap_ok(g_query(d, ENL_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, NULL, 0,
		       out, &len) == 0 && len == ENL_NDIS_OFFLOAD_SIZE_6_1 &&
	       c->header.revision == 2, "NVSP 4: revision 2");
	tap_ok(g_query(d, ENL_OID_GEN_RECEIVE_SCALE_CAPABILITIES, NULL, 0, out,
		       &len) == ENL_RNDIS_STATUS_NOT_SUPPORTED,
	       "NVSP 4: no RSS");
	enl_net_free(d);
	d = g_up(ENL_NVSP_VERSION_2);
	tap_ok(g_query(d, ENL_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, NULL, 0,
		       out, &len) == 0 && len == ENL_NDIS_OFFLOAD_SIZE_6_0 &&
	       c->header.revision == 1, "NVSP 2: revision 1, 112 bytes");
	enl_net_free(d);
}

/* Linux's offload request for a host with every checksum and LSO. */
static struct enl_ndis_offload_params linux_offloads(uint16_t size)
{
	struct enl_ndis_offload_params p;

	memset(&p, 0, sizeof(p));
	p.header.type = ENL_NDIS_OBJECT_TYPE_DEFAULT;
	p.header.revision = 3;
	p.header.size = size;
	p.ip_v4_csum = ENL_NDIS_OFFLOAD_TX_RX_DISABLED;
	p.tcp_ip_v4_csum = ENL_NDIS_OFFLOAD_TX_RX_ENABLED;
	p.udp_ip_v4_csum = ENL_NDIS_OFFLOAD_TX_RX_ENABLED;
	p.tcp_ip_v6_csum = ENL_NDIS_OFFLOAD_TX_RX_ENABLED;
	p.udp_ip_v6_csum = ENL_NDIS_OFFLOAD_TX_RX_ENABLED;
	p.lso_v2_ipv4 = ENL_NDIS_OFFLOAD_ENABLED;
	p.lso_v2_ipv6 = ENL_NDIS_OFFLOAD_ENABLED;
	return p;
}

static void put_utf16(uint8_t *p, const char *s)
{
	for (; *s; s++, p += 2) {
		p[0] = (uint8_t)*s;
		p[1] = 0;
	}
}

static void test_sets(void)
{
	struct enl_net_dev *d = g_up(0);
	struct enl_ndis_offload_params p = linux_offloads(28);
	struct enl_net_state st;
	uint8_t out[1024], b[2048];
	uint32_t v, len;

	v = ENL_NDIS_PACKET_TYPE_DIRECTED | ENL_NDIS_PACKET_TYPE_BROADCAST |
	    ENL_NDIS_PACKET_TYPE_ALL_MULTICAST;
	tap_ok(g_set(d, ENL_OID_GEN_CURRENT_PACKET_FILTER, &v, 4) == 0 &&
	       g_query(d, ENL_OID_GEN_CURRENT_PACKET_FILTER, NULL, 0, out, &len) ==
	       0 && get_le32(out) == v, "packet filter set and read back");
	tap_ok(g_set(d, ENL_OID_GEN_CURRENT_PACKET_FILTER, &v, 2) ==
	       ENL_RNDIS_STATUS_INVALID_LENGTH, "2-byte filter: INVALID_LENGTH");
	v = 0x10000;
	tap_ok(g_set(d, ENL_OID_GEN_CURRENT_PACKET_FILTER, &v, 4) ==
	       ENL_RNDIS_STATUS_NOT_SUPPORTED, "unknown filter bit: NOT_SUPPORTED");

	g.offl_calls = 0;
	tap_ok(g_set(d, ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p)) == 0,
	       "Linux's offload parameters accepted");
	enl_net_get_state(d, &st);
	tap_ok(st.tx_csum_v4 && st.tx_csum_v6 && st.lso_v4 && st.lso_v6 &&
	       st.tun_flags == TUN_F_CSUM && g.offl_calls == 1 &&
	       g.tun_flags == TUN_F_CSUM,
	       "checksums and LSO on; the TAP told to pass partial checksums");
	tap_ok(g_query(d, ENL_OID_TCP_OFFLOAD_CURRENT_CONFIG, NULL, 0, out,
		       &len) == 0 &&
	       ((struct enl_ndis_offload *)out)->lsov2.ip4_encap ==
	       ENL_NDIS_ENCAP_8023, "current config shows LSO on");
	p = linux_offloads(ENL_NDIS_OFFLOAD_PARAMS_SIZE_V4);
	p.tcp_ip_v4_csum = p.udp_ip_v4_csum = ENL_NDIS_OFFLOAD_TX_RX_DISABLED;
	p.tcp_ip_v6_csum = p.udp_ip_v6_csum = ENL_NDIS_OFFLOAD_TX_RX_DISABLED;
	p.lso_v2_ipv4 = p.lso_v2_ipv6 = ENL_NDIS_OFFLOAD_DISABLED;
	tap_ok(g_set(d, ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, 22) == 0,
	       "22-byte (NVSP 4) parameters turning all off");
	enl_net_get_state(d, &st);
	tap_ok(!st.tx_csum_v4 && !st.lso_v6 && st.tun_flags == 0 &&
	       g.offl_calls == 2 && g.tun_flags == 0, "all off, TAP told");
	tap_ok(g_set(d, ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, 21) ==
	       ENL_RNDIS_STATUS_INVALID_LENGTH, "21 bytes: INVALID_LENGTH");
	p = linux_offloads(28);
	p.header.type = 0x81;
	tap_ok(g_set(d, ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p)) ==
	       ENL_RNDIS_STATUS_INVALID_DATA, "wrong object type: INVALID_DATA");
	p = linux_offloads(28);
	p.tcp_ip_v4_csum = 9;
	tap_ok(g_set(d, ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p)) ==
	       ENL_RNDIS_STATUS_INVALID_DATA, "checksum value 9: INVALID_DATA");
	p = linux_offloads(28);
	p.lso_v1 = ENL_NDIS_OFFLOAD_ENABLED;
	tap_ok(g_set(d, ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p)) ==
	       ENL_RNDIS_STATUS_NOT_SUPPORTED, "LSOv1: NOT_SUPPORTED");
	p = linux_offloads(28);
	p.rsc_ip_v4 = p.rsc_ip_v6 = ENL_NDIS_OFFLOAD_ENABLED;
	tap_ok(g_set(d, ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p)) == 0 &&
	       (enl_net_get_state(d, &st), st.rsc_v4 && st.rsc_v6) &&
	       g.tun_flags == (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6),
	       "RSC at NVSP 6.1: on, the TAP may hand over TSO frames");
	p.rsc_ip_v4 = p.rsc_ip_v6 = ENL_NDIS_OFFLOAD_DISABLED;
	tap_ok(g_set(d, ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p)) == 0 &&
	       g.tun_flags == TUN_F_CSUM, "RSC off again: no TSO on the TAP");
	p = linux_offloads(28);
	p.ip_v4_csum = ENL_NDIS_OFFLOAD_TX_RX_ENABLED;
	tap_ok(g_set(d, ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p)) ==
	       ENL_RNDIS_STATUS_NOT_SUPPORTED,
	       "IPv4 header checksum on transmit: NOT_SUPPORTED");

	/* Encapsulation. */
	{
		struct enl_ndis_offload_encap e = {
			.header = { ENL_NDIS_OBJECT_TYPE_OFFLOAD_ENCAP, 1, 28 },
			.ipv4_enabled = ENL_NDIS_OFFLOAD_SET_ON,
			.ipv4_encap_type = ENL_NDIS_ENCAP_8023,
			.ipv4_header_size = 14,
		};
		struct enl_ndis_offload_encap *q = (void *)out;

		tap_ok(g_set(d, ENL_OID_OFFLOAD_ENCAPSULATION, &e, sizeof(e)) == 0 &&
		       g_query(d, ENL_OID_OFFLOAD_ENCAPSULATION, NULL, 0, out,
			       &len) == 0 &&
		       q->ipv4_enabled == ENL_NDIS_OFFLOAD_SET_ON &&
		       q->ipv4_encap_type == ENL_NDIS_ENCAP_8023 &&
		       q->ipv6_enabled == ENL_NDIS_OFFLOAD_SET_OFF,
		       "encapsulation 802.3 for IPv4 set and read back");
		e.ipv6_enabled = ENL_NDIS_OFFLOAD_SET_ON;
		e.ipv6_encap_type = ENL_NDIS_ENCAP_NULL;
		tap_ok(g_set(d, ENL_OID_OFFLOAD_ENCAPSULATION, &e, sizeof(e)) ==
		       ENL_RNDIS_STATUS_NOT_SUPPORTED, "null encapsulation refused");
		tap_ok(g_set(d, ENL_OID_OFFLOAD_ENCAPSULATION, &e, 20) ==
		       ENL_RNDIS_STATUS_INVALID_LENGTH, "short encapsulation");
	}

	/* RSS parameters as Linux sends them (after 3 sub-channels). */
	{
		struct enl_nvsp_message m = { .hdr.msg_type = ENL_NVSP_MSG5_SUBCHANNEL };
		struct enl_nvsp_message r;
		struct enl_ndis_rss_params *rp = (void *)b;
		uint32_t *itab = (uint32_t *)(rp + 1);
		uint8_t *key;

		m.msg.subchannel.op = ENL_NVSP_SUBCHANNEL_ALLOCATE;
		m.msg.subchannel.num_subchannels = 3;
		g.sub_offer = 3;
		g_nvsp(d, &m, &r);
		memset(b, 0, sizeof(b));
		rp->header.type = ENL_NDIS_OBJECT_TYPE_RSS_PARAMETERS;
		rp->header.revision = 2;
		rp->header.size = sizeof(*rp);
		rp->hashinfo = ENL_NDIS_HASH_FUNC_TOEPLITZ | ENL_NDIS_HASH_IPV4 |
			       ENL_NDIS_HASH_TCP_IPV4 | ENL_NDIS_HASH_IPV6 |
			       ENL_NDIS_HASH_TCP_IPV6;
		rp->indirect_tabsize = 4 * 128;
		rp->indirect_taboffset = sizeof(*rp);
		rp->hashkey_size = 40;
		rp->hashkey_offset = sizeof(*rp) + 512;
		for (int i = 0; i < 128; i++)
			itab[i] = (uint32_t)i % 4;
		key = b + rp->hashkey_offset;
		for (int i = 0; i < 40; i++)
			key[i] = (uint8_t)(i * 7 + 1);
		len = sizeof(*rp) + 512 + 40;
		tap_ok(g_set(d, ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, len) == 0,
		       "RSS parameters accepted");
		enl_net_get_state(d, &st);
		tap_ok(st.rss_enabled && st.rss_itab_size == 128 &&
		       !memcmp(st.rss_key, key, 40) &&
		       enl_net_rss_queue(d, 130) == 2,
		       "RSS on: table, key and queue lookup");
		itab[5] = 4;
		tap_ok(g_set(d, ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, len) ==
		       ENL_RNDIS_STATUS_INVALID_DATA,
		       "table entry beyond the channels: INVALID_DATA");
		itab[5] = 1;
		rp->hashkey_size = 41;
		tap_ok(g_set(d, ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, len) ==
		       ENL_RNDIS_STATUS_INVALID_LENGTH, "41-byte key: INVALID_LENGTH");
		rp->hashkey_size = 40;
		rp->indirect_taboffset = 0xfffffff0u;
		tap_ok(g_set(d, ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, len) ==
		       ENL_RNDIS_STATUS_INVALID_LENGTH,
		       "table offset wrapping around: INVALID_LENGTH");
		rp->indirect_taboffset = sizeof(*rp);
		rp->indirect_tabsize = 4 * 257;
		tap_ok(g_set(d, ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, 2000) ==
		       ENL_RNDIS_STATUS_INVALID_LENGTH, "257 entries: INVALID_LENGTH");
		rp->indirect_tabsize = 4 * 128;
		rp->hashinfo = 2;
		tap_ok(g_set(d, ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, len) ==
		       ENL_RNDIS_STATUS_NOT_SUPPORTED, "non-Toeplitz: NOT_SUPPORTED");
		tap_ok(g_set(d, ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, 39) ==
		       ENL_RNDIS_STATUS_INVALID_LENGTH, "39 bytes: INVALID_LENGTH");
		rp->flag = ENL_NDIS_RSS_FLAG_DISABLE_RSS;
		tap_ok(g_set(d, ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, len) == 0 &&
		       (enl_net_get_state(d, &st), !st.rss_enabled) &&
		       enl_net_rss_queue(d, 130) == 0, "RSS disabled");
	}

	/* NetworkAddress, as Linux sets a MAC. */
	{
		struct enl_rndis_config_param *cp = (void *)b;
		const uint8_t mac[6] = { 0x02, 0xab, 0xcd, 0xef, 0x01, 0x23 };

		memset(b, 0, sizeof(b));
		cp->name_offset = sizeof(*cp);
		cp->name_length = 28;
		cp->type = ENL_RNDIS_CONFIG_PARAM_STRING;
		cp->value_offset = sizeof(*cp) + 28;
		cp->value_length = 24;
		put_utf16(b + cp->name_offset, "NetworkAddress");
		put_utf16(b + cp->value_offset, "02abcdef0123");
		len = sizeof(*cp) + 28 + 24;
		tap_ok(g_set(d, ENL_OID_GEN_RNDIS_CONFIG_PARAMETER, b, len) == 0 &&
		       g_query(d, ENL_OID_802_3_CURRENT_ADDRESS, NULL, 0, out,
			       &len) == 0 && !memcmp(out, mac, 6) &&
		       g_query(d, ENL_OID_802_3_PERMANENT_ADDRESS, NULL, 0, out,
			       &len) == 0 && !memcmp(out, g_cfg.mac, 6),
		       "NetworkAddress changes the current MAC only");
		len = sizeof(*cp) + 28 + 24;
		put_utf16(b + cp->value_offset, "03abcdef0123");
		tap_ok(g_set(d, ENL_OID_GEN_RNDIS_CONFIG_PARAMETER, b, len) ==
		       ENL_RNDIS_STATUS_INVALID_DATA, "group address refused");
		put_utf16(b + cp->value_offset, "02abcdefg123");
		tap_ok(g_set(d, ENL_OID_GEN_RNDIS_CONFIG_PARAMETER, b, len) ==
		       ENL_RNDIS_STATUS_INVALID_DATA, "non-hex digit refused");
		cp->value_offset = 0x7ffffff0;
		tap_ok(g_set(d, ENL_OID_GEN_RNDIS_CONFIG_PARAMETER, b, len) ==
		       ENL_RNDIS_STATUS_INVALID_LENGTH, "value outside: INVALID_LENGTH");
		cp->value_offset = sizeof(*cp) + 28;
		put_utf16(b + cp->name_offset, "NetworkAddresz");
		tap_ok(g_set(d, ENL_OID_GEN_RNDIS_CONFIG_PARAMETER, b, len) ==
		       ENL_RNDIS_STATUS_NOT_SUPPORTED, "other parameter: NOT_SUPPORTED");
	}
	v = 1;
	tap_ok(g_set(d, ENL_OID_GEN_LINK_SPEED, &v, 4) ==
	       ENL_RNDIS_STATUS_NOT_SUPPORTED, "set of a query-only OID");
	tap_ok(g_set(d, 0x12345678, &v, 4) == ENL_RNDIS_STATUS_NOT_SUPPORTED,
	       "set of an unknown OID");
	enl_net_free(d);
}

static void test_indications(void)
{
	struct enl_net_dev *d = g_up(0);
	const uint8_t *r;
	uint32_t len;

	g.nxfers = 0;
	enl_net_set_link(d, false);
	tap_ok((r = g_last_msg(0, &len)) && len == 20 &&
	       get_le32(r) == ENL_RNDIS_MSG_INDICATE &&
	       get_le32(r + 8) == ENL_RNDIS_STATUS_MEDIA_DISCONNECT &&
	       g.xfers[0].msg.msg.rndis.channel_type == ENL_NVSP_CHANNEL_CONTROL,
	       "link down: MEDIA_DISCONNECT indicated");
	g_complete_all(d);
	enl_net_set_link(d, false);
	tap_ok(g.nxfers == 0, "no change, no indication");
	enl_net_set_link(d, true);
	tap_ok((r = g_last_msg(0, &len)) &&
	       get_le32(r + 8) == ENL_RNDIS_STATUS_MEDIA_CONNECT,
	       "link up: MEDIA_CONNECT");
	g_complete_all(d);
	enl_net_set_speed(d, 25000000000ull);
	tap_ok((r = g_last_msg(0, &len)) && len == 24 &&
	       get_le32(r + 8) == ENL_RNDIS_STATUS_LINK_SPEED_CHANGE &&
	       get_le32(r + 12) == 4 && get_le32(r + 16) == 12 &&
	       get_le32(r + 20) == 250000000u,
	       "speed change to 25 Gbit/s indicated (teaming guest)");
	g_complete_all(d);
	enl_net_free(d);

	/* A guest without the teaming capability learns speed by query. */
	d = g_up(ENL_NVSP_VERSION_4);
	g.nxfers = 0;
	enl_net_set_speed(d, 1000000000ull);
	tap_ok(g.nxfers == 0, "NVSP 4 guest: no speed indication");
	enl_net_free(d);
}

int main(void)
{
	g_setup();
	test_negotiation();
	test_buffers();
	test_subchannels();
	test_rndis_basic();
	test_queries();
	test_sets();
	test_indications();
	g_teardown();
	return tap_done();
}
