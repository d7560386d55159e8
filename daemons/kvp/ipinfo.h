/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GET_IP_INFO and SET_IP_INFO bodies <-> the guest's network: fill an
 * enl_kvp_ipaddr_value from a netinfo snapshot, and parse (strictly) the
 * configuration a host injects. Lists on the wire are ';'-separated
 * UTF-16LE; IPv4 netmasks are dotted, IPv6 ones a prefix length ("/64" as
 * the guest reports it, "64" or "/64" accepted from the host).
 */
#ifndef ENL_KVP_IPINFO_H
#define ENL_KVP_IPINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <enlighten/ic_kvp.h>

#include "netinfo.h"

/* What SET_IP_INFO asks for, validated; addresses are canonical text. */
struct enl_kvp_ipconfig {
	struct enl_kvp_iface ifc;	/* name, mac; wanted addr[] and gw[] */
	char dns[ENL_KVP_NI_MAX_DNS][INET6_ADDRSTRLEN];
	size_t n_dns;
	bool dhcp;			/* IPv4 by DHCP (IPv6 stays auto) */
};

/*
 * GET_IP_INFO: answer v in place for the adapter v->adapter_id names.
 * Returns the HRESULT: S_OK, E_FAIL for an unknown adapter or bad text.
 */
uint32_t enl_kvp_ipinfo_get(const struct enl_kvp_netinfo *ni,
			    struct enl_kvp_ipaddr_value *v);

/*
 * SET_IP_INFO: parse v into cfg for an adapter of ni. S_OK, or
 * GUID_NOTFOUND (no such adapter), INVALIDARG (bad text, bad address,
 * netmask or count) with *why.
 */
uint32_t enl_kvp_ipinfo_parse_set(const struct enl_kvp_netinfo *ni,
				  const struct enl_kvp_ipaddr_value *v,
				  struct enl_kvp_ipconfig *cfg,
				  const char **why);

#endif /* ENL_KVP_IPINFO_H */
