/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The launcher's pure parts: QEMU's exit status to the guest's, the QEMU
 * command line, the QMP scan, and the BAR2 layout handed to the guest.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include <enlighten/hvif.h>

#include "doorbell_pool.h"
#include "hvif_shm.h"
#include "ivshmem.h"
#include "qemu.h"
#include "qmp.h"
#include "run_dir.h"
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
		.ram_fd = 7, .ivshmem_sock = "/t/iv",
		.qmp_sock = "/t/qmp",
	};
	g_autoptr(GPtrArray) a = enl_qemu_argv(&cfg);

	tap_ok(g_ptr_array_index(a, a->len - 1) == NULL, "argv NULL-terminated");
	tap_ok(has(a, "tcg") && has(a, "-no-reboot") &&
	       has(a, "console=ttyS0 panic=-1 quiet"),
	       "tcg, -no-reboot, panic=-1");
	tap_ok(has(a, "memory-backend-file,id=mem,size=256M,mem-path=/proc/self/fd/7,share=on"),
	       "shared RAM backend");
	tap_ok(has(a, "cpus=2,maxcpus=2"), "two vCPUs, two possible");
	cfg.cpus = 1;
	tap_ok(enl_qemu_max_cpus(&cfg) == 2,
	       "one vCPU under TCG: two possible, so TCG keeps fences");
	cfg.kvm = true;
	tap_ok(enl_qemu_max_cpus(&cfg) == 1, "one vCPU under KVM: one possible");
	cfg.kvm = false;
	cfg.cpus = 2;
	tap_ok(has(a, "ivshmem-doorbell,chardev=ivshmem,vectors=32") &&
	       has(a, "isa-debug-exit,iobase=0xf4,iosize=0x04"),
	       "ivshmem-doorbell (2 shared + 30 channel doorbells) and isa-debug-exit");
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
		.ram_fd = 7, .ivshmem_sock = "/t/iv",
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

static void test_extra_args(void)
{
	char *extra[] = { "-drive", "file=/d,if=ide", NULL };
	struct enl_qemu_cfg cfg = {
		.kernel = "/k", .mem_mib = 256, .cpus = 1,
		.ram_fd = 7, .ivshmem_sock = "/iv", .qmp_sock = "/q",
		.extra_args = extra,
	};
	g_autoptr(GPtrArray) a = enl_qemu_argv(&cfg);

	tap_ok(a->len > 3 && g_ptr_array_index(a, a->len - 1) == NULL &&
	       !strcmp(g_ptr_array_index(a, a->len - 3), "-drive") &&
	       !strcmp(g_ptr_array_index(a, a->len - 2), "file=/d,if=ide"),
	       "extra QEMU arguments appended last, as they are");
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
	       shm.shared->max_vp == 4 && shm.shared->nr_vectors == 32 &&
	       shm.shared->features == ENL_HVIF_FEATURE_SIGNAL_VECTORS &&
	       shm.shared->call[3].seq == 0, "BAR2 initialised");
	enl_hvif_shm_destroy(&shm);
	tap_ok(enl_hvif_shm_create(&shm, 4, 0, 4) == 0 &&
	       shm.shared->features == 0,
	       "too few vectors for the channel doorbells: not offered");
	enl_hvif_shm_destroy(&shm);
	tap_ok(enl_hvif_nr_vectors(40) == 40, "more VPs than doorbells: a vector each");
	tap_ok(enl_hvif_shm_create(&shm, ENL_HVIF_MAX_VP + 1, 0, 16) < 0,
	       "too many VPs refused");
}

static void make_sock(const char *dir, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, name);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		close(fd);	/* the name stays, as after a kill -9 */
}

/* Run dirs of dead enl-hosts go; live ones and strange ones stay. */
static void test_run_dir(void)
{
	g_autofree char *top = g_dir_make_tmp("enl-test-run-XXXXXX", NULL);
	g_autofree char *dead = NULL, *live = NULL, *odd = NULL;
	g_autofree char *f = NULL;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	dead = g_strdup_printf("%s/enl-host-%d-aBcDeF", top, (int)pid);
	live = g_strdup_printf("%s/enl-host-%d-aBcDeF", top, (int)getpid());
	odd = g_strdup_printf("%s/enl-host-%d-xYzXyZ", top, (int)pid);
	mkdir(dead, 0700);
	mkdir(live, 0700);
	mkdir(odd, 0700);
	make_sock(dead, "ivshmem.sock");
	make_sock(dead, "qmp.sock");
	make_sock(live, "qmp.sock");
	f = g_build_filename(odd, "data", NULL);
	g_file_set_contents(f, "x", 1, NULL);
	tap_ok(enl_run_dir_sweep_in(top) == 1 && !g_file_test(dead, G_FILE_TEST_EXISTS),
	       "a dead enl-host's run dir (sockets only) is swept");
	tap_ok(g_file_test(live, G_FILE_TEST_IS_DIR) && g_file_test(odd, G_FILE_TEST_IS_DIR),
	       "a live enl-host's, and one holding other files, are left");
	{
		g_autoptr(GError) e = NULL;
		g_autofree char *mine = enl_run_dir_new(&e);
		g_autofree char *want = g_strdup_printf("enl-host-%d-",
							(int)getpid());
		struct stat st;

		tap_ok(mine && stat(mine, &st) == 0 && (st.st_mode & 0777) == 0700 &&
		       strstr(mine, want),
		       "a new run dir is private and names its owner");
		if (mine)
			rmdir(mine);
	}
	unlink(f);
	rmdir(odd);
	g_free(f);
	f = g_build_filename(live, "qmp.sock", NULL);
	unlink(f);
	rmdir(live);
	rmdir(top);
}

/* Channel doorbells: table, take, exhaustion, give-back. */
static void test_doorbell_pool(void)
{
	g_autofree char *dir = g_dir_make_tmp("enl-test-db-XXXXXX", NULL);
	g_autofree char *sock = g_build_filename(dir, "iv.sock", NULL);
	struct enl_doorbell_pool pool;
	struct enl_hvif_shm shm;
	struct enl_ivshmem *iv;
	uint32_t nvec = enl_hvif_nr_vectors(2), b, bound = 0;
	uint64_t one = 1;
	int err, fd, fd2, fds[ENL_HVIF_CHANNEL_DOORBELLS];
	bool distinct = true;

	if (!tap_ok(enl_hvif_shm_create(&shm, 2, 0, nvec) == 0, "hvif memfd"))
		return;
	iv = enl_ivshmem_new(sock, shm.fd, nvec, NULL, NULL, &err);
	if (!tap_ok(iv != NULL, "ivshmem server")) {
		enl_hvif_shm_destroy(&shm);
		return;
	}
	enl_doorbell_pool_init(&pool, shm.shared, iv, nvec);

	tap_ok(enl_ivshmem_doorbell_fd(iv, ENL_HVIF_DOORBELL_SIGNAL) == -EINVAL &&
	       enl_ivshmem_doorbell_fd(iv, nvec) == -EINVAL &&
	       enl_ivshmem_doorbell_fd(iv, nvec - 1) >= 0,
	       "only channel doorbells are handed out");
	/* A bit the guest left set (a ring meant for a closed channel). */
	shm.shared->signal_bits[0] = 1ull << 5 | 1ull << 6;
	fd = enl_doorbell_pool_bind(&pool, 5);
	tap_ok(fd >= 0 && shm.shared->signal_vector[5] == ENL_HVIF_DOORBELL_CHANNEL_FIRST &&
	       shm.shared->signal_bits[0] == 1ull << 6,
	       "bind publishes the vector and clears only the channel's stale bit");
	tap_ok(enl_doorbell_pool_bind(&pool, 5) == -EBUSY &&
	       enl_doorbell_pool_bind(&pool, ENL_HVIF_SIGNAL_BITS) == -EINVAL,
	       "bound twice or out of range: refused");
	tap_ok(!enl_doorbell_pool_take(&pool, 5, fd), "no signal: nothing taken");
	shm.shared->signal_bits[0] |= 1ull << 5;
	tap_ok(write(fd, &one, sizeof(one)) == sizeof(one) &&
	       enl_doorbell_pool_take(&pool, 5, fd) &&
	       shm.shared->signal_bits[0] == 1ull << 6 &&
	       read(fd, &one, sizeof(one)) < 0,
	       "take consumes the ring and the channel's bit, not its neighbour's");
	for (b = 100; b < 100 + ENL_HVIF_CHANNEL_DOORBELLS - 1; b++) {
		fds[bound] = enl_doorbell_pool_bind(&pool, b);
		if (fds[bound] < 0 || fds[bound] == fd)
			distinct = false;
		bound++;
	}
	tap_ok(distinct && enl_doorbell_pool_bind(&pool, 200) == -ENOSPC &&
	       shm.shared->signal_vector[200] == 0,
	       "30 channels get a doorbell each; the 31st uses the shared one");
	/* The guest rings the old vector after the unbind: the next owner drains it. */
	enl_doorbell_pool_unbind(&pool, 5);
	one = 1;
	tap_ok(shm.shared->signal_vector[5] == 0 &&
	       write(fd, &one, sizeof(one)) == sizeof(one),
	       "unbind clears the table entry");
	fd2 = enl_doorbell_pool_bind(&pool, 200);
	tap_ok(fd2 == fd && shm.shared->signal_vector[200] == ENL_HVIF_DOORBELL_CHANNEL_FIRST &&
	       read(fd2, &one, sizeof(one)) < 0,
	       "a freed doorbell goes to the next channel, its stale ring drained");
	/* Hostile table contents are the guest's problem: we never read them back. */
	shm.shared->signal_vector[200] = 0xffff;
	enl_doorbell_pool_unbind(&pool, 200);
	tap_ok(enl_doorbell_pool_bind(&pool, 201) == fd,
	       "our own record, not BAR2, says which vector a bit holds");

	enl_doorbell_pool_clear(&pool);
	enl_ivshmem_free(iv);
	enl_hvif_shm_destroy(&shm);
	rmdir(dir);
}

int main(void)
{
	test_run_dir();
	test_status();
	test_argv();
	test_argv_ide_boot();
	test_extra_args();
	test_qmp_scan();
	test_shm();
	test_doorbell_pool();
	return tap_done();
}
