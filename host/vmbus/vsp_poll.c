// SPDX-License-Identifier: GPL-2.0-only
/* A busy channel's ring looked at on a timer (vsp_poll.h). */
#include <errno.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vsp.h"

static void count(uint64_t *c)
{
	if (c)
		__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

static gboolean on_look(gint fd, GIOCondition cond, gpointer data)
{
	struct enl_vsp_poll *p = data;
	uint64_t ticks;

	(void)cond;
	if (read(fd, &ticks, sizeof(ticks)) < 0)
		return G_SOURCE_CONTINUE;	/* spurious */
	p->armed = false;
	count(p->looks);
	enl_vsp_kick(p->ch);	/* a pass: the class's on_signal */
	return G_SOURCE_CONTINUE;
}

void enl_vsp_poll_open(struct enl_vsp_poll *p, struct enl_vsp_channel *ch,
		       unsigned int period_us)
{
	enl_vsp_poll_close(p);
	p->ch = ch;
	p->period_us = period_us ? period_us : 1;	/* 0 disarms */
	p->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (p->fd < 0) {
		g_warning("relid %u: timerfd: %s: no polling",
			  enl_vsp_relid(ch), g_strerror(errno));
		return;
	}
	p->src = enl_vsp_fd_watch(ch, p->fd, on_look, p);
}

void enl_vsp_poll_close(struct enl_vsp_poll *p)
{
	if (p->src) {
		g_source_destroy(p->src);
		g_clear_pointer(&p->src, g_source_unref);
		close(p->fd);
	}
	p->fd = -1;
	p->armed = p->polling = p->streaming = p->probing = false;
	p->taken = 0;
	p->lone = 0;
	p->probe_skip = 0;
	p->last_at = 0;
}

static void arm(struct enl_vsp_poll *p, unsigned int us)
{
	struct itimerspec t = {
		.it_value.tv_sec = us / 1000000,
		.it_value.tv_nsec = us % 1000000 * 1000l,
	};

	if (!p->armed && !timerfd_settime(p->fd, 0, &t, NULL))
		p->armed = true;
}

void enl_vsp_poll_after(struct enl_vsp_poll *p, unsigned int n)
{
	bool soon = false;	/* after another pass that took packets */

	if (!p->src)
		return;
	if (n && p->resume_us) {
		gint64 now = g_get_monotonic_time();

		soon = now - p->last_at < p->resume_us;
		p->last_at = now;
	}
	if (p->stream_us) {
		p->taken += n;
		if (p->armed)
			return;
		n = p->taken;
		p->taken = 0;
		/* One request outstanding sends at most 1 between looks. */
		p->streaming = n >= 2;
	}
	if (p->probing) {
		/* The probe's look: a stream, or a request that waited. */
		p->probing = false;
		if (n >= 2) {
			count(p->probe_hits);
			p->probe_skip = 0;
		} else {
			p->probe_skip = MIN(2 * p->probe_skip + 1,
					    ENL_VSP_PROBE_SKIP_MAX);
		}
	}
	/*
	 * One packet behind the guest's own signal is a guest with one
	 * request outstanding: it sends the next only after our answer, and
	 * with its signals on. A look would find nothing and cost this host a
	 * wakeup per request beside the guest's vCPU.
	 */
	if (n == 1 && !p->polling && !soon) {
		if (!p->probe_us || p->lone++ < p->probe_skip)
			return;
		p->lone = 0;
		p->probing = true;
		count(p->probes);
	}
	if (n) {
		if (!p->polling)
			enl_vsp_intr_mask(p->ch);
		p->polling = true;
		arm(p, p->probing ? p->probe_us :
		       p->streaming ? p->stream_us : p->period_us);
		if (p->armed)
			return;
		/* No look booked: the guest must signal again. */
		p->streaming = p->probing = false;
	}
	if (!p->polling)
		return;
	p->polling = false;
	count(p->unmasks);
	if (enl_vsp_intr_unmask(p->ch))
		enl_vsp_kick(p->ch);	/* it wrote before it saw that */
}
