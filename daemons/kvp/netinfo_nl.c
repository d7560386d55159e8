// SPDX-License-Identifier: GPL-2.0-only
/*
 * The running system's network snapshot: links, addresses and default
 * routes from rtnetlink through libnl-3 route, VMBus device ids from sysfs,
 * DNS servers from systemd-resolved's upstream list or resolv.conf.
 */
#include "netinfo.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#define SYSFS_NET	"/sys/class/net"
#define RESOLVED_CONF	"/run/systemd/resolve/resolv.conf"
#define RESOLV_CONF	"/etc/resolv.conf"
#define FOREVER		0xffffffffU

static struct enl_kvp_iface *by_index(struct enl_kvp_netinfo *ni, int ifindex)
{
	for (size_t i = 0; i < ni->n_ifs; i++)
		if (ni->ifs[i].ifindex == ifindex)
			return &ni->ifs[i];
	return NULL;
}

static void device_id(const char *sysfs, struct enl_kvp_iface *ifc)
{
	char *path = g_strdup_printf("%s/%s/device/device_id", sysfs, ifc->name);
	char *text = NULL;

	/* Only VMBus NICs have one; it names the adapter in SET_IP_INFO. */
	if (g_file_get_contents(path, &text, NULL, NULL)) {
		g_strstrip(text);
		g_strlcpy(ifc->device_id, text, sizeof(ifc->device_id));
	}
	g_free(text);
	g_free(path);
}

static void add_link(struct enl_kvp_netinfo *ni, struct rtnl_link *l,
		     const char *sysfs)
{
	struct enl_kvp_iface *ifc;
	struct nl_addr *mac = rtnl_link_get_addr(l);
	const char *name = rtnl_link_get_name(l);

	if (!name)
		return;
	ifc = enl_kvp_netinfo_add(ni, name, rtnl_link_get_ifindex(l));
	ifc->loopback = rtnl_link_get_flags(l) & IFF_LOOPBACK;
	if (mac && nl_addr_get_len(mac) == 6) {
		const uint8_t *m = nl_addr_get_binary_addr(mac);

		snprintf(ifc->mac, sizeof(ifc->mac),
			 "%02X:%02X:%02X:%02X:%02X:%02X",
			 m[0], m[1], m[2], m[3], m[4], m[5]);
	}
	device_id(sysfs, ifc);
}

static bool ip_family(int f)
{
	return f == AF_INET || f == AF_INET6;
}

static void add_addr(struct enl_kvp_netinfo *ni, struct rtnl_addr *a)
{
	struct enl_kvp_iface *ifc = by_index(ni, rtnl_addr_get_ifindex(a));
	struct nl_addr *local = rtnl_addr_get_local(a);
	int family = rtnl_addr_get_family(a);

	if (!ifc || !local || !ip_family(family))
		return;
	enl_kvp_iface_add(ifc, false, family, nl_addr_get_binary_addr(local),
			  (unsigned int)rtnl_addr_get_prefixlen(a),
			  rtnl_addr_get_valid_lifetime(a) != FOREVER);
}

static void add_route(struct enl_kvp_netinfo *ni, struct rtnl_route *r)
{
	struct nl_addr *dst = rtnl_route_get_dst(r);
	int family = rtnl_route_get_family(r);

	if (rtnl_route_get_table(r) != RT_TABLE_MAIN || !ip_family(family) ||
	    (dst && nl_addr_get_prefixlen(dst) != 0))
		return;
	for (int i = 0; i < rtnl_route_get_nnexthops(r); i++) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, i);
		struct nl_addr *gw = rtnl_route_nh_get_gateway(nh);
		struct enl_kvp_iface *ifc =
			by_index(ni, rtnl_route_nh_get_ifindex(nh));

		if (ifc && gw && nl_addr_get_family(gw) == family)
			enl_kvp_iface_add(ifc, true, family,
					  nl_addr_get_binary_addr(gw), 0, false);
	}
}

int enl_kvp_netinfo_read_system(void *ctx, struct enl_kvp_netinfo *ni)
{
	const struct enl_kvp_sys_paths *paths = ctx;
	const char *sysfs = paths && paths->sysfs_net ? paths->sysfs_net :
			    SYSFS_NET;
	struct nl_cache *links = NULL, *addrs = NULL, *routes = NULL;
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_object *o;
	int ret = -ENOMEM;

	memset(ni, 0, sizeof(*ni));
	if (!sk)
		return ret;
	ret = nl_connect(sk, NETLINK_ROUTE);
	if (!ret)
		ret = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links);
	if (!ret)
		ret = rtnl_addr_alloc_cache(sk, &addrs);
	if (!ret)
		ret = rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &routes);
	if (ret) {
		ret = -EIO;	/* libnl's codes are not errno values */
		goto out;
	}
	for (o = nl_cache_get_first(links); o; o = nl_cache_get_next(o))
		add_link(ni, (struct rtnl_link *)o, sysfs);
	for (o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o))
		add_addr(ni, (struct rtnl_addr *)o);
	for (o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o))
		add_route(ni, (struct rtnl_route *)o);
	if (enl_kvp_dns_read(ni, paths && paths->resolved_conf ?
			     paths->resolved_conf : RESOLVED_CONF) < 0)
		enl_kvp_dns_read(ni, paths && paths->resolv_conf ?
				 paths->resolv_conf : RESOLV_CONF);
out:
	nl_cache_free(routes);
	nl_cache_free(addrs);
	nl_cache_free(links);
	nl_socket_free(sk);
	return ret;
}
