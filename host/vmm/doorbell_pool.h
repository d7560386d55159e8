/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Channel doorbells (hvif feature SIGNAL_VECTORS): a guest signal on a bound
 * connection rings a doorbell vector of its own, whose eventfd the thread
 * serving that channel polls, instead of the shared "signals" doorbell that
 * the main thread takes and passes on. This pool hands the vectors out and
 * publishes which one a connection rings in BAR2's signal_vector table.
 */
#ifndef ENL_HOST_DOORBELL_POOL_H
#define ENL_HOST_DOORBELL_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <enlighten/hvif.h>

struct enl_ivshmem;

struct enl_doorbell_pool {
	GMutex lock;
	struct enl_hvif_shared *shared;	/* guest-writable: we only store there */
	struct enl_ivshmem *iv;
	uint32_t nr_vectors;
	/* Our own record (never read back from BAR2): bit + 1, or 0 if free. */
	uint32_t owner[ENL_HVIF_MAX_VP];
	uint16_t vector_of[ENL_HVIF_SIGNAL_BITS];
};

/* No channel doorbells unless shared->features offers them. */
void enl_doorbell_pool_init(struct enl_doorbell_pool *pool,
			    struct enl_hvif_shared *shared,
			    struct enl_ivshmem *iv, uint32_t nr_vectors);
void enl_doorbell_pool_clear(struct enl_doorbell_pool *pool);

/*
 * Give signal bit `bit` a doorbell: the eventfd to poll (still the pool's),
 * -ENOSPC when all are taken, -EBUSY if bound already, -EINVAL otherwise.
 * Any thread. A bit the guest left set is cleared: the caller looks at its
 * ring once after binding anyway.
 */
int enl_doorbell_pool_bind(struct enl_doorbell_pool *pool, uint32_t bit);
void enl_doorbell_pool_unbind(struct enl_doorbell_pool *pool, uint32_t bit);

/*
 * The bound eventfd fd was readable: consume it and take the guest's
 * posted bit. True if the bit was set (the guest signalled since the last
 * take; the main thread may have taken it first, then it wakes the channel).
 */
bool enl_doorbell_pool_take(struct enl_doorbell_pool *pool, uint32_t bit,
			    int fd);

#endif /* ENL_HOST_DOORBELL_POOL_H */
