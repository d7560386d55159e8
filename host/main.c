/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host: run a guest under QEMU and serve it the Hyper-V guest interface
 * and VMBus (`enl-host run`), or talk to a running one (`enl-host ctl`).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib-unix.h>

#include <enlighten/hvif.h>

#include "ctl.h"
#include "hv.h"
#include "vm.h"
#ifdef ENL_HAVE_VMBUS
#include "server.h"
#endif
#ifdef ENL_HAVE_VSP
#include "net_glue.h"
#include "hid_glue.h"
#include "stor_glue.h"
#include "video_glue.h"
#ifdef ENL_HAVE_CONSOLE
#include "console.h"
#include "console_glue.h"
#include "display.h"
#endif
#include "vsp_all.h"
#endif
#ifdef ENL_HAVE_IC
#include "clip_glue.h"
#include "ic_services.h"
#include "vss_glue.h"
#endif

#define MEM_MAX_MIB	65536	/* host/mem maps RAM around the PCI hole */
/* Where Debian's novnc package puts noVNC (--vnc-web). */
#define ENL_NOVNC_DIR	"/usr/share/novnc"

struct run {
	GMainLoop *loop;
	struct enl_vm *vm;
	int status;
};

/* ---- The seam to the VMBus server: all of it lives in these two. ---- */

static void *vmbus_start(struct enl_hv *hv, char **offers, char **disks,
			 char **nics)
{
#ifdef ENL_HAVE_VMBUS
	struct enl_vmbus_server *srv = enl_vmbus_server_new(hv);
	int rc;

	if (!srv)
		return NULL;
#ifdef ENL_HAVE_VSP
	rc = enl_vsp_add_all(srv);
	if (rc < 0)
		g_printerr("enl-host: registering device classes: %s\n",
			   g_strerror(-rc));
#endif
#ifdef ENL_HAVE_IC
	/* Each offer of these classes gets its own service state. */
	rc = enl_ic_register_vmbus(srv);
	if (rc >= 0)
		rc = enl_vss_register_vmbus(srv);
	if (rc >= 0)
		rc = enl_clip_register_vmbus(srv);
	if (rc < 0)
		g_printerr("enl-host: registering integration services: %s\n",
			   g_strerror(-rc));
#endif
	for (; offers && *offers; offers++) {
		rc = enl_vmbus_server_offer(srv, *offers);
		if (rc < 0) {
			g_printerr("enl-host: --offer %s: %s\n", *offers,
				   g_strerror(-rc));
			enl_vmbus_server_free(srv);
			return NULL;
		}
	}
#ifdef ENL_HAVE_VSP
	/* After --offer: a disk goes to the first controller of its class. */
	for (; disks && *disks; disks++) {
		g_autoptr(GString) why = g_string_new(NULL);

		rc = enl_stor_add_disk(srv, *disks, why);
		if (rc < 0) {
			g_strchomp(why->str);
			g_printerr("enl-host: --disk %s: %s\n", *disks, why->str);
			enl_vmbus_server_free(srv);
			return NULL;
		}
	}
	/* Then the NICs, in order: each is an offer of its own. */
	for (; nics && *nics; nics++) {
		g_autoptr(GString) why = g_string_new(NULL);

		rc = enl_nic_add(srv, *nics, why);
		if (rc < 0) {
			g_strchomp(why->str);
			g_printerr("enl-host: --nic %s: %s\n", *nics, why->str);
			enl_vmbus_server_free(srv);
			return NULL;
		}
	}
#else
	if ((disks && *disks) || (nics && *nics)) {
		g_printerr("enl-host: --disk and --nic need the VSPs, which this build lacks\n");
		enl_vmbus_server_free(srv);
		return NULL;
	}
#endif
	return srv;
#else
	(void)hv;
	if ((offers && *offers) || (disks && *disks) || (nics && *nics)) {
		g_printerr("enl-host: --offer, --disk and --nic need the VMBus server, which this build lacks\n");
		return NULL;
	}
	return (void *)1;	/* nothing to serve, nothing to free */
#endif
}

static void vmbus_stop(void *srv)
{
#ifdef ENL_HAVE_VMBUS
	enl_vmbus_server_free(srv);
#else
	(void)srv;
#endif
}

/*
 * Every ctl verb, in one place: `run` registers them on the socket, and
 * `ctl --help` on an offline table (vm and srv NULL: registering only
 * records them, nothing is called until a request comes).
 */
static void register_verbs(struct enl_ctl *ctl, struct enl_vm *vm, void *srv)
{
	enl_vm_register_ctl(vm, ctl);
#ifdef ENL_HAVE_VMBUS
	enl_vmbus_server_register_ctl(srv, ctl);
#ifdef ENL_HAVE_IC
	enl_ic_register_ctl(srv, ctl);
	enl_vss_register_ctl(srv, ctl);
	enl_clip_register_ctl_vmbus(srv, ctl);
#endif
#ifdef ENL_HAVE_VSP
	enl_stor_register_ctl(srv, ctl);
	enl_nic_register_ctl(srv, ctl);
	enl_hid_register_ctl(srv, ctl);
	enl_video_register_ctl(srv, ctl);
#endif
#ifdef ENL_HAVE_CONSOLE
	enl_console_register_ctl(ctl);
#endif
#else
	(void)srv;
#endif
}

/* ---- run ---- */

static void on_guest_exit(void *ctx, int status)
{
	struct run *r = ctx;

	r->status = status;
	g_main_loop_quit(r->loop);
}

static gboolean on_signal(gpointer data)
{
	struct run *r = data;

	/* Which signal is not passed to us; SIGTERM and SIGINT end the same. */
	enl_vm_stop(r->vm, SIGTERM);
	return G_SOURCE_CONTINUE;
}

static gboolean on_sigint(gpointer data)
{
	struct run *r = data;

	enl_vm_stop(r->vm, SIGINT);
	return G_SOURCE_CONTINUE;
}

#ifdef ENL_HAVE_CONSOLE
static const struct enl_console_input_ops hid_input = {
	.key = enl_hid_console_key,
	.pointer = enl_hid_console_pointer,
};
#endif

/* --vnc: the console on the synthetic display. NULL and a message on error. */
static void *console_start(const char *spec, const char *password_file,
			   const char *web_dir, struct enl_ctl *ctl)
{
#ifdef ENL_HAVE_CONSOLE
	const struct enl_console_cfg cfg = {
		.spec = spec, .password_file = password_file, .web_dir = web_dir,
	};
	g_autoptr(GString) why = g_string_new(NULL);
	struct enl_console *con;

	(void)ctl;
	/* `ctl mouse` in pixels wants the screen's size. */
	enl_display_set_size_hook(enl_display_get(), enl_hid_set_screen_size);
	if (!spec) {
		if (web_dir) {
			g_printerr("enl-host: --vnc-web needs --vnc :N or HOST:N\n");
			return NULL;
		}
		return (void *)1;
	}
	con = enl_console_new(&cfg, enl_display_get(), why);
	if (!con) {
		g_strchomp(why->str);
		g_printerr("enl-host: %s\n", why->str);
		return NULL;
	}
	enl_console_set_default(con);
	/* VNC keys and pointer go to the synthetic keyboard and mouse. */
	enl_console_set_input(con, &hid_input, NULL);
	g_printerr("enl-host: VNC console on %s\n", enl_console_address(con));
	if (enl_console_web_url(con))
		g_printerr("enl-host: browser console on %s\n",
			   enl_console_web_url(con));
	return con;
#else
	(void)password_file;
	(void)web_dir;
	(void)ctl;
	if (spec) {
		g_printerr("enl-host: --vnc needs the VNC console, which this build lacks\n");
		return NULL;
	}
	return (void *)1;
#endif
}

static void console_stop(void *con)
{
#ifdef ENL_HAVE_CONSOLE
	if (con != (void *)1)
		enl_console_free(con);
#else
	(void)con;
#endif
}

static bool parse_mem(const char *s, uint64_t *mib)
{
	char *end;
	guint64 v = g_ascii_strtoull(s, &end, 10);

	if (end == s)
		return false;
	if (*end == 'G' || *end == 'g') {
		v *= 1024;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		end++;
	}
	if (*end || v < 64 || v > MEM_MAX_MIB)
		return false;
	*mib = v;
	return true;
}

static int cmd_run(int argc, char **argv)
{
	g_autofree char *kernel = NULL, *initrd = NULL, *append = NULL;
	g_autofree char *console = NULL, *serial2 = NULL, *ctl_path = NULL;
	g_autofree char *mem = NULL, *accel = NULL, *qemu = NULL;
	g_autofree char *vnc = NULL, *vnc_password = NULL, *vnc_web_dir = NULL;
	g_autofree char *host_clock = NULL;
	gboolean vnc_web = FALSE;
	g_auto(GStrv) offers = NULL, disks = NULL, nics = NULL, ide = NULL;
	g_auto(GStrv) qemu_args = NULL;
	gint cpus = 1;
	GOptionEntry entries[] = {
		{ "kernel", 0, 0, G_OPTION_ARG_FILENAME, &kernel, "Guest kernel (bzImage or vmlinux); without it the BIOS boots the first --ide disk", "FILE" },
		{ "initrd", 0, 0, G_OPTION_ARG_FILENAME, &initrd, "Guest initramfs", "FILE" },
		{ "mem", 0, 0, G_OPTION_ARG_STRING, &mem, "Guest RAM, e.g. 512M or 1G (default 512M, at most 3G)", "SIZE" },
		{ "cpus", 0, 0, G_OPTION_ARG_INT, &cpus, "Virtual processors (default 1)", "N" },
		{ "append", 0, 0, G_OPTION_ARG_STRING, &append, "Extra kernel command line", "ARGS" },
		{ "console", 0, 0, G_OPTION_ARG_FILENAME, &console, "Write the guest console (ttyS0) here instead of stdout", "FILE" },
		{ "serial2", 0, 0, G_OPTION_ARG_FILENAME, &serial2, "Serve the guest's ttyS1 on this UNIX socket", "SOCK" },
		{ "ctl", 0, 0, G_OPTION_ARG_FILENAME, &ctl_path, "Control socket path", "SOCK" },
		{ "offer", 0, 0, G_OPTION_ARG_STRING_ARRAY, &offers, "Offer a VMBus device of this class (repeatable)", "CLASS" },
		{ "disk", 0, 0, G_OPTION_ARG_STRING_ARRAY, &disks, "Give the guest a synthetic disk (repeatable): a raw image or block device, options ro, wt (write-through), ide (the IDE accelerator instead of SCSI), lun=N, bs=512|4096, serial=S, nodirect", "FILE[,ro][,wt][,ide][,lun=N]" },
		{ "nic", 0, 0, G_OPTION_ARG_STRING_ARRAY, &nics, "Give the guest a synthetic NIC (repeatable) backed by TAP NAME (created if absent; one queue per channel), options mac=XX:XX:XX:XX:XX:XX, queues=N (default 4), mtu=N (largest MTU offered, default 9000; also set on the TAP), link=down, nvsp=1|2|4|5|6|6.1 (newest NVSP version offered), speed=MBPS (link speed reported, default 10000); none instead of tap=NAME: no backend", "tap=NAME|none[,mac=M][,queues=N][,mtu=N][,link=down][,nvsp=V][,speed=MBPS]" },
		{ "ide", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &ide, "An emulated IDE disk (ata_piix in the guest; the BIOS boots the first) (repeatable, at most 4)", "FILE[,ro]" },
		{ "vnc", 0, 0, G_OPTION_ARG_STRING, &vnc, "Serve the synthetic display over VNC: :N (127.0.0.1, port 5900+N), HOST:N (needs --vnc-password-file) or unix:PATH", "SPEC" },
		{ "vnc-password-file", 0, 0, G_OPTION_ARG_FILENAME, &vnc_password, "The VNC password: the first line of FILE", "FILE" },
		{ "vnc-web", 0, 0, G_OPTION_ARG_NONE, &vnc_web, "Also serve the console to a browser: noVNC on HTTP port 5800+N, WebSocket on 5900+N with a token (the URL is printed)", NULL },
		{ "vnc-web-dir", 0, 0, G_OPTION_ARG_FILENAME, &vnc_web_dir, "noVNC's directory for --vnc-web (default " ENL_NOVNC_DIR ")", "DIR" },
		{ "host-clock", 0, 0, G_OPTION_ARG_STRING, &host_clock, "The clock time sync serves: wall (default) or steady (the wall clock at start advanced by the monotonic clock: steps of this machine's own clock do not reach the guest)", "wall|steady" },
		{ "accel", 0, 0, G_OPTION_ARG_STRING, &accel, "tcg (default) or kvm (only with usable hardware virtualization)", "ACCEL" },
		{ "qemu", 0, 0, G_OPTION_ARG_FILENAME, &qemu, "QEMU binary (default qemu-system-x86_64)", "PATH" },
		{ "qemu-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &qemu_args, "One more QEMU argument, appended as it is (repeatable; e.g. a virtio-blk disk to compare with)", "ARG" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("- boot a guest under QEMU and serve it Hyper-V + VMBus");
	g_autoptr(GError) error = NULL;
	struct enl_qemu_cfg cfg = { 0 };
	struct enl_ctl *ctl = NULL;
	struct run r = { .status = 1 };
	void *srv = NULL, *con = NULL;
	int err;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error)) {
		g_printerr("enl-host run: %s\n", error->message);
		return 1;
	}
	if (argc > 1) {
		g_printerr("enl-host run: unexpected argument '%s'\n", argv[1]);
		return 1;
	}
	if (kernel && !g_file_test(kernel, G_FILE_TEST_IS_REGULAR)) {
		g_printerr("enl-host run: no kernel %s\n", kernel);
		return 1;
	}
	if (!kernel && (!ide || !*ide)) {
		g_printerr("enl-host run: --kernel FILE, or an --ide disk to boot from, is required\n");
		return 1;
	}
	if (!kernel && (initrd || append)) {
		g_printerr("enl-host run: --initrd and --append need --kernel (the guest's bootloader has its own)\n");
		return 1;
	}
	if (ide && g_strv_length(ide) > 4) {
		g_printerr("enl-host run: at most 4 --ide disks (two PIIX channels, two each)\n");
		return 1;
	}
	for (char **d = ide; d && *d; d++) {
		g_autofree char *file = g_str_has_suffix(*d, ",ro") ?
			g_strndup(*d, strlen(*d) - 3) : g_strdup(*d);

		if (!g_file_test(file, G_FILE_TEST_EXISTS)) {
			g_printerr("enl-host run: --ide %s: no such file\n", *d);
			return 1;
		}
	}
	if (initrd && !g_file_test(initrd, G_FILE_TEST_IS_REGULAR)) {
		g_printerr("enl-host run: no initrd %s\n", initrd);
		return 1;
	}
	cfg.mem_mib = 512;
	if (mem && !parse_mem(mem, &cfg.mem_mib)) {
		g_printerr("enl-host run: --mem %s: want 64M..%dM\n", mem,
			   MEM_MAX_MIB);
		return 1;
	}
	if (cpus < 1 || cpus > ENL_HVIF_MAX_VP) {
		g_printerr("enl-host run: --cpus must be 1..%d\n", ENL_HVIF_MAX_VP);
		return 1;
	}
	if (accel && strcmp(accel, "tcg") && strcmp(accel, "kvm")) {
		g_printerr("enl-host run: --accel must be tcg or kvm\n");
		return 1;
	}
	if (host_clock && strcmp(host_clock, "wall") &&
	    strcmp(host_clock, "steady")) {
		g_printerr("enl-host run: --host-clock is wall or steady, not '%s'\n",
			   host_clock);
		return 1;
	}
	if (host_clock && !strcmp(host_clock, "steady"))
		enl_ts_host_use_steady_clock();
	cfg.kvm = accel && !strcmp(accel, "kvm");
	if (cfg.kvm && !enl_qemu_kvm_usable()) {
		g_printerr("enl-host run: no usable hardware virtualization (no vmx/svm): using tcg\n");
		cfg.kvm = false;
	}
	cfg.binary = qemu;
	cfg.kernel = kernel;
	cfg.initrd = initrd;
	cfg.append = append;
	cfg.ide = ide;
	cfg.console = console;
	cfg.serial2 = serial2;
	cfg.cpus = (uint32_t)cpus;
	cfg.extra_args = qemu_args;

	if (!ctl_path)
		ctl_path = enl_ctl_default_path();
	ctl = enl_ctl_new(ctl_path, &err);
	if (!ctl) {
		g_printerr("enl-host run: control socket %s: %s\n", ctl_path,
			   err == -EADDRINUSE ? "another enl-host is serving it"
					      : g_strerror(-err));
		return 1;
	}
	r.vm = enl_vm_new(&cfg, &err);
	if (!r.vm) {
		g_printerr("enl-host run: setting up the VM: %s\n", g_strerror(-err));
		goto out;
	}
	srv = vmbus_start(enl_vm_hv(r.vm), offers, disks, nics);
	if (!srv)
		goto out;
	register_verbs(ctl, r.vm, srv);
	con = console_start(vnc, vnc_password,
			    vnc_web || vnc_web_dir ?
			    (vnc_web_dir ? vnc_web_dir : ENL_NOVNC_DIR) : NULL,
			    ctl);
	if (!con)
		goto out;
	r.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_signal, &r);
	g_unix_signal_add(SIGHUP, on_signal, &r);
	g_unix_signal_add(SIGINT, on_sigint, &r);
	if (enl_vm_start(r.vm, on_guest_exit, &r) < 0)
		goto out;
	g_main_loop_run(r.loop);
out:
	/* The server goes before the SynIC it sits on. */
	if (srv)
		vmbus_stop(srv);
	/* The console reads VRAM, which goes with the VM. */
	if (con)
		console_stop(con);
	enl_vm_free(r.vm);
	enl_ctl_free(ctl);
	if (r.loop)
		g_main_loop_unref(r.loop);
	return r.status;
}

/* ---- ctl ---- */

/* `enl-host ctl --help`: every verb, without a running host. */
static int ctl_help_offline(void)
{
	struct enl_ctl *ctl = enl_ctl_new_offline();
	g_autoptr(GString) out = g_string_new(NULL);

	register_verbs(ctl, NULL, NULL);
	printf("Usage: enl-host ctl [--ctl SOCK] [--json] VERB [ARGS...]\n"
	       "--json: the reply as one JSON object on one line,\n"
	       "  {\"ok\":true,\"verb\":V,\"data\":...,\"text\":...} or\n"
	       "  {\"ok\":false,\"verb\":V,\"error\":WHY}.\n"
	       "Exit status: 0 ok, 1 error, 2 no host to talk to.\n\nVerbs:\n");
	enl_ctl_usage(ctl, out);
	fwrite(out->str, 1, out->len, stdout);
	enl_ctl_free(ctl);
	return 0;
}

static int cmd_ctl(int argc, char **argv)
{
	g_autofree char *path = NULL, *abs_file = NULL;
	int i = 1;


	if (i < argc && !strcmp(argv[i], "--ctl") && i + 1 < argc) {
		path = g_strdup(argv[i + 1]);
		i += 2;
	} else if (i < argc && g_str_has_prefix(argv[i], "--ctl=")) {
		path = g_strdup(argv[i] + strlen("--ctl="));
		i++;
	}
	if (i == argc - 1 && (!strcmp(argv[i], "--help") ||
			      !strcmp(argv[i], "-h")))
		return ctl_help_offline();
	if (!path)
		path = enl_ctl_default_path();
	/* The server writes a screenshot: name it from our directory. */
	if (argc - i == 2 && !strcmp(argv[i], "screenshot") &&
	    !g_path_is_absolute(argv[i + 1]))
		argv[i + 1] = abs_file = g_canonicalize_filename(argv[i + 1],
								 NULL);
	return enl_ctl_client(path, argc - i, argv + i);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: enl-host run --kernel K [--initrd I] [--append ARGS] | --ide BOOTDISK\n"
		"                    [--mem M] [--cpus N] [--ide FILE[,ro]]...\n"
		"                    [--console FILE] [--serial2 SOCK] [--ctl SOCK] [--offer CLASS]...\n"
		"                    [--disk FILE[,ro][,wt][,ide][,lun=N]]...\n"
		"                    [--nic tap=NAME|none[,mac=M][,queues=N][,mtu=N]\n"
		"                           [,link=down][,nvsp=V][,speed=MBPS]]...\n"
		"                    [--vnc :N|HOST:N|unix:PATH [--vnc-password-file FILE]\n"
		"                     [--vnc-web [--vnc-web-dir DIR]]]\n"
		"                    [--host-clock wall|steady] [--accel tcg|kvm] [--qemu PATH]\n"
		"       enl-host ctl [--ctl SOCK] [--json] VERB [ARGS...]\n"
		"                    (enl-host ctl --help lists the verbs, offline)\n"
		"       enl-host --help | --version\n"
		"\n"
		"run exits with the guest's status: the value it wrote to isa-debug-exit\n"
		"(port 0xf4), 0 for a power-off, %d for a reset or panic, %d when QEMU\n"
		"failed, 128+N when enl-host got signal N. See `enl-host run --help`.\n",
		ENL_EXIT_GUEST_RESET, ENL_EXIT_QEMU_FAILED);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("enl-host %s (hvif version %d)\n", ENL_VERSION,
		       ENL_HVIF_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ctl"))
		return cmd_ctl(argc - 1, argv + 1);
	fprintf(stderr, "enl-host: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
