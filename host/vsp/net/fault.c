// SPDX-License-Identifier: GPL-2.0-only
/*
 * Malformed network packets towards the guest, on purpose (`enl-host ctl
 * nic fault KIND`): for the guest driver's tests, which expect each to be
 * counted and dropped, never an oops or a hang. Never used by the normal
 * paths. RNDIS faults go through a real receive section (the guest's
 * completion frees it as usual); transfer-page faults are built here,
 * with a transaction id that names nothing (the guest's completion of it
 * is counted as stale).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "nic.h"

#define FAULT_TID	0xfa017fa017ull

/* A 60-byte broadcast frame: what the RNDIS faults carry. */
static void frame(uint8_t *f)
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x00\x15\x5d\xfa\x01\x70", 6);
	f[12] = 0x88;	/* a local experimental EtherType */
	f[13] = 0xb5;
}

struct pkt {
	struct enl_rndis_hdr h;
	struct enl_rndis_packet p;
	uint8_t rest[64 + 60];
} __attribute__((packed));

/* A well-formed RNDIS data message of one frame; its length. */
static uint32_t good_packet(struct pkt *m)
{
	memset(m, 0, sizeof(*m));
	m->h.type = ENL_RNDIS_MSG_PACKET;
	m->p.data_offset = sizeof(m->p);
	m->p.data_len = 60;
	frame(m->rest);
	m->h.len = sizeof(m->h) + sizeof(m->p) + 60;
	return m->h.len;
}

/* A PPI area of one element ahead of the frame; the message's length. */
static uint32_t with_ppi(struct pkt *m, uint32_t size, uint32_t ppi_off)
{
	struct enl_rndis_ppi ppi = { .size = size, .type = 0,
				     .ppi_offset = ppi_off };

	good_packet(m);
	m->p.ppi_offset = sizeof(m->p);
	m->p.ppi_len = ENL_RNDIS_PPI_U32_SIZE;
	memcpy(m->rest, &ppi, sizeof(ppi));
	m->p.data_offset = sizeof(m->p) + ENL_RNDIS_PPI_U32_SIZE;
	frame(m->rest + ENL_RNDIS_PPI_U32_SIZE);
	m->h.len = sizeof(m->h) + m->p.data_offset + 60;
	return m->h.len;
}

/* One coalesced-packet fragment (PKTINFO_ID) of a 60-byte frame. */
static uint32_t rsc_frag(struct pkt *m, uint8_t ver, uint8_t flag)
{
	struct enl_rndis_pktinfo_id id = { .ver = ver, .pkt_id = 0xfa01,
					   .flag = ENL_PKTINFO_SUBALLOC | flag };
	uint32_t len = with_ppi(m, ENL_RNDIS_PPI_U32_SIZE,
				sizeof(struct enl_rndis_ppi));
	uint32_t type = ENL_PPI_INTERNAL_PKTINFO_ID | ENL_RNDIS_PPI_INTERNAL;

	memcpy(m->rest + offsetof(struct enl_rndis_ppi, type), &type, 4);
	memcpy(m->rest + sizeof(struct enl_rndis_ppi), &id, sizeof(id));
	return len;
}

static int send_inband(struct nic_queue *q, const void *msg, uint32_t len)
{
	struct enl_ring_iov iov = { msg, len };

	return enl_vsp_send(q->ch, ENL_VMPKT_DATA_INBAND, 0, FAULT_TID, &iov, 1);
}

/* A transfer-page packet of one range, built by hand. */
static int send_xfer_raw(struct nic_queue *q, uint16_t pageset,
			 uint32_t off, uint32_t count, uint32_t range_cnt)
{
	struct enl_vmtransfer_page_packet_header h;
	struct enl_vmtransfer_page_range r = { count, off };
	struct enl_nvsp_message m;
	struct enl_ring_iov iov[3];

	memset(&h, 0, sizeof(h));
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT;
	m.msg.rndis.channel_type = ENL_NVSP_CHANNEL_DATA;
	m.msg.rndis.section_index = ENL_NVSP_NO_SECTION;
	h.d.type = ENL_VMPKT_DATA_USING_XFER_PAGES;
	h.d.flags = ENL_VMPKT_FLAG_COMPLETION_REQUESTED;
	h.d.trans_id = FAULT_TID;
	h.d.offset8 = (uint16_t)((sizeof(h) + sizeof(r)) / 8);
	h.xfer_pageset_id = pageset;
	h.range_cnt = range_cnt;
	iov[0] = (struct enl_ring_iov){ &h, sizeof(h) };
	iov[1] = (struct enl_ring_iov){ &r, sizeof(r) };
	iov[2] = (struct enl_ring_iov){ &m, sizeof(m) };
	return enl_vsp_send_raw(q->ch, iov, 3);
}

struct fault {
	const char *kind;
	const char *what;
};

static const struct fault faults[] = {
	{ "rndis-len-past-range", "an RNDIS packet whose length is past its transfer range" },
	{ "rndis-len-zero", "an RNDIS packet of length 0" },
	{ "rndis-short", "a 4-byte transfer range (no whole RNDIS header)" },
	{ "rndis-unknown-type", "an RNDIS message of type 0x77" },
	{ "data-past-end", "data_len past the message's end" },
	{ "data-offset-wrap", "data_offset 0xfffffff0 (wraps 32 bits)" },
	{ "ppi-past-end", "the per-packet-info area past the message's end" },
	{ "ppi-size-zero", "a per-packet info of size 0" },
	{ "ppi-offset-bad", "a per-packet info whose data offset is past its size" },
	{ "rsc-orphan", "a last coalesced fragment whose first never came" },
	{ "rsc-unfinished", "a first coalesced fragment whose transfer ends without the last" },
	{ "rsc-bad-version", "a coalesced fragment of PKTINFO_ID version 7" },
	{ "indicate-past-end", "an INDICATE_STATUS whose buffer is past its end" },
	{ "completion-unknown-id", "a QUERY completion for a request never sent" },
	{ "xfer-past-buffer", "a transfer range past the receive buffer's end" },
	{ "xfer-bad-pageset", "a transfer naming pageset 0x1234" },
	{ "xfer-range-count", "a transfer claiming 65535 ranges, holding one" },
	{ "nvsp-unknown", "an NVSP message of unknown type 0x999" },
	{ "nvsp-short", "a 2-byte NVSP message" },
	{ "table-bad", "a send indirection table whose offset is past the message" },
	{ "completion-unknown-tid", "a completion naming a transaction never used" },
};

void enl_nic_fault_kinds(GString *out)
{
	for (size_t i = 0; i < G_N_ELEMENTS(faults); i++)
		g_string_append_printf(out, "%s: %s\n", faults[i].kind,
				       faults[i].what);
}

static int do_fault(struct enl_nic *n, struct nic_queue *q, size_t i)
{
	const char *k = faults[i].kind;
	uint64_t span = enl_net_recv_span(n->dev);
	struct pkt m;
	uint32_t len;

	if (!strncmp(k, "rndis-", 6) || !strncmp(k, "data-", 5) ||
	    !strncmp(k, "ppi-", 4) || !strncmp(k, "rsc-", 4) ||
	    !strcmp(k, "indicate-past-end") ||
	    !strcmp(k, "completion-unknown-id")) {
		uint32_t range = 0, ctype = ENL_NVSP_CHANNEL_DATA;

		if (!span)
			return -ENOTCONN;
		len = good_packet(&m);
		if (!strcmp(k, "rndis-len-past-range")) {
			m.h.len = 4096;
		} else if (!strcmp(k, "rndis-len-zero")) {
			m.h.len = 0;
		} else if (!strcmp(k, "rndis-short")) {
			range = 4;
		} else if (!strcmp(k, "rndis-unknown-type")) {
			m.h.type = 0x77;
		} else if (!strcmp(k, "data-past-end")) {
			m.p.data_len = 5000;
		} else if (!strcmp(k, "data-offset-wrap")) {
			m.p.data_offset = 0xfffffff0u;
		} else if (!strcmp(k, "ppi-past-end")) {
			len = with_ppi(&m, ENL_RNDIS_PPI_U32_SIZE,
				       sizeof(struct enl_rndis_ppi));
			m.p.ppi_len = 4000;
		} else if (!strcmp(k, "ppi-size-zero")) {
			len = with_ppi(&m, 0, sizeof(struct enl_rndis_ppi));
		} else if (!strcmp(k, "ppi-offset-bad")) {
			len = with_ppi(&m, ENL_RNDIS_PPI_U32_SIZE, 200);
		} else if (!strcmp(k, "rsc-orphan")) {
			len = rsc_frag(&m, ENL_PKTINFO_ID_V1, ENL_PKTINFO_LAST_FRAG);
		} else if (!strcmp(k, "rsc-unfinished")) {
			len = rsc_frag(&m, ENL_PKTINFO_ID_V1, ENL_PKTINFO_1ST_FRAG);
		} else if (!strcmp(k, "rsc-bad-version")) {
			len = rsc_frag(&m, 7, ENL_PKTINFO_1ST_FRAG |
				       ENL_PKTINFO_LAST_FRAG);
		} else if (!strcmp(k, "indicate-past-end")) {
			struct enl_rndis_indicate_status s = {
				.status = ENL_RNDIS_STATUS_MEDIA_CONNECT,
				.status_buflen = 4096,
				.status_buf_offset = sizeof(s),
			};

			memset(&m, 0, sizeof(m));
			m.h.type = ENL_RNDIS_MSG_INDICATE;
			memcpy(&m.p, &s, sizeof(s));
			len = m.h.len = sizeof(m.h) + sizeof(s) + 8;
			ctype = ENL_NVSP_CHANNEL_CONTROL;
		} else {
			struct enl_rndis_query_complete c = {
				.req_id = 0xdeadbeef, .status = 0,
				.info_buflen = 6, .info_buf_offset = sizeof(c),
			};

			memset(&m, 0, sizeof(m));
			m.h.type = ENL_RNDIS_MSG_QUERY_C;
			memcpy(&m.p, &c, sizeof(c));
			len = m.h.len = sizeof(m.h) + sizeof(c) + 8;
			ctype = ENL_NVSP_CHANNEL_CONTROL;
		}
		return enl_net_xfer_raw(n->dev, q->index, ctype, &m, len, range);
	}
	if (!strncmp(k, "xfer-", 5)) {
		if (!span)
			return -ENOTCONN;
		if (!strcmp(k, "xfer-past-buffer"))
			return send_xfer_raw(q, 0xcafe, (uint32_t)span - 16, 4096, 1);
		if (!strcmp(k, "xfer-bad-pageset"))
			return send_xfer_raw(q, 0x1234, 0, 64, 1);
		return send_xfer_raw(q, 0xcafe, 0, 64, 0xffff);
	}
	if (!strcmp(k, "nvsp-unknown")) {
		struct enl_nvsp_message nm = { .hdr.msg_type = 0x999 };

		return send_inband(q, &nm, sizeof(nm));
	}
	if (!strcmp(k, "nvsp-short")) {
		uint16_t two = 1;

		return send_inband(q, &two, sizeof(two));
	}
	if (!strcmp(k, "table-bad")) {
		struct enl_nvsp_indirection_msg t;

		enl_net_send_table(n->dev, 1, &t);
		t.m.msg.indirection.offset = 4000;
		return send_inband(q, &t, sizeof(t));
	}
	/* completion-unknown-tid */
	{
		struct enl_nvsp_message c = {
			.hdr.msg_type = ENL_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE,
		};
		struct enl_ring_iov iov = { &c, sizeof(c) };

		return enl_vsp_send(q->ch, ENL_VMPKT_COMP, 0, FAULT_TID, &iov, 1);
	}
}

int enl_nic_fault(struct enl_nic *n, const char *kind, GString *out)
{
	struct nic_queue *q0 = n->queues[0];
	int ret;

	for (size_t i = 0; i < G_N_ELEMENTS(faults); i++) {
		if (strcmp(kind, faults[i].kind))
			continue;
		if (!q0 || !q0->open) {
			g_string_append(out, "the guest has not opened the NIC\n");
			return -ENOTCONN;
		}
		enl_vsp_batch_begin(q0->ch);
		ret = do_fault(n, q0, i);
		enl_vsp_batch_end(q0->ch);
		if (ret == -ENOTCONN)
			g_string_append(out, "the guest has given no receive "
					"buffer yet\n");
		else if (ret)
			g_string_append_printf(out, "%s: %s\n", kind,
					       g_strerror(-ret));
		else
			nic_count(n, faults);
		return ret;
	}
	g_string_append_printf(out, "no fault %s; these exist:\n", kind);
	enl_nic_fault_kinds(out);
	return -EINVAL;
}
