/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Looking at a busy ring instead of being signalled, for on_signal users.
 * While the guest keeps sending, its signals are masked
 * (enl_vsp_intr_mask) from the end of a pass that took 2 or more packets
 * (or any while masked), and a one-shot timerfd on the channel's context
 * books the next look, which is a pass like any other (enl_vsp_kick). The
 * first pass that takes nothing unmasks; a packet written meanwhile
 * raised no signal, so it is read at once. A lone packet that came with
 * the signals on masks nothing: a guest with one request outstanding
 * signals each anyway (unless resume_us says it came too soon after the
 * last to be one). Under TCG a guest's doorbell is an exit to QEMU
 * and an eventfd write, far more than a look costs us. The guest's signal on
 * freed ring space (pending_send_sz) is never masked.
 *
 * Everything runs on the channel's context; only the counters are read
 * from elsewhere (relaxed atomics).
 */
#ifndef ENL_HOST_VMBUS_VSP_POLL_H
#define ENL_HOST_VMBUS_VSP_POLL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

struct enl_vsp_channel;

struct enl_vsp_poll {
	struct enl_vsp_channel *ch;
	GSource *src;		/* on the timerfd; NULL: not polling at all */
	int fd;			/* the timerfd, valid while src is */
	unsigned int period_us;	/* from a pass to the look after it */
	/*
	 * Optional (0: off; kept by open and close): the period while the
	 * guest streams, i.e. the packets taken since the last look was
	 * booked are 2 or more, which a guest with one request outstanding
	 * never sends (it waits for each answer, and answers go out only at
	 * looks while masked); a look that finds none unmasks as always. So
	 * period_us can be short, below the think time of a guest with one
	 * request outstanding (its next request then finds the signals on:
	 * no added latency), while a stream's looks come stream_us apart and
	 * its answers, and the guest's interrupts, in fewer, larger batches.
	 */
	unsigned int stream_us;
	/*
	 * Optional (0: off; kept by open and close): a lone packet less than
	 * this after the last pass that took packets is a stream going on
	 * (one that the host drains a packet at a time, or that paused
	 * until a look unmasked), not a guest with one request outstanding:
	 * it masks instead of costing the guest a doorbell per packet until
	 * a pass takes 2. For a class whose round trip takes longer than
	 * resume_us (a request/response then costs a look, not latency).
	 */
	unsigned int resume_us;
	/*
	 * Optional (0: off; kept by open and close): a guest that sends one
	 * request at a time with many outstanding (a queue depth of 32
	 * submitted one by one, each answered before the next comes) looks
	 * to us like one with a single request outstanding: a lone packet
	 * each pass, so no stream is ever seen. Every so often a lone packet
	 * probes: it masks with a look probe_us later. If that look finds 2
	 * or more it is a stream (stream_us from then on); if not, a request
	 * waited up to probe_us for nothing, and the next probe comes after
	 * twice as many lone packets (up to 1 in ENL_VSP_PROBE_SKIP_MAX + 1),
	 * so that a guest with one request outstanding pays that seldom.
	 */
	unsigned int probe_us;
	unsigned int probe_skip;	/* lone packets before the next probe */
	unsigned int lone;		/* lone packets since the last probe */
	bool probing;			/* the booked look is a probe's */
	gint64 last_at;		/* the last pass that took packets, monotonic us */
	bool armed;		/* a look is booked */
	bool polling;		/* the guest's signals are masked */
	bool streaming;		/* the next look is stream_us away */
	unsigned int taken;	/* packets since the last look was booked */
	/* Optional, the owner's: timer looks, and unmasks after a look. */
	uint64_t *looks;
	uint64_t *unmasks;
	/* Optional, the owner's: probes, and those that found a stream. */
	uint64_t *probes;
	uint64_t *probe_hits;
};

/* At most 1 lone packet in this many plus one probes (probe_us). */
#define ENL_VSP_PROBE_SKIP_MAX	255

/*
 * Start on ch (its on_open) with a look period_us after each pass that
 * took packets: below the guest's round trip for a lone request, so that
 * it finds the signals on again. Without a timerfd (counted nowhere,
 * warned once) nothing is masked: the guest signals every packet, still
 * correct. p may hold counter pointers already; the rest is set here.
 */
void enl_vsp_poll_open(struct enl_vsp_poll *p, struct enl_vsp_channel *ch,
		       unsigned int period_us);

/* Stop (on_close); harmless on a zeroed or closed struct. */
void enl_vsp_poll_close(struct enl_vsp_poll *p);

/*
 * At the end of each pass of on_signal, with n the packets it took from
 * the guest's ring that ask for work (a class may count the guest's
 * answers to its own packets, e.g. completions, as one at most): masked
 * with a look booked while packets come (2 or more in a pass with the
 * signals on, or 1 soon after another with resume_us), unmasked after a
 * pass found none.
 * With stream_us set, a pass while a look is booked only counts its
 * packets, and the look's own pass decides. With probe_us set, some lone
 * packets mask with a look probe_us later that decides whether the guest
 * streams (see probe_us).
 */
void enl_vsp_poll_after(struct enl_vsp_poll *p, unsigned int n);

#endif /* ENL_HOST_VMBUS_VSP_POLL_H */
