/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One guest's lifetime: private sockets, BAR2, the ivshmem peer, QMP, QEMU,
 * the lazily mapped guest RAM and the SynIC emulation, tied together; and
 * how it ends (guest status, reset, signal).
 */
#include "vm.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <enlighten/hvif.h>

#include "ctl.h"
#include "doorbell_pool.h"
#include "guest_mem.h"
#include "hv.h"
#include "hvif_shm.h"
#include "ivshmem.h"
#include "qmp.h"
#include "run_dir.h"
#include "status_pending.h"

#define KILL_GRACE_MS	5000

struct enl_vm {
	struct enl_qemu_cfg cfg;
	char *tmpdir;
	int ram_fd;			/* guest RAM memfd (QEMU inherits it) */
	char *ivshmem_sock;
	char *qmp_sock;
	struct enl_hvif_shm shm;
	struct enl_ivshmem *iv;
	struct enl_qmp *qmp;
	struct enl_guest_mem mem;
	struct enl_hv *hv;
	GPid pid;
	guint child_watch;
	guint kill_timer;
	bool running;
	int stop_signal;
	int status;
	const char *why;
	int64_t start_us;
	int64_t connect_us;
	int64_t first_call_us;
	uint64_t doorbells;
	uint64_t stray_doorbells;
	struct enl_doorbell_pool doorbells_pool;	/* set up with iv */
	bool pool_ready;
	void (*on_exit)(void *ctx, int status);
	void *ctx;
};

static int raise_sint(void *ctx, uint32_t vp, uint32_t sint)
{
	struct enl_vm *vm = ctx;

	/* MSI-X vector v is VP v's SynIC, whichever SINT: its CPU looks. */
	(void)sint;
	return enl_ivshmem_raise(vm->iv, vp);
}

static int doorbell_bind(void *ctx, uint32_t bit)
{
	struct enl_vm *vm = ctx;

	return enl_doorbell_pool_bind(&vm->doorbells_pool, bit);
}

static void doorbell_unbind(void *ctx, uint32_t bit)
{
	struct enl_vm *vm = ctx;

	enl_doorbell_pool_unbind(&vm->doorbells_pool, bit);
}

static bool doorbell_take(void *ctx, uint32_t bit, int fd)
{
	struct enl_vm *vm = ctx;

	return enl_doorbell_pool_take(&vm->doorbells_pool, bit, fd);
}

static const struct enl_hv_irq_ops irq_ops = {
	.raise_sint = raise_sint,
	.doorbell_bind = doorbell_bind,
	.doorbell_unbind = doorbell_unbind,
	.doorbell_take = doorbell_take,
};

/*
 * The run directory holds only the two sockets QEMU connects to; each is
 * unlinked once QEMU is in, and the directory goes with the second,
 * whichever that is (QMP and ivshmem connect in either order). What a
 * kill -9 before that leaves is swept by the next enl-host (run_dir.c).
 */
static void drop_run_dir(struct enl_vm *vm)
{
	if (vm->tmpdir && g_rmdir(vm->tmpdir) == 0)
		g_clear_pointer(&vm->tmpdir, g_free);
}

/* QMP is in: the run directory goes if ivshmem's socket went first. */
static void qmp_connected(void *ctx)
{
	drop_run_dir(ctx);
}

static void on_connected(void *ctx)
{
	struct enl_vm *vm = ctx;

	vm->connect_us = g_get_monotonic_time();
	drop_run_dir(vm);
}

static void on_doorbell(void *ctx, uint32_t vector)
{
	struct enl_vm *vm = ctx;

	vm->doorbells++;
	if (vector >= ENL_HVIF_NR_DOORBELLS) {
		vm->stray_doorbells++;
		return;
	}
	if (!vm->first_call_us) {
		vm->first_call_us = g_get_monotonic_time();
		drop_run_dir(vm);
	}
	/*
	 * Either doorbell: posted signals first, then calls, then signals
	 * again, so that a signal set before a call (a close) is not served
	 * after it, and neither doorbell depends on the other's arrival.
	 */
	enl_hv_process_signals(vm->hv, vm->shm.shared);
	if (enl_hv_process_calls(vm->hv, vm->shm.shared->call,
				 ENL_HVIF_MAX_VP))
		enl_hv_process_signals(vm->hv, vm->shm.shared);
}

static const struct enl_ivshmem_ops iv_ops = {
	.connected = on_connected,
	.doorbell = on_doorbell,
};

struct enl_vm *enl_vm_new(const struct enl_qemu_cfg *cfg, int *err)
{
	g_autoptr(GError) error = NULL;
	struct enl_vm *vm;
	uint32_t nr_vp;

	vm = g_new0(struct enl_vm, 1);
	vm->cfg = *cfg;
	vm->shm.fd = -1;
	vm->ram_fd = -1;
	enl_run_dir_sweep();
	vm->tmpdir = enl_run_dir_new(&error);
	if (!vm->tmpdir) {
		*err = -EIO;
		goto fail;
	}
	*err = enl_guest_mem_create(&vm->mem, cfg->mem_mib << 20, &vm->ram_fd);
	if (*err)
		goto fail;
	vm->ivshmem_sock = g_build_filename(vm->tmpdir, "ivshmem.sock", NULL);
	vm->qmp_sock = g_build_filename(vm->tmpdir, "qmp.sock", NULL);
	vm->cfg.ram_fd = vm->ram_fd;
	vm->cfg.ivshmem_sock = vm->ivshmem_sock;
	vm->cfg.qmp_sock = vm->qmp_sock;
	/* A VP, a call slot and a vector for every possible guest CPU. */
	nr_vp = enl_qemu_max_cpus(cfg);
	*err = enl_hvif_shm_create(&vm->shm, nr_vp, ENL_IVSHMEM_HOST_PEER,
				   enl_hvif_nr_vectors(nr_vp));
	if (*err)
		goto fail;
	vm->mem.mmio = (struct enl_guest_mmio){
		.base = (uint8_t *)vm->shm.shared + vm->shm.shared->mmio_offset,
		.size = vm->shm.shared->mmio_size,
		.bar_offset = vm->shm.shared->mmio_offset,
		/* 8-byte aligned at offset 32 of a page-aligned mapping. */
		.bar2_gpa = (const uint64_t *)((uint8_t *)vm->shm.shared +
			offsetof(struct enl_hvif_shared, bar2_gpa)),
	};
	vm->hv = enl_hv_new(nr_vp, &vm->mem, &irq_ops, vm);
	if (!vm->hv) {
		*err = -EINVAL;
		goto fail;
	}
	vm->iv = enl_ivshmem_new(vm->ivshmem_sock, vm->shm.fd,
				 enl_hvif_nr_vectors(nr_vp), &iv_ops, vm,
				 err);
	if (!vm->iv)
		goto fail;
	enl_doorbell_pool_init(&vm->doorbells_pool, vm->shm.shared, vm->iv,
			       enl_hvif_nr_vectors(nr_vp));
	vm->pool_ready = true;
	vm->qmp = enl_qmp_new(vm->qmp_sock, qmp_connected, vm, err);
	if (!vm->qmp)
		goto fail;
	return vm;
fail:
	enl_vm_free(vm);
	return NULL;
}

void enl_vm_free(struct enl_vm *vm)
{
	if (!vm)
		return;
	if (vm->running) {
		/* Last resort: never leave QEMU behind. */
		kill(vm->pid, SIGKILL);
		waitpid(vm->pid, NULL, 0);
	}
	if (vm->child_watch)
		g_source_remove(vm->child_watch);
	if (vm->kill_timer)
		g_source_remove(vm->kill_timer);
	enl_qmp_free(vm->qmp);
	enl_ivshmem_free(vm->iv);
	enl_hv_free(vm->hv);
	if (vm->pool_ready)
		enl_doorbell_pool_clear(&vm->doorbells_pool);
	enl_guest_mem_unmap(&vm->mem);
	enl_hvif_shm_destroy(&vm->shm);
	if (vm->ram_fd >= 0)
		close(vm->ram_fd);
	if (vm->tmpdir)
		g_rmdir(vm->tmpdir);
	g_free(vm->ivshmem_sock);
	g_free(vm->qmp_sock);
	g_free(vm->tmpdir);
	g_free(vm);
}

struct enl_hv *enl_vm_hv(struct enl_vm *vm)
{
	return vm->hv;
}

static void on_child_exit(GPid pid, gint wait_status, gpointer data)
{
	struct enl_vm *vm = data;

	g_spawn_close_pid(pid);
	vm->child_watch = 0;
	vm->running = false;
	if (vm->kill_timer)
		g_source_remove(vm->kill_timer);
	vm->kill_timer = 0;
	/* QEMU may exit before we read its SHUTDOWN event. */
	enl_qmp_drain(vm->qmp);
	vm->status = enl_qemu_guest_status(wait_status,
					   enl_qmp_shutdown_reason(vm->qmp),
					   enl_ivshmem_connected(vm->iv),
					   &vm->why);
	if (vm->stop_signal) {
		vm->status = 128 + vm->stop_signal;
		vm->why = "stopped by a signal to enl-host";
	}
	g_message("vmm: %s (status %d, wait status 0x%x, reason %s)", vm->why,
		  vm->status, wait_status,
		  enl_qmp_shutdown_reason(vm->qmp) ?: "none");
	if (vm->on_exit)
		vm->on_exit(vm->ctx, vm->status);
}

int enl_vm_start(struct enl_vm *vm, void (*on_exit)(void *ctx, int status),
		 void *ctx)
{
	int err;

	vm->on_exit = on_exit;
	vm->ctx = ctx;
	err = enl_qemu_spawn(&vm->cfg, &vm->pid);
	if (err)
		return err;
	vm->running = true;
	vm->start_us = g_get_monotonic_time();
	vm->child_watch = g_child_watch_add(vm->pid, on_child_exit, vm);
	return 0;
}

static gboolean on_kill_timer(gpointer data)
{
	struct enl_vm *vm = data;

	vm->kill_timer = 0;
	if (vm->running)
		kill(vm->pid, SIGKILL);
	return G_SOURCE_REMOVE;
}

void enl_vm_stop(struct enl_vm *vm, int signo)
{
	if (!vm->running)
		return;
	if (!vm->stop_signal)
		vm->stop_signal = signo;
	/* SIGTERM lets QEMU shut down cleanly; SIGKILL if it will not. */
	kill(vm->pid, SIGTERM);
	if (!vm->kill_timer)
		vm->kill_timer = g_timeout_add(KILL_GRACE_MS, on_kill_timer, vm);
}

static const char *state(const struct enl_vm *vm)
{
	if (!vm->running)
		return vm->start_us ? "stopped" : "not started";
	if (vm->first_call_us)
		return "running";
	return vm->connect_us ? "booting" : "starting";
}

static double since(int64_t from_us, int64_t to_us)
{
	return from_us && to_us ? (double)(to_us - from_us) / 1e6 : 0.0;
}

static int ctl_status(void *ctx, struct enl_ctl_req *req)
{
	struct enl_vm *vm = ctx;
	struct enl_hv_stats stats, *st = &stats;
	int64_t now = g_get_monotonic_time();
	struct enl_json *j = req->json;
	GString *out = req->out;
	double uptime, first;
	uint32_t vp;

	if (enl_ctl_nargs(req, 1, 1))
		return -EINVAL;
	enl_hv_stats(vm->hv, &stats);
	uptime = vm->running ? since(vm->start_us, now) : 0.0;
	first = since(vm->start_us, vm->first_call_us);
	g_string_append_printf(out, "state: %s\n", state(vm));
	if (!vm->running && vm->why)
		g_string_append_printf(out, "exit: %d (%s)\n", vm->status,
				       vm->why);
	g_string_append_printf(out, "uptime: %.3f s\n", uptime);
	g_string_append_printf(out, "first-call: %.3f s\n", first);
	g_string_append_printf(out, "cpus: %u\nmem: %" G_GUINT64_FORMAT
			       " MiB\naccel: %s\n", vm->cfg.cpus,
			       vm->cfg.mem_mib, vm->cfg.kvm ? "kvm" : "tcg");
	g_string_append_printf(out, "doorbells: %" G_GUINT64_FORMAT
			       "\nstray-doorbells: %" G_GUINT64_FORMAT "\n",
			       vm->doorbells, vm->stray_doorbells);
	if (j) {
		enl_json_obj(j, NULL);
		enl_json_str(j, "state", state(vm));
		if (!vm->running && vm->why) {
			enl_json_i64(j, "exit", vm->status);
			enl_json_str(j, "exit_why", vm->why);
		}
		enl_json_u64(j, "uptime_ms", (uint64_t)(uptime * 1000));
		enl_json_u64(j, "first_call_ms", (uint64_t)(first * 1000));
		enl_json_u64(j, "cpus", vm->cfg.cpus);
		enl_json_u64(j, "mem_mib", vm->cfg.mem_mib);
		enl_json_str(j, "accel", vm->cfg.kvm ? "kvm" : "tcg");
		enl_json_u64(j, "doorbells", vm->doorbells);
		enl_json_u64(j, "stray_doorbells", vm->stray_doorbells);
		enl_json_obj(j, "hv");
	}
#define HV_STAT(name) do {						\
	g_string_append_printf(out, "hv." #name ": %" G_GUINT64_FORMAT "\n", \
			       st->name);				\
	if (j)								\
		enl_json_u64(j, #name, st->name);			\
} while (0)
	HV_STAT(calls);
	HV_STAT(wrmsr);
	HV_STAT(rdmsr);
	HV_STAT(hypercalls);
	HV_STAT(post_message);
	HV_STAT(signal_event);
	HV_STAT(eom);
	HV_STAT(msg_delivered);
	HV_STAT(msg_queued);
	HV_STAT(msg_dropped);
	HV_STAT(events_set);
	HV_STAT(sints_raised);
	HV_STAT(raise_failed);
	HV_STAT(bad_gpa);
	HV_STAT(bad_msr);
	HV_STAT(bad_op);
	HV_STAT(bad_input);
	HV_STAT(bad_hypercall);
	HV_STAT(bad_signal);
#undef HV_STAT
	if (j) {
		enl_json_end(j);
		enl_json_arr(j, "vps");
	}
	for (vp = 0; vp < enl_hv_nr_vp(vm->hv); vp++) {
		struct enl_hv_vp_info vi;

		if (enl_hv_vp_info(vm->hv, vp, &vi))
			break;
		g_string_append_printf(out, "vp%u: synic %s simp 0x%" G_GINT64_MODIFIER
				       "x siefp 0x%" G_GINT64_MODIFIER
				       "x raised %" G_GUINT64_FORMAT "\n", vp,
				       vi.synic_on ? "on" : "off", vi.simp,
				       vi.siefp, vi.sints_raised);
		if (j) {
			enl_json_obj(j, NULL);
			enl_json_u64(j, "vp", vp);
			enl_json_bool(j, "synic", vi.synic_on);
			enl_json_u64(j, "simp", vi.simp);
			enl_json_u64(j, "siefp", vi.siefp);
			enl_json_u64(j, "raised", vi.sints_raised);
			enl_json_end(j);
		}
	}
	if (j)
		enl_json_end(j);
	enl_status_pending(vm->hv, vm->shm.shared, out, j);
	if (j)
		enl_json_end(j);
	return 0;
}

void enl_vm_register_ctl(struct enl_vm *vm, struct enl_ctl *ctl)
{
	enl_ctl_add(ctl, "status", ctl_status, vm,
		    "status: guest state, uptime and SynIC counters");
}
