/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A contiguous host view of guest pages listed in a GPADL. The guest's
 * pages are rarely contiguous in guest physical memory, while the portable
 * ring code wants one control page pointer and one data pointer; so the
 * pages are mapped one after another from the guest RAM file (at the
 * offsets host/mem's region table gives: RAM above the PCI hole sits at 4
 * GiB in GPA but right after the low RAM in the file) into a reserved
 * range of host address space, or, without that file's fd, as second
 * mappings of the shared guest RAM (mremap).
 */
#ifndef ENL_HOST_VMBUS_RING_MAP_H
#define ENL_HOST_VMBUS_RING_MAP_H

#include <stddef.h>
#include <stdint.h>

struct enl_guest_mem;

struct enl_ring_map {
	uint8_t *addr;		/* npages * 4 KiB, contiguous */
	size_t len;
	int owned;		/* addr is our own mapping, unmap it */
};

/*
 * Map npages guest pages. Every pfn is checked against guest RAM first.
 * Pages contiguous in guest RAM are used in place; others are mapped from
 * ram_fd (the guest RAM file mem->base maps) or, if it is -1, aliased from the
 * MAP_SHARED guest RAM mapping. 0, -EFAULT (pfn outside RAM), -EOPNOTSUPP
 * (discontiguous and RAM neither a file nor shared), or -errno of mmap.
 */
int enl_ring_map_pages(struct enl_ring_map *m, const struct enl_guest_mem *mem,
		       int ram_fd, const uint64_t *pfns, uint32_t npages);
void enl_ring_map_unmap(struct enl_ring_map *m);

#endif /* ENL_HOST_VMBUS_RING_MAP_H */
