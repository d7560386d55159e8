// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the host's network engine (host/vsp/net) fed what a
 * guest controls: NVSP messages, RNDIS messages in send-buffer sections
 * and in GPA ranges (control and data, batched), transfer completions,
 * and frames from the backend.
 *
 * Input: setup byte s (bit 0: bring the device up as Linux's netvsc does,
 * bit 1: offloads on, bit 2: RSS on, bit 3: RSC on), then records (fuzz.h):
 *   op 0  an NVSP message of the record's bytes
 *   op 1  RNDIS in send section a, section_size off (fuzz_raw: op 0x10)
 *   op 2  RNDIS as GPA ranges of (a % 64 + 1) bytes each
 *   op 3  a = 0..127: complete transfer number a (op 0x04: twice);
 *         a >= 128: a backend frame, the first 12 bytes its vnet header,
 *         put in one batch 1 + (op >> 2 & 3) times (fuzz_raw: op 0x10)
 * Invariants: every byte the engine hands the backend or the guest lies
 * inside memory it was given (ASan checks the copies); receive sections
 * are never lost or freed twice: when every transfer is completed, every
 * section is free.
 */
#include "fuzz.h"

#include "net_dev.h"

#define RECV_SIZE	(256u << 10)
#define SEND_SIZE	(64u << 10)
#define PIECE		4096u
#define SEC		6144u
#define MAX_XFERS	512

static uint8_t *recvmem, *sendmem;
static struct iovec recv_iov[RECV_SIZE / PIECE], send_iov[SEND_SIZE / PIECE];
static uint64_t tids[MAX_XFERS];
static unsigned int ntids, ranges_out;
static uint8_t sink[70000], big[70000];
static struct enl_net_dev *dev;

static int f_map(void *ctx, uint32_t gpadl, struct enl_net_view *v)
{
	(void)ctx;
	if (gpadl == 1) {
		v->iov = recv_iov;
		v->iovcnt = RECV_SIZE / PIECE;
		return 0;
	}
	if (gpadl == 2) {
		v->iov = send_iov;
		v->iovcnt = SEND_SIZE / PIECE;
		return 0;
	}
	return -ENOENT;
}

static void f_unmap(void *ctx, uint32_t gpadl)
{
	(void)ctx;
	(void)gpadl;
}

static uint32_t f_sub(void *ctx, uint32_t n)
{
	(void)ctx;
	return n / 2;
}

static int f_tx(void *ctx, unsigned int q, const struct virtio_net_hdr_v1 *vh,
		const struct iovec *iov, unsigned int cnt)
{
	size_t len = 0;

	(void)ctx;
	(void)q;
	for (unsigned int i = 0; i < cnt; i++) {
		FUZZ_ASSERT(len + iov[i].iov_len <= sizeof(sink));
		memcpy(sink + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	FUZZ_ASSERT(len >= 14);
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		FUZZ_ASSERT((size_t)vh->csum_start + vh->csum_offset + 2 <= len);
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		FUZZ_ASSERT(vh->gso_size && vh->hdr_len <= len);
	return 0;
}

static int f_xfer(void *ctx, const struct enl_net_xfer *x)
{
	(void)ctx;
	FUZZ_ASSERT(x->nranges && x->nranges <= ENL_NET_XFER_MAX_RANGES);
	for (uint32_t i = 0; i < x->nranges; i++) {
		FUZZ_ASSERT(x->ranges[i].byte_offset <= RECV_SIZE &&
			    x->ranges[i].byte_count <= RECV_SIZE -
			    x->ranges[i].byte_offset);
		memcpy(sink, recvmem + x->ranges[i].byte_offset,
		       x->ranges[i].byte_count);
	}
	if (ntids == MAX_XFERS)
		return -ENOSPC;
	tids[ntids++] = x->tid;
	ranges_out += x->nranges;
	return 0;
}

static const struct enl_net_ops ops = {
	.map_buffer = f_map, .unmap_buffer = f_unmap,
	.open_subchannels = f_sub, .tx_frame = f_tx, .send_xfer = f_xfer,
};

static const struct enl_net_cfg cfg = {
	.mac = { 0x00, 0x15, 0x5d, 1, 2, 3 }, .max_mtu = 9000,
	.link_speed_bps = 10000000000ull, .max_queues = 8,
	.send_section_size = SEC, .link_up = true,
};

static void nvsp(const void *m, size_t len)
{
	struct enl_nvsp_message r;

	enl_net_nvsp(dev, 0, m, len, NULL, &r);
}

static void rndis_section(uint32_t sec, uint32_t size, const void *p, size_t len)
{
	struct enl_nvsp_message m = { .hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT };
	size_t at = (size_t)(sec % (SEND_SIZE / SEC)) * SEC;

	memcpy(sendmem + at, p, len < SEC ? len : SEC);
	m.msg.rndis.section_index = sec;
	m.msg.rndis.section_size = size;
	nvsp(&m, sizeof(m));
}

static uint32_t cur_piece = 1;

static void rndis_gpa(const void *p, size_t len)
{
	struct enl_nvsp_message m = { .hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT };
	struct enl_nvsp_message r;
	struct iovec iov[64];
	struct enl_net_view v = { iov, 0 };

	for (size_t o = 0; o < len && v.iovcnt < 64; o += cur_piece) {
		iov[v.iovcnt].iov_base = (uint8_t *)p + o;
		iov[v.iovcnt++].iov_len = len - o < cur_piece ? len - o : cur_piece;
	}
	m.msg.rndis.section_index = ENL_NVSP_NO_SECTION;
	enl_net_nvsp(dev, 0, &m, sizeof(m), &v, &r);
}

static uint32_t last_sec;

static void deliver_section(const void *p, size_t len)
{
	rndis_section(last_sec, (uint32_t)len, p, len);
}

static void deliver_gpa(const void *p, size_t len)
{
	rndis_gpa(p, len);
}

static unsigned int frame_queue, frame_reps;

/* A backend frame: its first 12 bytes are the virtio-net header. */
static void deliver_frame(const void *p, size_t len)
{
	struct virtio_net_hdr_v1 vh;
	struct enl_net_xfer x;
	struct iovec iov;

	if (len < sizeof(vh))
		return;
	memcpy(&vh, p, sizeof(vh));
	iov.iov_base = (uint8_t *)p + sizeof(vh);
	iov.iov_len = len - sizeof(vh);
	enl_net_xfer_begin(dev, frame_queue, &x);
	for (unsigned int i = 0; i <= frame_reps; i++)
		if (enl_net_xfer_frame(dev, &x, &vh, &iov, 1))
			break;
	enl_net_xfer_send(dev, &x);
}

static void set_oid(uint32_t oid, const void *info, uint32_t ilen)
{
	uint8_t b[1024];
	struct enl_rndis_hdr *h = (void *)b;
	struct enl_rndis_set_request *s = (void *)(h + 1);

	memset(b, 0, sizeof(*h) + sizeof(*s));
	h->type = ENL_RNDIS_MSG_SET;
	h->len = (uint32_t)(sizeof(*h) + sizeof(*s) + ilen);
	s->oid = oid;
	s->info_buflen = ilen;
	s->info_buf_offset = sizeof(*s);
	memcpy(s + 1, info, ilen);
	rndis_section(0, h->len, b, h->len);
}

static void bring_up(uint8_t s)
{
	struct enl_nvsp_message m;
	struct {
		struct enl_rndis_hdr h;
		struct enl_rndis_init_request q;
	} ENL_PACKED init = { { ENL_RNDIS_MSG_INIT, sizeof(init) },
			      { 1, 1, 0, 0x4000 } };
	uint32_t f = ENL_NDIS_PACKET_TYPE_DIRECTED | ENL_NDIS_PACKET_TYPE_BROADCAST |
		     ENL_NDIS_PACKET_TYPE_ALL_MULTICAST;

	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG_INIT;
	m.msg.init.min_version = m.msg.init.max_version = ENL_NVSP_VERSION_61;
	nvsp(&m, sizeof(m));
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG2_SEND_NDIS_CONFIG;
	m.msg.ndis_config.mtu = 1514;
	m.msg.ndis_config.capability = ENL_NVSP_CAP_TEAMING;
	nvsp(&m, sizeof(m));
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RECV_BUF;
	m.msg.buffer.gpadl_handle = 1;
	m.msg.buffer.id = ENL_NVSP_RECV_BUFFER_ID;
	nvsp(&m, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_SEND_BUF;
	m.msg.buffer.gpadl_handle = 2;
	m.msg.buffer.id = 0;
	nvsp(&m, sizeof(m));
	rndis_section(0, sizeof(init), &init, sizeof(init));
	set_oid(ENL_OID_GEN_CURRENT_PACKET_FILTER, &f, 4);
	if (s & 10) {
		struct enl_ndis_offload_params p = {
			.header = { ENL_NDIS_OBJECT_TYPE_DEFAULT, 3, 28 },
			.tcp_ip_v4_csum = 4, .udp_ip_v4_csum = 4,
			.tcp_ip_v6_csum = 4, .udp_ip_v6_csum = 4,
			.lso_v2_ipv4 = 2, .lso_v2_ipv6 = 2,
			.rsc_ip_v4 = s & 8 ? 2 : 0, .rsc_ip_v6 = s & 8 ? 2 : 0,
		};

		set_oid(ENL_OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p));
	}
	if (s & 4) {
		struct enl_ndis_rss_params p = {
			.header = { ENL_NDIS_OBJECT_TYPE_RSS_PARAMETERS, 2, 40 },
			.flag = ENL_NDIS_RSS_FLAG_ITABLE_UNCHANGED |
				ENL_NDIS_RSS_FLAG_HASH_KEY_UNCHANGED,
			.hashinfo = 0x3f01,
		};

		set_oid(ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS, &p, sizeof(p));
	}
}

static void complete_all(void)
{
	struct enl_nvsp_message c = {
		.hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE,
		.msg.rndis_complete.status = ENL_NVSP_STAT_SUCCESS,
	};

	for (unsigned int i = 0; i < ntids; i++)
		enl_net_recv_complete(dev, tids[i], &c, 8);
	ntids = 0;
}

static void setup_memory(void)
{
	if (recvmem)
		return;
	recvmem = calloc(1, RECV_SIZE);
	sendmem = calloc(1, SEND_SIZE);
	if (!recvmem || !sendmem)
		abort();
	for (unsigned int i = 0; i < RECV_SIZE / PIECE; i++)
		recv_iov[i] = (struct iovec){ recvmem + i * PIECE, PIECE };
	for (unsigned int i = 0; i < SEND_SIZE / PIECE; i++)
		send_iov[i] = (struct iovec){ sendmem + i * PIECE, PIECE };
}

static void seeds(const char *dir, GByteArray *s)
{
	uint8_t pkt[8 + 36 + 16 + 60];
	struct enl_rndis_hdr *h = (void *)pkt;
	struct enl_rndis_packet *p = (void *)(h + 1);
	struct enl_rndis_ppi *e = (void *)(p + 1);
	uint32_t lso = ENL_LSO_TYPE_V2 | 34u << ENL_LSO_L4_OFFSET_SHIFT | 1000;
	struct {
		struct enl_rndis_hdr h;
		struct enl_rndis_query_request q;
	} ENL_PACKED q = { { ENL_RNDIS_MSG_QUERY, sizeof(q) },
			   { 7, ENL_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, 0, 0, 0 } };
	struct enl_nvsp_message sub = { .hdr.msg_type = ENL_NVSP_MSG5_SUBCHANNEL,
					.msg.subchannel = { 1, 3 } };
	uint8_t frame[12 + 60] = { 0 };

	memset(pkt, 0, sizeof(pkt));
	h->type = ENL_RNDIS_MSG_PACKET;
	h->len = sizeof(pkt);
	p->data_offset = 36 + 16;
	p->data_len = 60;
	p->ppi_offset = 36;
	p->ppi_len = 16;
	*e = (struct enl_rndis_ppi){ 16, ENL_PPI_TCP_LARGESEND, 12 };
	memcpy(e + 1, &lso, 4);
	memcpy(pkt + 8 + 52, cfg.mac, 6);

	g_byte_array_append(s, (const uint8_t *)"\x07", 1);
	seed_rec(s, 1, 1, sizeof(pkt), pkt, sizeof(pkt));
	seed_rec(s, 2, 15, 0, pkt, sizeof(pkt));
	seed_rec(s, 1, 0, sizeof(q), &q, sizeof(q));
	seed_rec(s, 0, 0, 0, &sub, sizeof(sub));
	memcpy(frame + 12, cfg.mac, 6);
	seed_rec(s, 3, 200, 0, frame, sizeof(frame));
	seed_rec(s, 3, 0, 0, NULL, 0);
	seed_write(dir, "up-lso-query-frame", s);

	/* RSC: a TCP/IPv4 GSO frame from the backend, repeated long. */
	{
		uint8_t g[12 + 54] = { 0 };
		struct virtio_net_hdr_v1 vh = {
			.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1448,
			.hdr_len = 54, .csum_start = 34, .csum_offset = 16,
		};

		memcpy(g, &vh, sizeof(vh));
		memcpy(g + 12, cfg.mac, 6);
		g[12 + 12] = 0x08;
		g[12 + 14] = 0x45;
		g[12 + 23] = 6;
		g[12 + 46] = 0x50;
		g_byte_array_append(s, (const uint8_t *)"\x0b", 1);
		seed_rec(s, 3 | 0x10, 130, 20000, g, sizeof(g));
		seed_rec(s, 3, 0, 0, NULL, 0);
		seed_write(dir, "rsc", s);
	}

	/* Every OID queried, then each settable one set, on an up device. */
	{
		static const uint32_t oids[] = {
			ENL_OID_GEN_SUPPORTED_LIST, ENL_OID_GEN_HARDWARE_STATUS,
			ENL_OID_GEN_MEDIA_SUPPORTED, ENL_OID_GEN_MAXIMUM_FRAME_SIZE,
			ENL_OID_GEN_LINK_SPEED, ENL_OID_GEN_CURRENT_PACKET_FILTER,
			ENL_OID_GEN_MAXIMUM_TOTAL_SIZE,
			ENL_OID_GEN_MEDIA_CONNECT_STATUS,
			ENL_OID_GEN_RECEIVE_SCALE_CAPABILITIES,
			ENL_OID_802_3_PERMANENT_ADDRESS,
			ENL_OID_802_3_CURRENT_ADDRESS, ENL_OID_OFFLOAD_ENCAPSULATION,
			ENL_OID_TCP_OFFLOAD_CURRENT_CONFIG,
			ENL_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
			ENL_OID_GEN_FRIENDLY_NAME,
		};
		uint8_t b[8 + 20 + 200];
		struct enl_rndis_hdr *h = (void *)b;
		struct enl_rndis_set_request *q = (void *)(h + 1);
		uint8_t *info = (uint8_t *)(q + 1);
		uint32_t v = ENL_NDIS_PACKET_TYPE_PROMISCUOUS;
		struct enl_ndis_offload_params op = {
			.header = { ENL_NDIS_OBJECT_TYPE_DEFAULT, 3, 28 },
			.tcp_ip_v4_csum = 4, .rsc_ip_v4 = 2, .lso_v2_ipv6 = 1,
		};
		struct enl_ndis_offload_encap en = {
			.header = { ENL_NDIS_OBJECT_TYPE_OFFLOAD_ENCAP, 1, 28 },
			.ipv4_enabled = 1, .ipv4_encap_type = ENL_NDIS_ENCAP_8023,
		};
		struct enl_ndis_rss_params rp = {
			.header = { ENL_NDIS_OBJECT_TYPE_RSS_PARAMETERS, 2, 40 },
			.hashinfo = 0x3f01, .indirect_tabsize = 16,
			.indirect_taboffset = 40, .hashkey_size = 40,
			.hashkey_offset = 56,
		};
		struct enl_rndis_config_param cp = {
			.name_offset = 20, .name_length = 28,
			.type = ENL_RNDIS_CONFIG_PARAM_STRING,
			.value_offset = 48, .value_length = 24,
		};
		static const char *const nm = "NetworkAddress", *const mv = "02aabbccddee";

		g_byte_array_append(s, (const uint8_t *)"\x07", 1);
		for (size_t i = 0; i < sizeof(oids) / sizeof(oids[0]); i++) {
			memset(b, 0, sizeof(b));
			h->type = ENL_RNDIS_MSG_QUERY;
			h->len = 28;
			q->req_id = (uint32_t)i;
			q->oid = oids[i];
			seed_rec(s, 1, 0, 28, b, 28);
		}
#define SEED_SET(oid_, p_, n_) do {					\
			memset(b, 0, sizeof(b));				\
			h->type = ENL_RNDIS_MSG_SET;				\
			h->len = 28 + (n_);					\
			q->oid = (oid_);					\
			q->info_buflen = (n_);					\
			q->info_buf_offset = 20;				\
			memcpy(info, (p_), (n_));				\
			seed_rec(s, 1, 0, (uint16_t)h->len, b, h->len);		\
		} while (0)
		SEED_SET(ENL_OID_GEN_CURRENT_PACKET_FILTER, &v, 4);
		SEED_SET(ENL_OID_TCP_OFFLOAD_PARAMETERS, &op, sizeof(op));
		SEED_SET(ENL_OID_OFFLOAD_ENCAPSULATION, &en, sizeof(en));
		{
			uint8_t r[40 + 16 + 40] = { 0 };

			memcpy(r, &rp, sizeof(rp));
			for (int i = 0; i < 40; i++)
				r[56 + i] = (uint8_t)i;
			SEED_SET(ENL_OID_GEN_RECEIVE_SCALE_PARAMETERS, r, sizeof(r));
		}
		{
			uint8_t c[20 + 28 + 24] = { 0 };

			memcpy(c, &cp, sizeof(cp));
			for (int i = 0; i < 14; i++)
				c[20 + 2 * i] = (uint8_t)nm[i];
			for (int i = 0; i < 12; i++)
				c[48 + 2 * i] = (uint8_t)mv[i];
			SEED_SET(ENL_OID_GEN_RNDIS_CONFIG_PARAMETER, c, sizeof(c));
		}
#undef SEED_SET
		for (uint32_t t = ENL_RNDIS_MSG_HALT; t <= ENL_RNDIS_MSG_KEEPALIVE; t++) {
			memset(b, 0, sizeof(b));
			h->type = t;
			h->len = 12;
			seed_rec(s, 1, 0, 12, b, 12);
		}
		seed_write(dir, "control", s);
	}

	g_byte_array_append(s, (const uint8_t *)"\x00", 1);
	seed_rec(s, 0, 0, 0, &sub, sizeof(sub));
	seed_rec(s, 1, 0, sizeof(q), &q, sizeof(q));
	seed_write(dir, "raw", s);
}

FUZZ_INITIALIZE_WITH_SEEDS(seeds)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec r;
	uint8_t s;

	if (!size)
		return 0;
	setup_memory();
	s = data[0];
	data++;
	size--;
	ntids = 0;
	ranges_out = 0;
	dev = enl_net_new(&cfg, &ops, NULL);
	FUZZ_ASSERT(dev);
	if (s & 1)
		bring_up(s);
	complete_all();

	while (rec_next(&data, &size, &r)) {
		switch (r.op & 3) {
		case 0:
			nvsp(r.p, r.len);
			break;
		case 1:
			last_sec = r.a;
			if (r.op & 0x10)
				fuzz_raw(&r, big, sizeof(big), deliver_section);
			else
				rndis_section(r.a, r.off, r.p, r.len);
			break;
		case 2:
			cur_piece = r.a % 64 + 1;
			fuzz_raw(&r, big, sizeof(big), deliver_gpa);
			break;
		default:
			if (r.a < 128) {
				if (r.a < ntids) {
					enl_net_recv_complete(dev, tids[r.a], r.p, r.len);
					if (r.op & 0x04)
						enl_net_recv_complete(dev, tids[r.a],
								      r.p, r.len);
				} else {
					uint64_t t = 0;

					memcpy(&t, r.p, r.len < 8 ? r.len : 8);
					enl_net_recv_complete(dev, t, NULL, 0);
				}
			} else {
				frame_queue = r.a & 7;
				frame_reps = r.op >> 2 & 3;
				fuzz_raw(&r, big, sizeof(big), deliver_frame);
			}
			break;
		}
	}
	/*
	 * Sections are never lost: completing what the guest holds frees
	 * everything (a transfer completed early above was dropped from
	 * nothing, so complete_all may repeat ids: counted, harmless).
	 */
	complete_all();
	{
		struct enl_net_state st;

		enl_net_get_state(dev, &st);
		FUZZ_ASSERT(enl_net_free_sections(dev) == st.recv_sections);
	}
	enl_net_free(dev);
	dev = NULL;
	return 0;
}
