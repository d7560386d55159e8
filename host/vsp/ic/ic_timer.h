/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The services' periodic timers, on the calling thread's default context:
 * in enl-host that is the worker of the channel the service belongs to,
 * elsewhere (unit tests) the main context.
 */
#ifndef ENL_HOST_IC_TIMER_H
#define ENL_HOST_IC_TIMER_H

#include <glib.h>

static inline void enl_ic_timer_stop(GSource **t)
{
	if (!*t)
		return;
	g_source_destroy(*t);
	g_source_unref(*t);
	*t = NULL;
}

/* Replace *t by a timer firing every ms (none for 0). */
static inline void enl_ic_timer_set(GSource **t, unsigned int ms,
				    GSourceFunc fn, void *data)
{
	enl_ic_timer_stop(t);
	if (!ms)
		return;
	*t = g_timeout_source_new(ms);
	g_source_set_callback(*t, fn, data, NULL);
	g_source_attach(*t, g_main_context_get_thread_default());
}

#endif /* ENL_HOST_IC_TIMER_H */
