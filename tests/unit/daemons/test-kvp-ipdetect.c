// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-kvpd's choice of IP backend (ipdetect.c) against a private
 * dbus-daemon on which this test plays NetworkManager and networkd: the
 * bus's answer wins over run directories left behind by a stopped daemon.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <systemd/sd-bus.h>

#include "ipapply.h"
#include "tap.h"

#define NM_NAME "org.freedesktop.NetworkManager"
#define ND_NAME "org.freedesktop.network1"
#define DEV_PATH "/org/freedesktop/NetworkManager/Devices/3"

/* One fake manager: a bus connection owning name, served by a thread. */
struct fake {
	sd_bus *bus;
	const char *name;
	pthread_t th;
	atomic_bool stop;
	bool serving;
	const char *ifname;	/* the one device NM knows */
	int managed;		/* its Managed property */
};

static int get_device(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct fake *f = data;
	const char *ifname;
	int r = sd_bus_message_read(m, "s", &ifname);

	if (r < 0)
		return r;
	if (strcmp(ifname, f->ifname))
		return sd_bus_error_set(err, NM_NAME ".UnknownDevice",
					"No device found for the interface.");
	return sd_bus_reply_method_return(m, "o", DEV_PATH);
}

static const sd_bus_vtable nm_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("GetDeviceByIpIface", "s", "o", get_device, 0),
	SD_BUS_VTABLE_END
};

static const sd_bus_vtable dev_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Managed", "b", NULL, offsetof(struct fake, managed),
			0),
	SD_BUS_VTABLE_END
};

static void *serve(void *data)
{
	struct fake *f = data;

	while (!atomic_load(&f->stop))
		if (sd_bus_process(f->bus, NULL) <= 0)
			sd_bus_wait(f->bus, 20 * 1000);
	return NULL;
}

static sd_bus *connect_to(const char *address)
{
	sd_bus *bus = NULL;

	if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, address) < 0 ||
	    sd_bus_set_bus_client(bus, 1) < 0 || sd_bus_start(bus) < 0) {
		sd_bus_unref(bus);
		return NULL;
	}
	return bus;
}

/*
 * Own name on the bus; NM's objects when it is NM; serve them unless
 * hung (then calls to it go unanswered).
 */
static bool fake_start(struct fake *f, const char *address, const char *name,
		       const char *ifname, int managed, bool hung)
{
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->ifname = ifname;
	f->managed = managed;
	f->bus = connect_to(address);
	if (!f->bus || sd_bus_request_name(f->bus, name, 0) < 0)
		return false;
	if (!strcmp(name, NM_NAME) &&
	    (sd_bus_add_object_vtable(f->bus, NULL,
				      "/org/freedesktop/NetworkManager",
				      NM_NAME, nm_vtable, f) < 0 ||
	     sd_bus_add_object_vtable(f->bus, NULL, DEV_PATH,
				      NM_NAME ".Device", dev_vtable, f) < 0))
		return false;
	f->serving = !hung && pthread_create(&f->th, NULL, serve, f) == 0;
	return hung || f->serving;
}

static void fake_stop(struct fake *f)
{
	if (!f->bus)
		return;
	if (f->serving) {
		atomic_store(&f->stop, true);
		pthread_join(f->th, NULL);
	}
	/* A call, so the bus has dropped the name before the next check. */
	sd_bus_release_name(f->bus, f->name);
	sd_bus_flush_close_unref(f->bus);
	f->bus = NULL;
}

/* A private dbus-daemon; its address, or NULL (and *pid 0). */
static char *bus_start(const char *dir, GPid *pid)
{
	char *listen = g_strdup_printf("--address=unix:path=%s/bus", dir);
	char *argv[] = { "dbus-daemon", "--session", "--nofork",
			 "--print-address", listen, NULL };
	GError *err = NULL;
	int out = -1;
	char line[512];
	ssize_t n = 0, r;

	*pid = 0;
	if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_SEARCH_PATH |
				      G_SPAWN_STDERR_TO_DEV_NULL,
				      NULL, NULL, pid, NULL, &out, NULL,
				      &err)) {
		tap_diag("dbus-daemon: %s (scripts/deps.sh installs the "
			 "dbus-daemon package)", err->message);
		g_error_free(err);
		g_free(listen);
		return NULL;
	}
	g_free(listen);
	while (n < (ssize_t)sizeof(line) - 1 &&
	       (r = read(out, line + n, sizeof(line) - 1 - n)) > 0) {
		n += r;
		if (memchr(line, '\n', n))
			break;
	}
	close(out);
	line[n > 0 ? n : 0] = '\0';
	g_strchomp(line);
	return *line ? g_strdup(line) : NULL;
}

int main(void)
{
	char *dir = g_dir_make_tmp("enl-ipdetect-XXXXXX", NULL);
	char *addr, *sock;
	struct enl_kvp_ipapply a;
	struct fake nm, nd;
	enum enl_kvp_ip_backend b;
	GPid pid;
	gint64 t0;
	double secs;

	tap_ok(dir != NULL, "temporary directory");
	addr = bus_start(dir, &pid);
	if (!tap_ok(addr != NULL, "a private dbus-daemon runs (%s)",
		    addr ? addr : "none")) {
		if (pid)
			kill(pid, SIGTERM);
		g_free(dir);
		return tap_done();
	}
	enl_kvp_ipapply_defaults(&a);
	a.bus_address = addr;
	/* Both run directories exist: left behind, as after a stop. */
	a.nm_run = dir;
	a.networkd_run = dir;

	tap_ok(enl_kvp_ipapply_detect(&a, "eth0") == ENL_KVP_IP_OFF,
	       "neither manager owns its bus name: OFF, though both run "
	       "directories exist");

	tap_ok(fake_start(&nd, addr, ND_NAME, NULL, 0, false), "networkd up");
	tap_ok(enl_kvp_ipapply_detect(&a, "eth0") == ENL_KVP_IP_NETWORKD,
	       "networkd runs, NetworkManager stopped (its run directory "
	       "left): networkd");

	tap_ok(fake_start(&nm, addr, NM_NAME, "eth0", 1, false),
	       "NetworkManager up beside networkd");
	tap_ok(enl_kvp_ipapply_detect(&a, "eth0") == ENL_KVP_IP_NM,
	       "both run, NetworkManager manages eth0: NetworkManager");
	tap_ok(enl_kvp_ipapply_detect(&a, "eth1") == ENL_KVP_IP_NETWORKD,
	       "both run, NetworkManager does not know eth1: networkd");
	nm.managed = 0;
	tap_ok(enl_kvp_ipapply_detect(&a, "eth0") == ENL_KVP_IP_NETWORKD,
	       "both run, eth0 unmanaged by NetworkManager (netplan's "
	       "networkd renderer): networkd");
	fake_stop(&nm);

	tap_ok(fake_start(&nm, addr, NM_NAME, "eth0", 1, true),
	       "a NetworkManager that never answers, beside networkd");
	t0 = g_get_monotonic_time();
	b = enl_kvp_ipapply_detect(&a, "eth0");
	secs = (g_get_monotonic_time() - t0) / 1e6;
	tap_ok(b == ENL_KVP_IP_NETWORKD && secs > 1 && secs < 5,
	       "hung NetworkManager: networkd after the call's 2 s timeout "
	       "(%.1f s)", secs);
	fake_stop(&nm);
	fake_stop(&nd);

	tap_ok(fake_start(&nm, addr, NM_NAME, "eth0", 0, false),
	       "NetworkManager alone");
	tap_ok(enl_kvp_ipapply_detect(&a, "eth0") == ENL_KVP_IP_NM,
	       "only NetworkManager runs: NetworkManager");
	fake_stop(&nm);
	tap_ok(enl_kvp_ipapply_detect(&a, "eth0") == ENL_KVP_IP_OFF,
	       "NetworkManager stopped again: OFF");

	a.bus_address = "unix:path=/nonexistent/bus";
	tap_ok(enl_kvp_ipapply_detect(&a, "eth0") == ENL_KVP_IP_NM,
	       "no bus to ask: the run directories decide (NetworkManager's)");
	a.bus_address = "";
	a.nm_run = "/nonexistent";
	tap_ok(enl_kvp_ipapply_detect(&a, "eth0") == ENL_KVP_IP_NETWORKD,
	       "bus turned off: the run directories decide (networkd's)");
	a.backend = ENL_KVP_IP_HOOK;
	a.bus_address = addr;
	tap_ok(enl_kvp_ipapply_detect(&a, "eth0") == ENL_KVP_IP_HOOK,
	       "a configured backend is used as it is");

	/* Stopped, the bus daemon still accepts: the handshake never ends. */
	a.backend = ENL_KVP_IP_AUTO;
	a.nm_run = dir;
	kill(pid, SIGSTOP);
	t0 = g_get_monotonic_time();
	b = enl_kvp_ipapply_detect(&a, "eth0");
	secs = (g_get_monotonic_time() - t0) / 1e6;
	kill(pid, SIGCONT);
	tap_ok(b == ENL_KVP_IP_NM && secs > 1 && secs < 4,
	       "hung bus daemon: the run directories decide after the 2 s "
	       "budget (%.1f s)", secs);
	tap_ok(enl_kvp_ipapply_detect(&a, "eth0") == ENL_KVP_IP_OFF,
	       "the bus back: asked again (nobody owns a name: OFF)");

	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	g_spawn_close_pid(pid);
	sock = g_build_filename(dir, "bus", NULL);
	g_unlink(sock);
	g_rmdir(dir);
	g_free(sock);
	g_free(addr);
	g_free(dir);
	return tap_done();
}
