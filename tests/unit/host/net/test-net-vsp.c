// SPDX-License-Identifier: GPL-2.0-only
/*
 * The network VSP on a real VMBus server over a fake SynIC, with the test
 * playing Linux's netvsc, and a real multi-queue TAP in a network
 * namespace of the test's own (needs root): `--nic` offers the NIC; NVSP
 * setup with the receive and send buffers as GPADLs; RNDIS INITIALIZE
 * answered in a transfer-page packet; a frame from guest pages (GPA
 * direct) out of the TAP; a frame into the TAP up to the guest in the
 * receive buffer, completed through the in-flight table; `ctl nic` list,
 * link down (an indication), stats, every fault kind; GPA ranges outside
 * guest RAM and stale completions counted; a sub-channel with the send
 * indirection table after it opens; hot add and remove (offer, rescind).
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <linux/if_ether.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <enlighten/guids.h>
#include <enlighten/nvsp.h>
#include <enlighten/rndis.h>

#include "ctl.h"
#include "json_check.h"
#include "net_glue.h"
#include "server.h"
#include "server_priv.h"
#include "tap.h"
#include "test-vmbus-guest.h"
#include "vsp.h"

#define RAM		(32u << 20)
#define PG		4096u
#define C4		ENL_VMBUS_MESSAGE_CONNECTION_ID_4
#define RECV_PFN	0x1000u		/* 2 MiB receive buffer */
#define RECV_PAGES	512u
#define SEND_PFN	0x1200u		/* 1 MiB send buffer */
#define SEND_PAGES	256u
#define DATA_PFN	0x1800u		/* a frame sent GPA-direct */
#define RECV_GPADL	0xb1
#define SEND_GPADL	0xb2
#define IFNAME		"enlvsp0"

static struct enl_hv *hv;
static struct enl_vmbus_server *srv;
static struct enl_ctl *ctl;
static struct guest_chan nic_gc = {
	.gpadl = 0xa1, .out_pfn = 0x100, .out_pages = 8,
	.in_pfn = 0x120, .in_pages = 8,
};
static struct guest_chan *gc = &nic_gc;
static uint64_t next_id = 1;
/* The guest writes several packets, then signals once (test_ping). */
static bool hold_signal;
static const uint8_t our_mac[6] = { 0x00, 0x15, 0x5d, 0x77, 0x00, 0x01 };

static uint8_t *gpa(uint64_t pfn)
{
	return hv->mem.base + pfn * PG;
}

/* ---- The guest's side ---- */

static void kick_host(void)
{
	if (!hold_signal)
		fake_guest_signal(hv, gc->conn_id);
}

static void send_nvsp(const struct enl_nvsp_message *m, uint32_t len,
		      uint64_t id, bool completion)
{
	struct enl_ring_iov iov = { m, len };
	bool sig;

	if (enl_ring_write(&gc->out, ENL_VMPKT_DATA_INBAND,
			   completion ? ENL_VMPKT_FLAG_COMPLETION_REQUESTED : 0,
			   id, &iov, 1, &sig))
		tap_diag("guest ring full");
	kick_host();
}

/* SEND_RNDIS_PKT over one GPA range of len bytes at pfn. */
static void send_gpa(uint64_t pfn, uint32_t len, uint32_t ctype, uint64_t id)
{
	uint8_t hdr[sizeof(struct enl_vmdata_gpa_direct) + 8 + 8 * 4];
	struct enl_vmdata_gpa_direct *d = (void *)hdr;
	struct enl_gpa_range r = { len, 0 };
	struct enl_nvsp_message m = { .hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT };
	uint32_t npfn = (len + PG - 1) / PG, hlen;
	struct enl_ring_iov iov[2];

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr + sizeof(*d), &r, sizeof(r));
	for (uint32_t i = 0; i < npfn && i < 4; i++) {
		uint64_t f = pfn + i;

		memcpy(hdr + sizeof(*d) + 8 + 8 * i, &f, 8);
	}
	hlen = sizeof(*d) + 8 + 8 * npfn;
	d->d.type = ENL_VMPKT_DATA_USING_GPA_DIRECT;
	d->d.flags = ENL_VMPKT_FLAG_COMPLETION_REQUESTED;
	d->d.offset8 = (uint16_t)(hlen / 8);
	d->d.trans_id = id;
	d->range_cnt = 1;
	m.msg.rndis.channel_type = ctype;
	m.msg.rndis.section_index = ENL_NVSP_NO_SECTION;
	iov[0] = (struct enl_ring_iov){ hdr, hlen };
	iov[1] = (struct enl_ring_iov){ &m, sizeof(m) };
	if (enl_ring_write_raw(&gc->out, iov, 2, &(bool){ 0 }))
		tap_diag("guest ring full");
	kick_host();
}

/* A frame of len bytes in an RNDIS data message at DATA_PFN, GPA-direct. */
static void send_frame(const uint8_t *f, uint32_t len, uint64_t id)
{
	struct enl_rndis_hdr *h = (void *)gpa(DATA_PFN);
	struct enl_rndis_packet *p = (void *)(h + 1);
	uint32_t total = sizeof(*h) + sizeof(*p) + len;

	memset(h, 0, total);
	h->type = ENL_RNDIS_MSG_PACKET;
	h->len = total;
	p->data_offset = sizeof(*p);
	p->data_len = len;
	memcpy(p + 1, f, len);
	send_gpa(DATA_PFN, total, ENL_NVSP_CHANNEL_DATA, id);
}

/* A host packet: the descriptor and what follows, in buf. */
static bool recv_pkt(uint8_t *buf, uint32_t cap, struct enl_ring_pkt *rp,
		     int wait_ms)
{
	for (int i = 0; i < wait_ms; i++) {
		int ret = enl_ring_read(&gc->in, buf, cap, rp);

		if (ret > 0) {
			if (enl_ring_read_commit(&gc->in))
				kick_host();
			return true;
		}
		g_usleep(1000);
	}
	return false;
}

/* The next completion (of id) with its NVSP message in *m. */
static bool recv_comp(uint64_t id, struct enl_nvsp_message *m)
{
	uint8_t buf[4096];
	struct enl_ring_pkt rp;

	if (!recv_pkt(buf, sizeof(buf), &rp, 3000))
		return false;
	memset(m, 0, sizeof(*m));
	memcpy(m, buf + rp.hdr_len, MIN(sizeof(*m), rp.len - rp.hdr_len));
	if (rp.type != ENL_VMPKT_COMP || rp.trans_id != id) {
		tap_diag("got type %u id %llu, want a completion of %llu",
			 rp.type, (unsigned long long)rp.trans_id,
			 (unsigned long long)id);
		return false;
	}
	return true;
}

/* One NVSP request answered by a completion; its message in *r. */
static bool request(struct enl_nvsp_message *m, struct enl_nvsp_message *r)
{
	uint64_t id = next_id++;

	send_nvsp(m, sizeof(*m), id, true);
	return recv_comp(id, r);
}

/* The guest completes a transfer-page packet. */
static void complete_xfer(uint64_t tid)
{
	struct enl_nvsp_message c = {
		.hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE,
		.msg.rndis_complete.status = ENL_NVSP_STAT_SUCCESS,
	};
	struct enl_ring_iov iov = { &c, sizeof(c) };
	bool sig;

	enl_ring_write(&gc->out, ENL_VMPKT_COMP, 0, tid, &iov, 1, &sig);
	kick_host();
}

/*
 * The next transfer-page packet: its first range's bytes in *msg (from
 * the receive buffer), the range count; completed unless keep. 0 if none.
 */
static uint32_t recv_xfer(uint8_t *msg, uint32_t cap, uint32_t *len,
			  uint64_t *tid, bool keep, int wait_ms)
{
	uint8_t buf[4096];
	struct enl_ring_pkt rp;
	struct enl_vmtransfer_page_packet_header h;
	struct enl_vmtransfer_page_range r;

	if (!recv_pkt(buf, sizeof(buf), &rp, wait_ms))
		return 0;
	if (rp.type != ENL_VMPKT_DATA_USING_XFER_PAGES) {
		tap_diag("packet type %u, not a transfer", rp.type);
		return 0;
	}
	memcpy(&h, buf, sizeof(h));
	memcpy(&r, buf + sizeof(h), sizeof(r));
	*len = 0;
	if (h.xfer_pageset_id == ENL_NVSP_RECV_BUFFER_ID &&
	    r.byte_offset + (uint64_t)r.byte_count <= RECV_PAGES * PG) {
		*len = r.byte_count;
		memcpy(msg, gpa(RECV_PFN) + r.byte_offset, MIN(cap, r.byte_count));
	}
	if (tid)
		*tid = rp.trans_id;
	if (!keep)
		complete_xfer(rp.trans_id);
	return h.range_cnt;
}

static uint64_t counter(const char *name)
{
	g_autofree char *key = g_strdup_printf("%s=", name);
	char *out = NULL, *at;
	uint64_t v = ~0ull;

	if (!fake_ctl_run(ctl, "nic stats", &out) && out &&
	    (at = strstr(out, key)) && (at == out || at[-1] == '\n'))
		v = g_ascii_strtoull(at + strlen(key), NULL, 10);
	g_free(out);
	return v;
}

static bool open_chan(void)
{
	guest_chan_setup(hv, C4, gc);
	return !guest_gpadl_created(hv, gc->gpadl) &&
	       guest_chan_open(hv, C4, gc, 1);
}

static bool make_gpadl(uint32_t handle, uint32_t pfn, uint32_t pages)
{
	uint64_t *pfns = g_new(uint64_t, pages);
	struct fake_msg *m;
	bool ok;

	for (uint32_t i = 0; i < pages; i++)
		pfns[i] = pfn + i;
	guest_gpadl(hv, C4, gc->relid, handle, pfns, pages);
	g_free(pfns);
	m = expect_msg(hv, ENL_CHANNELMSG_GPADL_CREATED);
	ok = m != NULL;
	g_free(m);
	return ok;
}

/* ---- The host's side of the TAP ---- */

static int if_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0), ret;

	g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
	ret = ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!ret)
		ret = ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return ret;
}

static int packet_socket(const char *name)
{
	struct sockaddr_ll a = { .sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_ALL) };
	struct timeval tv = { 2, 0 };
	int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	a.sll_ifindex = (int)if_nametoindex(name);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}

/* A frame of len bytes: dst, our MAC as source, EtherType 0x88b5, a pattern. */
static void frame(uint8_t *f, const uint8_t *dst, const uint8_t *src,
		  uint32_t len, uint8_t seed)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (uint32_t i = 14; i < len; i++)
		f[i] = (uint8_t)(i * 7 + seed);
}

/* ---- Tests ---- */

static void test_setup(void)
{
	struct enl_nvsp_message m, r;
	uint32_t ver = 0;
	bool ok;

	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG_INIT;
	m.msg.init.min_version = m.msg.init.max_version = ENL_NVSP_VERSION_61;
	if (request(&m, &r) && r.hdr.msg_type == ENL_NVSP_MSG_INIT_COMPLETE &&
	    r.msg.init_complete.status == ENL_NVSP_STAT_SUCCESS)
		ver = r.msg.init_complete.negotiated_version;
	tap_ok(ver == ENL_NVSP_VERSION_61, "NVSP INIT 6.1 completed: version %#x",
	       ver);
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG2_SEND_NDIS_CONFIG;
	m.msg.ndis_config.mtu = 1514;
	send_nvsp(&m, sizeof(m), next_id++, false);
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_NDIS_VERSION;
	m.msg.ndis_version.major = 6;
	m.msg.ndis_version.minor = 30;
	send_nvsp(&m, sizeof(m), next_id++, false);

	tap_ok(make_gpadl(RECV_GPADL, RECV_PFN, RECV_PAGES) &&
	       make_gpadl(SEND_GPADL, SEND_PFN, SEND_PAGES),
	       "receive (2 MiB) and send (1 MiB) buffers as GPADLs");
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RECV_BUF;
	m.msg.buffer.gpadl_handle = RECV_GPADL;
	m.msg.buffer.id = ENL_NVSP_RECV_BUFFER_ID;
	ok = request(&m, &r);
	tap_ok(ok && r.hdr.msg_type == ENL_NVSP_MSG1_SEND_RECV_BUF_COMPLETE &&
	       r.msg.recv_buf_complete.status == ENL_NVSP_STAT_SUCCESS &&
	       r.msg.recv_buf_complete.num_sections == 1 &&
	       r.msg.recv_buf_complete.sections[0].sub_alloc_size >= 1728 &&
	       r.msg.recv_buf_complete.sections[0].end_offset <= RECV_PAGES * PG,
	       "SEND_RECV_BUF: one section of %u x %u bytes",
	       r.msg.recv_buf_complete.sections[0].num_sub_allocs,
	       r.msg.recv_buf_complete.sections[0].sub_alloc_size);
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_SEND_BUF;
	m.msg.buffer.gpadl_handle = SEND_GPADL;
	m.msg.buffer.id = ENL_NVSP_SEND_BUFFER_ID;
	tap_ok(request(&m, &r) &&
	       r.msg.send_buf_complete.status == ENL_NVSP_STAT_SUCCESS &&
	       r.msg.send_buf_complete.section_size == 6144,
	       "SEND_SEND_BUF: sections of 6144 bytes");
}

/* An RNDIS control message from send section 0; its answer's type. */
static uint32_t rndis_ctl(const void *msg, uint32_t len, uint8_t *ans,
			  uint32_t *ans_len)
{
	struct enl_nvsp_message m = { .hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT };
	struct enl_nvsp_message r;
	uint64_t id = next_id++;
	uint32_t type = 0;

	memcpy(gpa(SEND_PFN), msg, len);
	m.msg.rndis.channel_type = ENL_NVSP_CHANNEL_CONTROL;
	m.msg.rndis.section_index = 0;
	m.msg.rndis.section_size = len;
	send_nvsp(&m, sizeof(m), id, true);
	/* The answer (a transfer) and the completion, in either order. */
	for (int i = 0; i < 2; i++) {
		uint8_t buf[4096];
		struct enl_ring_pkt rp;

		if (!recv_pkt(buf, sizeof(buf), &rp, 3000))
			return 0;
		if (rp.type == ENL_VMPKT_COMP) {
			memcpy(&r, buf + rp.hdr_len, sizeof(r));
			if (rp.trans_id != id ||
			    r.msg.rndis_complete.status != ENL_NVSP_STAT_SUCCESS)
				return 0;
			continue;
		}
		if (rp.type == ENL_VMPKT_DATA_USING_XFER_PAGES) {
			struct enl_vmtransfer_page_range rg;

			memcpy(&rg, buf + sizeof(struct enl_vmtransfer_page_packet_header),
			       sizeof(rg));
			*ans_len = rg.byte_count;
			memcpy(ans, gpa(RECV_PFN) + rg.byte_offset,
			       MIN(rg.byte_count, 4096u));
			memcpy(&type, ans, 4);
			complete_xfer(rp.trans_id);
		}
	}
	return type;
}

static void test_rndis(void)
{
	struct {
		struct enl_rndis_hdr h;
		struct enl_rndis_init_request i;
	} init = { { ENL_RNDIS_MSG_INIT, sizeof(init) }, { 7, 1, 0, 0x4000 } };
	struct {
		struct enl_rndis_hdr h;
		struct enl_rndis_set_request s;
		uint32_t filter;
	} set = { { ENL_RNDIS_MSG_SET, sizeof(set) },
		  { 8, ENL_OID_GEN_CURRENT_PACKET_FILTER, 4, 20, 0 },
		  ENL_NDIS_PACKET_TYPE_DIRECTED | ENL_NDIS_PACKET_TYPE_BROADCAST };
	uint8_t ans[4096];
	uint32_t len = 0;
	struct enl_rndis_init_complete ic;
	struct enl_rndis_set_complete sc;

	tap_ok(rndis_ctl(&init, sizeof(init), ans, &len) == ENL_RNDIS_MSG_INIT_C,
	       "RNDIS INITIALIZE from a send section: INIT_C in a receive section");
	memcpy(&ic, ans + 8, sizeof(ic));
	tap_ok(ic.req_id == 7 && ic.status == ENL_RNDIS_STATUS_SUCCESS &&
	       ic.max_pkt_per_msg == 8, "INIT_C: request 7, success, 8 packets "
	       "per message");
	tap_ok(rndis_ctl(&set, sizeof(set), ans, &len) == ENL_RNDIS_MSG_SET_C,
	       "SET packet filter: SET_C");
	memcpy(&sc, ans + 8, sizeof(sc));
	tap_ok(sc.req_id == 8 && sc.status == ENL_RNDIS_STATUS_SUCCESS,
	       "SET_C: request 8, success");
}

static void test_data(int s)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t out[2048], got[2048], msg[4096];
	struct enl_nvsp_message r;
	struct enl_rndis_packet rp;
	uint64_t id = next_id++, tid = 0;
	uint32_t len = 0;
	ssize_t n = 0;

	/* Guest to host: a 1000-byte frame in guest pages, GPA-direct. */
	frame(out, bcast, our_mac, 1000, 1);
	send_frame(out, 1000, id);
	tap_ok(recv_comp(id, &r) &&
	       r.hdr.msg_type == ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE &&
	       r.msg.rndis_complete.status == ENL_NVSP_STAT_SUCCESS,
	       "a GPA-direct RNDIS packet completed with success");
	for (int i = 0; i < 20; i++) {
		n = recv(s, got, sizeof(got), 0);
		if (n == 1000 && !memcmp(got, out, 1000))
			break;
	}
	tap_ok(n == 1000 && !memcmp(got, out, 1000),
	       "its frame comes out of the TAP unchanged");

	/* Host to guest: a frame into the TAP, up in a receive section. */
	frame(out, bcast, (const uint8_t[6]){ 0x02, 0, 0, 0, 0, 9 }, 600, 2);
	tap_ok(send(s, out, 600, 0) == 600, "a 600-byte frame into the TAP");
	tap_ok(recv_xfer(msg, sizeof(msg), &len, &tid, true, 3000) == 1 &&
	       len >= 8 + sizeof(rp) + 600,
	       "it reaches the guest in a transfer-page packet of one range");
	memcpy(&rp, msg + 8, sizeof(rp));
	tap_ok(rp.data_len == 600 && 8 + rp.data_offset + 600 <= len &&
	       !memcmp(msg + 8 + rp.data_offset, out, 600),
	       "an RNDIS packet with the frame's bytes");
	{
		uint64_t out_before = counter("stale_completions");

		complete_xfer(tid);
		complete_xfer(tid);
		tap_ok(counter("stale_completions") == out_before + 1,
		       "its completion frees it; a second one is counted stale");
	}
}

/*
 * A ping answered: the frame up to the guest, then its completion and the
 * reply written together behind one signal, as a NAPI poll does. That is
 * one request outstanding: the host answers it and masks nothing, so no
 * timer look follows.
 */
static void test_ping(int s)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t out[128], msg[4096];
	struct enl_nvsp_message r;
	uint64_t id = next_id++, tid = 0, looks0;
	uint32_t len = 0;
	bool ok;

	/*
	 * The steps before may leave the queue polling with a look armed, or
	 * a pass under NIC_RESUME_US old: wait until no look came for 20 ms
	 * and the queue is unmasked, or such a look can land in this count
	 * (once on a loaded CI machine: looks 6 -> 7).
	 */
	for (int i = 0; i < 100; i++) {
		looks0 = counter("poll_looks");
		g_usleep(20000);
		if (counter("poll_looks") == looks0 &&
		    !__atomic_load_n(&gc->out.ctl->interrupt_mask, __ATOMIC_ACQUIRE))
			break;
	}
	looks0 = counter("poll_looks");
	frame(out, bcast, (const uint8_t[6]){ 0x02, 0, 0, 0, 0, 9 }, 100, 3);
	ok = send(s, out, 100, 0) == 100 &&
	     recv_xfer(msg, sizeof(msg), &len, &tid, true, 3000) == 1;
	frame(out, bcast, our_mac, 100, 4);
	hold_signal = true;
	complete_xfer(tid);
	send_frame(out, 100, id);
	hold_signal = false;
	kick_host();
	ok = ok && recv_comp(id, &r) &&
	     r.msg.rndis_complete.status == ENL_NVSP_STAT_SUCCESS;
	for (int i = 0; ok && i < 20; i++) {
		uint8_t got[2048];
		ssize_t n = recv(s, got, sizeof(got), 0);

		if (n == 100 && !memcmp(got, out, 100))
			break;
		ok = i < 19;
	}
	tap_ok(ok, "a ping: the request up, its completion and the reply back "
	       "behind one signal, the reply out of the TAP");
	g_usleep(20000);	/* 100 times the look period */
	tap_ok(counter("poll_looks") == looks0 &&
	       !__atomic_load_n(&gc->out.ctl->interrupt_mask, __ATOMIC_ACQUIRE),
	       "one request outstanding: the guest's signals stay on, no "
	       "look booked (looks %llu -> %llu)", (unsigned long long)looks0,
	       (unsigned long long)counter("poll_looks"));
}

/* `--json LINE` parsed back; its data (NULL unless ok) in *data. */
static JsonNode *nic_json(const char *line, JsonNode **data)
{
	g_autoptr(GString) r = g_string_new(NULL);
	JsonNode *root;

	enl_ctl_dispatch(ctl, line, r);
	root = json_check_reply(r->str);
	if (!root)
		tap_diag("not one JSON line: %s", r->str);
	*data = json_check_data(root);
	return root;
}

static void test_ctl_json(void)
{
	JsonNode *root, *d;
	char *out = NULL;

	root = nic_json("--json nic list", &d);
	tap_ok(json_check_len(d, "") == 1 &&
	       !g_strcmp0(json_check_str(d, "0.tap"), IFNAME) &&
	       json_check_int(d, "0.nvsp_version") == 393217 &&
	       !g_strcmp0(json_check_str(d, "0.link"), "up"),
	       "--json nic list: one NIC, parsed back");
	json_node_unref(root);
	root = nic_json("--json nic stats", &d);
	tap_ok(json_check_int(d, "tx_packets") == 1 &&
	       json_check_int(d, "queues.0.queue") == 0 &&
	       json_check_int(d, "queues.0.tap_drops") == 0 &&
	       json_check_int(d, "queues.0.frames_down") == 1,
	       "--json nic stats: engine counters and queue 0, parsed back");
	json_node_unref(root);
	root = nic_json("--json nic stats 'no\\x1bsuch'", &d);
	tap_ok(root && !d && strstr(json_check_str(root, "error"),
				    "no\\\\x1bsuch: no such NIC"),
	       "--json nic stats of an unknown NIC: ok false, the name escaped");
	json_node_unref(root);
	/* The older per-verb form gives the list alone, text as before. */
	tap_ok(!fake_ctl_run(ctl, "nic list", &out) && out &&
	       g_str_has_prefix(out, "relid=") && strstr(out, " rndis=1 "),
	       "nic list: the text line keeps its fields");
	g_free(out);
}

static void test_ctl(void)
{
	char *out = NULL;
	uint8_t msg[4096];
	uint32_t len = 0, st = 0;
	int ret;

	ret = fake_ctl_run(ctl, "nic list --json", &out);
	tap_ok(!ret && out && strstr(out, "\"tap\":\"" IFNAME "\"") &&
	       strstr(out, "\"mac\":\"00:15:5d:77:00:01\"") &&
	       strstr(out, "\"rndis_initialized\":true") &&
	       strstr(out, "\"nvsp_version\":393217"),
	       "nic list --json: the TAP, MAC, RNDIS up, NVSP 6.1");
	g_free(out);
	ret = fake_ctl_run(ctl, "nic link down " IFNAME, &out);
	g_free(out);
	tap_ok(!ret && recv_xfer(msg, sizeof(msg), &len, NULL, false, 3000) == 1,
	       "nic link down (by TAP name): a transfer to the guest");
	memcpy(&st, msg + 8, 4);
	tap_ok(len >= 20 && ((uint32_t *)msg)[0] == ENL_RNDIS_MSG_INDICATE &&
	       st == ENL_RNDIS_STATUS_MEDIA_DISCONNECT,
	       "it is INDICATE_STATUS MEDIA_DISCONNECT");
	ret = fake_ctl_run(ctl, "nic link up", &out);
	g_free(out);
	tap_ok(!ret && recv_xfer(msg, sizeof(msg), &len, NULL, false, 3000) == 1 &&
	       ((uint32_t *)msg)[2] == ENL_RNDIS_STATUS_MEDIA_CONNECT,
	       "nic link up: MEDIA_CONNECT");
	ret = fake_ctl_run(ctl, "nic link sideways", &out);
	tap_ok(ret == -EINVAL && out && strstr(out, "usage"),
	       "nic link sideways: usage");
	g_free(out);
	ret = fake_ctl_run(ctl, "nic stats nosuch0", &out);
	tap_ok(ret == -ENODEV && out && strstr(out, "no such NIC"),
	       "nic stats of an unknown NIC refused");
	g_free(out);
	tap_ok(counter("tx_packets") == 1 && counter("rx_packets") >= 1 &&
	       counter("opens") == 1, "nic stats: tx_packets 1, rx_packets %llu",
	       (unsigned long long)counter("rx_packets"));
	ret = fake_ctl_run(ctl, "nic stats", &out);
	tap_ok(!ret && out && strstr(out, "queue0: open=1 stopped=0 xfers_out=0") &&
	       strstr(out, " frames_up=") && !strstr(out, " frames_up=0 ") &&
	       !strstr(out, " bytes_up=0 ") && strstr(out, " frames_down=1 ") &&
	       !strstr(out, " bytes_down=0 ") && strstr(out, " tap_drops=0\n") &&
	       !strstr(out, " guest_packets=0 "),
	       "nic stats: queue 0 open, nothing out, its packets, frames and "
	       "bytes both ways");
	g_free(out);
	test_ctl_json();
}

static void test_hostile(void)
{
	uint64_t before = counter("bad_gpa"), id = next_id++;
	struct enl_nvsp_message m = { .hdr.msg_type = ENL_NVSP_MSG_INIT };
	struct enl_nvsp_message r;

	send_gpa(RAM / PG + 4, 100, ENL_NVSP_CHANNEL_DATA, id);
	tap_ok(counter("bad_gpa") == before + 1,
	       "GPA ranges outside guest RAM: dropped, counted bad_gpa");
	before = counter("stale_completions");
	complete_xfer(0x123456789ull);
	tap_ok(counter("stale_completions") == before + 1,
	       "a completion naming nothing we sent: counted stale");
	before = counter("nvsp_out_of_order");
	m.msg.init.min_version = m.msg.init.max_version = ENL_NVSP_VERSION_61;
	tap_ok(request(&m, &r) &&
	       r.msg.init_complete.status == ENL_NVSP_STAT_FAIL &&
	       counter("nvsp_out_of_order") == before + 1,
	       "INIT again with the buffers in use: FAIL, counted");
}

static void test_faults(void)
{
	char *out = NULL;
	g_auto(GStrv) lines = NULL;
	unsigned int kinds = 0, ok = 0, seen = 0;

	fake_ctl_run(ctl, "nic fault list", &out);
	lines = g_strsplit(out ? out : "", "\n", -1);
	g_free(out);
	for (int i = 0; lines[i] && *lines[i]; i++) {
		char *colon = strchr(lines[i], ':');
		g_autofree char *line = NULL;
		uint8_t buf[4096];
		struct enl_ring_pkt rp;

		if (!colon)
			continue;
		*colon = 0;
		kinds++;
		line = g_strdup_printf("nic fault %s", lines[i]);
		if (fake_ctl_run(ctl, line, &out) == 0)
			ok++;
		else
			tap_diag("%s: %s", line, out);
		g_free(out);
		/* Sent by the channel's worker: a busy machine may be slow. */
		if (recv_pkt(buf, sizeof(buf), &rp, 10000)) {
			seen++;
			if (rp.type == ENL_VMPKT_DATA_USING_XFER_PAGES)
				complete_xfer(rp.trans_id);
		}
	}
	tap_ok(kinds >= 15 && ok == kinds && seen == kinds,
	       "nic fault: %u kinds, each sent (%u) and seen by the guest (%u)",
	       kinds, ok, seen);
	tap_ok(counter("faults") == kinds, "counted as faults");
	fake_ctl_run(ctl, "nic fault nosuch", &out);
	tap_ok(out && strstr(out, "no fault nosuch"), "an unknown kind: the list");
	g_free(out);
}

static void test_subchannel(void)
{
	static struct guest_chan sub = {
		.gpadl = 0xa3, .out_pfn = 0x300, .out_pages = 8,
		.in_pfn = 0x320, .in_pages = 8,
	};
	struct enl_nvsp_message m = { .hdr.msg_type = ENL_NVSP_MSG5_SUBCHANNEL };
	struct enl_nvsp_message r;
	struct fake_msg *fm;
	uint8_t buf[4096];
	struct enl_ring_pkt rp;
	bool table = false;

	m.msg.subchannel.op = ENL_NVSP_SUBCHANNEL_ALLOCATE;
	m.msg.subchannel.num_subchannels = 3;
	tap_ok(request(&m, &r) &&
	       r.msg.subchannel_complete.status == ENL_NVSP_STAT_SUCCESS &&
	       r.msg.subchannel_complete.num_subchannels == 1,
	       "SUBCHANNEL 3 on a 2-queue NIC: 1 granted");
	while (g_main_context_iteration(NULL, FALSE))
		;
	while ((fm = fake_hv_pop(hv))) {
		struct enl_vmbus_channel_offer_channel *o = (void *)fm->data;

		if (fake_msgtype(fm) == ENL_CHANNELMSG_OFFERCHANNEL &&
		    o->offer.sub_channel_index == 1)
			sub.relid = o->child_relid;
		g_free(fm);
	}
	tap_ok(sub.relid && srv->chan[sub.relid] &&
	       srv->chan[sub.relid]->parent == srv->chan[nic_gc.relid],
	       "sub-channel 1 offered");
	if (!sub.relid)
		return;
	sub.conn_id = srv->chan[sub.relid]->conn_id;
	gc = &sub;
	tap_ok(open_chan(), "the guest opens it");
	gc = &nic_gc;
	if (recv_pkt(buf, sizeof(buf), &rp, 3000) &&
	    rp.type == ENL_VMPKT_DATA_INBAND) {
		struct enl_nvsp_indirection_msg t;

		memcpy(&t, buf + rp.hdr_len, MIN(sizeof(t), rp.len - rp.hdr_len));
		table = t.m.hdr.msg_type == ENL_NVSP_MSG5_SEND_INDIRECTION_TABLE &&
			t.m.msg.indirection.count == 16 && t.table[0] == 0 &&
			t.table[1] == 1 && t.table[15] == 1;
	}
	tap_ok(table, "then the send indirection table on the primary: 0,1,...");
	gc = &sub;
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG_INIT;
	send_nvsp(&m, sizeof(m), next_id++, true);
	tap_ok(counter("ctl_on_subchannel") == 1 && enl_ring_peek(&gc->in, &rp) ==
	       -EAGAIN, "INIT on the sub-channel: ignored, counted");
	/* Left open: the primary's close at the end stops its data path first. */
	gc = &nic_gc;
}

static void test_hotplug(void)
{
	char *out = NULL;
	struct fake_msg *fm;
	uint32_t relid = 0;
	bool offered = false, rescinded = false;
	int ret;

	ret = fake_ctl_run(ctl, "nic add tap=none,queues=1", &out);
	if (ret || !out || sscanf(out, "relid %u", &relid) != 1)
		relid = 0;
	tap_ok(relid, "nic add tap=none: relid %u", relid);
	g_free(out);
	while ((fm = fake_hv_pop(hv))) {
		struct enl_vmbus_channel_offer_channel *o = (void *)fm->data;

		if (fake_msgtype(fm) == ENL_CHANNELMSG_OFFERCHANNEL &&
		    o->child_relid == relid &&
		    !memcmp(&o->offer.if_type, &(struct enl_guid)ENL_GUID_NETWORK,
			    sizeof(struct enl_guid)))
			offered = true;
		g_free(fm);
	}
	tap_ok(offered, "offered to the running guest as a network device");
	ret = fake_ctl_run(ctl, "nic add tap=this-name-is-too-long0", &out);
	tap_ok(ret == -EINVAL && out && strstr(out, "want tap=NAME"),
	       "a TAP name of 22 characters refused");
	g_free(out);
	ret = fake_ctl_run(ctl, "nic add mac=01:00:00:00:00:01,tap=x", &out);
	tap_ok(ret == -EINVAL, "a multicast MAC refused");
	g_free(out);
	{
		g_autofree char *line = g_strdup_printf("nic remove %u", relid);

		ret = fake_ctl_run(ctl, line, &out);
		g_free(out);
	}
	while ((fm = fake_hv_pop(hv))) {
		if (fake_msgtype(fm) == ENL_CHANNELMSG_RESCIND_CHANNELOFFER)
			rescinded = true;
		g_free(fm);
	}
	tap_ok(!ret && rescinded, "nic remove: the offer is rescinded");
}

/*
 * The class's save / reoffer / forget (chaos's heal): the NIC comes back
 * with its MAC on the same TAP interface, which outlives the old NIC's
 * queues; once the new NIC goes, so does the TAP (nothing holds it).
 */
static void test_reoffer(void)
{
	const struct enl_vsp_class *cls = &enl_vsp_net_class;
	g_autoptr(GString) out = g_string_new(NULL);
	char line[64], *list = NULL;
	unsigned int ifindex;
	int relid, again;
	void *saved;

	relid = enl_nic_add(srv, "tap=enlre0,mac=00:15:5d:77:00:05,queues=2",
			    out);
	ifindex = if_nametoindex("enlre0");
	tap_ok(relid > 0 && ifindex, "a NIC on TAP enlre0 (relid %d)", relid);
	if (relid <= 0)
		return;
	fake_ctl_run(ctl, "nic link down enlre0", &list);
	g_clear_pointer(&list, g_free);
	fake_ctl_run(ctl, "nic speed 2500 enlre0", &list);
	g_clear_pointer(&list, g_free);
	saved = guest_take_away(hv, C4, srv, (uint32_t)relid);
	tap_ok(!srv->chan[relid] && if_nametoindex("enlre0") == ifindex,
	       "rescinded and released: the NIC is gone, its TAP held");
	again = cls->reoffer(srv, saved);
	cls->forget(saved);
	fake_hv_drain(hv);
	fake_ctl_run(ctl, "nic list", &list);
	snprintf(line, sizeof(line), "relid=%d tap=enlre0 mac=00:15:5d:77:00:05 ",
		 again);
	tap_ok(again > 0 && list && strstr(list, line) &&
	       if_nametoindex("enlre0") == ifindex,
	       "offered again (relid %d) with its MAC on the same TAP "
	       "interface", again);
	tap_ok(list && strstr(list, "link=down speed_mbps=2500 "),
	       "and with the link state and speed last set");
	if (!list || !strstr(list, line))
		tap_diag("%s", list ? list : "(no answer)");
	g_free(list);
	if (again <= 0)
		return;
	enl_vmbus_server_rescind(srv, (uint32_t)again);
	guest_relid_msg(hv, C4, ENL_CHANNELMSG_RELID_RELEASED, (uint32_t)again);
	fake_hv_drain(hv);
	tap_ok(!if_nametoindex("enlre0"),
	       "removed again: the TAP goes with it, nothing else held it");
}

int main(void)
{
	g_autoptr(GString) out = g_string_new(NULL);
	int s, relid;

	if (unshare(CLONE_NEWNET)) {
		tap_ok(0, "unshare(CLONE_NEWNET): %s (this test runs as root in "
		       "a network namespace of its own)", strerror(errno));
		return tap_done();
	}
	hv = fake_hv_new(RAM, true);
	srv = enl_vmbus_server_new(hv);
	enl_vmbus_server_set_ram_fd(srv, hv->memfd);
	tap_ok(enl_vmbus_server_add_class(srv, &enl_vsp_net_class) == 0,
	       "class network registered");
	ctl = fake_ctl_new();
	enl_nic_register_ctl(srv, ctl);
	enl_vmbus_server_register_ctl(srv, ctl);
	relid = enl_nic_add(srv, "tap=" IFNAME ",mac=00:15:5d:77:00:01,"
			    "queues=2,mtu=1500", out);
	tap_ok(relid > 0 && if_nametoindex(IFNAME),
	       "--nic tap=%s,queues=2: relid %d, the TAP created", IFNAME, relid);
	if (relid <= 0)
		return tap_done();
	tap_ok(if_up(IFNAME) == 0, "TAP up");
	s = packet_socket(IFNAME);
	tap_ok(s >= 0, "a packet socket on the TAP");
	guest_contact(hv, C4, ENL_VMBUS_VERSION_WIN10_V5_3, 0, 2);
	guest_simple(hv, C4, ENL_CHANNELMSG_REQUESTOFFERS);
	fake_hv_drain(hv);
	nic_gc.relid = (uint32_t)relid;
	nic_gc.conn_id = srv->chan[relid]->conn_id;
	tap_ok(open_chan(), "the guest opens the NIC's channel");

	test_setup();
	test_rndis();
	test_data(s);
	test_ctl();
	test_ping(s);
	test_hostile();
	test_faults();
	test_subchannel();
	test_hotplug();
	test_reoffer();

	guest_relid_msg(hv, C4, ENL_CHANNELMSG_CLOSECHANNEL, nic_gc.relid);
	fake_hv_drain(hv);
	{
		char *st = NULL;

		fake_ctl_run(ctl, "nic stats", &st);
		tap_ok(st && strstr(st, "queue0: open=0") &&
		       strstr(st, "queue1: open=1 stopped=1"),
		       "the primary closed with its sub-channel open: that "
		       "one is stopped first, no hang");
		g_free(st);
	}
	enl_vmbus_server_free(srv);
	fake_ctl_free(ctl);
	fake_hv_free(hv);
	close(s);
	return tap_done();
}
