/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SynIC emulation against a fake guest: message slots, msg_pending + EOM,
 * queueing before enablement, event flags, call slots and hostile input.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <enlighten/hv_synic.h>
#include <enlighten/hvif.h>

#include "fake_guest.h"
#include "guest_mem.h"
#include "hv.h"
#include "tap.h"

#define SIMP_GPA	0x10000
#define SIEFP_GPA	0x11000
#define SINT		2

static struct fake_guest g;

/* What the VMBus server would have seen. */
static struct {
	unsigned int posts, signals, changes;
	uint32_t conn, type, size, flag;
	uint8_t payload[256];
	uint16_t status;
} up;

static uint16_t up_post(void *ctx, uint32_t conn, uint32_t type,
			const void *payload, uint32_t size)
{
	(void)ctx;
	up.posts++;
	up.conn = conn;
	up.type = type;
	up.size = size;
	memcpy(up.payload, payload, size);
	return up.status;
}

static uint16_t up_signal(void *ctx, uint32_t conn, uint16_t flag)
{
	(void)ctx;
	up.signals++;
	up.conn = conn;
	up.flag = flag;
	return up.status;
}

static void up_changed(void *ctx, uint32_t vp)
{
	(void)ctx;
	(void)vp;
	up.changes++;
}

static const struct enl_hv_ops up_ops = {
	.post_message = up_post,
	.signal_event = up_signal,
	.synic_changed = up_changed,
};

/* A fresh snapshot of the counters. */
static const struct enl_hv_stats *stats_of(struct enl_hv *hv)
{
	static struct enl_hv_stats s;

	enl_hv_stats(hv, &s);
	return &s;
}

static struct enl_hv_message *slot(uint32_t sint)
{
	return enl_gpa_ptr(&g.mem, SIMP_GPA + sint * 256, 256);
}

static struct enl_hv_synic_event_flags *events(uint32_t sint)
{
	return enl_gpa_ptr(&g.mem, SIEFP_GPA + sint * 256, 256);
}

/* The guest's side of a message: free the slot, EOM if asked to. */
static void guest_consume(struct enl_hv *hv, uint32_t sint)
{
	struct enl_hv_message *m = slot(sint);
	int pending = m->header.message_flags & ENL_HV_MESSAGE_FLAG_PENDING;

	m->header.message_type = ENL_HVMSG_NONE;
	if (pending)
		enl_hv_wrmsr(hv, 0, ENL_HV_MSR_EOM, 0);
}

static void enable_synic(struct enl_hv *hv, uint32_t sint)
{
	enl_hv_wrmsr(hv, 0, ENL_HV_MSR_SIMP, SIMP_GPA | 1);
	enl_hv_wrmsr(hv, 0, ENL_HV_MSR_SIEFP, SIEFP_GPA | 1);
	enl_hv_wrmsr(hv, 0, ENL_HV_MSR_SINT(sint), 0x30);
	enl_hv_wrmsr(hv, 0, ENL_HV_MSR_SCONTROL, 1);
}

static void test_gpa_bounds(void)
{
	tap_ok(enl_gpa_ptr(&g.mem, 0, FAKE_RAM_SIZE) == g.mem.base,
	       "gpa: all of RAM is addressable");
	tap_ok(!enl_gpa_ptr(&g.mem, FAKE_RAM_SIZE - 1, 2), "gpa: straddling the end refused");
	tap_ok(!enl_gpa_ptr(&g.mem, UINT64_MAX, 2), "gpa: wrapping range refused");
	tap_ok(!enl_gpa_ptr(&g.mem, 0, UINT64_MAX), "gpa: huge length refused");
	tap_ok(enl_gpa_ptr(&g.mem, FAKE_RAM_SIZE, 1) == NULL &&
	       enl_gpa_ptr(&g.mem, FAKE_RAM_SIZE - 1, 1) != NULL,
	       "gpa: last byte in, first byte after out");
}

static void test_messages(void)
{
	struct enl_hv *hv = enl_hv_new(1, &g.mem, &fake_irq_ops, &g);
	uint8_t p[240];
	uint64_t v;
	int i;

	memset(g.mem.base, 0, FAKE_RAM_SIZE);
	g.nr_raised = 0;
	up.changes = 0;
	enl_hv_set_ops(hv, &up_ops, NULL);
	for (i = 0; i < 240; i++)
		p[i] = (uint8_t)i;

	tap_ok(enl_hv_post_message(hv, 0, SINT, 1, p, 16) == 0,
	       "queued before enablement");
	tap_ok(!enl_hv_sint_ready(hv, 0, SINT) && g.nr_raised == 0 &&
	       slot(SINT)->header.message_type == 0,
	       "nothing written or raised before enablement");
	enl_hv_wrmsr(hv, 0, ENL_HV_MSR_SIMP, SIMP_GPA | 1);
	enl_hv_wrmsr(hv, 0, ENL_HV_MSR_SINT(SINT), 0x30);
	tap_ok(g.nr_raised == 0, "SIMP + SINT without SCONTROL: still waiting");
	enl_hv_wrmsr(hv, 0, ENL_HV_MSR_SCONTROL, 1);
	tap_ok(enl_hv_sint_ready(hv, 0, SINT), "ready after SCONTROL");
	tap_ok(slot(SINT)->header.message_type == 1 &&
	       slot(SINT)->header.payload_size == 16 &&
	       !memcmp(slot(SINT)->u.bytes, p, 16),
	       "queued message delivered on enablement");
	tap_ok(g.nr_raised == 1 && g.raised[0].vp == 0 && g.raised[0].sint == SINT,
	       "SINT raised once");
	tap_ok(up.changes == 3, "synic_changed upcall per register write (%u)",
	       up.changes);

	/* Slot busy: two more wait, the slot asks for EOM. */
	enl_hv_post_message(hv, 0, SINT, 2, p, 240);
	enl_hv_post_message(hv, 0, SINT, 3, p + 1, 8);
	tap_ok(slot(SINT)->header.message_type == 1 &&
	       (slot(SINT)->header.message_flags & ENL_HV_MESSAGE_FLAG_PENDING),
	       "busy slot: msg_pending set, message kept");
	tap_ok(g.nr_raised == 1 && stats_of(hv)->msg_queued >= 2, "no raise while busy");
	guest_consume(hv, SINT);
	tap_ok(slot(SINT)->header.message_type == 2 &&
	       slot(SINT)->header.payload_size == 240 &&
	       (slot(SINT)->header.message_flags & ENL_HV_MESSAGE_FLAG_PENDING) &&
	       g.nr_raised == 2, "EOM delivers the next, still pending");
	guest_consume(hv, SINT);
	tap_ok(slot(SINT)->header.message_type == 3 &&
	       !memcmp(slot(SINT)->u.bytes, p + 1, 8) &&
	       !(slot(SINT)->header.message_flags & ENL_HV_MESSAGE_FLAG_PENDING) &&
	       g.nr_raised == 3, "last one delivered without msg_pending");
	guest_consume(hv, SINT);
	tap_ok(stats_of(hv)->eom == 2, "no EOM when msg_pending was clear (%llu)",
	       (unsigned long long)stats_of(hv)->eom);
	enl_hv_post_message(hv, 0, SINT, 4, NULL, 0);
	tap_ok(slot(SINT)->header.message_type == 4 && g.nr_raised == 4,
	       "free slot: delivered at once");
	guest_consume(hv, SINT);

	/* Freed slot without EOM while something waits: any doorbell retries. */
	enl_hv_post_message(hv, 0, SINT, 5, NULL, 0);
	enl_hv_post_message(hv, 0, SINT, 6, NULL, 0);
	slot(SINT)->header.message_type = 0;	/* a guest that skips EOM */
	enl_hv_process_calls(hv, NULL, 0);
	tap_ok(slot(SINT)->header.message_type == 6, "retry on doorbell");
	slot(SINT)->header.message_type = 0;

	/* A masked SINT waits, unmasking delivers. */
	enl_hv_post_message(hv, 0, 3, 7, NULL, 0);
	tap_ok(slot(3)->header.message_type == 0, "masked SINT: waits");
	enl_hv_wrmsr(hv, 0, ENL_HV_MSR_SINT(3), 0x31);
	tap_ok(slot(3)->header.message_type == 7, "unmasked: delivered");
	enl_hv_rdmsr(hv, 0, ENL_HV_MSR_SINT(3), &v);
	tap_ok(v == 0x31, "SINT reads back");

	/* Polling SINT: written, not raised. */
	slot(4)->header.message_type = 0;
	enl_hv_wrmsr(hv, 0, ENL_HV_MSR_SINT(4), ENL_HV_SYNIC_SINT_POLLING | 0x32);
	i = (int)g.nr_raised;
	enl_hv_post_message(hv, 0, 4, 8, NULL, 0);
	tap_ok(slot(4)->header.message_type == 8 && (int)g.nr_raised == i,
	       "polling SINT: message without interrupt");

	/* Host-side misuse. */
	tap_ok(enl_hv_post_message(hv, 0, SINT, 1, p, 241) == -EMSGSIZE,
	       "oversize host message refused");
	tap_ok(enl_hv_post_message(hv, 1, SINT, 1, p, 1) == -EINVAL &&
	       enl_hv_post_message(hv, 0, 16, 1, p, 1) == -EINVAL &&
	       enl_hv_post_message(hv, 0, SINT, 0, p, 1) == -EINVAL,
	       "bad vp, sint, type refused");
	for (i = 0; i < 2000; i++)
		if (enl_hv_post_message(hv, 0, 5, 1, NULL, 0) == -ENOBUFS)
			break;
	tap_ok(i == 1024 && stats_of(hv)->msg_dropped == 1, "queue bounded at %d", i);
	enl_hv_free(hv);
}

/* What `status` reports as left for the guest: flags 5 and 100 are set. */
static void test_pending(struct enl_hv *hv)
{
	struct enl_hv_sint_pending p;
	uint32_t i;

	tap_ok(enl_hv_sint_pending(hv, 0, SINT, &p) == 0 && p.nr_flags == 2 &&
	       p.flags[0] == 5 && p.flags[1] == 100 && p.msg_type == 0 &&
	       p.queued == 0, "pending: the two flags the guest left, no message");
	for (i = 0; i < 40; i++)
		enl_hv_signal_event(hv, 0, SINT, 1000 + i);
	enl_hv_post_message(hv, 0, SINT, 7, NULL, 0);
	enl_hv_post_message(hv, 0, SINT, 8, NULL, 0);
	tap_ok(enl_hv_sint_pending(hv, 0, SINT, &p) == 0 && p.nr_flags == 42 &&
	       p.flags[ENL_HV_PENDING_FLAGS_MAX - 1] == 1000 + 13 &&
	       p.msg_type == 7 && p.queued == 1,
	       "pending: all flags counted, the lowest listed; the slot and the queue");
	guest_consume(hv, SINT);
	memset(events(SINT), 0, sizeof(*events(SINT)));
	tap_ok(enl_hv_sint_pending(hv, 0, SINT, &p) == 0 && !p.nr_flags &&
	       p.msg_type == 8 && !p.queued, "pending: taken by the guest, gone");
	tap_ok(enl_hv_sint_pending(hv, 1, SINT, &p) == -EINVAL &&
	       enl_hv_sint_pending(hv, 0, 16, &p) == -EINVAL,
	       "pending: vp, sint out of range refused");
}

static void test_events(void)
{
	struct enl_hv *hv = enl_hv_new(1, &g.mem, &fake_irq_ops, &g);

	memset(g.mem.base, 0, FAKE_RAM_SIZE);
	g.nr_raised = 0;
	tap_ok(enl_hv_signal_event(hv, 0, SINT, 5) == 0 && g.nr_raised == 0,
	       "event before enablement: held");
	enable_synic(hv, SINT);
	tap_ok(events(SINT)->flags[0] == (1u << 5) && g.nr_raised == 1,
	       "held event set on enablement");
	enl_hv_signal_event(hv, 0, SINT, 100);
	tap_ok((events(SINT)->flags[1] & (1ull << 36)) &&
	       ((uint8_t *)events(SINT))[12] == 0x10 && g.nr_raised == 2,
	       "flag 100 is bit 4 of byte 12, raised");
	enl_hv_signal_event(hv, 0, SINT, 100);
	tap_ok(g.nr_raised == 2, "already set: no second interrupt");
	events(SINT)->flags[1] = 0;
	enl_hv_signal_event(hv, 0, SINT, 100);
	tap_ok(g.nr_raised == 3, "cleared by the guest: raised again");
	tap_ok(enl_hv_signal_event(hv, 0, SINT, 2048) == -EINVAL &&
	       enl_hv_signal_event(hv, 0, 16, 0) == -EINVAL &&
	       enl_hv_signal_event(hv, 9, 0, 0) == -EINVAL,
	       "flag, sint, vp out of range refused");
	tap_ok(events(SINT + 1)->flags[0] == 0, "neighbouring SINT untouched");
	test_pending(hv);
	enl_hv_free(hv);
}

static uint16_t do_call(struct enl_hv *hv, struct enl_hvif_call *calls,
			uint32_t vp, uint32_t op, uint64_t a0, uint64_t a1)
{
	calls[vp].op = op;
	calls[vp].arg[0] = a0;
	calls[vp].arg[1] = a1;
	calls[vp].seq++;
	enl_hv_process_calls(hv, calls, 2);
	return calls[vp].done == calls[vp].seq ? (uint16_t)calls[vp].status
					       : 0xffff;
}

static uint16_t post(struct enl_hv *hv, struct enl_hvif_call *calls,
		     uint64_t control, uint32_t conn, uint32_t type,
		     uint32_t size)
{
	struct enl_hv_input_post_message in = {
		.connection_id = conn, .message_type = type,
		.payload_size = size,
	};

	memset(in.payload, 0xab, sizeof(in.payload));
	memcpy(calls[0].input, &in, sizeof(in));
	return do_call(hv, calls, 0, ENL_HVIF_OP_HYPERCALL, control, 0);
}

static void test_call_slots(void)
{
	struct enl_hvif_call calls[2];
	struct enl_hv *hv = enl_hv_new(2, &g.mem, &fake_irq_ops, &g);
	uint64_t before;

	memset(calls, 0, sizeof(calls));
	memset(&up, 0, sizeof(up));
	enl_hv_set_ops(hv, &up_ops, NULL);

	tap_ok(post(hv, calls, ENL_HVCALL_POST_MESSAGE, 1, 1, 8) ==
	       ENL_HV_STATUS_ACCESS_DENIED && up.posts == 0,
	       "hypercall before guest OS id refused");
	tap_ok(do_call(hv, calls, 0, ENL_HVIF_OP_WRMSR, ENL_HV_MSR_GUEST_OS_ID,
		       ENL_HV_GUEST_OS_ID(0x060100)) == 0, "WRMSR guest OS id");
	tap_ok(do_call(hv, calls, 1, ENL_HVIF_OP_RDMSR, ENL_HV_MSR_VP_INDEX, 0) == 0 &&
	       calls[1].arg[1] == 1, "RDMSR VP index from slot 1 is 1");
	tap_ok(do_call(hv, calls, 0, ENL_HVIF_OP_RDMSR, ENL_HV_MSR_SVERSION, 0) == 0 &&
	       calls[0].arg[1] == 1, "SVERSION reads 1");
	tap_ok(do_call(hv, calls, 1, ENL_HVIF_OP_RDMSR, ENL_HV_MSR_GUEST_OS_ID, 0) == 0 &&
	       calls[1].arg[1] == ENL_HV_GUEST_OS_ID(0x060100),
	       "guest OS id is partition-wide");
	before = stats_of(hv)->calls;
	enl_hv_process_calls(hv, calls, 2);
	tap_ok(stats_of(hv)->calls == before, "seq == done: nothing served");

	/* Hostile input. */
	tap_ok(do_call(hv, calls, 0, ENL_HVIF_OP_WRMSR, 0x12345, 1) ==
	       ENL_HV_STATUS_INVALID_PARAMETER && stats_of(hv)->bad_msr == 1,
	       "unknown MSR: error + counter");
	tap_ok(do_call(hv, calls, 0, ENL_HVIF_OP_RDMSR, 0xc0000080, 0) ==
	       ENL_HV_STATUS_INVALID_PARAMETER, "unknown RDMSR refused");
	tap_ok(do_call(hv, calls, 0, ENL_HVIF_OP_WRMSR, ENL_HV_MSR_VP_INDEX, 5) ==
	       ENL_HV_STATUS_ACCESS_DENIED, "read-only MSR refused");
	tap_ok(do_call(hv, calls, 0, ENL_HVIF_OP_WRMSR,
		       (1ull << 32) | ENL_HV_MSR_SCONTROL, 1) ==
	       ENL_HV_STATUS_INVALID_PARAMETER, "MSR number above 32 bits refused");
	before = stats_of(hv)->bad_op;
	tap_ok(do_call(hv, calls, 0, 99, 0, 0) == ENL_HV_STATUS_INVALID_PARAMETER &&
	       stats_of(hv)->bad_op == before + 1, "unknown op refused");
	tap_ok(do_call(hv, calls, 0, ENL_HVIF_OP_WRMSR, ENL_HV_MSR_SIMP,
		       FAKE_RAM_SIZE | 1) == ENL_HV_STATUS_INVALID_PARAMETER &&
	       do_call(hv, calls, 0, ENL_HVIF_OP_WRMSR, ENL_HV_MSR_SIEFP,
		       0xfffffffffffff001ull) == ENL_HV_STATUS_INVALID_PARAMETER &&
	       stats_of(hv)->bad_gpa == 2, "SIMP/SIEFP outside RAM refused");
	tap_ok(do_call(hv, calls, 0, ENL_HVIF_OP_WRMSR, ENL_HV_MSR_SIMP,
		       (FAKE_RAM_SIZE - 4096) | 1) == 0,
	       "SIMP on the last page accepted");
	tap_ok(do_call(hv, calls, 0, ENL_HVIF_OP_WRMSR, ENL_HV_MSR_SIMP,
		       FAKE_RAM_SIZE * 4) == 0, "disabled SIMP may hold any GPA");

	tap_ok(post(hv, calls, ENL_HVCALL_POST_MESSAGE, 4, 1, 241) ==
	       ENL_HV_STATUS_INVALID_PARAMETER && up.posts == 0,
	       "oversize HvPostMessage refused");
	tap_ok(post(hv, calls, ENL_HVCALL_POST_MESSAGE, 4, 0xffffffff, 8) ==
	       ENL_HV_STATUS_INVALID_PARAMETER &&
	       post(hv, calls, ENL_HVCALL_POST_MESSAGE, 4, 0, 8) ==
	       ENL_HV_STATUS_INVALID_PARAMETER, "bad message types refused");
	tap_ok(post(hv, calls, ENL_HVCALL_POST_MESSAGE, 0x1000004, 1, 8) ==
	       ENL_HV_STATUS_INVALID_CONNECTION_ID, "connection id > 24 bits refused");
	tap_ok(post(hv, calls, ENL_HVCALL_POST_MESSAGE | ENL_HV_HYPERCALL_FAST,
		    4, 1, 8) == ENL_HV_STATUS_INVALID_HYPERCALL_INPUT,
	       "fast HvPostMessage refused");
	tap_ok(post(hv, calls, ENL_HVCALL_POST_MESSAGE | (1ull << 32), 4, 1, 8) ==
	       ENL_HV_STATUS_INVALID_HYPERCALL_INPUT, "rep count refused");
	tap_ok(post(hv, calls, 0x1234, 4, 1, 8) ==
	       ENL_HV_STATUS_INVALID_HYPERCALL_CODE, "unknown hypercall refused");
	up.status = ENL_HV_STATUS_INSUFFICIENT_BUFFERS;
	tap_ok(post(hv, calls, ENL_HVCALL_POST_MESSAGE, 4, 1, 240) ==
	       ENL_HV_STATUS_INSUFFICIENT_BUFFERS && up.posts == 1 &&
	       up.conn == 4 && up.type == 1 && up.size == 240 &&
	       up.payload[239] == 0xab, "HvPostMessage reaches the server, its status returns");
	up.status = 0;
	tap_ok(do_call(hv, calls, 1, ENL_HVIF_OP_HYPERCALL,
		       ENL_HVCALL_SIGNAL_EVENT | ENL_HV_HYPERCALL_FAST,
		       ENL_HV_SIGNAL_EVENT_VALUE(0x2a, 7)) == 0 &&
	       up.signals == 1 && up.conn == 0x2a && up.flag == 7,
	       "fast HvSignalEvent decoded");
	tap_ok(do_call(hv, calls, 1, ENL_HVIF_OP_HYPERCALL,
		       ENL_HVCALL_SIGNAL_EVENT | ENL_HV_HYPERCALL_FAST,
		       ENL_HV_SIGNAL_EVENT_VALUE(1, 2048)) ==
	       ENL_HV_STATUS_INVALID_PARAMETER &&
	       do_call(hv, calls, 1, ENL_HVIF_OP_HYPERCALL,
		       ENL_HVCALL_SIGNAL_EVENT | ENL_HV_HYPERCALL_FAST,
		       1ull | (1ull << 48)) == ENL_HV_STATUS_INVALID_PARAMETER &&
	       up.signals == 1, "HvSignalEvent: bad flag, reserved bits refused");
	{
		struct enl_hv_input_signal_event in = { .connection_id = 9,
							.flag_number = 3 };

		memcpy(calls[1].input, &in, sizeof(in));
		tap_ok(do_call(hv, calls, 1, ENL_HVIF_OP_HYPERCALL,
			       ENL_HVCALL_SIGNAL_EVENT, 0) == 0 &&
		       up.signals == 2 && up.conn == 9 && up.flag == 3,
		       "slow HvSignalEvent accepted");
	}
	/* A slot past the VP count is never read. */
	tap_ok(enl_hv_process_calls(hv, calls, 64) == 0,
	       "nr_calls bounded by the VP count");
	enl_hv_set_ops(hv, NULL, NULL);
	tap_ok(post(hv, calls, ENL_HVCALL_POST_MESSAGE, 4, 1, 8) ==
	       ENL_HV_STATUS_INVALID_CONNECTION_ID, "no server: invalid connection");
	tap_ok(enl_hv_new(0, &g.mem, NULL, NULL) == NULL &&
	       enl_hv_new(ENL_HVIF_MAX_VP + 1, &g.mem, NULL, NULL) == NULL,
	       "VP count bounded");
	enl_hv_free(hv);
}

static void test_unmapped_ram(void)
{
	struct enl_guest_mem none = { 0 };
	struct enl_hv *hv = enl_hv_new(1, &none, &fake_irq_ops, &g);

	tap_ok(enl_hv_wrmsr(hv, 0, ENL_HV_MSR_SIMP, SIMP_GPA | 1) ==
	       ENL_HV_STATUS_INVALID_PARAMETER, "RAM not mapped yet: SIMP refused");
	enl_hv_free(hv);
}

int main(void)
{
	fake_guest_init(&g, FAKE_RAM_SIZE);
	test_gpa_bounds();
	test_messages();
	test_events();
	test_call_slots();
	test_unmapped_ram();
	fake_guest_fini(&g);
	return tap_done();
}
