/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Apply a host-injected IP configuration (SET_IP_INFO) through whatever
 * manages the network: a NetworkManager keyfile when NetworkManager runs,
 * a systemd-networkd .network file when networkd runs (which runs and
 * manages the interface is asked of the system bus, ipdetect.c; both written
 * atomically, then the manager is asked to reload), or a configured hook
 * executable run with an argv. The reload and the hook run in the
 * background (applyjob.h): the host is answered as soon as the file is
 * written or the hook started, and the outcome is logged and counted.
 * Host text never reaches a file or an argv except as addresses re-printed
 * by inet_ntop.
 */
#ifndef ENL_KVP_IPAPPLY_H
#define ENL_KVP_IPAPPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "applyjob.h"
#include "atomic.h"
#include "ipinfo.h"

enum enl_kvp_ip_backend {
	ENL_KVP_IP_AUTO,	/* NetworkManager, else networkd, else none */
	ENL_KVP_IP_NM,
	ENL_KVP_IP_NETWORKD,
	ENL_KVP_IP_HOOK,
	ENL_KVP_IP_OFF,		/* refuse SET_IP_INFO */
};

struct enl_kvp_ipapply {
	enum enl_kvp_ip_backend backend;
	const char *hook;		/* HOOK: executable path */
	const char *nm_dir;		/* /etc/NetworkManager/system-connections */
	const char *networkd_dir;	/* /etc/systemd/network */
	/* Asked who runs; NULL: the system bus, "": no bus, the dirs only. */
	const char *bus_address;
	/* Without a bus: exist while the daemon runs, and after it. */
	const char *nm_run;
	const char *networkd_run;
	bool reload;			/* ask the manager to apply the file */
	unsigned int timeout_ms;	/* hook and reload commands */
	struct enl_kvp_writer writer;
	struct enl_kvp_apply_stats stats;	/* background applies */
};

/* Defaults for the running system (reload on, 10 s timeout). */
void enl_kvp_ipapply_defaults(struct enl_kvp_ipapply *a);

/*
 * The backend AUTO resolves to now for ifname (ipdetect.c): the manager that
 * owns its bus name; with both running, NetworkManager if it manages
 * ifname, else networkd; OFF when neither runs.
 */
enum enl_kvp_ip_backend enl_kvp_ipapply_detect(const struct enl_kvp_ipapply *a,
					       const char *ifname);

/*
 * Apply cfg: S_OK once the file is written (its reload started) or the hook
 * started, ERROR_NOT_SUPPORTED (no backend), E_FAIL with *why (the file
 * could not be written or the hook could not be started). The rest needs
 * the GLib main loop to run.
 */
uint32_t enl_kvp_ipapply(struct enl_kvp_ipapply *a,
			 const struct enl_kvp_ipconfig *cfg, const char **why);

/* The files the two backends write, for tests and the man page. */
char *enl_kvp_render_networkd(const struct enl_kvp_ipconfig *cfg);
char *enl_kvp_render_nm(const struct enl_kvp_ipconfig *cfg);

#endif /* ENL_KVP_IPAPPLY_H */
