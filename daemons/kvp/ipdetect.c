// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which network manager the AUTO backend means for one interface
 * (ipapply.h). The bus is asked who runs: /run/NetworkManager and
 * /run/systemd/netif outlive their daemons until reboot, so a manager that
 * was stopped would otherwise still be written to. The directories are the
 * answer only where no system bus can be reached (minimal containers).
 */
#include "ipapply.h"

#include <unistd.h>
#include <systemd/sd-bus.h>

#include "log.h"

#define NM_NAME		"org.freedesktop.NetworkManager"
#define NM_PATH		"/org/freedesktop/NetworkManager"
#define NM_DEVICE	NM_NAME ".Device"
#define NETWORKD_NAME	"org.freedesktop.network1"
/* A hung bus must not hold the host's request for long. */
#define CALL_TIMEOUT_US	(2 * 1000 * 1000)

static sd_bus *bus_open(const char *address)
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
		r = sd_bus_set_method_call_timeout(bus, CALL_TIMEOUT_US);
	if (r < 0) {
		sd_bus_unref(bus);
		return NULL;
	}
	return bus;
}

/* 1 when name has an owner, 0 when not, <0 when the bus did not answer. */
static int has_owner(sd_bus *bus, const char *name)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int owned = 0, r;

	r = sd_bus_call_method(bus, "org.freedesktop.DBus",
			       "/org/freedesktop/DBus", "org.freedesktop.DBus",
			       "NameHasOwner", &err, &reply, "s", name);
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
static bool nm_manages(sd_bus *bus, const char *ifname)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *path;
	int managed = 0, r;

	r = sd_bus_call_method(bus, NM_NAME, NM_PATH, NM_NAME,
			       "GetDeviceByIpIface", &err, &reply, "s",
			       ifname);
	if (r >= 0)
		r = sd_bus_message_read(reply, "o", &path);
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
	sd_bus *bus;
	int nm, nd;

	if (a->backend != ENL_KVP_IP_AUTO)
		return a->backend;
	if (a->bus_address && !*a->bus_address)
		return from_run_dirs(a);
	bus = bus_open(a->bus_address);
	nm = bus ? has_owner(bus, NM_NAME) : -1;
	nd = bus ? has_owner(bus, NETWORKD_NAME) : -1;
	if (nm < 0 || nd < 0) {
		enl_info("kvp: the system bus does not answer; choosing the IP "
			 "backend by /run directories");
		b = from_run_dirs(a);
	} else if (nm && nd) {
		/* Both run (netplan's networkd renderer beside a desktop). */
		b = nm_manages(bus, ifname) ? ENL_KVP_IP_NM :
					      ENL_KVP_IP_NETWORKD;
	} else if (nm) {
		b = ENL_KVP_IP_NM;
	} else if (nd) {
		b = ENL_KVP_IP_NETWORKD;
	}
	sd_bus_flush_close_unref(bus);
	return b;
}
