/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest RAM: the pc machine's layout around the PCI hole, GPA translation
 * through the region table with every bound checked, and the RAM a memfd
 * that no name in the file system ever points at.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "guest_mem.h"
#include "tap.h"

#define MIB	(1ULL << 20)
#define GIB	(1ULL << 30)

static void test_layout(void)
{
	struct enl_guest_mem_region r[ENL_GUEST_MEM_MAX_REGIONS];

	tap_ok(enl_guest_mem_layout_pc(512 * MIB, r) == 1 && r[0].gpa == 0 &&
	       r[0].size == 512 * MIB && r[0].offset == 0,
	       "512 MiB: one region at 0");
	tap_ok(enl_guest_mem_layout_pc(3 * GIB + 256 * MIB, r) == 1 &&
	       r[0].size == 3 * GIB + 256 * MIB,
	       "3.25 GiB: still all below the hole");
	tap_ok(enl_guest_mem_layout_pc(3 * GIB + 512 * MIB, r) == 2 &&
	       r[0].size == 3 * GIB && r[1].gpa == 4 * GIB &&
	       r[1].size == 512 * MIB && r[1].offset == 3 * GIB,
	       "3.5 GiB: 3 GiB below, 512 MiB at 4 GiB (file offset 3 GiB)");
	tap_ok(enl_guest_mem_layout_pc(6 * GIB, r) == 2 && r[0].size == 3 * GIB &&
	       r[1].gpa == 4 * GIB && r[1].size == 3 * GIB &&
	       r[1].offset == 3 * GIB, "6 GiB: 3 below, 3 from 4 GiB");
}

static void test_translate(void)
{
	/* A sparse 4 GiB memfd stands for the guest: only its pages we touch. */
	struct enl_guest_mem mem;
	uint8_t *lo, *hi;
	int fd;

	tap_ok(enl_guest_mem_create(&mem, 4 * GIB, &fd) == 0 &&
	       mem.nr_regions == 2, "4 GiB guest: created, two regions");
	lo = enl_gpa_ptr(&mem, 3 * GIB - 4096, 4096);
	hi = enl_gpa_ptr(&mem, 4 * GIB, 4096);
	tap_ok(lo == mem.base + 3 * GIB - 4096 && hi == mem.base + 3 * GIB,
	       "the last page below the hole and the first above it are "
	       "neighbours in the file");
	tap_ok(!enl_gpa_ptr(&mem, 3 * GIB, 1) &&
	       !enl_gpa_ptr(&mem, 4 * GIB - 1, 1) &&
	       !enl_gpa_ptr(&mem, 3 * GIB + 512 * MIB, 4096),
	       "the PCI hole is not RAM");
	tap_ok(!enl_gpa_ptr(&mem, 3 * GIB - 4096, 8192),
	       "a range running into the hole is refused");
	tap_ok(enl_gpa_ptr(&mem, 5 * GIB - 1, 1) == mem.base + 4 * GIB - 1 &&
	       !enl_gpa_ptr(&mem, 5 * GIB, 1) && !enl_gpa_ptr(&mem, 5 * GIB - 1, 2),
	       "the last byte of high RAM in, the next one out");
	tap_ok(!enl_gpa_ptr(&mem, UINT64_MAX, 2) &&
	       !enl_gpa_ptr(&mem, 4 * GIB, UINT64_MAX) &&
	       !enl_gpa_ptr(&mem, UINT64_MAX - 4095, 4096),
	       "wrapping and huge ranges refused");
	hi[0] = 0x5a;
	tap_ok(lo[4096] == 0x5a, "4 GiB is file offset 3 GiB");
	enl_guest_mem_unmap(&mem);
	tap_ok(!enl_gpa_ptr(&mem, 0, 1) && !enl_gpa_ptr(NULL, 0, 1),
	       "unmapped: nothing translates");
	close(fd);
}

static void test_private_file(void)
{
	struct enl_guest_mem mem;
	char link[64], target[256];
	struct stat st;
	ssize_t n;
	int fd, flags;

	tap_ok(enl_guest_mem_create(&mem, 1 * MIB, &fd) == 0 &&
	       fstat(fd, &st) == 0 && st.st_size == (off_t)MIB,
	       "RAM memfd: sized");
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = 0;
	tap_ok(g_str_has_prefix(target, "/memfd:enl-guest-ram"),
	       "no name in the file system (%s)", target);
	flags = fcntl(fd, F_GETFD);
	tap_ok(flags >= 0 && (flags & FD_CLOEXEC),
	       "close-on-exec: only QEMU is handed it, on purpose");
	((volatile uint8_t *)mem.base)[4096] = 7;
	tap_ok(pread(fd, target, 1, 4096) == 1 && target[0] == 7,
	       "the mapping and the fd are the same memory");
	enl_guest_mem_unmap(&mem);
	close(fd);
	tap_ok(enl_guest_mem_create(&mem, 4095, &fd) == -EINVAL && fd == -1,
	       "a size that is not whole pages is refused");
}

static void test_flat(void)
{
	struct enl_guest_mem mem;
	uint8_t buf[8192];

	enl_guest_mem_set_flat(&mem, buf, sizeof(buf));
	tap_ok(enl_gpa_ptr(&mem, 0, sizeof(buf)) == buf &&
	       !enl_gpa_ptr(&mem, 1, sizeof(buf)),
	       "flat: GPA is the offset, bounded");
	memset(&mem, 0, sizeof(mem));
	mem.base = buf;
	mem.size = sizeof(buf);
	tap_ok(!enl_gpa_ptr(&mem, 0, 1), "no region table: nothing is RAM");
}

int main(void)
{
	test_layout();
	test_translate();
	test_private_file();
	test_flat();
	return tap_done();
}
