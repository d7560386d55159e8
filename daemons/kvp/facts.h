/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The auto pool (ENL_KVP_POOL_AUTO): facts about the guest that hosts read
 * (Hyper-V Manager, Get-VMKvp scripts, Azure). The first ten keys sit at
 * the indexes hosts expect (see ic_kvp.h, the order Linux's hv_kvp_daemon
 * uses); Enlighten's extra keys follow. Every source is injectable.
 */
#ifndef ENL_KVP_FACTS_H
#define ENL_KVP_FACTS_H

#include <sys/utsname.h>

#include "netinfo.h"
#include "pool.h"

struct enl_kvp_facts_src {
	const char *os_release;		/* NULL: /etc/os-release, /usr/lib/... */
	int (*uname)(struct utsname *u);	/* NULL: uname(2) */
	char *(*fqdn)(void);		/* g_malloc'd; NULL: resolve hostname */
	struct enl_kvp_net_ops net;	/* NetworkAddressIPv4/IPv6 */
	const char *is_version;		/* IntegrationServicesVersion */
};

/* Regenerate the auto pool into out (cleared first): 0 or -errno. */
int enl_kvp_facts_collect(const struct enl_kvp_facts_src *src,
			  struct enl_kvp_table *out);

/*
 * Join the addresses of family of every non-loopback interface with ';',
 * at most max bytes with the NUL (whole addresses only).
 */
void enl_kvp_facts_addresses(const struct enl_kvp_netinfo *ni, int family,
			     char *out, size_t max);

#endif /* ENL_KVP_FACTS_H */
