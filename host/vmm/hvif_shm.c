/* SPDX-License-Identifier: GPL-2.0-only */
/* The ivshmem BAR2 area: created as a memfd and filled before QEMU sees it. */
#include "hvif_shm.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <enlighten/hvif.h>

uint32_t enl_hvif_nr_vectors(uint32_t nr_vp)
{
	uint32_t doorbells = ENL_HVIF_DOORBELL_CHANNEL_FIRST +
			     ENL_HVIF_CHANNEL_DOORBELLS;

	return nr_vp > doorbells ? nr_vp : doorbells;
}

int enl_hvif_shm_create(struct enl_hvif_shm *shm, uint32_t max_vp,
			uint32_t host_peer, uint32_t nr_vectors)
{
	struct enl_hvif_shared *s;
	int err;

	shm->fd = -1;
	shm->shared = NULL;
	if (max_vp == 0 || max_vp > ENL_HVIF_MAX_VP || nr_vectors < max_vp ||
	    nr_vectors > ENL_HVIF_MAX_VP)
		return -EINVAL;
	shm->fd = memfd_create("enl-hvif", MFD_CLOEXEC);
	if (shm->fd < 0)
		return -errno;
	/* All of BAR2: the header, then the MMIO window (sparse until used). */
	if (ftruncate(shm->fd, ENL_HVIF_BAR2_SIZE) < 0)
		goto fail;
	s = mmap(NULL, ENL_HVIF_BAR2_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 shm->fd, 0);
	if (s == MAP_FAILED)
		goto fail;
	/* A fresh memfd reads as zeros: every call slot starts idle. */
	memcpy(s->magic, ENL_HVIF_MAGIC, sizeof(s->magic));
	s->version = ENL_HVIF_VERSION;
	s->max_vp = max_vp;
	s->host_peer = host_peer;
	s->nr_vectors = nr_vectors;
	s->mmio_offset = ENL_HVIF_MMIO_OFFSET;
	s->mmio_size = ENL_HVIF_MMIO_SIZE;
	/* Only with every channel doorbell there (see doorbell_pool.c). */
	if (nr_vectors >= ENL_HVIF_DOORBELL_CHANNEL_FIRST + ENL_HVIF_CHANNEL_DOORBELLS)
		s->features = ENL_HVIF_FEATURE_SIGNAL_VECTORS;
	shm->shared = s;
	return 0;
fail:
	err = -errno;
	close(shm->fd);
	shm->fd = -1;
	return err;
}

void enl_hvif_shm_destroy(struct enl_hvif_shm *shm)
{
	if (shm->shared)
		munmap(shm->shared, ENL_HVIF_BAR2_SIZE);
	if (shm->fd >= 0)
		close(shm->fd);
	shm->shared = NULL;
	shm->fd = -1;
}
