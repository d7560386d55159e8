/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few primitives the ring buffer needs, mapped to the kernel's or to
 * C11/GCC builtins, so that ring.c compiles unchanged in enl_vmbus.ko and
 * in enl-host.
 *
 * enl_load_once/enl_store_once: one untorn access to shared memory that the
 * compiler may not repeat or merge (the peer can change it at any time).
 * enl_load_acquire/enl_store_release: ordered against the data they guard.
 * enl_mb: full barrier, also ordering a store before a later load.
 */
#ifndef _ENL_RING_SHIM_H
#define _ENL_RING_SHIM_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/barrier.h>

#define enl_load_once(p)		READ_ONCE(*(p))
#define enl_store_once(p, v)		WRITE_ONCE(*(p), (v))
/* The peer is another VM or the host: virt_ barriers, even on UP. */
#define enl_load_acquire(p)		virt_load_acquire(p)
/* Orders earlier ring accesses before publishing an index. */
#define enl_store_release(p, v)		virt_store_release((p), (v))
/* Store-load ordering for the signalling handshakes in ring.c. */
#define enl_mb()			virt_mb()

#else /* userspace */

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <linux/types.h>

#define enl_load_once(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define enl_store_once(p, v)		__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define enl_load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define enl_store_release(p, v)		__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define enl_mb()			__atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif /* __KERNEL__ */

#endif /* _ENL_RING_SHIM_H */
