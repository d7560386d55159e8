// SPDX-License-Identifier: GPL-2.0-only
/* Wait for a guest's answer inside a ctl verb (ctl_wait.h). */
#include "ctl_wait.h"

#include <glib.h>

static gboolean on_deadline(gpointer data)
{
	*(bool *)data = true;
	return G_SOURCE_REMOVE;
}

bool enl_ctl_wait(const int *done, unsigned int timeout_ms)
{
	bool expired = false;
	guint t;

	if (g_atomic_int_get(done))
		return true;
	t = g_timeout_add(timeout_ms, on_deadline, &expired);
	while (!g_atomic_int_get(done) && !expired)
		g_main_context_iteration(NULL, TRUE);
	if (!expired)
		g_source_remove(t);
	return g_atomic_int_get(done);
}
