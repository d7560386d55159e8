/* SPDX-License-Identifier: GPL-2.0-only */
/* The ivshmem BAR2 area: a memfd holding struct enl_hvif_shared, then the MMIO window. */
#ifndef ENL_HOST_HVIF_SHM_H
#define ENL_HOST_HVIF_SHM_H

#include <stdint.h>

struct enl_hvif_shared;

struct enl_hvif_shm {
	int fd;				/* handed to QEMU over the ivshmem socket */
	struct enl_hvif_shared *shared;	/* our mapping of all of BAR2 */
};

/*
 * MSI-X vectors of the ivshmem device for nr_vp VPs: one per VP, and at
 * least as many as our doorbells (the two shared ones and the channel
 * doorbells), since QEMU takes no more doorbell eventfds from a peer than
 * the device has vectors.
 */
uint32_t enl_hvif_nr_vectors(uint32_t nr_vp);

/* Create and initialise the area (magic, version, max_vp, host peer). */
int enl_hvif_shm_create(struct enl_hvif_shm *shm, uint32_t max_vp,
			uint32_t host_peer, uint32_t nr_vectors);
void enl_hvif_shm_destroy(struct enl_hvif_shm *shm);

#endif /* ENL_HOST_HVIF_SHM_H */
