// SPDX-License-Identifier: GPL-2.0-only
/* The guest half of the VMBus tests (see the header). */
#include <stdio.h>
#include <string.h>

#include "server.h"
#include "server_priv.h"
#include "test-vmbus-guest.h"

#define PG	4096u

uint16_t guest_contact(struct enl_hv *hv, uint32_t conn, uint32_t version,
		       uint32_t vp, uint8_t sint)
{
	struct enl_vmbus_channel_initiate_contact m = { 0 };

	m.header.msgtype = ENL_CHANNELMSG_INITIATE_CONTACT;
	m.vmbus_version_requested = version;
	m.target_vcpu = vp;
	if (version >= ENL_VMBUS_VERSION_WIN10_V5)
		m.msg_sint = sint;
	else
		m.interrupt_page = 0x1000;
	m.monitor_page1 = 0x2000;
	m.monitor_page2 = 0x3000;
	return fake_guest_post(hv, conn, &m, sizeof(m));
}

uint16_t guest_simple(struct enl_hv *hv, uint32_t conn, uint32_t msgtype)
{
	struct enl_vmbus_channel_message_header h = { .msgtype = msgtype };

	return fake_guest_post(hv, conn, &h, sizeof(h));
}

uint16_t guest_relid_msg(struct enl_hv *hv, uint32_t conn, uint32_t msgtype,
			 uint32_t relid)
{
	struct enl_vmbus_channel_close_channel m = { 0 };

	m.header.msgtype = msgtype;
	m.child_relid = relid;
	return fake_guest_post(hv, conn, &m, sizeof(m));
}

void *guest_take_away(struct enl_hv *hv, uint32_t conn,
		      struct enl_vmbus_server *srv, uint32_t relid)
{
	struct enl_vsp_channel *ch = enl_vmbus_chan_lookup(srv, relid);
	void *saved = ch && ch->cls->save ? ch->cls->save(ch) : NULL;

	enl_vmbus_server_rescind(srv, relid);
	guest_relid_msg(hv, conn, ENL_CHANNELMSG_RELID_RELEASED, relid);
	fake_hv_drain(hv);
	return saved;
}

void guest_gpadl(struct enl_hv *hv, uint32_t conn, uint32_t relid,
		 uint32_t handle, const uint64_t *pfns, uint32_t npages)
{
	uint8_t buf[240];
	struct enl_vmbus_channel_gpadl_header *h = (void *)buf;
	struct enl_vmbus_channel_gpadl_body *b = (void *)buf;
	struct enl_gpa_range r = { .byte_count = npages * PG };
	uint32_t n = MIN(npages, (uint32_t)ENL_VMBUS_GPADL_HEADER_MAX_PFNS);
	uint32_t done;

	memset(buf, 0, sizeof(buf));
	h->header.msgtype = ENL_CHANNELMSG_GPADL_HEADER;
	h->child_relid = relid;
	h->gpadl = handle;
	h->range_buflen = sizeof(r) + npages * 8;
	h->rangecount = 1;
	memcpy(h->range, &r, sizeof(r));
	memcpy(h->range + sizeof(r), pfns, n * 8);
	fake_guest_post(hv, conn, buf, sizeof(*h) + sizeof(r) + n * 8);
	for (done = n; done < npages; done += n) {
		n = MIN(npages - done, (uint32_t)ENL_VMBUS_GPADL_BODY_MAX_PFNS);
		memset(buf, 0, sizeof(buf));
		b->header.msgtype = ENL_CHANNELMSG_GPADL_BODY;
		b->gpadl = handle;
		memcpy(b->pfn, pfns + done, n * 8);
		fake_guest_post(hv, conn, buf, sizeof(*b) + n * 8);
	}
}

uint16_t guest_teardown(struct enl_hv *hv, uint32_t conn, uint32_t relid,
			uint32_t handle)
{
	struct enl_vmbus_channel_gpadl_teardown m = { 0 };

	m.header.msgtype = ENL_CHANNELMSG_GPADL_TEARDOWN;
	m.child_relid = relid;
	m.gpadl = handle;
	return fake_guest_post(hv, conn, &m, sizeof(m));
}

uint16_t guest_open(struct enl_hv *hv, uint32_t conn, uint32_t relid,
		    uint32_t openid, uint32_t gpadl, uint32_t vp,
		    uint32_t downstream_off)
{
	struct enl_vmbus_channel_open_channel m = { 0 };

	m.header.msgtype = ENL_CHANNELMSG_OPENCHANNEL;
	m.child_relid = relid;
	m.openid = openid;
	m.ringbuffer_gpadlhandle = gpadl;
	m.target_vp = vp;
	m.downstream_ringbuffer_pageoffset = downstream_off;
	return fake_guest_post(hv, conn, &m, sizeof(m));
}

void guest_chan_setup(struct enl_hv *hv, uint32_t conn, struct guest_chan *gc)
{
	uint64_t pfns[64];
	uint8_t *base = hv->mem.base;
	uint32_t i, n = 0;

	g_assert(gc->out_pages + gc->in_pages <= G_N_ELEMENTS(pfns));
	for (i = 0; i < gc->out_pages; i++)
		pfns[n++] = gc->out_pfn + i;
	for (i = 0; i < gc->in_pages; i++)
		pfns[n++] = gc->in_pfn + i;
	g_assert(enl_ring_init(&gc->out, (void *)(base + gc->out_pfn * PG),
			       base + (gc->out_pfn + 1) * PG,
			       (gc->out_pages - 1) * PG) == 0);
	g_assert(enl_ring_init(&gc->in, (void *)(base + gc->in_pfn * PG),
			       base + (gc->in_pfn + 1) * PG,
			       (gc->in_pages - 1) * PG) == 0);
	enl_ring_reset(&gc->out);
	enl_ring_reset(&gc->in);
	guest_gpadl(hv, conn, gc->relid, gc->gpadl, pfns, n);
}

struct fake_msg *expect_msg(struct enl_hv *hv, uint32_t msgtype)
{
	struct fake_msg *m = fake_hv_pop(hv);

	if (!m) {
		printf("# expected msgtype %u, queue empty\n", msgtype);
		return NULL;
	}
	if (fake_msgtype(m) != msgtype) {
		printf("# expected msgtype %u, got %u\n", msgtype,
		       fake_msgtype(m));
		g_free(m);
		return NULL;
	}
	return m;
}

uint32_t guest_gpadl_created(struct enl_hv *hv, uint32_t handle)
{
	struct fake_msg *m = expect_msg(hv, ENL_CHANNELMSG_GPADL_CREATED);
	struct enl_vmbus_channel_gpadl_created *c = m ? (void *)m->data : NULL;
	uint32_t st = c && c->gpadl == handle ? c->creation_status : 0xdead;

	g_free(m);
	return st;
}

bool guest_chan_open(struct enl_hv *hv, uint32_t conn, struct guest_chan *gc,
		     uint32_t openid)
{
	struct fake_msg *m;
	struct enl_vmbus_channel_open_result *r;
	bool ok;

	guest_open(hv, conn, gc->relid, openid, gc->gpadl, 0, gc->out_pages);
	m = expect_msg(hv, ENL_CHANNELMSG_OPENCHANNEL_RESULT);
	r = m ? (void *)m->data : NULL;
	ok = r && r->child_relid == gc->relid && r->openid == openid &&
	     !r->status;
	g_free(m);
	return ok;
}
