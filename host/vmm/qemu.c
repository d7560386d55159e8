/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU for one guest: pc machine with RAM in a shared file we map, the
 * ivshmem-doorbell that carries hvif, isa-debug-exit for the guest's status,
 * QMP to learn why it stopped, and -no-reboot so a panic ends the run.
 */
#include "qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <enlighten/hvif.h>

#include "hvif_shm.h"

static void add(GPtrArray *a, const char *s)
{
	g_ptr_array_add(a, g_strdup(s));
}

static void addf(GPtrArray *a, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void addf(GPtrArray *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_ptr_array_add(a, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

/* QEMU option values separate keys with ','; a literal one is doubled. */
static char *qemu_escape(const char *s)
{
	g_auto(GStrv) parts = g_strsplit(s, ",", -1);

	return g_strjoinv(",,", parts);
}

uint32_t enl_qemu_max_cpus(const struct enl_qemu_cfg *cfg)
{
	return cfg->kvm || cfg->cpus > 1 ? cfg->cpus : 2;
}

GPtrArray *enl_qemu_argv(const struct enl_qemu_cfg *cfg)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *ivs = qemu_escape(cfg->ivshmem_sock);
	g_autofree char *qmp = qemu_escape(cfg->qmp_sock);

	add(a, cfg->binary ? cfg->binary : "qemu-system-x86_64");
	add(a, "-accel");
	add(a, cfg->kvm ? "kvm" : "tcg");
	add(a, "-machine");
	add(a, "pc,memory-backend=mem");
	add(a, "-object");
	/* QEMU opens the memfd it inherits afresh through /proc. */
	addf(a, "memory-backend-file,id=mem,size=%" G_GUINT64_FORMAT
	     "M,mem-path=/proc/self/fd/%d,share=on", cfg->mem_mib,
	     cfg->ram_fd);
	/*
	 * maxcpus >= 2 even for one vCPU: QEMU's TCG treats a guest that can
	 * only ever have one CPU as alone in the world, and then translates
	 * its locked instructions non-atomically and its fences to nothing.
	 * But guest RAM is shared with enl-host's threads, which set event
	 * flags and ring indices concurrently: without real atomics and
	 * fences, wakeups get lost (an xchg of the event flags drops a bit
	 * set meanwhile; the ring's store-fence-load handshakes reorder).
	 */
	add(a, "-smp");
	addf(a, "cpus=%u,maxcpus=%u", cfg->cpus, enl_qemu_max_cpus(cfg));
	add(a, "-display");
	add(a, "none");
	add(a, "-monitor");
	add(a, "none");
	add(a, "-nodefaults");
	add(a, "-no-user-config");
	/* A guest reset (reboot, panic=-1, triple fault) stops QEMU. */
	add(a, "-no-reboot");
	/*
	 * Direct kernel boot, or (no kernel) SeaBIOS boots the first IDE
	 * disk's MBR and the command line is the guest bootloader's.
	 */
	if (cfg->kernel) {
		add(a, "-kernel");
		add(a, cfg->kernel);
		if (cfg->initrd) {
			add(a, "-initrd");
			add(a, cfg->initrd);
		}
		add(a, "-append");
		addf(a, "console=ttyS0 panic=-1%s%s", cfg->append ? " " : "",
		     cfg->append ? cfg->append : "");
	}
	for (unsigned int i = 0; cfg->ide && cfg->ide[i]; i++) {
		bool ro = g_str_has_suffix(cfg->ide[i], ",ro");
		g_autofree char *file = g_strndup(cfg->ide[i],
						  strlen(cfg->ide[i]) - (ro ? 3 : 0));
		g_autofree char *esc = qemu_escape(file);

		add(a, "-drive");
		addf(a, "file=%s,if=ide,index=%u,format=raw,media=disk%s", esc,
		     i, ro ? ",readonly=on" : "");
	}
	add(a, "-serial");
	if (cfg->console) {
		g_autofree char *con = qemu_escape(cfg->console);

		addf(a, "file:%s", con);
	} else {
		add(a, "stdio");
	}
	if (cfg->serial2) {
		g_autofree char *s2 = qemu_escape(cfg->serial2);

		add(a, "-chardev");
		addf(a, "socket,id=serial2,path=%s,server=on,wait=off", s2);
		add(a, "-serial");
		add(a, "chardev:serial2");
	}
	add(a, "-chardev");
	addf(a, "socket,id=ivshmem,path=%s", ivs);
	add(a, "-device");
	/* One MSI-X vector per VP (and at least the two doorbells). */
	addf(a, "ivshmem-doorbell,chardev=ivshmem,vectors=%u",
	     enl_hvif_nr_vectors(enl_qemu_max_cpus(cfg)));
	add(a, "-device");
	add(a, "isa-debug-exit,iobase=0xf4,iosize=0x04");
	add(a, "-chardev");
	addf(a, "socket,id=qmp,path=%s", qmp);
	add(a, "-mon");
	add(a, "chardev=qmp,mode=control");
	for (char *const *x = cfg->extra_args; x && *x; x++)
		add(a, *x);
	g_ptr_array_add(a, NULL);
	return a;
}

/* enl-host's pid, for the child to see whether its parent is still there. */
static pid_t qemu_parent;

static void child_setup(gpointer data)
{
	const struct enl_qemu_cfg *cfg = data;

	/* QEMU must not outlive enl-host, however enl-host ends. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* Killed between fork and the prctl: no signal will come, go now. */
	if (getppid() != qemu_parent)
		_exit(127);
	/* Guest RAM, the one descriptor QEMU inherits (GLib closes others). */
	if (cfg->ram_fd >= 0)
		fcntl(cfg->ram_fd, F_SETFD, 0);
}

int enl_qemu_spawn(const struct enl_qemu_cfg *cfg, GPid *pid)
{
	g_autoptr(GPtrArray) argv = enl_qemu_argv(cfg);
	g_autoptr(GError) error = NULL;

	GSpawnFlags flags = G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH;

	/* The console on stdio is the user's terminal: keep typing working. */
	if (!cfg->console)
		flags |= G_SPAWN_CHILD_INHERITS_STDIN;
	qemu_parent = getpid();
	if (!g_spawn_async(NULL, (char **)argv->pdata, NULL, flags,
			   child_setup, (gpointer)cfg, pid, &error)) {
		g_printerr("enl-host: cannot start QEMU: %s\n", error->message);
		return -ENOEXEC;
	}
	return 0;
}

int enl_qemu_guest_status(int wait_status, const char *shutdown_reason,
			  bool started, const char **why)
{
	int code;

	if (WIFSIGNALED(wait_status)) {
		*why = "QEMU was killed by a signal";
		return ENL_EXIT_QEMU_FAILED;
	}
	if (!WIFEXITED(wait_status)) {
		*why = "QEMU ended in an unknown way";
		return ENL_EXIT_QEMU_FAILED;
	}
	code = WEXITSTATUS(wait_status);
	if (code == 0) {
		if (shutdown_reason && !strcmp(shutdown_reason, "guest-shutdown")) {
			*why = "guest powered off";
			return 0;
		}
		if (shutdown_reason && !strcmp(shutdown_reason, "guest-reset")) {
			*why = "guest reset (reboot, panic or triple fault)";
			return ENL_EXIT_GUEST_RESET;
		}
		if (shutdown_reason && !strcmp(shutdown_reason, "guest-panic")) {
			*why = "guest panicked";
			return ENL_EXIT_GUEST_RESET;
		}
		*why = "QEMU stopped without a guest shutdown";
		return ENL_EXIT_QEMU_FAILED;
	}
	if ((code & 1) && started) {
		*why = "guest wrote its status to isa-debug-exit";
		return code >> 1;
	}
	*why = "QEMU failed";
	return ENL_EXIT_QEMU_FAILED;
}

bool enl_qemu_kvm_usable(void)
{
	g_autofree char *cpuinfo = NULL;

	if (access("/dev/kvm", R_OK | W_OK) < 0)
		return false;
	if (!g_file_get_contents("/proc/cpuinfo", &cpuinfo, NULL, NULL))
		return false;
	/*
	 * Without vmx/svm the /dev/kvm found on these machines is a software
	 * KVM that cannot run Linux (MACHINE-NOTES.md): never use it.
	 */
	return strstr(cpuinfo, " vmx") || strstr(cpuinfo, " svm");
}
