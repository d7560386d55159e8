// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-kvpd's logic against enl-host's KVP service over a socketpair: every
 * operation on every pool, the auto pool's facts, IP info both ways with
 * each backend, size limits, bad UTF-16, malformed and truncated requests
 * and answers, version mismatch, legacy import, and pool persistence under
 * kill -9 at every write stage.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <enlighten/ic_kvp.h>

#include "kvp.h"
#include "kvp_host.h"
#include "log.h"
#include "pair.h"
#include "poolfile.h"
#include "tap.h"
#include "utf16.h"

static char *tmp_root;

/* ---- fixtures ---------------------------------------------------------- */

static int fake_uname(struct utsname *u)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, "Linux");
	strcpy(u->release, "6.1.0-18-amd64");
	strcpy(u->version, "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1");
	strcpy(u->machine, "x86_64");
	return 0;
}

static char *fake_fqdn(void)
{
	return g_strdup("guest1.example.org");
}

#define MAC	"00:15:5D:01:02:03"
#define GUID	"{f5bee29c-1741-4aad-a4c2-8fdedb46dcc2}"

static int fake_net(void *ctx, struct enl_kvp_netinfo *ni)
{
	struct enl_kvp_iface *lo, *eth;
	unsigned char b[16];

	(void)ctx;
	memset(ni, 0, sizeof(*ni));
	lo = enl_kvp_netinfo_add(ni, "lo", 1);
	lo->loopback = true;
	inet_pton(AF_INET, "127.0.0.1", b);
	enl_kvp_iface_add(lo, false, AF_INET, b, 8, false);
	eth = enl_kvp_netinfo_add(ni, "eth0", 2);
	strcpy(eth->mac, MAC);
	strcpy(eth->device_id, GUID);
	inet_pton(AF_INET, "10.0.0.5", b);
	enl_kvp_iface_add(eth, false, AF_INET, b, 24, true);
	inet_pton(AF_INET6, "fe80::1", b);
	enl_kvp_iface_add(eth, false, AF_INET6, b, 64, false);
	inet_pton(AF_INET6, "2001:db8::5", b);
	enl_kvp_iface_add(eth, false, AF_INET6, b, 64, true);
	inet_pton(AF_INET, "10.0.0.1", b);
	enl_kvp_iface_add(eth, true, AF_INET, b, 0, false);
	inet_pton(AF_INET, "10.0.0.53", b);
	enl_kvp_netinfo_add_dns(ni, AF_INET, b);
	return 0;
}

/* The host's last answer, copied out of the callback. */
struct last {
	int n;
	uint32_t status;
	bool malformed;
	uint8_t op;
	char key[1024], value[4096], ip[1024], sn[1024], gw[1024], dns[1024];
	uint8_t family, dhcp;
};

static void on_done(void *ctx, const struct enl_kvp_host_result *r)
{
	struct last *l = ctx;

	l->n++;
	l->status = r->status;
	l->malformed = r->malformed;
	l->op = r->op;
	g_strlcpy(l->key, r->key ? r->key : "", sizeof(l->key));
	g_strlcpy(l->value, r->value ? r->value : "", sizeof(l->value));
	g_strlcpy(l->ip, r->ip_addr ? r->ip_addr : "", sizeof(l->ip));
	g_strlcpy(l->sn, r->sub_net ? r->sub_net : "", sizeof(l->sn));
	g_strlcpy(l->gw, r->gate_way ? r->gate_way : "", sizeof(l->gw));
	g_strlcpy(l->dns, r->dns_addr ? r->dns_addr : "", sizeof(l->dns));
	l->family = r->addr_family;
	l->dhcp = r->dhcp_enabled;
}

struct fix {
	char *dir, *netdir, *nmdir;
	struct enl_kvp_store st;
	struct enl_kvp_guest g;
	struct enl_kvp_host h;
	struct pair p;
	struct last last;
};

static char *subdir(const char *name)
{
	char *d = g_build_filename(tmp_root, name, NULL);

	g_mkdir_with_parents(d, 0700);
	return d;
}

static void fix_open(struct fix *f, const char *name, size_t max,
		     const uint32_t *v, size_t nv)
{
	char *osrel;

	memset(f, 0, sizeof(*f));
	f->dir = subdir(name);
	f->netdir = g_build_filename(f->dir, "network", NULL);
	f->nmdir = g_build_filename(f->dir, "nm", NULL);
	g_mkdir_with_parents(f->netdir, 0700);
	g_mkdir_with_parents(f->nmdir, 0700);
	osrel = g_build_filename(f->dir, "os-release", NULL);
	g_file_set_contents(osrel, "# test\nNAME=\"Debian GNU/Linux\"\n"
			    "VERSION_ID=\"12.5\"\nID=debian\n"
			    "VARIANT_ID=server\n", -1, NULL);
	enl_kvp_store_open(&f->st, f->dir, max, true);
	enl_kvp_guest_init(&f->g, &f->st);
	f->g.facts = (struct enl_kvp_facts_src){
		.os_release = osrel, .uname = fake_uname, .fqdn = fake_fqdn,
		.net = { fake_net, NULL }, .is_version = "0.1.0",
	};
	f->g.net = f->g.facts.net;
	f->g.ip.backend = ENL_KVP_IP_NETWORKD;
	f->g.ip.networkd_dir = f->netdir;
	f->g.ip.nm_dir = f->nmdir;
	f->g.ip.reload = false;
	enl_kvp_host_init(&f->h);
	f->h.done = on_done;
	f->h.done_ctx = &f->last;
	if (v)
		enl_ic_host_set_versions(&f->h.ic, v, nv);
	pair_open(&f->p, &enl_kvp_guest_ops, &f->g, &f->h.ic);
	pair_host_open(&f->p);
	pair_pump(&f->p);
}

static void fix_close(struct fix *f)
{
	pair_close(&f->p);
	enl_kvp_host_free(&f->h);
	g_free((char *)f->g.facts.os_release);
	enl_kvp_guest_free(&f->g);
	enl_kvp_store_close(&f->st);
	g_free(f->dir);
	g_free(f->netdir);
	g_free(f->nmdir);
}

/* Run one host call to completion; the status of its answer. */
#define DO(f, call) ((f)->last.n = 0, (call), pair_pump(&(f)->p), \
		     (f)->last.n ? (f)->last.status : 0xdeadbeefU)

/* Run one host call and pump; whether the call queued it. */
#define DO_RAW(p, call) ((call) == 0 ? (pair_pump(p), true) : false)

/* ---- raw requests ------------------------------------------------------ */

static uint8_t rawbuf[ENL_CHANNEL_MAX_PACKET + 1];

/* Send body straight to the guest; the answer's status (body in rawbuf). */
static uint32_t raw(struct fix *f, const void *body, size_t len)
{
	struct enl_icmsg_hdr *hdr = (void *)(rawbuf + ENL_ICMSG_HDR_OFFSET);
	int n = enl_ic_build(rawbuf, sizeof(rawbuf), ENL_ICMSGTYPE_KVPEXCHANGE,
			     f->h.ic.fw, f->h.ic.srv, 77, body, len);

	pair_inject(&f->p, rawbuf, (size_t)n);
	n = (int)pair_take(&f->p, rawbuf, sizeof(rawbuf));
	return n >= ENL_ICMSG_BODY_OFFSET ? hdr->status : 0xdeadbeefU;
}

static void set_key16(struct enl_kvp_exchg_msg_value *d, const char *k)
{
	d->key_size = (uint32_t)enl_utf8_to_utf16le(k, d->key, sizeof(d->key));
}

/*
 * Run the main loop until *counter passes was (a background apply ended)
 * or 10 s pass; whether it did.
 */
static bool wait_apply(const unsigned long *counter, unsigned long was)
{
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

	while (*counter == was && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	return *counter != was;
}

/* ---- tests ------------------------------------------------------------- */

static void test_auto_pool(void)
{
	static const char *const order[] = {
		"FullyQualifiedDomainName", "IntegrationServicesVersion",
		"NetworkAddressIPv4", "NetworkAddressIPv6", "OSBuildNumber",
		"OSName", "OSMajorVersion", "OSMinorVersion", "OSVersion",
		"ProcessorArchitecture", "OSVendor", "OSEditionId",
		"OSPlatformId", "KernelVersion",
	};
	GPtrArray *a;
	struct fix f;
	bool ok = true;

	fix_open(&f, "auto", 64, NULL, 0);
	tap_ok(f.h.ic.state == ENL_IC_HOST_READY &&
	       f.h.ic.srv == ENL_IC_KVP_VERSION_4_0,
	       "negotiated KVP 4.0 with framework 3.0");
	a = f.h.mirror[ENL_KVP_POOL_AUTO].pairs;
	for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
		ok &= i < a->len && !strcmp(((struct enl_kvp_host_pair *)
				a->pdata[i])->key, order[i]);
	tap_ok(ok && a->len == G_N_ELEMENTS(order),
	       "auto pool: %u keys, the first ten at the indexes hosts expect",
	       a->len);
#define AUTO(k) enl_kvp_host_mirror_get(&f.h, ENL_KVP_POOL_AUTO, k)
	tap_ok(!strcmp(AUTO("FullyQualifiedDomainName"), "guest1.example.org") &&
	       !strcmp(AUTO("OSName"), "Debian GNU/Linux") &&
	       !strcmp(AUTO("OSMajorVersion"), "12") &&
	       !strcmp(AUTO("OSMinorVersion"), "5") &&
	       !strcmp(AUTO("OSVersion"), "6.1.0") &&
	       !strcmp(AUTO("OSBuildNumber"), "6.1.0-18-amd64") &&
	       !strcmp(AUTO("ProcessorArchitecture"), "x86_64") &&
	       !strcmp(AUTO("IntegrationServicesVersion"), "0.1.0") &&
	       !strcmp(AUTO("OSVendor"), "debian") &&
	       !strcmp(AUTO("OSEditionId"), "server") &&
	       !strcmp(AUTO("OSPlatformId"), "Linux") &&
	       g_str_has_prefix(AUTO("KernelVersion"), "6.1.0-18-amd64 #1"),
	       "auto pool: OS, kernel, FQDN, architecture, IS version facts");
	tap_ok(!strcmp(AUTO("NetworkAddressIPv4"), "10.0.0.5") &&
	       !strcmp(AUTO("NetworkAddressIPv6"), "fe80::1;2001:db8::5"),
	       "auto pool: addresses of every non-loopback interface (%s | %s)",
	       AUTO("NetworkAddressIPv4"), AUTO("NetworkAddressIPv6"));
	tap_ok(DO(&f, enl_kvp_host_get(&f.h, ENL_KVP_POOL_AUTO, "OSName")) ==
	       ENL_HV_S_OK && !strcmp(f.last.value, "Debian GNU/Linux"),
	       "GET on the auto pool");
	tap_ok(DO(&f, enl_kvp_host_set(&f.h, ENL_KVP_POOL_AUTO, "OSName",
				       "x")) == ENL_HV_ERROR_NOT_SUPPORTED &&
	       DO(&f, enl_kvp_host_delete(&f.h, ENL_KVP_POOL_AUTO, "OSName")) ==
	       ENL_HV_ERROR_NOT_SUPPORTED,
	       "SET and DELETE on the auto pool: NOT_SUPPORTED");
	tap_ok(f.h.mirror[ENL_KVP_POOL_GUEST].pairs->len == 0 &&
	       f.h.mirror_at[ENL_KVP_POOL_GUEST] != 0,
	       "empty guest pool enumerated at open");
	fix_close(&f);
}

static void test_ops(const uint32_t *v, const char *name)
{
	static const char ukey[] = "Ключ-\xf0\x9f\x98\x80";	/* with U+1F600 */
	static const char uval[] = "värde \xe2\x82\xac \xf0\x9f\x8e\x89";
	struct enl_kvp_store other;
	struct fix f;
	char *dn = g_strdup_printf("ops-%s", name);

	fix_open(&f, dn, 64, v, v ? 1 : 0);
	tap_ok(f.h.ic.state == ENL_IC_HOST_READY, "%s: negotiated", name);
	for (unsigned int p = 0; p < ENL_KVP_POOL_COUNT; p++) {
		if (p == ENL_KVP_POOL_AUTO)
			continue;
		tap_ok(DO(&f, enl_kvp_host_set(&f.h, (uint8_t)p, "Key1",
					       "Value1")) == ENL_HV_S_OK &&
		       DO(&f, enl_kvp_host_get(&f.h, (uint8_t)p, "Key1")) ==
		       ENL_HV_S_OK && !strcmp(f.last.value, "Value1"),
		       "%s: SET then GET in pool %u", name, p);
	}
	tap_ok(DO(&f, enl_kvp_host_set(&f.h, 0, ukey, uval)) == ENL_HV_S_OK &&
	       DO(&f, enl_kvp_host_get(&f.h, 0, ukey)) == ENL_HV_S_OK &&
	       !strcmp(f.last.value, uval) &&
	       !strcmp(enl_kvp_pool_get(&f.st.pools[0], ukey), uval),
	       "%s: non-ASCII key and value (surrogate pairs) round trip as "
	       "UTF-8 in the pool", name);
	tap_ok(DO(&f, enl_kvp_host_set_number(&f.h, 0, "U32", ENL_KVP_REG_U32,
					      4294967295U)) == ENL_HV_S_OK &&
	       DO(&f, enl_kvp_host_set_number(&f.h, 0, "U64", ENL_KVP_REG_U64,
					      UINT64_MAX)) == ENL_HV_S_OK &&
	       !strcmp(enl_kvp_pool_get(&f.st.pools[0], "U32"), "4294967295") &&
	       !strcmp(enl_kvp_pool_get(&f.st.pools[0], "U64"),
		       "18446744073709551615"),
	       "%s: REG_U32 and REG_U64 values stored as decimal text", name);
	tap_ok(DO(&f, enl_kvp_host_set(&f.h, 0, "Key1", "Value2")) ==
	       ENL_HV_S_OK && DO(&f, enl_kvp_host_get(&f.h, 0, "Key1")) ==
	       ENL_HV_S_OK && !strcmp(f.last.value, "Value2") &&
	       !strcmp(f.st.pools[0].rec[0].key, "Key1"),
	       "%s: SET replaces a value in place", name);
	enl_kvp_host_enumerate(&f.h, 0);
	pair_pump(&f.p);
	tap_ok(f.h.mirror[0].pairs->len == 4 &&
	       !strcmp(enl_kvp_host_mirror_get(&f.h, 0, "U64"),
		       "18446744073709551615") &&
	       !strcmp(((struct enl_kvp_host_pair *)f.h.mirror[0].pairs->pdata[1])->
		       key, ukey),
	       "%s: ENUMERATE walks the pool in insertion order", name);
	tap_ok(DO(&f, enl_kvp_host_enumerate_one(&f.h, 0, 4)) == ENL_HV_S_CONT &&
	       DO(&f, enl_kvp_host_enumerate_one(&f.h, 0, 0xffffffffU)) ==
	       ENL_HV_S_CONT, "%s: ENUMERATE past the end: S_CONT", name);
	tap_ok(DO(&f, enl_kvp_host_delete(&f.h, 0, "Key1")) == ENL_HV_S_OK &&
	       DO(&f, enl_kvp_host_get(&f.h, 0, "Key1")) == ENL_HV_S_CONT &&
	       DO(&f, enl_kvp_host_delete(&f.h, 0, "Key1")) == ENL_HV_S_CONT &&
	       !enl_kvp_host_mirror_get(&f.h, 0, "Key1"),
	       "%s: DELETE, then GET and DELETE of the gone key: S_CONT", name);
	/* What a second process (enl-kvp) sees, and the reverse. */
	enl_kvp_store_open(&other, f.dir, 64, false);
	tap_ok(!strcmp(enl_kvp_pool_get(enl_kvp_store_pool(&other, 0), "U32"),
		       "4294967295") &&
	       !enl_kvp_pool_get(enl_kvp_store_pool(&other, 0), "Key1"),
	       "%s: committed changes are on disk for other processes", name);
	enl_kvp_store_set(&other, ENL_KVP_POOL_GUEST, "FromGuest", "hello");
	enl_kvp_host_enumerate(&f.h, ENL_KVP_POOL_GUEST);
	pair_pump(&f.p);
	tap_ok(!g_strcmp0(enl_kvp_host_mirror_get(&f.h, ENL_KVP_POOL_GUEST,
						  "FromGuest"), "hello"),
	       "%s: a guest-side write (CLI path) is seen by the host", name);
	enl_kvp_store_close(&other);
	fix_close(&f);
	g_free(dn);
}

static void test_limits(void)
{
	struct enl_kvp_msg m;
	char key[600], val[3000];
	struct fix f;

	fix_open(&f, "limits", 8, NULL, 0);
	memset(key, 'k', 255);
	key[255] = '\0';
	memset(val, 'v', 1023);
	val[1023] = '\0';
	tap_ok(DO(&f, enl_kvp_host_set(&f.h, 0, key, val)) == ENL_HV_S_OK &&
	       DO(&f, enl_kvp_host_get(&f.h, 0, key)) == ENL_HV_S_OK &&
	       strlen(f.last.value) == 1023,
	       "largest key (512 bytes) and value (2048 bytes) as UTF-16");
	key[255] = 'k';
	key[256] = '\0';
	tap_ok(enl_kvp_host_set(&f.h, 0, key, "x") == -EINVAL &&
	       enl_kvp_check(key, "x") == -E2BIG,
	       "a 256-unit key does not fit the wire on either side");
	tap_ok(enl_kvp_check("k", "\xff\xfe") == -EILSEQ &&
	       enl_kvp_check("", "x") == -EINVAL,
	       "guest-side writes: invalid UTF-8 and empty keys refused");

	memset(&m, 0, sizeof(m));
	m.kvp_hdr.operation = ENL_KVP_OP_SET;
	set_key16(&m.body.kvp_set.data, "big");
	m.body.kvp_set.data.value_type = ENL_KVP_REG_SZ;
	m.body.kvp_set.data.value_size = ENL_KVP_MAX_VALUE_SIZE + 2;
	tap_ok(raw(&f, &m, sizeof(m)) == ENL_HV_E_FAIL,
	       "value_size over 2048: E_FAIL");
	m.body.kvp_set.data.value_size = 2;
	m.body.kvp_set.data.key_size = ENL_KVP_MAX_KEY_SIZE + 2;
	tap_ok(raw(&f, &m, sizeof(m)) == ENL_HV_E_FAIL,
	       "key_size over 512: E_FAIL");
	m.body.kvp_set.data.key_size = 0xffffffffU;
	tap_ok(raw(&f, &m, sizeof(m)) == ENL_HV_E_FAIL,
	       "key_size 0xffffffff: E_FAIL");
	set_key16(&m.body.kvp_set.data, "odd");
	m.body.kvp_set.data.key_size = 3;
	tap_ok(raw(&f, &m, sizeof(m)) == ENL_HV_E_FAIL,
	       "odd key_size: E_FAIL");
	m.body.kvp_set.data.key_size = 0;
	tap_ok(raw(&f, &m, sizeof(m)) == ENL_HV_E_FAIL &&
	       f.g.stats.bad_text >= 1, "empty key: E_FAIL");

	/* Pool full at max-records 8: 1 record in, 7 more fit. */
	for (int i = 0; i < 7; i++) {
		char k[16];

		snprintf(k, sizeof(k), "fill%d", i);
		enl_kvp_host_set(&f.h, 0, k, "x");
	}
	pair_pump(&f.p);
	tap_ok(f.st.pools[0].n == 8 &&
	       DO(&f, enl_kvp_host_set(&f.h, 0, "onemore", "x")) ==
	       ENL_HV_ERROR_DISK_FULL && f.g.stats.full == 1 &&
	       DO(&f, enl_kvp_host_set(&f.h, 0, "fill3", "y")) == ENL_HV_S_OK,
	       "full pool: new key DISK_FULL, replacing still works");
	fix_close(&f);
}

static void test_bad_utf16(void)
{
	struct enl_kvp_msg m;
	struct fix f;
	__u8 *k;

	fix_open(&f, "utf16", 64, NULL, 0);
	memset(&m, 0, sizeof(m));
	m.kvp_hdr.operation = ENL_KVP_OP_SET;
	k = m.body.kvp_set.data.key;
	/* "A", unpaired high surrogate D800, "B", NUL */
	k[0] = 'A'; k[2] = 0x00; k[3] = 0xd8; k[4] = 'B';
	m.body.kvp_set.data.key_size = 8;
	m.body.kvp_set.data.value_type = ENL_KVP_REG_SZ;
	m.body.kvp_set.data.value_size = 2;
	tap_ok(raw(&f, &m, sizeof(m)) == ENL_HV_E_FAIL &&
	       f.g.stats.bad_text == 1 && f.st.pools[0].n == 0,
	       "key with an unpaired high surrogate: E_FAIL, nothing stored");
	set_key16(&m.body.kvp_set.data, "ok");
	m.body.kvp_set.data.value[0] = 0x00;
	m.body.kvp_set.data.value[1] = 0xdc;	/* lone low surrogate */
	m.body.kvp_set.data.value_size = 4;
	tap_ok(raw(&f, &m, sizeof(m)) == ENL_HV_E_FAIL &&
	       f.g.stats.bad_text == 2 && f.st.pools[0].n == 0,
	       "value with a lone low surrogate: E_FAIL");
	m.body.kvp_set.data.value[0] = 0x3d;
	m.body.kvp_set.data.value[1] = 0xd8;	/* high at the very end */
	m.body.kvp_set.data.value_size = 2;
	tap_ok(raw(&f, &m, sizeof(m)) == ENL_HV_E_FAIL,
	       "value ending in half a surrogate pair: E_FAIL");
	/* No NUL inside key_size: the size bounds the string. */
	memset(k, 0, ENL_KVP_MAX_KEY_SIZE);
	k[0] = 'a'; k[2] = 'b';
	m.body.kvp_set.data.key_size = 4;
	m.body.kvp_set.data.value_size = 0;
	tap_ok(raw(&f, &m, sizeof(m)) == ENL_HV_S_OK &&
	       enl_kvp_pool_get(&f.st.pools[0], "ab") &&
	       !strcmp(enl_kvp_pool_get(&f.st.pools[0], "ab"), ""),
	       "unterminated key bounded by key_size; empty value accepted");
	fix_close(&f);
}

static void test_malformed(void)
{
	static uint8_t big[ENL_CHANNEL_MAX_PACKET + 100];
	struct enl_kvp_msg m;
	struct enl_kvp_ip_msg ip;
	struct fix f;
	unsigned long bad;

	fix_open(&f, "malformed", 64, NULL, 0);
	memset(&m, 0, sizeof(m));
	m.kvp_hdr.operation = ENL_KVP_OP_GET;
	set_key16(&m.body.kvp_get.data, "x");
	bad = f.g.stats.malformed;
	tap_ok(raw(&f, &m, 1) == ENL_HV_E_FAIL,
	       "1-byte body: E_FAIL");
	tap_ok(raw(&f, &m, 100) == ENL_HV_E_FAIL,
	       "GET truncated to 100 bytes: E_FAIL");
	tap_ok(raw(&f, &m, 2575) == ENL_HV_E_FAIL,
	       "GET one byte short: E_FAIL");
	m.kvp_hdr.operation = ENL_KVP_OP_ENUMERATE;
	tap_ok(raw(&f, &m, 2579) == ENL_HV_E_FAIL,
	       "ENUMERATE one byte short: E_FAIL");
	m.kvp_hdr.operation = ENL_KVP_OP_DELETE;
	tap_ok(raw(&f, &m, 519) == ENL_HV_E_FAIL,
	       "DELETE one byte short: E_FAIL");
	m.kvp_hdr.operation = 9;
	tap_ok(raw(&f, &m, sizeof(m)) == ENL_HV_E_FAIL,
	       "unknown operation: E_FAIL");
	m.kvp_hdr.operation = ENL_KVP_OP_GET;
	m.kvp_hdr.pool = 5;
	tap_ok(raw(&f, &m, sizeof(m)) == ENL_HV_E_FAIL,
	       "pool 5: E_FAIL");
	m.kvp_hdr.operation = ENL_KVP_OP_SET;
	m.kvp_hdr.pool = 0;
	m.body.kvp_set.data.value_type = 3;	/* REG_EXPAND_SZ */
	tap_ok(raw(&f, &m, sizeof(m)) == ENL_HV_E_FAIL,
	       "unknown value type: E_FAIL");
	memset(&ip, 0, sizeof(ip));
	ip.operation = ENL_KVP_OP_GET_IP_INFO;
	tap_ok(raw(&f, &ip, sizeof(struct enl_kvp_msg)) == ENL_HV_E_FAIL,
	       "GET_IP_INFO in a 2580-byte body: E_FAIL");
	tap_ok(f.g.stats.malformed == bad + 9,
	       "each malformed request counted (%lu)",
	       f.g.stats.malformed - bad);
	m.kvp_hdr.operation = ENL_KVP_OP_DELETE;
	m.body.kvp_delete.key_size = (uint32_t)enl_utf8_to_utf16le("x",
		m.body.kvp_delete.key, sizeof(m.body.kvp_delete.key));
	tap_ok(raw(&f, &m, 520) == ENL_HV_S_CONT,
	       "DELETE in exactly 520 bytes is whole (S_CONT: no key)");
	memset(big, 0, sizeof(big));
	pair_inject(&f.p, big, sizeof(big));
	tap_ok(pair_take(&f.p, rawbuf, sizeof(rawbuf)) < 0 &&
	       f.p.guest->ch->rx_bad == 1, "oversize packet: dropped, counted");
	tap_ok(DO(&f, enl_kvp_host_set(&f.h, 0, "still", "works")) ==
	       ENL_HV_S_OK, "the service still answers after bad input");
	fix_close(&f);
}

/* Turn the request the host just sent into an answer of our making. */
static size_t take_request(struct fix *f, uint8_t *buf)
{
	ssize_t n = read(f->p.guest->ch->fd, buf, ENL_CHANNEL_MAX_PACKET);
	struct enl_icmsg_hdr *hdr = (void *)(buf + ENL_ICMSG_HDR_OFFSET);

	hdr->icflags = ENL_ICMSGHDRFLAG_TRANSACTION | ENL_ICMSGHDRFLAG_RESPONSE;
	hdr->status = ENL_HV_S_OK;
	return n < 0 ? 0 : (size_t)n;
}

static void test_bad_answers(void)
{
	static uint8_t buf[ENL_CHANNEL_MAX_PACKET];
	struct enl_kvp_msg *m = (void *)(buf + ENL_ICMSG_BODY_OFFSET);
	struct enl_icmsg_hdr *hdr = (void *)(buf + ENL_ICMSG_HDR_OFFSET);
	struct fix f;
	size_t len;

	fix_open(&f, "answers", 64, NULL, 0);
	enl_kvp_host_get(&f.h, 0, "k");
	len = take_request(&f, buf);
	m->body.kvp_get.data.value_type = ENL_KVP_REG_SZ;
	m->body.kvp_get.data.value_size = 5000;
	enl_ic_host_recv(&f.h.ic, buf, len);
	tap_ok(f.h.bad_answers == 1 && f.last.malformed,
	       "host: GET answer with value_size 5000 is malformed");
	enl_kvp_host_get(&f.h, 0, "k");
	len = take_request(&f, buf);
	m->body.kvp_get.data.value[0] = 0x00;
	m->body.kvp_get.data.value[1] = 0xdc;
	m->body.kvp_get.data.value_size = 2;
	enl_ic_host_recv(&f.h.ic, buf, len);
	tap_ok(f.h.bad_answers == 2, "host: answer with bad UTF-16 refused");
	enl_kvp_host_enumerate_one(&f.h, 0, 0);
	len = take_request(&f, buf);
	hdr->icmsgsize = 100;
	enl_ic_host_recv(&f.h.ic, buf, ENL_ICMSG_BODY_OFFSET + 100);
	tap_ok(f.h.bad_answers == 3, "host: truncated S_OK answer refused");
	enl_kvp_host_get_ip(&f.h, MAC, 0);
	len = take_request(&f, buf);
	buf[ENL_ICMSG_BODY_OFFSET] = ENL_KVP_OP_GET;
	enl_ic_host_recv(&f.h.ic, buf, len);
	tap_ok(f.h.bad_answers == 4,
	       "host: answer of another operation refused");
	tap_ok(DO(&f, enl_kvp_host_set(&f.h, 0, "after", "ok")) == ENL_HV_S_OK,
	       "host: the queue moves on after bad answers");
	fix_close(&f);
}

/* A channel that cannot take a packet now (corrupt, stopped, full). */
static int send_refused(void *tctx, const void *pkt, size_t len)
{
	(void)tctx;
	(void)pkt;
	(void)len;
	return -ENOTCONN;
}

static int send_too_big(void *tctx, const void *pkt, size_t len)
{
	(void)tctx;
	(void)pkt;
	(void)len;
	return -EMSGSIZE;
}

/*
 * The host stays "ready" between a corrupt ring and the guest closing the
 * channel: a SET made then must wait, not vanish (chaos lost two so).
 */
static void test_held_sends(void)
{
	struct fix f;
	enl_ic_send_fn send;

	fix_open(&f, "held", 64, NULL, 0);
	send = f.h.ic.send;
	f.h.ic.send = send_refused;
	tap_ok(enl_kvp_host_set(&f.h, 0, "k1", "v1") == 0 &&
	       enl_kvp_host_set(&f.h, 0, "k2", "v2") == 0 &&
	       g_queue_get_length(&f.h.queue) == 2 && !f.h.inflight &&
	       f.h.dropped == 0 && f.h.held == 2 && !f.h.ic.pending,
	       "host: SETs the channel cannot take wait in the queue, held "
	       "and counted, none dropped");
	f.h.ic.send = send;
	tap_ok(DO(&f, enl_kvp_host_set(&f.h, 0, "k3", "v3")) == ENL_HV_S_OK &&
	       g_queue_get_length(&f.h.queue) == 0 && f.h.dropped == 0,
	       "host: once the channel takes packets the held SETs go first");
	tap_ok(DO(&f, enl_kvp_host_get(&f.h, 0, "k1")) == ENL_HV_S_OK &&
	       !strcmp(f.last.value, "v1") &&
	       DO(&f, enl_kvp_host_get(&f.h, 0, "k2")) == ENL_HV_S_OK &&
	       !strcmp(f.last.value, "v2"),
	       "guest: both held pairs arrived");
	f.h.ic.send = send_too_big;
	tap_ok(enl_kvp_host_set(&f.h, 0, "k4", "v4") == 0 &&
	       g_queue_get_length(&f.h.queue) == 0 && f.h.dropped == 1 &&
	       f.h.last_failure && strstr(f.h.last_failure, "k4") &&
	       strstr(f.h.last_failure, "dropped"),
	       "host: a request no channel can ever take is dropped, counted, "
	       "named in the last failure");
	f.h.ic.send = send;
	fix_close(&f);
}

static void test_mismatch(void)
{
	static const uint32_t v2[] = { ENL_IC_VERSION(2, 0) };
	struct fix f;

	fix_open(&f, "mismatch", 64, v2, 1);
	tap_ok(f.h.ic.state == ENL_IC_HOST_NO_MATCH && f.p.guest->srv == 0,
	       "version mismatch: both sides know there is no match");
	tap_ok(enl_kvp_host_set(&f.h, 0, "k", "v") == 0 && f.last.n == 0 &&
	       g_queue_get_length(&f.h.queue) == 1,
	       "requests wait in the queue, none sent");
	fix_close(&f);
}

static void test_ip(void)
{
	struct fix f;
	char *text = NULL, *path;
	struct enl_kvp_ipaddr_value v;
	struct enl_kvp_netinfo ni;
	struct enl_kvp_ipconfig cfg;
	const char *why;
	uint32_t st;

	fix_open(&f, "ip", 64, NULL, 0);
	tap_ok(DO(&f, enl_kvp_host_get_ip(&f.h, "00-15-5d-01-02-03", 0)) ==
	       ENL_HV_S_OK && !strcmp(f.last.ip, "10.0.0.5;fe80::1;2001:db8::5") &&
	       !strcmp(f.last.sn, "255.255.255.0;/64;/64") &&
	       !strcmp(f.last.gw, "10.0.0.1") && !strcmp(f.last.dns, "10.0.0.53") &&
	       f.last.family == 3 && f.last.dhcp == 1,
	       "GET_IP_INFO by MAC: addresses, masks, gateway, DNS, DHCP (%s | %s)",
	       f.last.ip, f.last.sn);
	tap_ok(DO(&f, enl_kvp_host_get_ip(&f.h, MAC, ENL_KVP_ADDR_FAMILY_IPV6)) ==
	       ENL_HV_S_OK && !strcmp(f.last.ip, "fe80::1;2001:db8::5") &&
	       f.last.family == ENL_KVP_ADDR_FAMILY_IPV6 && f.last.dhcp == 0,
	       "GET_IP_INFO for IPv6 only");
	tap_ok(DO(&f, enl_kvp_host_get_ip(&f.h, "00:15:5D:99:99:99", 0)) ==
	       ENL_HV_E_FAIL && DO(&f, enl_kvp_host_get_ip(&f.h, "eth0;rm", 0)) ==
	       ENL_HV_E_FAIL, "GET_IP_INFO for an unknown adapter: E_FAIL");

	tap_ok(DO(&f, enl_kvp_host_set_ip(&f.h, GUID, false,
		  "10.1.2.3; 2001:db8::7", "255.255.255.0;64",
		  "10.1.2.1", "1.1.1.1;2606:4700::1111")) == ENL_HV_S_OK,
	       "SET_IP_INFO static by VMBus GUID: S_OK");
	path = g_build_filename(f.netdir, "10-enlighten-eth0.network", NULL);
	g_file_get_contents(path, &text, NULL, NULL);
	{
		struct stat sb;

		/* networkd reads it as the systemd-network user. */
		tap_ok(text && strstr(text, "MACAddress=" MAC "\n") &&
		       strstr(text, "DHCP=no\n") &&
		       strstr(text, "Address=10.1.2.3/24\n") &&
		       strstr(text, "Address=2001:db8::7/64\n") &&
		       strstr(text, "Gateway=10.1.2.1\n") &&
		       strstr(text, "DNS=2606:4700::1111\n") &&
		       stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0644,
		       "networkd backend: 10-enlighten-eth0.network written, "
		       "mode 0644");
	}
	g_free(text);
	g_free(path);
	tap_ok(DO(&f, enl_kvp_host_set_ip(&f.h, MAC, true, NULL, NULL, NULL,
					  NULL)) == ENL_HV_S_OK,
	       "SET_IP_INFO DHCP by MAC: S_OK");

	tap_ok(DO(&f, enl_kvp_host_set_ip(&f.h, GUID, false, "10.1.2.300",
		  "255.255.255.0", NULL, NULL)) == ENL_HV_INVALIDARG &&
	       DO(&f, enl_kvp_host_set_ip(&f.h, GUID, false, "10.1.2.3",
		  "255.0.255.0", NULL, NULL)) == ENL_HV_INVALIDARG &&
	       DO(&f, enl_kvp_host_set_ip(&f.h, GUID, false, "10.1.2.3", "",
		  NULL, NULL)) == ENL_HV_INVALIDARG &&
	       DO(&f, enl_kvp_host_set_ip(&f.h, GUID, false, "", "", NULL,
		  NULL)) == ENL_HV_INVALIDARG,
	       "SET_IP_INFO: bad address, non-contiguous mask, missing mask, "
	       "static without address: INVALIDARG");
	tap_ok(DO(&f, enl_kvp_host_set_ip(&f.h, GUID, false,
		  "10.1.2.3;$(touch /tmp/enl-pwned)", "255.255.255.0", NULL,
		  NULL)) == ENL_HV_INVALIDARG &&
	       DO(&f, enl_kvp_host_set_ip(&f.h, GUID, false, "10.1.2.3",
		  "255.255.255.0", "10.1.2.1\nDNS=6.6.6.6", NULL)) ==
	       ENL_HV_INVALIDARG,
	       "SET_IP_INFO: shell and file injection attempts: INVALIDARG");
	tap_ok(DO(&f, enl_kvp_host_set_ip(&f.h, "{00000000-0000-0000-0000-"
		  "000000000000}", true, NULL, NULL, NULL, NULL)) ==
	       ENL_HV_GUID_NOTFOUND, "SET_IP_INFO for no adapter: GUID_NOTFOUND");

	f.g.ip.backend = ENL_KVP_IP_NM;
	tap_ok(DO(&f, enl_kvp_host_set_ip(&f.h, GUID, false, "10.1.2.3",
		  "255.255.255.0", "10.1.2.1", "1.1.1.1")) == ENL_HV_S_OK,
	       "NetworkManager backend: S_OK");
	path = g_build_filename(f.nmdir, "enlighten-eth0.nmconnection", NULL);
	g_file_get_contents(path, &text, NULL, NULL);
	{
		struct stat sb;

		tap_ok(text && strstr(text, "mac-address=" MAC "\n") &&
		       strstr(text, "address1=10.1.2.3/24\n") &&
		       strstr(text, "gateway=10.1.2.1\n") &&
		       strstr(text, "dns=1.1.1.1;\n") &&
		       strstr(text, "method=manual\n") && stat(path, &sb) == 0 &&
		       (sb.st_mode & 0777) == 0600,
		       "NetworkManager keyfile written, mode 0600");
	}
	g_free(text);
	g_free(path);

	/* A hook gets one argv word per item; it records them. */
	{
		char *hook = g_build_filename(f.dir, "hook.sh", NULL);
		char *out = g_build_filename(f.dir, "hook.out", NULL);
		char *script = g_strdup_printf("#!/bin/sh\nfor a in \"$@\"; do "
			"echo \"[$a]\"; done > '%s'\n", out);

		g_file_set_contents(hook, script, -1, NULL);
		chmod(hook, 0700);
		f.g.ip.backend = ENL_KVP_IP_HOOK;
		f.g.ip.hook = hook;
		struct enl_kvp_apply_stats *as = &f.g.ip.stats;
		unsigned long was;
		gint64 t0;

		f.g.ip.timeout_ms = 5000;
		was = as->ok;
		st = DO(&f, enl_kvp_host_set_ip(&f.h, MAC, false,
			"10.1.2.3", "255.255.255.0", "10.1.2.1", "9.9.9.9"));
		tap_ok(st == ENL_HV_S_OK && wait_apply(&as->ok, was),
		       "hook backend: S_OK, then the hook ran to success");
		g_file_get_contents(out, &text, NULL, NULL);
		tap_ok(text && !strcmp(text, "[eth0]\n[" MAC "]\n[static]\n"
			       "[address=10.1.2.3/24]\n[gateway=10.1.2.1]\n"
			       "[dns=9.9.9.9]\n"),
		       "hook backend: exec'd with one argv word per item");
		g_free(text);
		g_file_set_contents(hook, "#!/bin/sh\nexit 3\n", -1, NULL);
		chmod(hook, 0700);
		was = as->failed;
		tap_ok(DO(&f, enl_kvp_host_set_ip(&f.h, MAC, true, NULL, NULL,
						  NULL, NULL)) == ENL_HV_S_OK &&
		       wait_apply(&as->failed, was),
		       "hook failing: answered S_OK, the failure counted");
		g_file_set_contents(hook, "#!/bin/sh\nexec sleep 10\n", -1,
				    NULL);
		chmod(hook, 0700);
		f.g.ip.timeout_ms = 300;
		was = as->timed_out;
		t0 = g_get_monotonic_time();
		st = DO(&f, enl_kvp_host_set_ip(&f.h, MAC, true, NULL, NULL,
						NULL, NULL));
		tap_ok(st == ENL_HV_S_OK &&
		       g_get_monotonic_time() - t0 < 250 * 1000,
		       "hook hanging: the host is answered before the hook "
		       "ends (%.0f ms)", (g_get_monotonic_time() - t0) / 1e3);
		tap_ok(wait_apply(&as->timed_out, was) && as->running == 0,
		       "hook hanging: killed at the timeout and counted");
		g_unlink(hook);
		was = as->failed;
		tap_ok(DO(&f, enl_kvp_host_set_ip(&f.h, MAC, true, NULL, NULL,
						  NULL, NULL)) == ENL_HV_E_FAIL &&
		       as->failed == was + 1,
		       "hook missing: E_FAIL at once");
		g_free(script);
		g_free(out);
		g_free(hook);
	}
	f.g.ip.backend = ENL_KVP_IP_OFF;
	tap_ok(DO(&f, enl_kvp_host_set_ip(&f.h, MAC, true, NULL, NULL, NULL,
					  NULL)) == ENL_HV_ERROR_NOT_SUPPORTED,
	       "no backend: NOT_SUPPORTED");
	/* Without a bus (test-kvp-ipdetect asks one). */
	f.g.ip.backend = ENL_KVP_IP_AUTO;
	f.g.ip.bus_address = "";
	f.g.ip.nm_run = f.nmdir;	/* "NetworkManager runs" */
	tap_ok(enl_kvp_ipapply_detect(&f.g.ip, "eth0") == ENL_KVP_IP_NM,
	       "no bus: auto backend picks NetworkManager when its run "
	       "directory exists");
	f.g.ip.nm_run = "/nonexistent";
	f.g.ip.networkd_run = f.netdir;
	tap_ok(enl_kvp_ipapply_detect(&f.g.ip, "eth0") == ENL_KVP_IP_NETWORKD,
	       "no bus: auto backend picks networkd when only its run "
	       "directory exists");

	/* Too many addresses for the wire: pairs stay aligned. */
	fake_net(NULL, &ni);
	for (int i = 0; i < 40; i++) {
		unsigned char b[16] = { 0x20, 0x01, 0x0d, 0xb8 };

		b[14] = (unsigned char)i;
		b[15] = 0x11;
		enl_kvp_iface_add(&ni.ifs[1], false, AF_INET6, b, 64, false);
	}
	memset(&v, 0, sizeof(v));
	enl_utf8_to_utf16le(MAC, v.adapter_id, sizeof(v.adapter_id));
	tap_ok(enl_kvp_ipinfo_get(&ni, &v) == ENL_HV_S_OK &&
	       ni.ifs[1].n_addr == ENL_KVP_NI_MAX_ADDRS,
	       "address lists bounded by what netinfo keeps and the wire holds");
	(void)cfg;
	(void)why;
	enl_kvp_netinfo_free(&ni);
	fix_close(&f);
}

static void test_import(void)
{
	uint8_t rec[3 * ENL_KVP_LEGACY_RECORD + 100] = { 0 };
	struct enl_kvp_store st;
	char *legacy = subdir("legacy"), *dir = subdir("imported"), *path;
	uint8_t *r;
	int ret;

	/* Two good records, one that is not UTF-8, then a partial one. */
	strcpy((char *)rec, "Legacy1");
	strcpy((char *)rec + 512, "one");
	r = rec + ENL_KVP_LEGACY_RECORD;
	strcpy((char *)r, "Legacy2");
	strcpy((char *)r + 512, "two");
	r += ENL_KVP_LEGACY_RECORD;
	strcpy((char *)r, "bad\xff");
	strcpy((char *)r + 512, "x");
	path = g_build_filename(legacy, ".kvp_pool_0", NULL);
	g_file_set_contents(path, (char *)rec, sizeof(rec), NULL);
	g_free(path);
	enl_kvp_store_open(&st, dir, 64, true);
	enl_kvp_store_set(&st, 0, "Legacy2", "ours");
	ret = enl_kvp_store_import_legacy(&st, legacy);
	tap_ok(ret == 1 && !strcmp(enl_kvp_pool_get(&st.pools[0], "Legacy1"),
				   "one") &&
	       !strcmp(enl_kvp_pool_get(&st.pools[0], "Legacy2"), "ours"),
	       "hyperv-daemons pool imported; existing keys win; bad and "
	       "partial records skipped (%d)", ret);
	enl_kvp_store_delete(&st, 0, "Legacy1");
	tap_ok(enl_kvp_store_import_legacy(&st, legacy) == 0 &&
	       !enl_kvp_pool_get(&st.pools[0], "Legacy1"),
	       "the import happens once");
	tap_ok(enl_kvp_store_import_legacy(&st, "/nonexistent/hyperv") == 0,
	       "no hyperv-daemons pools: nothing to do");
	enl_kvp_store_close(&st);

	/* A damaged pool file is refused, not emptied. */
	path = g_build_filename(dir, "pool_0", NULL);
	{
		char *data;
		gsize len;

		g_file_get_contents(path, &data, &len, NULL);
		data[len / 2] ^= 0x20;
		g_file_set_contents(path, data, (gssize)len, NULL);
		g_free(data);
	}
	tap_ok(enl_kvp_store_open(&st, dir, 64, false) == -EBADMSG,
	       "damaged pool file: the store refuses to open");
	enl_kvp_store_close(&st);
	g_free(path);
	g_free(legacy);
	g_free(dir);
}

/* ---- kill -9 ----------------------------------------------------------- */

struct crash_shm {
	volatile int stage;		/* last stage begun */
	volatile unsigned long entries;	/* stages begun, ever */
	volatile long committed;	/* last op known durable */
	volatile int slow;
};

static struct crash_shm *shm;
static const unsigned int crash_pools[] = { 0, 1, 3, 4 };

/* Op i (from 1): every 7th deletes, the rest set; keys cycle in 24. */
static int crash_op(struct enl_kvp_store *st, long i, struct enl_kvp_table *model)
{
	unsigned int pool = crash_pools[i % 4];
	char key[32], value[64];
	int ret;

	snprintf(key, sizeof(key), "key%ld", (i % 7 ? i : i / 7) % 24);
	snprintf(value, sizeof(value), "value of op %ld %s", i,
		 i % 5 ? "" : "with more text to vary the file size");
	if (model)
		ret = i % 7 ? enl_kvp_pool_set(&model[pool], key, value) :
			      enl_kvp_pool_delete(&model[pool], key);
	else
		ret = i % 7 ? enl_kvp_store_set(st, pool, key, value) :
			      enl_kvp_store_delete(st, pool, key);
	return ret == -ENOENT ? 0 : ret;
}

static void crash_stage(void *ctx, enum enl_kvp_stage s)
{
	(void)ctx;
	shm->stage = s;
	shm->entries++;
	if (shm->slow) {
		/* Widen each stage a little so kills land in all of them. */
		struct timespec ts = { 0, (rand() % 200) * 1000 };

		nanosleep(&ts, NULL);
	}
}

static void crash_child(const char *dir)
{
	struct enl_kvp_store st;

	srand((unsigned int)getpid());
	if (enl_kvp_store_open(&st, dir, 64, true) < 0)
		_exit(2);
	st.writer.stage = crash_stage;
	for (long i = shm->committed + 1;; i++) {
		if (crash_op(&st, i, NULL) < 0)
			_exit(3);
		shm->committed = i;
	}
}

static bool same_table(const struct enl_kvp_table *a,
		       const struct enl_kvp_table *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->rec[i].key, b->rec[i].key) ||
		    strcmp(a->rec[i].value, b->rec[i].value))
			return false;
	return true;
}

/* Disk must hold every committed op, plus at most the one in flight. */
static bool crash_check(const char *dir, long committed)
{
	struct enl_kvp_table before[ENL_KVP_POOL_COUNT], after[ENL_KVP_POOL_COUNT];
	struct enl_kvp_store st;
	bool ok;

	for (int p = 0; p < ENL_KVP_POOL_COUNT; p++) {
		enl_kvp_pool_init(&before[p], 64);
		enl_kvp_pool_init(&after[p], 64);
	}
	for (long i = 1; i <= committed; i++) {
		crash_op(NULL, i, before);
		crash_op(NULL, i, after);
	}
	crash_op(NULL, committed + 1, after);
	ok = enl_kvp_store_open(&st, dir, 64, false) == 0;
	for (int p = 0; ok && p < ENL_KVP_POOL_COUNT; p++)
		if (p != ENL_KVP_POOL_AUTO)
			ok = same_table(&st.pools[p], &before[p]) ||
			     same_table(&st.pools[p], &after[p]);
	enl_kvp_store_close(&st);
	for (int p = 0; p < ENL_KVP_POOL_COUNT; p++) {
		enl_kvp_pool_clear(&before[p]);
		enl_kvp_pool_clear(&after[p]);
	}
	return ok;
}

static void test_crash(void)
{
	unsigned long hits[ENL_KVP_STAGE_COUNT] = { 0 };
	char *dir = subdir("crash");
	int rounds = 0, bad = 0, max_rounds = 4000;
	bool all = false;

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memset((void *)shm, 0, sizeof(*shm));
	srand((unsigned int)time(NULL));
	while (rounds < max_rounds && (!all || rounds < 100)) {
		int target = rand() % (ENL_KVP_STAGE_COUNT + 1), status;
		unsigned long start;
		pid_t pid;

		shm->slow = rand() % 2;
		start = shm->entries;
		pid = fork();
		if (pid == 0)
			crash_child(dir);
		if (target == ENL_KVP_STAGE_COUNT) {
			/* Pure chance: any instant of the loop. */
			usleep((useconds_t)(rand() % 3000));
		} else {
			/* Aim: kill as soon as the target stage begins. */
			for (long spin = 0; spin < 200000000L; spin++)
				if (shm->entries > start + 4 &&
				    shm->stage == target)
					break;
		}
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		rounds++;
		if (!WIFSIGNALED(status)) {
			bad++;
			continue;
		}
		hits[shm->stage]++;
		if (!crash_check(dir, shm->committed))
			bad++;
		all = true;
		for (int s = 0; s < ENL_KVP_STAGE_DIR_FSYNC + 1; s++)
			all &= hits[s] > 0;
	}
	tap_diag("kill -9: %d rounds, %ld ops committed; kills during temp "
		 "write %lu, fsync %lu, rename %lu, dir fsync %lu, after "
		 "commit %lu", rounds, shm->committed,
		 hits[ENL_KVP_STAGE_TEMP_WRITE], hits[ENL_KVP_STAGE_FSYNC],
		 hits[ENL_KVP_STAGE_RENAME], hits[ENL_KVP_STAGE_DIR_FSYNC],
		 hits[ENL_KVP_STAGE_DONE]);
	tap_ok(all, "kill -9 landed in every write stage");
	tap_ok(bad == 0 && shm->committed > 0,
	       "after every kill each pool parses and holds every committed "
	       "pair (%d bad of %d)", bad, rounds);
	munmap((void *)shm, sizeof(*shm));
	g_free(dir);
}

static void rm_rf(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *n;

	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(path, n, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			rm_rf(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(path);
}

/* ---- a guest whose pool never ends ------------------------------------ */

struct rogue {
	bool endless;		/* a new key per index, else one key always */
	unsigned int sets;
};

static uint32_t rogue_handle(void *ctx, struct enl_ic_msg *m, uint32_t srv,
			     size_t buf_size, size_t *resp_len)
{
	struct rogue *r = ctx;
	struct enl_kvp_msg *msg = (struct enl_kvp_msg *)m->body;
	struct enl_kvp_exchg_msg_value *d = &msg->body.kvp_enum_data.data;
	char key[32];

	(void)srv;
	(void)buf_size;
	(void)resp_len;
	if (m->body_len < sizeof(*msg))
		return ENL_HV_S_OK;
	if (msg->kvp_hdr.operation == ENL_KVP_OP_SET) {
		r->sets++;
		return ENL_HV_S_OK;
	}
	if (msg->kvp_hdr.operation != ENL_KVP_OP_ENUMERATE)
		return ENL_HV_S_CONT;
	snprintf(key, sizeof(key), r->endless ? "Endless%u" : "Same",
		 msg->body.kvp_enum_data.index);
	set_key16(d, key);
	d->value_type = ENL_KVP_REG_SZ;
	d->value_size = (uint32_t)enl_utf8_to_utf16le("0123456789", d->value,
						      sizeof(d->value));
	return ENL_HV_S_OK;
}

static const uint32_t rogue_versions[] = { ENL_IC_KVP_VERSION_4_0 };

static const struct enl_ic_service_ops rogue_ops = {
	.name = "kvp",
	.msgtype = ENL_ICMSGTYPE_KVPEXCHANGE,
	.versions = ENL_IC_VERSIONS(enl_ic_fw_versions, rogue_versions),
	.handle = rogue_handle,
};

/* Enumeration answers seen, and how many when the host's SET came back. */
struct walk_watch {
	struct enl_kvp_host *h;
	unsigned int enums, at_set;
};

static void on_walk(void *ctx, const struct enl_kvp_host_result *r)
{
	struct walk_watch *w = ctx;

	if (r->op == ENL_KVP_OP_SET && !w->at_set)
		w->at_set = w->enums;
	if (r->op == ENL_KVP_OP_ENUMERATE && ++w->enums == 10)
		enl_kvp_host_set(w->h, 0, "Probe", "1");
}

static void test_rogue_walks(void)
{
	struct enl_kvp_host h;
	struct walk_watch w = { &h, 0, 0 };
	struct rogue r = { false, 0 };
	struct pair p;

	enl_kvp_host_init(&h);
	pair_open(&p, &rogue_ops, &r, &h.ic);
	pair_host_open(&p);
	pair_pump(&p);
	tap_ok(h.walks_bad == 2 && !h.walk[1] && !h.walk[2] &&
	       strstr(h.last_failure, "repeated a key"),
	       "a guest repeating one key: both walks thrown away, counted");
	tap_ok(DO_RAW(&p, enl_kvp_host_set(&h, 0, "K", "V")) && r.sets == 1,
	       "and the host's requests still go through");
	pair_close(&p);
	enl_kvp_host_free(&h);

	enl_kvp_host_init(&h);
	enl_kvp_host_set_limits(&h, 100, 1 << 20);
	h.done = on_walk;
	h.done_ctx = &w;
	r = (struct rogue){ true, 0 };
	pair_open(&p, &rogue_ops, &r, &h.ic);
	pair_host_open(&p);
	pair_pump(&p);
	tap_ok(h.walks_truncated == 2 && h.mirror[1].truncated &&
	       h.mirror[1].pairs->len == 100 && h.mirror[2].pairs->len == 100,
	       "a pool that never ends: each walk stops at the 100-pair cap");
	tap_ok(r.sets == 1 && w.at_set && w.at_set < 20,
	       "a SET queued during the walks is served between continuations "
	       "(after %u of %u answers)", w.at_set, w.enums);
	enl_kvp_host_set_limits(&h, 100000, 5000);
	enl_kvp_host_enumerate(&h, 1);
	pair_pump(&p);
	tap_ok(h.mirror[1].truncated && h.mirror[1].bytes <= 5000 &&
	       h.mirror[1].pairs->len < 400,
	       "the byte cap bounds a walk too (%u pairs, %zu bytes)",
	       h.mirror[1].pairs->len, h.mirror[1].bytes);
	pair_close(&p);
	enl_kvp_host_free(&h);
}

/* The guest pool: loading 65,536 records is linear (hashed keys). */
static void test_pool_scale(void)
{
	struct enl_kvp_table t;
	char k[32];
	gint64 t0 = g_get_monotonic_time();
	bool ok = true;

	enl_kvp_pool_init(&t, ENL_KVP_POOL_MAX_LIMIT);
	for (unsigned int i = 0; i < ENL_KVP_POOL_MAX_LIMIT; i++) {
		snprintf(k, sizeof(k), "Key%u", i);
		ok &= enl_kvp_pool_set(&t, k, "v") == 0;
	}
	ok &= enl_kvp_pool_set(&t, "OneMore", "v") == -ENOSPC;
	snprintf(k, sizeof(k), "Key%u", 777);
	ok &= enl_kvp_pool_delete(&t, k) == 0 &&
	      !strcmp(enl_kvp_pool_at(&t, 777)->key, "Key778") &&
	      !strcmp(enl_kvp_pool_get(&t, "Key65535"), "v") &&
	      !enl_kvp_pool_get(&t, k);
	tap_ok(ok && g_get_monotonic_time() - t0 < 5 * G_USEC_PER_SEC,
	       "65,536 records set, found, one deleted in %.2f s (linear)",
	       (g_get_monotonic_time() - t0) / 1e6);
	enl_kvp_pool_clear(&t);
}

int main(void)
{
	static const uint32_t v3[] = { ENL_IC_KVP_VERSION_3_0 };
	static const uint32_t v1[] = { ENL_IC_KVP_VERSION_1_0 };

	enl_log_init("test-ic-kvp", false);
	enl_log_set_level(LOG_ERR);
	tmp_root = g_dir_make_tmp("enl-kvp-XXXXXX", NULL);
	test_auto_pool();
	test_ops(NULL, "4.0");
	test_ops(v3, "3.0");
	test_ops(v1, "1.0");
	test_limits();
	test_bad_utf16();
	test_malformed();
	test_bad_answers();
	test_held_sends();
	test_mismatch();
	test_ip();
	test_import();
	test_crash();
	test_rogue_walks();
	test_pool_scale();
	rm_rf(tmp_root);
	g_free(tmp_root);
	return tap_done();
}
