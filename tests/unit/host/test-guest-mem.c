/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest RAM: the pc machine's layout around the PCI hole, GPA translation
 * through the region table with every bound checked, and the RAM file made
 * only in a private directory, never through a planted name.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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
	/* A sparse 4 GiB file stands for the guest: only its pages we touch. */
	char dir[] = "/tmp/enl-test-mem-XXXXXX";
	struct enl_guest_mem mem;
	g_autofree char *path = NULL;
	uint8_t *lo, *hi;

	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	tap_ok(enl_guest_mem_create(&mem, dir, 4 * GIB, &path) == 0 &&
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
	unlink(path);
	rmdir(dir);
}

static void test_private_file(void)
{
	char dir[] = "/tmp/enl-test-mem-XXXXXX";
	g_autofree char *path = NULL, *planted = NULL;
	struct enl_guest_mem mem;
	struct stat st;

	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	tap_ok(enl_guest_mem_create(&mem, dir, 1 * MIB, &path) == 0 &&
	       stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 &&
	       st.st_size == (off_t)MIB, "RAM file: mode 0600, sized");
	tap_ok(enl_guest_mem_create(&mem, dir, 1 * MIB, &planted) == -EEXIST,
	       "an existing file is never reused");
	enl_guest_mem_unmap(&mem);
	unlink(path);
	/* A symlink planted under the name: refused, its target untouched. */
	tap_ok(symlink("/dev/null", path) == 0 &&
	       enl_guest_mem_create(&mem, dir, 1 * MIB, &planted) < 0 &&
	       !planted && !mem.base, "a planted symlink is refused");
	unlink(path);
	tap_ok(enl_guest_mem_create(&mem, dir, 4095, &planted) == -EINVAL,
	       "a size that is not whole pages is refused");
	rmdir(dir);
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
