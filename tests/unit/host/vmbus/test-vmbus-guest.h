/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest half of the VMBus tests: builds channel messages, GPADLs and
 * rings in the fake guest RAM, as a guest's VMBus driver would.
 */
#ifndef ENL_TEST_VMBUS_GUEST_H
#define ENL_TEST_VMBUS_GUEST_H

#include <enlighten/vmbus_msg.h>
#include "ring.h"
#include "test-vmbus-fakehv.h"

struct guest_chan {
	uint32_t relid;
	uint32_t conn_id;
	uint32_t gpadl;
	uint32_t out_pfn, out_pages;	/* guest -> host ring */
	uint32_t in_pfn, in_pages;	/* host -> guest ring */
	struct enl_ring out, in;
};

uint16_t guest_contact(struct enl_hv *hv, uint32_t conn, uint32_t version,
		       uint32_t vp, uint8_t sint);
uint16_t guest_simple(struct enl_hv *hv, uint32_t conn, uint32_t msgtype);
uint16_t guest_relid_msg(struct enl_hv *hv, uint32_t conn, uint32_t msgtype,
			 uint32_t relid);
/*
 * A device taken away as chaos takes it: its class saves it, the host
 * rescinds relid, the guest releases it. What the class's save returned.
 */
struct enl_vmbus_server;
void *guest_take_away(struct enl_hv *hv, uint32_t conn,
		      struct enl_vmbus_server *srv, uint32_t relid);

/*
 * GPADL_HEADER (+ BODYs) for one page-aligned range over pfns; extra_bytes
 * of range_buflen and a byte_count override (0: npages * 4 KiB) make bad ones.
 */
void guest_gpadl(struct enl_hv *hv, uint32_t conn, uint32_t relid,
		 uint32_t handle, const uint64_t *pfns, uint32_t npages);
uint16_t guest_teardown(struct enl_hv *hv, uint32_t conn, uint32_t relid,
			uint32_t handle);
uint16_t guest_open(struct enl_hv *hv, uint32_t conn, uint32_t relid,
		    uint32_t openid, uint32_t gpadl, uint32_t vp,
		    uint32_t downstream_off);

/* Lay out both rings in guest RAM, reset them, and create their GPADL. */
void guest_chan_setup(struct enl_hv *hv, uint32_t conn, struct guest_chan *gc);

/*
 * The host's GPADL_CREATED for handle: its creation status, 0xdead when
 * the next message is not that.
 */
uint32_t guest_gpadl_created(struct enl_hv *hv, uint32_t handle);

/*
 * OPENCHANNEL for gc (rings and GPADL set up): true when the host answers
 * success for this relid and openid.
 */
bool guest_chan_open(struct enl_hv *hv, uint32_t conn, struct guest_chan *gc,
		     uint32_t openid);

/* Pop the next host message, expecting msgtype; NULL (and a diag) if not. */
struct fake_msg *expect_msg(struct enl_hv *hv, uint32_t msgtype);

#endif /* ENL_TEST_VMBUS_GUEST_H */
