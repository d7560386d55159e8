/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest RAM as enl-host sees it: a memfd QEMU shares (memory-backend-file), mapped. */
#include "guest_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#define GIB			(1ULL << 30)
#define PC_MAX_BELOW_4G		(3 * GIB + GIB / 2)	/* QEMU's default */
#define PC_BELOW_4G_SPLIT	(3 * GIB)		/* gigabyte aligned */
#define PC_HIGH_START		(4 * GIB)

void *enl_gpa_ptr(const struct enl_guest_mem *mem, uint64_t gpa, uint64_t len)
{
	uint32_t i;

	if (!mem || !mem->base)
		return NULL;
	for (i = 0; i < mem->nr_regions && i < ENL_GUEST_MEM_MAX_REGIONS; i++) {
		const struct enl_guest_mem_region *r = &mem->region[i];

		/* Written so that no sum can wrap: gpa + len may overflow. */
		if (gpa < r->gpa || gpa - r->gpa > r->size ||
		    len > r->size - (gpa - r->gpa))
			continue;
		/* The table was checked against the mapping when it was set. */
		return mem->base + r->offset + (gpa - r->gpa);
	}
	return NULL;
}

void *enl_mmio_ptr(const struct enl_guest_mem *mem, uint64_t gpa,
		   uint64_t len)
{
	const struct enl_guest_mmio *w = mem ? &mem->mmio : NULL;
	uint64_t bar, start;

	if (!w || !w->base || !w->bar2_gpa)
		return NULL;
	/* The guest writes it; one read, then only that value is used. */
	bar = __atomic_load_n(w->bar2_gpa, __ATOMIC_ACQUIRE);
	if (!bar || bar > UINT64_MAX - w->bar_offset)
		return NULL;
	start = bar + w->bar_offset;
	if (gpa < start || gpa - start > w->size ||
	    len > w->size - (gpa - start))
		return NULL;
	return w->base + (gpa - start);
}

uint32_t enl_guest_mem_layout_pc(uint64_t ram_size,
				 struct enl_guest_mem_region *regions)
{
	uint64_t below = ram_size;

	if (ram_size >= PC_MAX_BELOW_4G)
		below = PC_BELOW_4G_SPLIT;
	regions[0] = (struct enl_guest_mem_region){
		.gpa = 0, .size = below, .offset = 0,
	};
	if (below == ram_size)
		return 1;
	regions[1] = (struct enl_guest_mem_region){
		.gpa = PC_HIGH_START, .size = ram_size - below, .offset = below,
	};
	return 2;
}

void enl_guest_mem_set_flat(struct enl_guest_mem *mem, void *base,
			    uint64_t size)
{
	memset(mem, 0, sizeof(*mem));
	mem->base = base;
	mem->size = size;
	mem->nr_regions = 1;
	mem->region[0].size = size;
}

int enl_guest_mem_create(struct enl_guest_mem *mem, uint64_t ram_size,
			 int *fd_out)
{
	void *addr;
	int fd, err;

	memset(mem, 0, sizeof(*mem));
	*fd_out = -1;
	if (!ram_size || ram_size % 4096)
		return -EINVAL;
	/*
	 * No name anywhere: the RAM lives exactly as long as its last holder
	 * (enl-host's mapping, QEMU's), however either of them ends.
	 */
	fd = memfd_create("enl-guest-ram", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* QEMU finds it sized and uses it as it is (share=on). */
	if (ftruncate(fd, (off_t)ram_size) < 0) {
		err = -errno;
		goto fail;
	}
	addr = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED) {
		err = -errno;
		goto fail;
	}
	mem->base = addr;
	mem->size = ram_size;
	mem->nr_regions = enl_guest_mem_layout_pc(ram_size, mem->region);
	*fd_out = fd;
	return 0;
fail:
	close(fd);
	return err;
}

void enl_guest_mem_unmap(struct enl_guest_mem *mem)
{
	if (mem->base)
		munmap(mem->base, mem->size);
	memset(mem, 0, sizeof(*mem));
}
