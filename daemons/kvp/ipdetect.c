// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which network manager the AUTO backend means for one interface
 * (ipapply.h). The bus is asked who runs: /run/NetworkManager and
 * /run/systemd/netif outlive their daemons until reboot, so a manager that
 * was stopped would otherwise still be written to. The directories are the
 * answer only where no system bus can be reached (minimal containers).
 */
#include "ipapply.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "log.h"

#define NM_NAME		"org.freedesktop.NetworkManager"
#define NM_PATH		"/org/freedesktop/NetworkManager"
#define NM_DEVICE	NM_NAME ".Device"
#define NETWORKD_NAME	"org.freedesktop.network1"
/*
 * Everything asked of the bus, from the handshake on, shares this budget:
 * a hung bus or manager must not hold the host's request for long (sd-bus
 * would wait its own 90 s for a bus daemon that accepted but never answers).
 */
#define BUDGET_US	(2 * 1000 * 1000)

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Give the next call what is left of the budget; -ETIMEDOUT when none. */
static int budget(sd_bus *bus, uint64_t deadline)
{
	uint64_t now = now_us();

	if (now >= deadline)
		return -ETIMEDOUT;
	return sd_bus_set_method_call_timeout(bus, deadline - now);
}

/* Drive the handshake (auth, Hello) ourselves, under the budget. */
static int wait_ready(sd_bus *bus, uint64_t deadline)
{
	uint64_t now;
	int r;

	while ((r = sd_bus_is_ready(bus)) == 0) {
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return r;
		if (r > 0)
			continue;
		/* One reading of the clock: a second could pass the deadline. */
		now = now_us();
		if (now >= deadline)
			return -ETIMEDOUT;
		r = sd_bus_wait(bus, deadline - now);
		if (r < 0)
			return r;
	}
	return r;
}

static sd_bus *bus_open(const char *address, uint64_t deadline)
{
	sd_bus *bus = NULL;
	int r;

	if (!address)
		r = sd_bus_open_system(&bus);
	else if ((r = sd_bus_new(&bus)) >= 0) {
		r = sd_bus_set_address(bus, address);
		if (r >= 0)
			r = sd_bus_set_bus_client(bus, 1);
		if (r >= 0)
			r = sd_bus_start(bus);
	}
	if (r >= 0)
		r = wait_ready(bus, deadline);
	if (r < 0) {
		sd_bus_close_unref(bus);
		return NULL;
	}
	return bus;
}

/* 1 when name has an owner, 0 when not, <0 when the bus did not answer. */
static int has_owner(sd_bus *bus, uint64_t deadline, const char *name)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int owned = 0, r;

	r = budget(bus, deadline);
	if (r >= 0)
		r = sd_bus_call_method(bus, "org.freedesktop.DBus",
				       "/org/freedesktop/DBus",
				       "org.freedesktop.DBus", "NameHasOwner",
				       &err, &reply, "s", name);
	if (r >= 0)
		r = sd_bus_message_read(reply, "b", &owned);
	sd_bus_error_free(&err);
	sd_bus_message_unref(reply);
	return r < 0 ? r : !!owned;
}

/*
 * Whether NetworkManager manages ifname: false also when it does not know
 * the device or does not answer, since then its keyfile would not apply.
 */
static bool nm_manages(sd_bus *bus, uint64_t deadline, const char *ifname)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *path;
	int managed = 0, r;

	r = budget(bus, deadline);
	if (r >= 0)
		r = sd_bus_call_method(bus, NM_NAME, NM_PATH, NM_NAME,
				       "GetDeviceByIpIface", &err, &reply, "s",
				       ifname);
	if (r >= 0)
		r = sd_bus_message_read(reply, "o", &path);
	if (r >= 0)
		r = budget(bus, deadline);
	if (r >= 0)
		r = sd_bus_get_property_trivial(bus, NM_NAME, path, NM_DEVICE,
						"Managed", &err, 'b', &managed);
	sd_bus_error_free(&err);
	sd_bus_message_unref(reply);
	return r >= 0 && managed;
}

static enum enl_kvp_ip_backend from_run_dirs(const struct enl_kvp_ipapply *a)
{
	/* NetworkManager first: with both running it owns the links. */
	if (a->nm_run && access(a->nm_run, F_OK) == 0)
		return ENL_KVP_IP_NM;
	if (a->networkd_run && access(a->networkd_run, F_OK) == 0)
		return ENL_KVP_IP_NETWORKD;
	return ENL_KVP_IP_OFF;
}

enum enl_kvp_ip_backend enl_kvp_ipapply_detect(const struct enl_kvp_ipapply *a,
					       const char *ifname)
{
	enum enl_kvp_ip_backend b = ENL_KVP_IP_OFF;
	uint64_t deadline = now_us() + BUDGET_US;
	sd_bus *bus;
	int nm, nd = -1;

	if (a->backend != ENL_KVP_IP_AUTO)
		return a->backend;
	if (a->bus_address && !*a->bus_address)
		return from_run_dirs(a);
	bus = bus_open(a->bus_address, deadline);
	nm = bus ? has_owner(bus, deadline, NM_NAME) : -1;
	if (nm >= 0)
		nd = has_owner(bus, deadline, NETWORKD_NAME);
	if (nm < 0 || nd < 0) {
		enl_info("kvp: the system bus does not answer; choosing the IP "
			 "backend by /run directories");
		b = from_run_dirs(a);
	} else if (nm && nd) {
		/* Both run (netplan's networkd renderer beside a desktop). */
		b = nm_manages(bus, deadline, ifname) ?
			ENL_KVP_IP_NM : ENL_KVP_IP_NETWORKD;
	} else if (nm) {
		b = ENL_KVP_IP_NM;
	} else if (nd) {
		b = ENL_KVP_IP_NETWORKD;
	}
	/* No flush: it would wait on a bus still in its handshake. */
	sd_bus_close_unref(bus);
	return b;
}
