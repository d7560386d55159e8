/* SPDX-License-Identifier: GPL-2.0-only */
/* enl-host's view of guest RAM: the QEMU memory-backend-file, mapped here. */
#ifndef ENL_HOST_GUEST_MEM_H
#define ENL_HOST_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

struct enl_guest_mem {
	uint8_t *base;		/* GPA 0 (pc machine: GPA == file offset) */
	uint64_t size;		/* bytes of RAM that are mapped */
};

/*
 * Host pointer to [gpa, gpa + len) or NULL when any byte of it lies outside
 * guest RAM. Every GPA the guest hands us goes through here.
 */
void *enl_gpa_ptr(const struct enl_guest_mem *mem, uint64_t gpa, uint64_t len);

int enl_guest_mem_map(struct enl_guest_mem *mem, const char *path, uint64_t size);
void enl_guest_mem_unmap(struct enl_guest_mem *mem);

#endif /* ENL_HOST_GUEST_MEM_H */
