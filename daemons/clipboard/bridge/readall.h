/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Read a GInputStream to its end without trusting it: at most max bytes,
 * then an error. Both ends of the bridge hand us unbounded streams (the
 * daemon's reply, another application's clipboard), and the clipboard's
 * cap is the only limit on what we hold.
 */
#ifndef ENL_BRIDGE_READALL_H
#define ENL_BRIDGE_READALL_H

#include <gio/gio.h>

/* data (cb owns it) or error (freed after cb), never both. */
typedef void (*enl_readall_cb)(gpointer ctx, GBytes *data, GError *error);

/* Reads from the main loop; cb runs once. Takes a reference to in. */
void enl_readall_async(GInputStream *in, gsize max, GCancellable *cancel,
		       enl_readall_cb cb, gpointer ctx);

#endif /* ENL_BRIDGE_READALL_H */
