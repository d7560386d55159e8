/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The launcher's pure parts: QEMU's exit status to the guest's, the QEMU
 * command line, the QMP scan, and the BAR2 layout handed to the guest.
 */
#include <string.h>
#include <sys/wait.h>

#include <glib.h>

#include <enlighten/hvif.h>

#include "hvif_shm.h"
#include "qemu.h"
#include "qmp.h"
#include "tap.h"

#define EXITED(code)	((code) << 8)

static void test_status(void)
{
	const char *why;

	tap_ok(enl_qemu_guest_status(EXITED(0), "guest-shutdown", true, &why) == 0,
	       "poweroff is 0");
	tap_ok(enl_qemu_guest_status(EXITED(1), NULL, true, &why) == 0,
	       "isa-debug-exit 0 is 0");
	tap_ok(enl_qemu_guest_status(EXITED((42 << 1) | 1), NULL, true, &why) == 42,
	       "isa-debug-exit 42 is 42");
	tap_ok(enl_qemu_guest_status(EXITED(0), "guest-reset", true, &why) ==
	       ENL_EXIT_GUEST_RESET, "reset (panic=-1 + -no-reboot) is not success");
	tap_ok(enl_qemu_guest_status(EXITED(0), "guest-panic", true, &why) ==
	       ENL_EXIT_GUEST_RESET, "panic event is not success");
	tap_ok(enl_qemu_guest_status(EXITED(0), NULL, true, &why) ==
	       ENL_EXIT_QEMU_FAILED, "exit 0 without a shutdown event is a failure");
	tap_ok(enl_qemu_guest_status(EXITED(1), NULL, false, &why) ==
	       ENL_EXIT_QEMU_FAILED, "exit 1 before the handshake: QEMU failed");
	tap_ok(enl_qemu_guest_status(EXITED(2), NULL, true, &why) ==
	       ENL_EXIT_QEMU_FAILED, "even non-zero exit: QEMU failed");
	tap_ok(enl_qemu_guest_status(SIGKILL, NULL, true, &why) ==
	       ENL_EXIT_QEMU_FAILED, "killed QEMU: failed");
}

static bool has(GPtrArray *a, const char *s)
{
	guint i;

	for (i = 0; i + 1 < a->len; i++)
		if (!strcmp(g_ptr_array_index(a, i), s))
			return true;
	return false;
}

static void test_argv(void)
{
	struct enl_qemu_cfg cfg = {
		.kernel = "/k", .initrd = "/i", .append = "quiet",
		.serial2 = "/tmp/s,2", .mem_mib = 256, .cpus = 2,
		.ram_path = "/dev/shm/enl-1-0", .ivshmem_sock = "/t/iv",
		.qmp_sock = "/t/qmp",
	};
	g_autoptr(GPtrArray) a = enl_qemu_argv(&cfg);

	tap_ok(g_ptr_array_index(a, a->len - 1) == NULL, "argv NULL-terminated");
	tap_ok(has(a, "tcg") && has(a, "-no-reboot") &&
	       has(a, "console=ttyS0 panic=-1 quiet"),
	       "tcg, -no-reboot, panic=-1");
	tap_ok(has(a, "memory-backend-file,id=mem,size=256M,mem-path=/dev/shm/enl-1-0,share=on"),
	       "shared RAM backend");
	tap_ok(has(a, "cpus=2,maxcpus=2"), "two vCPUs, two possible");
	cfg.cpus = 1;
	tap_ok(enl_qemu_max_cpus(&cfg) == 2,
	       "one vCPU under TCG: two possible, so TCG keeps fences");
	cfg.kvm = true;
	tap_ok(enl_qemu_max_cpus(&cfg) == 1, "one vCPU under KVM: one possible");
	cfg.kvm = false;
	cfg.cpus = 2;
	tap_ok(has(a, "ivshmem-doorbell,chardev=ivshmem,vectors=2") &&
	       has(a, "isa-debug-exit,iobase=0xf4,iosize=0x04"),
	       "ivshmem-doorbell and isa-debug-exit");
	tap_ok(has(a, "socket,id=serial2,path=/tmp/s,,2,server=on,wait=off"),
	       "serial2 socket with its comma escaped");
	tap_ok(has(a, "stdio"), "console on stdio by default");
	tap_ok(!has(a, "-drive"), "no emulated disk unless asked");
}

/* No kernel: the BIOS boots the first emulated IDE disk, no -append. */
static void test_argv_ide_boot(void)
{
	char *ide[] = { "/img/a,b.img", "/img/seed.img,ro", NULL };
	struct enl_qemu_cfg cfg = {
		.ide = ide, .mem_mib = 256, .cpus = 1,
		.ram_path = "/dev/shm/enl-1-0", .ivshmem_sock = "/t/iv",
		.qmp_sock = "/t/qmp",
	};
	g_autoptr(GPtrArray) a = enl_qemu_argv(&cfg);

	tap_ok(!has(a, "-kernel") && !has(a, "-append") && !has(a, "-initrd"),
	       "no kernel: no -kernel, -initrd or -append");
	tap_ok(has(a, "file=/img/a,,b.img,if=ide,index=0,format=raw,media=disk"),
	       "first IDE disk, its comma escaped");
	tap_ok(has(a, "file=/img/seed.img,if=ide,index=1,format=raw,media=disk,readonly=on"),
	       "second IDE disk read-only");
}

static void test_qmp_scan(void)
{
	g_autofree char *r = enl_qmp_json_string(
		"{\"timestamp\": {\"seconds\": 1}, \"event\": \"SHUTDOWN\", "
		"\"data\": {\"guest\": true, \"reason\": \"guest-reset\"}}",
		"reason");
	g_autofree char *none = enl_qmp_json_string("{\"return\": {}}", "event");
	g_autofree char *cut = enl_qmp_json_string("{\"event\": \"SHUT", "event");

	tap_ok(r && !strcmp(r, "guest-reset"), "QMP reason found");
	tap_ok(!none && !cut, "absent or cut member: NULL");
}

static void test_shm(void)
{
	struct enl_hvif_shm shm;

	tap_ok(enl_hvif_shm_create(&shm, 4, 0, enl_hvif_nr_vectors(4)) == 0 &&
	       !memcmp(shm.shared->magic, ENL_HVIF_MAGIC, 8) &&
	       shm.shared->version == ENL_HVIF_VERSION &&
	       shm.shared->max_vp == 4 && shm.shared->nr_vectors == 4 &&
	       shm.shared->call[3].seq == 0, "BAR2 initialised");
	enl_hvif_shm_destroy(&shm);
	tap_ok(enl_hvif_shm_create(&shm, ENL_HVIF_MAX_VP + 1, 0, 16) < 0,
	       "too many VPs refused");
}

int main(void)
{
	test_status();
	test_argv();
	test_argv_ide_boot();
	test_qmp_scan();
	test_shm();
	return tap_done();
}
