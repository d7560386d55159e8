// SPDX-License-Identifier: GPL-2.0-only
/* The auto pool's facts: os-release, uname, FQDN, addresses (facts.h). */
#include "facts.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

/* os-release fields we publish; see os-release(5). */
struct osrel {
	char *name, *version_id, *id, *vendor, *variant_id;
};

/*
 * One os-release value: shell-style, optionally quoted; in double quotes
 * a backslash escapes $ " \ and `. Anything malformed is taken literally,
 * since this is a label, not code.
 */
static char *unquote(const char *v)
{
	GString *s = g_string_new(NULL);
	char q = (*v == '"' || *v == '\'') ? *v++ : 0;

	for (; *v && *v != '\n' && *v != q; v++) {
		if (q != '\'' && *v == '\\' && v[1] && strchr("$\"\\`", v[1]))
			v++;
		g_string_append_c(s, *v);
	}
	return g_string_free(s, FALSE);
}

static void osrel_read(const char *path, struct osrel *o)
{
	static const char *const fallback[] = {
		"/etc/os-release", "/usr/lib/os-release", NULL
	};
	const char *const one[] = { path, NULL };
	const char *const *p = path ? one : fallback;
	char line[1024];
	FILE *f = NULL;

	for (; *p && !f; p++)
		f = fopen(*p, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '='), **slot = NULL;

		if (line[0] == '#' || !eq)
			continue;
		*eq = '\0';
		if (!strcmp(line, "NAME"))
			slot = &o->name;
		else if (!strcmp(line, "VERSION_ID"))
			slot = &o->version_id;
		else if (!strcmp(line, "ID"))
			slot = &o->id;
		else if (!strcmp(line, "VENDOR_NAME"))
			slot = &o->vendor;
		else if (!strcmp(line, "VARIANT_ID"))
			slot = &o->variant_id;
		if (slot) {
			g_free(*slot);
			*slot = unquote(eq + 1);
		}
	}
	fclose(f);
}

static void osrel_free(struct osrel *o)
{
	g_free(o->name);
	g_free(o->version_id);
	g_free(o->id);
	g_free(o->vendor);
	g_free(o->variant_id);
}

static char *system_fqdn(void)
{
	struct addrinfo hints = { .ai_flags = AI_CANONNAME }, *res = NULL;
	char host[256] = "";
	char *fqdn;

	if (gethostname(host, sizeof(host) - 1) < 0)
		return g_strdup("");
	/* What the resolver calls us; the plain hostname when it cannot. */
	if (getaddrinfo(host, NULL, &hints, &res) == 0 && res->ai_canonname)
		fqdn = g_strdup(res->ai_canonname);
	else
		fqdn = g_strdup(host);
	if (res)
		freeaddrinfo(res);
	return fqdn;
}

void enl_kvp_facts_addresses(const struct enl_kvp_netinfo *ni, int family,
			     char *out, size_t max)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ni->n_ifs; i++) {
		const struct enl_kvp_iface *ifc = &ni->ifs[i];

		if (ifc->loopback)
			continue;
		for (size_t k = 0; k < ifc->n_addr; k++) {
			const char *a = ifc->addr[k].text;
			size_t len = strlen(a) + (o ? 1 : 0);

			if (ifc->addr[k].family != family || o + len + 1 > max)
				continue;
			o += (size_t)snprintf(out + o, max - o, "%s%s",
					      o ? ";" : "", a);
		}
	}
}

/* A value that does not fit the wire is published empty, keeping indexes. */
static void put(struct enl_kvp_table *p, const char *key, const char *value)
{
	if (enl_kvp_pool_set(p, key, value ? value : "") < 0)
		enl_kvp_pool_set(p, key, "");
}

int enl_kvp_facts_collect(const struct enl_kvp_facts_src *src,
			  struct enl_kvp_table *out)
{
	/* Addresses are ASCII: one byte per UTF-16 unit of the value. */
	char v4[ENL_KVP_MAX_VALUE_SIZE / 2], v6[ENL_KVP_MAX_VALUE_SIZE / 2];
	struct enl_kvp_netinfo ni = { 0 };
	struct osrel o = { 0 };
	struct utsname u;
	char *fqdn, *release, *dash, *major, *minor, *dot, *kernel;

	enl_kvp_pool_clear(out);
	if ((src->uname ? src->uname(&u) : uname(&u)) < 0)
		return -errno;
	osrel_read(src->os_release, &o);
	fqdn = src->fqdn ? src->fqdn() : system_fqdn();
	if (src->net.read && src->net.read(src->net.ctx, &ni) == 0) {
		enl_kvp_facts_addresses(&ni, AF_INET, v4, sizeof(v4));
		enl_kvp_facts_addresses(&ni, AF_INET6, v6, sizeof(v6));
	} else {
		v4[0] = v6[0] = '\0';
	}
	enl_kvp_netinfo_free(&ni);
	/* Hosts want OSVersion as x.y.z: the release without "-18-amd64". */
	release = g_strdup(u.release);
	dash = strchr(release, '-');
	if (dash)
		*dash = '\0';
	/* VERSION_ID "12" or "22.04": major and minor apart. */
	major = g_strdup(o.version_id ? o.version_id : "");
	dot = strchr(major, '.');
	minor = g_strdup(dot ? dot + 1 : "0");
	if (dot)
		*dot = '\0';

	put(out, "FullyQualifiedDomainName", fqdn);
	put(out, "IntegrationServicesVersion", src->is_version);
	put(out, "NetworkAddressIPv4", v4);
	put(out, "NetworkAddressIPv6", v6);
	put(out, "OSBuildNumber", u.release);
	put(out, "OSName", o.name ? o.name : u.sysname);
	put(out, "OSMajorVersion", major);
	put(out, "OSMinorVersion", minor);
	put(out, "OSVersion", release);
	put(out, "ProcessorArchitecture", u.machine);
	/* Enlighten's additions, after the indexes hosts hard-code. */
	put(out, "OSVendor", o.vendor ? o.vendor : o.id);
	if (o.variant_id)
		put(out, "OSEditionId", o.variant_id);
	/* No Windows VER_PLATFORM_* applies; the kernel's own name does. */
	put(out, "OSPlatformId", u.sysname);
	kernel = g_strdup_printf("%s %s", u.release, u.version);
	put(out, "KernelVersion", kernel);
	g_free(kernel);

	g_free(release);
	g_free(major);
	g_free(minor);
	g_free(fqdn);
	osrel_free(&o);
	return 0;
}
