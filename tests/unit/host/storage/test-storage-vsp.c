// SPDX-License-Identifier: GPL-2.0-only
/*
 * The storage VSP on a real VMBus server over a fake SynIC, with the test
 * playing Linux's storvsc: the VMSTOR handshake (version fallback,
 * properties), SRBs without data and with data as GPA ranges over guest
 * RAM (written and read back through a real image), sense data, every
 * malformed-packet reason and its counter, GPA ranges outside guest RAM,
 * LUNs added and removed (ENUMERATE_BUS), completions held back by a full
 * ring and sent once the guest makes room, and one signal per batch.
 */
#include <enlighten/guids.h>
#include <enlighten/storvsc.h>

#include "ctl.h"
#include "json_check.h"
#include "server.h"
#include "server_priv.h"
#include "stor_glue.h"
/* Its images and tmpfs directory; its command helpers are not used here. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "storage_test.h"
#include "test-vmbus-guest.h"
#include "vsp.h"

#define RAM	(16u << 20)
#define PG	4096u
#define C4	ENL_VMBUS_MESSAGE_CONNECTION_ID_4
#define DATA_PFN	0x800		/* guest pages for SRB data */

static struct enl_hv *hv;
static struct enl_vmbus_server *srv;
static struct guest_chan scsi_gc = {
	.relid = 1, .gpadl = 0xa1, .out_pfn = 0x100, .out_pages = 5,
	.in_pfn = 0x120, .in_pages = 5,
};
static struct guest_chan ide_gc = {
	.gpadl = 0xa2, .out_pfn = 0x200, .out_pages = 5,
	.in_pfn = 0x220, .in_pages = 5,
};
/* The channel the helpers below talk on. */
static struct guest_chan *gc = &scsi_gc;
static uint64_t next_id = 1;

/* ---- The guest's side ---- */

static void kick_host(void)
{
	fake_guest_signal(hv, gc->conn_id);
}

/* sig: whether the ring asks the guest to signal (it was empty). */
/* One in-band request into the guest's ring: 0, or enl_ring_write's error. */
static int write_inband(const struct enl_vstor_packet *p, uint32_t len,
			uint64_t id, bool *sig)
{
	struct enl_ring_iov iov = { p, len };

	return enl_ring_write(&gc->out, ENL_VMPKT_DATA_INBAND,
			      ENL_VMPKT_FLAG_COMPLETION_REQUESTED, id, &iov, 1,
			      sig);
}

static bool send_inband_sig(const struct enl_vstor_packet *p, uint32_t len,
			    uint64_t id, bool *sig)
{
	if (write_inband(p, len, id, sig)) {
		tap_diag("guest ring full");
		return false;
	}
	return true;
}

static void send_inband(const struct enl_vstor_packet *p, uint32_t len,
			uint64_t id)
{
	bool sig;

	send_inband_sig(p, len, id, &sig);
}

/* One GPA range of len bytes at byte offset off of pages from pfn on. */
static void send_gpa(const struct enl_vstor_packet *p, uint64_t pfn,
		     uint32_t off, uint32_t len, uint64_t id)
{
	uint8_t hdr[sizeof(struct enl_vmdata_gpa_direct) + 8 + 8 * 600];
	struct enl_vmdata_gpa_direct *d = (void *)hdr;
	struct enl_gpa_range r = { len, off };
	uint32_t npfn = (off + len + PG - 1) / PG, hlen, i;
	struct enl_ring_iov iov[2];

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr + sizeof(*d), &r, sizeof(r));
	for (i = 0; i < npfn; i++) {
		uint64_t f = pfn + i;

		memcpy(hdr + sizeof(*d) + 8 + 8 * i, &f, 8);
	}
	hlen = sizeof(*d) + 8 + 8 * npfn;
	d->d.type = ENL_VMPKT_DATA_USING_GPA_DIRECT;
	d->d.flags = ENL_VMPKT_FLAG_COMPLETION_REQUESTED;
	d->d.offset8 = (uint16_t)(hlen / 8);
	d->d.trans_id = id;
	d->range_cnt = 1;
	iov[0] = (struct enl_ring_iov){ hdr, hlen };
	iov[1] = (struct enl_ring_iov){ p, sizeof(*p) };
	if (enl_ring_write_raw(&gc->out, iov, 2, &(bool){ 0 }))
		tap_diag("guest ring full");
}

/* The next packet from the host, waiting up to 3 s for the I/O. */
static bool recv_pkt(struct enl_vstor_packet *p, struct enl_ring_pkt *rp)
{
	uint8_t buf[256];
	int ret;

	for (int i = 0; i < 3000; i++) {
		ret = enl_ring_read(&gc->in, buf, sizeof(buf), rp);
		if (ret > 0) {
			if (enl_ring_read_commit(&gc->in))
				kick_host();
			memset(p, 0, sizeof(*p));
			memcpy(p, buf + rp->hdr_len,
			       MIN(sizeof(*p), rp->len - rp->hdr_len));
			return true;
		}
		g_usleep(1000);
	}
	return false;
}

static bool ring_empty(void)
{
	struct enl_ring_pkt rp;

	return enl_ring_peek(&gc->in, &rp) == -EAGAIN;
}

/* Send one control op, get its COMPLETE_IO; the status, or ~0. */
static uint32_t op(uint32_t operation, struct enl_vstor_packet *p)
{
	struct enl_ring_pkt rp;
	uint64_t id = next_id++;

	p->operation = operation;
	p->flags = ENL_VSTOR_FLAG_REQUEST_COMPLETION;
	send_inband(p, sizeof(*p), id);
	kick_host();
	if (!recv_pkt(p, &rp) || rp.type != ENL_VMPKT_COMP ||
	    rp.trans_id != id || p->operation != ENL_VSTOR_OP_COMPLETE_IO) {
		tap_diag("no completion for op %u", operation);
		return ~0u;
	}
	return p->status;
}

static void srb_init(struct enl_vstor_packet *p, uint8_t lun,
		     const uint8_t *cdb, uint8_t cdb_len, uint8_t data_in,
		     uint32_t len)
{
	memset(p, 0, sizeof(*p));
	p->operation = ENL_VSTOR_OP_EXECUTE_SRB;
	p->flags = ENL_VSTOR_FLAG_REQUEST_COMPLETION;
	p->vm_srb.length = sizeof(p->vm_srb);
	p->vm_srb.lun = lun;
	p->vm_srb.cdb_length = cdb_len;
	memcpy(p->vm_srb.cdb, cdb, MIN(cdb_len, 16));
	p->vm_srb.data_in = data_in;
	p->vm_srb.data_transfer_length = len;
	p->vm_srb.sense_info_length = ENL_VMSCSI_SENSE_BUFFER_SIZE;
}

/* Run an SRB (data at DATA_PFN if len); its completion in *p. */
static bool srb(struct enl_vstor_packet *p, uint8_t lun, const uint8_t *cdb,
		uint8_t cdb_len, uint8_t data_in, uint32_t len)
{
	struct enl_ring_pkt rp;
	uint64_t id = next_id++;

	srb_init(p, lun, cdb, cdb_len, data_in, len);
	if (len)
		send_gpa(p, DATA_PFN, 0, len, id);
	else
		send_inband(p, sizeof(*p), id);
	kick_host();
	if (!recv_pkt(p, &rp) || rp.trans_id != id) {
		tap_diag("SRB %llu: no completion", (unsigned long long)id);
		return false;
	}
	return rp.type == ENL_VMPKT_COMP &&
	       rp.trans_id == id && p->operation == ENL_VSTOR_OP_COMPLETE_IO;
}

static struct enl_ctl *ctl;

/* Primary offers of a class, and the relid of the first (0 if none). */
static unsigned int primaries(const char *cls, uint32_t *first)
{
	unsigned int n = 0;

	*first = 0;
	for (uint32_t r = 1; r <= ENL_VMBUS_MAX_RELID; r++) {
		struct enl_vsp_channel *ch = srv->chan[r];

		if (!ch || strcmp(ch->cls->name, cls) || ch->parent)
			continue;
		if (!n++)
			*first = r;
	}
	return n;
}

/* A counter of the SCSI controller, as `enl-host ctl disk stats` shows it. */
static uint64_t counter(const char *name)
{
	g_autofree char *key = g_strdup_printf(" %s=", name);
	char *out = NULL, *at;
	uint64_t v = ~0ull;

	if (!fake_ctl_run(ctl, "disk stats", &out) && out &&
	    (at = strstr(out, key)))
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

/* ---- Tests ---- */

static void test_handshake(void)
{
	struct enl_vstor_packet p = { 0 };
	uint8_t tur[6] = { 0 };
	uint64_t bad_state = counter("bad_state");

	tap_ok(srb(&p, 0, tur, 6, ENL_VMSCSI_DATA_UNKNOWN, 0) &&
	       p.status == ENL_VSTOR_STATUS_INVALID_PARAMETER &&
	       counter("bad_state") == bad_state + 1,
	       "an SRB before the handshake is refused and counted");
	memset(&p, 0, sizeof(p));
	tap_ok(op(ENL_VSTOR_OP_QUERY_PROPERTIES, &p) ==
	       ENL_VSTOR_STATUS_INVALID_PARAMETER,
	       "QUERY_PROPERTIES before BEGIN_INITIALIZATION refused");
	memset(&p, 0, sizeof(p));
	tap_ok(op(ENL_VSTOR_OP_BEGIN_INITIALIZATION, &p) == 0,
	       "BEGIN_INITIALIZATION accepted");
	memset(&p, 0, sizeof(p));
	p.version.major_minor = ENL_VMSTOR_MAKE_VERSION(7, 0);
	tap_ok(op(ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION, &p) ==
	       ENL_VSTOR_STATUS_REVISION_MISMATCH,
	       "version 7.0 gets REVISION_MISMATCH");
	memset(&p, 0, sizeof(p));
	p.version.major_minor = ENL_VMSTOR_MAKE_VERSION(4, 2);
	tap_ok(op(ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION, &p) ==
	       ENL_VSTOR_STATUS_REVISION_MISMATCH,
	       "version 4.2 (WIN7) gets REVISION_MISMATCH");
	memset(&p, 0, sizeof(p));
	p.version.major_minor = ENL_VMSTOR_VERSION_WIN8;
	tap_ok(op(ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION, &p) == 0,
	       "WIN8 accepted");
	memset(&p, 0, sizeof(p));
	p.version.major_minor = ENL_VMSTOR_VERSION_WIN10;
	tap_ok(op(ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION, &p) == 0,
	       "WIN10 accepted (the guest's first choice)");
	memset(&p, 0xee, sizeof(p));
	tap_ok(op(ENL_VSTOR_OP_QUERY_PROPERTIES, &p) == 0,
	       "QUERY_PROPERTIES accepted");
	tap_ok(p.storage_channel_properties.max_transfer_bytes ==
	       ENL_STOR_MAX_TRANSFER && !p.storage_channel_properties.reserved &&
	       p.storage_channel_properties.max_channel_cnt ==
	       ENL_STOR_VSP_MAX_SUBCHANNELS &&
	       p.storage_channel_properties.flags ==
	       ENL_VSTOR_PROP_SUPPORTS_MULTI_CHANNEL,
	       "properties: max transfer %u, %u sub-channels, multi-channel",
	       p.storage_channel_properties.max_transfer_bytes,
	       p.storage_channel_properties.max_channel_cnt);
	memset(&p, 0, sizeof(p));
	tap_ok(op(ENL_VSTOR_OP_END_INITIALIZATION, &p) == 0,
	       "END_INITIALIZATION accepted");
	memset(&p, 0, sizeof(p));
	p.sub_channel_count = ENL_STOR_VSP_MAX_SUBCHANNELS + 1;
	tap_ok(op(ENL_VSTOR_OP_CREATE_SUB_CHANNELS, &p) ==
	       ENL_VSTOR_STATUS_INVALID_PARAMETER &&
	       counter("bad_operation") == 1,
	       "CREATE_SUB_CHANNELS above the offered count: refused, counted");
}

/* CREATE_SUB_CHANNELS 2: two offers; SRBs on one, no handshake there. */
static void test_subchannels(void)
{
	static struct guest_chan sub = {
		.gpadl = 0xa3, .out_pfn = 0x300, .out_pages = 5,
		.in_pfn = 0x320, .in_pages = 5,
	};
	uint8_t inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	struct enl_vstor_packet p;
	struct fake_msg *m;
	unsigned int offers = 0;

	memset(&p, 0, sizeof(p));
	p.sub_channel_count = 2;
	tap_ok(op(ENL_VSTOR_OP_CREATE_SUB_CHANNELS, &p) == 0,
	       "CREATE_SUB_CHANNELS 2 accepted");
	/* The offers are made on the main loop. */
	while (g_main_context_iteration(NULL, FALSE))
		;
	while ((m = fake_hv_pop(hv))) {
		struct enl_vmbus_channel_offer_channel *o = (void *)m->data;

		if (fake_msgtype(m) == ENL_CHANNELMSG_OFFERCHANNEL &&
		    o->offer.sub_channel_index == offers + 1) {
			offers++;
			if (!sub.relid)
				sub.relid = o->child_relid;
		}
		g_free(m);
	}
	tap_ok(offers == 2 && sub.relid && srv->chan[sub.relid] &&
	       srv->chan[sub.relid]->parent == srv->chan[1],
	       "two sub-channels of the controller offered");
	if (!sub.relid)
		return;
	sub.conn_id = srv->chan[sub.relid]->conn_id;
	gc = &sub;
	tap_ok(open_chan(), "the guest opens sub-channel 1");
	tap_ok(srb(&p, 0, inq, 6, ENL_VMSCSI_DATA_READ, 36) &&
	       p.vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS &&
	       p.vm_srb.data_transfer_length == 36,
	       "an INQUIRY on the sub-channel, no handshake there");
	memset(&p, 0, sizeof(p));
	tap_ok(op(ENL_VSTOR_OP_BEGIN_INITIALIZATION, &p) ==
	       ENL_VSTOR_STATUS_INVALID_PARAMETER,
	       "the handshake on a sub-channel is refused");
	gc = &scsi_gc;
}

static void test_srbs(void)
{
	struct enl_vstor_packet p;
	uint8_t inq[6] = { 0x12, 0, 0, 0, 96, 0 };
	uint8_t tur[6] = { 0 };
	uint8_t wr[10] = { 0x2a, 0, 0, 0, 0, 8, 0, 0, 16, 0 };
	uint8_t rd[10] = { 0x28, 0, 0, 0, 0, 8, 0, 0, 16, 0 };
	uint8_t rd_past[10] = { 0x28, 0, 0, 0, 0x20, 0, 0, 0, 1, 0 };
	uint8_t sync[10] = { 0x35 };
	uint8_t *g = hv->mem.base + (uint64_t)DATA_PFN * PG;
	uint8_t pat[8192];
	uint64_t inv;
	int tries = 0;

	tap_ok(srb(&p, 0, inq, 6, ENL_VMSCSI_DATA_READ, 96) &&
	       p.vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS &&
	       p.vm_srb.scsi_status == 0 &&
	       p.vm_srb.data_transfer_length >= 36 &&
	       p.vm_srb.data_transfer_length <= 96 && g[0] == 0x00 &&
	       g[4] + 5 == (int)p.vm_srb.data_transfer_length,
	       "INQUIRY: standard data into guest RAM, SUCCESS, "
	       "data_transfer_length = bytes moved");
	/* The first commands may report the LUN's unit attentions. */
	while (srb(&p, 0, tur, 6, ENL_VMSCSI_DATA_UNKNOWN, 0) &&
	       p.vm_srb.scsi_status == 2 && tries++ < 4)
		;
	tap_ok(p.vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS &&
	       !p.vm_srb.data_transfer_length,
	       "TEST UNIT READY in-band (no data): SUCCESS after %d unit "
	       "attention(s)", tries);

	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 13 + 5);
	memcpy(g, pat, sizeof(pat));
	tap_ok(srb(&p, 0, wr, 10, ENL_VMSCSI_DATA_WRITE, 8192) &&
	       p.vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS &&
	       p.vm_srb.data_transfer_length == 8192,
	       "WRITE(10) of 16 blocks from two guest pages");
	memset(g, 0, sizeof(pat));
	tap_ok(srb(&p, 0, rd, 10, ENL_VMSCSI_DATA_READ, 8192) &&
	       p.vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS &&
	       p.vm_srb.data_transfer_length == 8192 &&
	       !memcmp(g, pat, sizeof(pat)),
	       "READ(10) brings the same bytes back into guest RAM");
	tap_ok(srb(&p, 0, sync, 10, ENL_VMSCSI_DATA_UNKNOWN, 0) &&
	       p.vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS,
	       "SYNCHRONIZE CACHE(10): SUCCESS");
	tap_ok(counter("written_bytes") == 8192 &&
	       counter("read_bytes") == 8192 && counter("flushes") == 1,
	       "disk stats: the queue wrote and read 8192 bytes of the file "
	       "and flushed it once (%llu, %llu, %llu)",
	       (unsigned long long)counter("written_bytes"),
	       (unsigned long long)counter("read_bytes"),
	       (unsigned long long)counter("flushes"));
	tap_ok(srb(&p, 0, rd_past, 10, ENL_VMSCSI_DATA_READ, 512) &&
	       p.vm_srb.srb_status == (ENL_SRB_STATUS_ERROR |
				       ENL_SRB_STATUS_AUTOSENSE_VALID) &&
	       p.vm_srb.scsi_status == 2 && p.vm_srb.sense_info_length == 18 &&
	       (p.vm_srb.sense_data[2] & 0xf) == 5 &&
	       p.vm_srb.sense_data[12] == 0x21 && !p.vm_srb.data_transfer_length,
	       "READ past the end: CHECK CONDITION, autosense ILLEGAL REQUEST "
	       "21/00, nothing moved");
	tap_ok(srb(&p, 7, tur, 6, ENL_VMSCSI_DATA_UNKNOWN, 0) &&
	       p.vm_srb.srb_status == ENL_SRB_STATUS_INVALID_LUN,
	       "an SRB to an empty LUN: INVALID_LUN");
	srb_init(&p, 0, tur, 6, ENL_VMSCSI_DATA_UNKNOWN, 0);
	p.vm_srb.target_id = 1;
	inv = counter("invalid_lun");
	send_inband(&p, sizeof(p), 999);
	kick_host();
	{
		struct enl_ring_pkt rp;

		tap_ok(recv_pkt(&p, &rp) && rp.trans_id == 999 &&
		       p.vm_srb.srb_status == ENL_SRB_STATUS_INVALID_LUN &&
		       counter("invalid_lun") == inv + 1 &&
		       counter("bad_srb") == 0,
		       "target 1 (Linux scans it): INVALID_LUN, not malformed");
	}
}

#define DROPPED		-1	/* no answer at all */
#define PKT_REFUSED	-2	/* COMPLETE_IO with INVALID_PARAMETER */

/* Send a broken packet; expect want (an srb_status or the above) and ctr + 1. */
static void expect_bad(const char *what, struct enl_vstor_packet *p,
		       uint32_t inband_len, bool gpa, uint64_t pfn,
		       uint32_t len, int want, const char *ctr)
{
	uint64_t before = counter(ctr), id = next_id++;
	struct enl_vstor_packet back;
	struct enl_ring_pkt rp;
	bool got;

	if (gpa)
		send_gpa(p, pfn, 0, len, id);
	else
		send_inband(p, inband_len, id);
	kick_host();
	if (want == DROPPED) {
		/* Dropped: make sure by running a good one behind it. */
		uint8_t tur[6] = { 0 };

		got = srb(&back, 0, tur, 6, ENL_VMSCSI_DATA_UNKNOWN, 0);
		tap_ok(got && ring_empty() && counter(ctr) == before + 1,
		       "%s: dropped, counted as %s", what, ctr);
		return;
	}
	got = recv_pkt(&back, &rp) && rp.trans_id == id;
	if (want == PKT_REFUSED)
		tap_ok(got && back.status == ENL_VSTOR_STATUS_INVALID_PARAMETER &&
		       counter(ctr) == before + 1,
		       "%s: INVALID_PARAMETER, counted as %s", what, ctr);
	else
		tap_ok(got && back.vm_srb.srb_status == want &&
		       !back.vm_srb.data_transfer_length &&
		       counter(ctr) == before + 1,
		       "%s: srb_status %#x, counted as %s", what,
		       got ? back.vm_srb.srb_status : 0xff, ctr);
}

static void test_malformed(void)
{
	struct enl_vstor_packet p;
	uint8_t rd[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	uint8_t cdb17[17] = { 0 };
	const uint32_t full = sizeof(p);
	const int inval = ENL_SRB_STATUS_INVALID_REQUEST;

	srb_init(&p, 0, rd, 10, ENL_VMSCSI_DATA_READ, 512);
	p.vm_srb.cdb_length = 0;
	expect_bad("cdb_length 0", &p, full, true, DATA_PFN, 512, inval,
		   "bad_srb");
	srb_init(&p, 0, cdb17, 16, ENL_VMSCSI_DATA_READ, 512);
	p.vm_srb.cdb_length = 17;
	expect_bad("cdb_length 17", &p, full, true, DATA_PFN, 512, inval,
		   "bad_srb");
	srb_init(&p, 0, rd, 10, ENL_VMSCSI_DATA_READ, 512);
	p.vm_srb.length = 36;
	expect_bad("SRB length 36 (pre-WIN8)", &p, full, true, DATA_PFN, 512,
		   inval, "bad_srb");
	srb_init(&p, 0, rd, 10, 7, 512);
	expect_bad("data_in 7", &p, full, true, DATA_PFN, 512, inval,
		   "bad_srb");
	srb_init(&p, 0, rd, 10, ENL_VMSCSI_DATA_READ, 4096);
	expect_bad("data_transfer_length past the GPA ranges", &p, full, true,
		   DATA_PFN, 512, inval, "bad_srb");
	srb_init(&p, 0, rd, 10, ENL_VMSCSI_DATA_READ, 4096);
	expect_bad("data_transfer_length in-band (no ranges)", &p, full, false,
		   0, 0, inval, "bad_srb");
	srb_init(&p, 0, rd, 10, ENL_VMSCSI_DATA_READ,
		 ENL_STOR_MAX_TRANSFER + 4096);
	expect_bad("data_transfer_length above the maximum", &p, full, true,
		   DATA_PFN, ENL_STOR_MAX_TRANSFER + 4096, inval, "bad_srb");
	srb_init(&p, 0, rd, 10, ENL_VMSCSI_DATA_READ, 512);
	p.vm_srb.path_id = 8;
	expect_bad("path 8", &p, full, true, DATA_PFN, 512,
		   ENL_SRB_STATUS_INVALID_LUN, "invalid_lun");
	srb_init(&p, 0, rd, 10, ENL_VMSCSI_DATA_READ, 512);
	expect_bad("a page just past guest RAM", &p, full, true,
		   RAM / PG - 1, 8192, DROPPED, "bad_gpa");
	expect_bad("a page far outside guest RAM", &p, full, true,
		   1ull << 40, 512, DROPPED, "bad_gpa");
	memset(&p, 0, sizeof(p));
	p.operation = 99;
	p.flags = ENL_VSTOR_FLAG_REQUEST_COMPLETION;
	expect_bad("operation 99", &p, full, false, 0, 0, PKT_REFUSED,
		   "bad_operation");
	memset(&p, 0, sizeof(p));
	p.operation = ENL_VSTOR_OP_EXECUTE_SRB;
	expect_bad("an SRB cut to 16 bytes", &p, 16, false, 0, 0, PKT_REFUSED,
		   "bad_length");
	expect_bad("an 8-byte packet", &p, 8, false, 0, 0, DROPPED,
		   "bad_length");
}

/* `--json ARGS...` through the dispatcher, parsed back. */
static JsonNode *disk_json(struct enl_ctl *ctl, char **argv, int argc,
			   GString *r)
{
	JsonNode *root;

	g_string_truncate(r, 0);
	enl_ctl_dispatch_argv(ctl, argc, argv, r);
	root = json_check_reply(r->str);
	if (!root)
		tap_diag("not one JSON line: %s", r->str);
	return root;
}

/*
 * The JSON of every disk sub-verb parses back, and a file name of hostile
 * bytes comes back exactly in JSON and escaped in text.
 */
static void test_disk_json(struct enl_ctl *ctl)
{
	static const char name[] = "q\"\\\x1b\n\x7f\xc2\x9b.img";
	const char *img = st_image(name, 1 << 20);
	g_autofree char *spec = g_strdup_printf("%s,lun=5", img);
	g_autofree char *want = NULL;
	g_autoptr(GString) r = g_string_new(NULL);
	char *add[] = { "--json", "disk", "add", spec, NULL };
	char *list[] = { "--json", "disk", "list", NULL };
	char *stats[] = { "--json", "disk", "stats", NULL };
	char *fault[] = { "--json", "disk", "fault", "show", NULL };
	char *remove[] = { "--json", "disk", "remove", "5", NULL };
	struct enl_vstor_packet p;
	struct enl_ring_pkt rp;
	JsonNode *root, *d, *disk = NULL;
	gint64 n;

	root = disk_json(ctl, add, 4, r);
	d = json_check_data(root);
	tap_ok(d && !g_strcmp0(json_check_str(d, "controller"), "scsi") &&
	       json_check_int(d, "lun") == 5,
	       "--json disk add: controller and LUN");
	json_node_unref(root);
	tap_ok(recv_pkt(&p, &rp) && p.operation == ENL_VSTOR_OP_ENUMERATE_BUS,
	       "the guest gets ENUMERATE_BUS for it");
	root = disk_json(ctl, list, 3, r);
	d = json_check_data(root);
	n = json_check_len(d, "");
	for (gint64 i = 0; i < n; i++) {
		g_autofree char *at = g_strdup_printf("%" G_GINT64_FORMAT, i);
		JsonNode *e = json_check_at(d, at);

		if (json_check_int(e, "lun") == 5)
			disk = e;
	}
	tap_ok(n == 2 && disk && !g_strcmp0(json_check_str(disk, "path"), img) &&
	       json_check_int(disk, "bytes") == 1 << 20,
	       "--json disk list: two disks, the hostile path byte for byte");
	tap_ok(root && !strstr(r->str, "\x1b") && !strstr(r->str, "\x7f"),
	       "--json disk list: no raw control byte on the line");
	json_node_unref(root);
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "disk list", r);
	want = g_strdup_printf("scsi:5 %.*sq\"\\\\\\x1b\\n\\x7f\\xc2\\x9b.img ",
			       (int)(strlen(img) - strlen(name)), img);
	tap_ok(g_str_has_prefix(r->str, "ok\n") && strstr(r->str, want) &&
	       !strchr(r->str, '\x1b') && !strchr(r->str, '\x7f'),
	       "disk list: the path escaped in text, one line a disk");
	root = disk_json(ctl, stats, 3, r);
	d = json_check_data(root);
	tap_ok(json_check_len(d, "controllers") == 1 &&
	       !g_strcmp0(json_check_str(d, "controllers.0.controller"),
			  "scsi") &&
	       json_check_int(d, "controllers.0.engine.bad_srb") == 7 &&
	       json_check_len(d, "queues") >= 2 &&
	       json_check_int(d, "queues.1.queue") == 1,
	       "--json disk stats: controllers with their engine, queues");
	json_node_unref(root);
	root = disk_json(ctl, fault, 4, r);
	d = json_check_data(root);
	tap_ok(!g_strcmp0(json_check_str(d, "fault"), "none") &&
	       json_check_int(d, "left") == 0,
	       "--json disk fault show: no fault armed");
	json_node_unref(root);
	root = disk_json(ctl, remove, 4, r);
	d = json_check_data(root);
	tap_ok(json_check_int(d, "lun") == 5 && recv_pkt(&p, &rp) &&
	       p.operation == ENL_VSTOR_OP_ENUMERATE_BUS,
	       "--json disk remove 5");
	json_node_unref(root);
	g_string_truncate(r, 0);
	enl_ctl_dispatch(ctl, "--json disk remove 5", r);
	root = json_check_reply(r->str);
	tap_ok(root && !json_check_data(root) &&
	       strstr(json_check_str(root, "error"), "no such disk"),
	       "--json disk remove 5 again: ok false, why");
	json_node_unref(root);
}

/* ctl disk add/remove/list/resize, and ENUMERATE_BUS to the guest. */
static void test_hotplug(struct enl_ctl *ctl)
{
	const char *img = st_image("two.img", 1 << 20);
	g_autofree char *line = g_strdup_printf("disk add %s,lun=3,wt", img);
	struct enl_vstor_packet p;
	struct enl_ring_pkt rp;
	char *out = NULL;
	int ret;

	ret = fake_ctl_run(ctl, line, &out);
	tap_ok(!ret && out && !strcmp(out, "scsi:3\n") &&
	       primaries("scsi", &(uint32_t){ 0 }) == 1,
	       "ctl disk add: scsi:3, on the controller already offered");
	g_free(out);
	tap_ok(recv_pkt(&p, &rp) && rp.type == ENL_VMPKT_DATA_INBAND &&
	       rp.trans_id == 0 && p.operation == ENL_VSTOR_OP_ENUMERATE_BUS,
	       "the guest gets ENUMERATE_BUS");
	ret = fake_ctl_run(ctl, "disk list --json", &out);
	tap_ok(!ret && out && strstr(out, "\"lun\":3") &&
	       strstr(out, "\"write_through\":true") && strstr(out, "\"lun\":0") &&
	       out[0] == '[', "ctl disk list --json shows both disks");
	g_free(out);
	ret = fake_ctl_run(ctl, "disk resize 3 2M", &out);
	g_free(out);
	{
		struct enl_stor_lun_info in;

		struct enl_stor_ctrl *c = enl_vsp_state(srv->chan[1]);

		enl_stor_lun_info(c->t, 3, &in);
		tap_ok(!ret && in.blocks * in.block_size == 2u << 20,
		       "ctl disk resize 3 2M");
	}
	ret = fake_ctl_run(ctl, "disk remove 3", &out);
	g_free(out);
	tap_ok(!ret && recv_pkt(&p, &rp) &&
	       p.operation == ENL_VSTOR_OP_ENUMERATE_BUS,
	       "ctl disk remove 3: ENUMERATE_BUS again");
	ret = fake_ctl_run(ctl, "disk remove 3", &out);
	tap_ok(ret == -ENOENT, "removing it twice: no such disk");
	g_free(out);
	ret = fake_ctl_run(ctl, "disk add /nonexistent/x.img", &out);
	tap_ok(ret < 0 && ring_empty(), "adding a missing file fails, no "
	       "ENUMERATE_BUS");
	g_free(out);
	ret = fake_ctl_run(ctl, "disk add x.img,lun=300", &out);
	tap_ok(ret == -EINVAL, "lun=300 refused");
	g_free(out);
	ret = fake_ctl_run(ctl, "disk stats", &out);
	tap_ok(!ret && out && strstr(out, "bad_srb=7") &&
	       strstr(out, "bad_gpa=2") && strstr(out, "open=1"),
	       "ctl disk stats shows the counters");
	tap_ok(!ret && out && strstr(out, "\nscsi queue 0 relid 1 ") &&
	       strstr(out, " bad=17 read_bytes=") &&
	       strstr(out, "\nscsi queue 1 relid 2 (controller relid 1): open=1 "
			   "packets=2 srbs=1 completions=1 "),
	       "ctl disk stats: a line per queue (sub-channels too), bad "
	       "packets summed");
	g_free(out);
	test_disk_json(ctl);
}

/* Many SRBs in one signal: their completions cost one or two signals. */
static void test_batch(void)
{
	uint8_t rd[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0 };
	struct enl_vstor_packet p;
	struct enl_ring_pkt rp;
	uint8_t tur[6] = { 0 };
	guint before;
	unsigned int got = 0, i;

	/* LUN 0 reports REPORTED LUNS DATA HAS CHANGED first. */
	for (i = 0; i < 4; i++)
		if (srb(&p, 0, tur, 6, ENL_VMSCSI_DATA_UNKNOWN, 0) &&
		    p.vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS)
			break;
	before = fake_hv_nr_signals(hv);
	for (i = 0; i < 16; i++) {
		srb_init(&p, 0, rd, 10, ENL_VMSCSI_DATA_READ, 4096);
		send_gpa(&p, DATA_PFN + i, 0, 4096, 5000 + i);
	}
	kick_host();
	while (got < 16 && recv_pkt(&p, &rp) &&
	       p.vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS)
		got++;
	tap_ok(got == 16 && fake_hv_nr_signals(hv) - before <= 3,
	       "16 READs in one signal: 16 completions, %u guest signal(s)",
	       fake_hv_nr_signals(hv) - before);
}

/* A TEST UNIT READY as SRB id into the guest's ring; sig: it asks to signal. */
static bool write_tur(uint64_t id, bool *sig)
{
	uint8_t tur[6] = { 0 };
	struct enl_vstor_packet p;

	srb_init(&p, 0, tur, 6, ENL_VMSCSI_DATA_UNKNOWN, 0);
	return send_inband_sig(&p, sizeof(p), id, sig);
}

/*
 * Until the guest's signals are on and, with unmasks0, the host unmasked
 * since (3 s at most).
 */
static bool wait_signals_on(const uint64_t *unmasks0)
{
	for (unsigned int i = 0; i < 3000; i++) {
		if (!__atomic_load_n(&gc->out.ctl->interrupt_mask,
				     __ATOMIC_ACQUIRE) &&
		    (!unmasks0 || counter("unmasks") != *unmasks0))
			return true;
		g_usleep(1000);
	}
	return false;
}

/*
 * A guest that signals only when the ring says so (empty before its write,
 * not masked), one SRB at a time: a lone SRB leaves its signals on, so
 * none waits for a signal that was never sent. Two behind one signal
 * mask them with a look on the timer, which answers nothing more, finds
 * the ring empty and unmasks.
 */
static void test_poll_mask(void)
{
	struct enl_vstor_packet p;
	struct enl_ring_pkt rp;
	uint64_t polls0, unmasks0;
	unsigned int got = 0, kicks = 0, i;
	bool sig, ok;

	for (i = 0; i < 200; i++) {
		if (!write_tur(20000 + i, &sig))
			break;
		if (sig) {
			kick_host();
			kicks++;
		}
		if (!recv_pkt(&p, &rp) || rp.trans_id != 20000 + i)
			break;
		got++;
	}
	tap_ok(got == 200, "200 SRBs one at a time, the guest signalling only "
	       "when its ring says so: all answered (%u signal(s))", kicks);
	tap_ok(wait_signals_on(NULL), "idle again: the guest's signals are on");
	polls0 = counter("polls");
	unmasks0 = counter("unmasks");
	ok = write_tur(20200, &sig) && write_tur(20201, &sig);
	kick_host();
	ok = ok && recv_pkt(&p, &rp) && rp.trans_id == 20200 &&
	     recv_pkt(&p, &rp) && rp.trans_id == 20201;
	ok = ok && wait_signals_on(&unmasks0);
	tap_ok(ok && counter("polls") > polls0,
	       "2 SRBs behind one signal: answered, then the host looked on "
	       "its timer (%llu time(s)) and unmasked",
	       (unsigned long long)(counter("polls") - polls0));
}

/*
 * As send_inband, but a full ring waits for the host to read (kicked, 3 s
 * at most) instead of dropping the packet: a host slow to start on the
 * first batch must not shrink the test's second.
 */
static bool send_inband_room(const struct enl_vstor_packet *p, uint32_t len,
			     uint64_t id)
{
	bool sig;

	for (int i = 0; i < 3000; i++) {
		if (!write_inband(p, len, id, &sig))
			return true;
		kick_host();
		g_usleep(1000);
	}
	tap_diag("guest ring still full after 3 s");
	return false;
}

/* More completions than the guest's ring holds: none lost, order kept. */
static void test_ring_full(void)
{
	uint8_t tur[6] = { 0 };
	struct enl_vstor_packet p;
	struct enl_ring_pkt rp;
	unsigned int sent = 0, got = 0, i, round;
	bool order = true;

	/*
	 * 88 bytes a packet each way: 150 fit in the guest's 16 KiB ring,
	 * 300 answers do not fit in the host's.
	 */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 150; i++, sent++) {
			srb_init(&p, 0, tur, 6, ENL_VMSCSI_DATA_UNKNOWN, 0);
			if (!send_inband_room(&p, sizeof(p), 10000 + sent))
				break;
		}
		kick_host();
	}
	tap_ok(counter("requeued") > 0,
	       "host -> guest ring full: completions held back (%llu)",
	       (unsigned long long)counter("requeued"));
	while (got < sent && recv_pkt(&p, &rp)) {
		order &= rp.trans_id == 10000 + got;
		got++;
	}
	tap_ok(got == 300 && order && ring_empty(),
	       "all %u completions arrive, in order, as the guest reads", got);
}

/* The IDE accelerator: its own offer and target; Linux's target id. */
static void test_ide(void)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *spec = g_strdup_printf("%s,ide",
						st_image("ide.img", 1 << 20));
	uint8_t inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	struct enl_vstor_packet p;
	struct fake_msg *m;
	uint32_t relid;
	bool ok = true;

	tap_ok(enl_stor_add_disk(srv, spec, out) == 0 &&
	       !strcmp(out->str, "ide:0\n") && primaries("ide", &relid) == 1,
	       "--disk FILE,ide: ide:0, an IDE controller offered");
	m = fake_hv_pop(hv);
	g_free(m);
	gc = &ide_gc;
	gc->relid = relid;
	gc->conn_id = srv->chan[relid]->conn_id;
	tap_ok(open_chan(), "the guest opens the IDE channel");
	memset(&p, 0, sizeof(p));
	ok &= op(ENL_VSTOR_OP_BEGIN_INITIALIZATION, &p) == 0;
	memset(&p, 0, sizeof(p));
	p.version.major_minor = ENL_VMSTOR_VERSION_WIN10;
	ok &= op(ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION, &p) == 0;
	memset(&p, 0, sizeof(p));
	ok &= op(ENL_VSTOR_OP_QUERY_PROPERTIES, &p) == 0;
	memset(&p, 0, sizeof(p));
	ok &= op(ENL_VSTOR_OP_END_INITIALIZATION, &p) == 0;
	tap_ok(ok, "IDE handshake");
	srb_init(&p, 0, inq, 6, ENL_VMSCSI_DATA_READ, 36);
	p.vm_srb.target_id = 0xcb;	/* (u8)(instance b[5] << 8 | b[4]) */
	send_gpa(&p, DATA_PFN, 0, 36, 77);
	kick_host();
	{
		struct enl_ring_pkt rp;

		tap_ok(recv_pkt(&p, &rp) && rp.trans_id == 77 &&
		       p.vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS &&
		       p.vm_srb.data_transfer_length == 36,
		       "IDE: INQUIRY to the target Linux derives from the "
		       "instance GUID succeeds");
	}
	tap_ok(srv->chan[1] && !strcmp(srv->chan[1]->cls->name, "scsi"),
	       "the SCSI controller is still relid 1");
	gc = &scsi_gc;
}

static bool same_file(const char *a, const char *b)
{
	g_autofree char *x = NULL, *y = NULL;
	gsize nx = 0, ny = 0;

	return g_file_get_contents(a, &x, &nx, NULL) &&
	       g_file_get_contents(b, &y, &ny, NULL) && nx == ny &&
	       !memcmp(x, y, nx);
}

/*
 * The disk step of `ctl backup --to` (the VSS verb freezes around it):
 * every LUN into a directory, a single disk into a file, never over an
 * existing file.
 */
static void test_backup(const char *img)
{
	g_autofree char *dir = g_strdup_printf("%s/backup", st_dir);
	g_autofree char *copy = g_strdup_printf("%s/scsi0.img", dir);
	g_autofree char *file = g_strdup_printf("%s/one-copy.img", st_dir);
	g_autoptr(GString) out = g_string_new(NULL);
	struct stat st;
	int ret;

	mkdir(dir, 0700);
	ret = enl_stor_backup(srv, dir, out);
	tap_ok(ret == 0 && strstr(out->str, "copied scsi:0") &&
	       same_file(img, copy) && !stat(copy, &st) &&
	       (st.st_mode & 0777) == 0600,
	       "backup into a directory: scsi0.img, the same bytes, mode 0600 "
	       "(%s)", g_strchomp(out->str));
	g_string_truncate(out, 0);
	ret = enl_stor_backup(srv, dir, out);
	tap_ok(ret == -EEXIST && same_file(img, copy),
	       "a second backup there: EEXIST, the first copy untouched");
	g_string_truncate(out, 0);
	ret = enl_stor_backup(srv, file, out);
	tap_ok(ret == 0 && same_file(img, file),
	       "one disk: backup into a file of that name");
}

/*
 * A second SCSI controller (after test_ide): disk list and stats name
 * every controller, a backup copies every disk of all of them.
 */
static void test_controllers(void)
{
	g_autofree char *img = g_strdup(st_image("second.img", 1 << 20));
	g_autofree char *one = g_strdup_printf("%s/one.img", st_dir);
	g_autofree char *ide = g_strdup_printf("%s/ide.img", st_dir);
	g_autofree char *dir = g_strdup_printf("%s/backup-all", st_dir);
	g_autofree char *line = NULL, *list = NULL, *stats = NULL;
	g_autofree char *want = NULL, *mine = NULL, *stat2 = NULL;
	g_autofree char *copy = NULL, *copy1 = NULL, *copy_ide = NULL;
	g_autofree char *said = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	uint32_t first;
	int relid, ret;

	relid = enl_vmbus_server_offer(srv, "scsi");
	g_free(fake_hv_pop(hv));
	line = g_strdup_printf("disk add %s --relid %d", img, relid);
	ret = fake_ctl_run(ctl, line, &list);
	tap_ok(relid > 0 && ret == 0 && primaries("scsi", &first) == 2,
	       "a second SCSI controller (relid %d), a disk added to it",
	       relid);
	g_clear_pointer(&list, g_free);
	ret = fake_ctl_run(ctl, "disk list", &list);
	want = g_strdup_printf("scsi:0 %s 1048576 bytes bs=512 ", img);
	mine = g_strdup_printf(" controller_relid=%d\n", relid);
	tap_ok(!ret && list && strstr(list, want) && strstr(list, mine) &&
	       strstr(list, " controller_relid=1\n") && strstr(list, "ide:0 "),
	       "disk list: the disks of both SCSI controllers and the IDE one");
	ret = fake_ctl_run(ctl, "disk stats", &stats);
	stat2 = g_strdup_printf("scsi: relid=%d ", relid);
	tap_ok(!ret && stats && strstr(stats, "scsi: relid=1 ") &&
	       strstr(stats, stat2) && strstr(stats, "ide: relid="),
	       "disk stats: a line per controller");
	mkdir(dir, 0700);
	ret = enl_stor_backup(srv, dir, out);
	copy = g_strdup_printf("%s/scsi0-relid%d.img", dir, relid);
	copy1 = g_strdup_printf("%s/scsi0.img", dir);
	copy_ide = g_strdup_printf("%s/ide0.img", dir);
	said = g_strdup_printf("copied scsi:0 (relid %d) ", relid);
	tap_ok(ret == 0 && same_file(img, copy) && same_file(one, copy1) &&
	       same_file(ide, copy_ide) && strstr(out->str, said),
	       "backup: every controller's disks, the first keeping scsi0.img "
	       "(%s)", g_strchomp(out->str));
}

/*
 * The class's save / reoffer / forget (chaos's heal): a controller taken
 * away comes back as a new offer with its disks on their LUNs, options
 * and all.
 */
static void test_reoffer(void)
{
	const struct enl_vsp_class *cls = &enl_vsp_scsi_class;
	g_autofree char *img = g_strdup(st_image("keep.img", 1 << 20));
	g_autofree char *line = NULL, *list = NULL, *want = NULL;
	int relid, again, ret;
	void *saved;

	relid = enl_vmbus_server_offer(srv, "scsi");
	line = g_strdup_printf("disk add %s,lun=2,wt,ro,bs=4096,serial=KEEP42 "
			       "--relid %d", img, relid);
	ret = fake_ctl_run(ctl, line, &list);
	g_clear_pointer(&list, g_free);
	tap_ok(relid > 0 && ret == 0, "a controller (relid %d) with a disk at "
	       "LUN 2: write-through, read-only, 4 KiB blocks, a serial", relid);
	if (relid <= 0)
		return;
	saved = guest_take_away(hv, C4, srv, (uint32_t)relid);
	again = cls->reoffer(srv, saved);
	cls->forget(saved);
	fake_hv_drain(hv);
	fake_ctl_run(ctl, "disk list", &list);
	want = g_strdup_printf("scsi:2 %s 1048576 bytes bs=4096 ro wt direct "
			       "serial=KEEP42 controller_relid=%d\n", img, again);
	tap_ok(again > 0 && list && strstr(list, want),
	       "offered again (relid %d) with its disk as it was", again);
	if (!list || !strstr(list, want))
		tap_diag("want %s in:\n%s", want, list ? list : "(no answer)");
}

/* A TEST UNIT READY of id, sent in-band; nothing awaited. */
static void send_tur(uint64_t id)
{
	uint8_t tur[6] = { 0 };
	struct enl_vstor_packet p;

	srb_init(&p, 0, tur, 6, ENL_VMSCSI_DATA_UNKNOWN, 0);
	send_inband(&p, sizeof(p), id);
	kick_host();
}

/* `disk fault`: the next SRB answers dropped, corrupted, delayed. */
static void test_faults(struct enl_ctl *ctl)
{
	g_autofree char *out = NULL;
	struct enl_vstor_packet p;
	struct enl_ring_pkt rp;
	gint64 t0;
	bool got;
	int ret;

	ret = fake_ctl_run(ctl, "disk fault drop 1", &out);
	tap_ok(ret == 0 && out && strstr(out, "fault drop left=1"),
	       "disk fault drop 1: armed (%s)", out ? g_strchomp(out) : "");
	g_clear_pointer(&out, g_free);
	send_tur(5001);
	g_usleep(300 * 1000);
	tap_ok(ring_empty(), "the next SRB's answer never comes");
	send_tur(5002);
	tap_ok(recv_pkt(&p, &rp) && rp.trans_id == 5002 &&
	       p.vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS,
	       "the one after it is answered as usual");

	ret = fake_ctl_run(ctl, "disk fault corrupt 2", &out);
	g_clear_pointer(&out, g_free);
	send_tur(5003);
	got = recv_pkt(&p, &rp) && rp.trans_id == 5003 &&
	      ENL_SRB_STATUS(p.vm_srb.srb_status) == 0x3d;
	send_tur(5004);
	tap_ok(ret == 0 && got && recv_pkt(&p, &rp) && rp.trans_id == 5004 &&
	       p.vm_srb.data_transfer_length == 0xfffffff0u,
	       "disk fault corrupt 2: an unknown SRB status, then a transfer "
	       "length beyond the request");
	send_tur(5005);
	tap_ok(recv_pkt(&p, &rp) && rp.trans_id == 5005 &&
	       p.vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS &&
	       !p.vm_srb.data_transfer_length, "then answers are whole again");

	ret = fake_ctl_run(ctl, "disk fault delay 400 1", &out);
	g_clear_pointer(&out, g_free);
	t0 = g_get_monotonic_time();
	send_tur(5006);
	got = ret == 0 && recv_pkt(&p, &rp) && rp.trans_id == 5006 &&
	      p.vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS;
	t0 = g_get_monotonic_time() - t0;
	tap_ok(got && t0 >= 350 * 1000,
	       "disk fault delay 400 1: the answer comes, %lld ms late",
	       (long long)t0 / 1000);

	ret = fake_ctl_run(ctl, "disk fault show", &out);
	tap_ok(ret == 0 && out && strstr(out, "fault none left=0") &&
	       strstr(out, "dropped=1 delayed=1 corrupted=2"),
	       "disk fault show: what was done (%s)",
	       out ? g_strchomp(out) : "");
	g_clear_pointer(&out, g_free);
	ret = fake_ctl_run(ctl, "disk fault delay", &out);
	g_clear_pointer(&out, g_free);
	tap_ok(ret == -EINVAL, "disk fault delay without MS: usage");
	ret = fake_ctl_run(ctl, "disk fault drop 5", &out);
	g_clear_pointer(&out, g_free);
	ret |= fake_ctl_run(ctl, "disk fault off", &out);
	send_tur(5007);
	tap_ok(ret == 0 && out && strstr(out, "fault none left=0") &&
	       recv_pkt(&p, &rp) && rp.trans_id == 5007,
	       "disk fault off disarms");
}

int main(void)
{
	g_autoptr(GString) out = g_string_new(NULL);
	const char *one;

	st_setup();
	hv = fake_hv_new(RAM, true);
	srv = enl_vmbus_server_new(hv);
	enl_vmbus_server_set_ram_fd(srv, hv->memfd);
	tap_ok(enl_vmbus_server_add_class(srv, &enl_vsp_scsi_class) == 0 &&
	       enl_vmbus_server_add_class(srv, &enl_vsp_ide_class) == 0,
	       "classes scsi and ide registered");
	ctl = fake_ctl_new();
	enl_stor_register_ctl(srv, ctl);
	one = st_image("one.img", 4 << 20);
	tap_ok(enl_stor_add_disk(srv, one, out) == 0 &&
	       !strcmp(out->str, "scsi:0\n") && srv->chan[1] && !srv->chan[2],
	       "--disk: a 4 MiB disk at scsi:0, its controller offered");
	guest_contact(hv, C4, ENL_VMBUS_VERSION_WIN10_V5_3, 0, 2);
	guest_simple(hv, C4, ENL_CHANNELMSG_REQUESTOFFERS);
	fake_hv_drain(hv);
	scsi_gc.conn_id = srv->chan[1]->conn_id;
	tap_ok(open_chan(), "the guest opens the SCSI controller's channel");

	test_handshake();
	test_subchannels();
	test_srbs();
	test_malformed();
	test_backup(one);
	test_hotplug(ctl);
	test_faults(ctl);
	test_batch();
	test_poll_mask();
	test_ring_full();

	test_ide();
	test_controllers();
	test_reoffer();

	guest_relid_msg(hv, C4, ENL_CHANNELMSG_CLOSECHANNEL, 1);
	guest_relid_msg(hv, C4, ENL_CHANNELMSG_CLOSECHANNEL, ide_gc.relid);
	fake_hv_drain(hv);
	enl_vmbus_server_free(srv);
	fake_ctl_free(ctl);
	fake_hv_free(hv);
	return tap_done();
}
