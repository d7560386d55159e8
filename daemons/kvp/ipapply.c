// SPDX-License-Identifier: GPL-2.0-only
/* SET_IP_INFO backends: NM keyfile, networkd file, hook (ipapply.h). */
#include "ipapply.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>


void enl_kvp_ipapply_defaults(struct enl_kvp_ipapply *a)
{
	memset(a, 0, sizeof(*a));
	a->backend = ENL_KVP_IP_AUTO;
	a->nm_dir = "/etc/NetworkManager/system-connections";
	a->networkd_dir = "/etc/systemd/network";
	a->nm_run = "/run/NetworkManager";
	a->networkd_run = "/run/systemd/netif";
	a->bus_address = NULL;	/* the system bus */
	a->reload = true;
	a->timeout_ms = 10000;
}

char *enl_kvp_render_networkd(const struct enl_kvp_ipconfig *cfg)
{
	GString *s = g_string_new(NULL);
	const struct enl_kvp_iface *ifc = &cfg->ifc;

	g_string_append_printf(s,
		"# Written by enl-kvpd: IP configuration injected by the "
		"Hyper-V host.\n[Match]\nMACAddress=%s\n\n[Network]\n"
		"DHCP=%s\n", ifc->mac, cfg->dhcp ? "ipv4" : "no");
	for (size_t i = 0; i < ifc->n_addr; i++)
		g_string_append_printf(s, "Address=%s/%u\n", ifc->addr[i].text,
				       ifc->addr[i].prefix);
	for (size_t i = 0; i < ifc->n_gw; i++)
		g_string_append_printf(s, "Gateway=%s\n", ifc->gw[i].text);
	for (size_t i = 0; i < cfg->n_dns; i++)
		g_string_append_printf(s, "DNS=%s\n", cfg->dns[i]);
	return g_string_free(s, FALSE);
}

/* One NM [ipv4]/[ipv6] section. */
static void nm_family(GString *s, const struct enl_kvp_ipconfig *cfg,
		      int family)
{
	const struct enl_kvp_iface *ifc = &cfg->ifc;
	const char *gw = NULL;
	unsigned int n = 0;
	bool any_dns = false;

	for (size_t i = 0; i < ifc->n_gw && !gw; i++)
		if (ifc->gw[i].family == family)
			gw = ifc->gw[i].text;
	g_string_append_printf(s, "\n[%s]\n", family == AF_INET ? "ipv4" :
			       "ipv6");
	for (size_t i = 0; i < ifc->n_addr; i++)
		if (ifc->addr[i].family == family)
			g_string_append_printf(s, "address%u=%s/%u\n", ++n,
					       ifc->addr[i].text,
					       ifc->addr[i].prefix);
	if (gw && n)
		g_string_append_printf(s, "gateway=%s\n", gw);
	for (size_t i = 0; i < cfg->n_dns; i++) {
		if ((strchr(cfg->dns[i], ':') != NULL) != (family == AF_INET6))
			continue;
		g_string_append_printf(s, "%s%s;", any_dns ? "" : "dns=",
				       cfg->dns[i]);
		any_dns = true;
	}
	if (any_dns)
		g_string_append_c(s, '\n');
	if (family == AF_INET)
		g_string_append_printf(s, "method=%s\n", cfg->dhcp ? "auto" :
				       n ? "manual" : "disabled");
	else
		g_string_append_printf(s, "method=%s\n", n ? "manual" : "auto");
}

char *enl_kvp_render_nm(const struct enl_kvp_ipconfig *cfg)
{
	GString *s = g_string_new(NULL);
	/* Stable per MAC, so a second injection replaces the first. */
	char *uuid = g_compute_checksum_for_string(G_CHECKSUM_MD5, cfg->ifc.mac,
						   -1);

	g_string_append_printf(s,
		"# Written by enl-kvpd: IP configuration injected by the "
		"Hyper-V host.\n[connection]\nid=enlighten-%s\n"
		"uuid=%.8s-%.4s-3%.3s-8%.3s-%.12s\ntype=ethernet\n"
		"autoconnect-priority=50\n\n[ethernet]\nmac-address=%s\n",
		cfg->ifc.name, uuid, uuid + 8, uuid + 13, uuid + 17, uuid + 20,
		cfg->ifc.mac);
	nm_family(s, cfg, AF_INET);
	nm_family(s, cfg, AF_INET6);
	g_free(uuid);
	return g_string_free(s, FALSE);
}

/* Interface names come from the kernel, but they become file names. */
static bool safe_name(const char *n)
{
	if (!*n || *n == '.')
		return false;
	for (; *n; n++)
		if (!g_ascii_isalnum(*n) && !strchr("-_.", *n))
			return false;
	return true;
}

/*
 * mode: NetworkManager refuses keyfiles others can read (0600);
 * systemd-networkd reads its files as the systemd-network user (0644).
 */
static uint32_t write_file(const struct enl_kvp_ipapply *a, const char *dir,
			   const char *name, const char *text, mode_t mode,
			   const char **why)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	if (fd < 0) {
		*why = "cannot open the configuration directory";
		return ENL_HV_E_FAIL;
	}
	ret = enl_kvp_atomic_write(fd, name, text, strlen(text), mode,
				   &a->writer);
	close(fd);
	if (ret < 0) {
		*why = "cannot write the configuration file";
		return ENL_HV_E_FAIL;
	}
	return ENL_HV_S_OK;
}

static void reload(struct enl_kvp_ipapply *a, const char *manager,
		   const char *ifname, char *const argv1[], char *const argv2[])
{
	char *const *const chain[] = { argv1, argv2, NULL };
	char *what;

	if (!a->reload)
		return;
	/* Best effort: the file is in place and applies at next boot anyway. */
	what = g_strdup_printf("%s reloading the configuration of %s",
			       manager, ifname);
	enl_kvp_apply_start(&a->stats, what, chain, a->timeout_ms);
	g_free(what);
}

static uint32_t run_hook(struct enl_kvp_ipapply *a,
			 const struct enl_kvp_ipconfig *cfg, const char **why)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	const struct enl_kvp_iface *ifc = &cfg->ifc;
	int ret;

	g_ptr_array_add(argv, g_strdup(a->hook));
	g_ptr_array_add(argv, g_strdup(ifc->name));
	g_ptr_array_add(argv, g_strdup(ifc->mac));
	g_ptr_array_add(argv, g_strdup(cfg->dhcp ? "dhcp" : "static"));
	for (size_t i = 0; i < ifc->n_addr; i++)
		g_ptr_array_add(argv, g_strdup_printf("address=%s/%u",
				ifc->addr[i].text, ifc->addr[i].prefix));
	for (size_t i = 0; i < ifc->n_gw; i++)
		g_ptr_array_add(argv, g_strdup_printf("gateway=%s",
							ifc->gw[i].text));
	for (size_t i = 0; i < cfg->n_dns; i++)
		g_ptr_array_add(argv, g_strdup_printf("dns=%s", cfg->dns[i]));
	g_ptr_array_add(argv, NULL);
	{
		char *const *const chain[] = { (char *const *)argv->pdata,
					       NULL };
		char *what = g_strdup_printf("IP hook for %s", ifc->name);

		ret = enl_kvp_apply_start(&a->stats, what, chain,
					  a->timeout_ms);
		g_free(what);
	}
	g_ptr_array_free(argv, TRUE);
	if (ret != 0) {
		*why = "IP hook cannot be started";
		return ENL_HV_E_FAIL;
	}
	return ENL_HV_S_OK;
}

uint32_t enl_kvp_ipapply(struct enl_kvp_ipapply *a,
			 const struct enl_kvp_ipconfig *cfg, const char **why)
{
	char name[64], *text, ifname[IF_NAMESIZE + 1];
	uint32_t st;

	g_strlcpy(ifname, cfg->ifc.name, sizeof(ifname));
	switch (enl_kvp_ipapply_detect(a, ifname)) {
	case ENL_KVP_IP_HOOK:
		if (!a->hook || !*a->hook)
			break;
		return run_hook(a, cfg, why);
	case ENL_KVP_IP_NM:
		if (!safe_name(ifname))
			break;
		g_snprintf(name, sizeof(name), "enlighten-%s.nmconnection",
			   ifname);
		text = enl_kvp_render_nm(cfg);
		st = write_file(a, a->nm_dir, name, text, 0600, why);
		g_free(text);
		if (st == ENL_HV_S_OK) {
			char *path = g_build_filename(a->nm_dir, name, NULL);
			char *id = g_strdup_printf("enlighten-%s", ifname);
			char *load[] = { "/usr/bin/nmcli", "connection", "load",
					 path, NULL };
			char *up[] = { "/usr/bin/nmcli", "connection", "up",
				       "id", id, NULL };

			reload(a, "NetworkManager", ifname, load, up);
			g_free(path);
			g_free(id);
		}
		return st;
	case ENL_KVP_IP_NETWORKD:
		if (!safe_name(ifname))
			break;
		/*
		 * networkd applies the first file in name order that matches:
		 * 10- goes before catch-alls such as an image's "DHCP on any
		 * Ethernet link", as the host's explicit request should.
		 */
		g_snprintf(name, sizeof(name), "10-enlighten-%s.network",
			   ifname);
		text = enl_kvp_render_networkd(cfg);
		st = write_file(a, a->networkd_dir, name, text, 0644,
				why);
		g_free(text);
		if (st == ENL_HV_S_OK) {
			char *rl[] = { "/usr/bin/networkctl", "reload", NULL };
			char *rc[] = { "/usr/bin/networkctl", "reconfigure",
				       ifname, NULL };

			reload(a, "networkd", ifname, rl, rc);
		}
		return st;
	default:
		break;
	}
	*why = "no network configuration backend";
	return ENL_HV_ERROR_NOT_SUPPORTED;
}
