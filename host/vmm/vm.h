/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One guest: QEMU plus everything enl-host serves it (BAR2, ivshmem peer,
 * QMP, guest RAM mapping) wired to the SynIC emulation. main.c sees this.
 */
#ifndef ENL_HOST_VM_H
#define ENL_HOST_VM_H

#include "qemu.h"

struct enl_vm;
struct enl_hv;
struct enl_ctl;

/* cfg->ram_fd, ivshmem_sock and qmp_sock are chosen by enl_vm_new. */
struct enl_vm *enl_vm_new(const struct enl_qemu_cfg *cfg, int *err);
void enl_vm_free(struct enl_vm *vm);

struct enl_hv *enl_vm_hv(struct enl_vm *vm);

/* Launch QEMU; on_exit(ctx, status) runs once it is gone. */
int enl_vm_start(struct enl_vm *vm, void (*on_exit)(void *ctx, int status),
		 void *ctx);

/* Stop QEMU because enl-host got signal signo; status becomes 128 + signo. */
void enl_vm_stop(struct enl_vm *vm, int signo);

/* Verb "status". */
void enl_vm_register_ctl(struct enl_vm *vm, struct enl_ctl *ctl);

#endif /* ENL_HOST_VM_H */
