/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A snapshot of the guest's network configuration as KVP reports it:
 * interfaces with MAC, VMBus device id, addresses, default gateways, and
 * the DNS servers. netinfo_nl.c reads the running system (libnl-3 route,
 * sysfs, resolv.conf); tests fill one by hand. Bounded everywhere: what a
 * KVP message cannot carry is not collected.
 */
#ifndef ENL_KVP_NETINFO_H
#define ENL_KVP_NETINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <netinet/in.h>

#define ENL_KVP_NI_MAX_ADDRS	32
#define ENL_KVP_NI_MAX_GW	8
#define ENL_KVP_NI_MAX_DNS	8

struct enl_kvp_addr {
	int family;			/* AF_INET or AF_INET6 */
	char text[INET6_ADDRSTRLEN];	/* canonical, from inet_ntop */
	unsigned int prefix;
	bool dynamic;			/* finite lifetime: DHCP / SLAAC */
};

struct enl_kvp_iface {
	char name[IF_NAMESIZE];
	int ifindex;
	char mac[18];			/* "00:15:5D:0A:0B:0C" */
	char device_id[40];		/* VMBus instance "{...}", or "" */
	bool loopback;
	struct enl_kvp_addr addr[ENL_KVP_NI_MAX_ADDRS];
	size_t n_addr;
	struct enl_kvp_addr gw[ENL_KVP_NI_MAX_GW];	/* prefix unused */
	size_t n_gw;
};

struct enl_kvp_netinfo {
	struct enl_kvp_iface *ifs;
	size_t n_ifs;
	char dns[ENL_KVP_NI_MAX_DNS][INET6_ADDRSTRLEN];
	size_t n_dns;
};

/* Where a snapshot comes from: 0 or -errno. */
struct enl_kvp_net_ops {
	int (*read)(void *ctx, struct enl_kvp_netinfo *ni);
	void *ctx;
};

void enl_kvp_netinfo_free(struct enl_kvp_netinfo *ni);
struct enl_kvp_iface *enl_kvp_netinfo_add(struct enl_kvp_netinfo *ni,
					  const char *name, int ifindex);

/*
 * Add an address (binary in_addr / in6_addr); silently dropped past the
 * bound. gw: a gateway instead.
 */
void enl_kvp_iface_add(struct enl_kvp_iface *ifc, bool gw, int family,
		       const void *bin, unsigned int prefix, bool dynamic);
void enl_kvp_netinfo_add_dns(struct enl_kvp_netinfo *ni, int family,
			     const void *bin);

/*
 * The interface a host adapter id names: a MAC address (any case, ':' or
 * '-' separated) or a VMBus device instance GUID (braces optional).
 */
const struct enl_kvp_iface *enl_kvp_netinfo_find(const struct enl_kvp_netinfo *ni,
						 const char *adapter_id);

/* Read DNS servers from a resolv.conf-format file; 0 or -errno. */
int enl_kvp_dns_read(struct enl_kvp_netinfo *ni, const char *path);

/* Paths the system reader uses; NULL members take the defaults. */
struct enl_kvp_sys_paths {
	const char *sysfs_net;		/* /sys/class/net */
	/* systemd-resolved's list of upstream servers, then resolv.conf */
	const char *resolved_conf;	/* /run/systemd/resolve/resolv.conf */
	const char *resolv_conf;	/* /etc/resolv.conf */
};

/* enl_kvp_net_ops.read for the running system; ctx: enl_kvp_sys_paths. */
int enl_kvp_netinfo_read_system(void *ctx, struct enl_kvp_netinfo *ni);

#endif /* ENL_KVP_NETINFO_H */
