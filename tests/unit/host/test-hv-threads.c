/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl_hv from several threads at once (hv.h: post_message, signal_event,
 * sint_ready and stats may be called from any thread while the main thread
 * serves doorbells): worker threads signal events and post messages to
 * both VPs while the main thread serves call slots, posted signals and
 * EOMs, and plays the guest draining its pages. Run under ASan/UBSan in
 * build/asan; every event and message must be accounted for at the end.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <enlighten/hv_synic.h>
#include <enlighten/hvif.h>

#include "guest_mem.h"
#include "hv.h"
#include "tap.h"

#define NR_VP		2
#define NR_THREADS	4
#define PER_THREAD	20000
#define MSGS_PER_THREAD	200
#define SINT		2
#define SIMP_GPA(v)	(0x10000u + (v) * 0x2000u)
#define SIEFP_GPA(v)	(SIMP_GPA(v) + 0x1000u)
#define RAM		(1u << 20)

static struct enl_guest_mem mem;
static struct enl_hvif_shared *shm;
static struct enl_hv *hv;
static uint64_t raised[NR_VP];		/* atomic */
static uint64_t signals_up;		/* atomic */
static int workers_done;		/* atomic */

static int raise(void *ctx, uint32_t vp, uint32_t sint)
{
	(void)ctx;
	(void)sint;
	__atomic_fetch_add(&raised[vp], 1, __ATOMIC_RELAXED);
	return 0;
}

static const struct enl_hv_irq_ops irq_ops = { .raise_sint = raise };

/* The server answers a posted signal by signalling the guest back. */
static uint16_t up_signal(void *ctx, uint32_t conn, uint16_t flag)
{
	(void)ctx;
	(void)flag;
	__atomic_fetch_add(&signals_up, 1, __ATOMIC_RELAXED);
	enl_hv_signal_event(hv, conn % NR_VP, SINT, conn % 2048);
	return ENL_HV_STATUS_SUCCESS;
}

static const struct enl_hv_ops up_ops = { .signal_event = up_signal };

static void *worker(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg, i;
	struct enl_hv_stats st;
	int ok = 1;

	for (i = 0; i < PER_THREAD; i++) {
		uint32_t vp = (id + i) % NR_VP;

		if (enl_hv_signal_event(hv, vp, SINT, (id * 512 + i) % 2048))
			ok = 0;
		if (i % (PER_THREAD / MSGS_PER_THREAD) == 0 &&
		    enl_hv_post_message(hv, vp, SINT, 1 + id, &i, sizeof(i)))
			ok = 0;
		if (i % 1000 == 0) {
			enl_hv_sint_ready(hv, vp, SINT);
			enl_hv_stats(hv, &st);
		}
	}
	__atomic_fetch_add(&workers_done, 1, __ATOMIC_RELEASE);
	return (void *)(uintptr_t)ok;
}

/* The guest's side: take flags and messages, post EOMs. */
static void guest_drain(uint64_t *flags_seen, uint64_t *msgs_seen)
{
	uint32_t vp, w;

	for (vp = 0; vp < NR_VP; vp++) {
		struct enl_hv_synic_event_flags *ef =
			enl_gpa_ptr(&mem, SIEFP_GPA(vp) + SINT * 256, 256);
		struct enl_hv_message *m =
			enl_gpa_ptr(&mem, SIMP_GPA(vp) + SINT * 256, 256);

		for (w = 0; w < 32; w++)
			*flags_seen += (uint64_t)__builtin_popcountll(
				__atomic_exchange_n(&ef->flags[w], 0,
						    __ATOMIC_SEQ_CST));
		if (__atomic_load_n(&m->header.message_type, __ATOMIC_ACQUIRE)) {
			(*msgs_seen)++;
			__atomic_store_n(&m->header.message_type, 0,
					 __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&m->header.message_flags,
					    __ATOMIC_SEQ_CST) &
			    ENL_HV_MESSAGE_FLAG_PENDING)
				__atomic_fetch_or(&shm->eom_bits, 1ull << vp,
						  __ATOMIC_SEQ_CST);
		}
	}
}

int main(void)
{
	pthread_t th[NR_THREADS];
	uint64_t flags_seen = 0, msgs_seen = 0, served = 0, rounds = 0;
	struct enl_hv_stats st;
	unsigned int i, all_ok = 1;
	uint32_t vp;

	enl_guest_mem_set_flat(&mem, aligned_alloc(4096, RAM), RAM);
	memset(mem.base, 0, RAM);
	shm = aligned_alloc(4096, ENL_HVIF_SHM_SIZE);
	memset(shm, 0, sizeof(*shm));
	hv = enl_hv_new(NR_VP, &mem, &irq_ops, NULL);
	enl_hv_set_ops(hv, &up_ops, NULL);
	enl_hv_wrmsr(hv, 0, ENL_HV_MSR_GUEST_OS_ID, ENL_HV_GUEST_OS_ID(0x060100));
	for (vp = 0; vp < NR_VP; vp++) {
		enl_hv_wrmsr(hv, vp, ENL_HV_MSR_SIMP, SIMP_GPA(vp) | 1);
		enl_hv_wrmsr(hv, vp, ENL_HV_MSR_SIEFP, SIEFP_GPA(vp) | 1);
		enl_hv_wrmsr(hv, vp, ENL_HV_MSR_SINT(SINT), 0x30);
		enl_hv_wrmsr(hv, vp, ENL_HV_MSR_SCONTROL, 1);
	}

	for (i = 0; i < NR_THREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i);
	while (__atomic_load_n(&workers_done, __ATOMIC_ACQUIRE) < NR_THREADS ||
	       rounds < 10) {
		rounds++;
		/* Call slots as VP 0 and VP 1 (the guest's MSR traffic). */
		for (vp = 0; vp < NR_VP; vp++) {
			struct enl_hvif_call *c = &shm->call[vp];

			/* Rewrites of the same values: each flushes the VP. */
			c->op = ENL_HVIF_OP_WRMSR;
			c->arg[0] = ENL_HV_MSR_SINT(SINT);
			c->arg[1] = 0x30;
			if (rounds % 3 == 1) {
				c->arg[0] = ENL_HV_MSR_SIMP;
				c->arg[1] = SIMP_GPA(vp) | 1;
			} else if (rounds % 3 == 2) {
				c->arg[0] = ENL_HV_MSR_SIEFP;
				c->arg[1] = SIEFP_GPA(vp) | 1;
			}
			__atomic_store_n(&c->seq, c->seq + 1, __ATOMIC_RELEASE);
		}
		served += enl_hv_process_calls(hv, shm->call, ENL_HVIF_MAX_VP);
		/* Posted signals from "the guest", answered by the server. */
		__atomic_fetch_or(&shm->signal_bits[rounds % 32],
				  1ull << (rounds % 64), __ATOMIC_SEQ_CST);
		enl_hv_process_signals(hv, shm);
		guest_drain(&flags_seen, &msgs_seen);
		enl_hv_stats(hv, &st);
	}
	for (i = 0; i < NR_THREADS; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		all_ok &= (unsigned int)(uintptr_t)ret;
	}
	/* Drain what is left: flags, then every queued message via EOMs. */
	for (i = 0; i < 100000; i++) {
		enl_hv_process_signals(hv, shm);
		enl_hv_process_calls(hv, shm->call, ENL_HVIF_MAX_VP);
		guest_drain(&flags_seen, &msgs_seen);
		enl_hv_stats(hv, &st);
		if (st.msg_delivered == NR_THREADS * MSGS_PER_THREAD &&
		    !shm->eom_bits)
			break;
	}
	guest_drain(&flags_seen, &msgs_seen);
	enl_hv_stats(hv, &st);

	tap_ok(all_ok, "%d threads: every signal and post accepted", NR_THREADS);
	tap_ok(served == rounds * NR_VP, "every call slot served (%llu)",
	       (unsigned long long)served);
	tap_ok(st.events_set == (uint64_t)NR_THREADS * PER_THREAD +
	       __atomic_load_n(&signals_up, __ATOMIC_RELAXED),
	       "every event set, none lost or doubled (%llu)",
	       (unsigned long long)st.events_set);
	tap_ok(msgs_seen == NR_THREADS * MSGS_PER_THREAD &&
	       st.msg_delivered == msgs_seen && st.msg_dropped == 0,
	       "every message delivered once, in a slot the guest freed (%llu)",
	       (unsigned long long)msgs_seen);
	tap_ok(flags_seen <= st.events_set && flags_seen > 0,
	       "the guest saw flags (%llu, folded ones count once)",
	       (unsigned long long)flags_seen);
	tap_ok(st.sints_raised == raised[0] + raised[1] && raised[0] && raised[1],
	       "interrupts raised on both VPs, counted alike (%llu + %llu)",
	       (unsigned long long)raised[0], (unsigned long long)raised[1]);
	tap_ok(st.bad_signal == 0 && st.bad_input == 0 && st.bad_gpa == 0,
	       "no error counted");
	enl_hv_free(hv);
	free(shm);
	free(mem.base);
	return tap_done();
}
