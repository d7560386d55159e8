// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ring views of scattered guest pages (host/vmbus/ring_map.c) where file
 * offset and GPA differ, as for RAM above the PCI hole: every page of a
 * view shows the file page the region table names, from the RAM file's fd
 * and without it (mremap), including a GPA-contiguous run that crosses
 * from one region into another which lies elsewhere in the file.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest_mem.h"
#include "ring_map.h"
#include "tap.h"

#define PG	4096u
#define NPG	64u

static struct enl_guest_mem mem;
static int fd = -1;

/* Page n of the file holds n in every word. */
static void fill(void)
{
	for (uint32_t n = 0; n < NPG; n++) {
		uint32_t *w = (uint32_t *)(mem.base + (size_t)n * PG);

		for (uint32_t i = 0; i < PG / 4; i++)
			w[i] = n;
	}
}

/* Page i of the view shows file page want[i] (first and last word). */
static bool shows(const struct enl_ring_map *m, const uint32_t *want,
		  uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const uint32_t *w = (const uint32_t *)(m->addr + (size_t)i * PG);

		if (w[0] != want[i] || w[PG / 4 - 1] != want[i])
			return false;
	}
	return true;
}

static void check(const char *what, const uint64_t *pfns,
		  const uint32_t *want, uint32_t n)
{
	for (int with_fd = 1; with_fd >= 0; with_fd--) {
		struct enl_ring_map m;
		int ret = enl_ring_map_pages(&m, &mem, with_fd ? fd : -1, pfns,
					     n);

		tap_ok(!ret && m.len == (size_t)n * PG && shows(&m, want, n),
		       "%s (%s): every page is the file page the regions name",
		       what, with_fd ? "RAM fd" : "mremap");
		if (!ret) {
			/* Writes land in guest RAM, too. */
			m.addr[5] = 0x5a;
			tap_ok(mem.base[(size_t)want[0] * PG + 5] == 0x5a,
			       "%s (%s): a write through the view reaches RAM",
			       what, with_fd ? "RAM fd" : "mremap");
			mem.base[(size_t)want[0] * PG + 5] = 0;
			enl_ring_map_unmap(&m);
		}
	}
}

int main(void)
{
	const uint64_t hi = (4ull << 30) / PG;
	struct enl_ring_map m;

	fd = memfd_create("ram", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)NPG * PG))
		return tap_ok(0, "memfd"), tap_done();
	mem.base = mmap(NULL, (size_t)NPG * PG, PROT_READ | PROT_WRITE,
			MAP_SHARED, fd, 0);
	if (mem.base == MAP_FAILED)
		return tap_ok(0, "mmap"), tap_done();
	mem.size = (uint64_t)NPG * PG;
	fill();

	/* As the pc machine lays it out: low RAM, then RAM at 4 GiB. */
	mem.nr_regions = 2;
	mem.region[0] = (struct enl_guest_mem_region){ 0, 32 * PG, 0 };
	mem.region[1] = (struct enl_guest_mem_region){ hi * PG, 32 * PG, 32 * PG };
	{
		uint64_t pfns[] = { hi + 3, hi + 4, hi + 10, hi + 5, 7 };
		uint32_t want[] = { 35, 36, 42, 37, 7 };

		check("above 4 GiB, scattered", pfns, want, 5);
	}
	{
		uint64_t pfns[] = { hi + 1, hi + 2, hi + 3 };
		uint32_t want[] = { 33, 34, 35 };

		tap_ok(!enl_ring_map_pages(&m, &mem, fd, pfns, 3) && !m.owned &&
		       shows(&m, want, 3),
		       "above 4 GiB, contiguous: used in place");
		enl_ring_map_unmap(&m);
	}
	/* Regions next to each other in GPA, swapped in the file. */
	mem.region[0] = (struct enl_guest_mem_region){ 0, 32 * PG, 32 * PG };
	mem.region[1] = (struct enl_guest_mem_region){ 32 * PG, 32 * PG, 0 };
	{
		uint64_t pfns[] = { 30, 31, 32, 33 };
		uint32_t want[] = { 62, 63, 0, 1 };

		check("a GPA run across two regions", pfns, want, 4);
	}
	{
		uint64_t pfns[] = { 3, 64 };

		tap_ok(enl_ring_map_pages(&m, &mem, fd, pfns, 2) == -EFAULT,
		       "a pfn outside every region refused");
	}
	return tap_done();
}
