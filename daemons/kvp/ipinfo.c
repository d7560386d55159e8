// SPDX-License-Identifier: GPL-2.0-only
/* GET_IP_INFO answers and SET_IP_INFO parsing (see ipinfo.h). */
#include "ipinfo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "utf16.h"

/* Worst case UTF-8 of the largest field (ip_addr, 1024 units). */
#define TEXT_MAX	(ENL_KVP_MAX_IP_ADDR_SIZE * 3 + 1)

/* A UTF-16 field of units code units as UTF-8: 0 or -errno. */
static int get16(const void *field, size_t units, char *out, size_t size)
{
	ssize_t n = enl_utf16le_to_utf8(field, units * 2, out, size);

	return n < 0 ? (int)n : 0;
}

static int put16(void *field, size_t units, const char *s)
{
	ssize_t n = enl_utf8_to_utf16le(s, field, units * 2);

	return n < 0 ? (int)n : 0;
}

/* Append item to list (';'-separated) if the result stays under max. */
static bool append(GString *list, const char *item, size_t max)
{
	if (list->len + (list->len ? 1 : 0) + strlen(item) + 1 > max)
		return false;
	if (list->len)
		g_string_append_c(list, ';');
	g_string_append(list, item);
	return true;
}

static void mask_text(const struct enl_kvp_addr *a, char *buf, size_t size)
{
	if (a->family == AF_INET) {
		uint32_t m = a->prefix ? 0xffffffffU << (32 - a->prefix) : 0;
		struct in_addr in = { htonl(m) };

		inet_ntop(AF_INET, &in, buf, (socklen_t)size);
	} else {
		snprintf(buf, size, "/%u", a->prefix);
	}
}

static bool wanted(uint8_t families, int family)
{
	/* NONE asks for everything, as hosts send it. */
	if (!(families & (ENL_KVP_ADDR_FAMILY_IPV4 | ENL_KVP_ADDR_FAMILY_IPV6)))
		return true;
	return family == AF_INET ? families & ENL_KVP_ADDR_FAMILY_IPV4 :
				   families & ENL_KVP_ADDR_FAMILY_IPV6;
}

uint32_t enl_kvp_ipinfo_get(const struct enl_kvp_netinfo *ni,
			    struct enl_kvp_ipaddr_value *v)
{
	char id[ENL_KVP_MAX_ADAPTER_ID_SIZE * 3 + 1], mask[INET6_ADDRSTRLEN];
	GString *ip = g_string_new(NULL), *sn = g_string_new(NULL);
	GString *gw = g_string_new(NULL), *dns = g_string_new(NULL);
	const struct enl_kvp_iface *ifc;
	uint8_t want = v->addr_family, fam = 0;
	uint32_t status = ENL_HV_E_FAIL;
	bool dhcp = false;

	if (get16(v->adapter_id, ENL_KVP_MAX_ADAPTER_ID_SIZE, id,
		  sizeof(id)) < 0)
		goto out;
	ifc = enl_kvp_netinfo_find(ni, id);
	if (!ifc)
		goto out;
	for (size_t i = 0; i < ifc->n_addr; i++) {
		const struct enl_kvp_addr *a = &ifc->addr[i];

		if (!wanted(want, a->family))
			continue;
		mask_text(a, mask, sizeof(mask));
		/* Addresses and masks pair up by position: both or neither. */
		if (ip->len + strlen(a->text) + 2 > ENL_KVP_MAX_IP_ADDR_SIZE ||
		    sn->len + strlen(mask) + 2 > ENL_KVP_MAX_IP_ADDR_SIZE)
			break;
		append(ip, a->text, ENL_KVP_MAX_IP_ADDR_SIZE);
		append(sn, mask, ENL_KVP_MAX_IP_ADDR_SIZE);
		fam |= a->family == AF_INET ? ENL_KVP_ADDR_FAMILY_IPV4 :
					      ENL_KVP_ADDR_FAMILY_IPV6;
		dhcp |= a->family == AF_INET && a->dynamic;
	}
	for (size_t i = 0; i < ifc->n_gw; i++)
		if (wanted(want, ifc->gw[i].family))
			append(gw, ifc->gw[i].text, ENL_KVP_MAX_GATEWAY_SIZE);
	for (size_t i = 0; i < ni->n_dns; i++)
		append(dns, ni->dns[i], ENL_KVP_MAX_IP_ADDR_SIZE);
	/* Everything is ASCII and bounded above, so these cannot fail. */
	if (put16(v->ip_addr, ENL_KVP_MAX_IP_ADDR_SIZE, ip->str) ||
	    put16(v->sub_net, ENL_KVP_MAX_IP_ADDR_SIZE, sn->str) ||
	    put16(v->gate_way, ENL_KVP_MAX_GATEWAY_SIZE, gw->str) ||
	    put16(v->dns_addr, ENL_KVP_MAX_IP_ADDR_SIZE, dns->str))
		goto out;
	v->addr_family = fam;
	v->dhcp_enabled = dhcp;
	status = ENL_HV_S_OK;
out:
	g_string_free(ip, TRUE);
	g_string_free(sn, TRUE);
	g_string_free(gw, TRUE);
	g_string_free(dns, TRUE);
	return status;
}

/* Split a host list on ';' or ',' with spaces trimmed, empties dropped. */
static char **split(const char *text)
{
	char **parts = g_strsplit_set(text, ";,", -1);
	size_t o = 0;

	for (size_t i = 0; parts[i]; i++) {
		g_strstrip(parts[i]);
		if (*parts[i])
			parts[o++] = parts[i];
		else
			g_free(parts[i]);
	}
	parts[o] = NULL;
	return parts;
}

/* A dotted IPv4 netmask as a prefix length, -1 if not contiguous. */
static int v4_prefix(const char *s)
{
	struct in_addr in;
	uint32_t m;
	int n = 0;

	if (inet_pton(AF_INET, s, &in) != 1)
		return -1;
	m = ntohl(in.s_addr);
	while (m & 0x80000000U) {
		m <<= 1;
		n++;
	}
	return m ? -1 : n;
}

static int v6_prefix(const char *s)
{
	char *end;
	long n;

	if (*s == '/')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	n = strtol(s, &end, 10);
	return *end || n < 0 || n > 128 ? -1 : (int)n;
}

static uint32_t bad(const char **why, const char *w)
{
	*why = w;
	return ENL_HV_INVALIDARG;
}

/* Pair addresses with masks, each family in its own order. */
static uint32_t parse_addrs(struct enl_kvp_ipconfig *cfg, char **ip, char **sn,
			    const char **why)
{
	size_t n4 = 0, n6 = 0;

	for (size_t i = 0; ip[i]; i++) {
		unsigned char bin[sizeof(struct in6_addr)];
		bool v4 = inet_pton(AF_INET, ip[i], bin) == 1;
		int prefix = -1;
		size_t seen = 0, want = v4 ? n4++ : n6++;

		if (!v4 && inet_pton(AF_INET6, ip[i], bin) != 1)
			return bad(why, "not an IP address");
		/* The want-th mask of the address's own kind. */
		for (size_t k = 0; sn[k]; k++) {
			bool dotted = strchr(sn[k], '.') != NULL;

			if (dotted != v4 || seen++ != want)
				continue;
			prefix = v4 ? v4_prefix(sn[k]) : v6_prefix(sn[k]);
			if (prefix < 0)
				return bad(why, "malformed netmask");
		}
		if (prefix < 0 && v4)
			return bad(why, "IPv4 address without a netmask");
		if (prefix < 0)
			prefix = 64;	/* the only sane IPv6 default */
		if (cfg->ifc.n_addr >= ENL_KVP_NI_MAX_ADDRS)
			return bad(why, "too many addresses");
		enl_kvp_iface_add(&cfg->ifc, false, v4 ? AF_INET : AF_INET6,
				  bin, (unsigned int)prefix, false);
	}
	return ENL_HV_S_OK;
}

static uint32_t parse_list(char **items, bool gw, struct enl_kvp_ipconfig *cfg,
			   const char **why)
{
	for (size_t i = 0; items[i]; i++) {
		unsigned char bin[sizeof(struct in6_addr)];
		int family = inet_pton(AF_INET, items[i], bin) == 1 ? AF_INET :
			     inet_pton(AF_INET6, items[i], bin) == 1 ? AF_INET6 :
			     0;

		if (!family)
			return bad(why, gw ? "gateway not an IP address" :
					     "DNS server not an IP address");
		if (gw) {
			if (cfg->ifc.n_gw >= ENL_KVP_NI_MAX_GW)
				return bad(why, "too many gateways");
			enl_kvp_iface_add(&cfg->ifc, true, family, bin, 0, false);
		} else {
			if (cfg->n_dns >= ENL_KVP_NI_MAX_DNS)
				return bad(why, "too many DNS servers");
			inet_ntop(family, bin, cfg->dns[cfg->n_dns++],
				  INET6_ADDRSTRLEN);
		}
	}
	return ENL_HV_S_OK;
}

uint32_t enl_kvp_ipinfo_parse_set(const struct enl_kvp_netinfo *ni,
				  const struct enl_kvp_ipaddr_value *v,
				  struct enl_kvp_ipconfig *cfg,
				  const char **why)
{
	char *id = g_malloc(TEXT_MAX), *t[4];
	char **ip = NULL, **sn = NULL, **gw = NULL, **dns = NULL;
	const struct enl_kvp_iface *ifc;
	uint32_t st;

	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < 4; i++)
		t[i] = g_malloc(TEXT_MAX);
	st = bad(why, "text is not valid UTF-16");
	if (get16(v->adapter_id, ENL_KVP_MAX_ADAPTER_ID_SIZE, id, TEXT_MAX) ||
	    get16(v->ip_addr, ENL_KVP_MAX_IP_ADDR_SIZE, t[0], TEXT_MAX) ||
	    get16(v->sub_net, ENL_KVP_MAX_IP_ADDR_SIZE, t[1], TEXT_MAX) ||
	    get16(v->gate_way, ENL_KVP_MAX_GATEWAY_SIZE, t[2], TEXT_MAX) ||
	    get16(v->dns_addr, ENL_KVP_MAX_IP_ADDR_SIZE, t[3], TEXT_MAX))
		goto out;
	ifc = enl_kvp_netinfo_find(ni, id);
	if (!ifc) {
		*why = "no interface with that adapter id";
		st = ENL_HV_GUID_NOTFOUND;
		goto out;
	}
	g_strlcpy(cfg->ifc.name, ifc->name, sizeof(cfg->ifc.name));
	g_strlcpy(cfg->ifc.mac, ifc->mac, sizeof(cfg->ifc.mac));
	cfg->ifc.ifindex = ifc->ifindex;
	cfg->dhcp = v->dhcp_enabled != 0;
	ip = split(t[0]);
	sn = split(t[1]);
	gw = split(t[2]);
	dns = split(t[3]);
	st = parse_addrs(cfg, ip, sn, why);
	if (st == ENL_HV_S_OK)
		st = parse_list(gw, true, cfg, why);
	if (st == ENL_HV_S_OK)
		st = parse_list(dns, false, cfg, why);
	if (st == ENL_HV_S_OK && !cfg->dhcp && !cfg->ifc.n_addr)
		st = bad(why, "static configuration without an address");
out:
	g_strfreev(ip);
	g_strfreev(sn);
	g_strfreev(gw);
	g_strfreev(dns);
	for (int i = 0; i < 4; i++)
		g_free(t[i]);
	g_free(id);
	return st;
}
