/* SPDX-License-Identifier: GPL-2.0-only */
/* Launching QEMU for one guest and turning its end into the guest's status. */
#ifndef ENL_HOST_QEMU_H
#define ENL_HOST_QEMU_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <glib.h>

struct enl_qemu_cfg {
	const char *binary;		/* default qemu-system-x86_64 */
	const char *kernel;		/* NULL: the BIOS boots ide[0] */
	const char *initrd;		/* may be NULL */
	const char *append;		/* extra kernel command line, may be NULL */
	/*
	 * Emulated IDE disks (PIIX, ata_piix in the guest), NULL-terminated,
	 * may be NULL: "FILE" or "FILE,ro". What the firmware boots from, and
	 * what a guest without Enlighten's storage driver runs on.
	 */
	char **ide;
	const char *console;		/* serial log file; NULL = our stdout */
	const char *serial2;		/* UNIX socket for ttyS1, may be NULL */
	uint64_t mem_mib;
	uint32_t cpus;
	bool kvm;
	int ram_fd;			/* guest RAM memfd, inherited by QEMU */
	const char *ivshmem_sock;
	const char *qmp_sock;
	/*
	 * More QEMU arguments, appended as they are (NULL-terminated, may be
	 * NULL): the devices a benchmark measures against, e.g. a virtio-blk
	 * or IDE disk. The caller keeps them alive as long as the cfg.
	 */
	char *const *extra_args;
};

/*
 * The VPs the guest may have (QEMU's maxcpus): cfg->cpus, but at least 2
 * under TCG. TCG turns a guest's fences and locked instructions into host
 * ones only in its parallel mode, which it enables only when maxcpus > 1;
 * with one vCPU a guest store could still sit in the host CPU's store
 * buffer when its next load runs, and the guest and enl-host, which share
 * rings and SynIC pages concurrently, would miss each other's updates
 * (a ring signal lost: both sides idle with data in the ring). The extra
 * VP stays a possible, never-online CPU in the guest.
 */
uint32_t enl_qemu_max_cpus(const struct enl_qemu_cfg *cfg);

/* The argument vector (NULL-terminated) for cfg. */
GPtrArray *enl_qemu_argv(const struct enl_qemu_cfg *cfg);

/* Start QEMU; it dies with us (PR_SET_PDEATHSIG). 0 or -errno. */
int enl_qemu_spawn(const struct enl_qemu_cfg *cfg, GPid *pid);

/* Exit statuses of enl-host run beyond the guest's own 0..127. */
#define ENL_EXIT_GUEST_RESET	125	/* reboot, panic or triple fault */
#define ENL_EXIT_QEMU_FAILED	126	/* QEMU failed or vanished */

/*
 * The guest's status from QEMU's wait status: isa-debug-exit value v makes
 * QEMU exit (v << 1) | 1, a poweroff exits 0 with reason "guest-shutdown".
 * `started`: the guest got as far as the ivshmem handshake, so an odd exit
 * code is the guest's and not QEMU failing at start-up. `why` says what it
 * was, for the log.
 */
int enl_qemu_guest_status(int wait_status, const char *shutdown_reason,
			  bool started, const char **why);

/* Does this host have hardware virtualization that KVM can really use? */
bool enl_qemu_kvm_usable(void);

#endif /* ENL_HOST_QEMU_H */
