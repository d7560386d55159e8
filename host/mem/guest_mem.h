/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's view of guest RAM: QEMU's shared memory-backend-file, mapped
 * here once, and the table that places its bytes in guest-physical space.
 * Used by the SynIC emulation (host/hv), the VMM (host/vmm) and the VMBus
 * server; depends on none of them.
 */
#ifndef ENL_HOST_GUEST_MEM_H
#define ENL_HOST_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

/* The pc machine has at most two: below the PCI hole and above 4 GiB. */
#define ENL_GUEST_MEM_MAX_REGIONS	2

/* GPAs [gpa, gpa + size) are bytes [offset, offset + size) of the file. */
struct enl_guest_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t offset;
};

/*
 * The MMIO window (docs/hvif.md): memory enl-host maps that the guest sees
 * as device memory in BAR2 of the hvif device, at an address the guest's
 * firmware chose and the guest reports in *bar2_gpa (read at every
 * look-up: the guest may write it again, e.g. after kexec).
 */
struct enl_guest_mmio {
	uint8_t *base;			/* NULL: no window */
	uint64_t size;
	uint64_t bar_offset;		/* where the window starts in BAR2 */
	const uint64_t *bar2_gpa;
};

struct enl_guest_mem {
	uint8_t *base;		/* the whole RAM file, mapped (offset 0) */
	uint64_t size;		/* bytes mapped */
	uint32_t nr_regions;	/* 0: nothing is guest RAM yet */
	struct enl_guest_mem_region region[ENL_GUEST_MEM_MAX_REGIONS];
	struct enl_guest_mmio mmio;
};

/*
 * Host pointer to [gpa, gpa + len) or NULL unless all of it lies in one
 * region of guest RAM. Every GPA the guest hands us goes through here.
 */
void *enl_gpa_ptr(const struct enl_guest_mem *mem, uint64_t gpa, uint64_t len);

/*
 * Host pointer to [gpa, gpa + len) of the MMIO window, or NULL unless all
 * of it lies there (or the guest has not said where BAR2 is yet).
 */
void *enl_mmio_ptr(const struct enl_guest_mem *mem, uint64_t gpa,
		   uint64_t len);

/*
 * Where QEMU's pc machine (7.2, pc_piix) puts ram_size bytes: all below
 * 4 GiB up to 3.5 GiB; from 3.5 GiB on, 3 GiB below (the rest of the space
 * up to 4 GiB is the PCI hole) and the remainder at 4 GiB. Fills regions
 * (ENL_GUEST_MEM_MAX_REGIONS) and returns how many.
 */
uint32_t enl_guest_mem_layout_pc(uint64_t ram_size,
				 struct enl_guest_mem_region *regions);

/* Describe RAM that is already mapped (tests): GPA == offset, [0, size). */
void enl_guest_mem_set_flat(struct enl_guest_mem *mem, void *base,
			    uint64_t size);

/*
 * Create guest RAM as a memfd of ram_size bytes (close-on-exec), map it and
 * lay it out as the pc machine will. The fd in *fd, for QEMU to inherit
 * (mem-path=/proc/self/fd/N): nothing is ever named in /dev/shm, so no
 * way enl-host ends can leave the RAM behind. 0 or -errno.
 */
int enl_guest_mem_create(struct enl_guest_mem *mem, uint64_t ram_size,
			 int *fd);
void enl_guest_mem_unmap(struct enl_guest_mem *mem);

#endif /* ENL_HOST_GUEST_MEM_H */
