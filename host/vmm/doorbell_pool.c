// SPDX-License-Identifier: GPL-2.0-only
/* Channel doorbells: vector allocation and the signal_vector table (see doorbell_pool.h). */
#include "doorbell_pool.h"

#include <errno.h>
#include <unistd.h>

#include "ivshmem.h"

void enl_doorbell_pool_init(struct enl_doorbell_pool *pool,
			    struct enl_hvif_shared *shared,
			    struct enl_ivshmem *iv, uint32_t nr_vectors)
{
	*pool = (struct enl_doorbell_pool){ .shared = shared, .iv = iv };
	g_mutex_init(&pool->lock);
	if (shared->features & ENL_HVIF_FEATURE_SIGNAL_VECTORS)
		pool->nr_vectors = MIN(nr_vectors, ENL_HVIF_MAX_VP);
}

void enl_doorbell_pool_clear(struct enl_doorbell_pool *pool)
{
	g_mutex_clear(&pool->lock);
}

static void drain(int fd)
{
	uint64_t count;

	/*
	 * Non-blocking, and not a semaphore: one read takes every ring so
	 * far; a second would only fail. EAGAIN: nothing was rung.
	 */
	if (read(fd, &count, sizeof(count)) != sizeof(count))
		count = 0;
}

int enl_doorbell_pool_bind(struct enl_doorbell_pool *pool, uint32_t bit)
{
	uint32_t v;
	int fd = -ENOSPC;

	if (bit >= ENL_HVIF_SIGNAL_BITS)
		return -EINVAL;
	g_mutex_lock(&pool->lock);
	if (pool->vector_of[bit]) {
		g_mutex_unlock(&pool->lock);
		return -EBUSY;
	}
	for (v = ENL_HVIF_DOORBELL_CHANNEL_FIRST; v < pool->nr_vectors; v++) {
		if (pool->owner[v])
			continue;
		fd = enl_ivshmem_doorbell_fd(pool->iv, v);
		if (fd < 0)
			break;
		pool->owner[v] = bit + 1;
		pool->vector_of[bit] = (uint16_t)v;
		/* Rings meant for its last owner are nothing to us. */
		drain(fd);
		/* The vector first, then the bit: a signal after this rings v. */
		__atomic_store_n(&pool->shared->signal_vector[bit], (uint16_t)v,
				 __ATOMIC_RELEASE);
		__atomic_fetch_and(&pool->shared->signal_bits[bit / 64],
				   ~(1ull << (bit % 64)), __ATOMIC_ACQ_REL);
		break;
	}
	g_mutex_unlock(&pool->lock);
	return fd;
}

void enl_doorbell_pool_unbind(struct enl_doorbell_pool *pool, uint32_t bit)
{
	uint32_t v;

	if (bit >= ENL_HVIF_SIGNAL_BITS)
		return;
	g_mutex_lock(&pool->lock);
	v = pool->vector_of[bit];
	if (v) {
		/*
		 * A guest that read the old entry may still ring v once: the
		 * next owner drains that at bind, and the bit it set is
		 * taken by the main thread's next scan (or the next bind).
		 */
		__atomic_store_n(&pool->shared->signal_vector[bit], 0,
				 __ATOMIC_RELEASE);
		pool->owner[v] = 0;
		pool->vector_of[bit] = 0;
	}
	g_mutex_unlock(&pool->lock);
}

bool enl_doorbell_pool_take(struct enl_doorbell_pool *pool, uint32_t bit,
			    int fd)
{
	uint64_t mask = 1ull << (bit % 64);

	if (bit >= ENL_HVIF_SIGNAL_BITS)
		return false;
	/* Consume the ring before the bit: a signal after the take rings again. */
	drain(fd);
	return __atomic_fetch_and(&pool->shared->signal_bits[bit / 64], ~mask,
				  __ATOMIC_ACQ_REL) & mask;
}
