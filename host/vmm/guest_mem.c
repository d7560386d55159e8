/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest RAM as enl-host sees it: QEMU's shared memory-backend-file, mapped. */
#include "guest_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void *enl_gpa_ptr(const struct enl_guest_mem *mem, uint64_t gpa, uint64_t len)
{
	/* Written so that no sum can wrap: gpa + len may overflow, size - len not. */
	if (!mem || !mem->base || len > mem->size || gpa > mem->size - len)
		return NULL;
	return mem->base + gpa;
}

int enl_guest_mem_map(struct enl_guest_mem *mem, const char *path, uint64_t size)
{
	struct stat st;
	void *p;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size < size) {
		/* QEMU sizes the file before the guest runs; smaller means not ours. */
		close(fd);
		return -EIO;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	mem->base = p;
	mem->size = size;
	return 0;
}

void enl_guest_mem_unmap(struct enl_guest_mem *mem)
{
	if (mem->base)
		munmap(mem->base, mem->size);
	mem->base = NULL;
	mem->size = 0;
}
