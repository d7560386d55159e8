// SPDX-License-Identifier: GPL-2.0-only
/* Parsing what users write about NICs: --nic and `nic add` specs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <enlighten/nvsp.h>

#include "net_glue.h"

static bool parse_uint(const char *s, unsigned long min, unsigned long max,
		       uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x < min || x > max)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];
	char tail;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	/* A NIC's own address is unicast and not all zeroes. */
	return !(mac[0] & 1) && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] |
				 mac[5]);
}

/* NVSP versions as users name them: 1, 2, 4, 5, 6 and 6.1. */
static bool parse_nvsp(const char *s, uint32_t *v)
{
	static const struct {
		const char *name;
		uint32_t version;
	} names[] = {
		{ "1", ENL_NVSP_VERSION_1 }, { "2", ENL_NVSP_VERSION_2 },
		{ "4", ENL_NVSP_VERSION_4 }, { "5", ENL_NVSP_VERSION_5 },
		{ "6", ENL_NVSP_VERSION_6 }, { "6.1", ENL_NVSP_VERSION_61 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		if (!strcmp(s, names[i].name)) {
			*v = names[i].version;
			return true;
		}
	}
	return false;
}

bool enl_nic_speed_parse(const char *s, uint32_t *mbps)
{
	return parse_uint(s, 1, ENL_NIC_MAX_SPEED_MBPS, mbps);
}

int enl_nic_spec_parse(const char *s, struct enl_nic_spec *spec, GString *err)
{
	g_auto(GStrv) f = g_strsplit(s ? s : "", ",", -1);
	bool have_tap = false;

	memset(spec, 0, sizeof(*spec));
	for (int i = 0; f[i]; i++) {
		const char *o = f[i];

		if (g_str_has_prefix(o, "tap=") && o[4] &&
		    strlen(o + 4) < IFNAMSIZ && !strchr(o + 4, '/')) {
			g_strlcpy(spec->tap, o + 4, sizeof(spec->tap));
			have_tap = true;
		} else if (!strcmp(o, "none")) {
			have_tap = true;	/* no backend, on purpose */
		} else if (g_str_has_prefix(o, "mac=") &&
			   parse_mac(o + 4, spec->mac)) {
			spec->mac_set = true;
		} else if (g_str_has_prefix(o, "queues=") &&
			   parse_uint(o + 7, 1, ENL_NIC_MAX_QUEUES,
				      &spec->queues)) {
		} else if (g_str_has_prefix(o, "mtu=") &&
			   parse_uint(o + 4, 68, 65521, &spec->mtu)) {
			spec->mtu_set = true;
		} else if (!strcmp(o, "link=down")) {
			spec->link_down = true;
		} else if (!strcmp(o, "link=up")) {
			spec->link_down = false;
		} else if (g_str_has_prefix(o, "nvsp=") &&
			   parse_nvsp(o + 5, &spec->max_nvsp)) {
		} else if (g_str_has_prefix(o, "speed=") &&
			   enl_nic_speed_parse(o + 6, &spec->speed_mbps)) {
		} else {
			g_string_append_printf(err,
				"'%s': want tap=NAME (at most %d characters) or "
				"none, mac=XX:XX:XX:XX:XX:XX (unicast), "
				"queues=1..%d, mtu=68..65521, link=up|down, "
				"nvsp=1|2|4|5|6|6.1 or speed=1..%d (Mbit/s)",
				o, IFNAMSIZ - 1, ENL_NIC_MAX_QUEUES,
				ENL_NIC_MAX_SPEED_MBPS);
			return -EINVAL;
		}
	}
	if (!have_tap) {
		g_string_append(err, "no tap=NAME (or none) given");
		return -EINVAL;
	}
	return 0;
}
