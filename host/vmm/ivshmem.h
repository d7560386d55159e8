/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The server side of QEMU's ivshmem protocol (docs/specs/ivshmem-spec.txt),
 * with enl-host posing as a second peer: the guest's doorbell writes to our
 * peer id fire our eventfds, and we hold the guest peer's eventfds to raise
 * its MSI-X vectors.
 */
#ifndef ENL_HOST_IVSHMEM_H
#define ENL_HOST_IVSHMEM_H

#include <stdbool.h>
#include <stdint.h>

struct enl_ivshmem;

struct enl_ivshmem_ops {
	/* QEMU received the whole setup: shared memory and all eventfds. */
	void (*connected)(void *ctx);
	/* The guest rang doorbell `vector` (< ENL_HVIF_NR_DOORBELLS). */
	void (*doorbell)(void *ctx, uint32_t vector);
};

#define ENL_IVSHMEM_HOST_PEER	0
#define ENL_IVSHMEM_GUEST_PEER	1

/*
 * Listen on the UNIX socket `path` (removed first). The guest gets
 * nr_vectors MSI-X vectors (ENL_HVIF_NR_DOORBELLS..ENL_HVIF_MAX_VP), and
 * so many doorbells to ring: the first ENL_HVIF_NR_DOORBELLS reach ops
 * on the main loop, the others are channel doorbells that nobody watches
 * here (enl_ivshmem_doorbell_fd). 0 or -errno in *err.
 */
struct enl_ivshmem *enl_ivshmem_new(const char *path, int shm_fd,
				    uint32_t nr_vectors,
				    const struct enl_ivshmem_ops *ops,
				    void *ctx, int *err);
void enl_ivshmem_free(struct enl_ivshmem *iv);

bool enl_ivshmem_connected(const struct enl_ivshmem *iv);

/*
 * The eventfd that channel doorbell `vector` fires (still ours: do not
 * close it), or -EINVAL for a vector that is not a channel doorbell.
 */
int enl_ivshmem_doorbell_fd(const struct enl_ivshmem *iv, uint32_t vector);

/*
 * Raise the guest's MSI-X vector: 0 or -errno (-ENOTCONN before setup).
 * Safe from any thread.
 */
int enl_ivshmem_raise(struct enl_ivshmem *iv, uint32_t vector);

#endif /* ENL_HOST_IVSHMEM_H */
