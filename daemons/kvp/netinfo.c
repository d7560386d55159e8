// SPDX-License-Identifier: GPL-2.0-only
/* Network snapshot container, adapter lookup and DNS list (netinfo.h). */
#include "netinfo.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

void enl_kvp_netinfo_free(struct enl_kvp_netinfo *ni)
{
	g_free(ni->ifs);
	memset(ni, 0, sizeof(*ni));
}

struct enl_kvp_iface *enl_kvp_netinfo_add(struct enl_kvp_netinfo *ni,
					  const char *name, int ifindex)
{
	struct enl_kvp_iface *ifc;

	ni->ifs = g_renew(struct enl_kvp_iface, ni->ifs, ni->n_ifs + 1);
	ifc = &ni->ifs[ni->n_ifs++];
	memset(ifc, 0, sizeof(*ifc));
	g_strlcpy(ifc->name, name, sizeof(ifc->name));
	ifc->ifindex = ifindex;
	return ifc;
}

void enl_kvp_iface_add(struct enl_kvp_iface *ifc, bool gw, int family,
		       const void *bin, unsigned int prefix, bool dynamic)
{
	struct enl_kvp_addr *a;

	if (gw ? ifc->n_gw >= ENL_KVP_NI_MAX_GW :
		 ifc->n_addr >= ENL_KVP_NI_MAX_ADDRS)
		return;
	a = gw ? &ifc->gw[ifc->n_gw] : &ifc->addr[ifc->n_addr];
	if (!inet_ntop(family, bin, a->text, sizeof(a->text)))
		return;
	a->family = family;
	a->prefix = prefix;
	a->dynamic = dynamic;
	if (gw)
		ifc->n_gw++;
	else
		ifc->n_addr++;
}

void enl_kvp_netinfo_add_dns(struct enl_kvp_netinfo *ni, int family,
			     const void *bin)
{
	if (ni->n_dns < ENL_KVP_NI_MAX_DNS &&
	    inet_ntop(family, bin, ni->dns[ni->n_dns], INET6_ADDRSTRLEN))
		ni->n_dns++;
}

/* Hex digits of a MAC or GUID, lowercased, separators dropped. */
static void hex_only(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; *in && o + 1 < size; in++)
		if (isxdigit((unsigned char)*in))
			out[o++] = (char)tolower((unsigned char)*in);
		else if (!strchr(":-{}", *in))
			break;	/* not a MAC or GUID: match nothing */
	out[o] = '\0';
}

const struct enl_kvp_iface *enl_kvp_netinfo_find(const struct enl_kvp_netinfo *ni,
						 const char *adapter_id)
{
	char want[40], have[40];

	hex_only(adapter_id, want, sizeof(want));
	if (strlen(want) != 12 && strlen(want) != 32)
		return NULL;
	for (size_t i = 0; i < ni->n_ifs; i++) {
		const struct enl_kvp_iface *ifc = &ni->ifs[i];

		hex_only(strlen(want) == 12 ? ifc->mac : ifc->device_id, have,
			 sizeof(have));
		if (!strcmp(want, have))
			return ifc;
	}
	return NULL;
}

int enl_kvp_dns_read(struct enl_kvp_netinfo *ni, const char *path)
{
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *word = strtok_r(line, " \t\r\n", &save);
		char *addr = strtok_r(NULL, " \t\r\n", &save);
		unsigned char bin[sizeof(struct in6_addr)];
		char *pct;

		if (!word || !addr || strcmp(word, "nameserver"))
			continue;
		/* A scope ("fe80::1%eth0") cannot travel in KVP: drop it. */
		pct = strchr(addr, '%');
		if (pct)
			*pct = '\0';
		if (inet_pton(AF_INET, addr, bin) == 1)
			enl_kvp_netinfo_add_dns(ni, AF_INET, bin);
		else if (inet_pton(AF_INET6, addr, bin) == 1)
			enl_kvp_netinfo_add_dns(ni, AF_INET6, bin);
	}
	fclose(f);
	return 0;
}
