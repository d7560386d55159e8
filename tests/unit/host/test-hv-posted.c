/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvif version 2 against a fake guest: posted HvSignalEvent and EOM bits in
 * BAR2 (including every bit set by a hostile guest), a SynIC per VP with
 * its own pages and its own interrupt, and call slots acting as their VP.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <enlighten/hv_synic.h>
#include <enlighten/hvif.h>

#include "fake_guest.h"
#include "guest_mem.h"
#include "hv.h"
#include "tap.h"

#define SINT		2
/* VP v's pages: SIMP at 0x10000 + v * 0x2000, SIEFP one page above. */
#define SIMP_GPA(v)	(0x10000u + (v) * 0x2000u)
#define SIEFP_GPA(v)	(SIMP_GPA(v) + 0x1000u)

static struct fake_guest g;
static struct enl_hvif_shared *shm;

static struct {
	unsigned int signals, bad_conn;
	uint32_t conn[8];
	uint16_t flag;
} up;

/* The VMBus server knows connections 0x10000 + 1..255 only. */
static uint16_t up_signal(void *ctx, uint32_t conn, uint16_t flag)
{
	(void)ctx;
	if (up.signals < 8)
		up.conn[up.signals] = conn;
	up.signals++;
	up.flag |= flag;
	if (conn <= ENL_HVIF_SIGNAL_CONN_BASE ||
	    conn > ENL_HVIF_SIGNAL_CONN_BASE + 255) {
		up.bad_conn++;
		return ENL_HV_STATUS_INVALID_CONNECTION_ID;
	}
	return ENL_HV_STATUS_SUCCESS;
}

static const struct enl_hv_ops up_ops = { .signal_event = up_signal };

static struct enl_hv_stats stats(struct enl_hv *hv)
{
	struct enl_hv_stats s;

	enl_hv_stats(hv, &s);
	return s;
}

static struct enl_hv_message *msg_slot(uint32_t vp)
{
	return enl_gpa_ptr(&g.mem, SIMP_GPA(vp) + SINT * 256, 256);
}

static struct enl_hv_synic_event_flags *flags(uint32_t vp)
{
	return enl_gpa_ptr(&g.mem, SIEFP_GPA(vp) + SINT * 256, 256);
}

static void enable_vp(struct enl_hv *hv, uint32_t vp)
{
	enl_hv_wrmsr(hv, vp, ENL_HV_MSR_SIMP, SIMP_GPA(vp) | 1);
	enl_hv_wrmsr(hv, vp, ENL_HV_MSR_SIEFP, SIEFP_GPA(vp) | 1);
	enl_hv_wrmsr(hv, vp, ENL_HV_MSR_SINT(SINT), 0x30);
	enl_hv_wrmsr(hv, vp, ENL_HV_MSR_SCONTROL, 1);
}

static void set_signal_bit(uint32_t bit)
{
	shm->signal_bits[bit / 64] |= 1ull << (bit % 64);
}

static int words_clear(void)
{
	unsigned int w;

	for (w = 0; w < ENL_HVIF_SIGNAL_WORDS; w++)
		if (shm->signal_bits[w])
			return 0;
	return !shm->eom_bits;
}

static void test_posted_signals(void)
{
	struct enl_hv *hv = enl_hv_new(2, &g.mem, &fake_irq_ops, &g);
	unsigned int w;

	memset(&up, 0, sizeof(up));
	memset(shm, 0, sizeof(*shm));
	enl_hv_set_ops(hv, &up_ops, NULL);

	set_signal_bit(1);
	tap_ok(enl_hv_process_signals(hv, shm) == 1 && up.signals == 0 &&
	       stats(hv).bad_hypercall == 1 && words_clear(),
	       "a signal posted before the guest OS id is taken, refused, counted");
	enl_hv_wrmsr(hv, 0, ENL_HV_MSR_GUEST_OS_ID, ENL_HV_GUEST_OS_ID(0x060100));

	tap_ok(enl_hv_process_signals(hv, shm) == 0 && up.signals == 0,
	       "no bits: nothing happens");
	set_signal_bit(1);
	set_signal_bit(70);
	set_signal_bit(255);
	tap_ok(enl_hv_process_signals(hv, shm) == 3 && up.signals == 3 &&
	       up.conn[0] == ENL_HVIF_SIGNAL_CONN_BASE + 1 &&
	       up.conn[1] == ENL_HVIF_SIGNAL_CONN_BASE + 70 &&
	       up.conn[2] == ENL_HVIF_SIGNAL_CONN_BASE + 255 && up.flag == 0,
	       "each bit is HvSignalEvent(0x10000 + bit, flag 0), in bit order");
	tap_ok(words_clear() && stats(hv).signal_event == 3 &&
	       stats(hv).bad_signal == 0, "bits taken, counted, none refused");
	tap_ok(enl_hv_process_signals(hv, shm) == 0 && up.signals == 3,
	       "a bit is taken once");

	/* A hostile guest sets every bit, and every EOM bit. */
	memset(&up, 0, sizeof(up));
	for (w = 0; w < ENL_HVIF_SIGNAL_WORDS; w++)
		shm->signal_bits[w] = UINT64_MAX;
	shm->eom_bits = UINT64_MAX;
	tap_ok(enl_hv_process_signals(hv, shm) == ENL_HVIF_SIGNAL_BITS + 64,
	       "all 2048 signal bits and 64 EOM bits taken");
	tap_ok(up.signals == ENL_HVIF_SIGNAL_BITS &&
	       stats(hv).bad_signal == up.bad_conn &&
	       up.bad_conn == ENL_HVIF_SIGNAL_BITS - 255,
	       "connections the server refuses are counted as bad_signal (%u)",
	       up.bad_conn);
	tap_ok(stats(hv).bad_input == 62 && stats(hv).eom == 2,
	       "EOM bits past the VP count are bad input, the two real ones EOMs");
	tap_ok(words_clear(), "nothing left behind");

	/* No server (torn down): signals are refused and counted, no upcall. */
	enl_hv_set_ops(hv, NULL, NULL);
	set_signal_bit(3);
	tap_ok(enl_hv_process_signals(hv, shm) == 1 &&
	       stats(hv).bad_signal == ENL_HVIF_SIGNAL_BITS - 255 + 1,
	       "no server: the signal is refused and counted");
	enl_hv_free(hv);
}

static void test_per_vp(void)
{
	struct enl_hv *hv = enl_hv_new(2, &g.mem, &fake_irq_ops, &g);
	struct enl_hv_vp_info vi0, vi1;
	unsigned int i;

	memset(g.mem.base, 0, g.mem.size);
	memset(shm, 0, sizeof(*shm));
	g.nr_raised = 0;
	enable_vp(hv, 1);
	tap_ok(enl_hv_vp_info(hv, 0, &vi0) == 0 && enl_hv_vp_info(hv, 1, &vi1) == 0 &&
	       !vi0.synic_on && vi1.synic_on &&
	       vi1.simp == (SIMP_GPA(1) | 1) && vi1.siefp == (SIEFP_GPA(1) | 1),
	       "VP 1's SynIC on with its own pages, VP 0's still off");
	tap_ok(enl_hv_vp_info(hv, 2, &vi0) < 0, "no VP 2");

	tap_ok(enl_hv_signal_event(hv, 1, SINT, 7) == 0 &&
	       flags(1)->flags[0] == 1u << 7 && flags(0)->flags[0] == 0,
	       "an event for VP 1 lands in VP 1's event page only");
	tap_ok(g.nr_raised == 1 && g.raised[0].vp == 1,
	       "and raises VP 1's interrupt");
	tap_ok(enl_hv_signal_event(hv, 0, SINT, 7) == 0 && g.nr_raised == 1,
	       "an event for VP 0 waits for VP 0's SynIC");
	enable_vp(hv, 0);
	tap_ok(flags(0)->flags[0] == 1u << 7 && g.nr_raised == 2 &&
	       g.raised[1].vp == 0, "VP 0 enabled: its event set, its interrupt raised");

	/* Messages: VP 1's slot, VP 1's EOM posted through eom_bits. */
	for (i = 0; i < 3; i++)
		enl_hv_post_message(hv, 1, SINT, 10 + i, &i, sizeof(i));
	tap_ok(msg_slot(1)->header.message_type == 10 &&
	       (msg_slot(1)->header.message_flags & ENL_HV_MESSAGE_FLAG_PENDING) &&
	       msg_slot(0)->header.message_type == 0,
	       "messages for VP 1 in VP 1's slot, the rest waiting");
	msg_slot(1)->header.message_type = 0;
	shm->eom_bits = 1ull << 0;	/* an EOM on the wrong VP moves nothing */
	enl_hv_process_signals(hv, shm);
	tap_ok(msg_slot(1)->header.message_type == 0,
	       "EOM posted for VP 0 does not serve VP 1's slot");
	shm->eom_bits = 1ull << 1;
	tap_ok(enl_hv_process_signals(hv, shm) == 1 &&
	       msg_slot(1)->header.message_type == 11,
	       "EOM posted for VP 1 delivers VP 1's next message");
	enl_hv_vp_info(hv, 1, &vi1);
	tap_ok(vi1.sints_raised >= 3, "VP 1 counts its own interrupts (%llu)",
	       (unsigned long long)vi1.sints_raised);
	enl_hv_free(hv);
}

static void test_slots_are_vps(void)
{
	struct enl_hv *hv = enl_hv_new(3, &g.mem, &fake_irq_ops, &g);
	unsigned int v;

	memset(shm, 0, sizeof(*shm));
	for (v = 0; v < 3; v++) {
		shm->call[v].op = ENL_HVIF_OP_WRMSR;
		shm->call[v].arg[0] = ENL_HV_MSR_SIMP;
		shm->call[v].arg[1] = SIMP_GPA(v) | 1;
		shm->call[v].seq = 1;
	}
	tap_ok(enl_hv_process_calls(hv, shm->call, ENL_HVIF_MAX_VP) == 3,
	       "one doorbell serves the slots of three VPs");
	for (v = 0; v < 3; v++) {
		struct enl_hv_vp_info vi;

		enl_hv_vp_info(hv, v, &vi);
		if (vi.simp != (SIMP_GPA(v) | 1) || shm->call[v].done != 1)
			break;
	}
	tap_ok(v == 3, "slot v programs VP v's SIMP");
	shm->call[3].seq = 5;
	tap_ok(enl_hv_process_calls(hv, shm->call, ENL_HVIF_MAX_VP) == 0 &&
	       shm->call[3].done == 0, "a slot past the VP count is never served");
	enl_hv_free(hv);
}

int main(void)
{
	fake_guest_init(&g, FAKE_RAM_SIZE);
	shm = aligned_alloc(4096, ENL_HVIF_SHM_SIZE);
	test_posted_signals();
	test_per_vp();
	test_slots_are_vps();
	free(shm);
	fake_guest_fini(&g);
	return tap_done();
}
