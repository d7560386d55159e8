// SPDX-License-Identifier: GPL-2.0-only
/* Contiguous host views of GPADL pages (see ring_map.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <enlighten/hv_synic.h>
#include "guest_mem.h"
#include "ring_map.h"

#define PG	ENL_HV_PAGE_SIZE

/*
 * Pages run contiguously from pfns[i] for how many? Contiguous in guest
 * RAM as mapped here, not only in GPA: a run never crosses from one region
 * of the table to another (the RAM above the PCI hole lies elsewhere in
 * the file than its GPA says).
 */
static uint32_t run_length(const struct enl_guest_mem *mem,
			   const uint64_t *pfns, uint32_t i, uint32_t n)
{
	const uint8_t *first = enl_gpa_ptr(mem, pfns[i] * PG, PG);
	uint32_t k = 1;

	while (i + k < n && pfns[i + k] == pfns[i] + k &&
	       enl_gpa_ptr(mem, pfns[i + k] * PG, PG) == first + (size_t)k * PG)
		k++;
	return k;
}

/*
 * Place one run of pages at dst: from the RAM file if we have its fd (at
 * the offset the region table gives: file offset and GPA differ above the
 * PCI hole), else by asking mremap() for a second mapping of the same
 * shared pages (an old_size of 0 does that for MAP_SHARED memory, such as
 * QEMU's RAM file).
 */
static int map_run(const struct enl_guest_mem *mem, int fd, uint8_t *dst,
		   uint64_t pfn, uint32_t k)
{
	uint8_t *src = enl_gpa_ptr(mem, pfn * PG, (uint64_t)k * PG);
	void *p;

	if (!src)
		return -EFAULT;
	if (fd >= 0) {
		/* mem->base maps the whole file from offset 0. */
		p = mmap(dst, (size_t)k * PG, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, (off_t)(src - mem->base));
	} else {
		p = mremap(src, 0, (size_t)k * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst);
	}
	return p == MAP_FAILED ? -errno : 0;
}

static int map_scattered(struct enl_ring_map *m,
			 const struct enl_guest_mem *mem, int fd,
			 const uint64_t *pfns, uint32_t npages)
{
	size_t len = (size_t)npages * PG;
	uint8_t *base;
	uint32_t i, k;
	int ret;

	/* MAP_FIXED over a page of another size would map the wrong bytes. */
	if (sysconf(_SC_PAGESIZE) != PG)
		return -EOPNOTSUPP;
	/* Reserve the whole range first so the pieces cannot land elsewhere. */
	base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	for (i = 0; i < npages; i += k) {
		k = run_length(mem, pfns, i, npages);
		ret = map_run(mem, fd, base + (size_t)i * PG, pfns[i], k);
		if (ret) {
			munmap(base, len);
			/* Private (e.g. malloc'd) RAM cannot be aliased. */
			return ret == -EINVAL ? -EOPNOTSUPP : ret;
		}
	}
	m->addr = base;
	m->len = len;
	m->owned = 1;
	return 0;
}

int enl_ring_map_pages(struct enl_ring_map *m, const struct enl_guest_mem *mem,
		       int ram_fd, const uint64_t *pfns, uint32_t npages)
{
	uint32_t i;

	memset(m, 0, sizeof(*m));
	if (!npages || !mem)
		return -EINVAL;
	for (i = 0; i < npages; i++)
		if (pfns[i] > UINT64_MAX / PG ||
		    !enl_gpa_ptr(mem, pfns[i] * PG, PG))
			return -EFAULT;
	if (run_length(mem, pfns, 0, npages) == npages) {
		m->addr = enl_gpa_ptr(mem, pfns[0] * PG, (uint64_t)npages * PG);
		if (!m->addr)
			return -EFAULT;
		m->len = (size_t)npages * PG;
		return 0;
	}
	return map_scattered(m, mem, ram_fd, pfns, npages);
}

void enl_ring_map_unmap(struct enl_ring_map *m)
{
	if (m->owned && m->addr)
		munmap(m->addr, m->len);
	memset(m, 0, sizeof(*m));
}
