// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over the guest daemons' IC logic fed host packets:
 * enl-heartbeatd (heartbeat, shutdown), enl-timesyncd, enl-kvpd and
 * enl-vssd, each on libenl's enl_ic_service over a socketpair, exactly as
 * the unit tests run them. Every effect on the machine is a fake: the power
 * executor only counts, the clock is a number, the KVP store lives in a
 * temp dir with injected facts and network state and no IP backend, the
 * freezer and the hooks only record. Nothing reaches syslog either (a
 * trap below says so loudly).
 *
 * Input: [service][flags] then records (fuzz.h):
 *	op & 3 == 0	raw packet from the host: the bytes (0x10: an
 *			oversize one of off bytes)
 *	op & 3 == 1	a well-formed request of the service, built from a,
 *			the bytes laid over its body at off (0x10 truncates
 *			the body there; 0x40 heads it with another version)
 *	op & 3 == 2	NEGOTIATE: a lists counts, the bytes the versions
 *			(0x10: the bytes are the whole negotiate body)
 *	op & 3 == 3	the environment: health, policy, failing fakes,
 *			another process writing the KVP store, auto-thaw
 * flags: & 0x80 leaves negotiation to the records; the rest picks the
 * service version offered.
 */
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <enlighten/ic_heartbeat.h>
#include <enlighten/ic_kvp.h>
#include <enlighten/ic_shutdown.h>
#include <enlighten/ic_timesync.h>
#include <enlighten/ic_vss.h>

#include "fixture.h"
#include "fuzz.h"
#include "heartbeat.h"
#include "holdlog.h"
#include "kvp.h"
#include "log.h"
#include "shutdown.h"
#include "timesync.h"
#include "utf16.h"
#include "vss.h"

enum { SVC_HB, SVC_SD, SVC_TS, SVC_KVP, SVC_VSS, SVC_N };

#define CLOCK_BASE	INT64_C(1700000000000000000)	/* ns, 2023 */
#define MAC		"00:15:5D:01:02:03"

static struct {
	/* Per process: the temp tree. */
	char *kvp_dir, *osrel, *sysfs, *mountinfo, *hooks_dir;
	struct enl_vss_conf vss_conf;

	/* Per input. */
	int svc;
	const struct enl_ic_service_ops *ops;
	struct enl_ic_service *s;
	int peer;
	struct enl_hb_guest hb;
	struct enl_sd_guest sd;
	struct enl_ts_guest ts;
	struct enl_kvp_store store;
	struct enl_kvp_guest kvp;
	struct enl_vss vss;
	struct fake_fs fs;
	struct enl_freeze_ops fs_ops;
	const char *hook_fail;
	bool power_fail, clock_fail, ntp, net_fail, thaw_failed;
	int64_t skew;
	/* Time sync: the reference counter and the discipline's kernel. */
	uint64_t ref;
	bool ref_fail;
	int64_t mono, freq, left;
	unsigned long power_calls, answers;
} G;

/* ---- Nothing may reach the system log ---------------------------------- */

void syslog(int pri, const char *fmt, ...)
{
	(void)pri;
	fprintf(stderr, "fuzz: syslog(\"%s\") from the code under test\n", fmt);
	abort();
}

static bool swallow(int prio, const char *line)
{
	(void)prio;
	(void)line;
	return true;	/* formatted, then dropped */
}

static void quiet_sink(int prio, const char *line)
{
	(void)prio;
	(void)line;
}

/* enl-vssd's hold log takes the log hook while frozen and drops it at thaw. */
static void quiet_again(void)
{
	if (!enl_holdlog_holding())
		enl_log_set_hold(swallow);
}

/* ---- Fakes -------------------------------------------------------------- */

static int fake_power(void *ctx, enum enl_power_action a, bool force)
{
	(void)ctx;
	(void)force;
	G.power_calls++;
	FUZZ_ASSERT(a == ENL_POWER_OFF || a == ENL_POWER_REBOOT ||
		    a == ENL_POWER_HIBERNATE);
	FUZZ_ASSERT(a != ENL_POWER_HIBERNATE || G.sd.allow_hibernate);
	return G.power_fail ? -EIO : 0;
}

/* The guest clock: CLOCK_BASE plus a skew that step and slew move. */
static int64_t ck_now(void *ctx)
{
	(void)ctx;
	return (int64_t)((uint64_t)CLOCK_BASE + (uint64_t)G.skew);
}

static int ck_move(void *ctx, int64_t d)
{
	(void)ctx;
	G.skew = (int64_t)((uint64_t)G.skew + (uint64_t)d);
	return G.clock_fail ? -EPERM : 0;
}

static bool ck_ntp(void *ctx)
{
	(void)ctx;
	return G.ntp;
}

/* The counter the host stamps with, read back; the fuzzer sets it. */
static int ck_ref_time(void *ctx, struct enl_ts_ref *r)
{
	(void)ctx;
	if (G.ref_fail)
		return -ENOTTY;
	r->ref = G.ref;
	r->at_ns = ck_now(NULL);
	r->err_ns = 1000;
	return 0;
}

/* Every sample 5 s after the last: each one measures a rate. */
static int64_t ck_mono(void *ctx)
{
	(void)ctx;
	G.mono += 5000000000;
	return G.mono;
}

static int ck_get_freq(void *ctx, int64_t *ppb)
{
	(void)ctx;
	*ppb = G.freq;
	return G.clock_fail ? -EPERM : 0;
}

static int ck_set_freq(void *ctx, int64_t ppb)
{
	(void)ctx;
	/* Whatever the host sends, the correction stays bounded. */
	FUZZ_ASSERT(ppb >= -ENL_TS_DISC_MAX_PPB && ppb <= ENL_TS_DISC_MAX_PPB);
	G.freq = ppb;
	return G.clock_fail ? -EPERM : 0;
}

static int ck_slew_left(void *ctx, int64_t *ns)
{
	(void)ctx;
	*ns = G.left;
	return G.clock_fail ? -EPERM : 0;
}

static void ck_ref(void *ctx, int64_t at, int64_t off)
{
	(void)ctx;
	(void)at;
	(void)off;
}

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

static void add(struct enl_kvp_iface *ifc, bool gw, int family,
		const char *text, unsigned int prefix)
{
	unsigned char b[16];

	inet_pton(family, text, b);
	enl_kvp_iface_add(ifc, gw, family, b, prefix, !gw);
}

static int fake_net(void *ctx, struct enl_kvp_netinfo *ni)
{
	struct enl_kvp_iface *lo, *eth;
	unsigned char b[16];

	(void)ctx;
	memset(ni, 0, sizeof(*ni));
	if (G.net_fail)
		return -EIO;
	lo = enl_kvp_netinfo_add(ni, "lo", 1);
	lo->loopback = true;
	add(lo, false, AF_INET, "127.0.0.1", 8);
	eth = enl_kvp_netinfo_add(ni, "eth0", 2);
	strcpy(eth->mac, MAC);
	strcpy(eth->device_id, "{f5bee29c-1741-4aad-a4c2-8fdedb46dcc2}");
	add(eth, false, AF_INET, "10.0.0.5", 24);
	add(eth, false, AF_INET6, "2001:db8::5", 64);
	add(eth, true, AF_INET, "10.0.0.1", 0);
	inet_pton(AF_INET, "10.0.0.53", b);
	enl_kvp_netinfo_add_dns(ni, AF_INET, b);
	return 0;
}

static int fake_hook(void *ctx, const char *path, const char *arg,
		     unsigned int timeout_ms)
{
	(void)ctx;
	(void)timeout_ms;
	return G.hook_fail && strstr(path, G.hook_fail) &&
	       !strcmp(arg, "freeze") ? -ECHILD : 0;
}

static void fake_timer(void *ctx, unsigned int ms)
{
	(void)ctx;
	(void)ms;
}

/* ---- The temp tree -------------------------------------------------------- */

static char *put(const char *dir, const char *name, const char *text,
		 mode_t mode)
{
	char *path = g_build_filename(dir, name, NULL);
	char *parent = g_path_get_dirname(path);

	g_mkdir_with_parents(parent, 0700);
	g_free(parent);
	FUZZ_ASSERT(g_file_set_contents(path, text, -1, NULL));
	chmod(path, mode);
	return path;
}

static void setup_once(void)
{
	const char *tmp = fuzz_tmpdir("fuzz-ic-guest");

	G.kvp_dir = g_build_filename(tmp, "kvp", NULL);
	G.osrel = put(tmp, "os-release", "NAME=\"Debian GNU/Linux\"\n"
		      "VERSION_ID=\"12\"\nID=debian\n", 0600);
	G.mountinfo = put(tmp, "mountinfo", fixture_mountinfo, 0600);
	G.sysfs = g_build_filename(tmp, "sys", NULL);
	g_free(put(G.sysfs, "dev/block/7:0/loop/backing_file", "/home/img\n",
		   0600));
	/* Hooks that look runnable; the fake runner never runs them. */
	G.hooks_dir = g_build_filename(tmp, "vss.d", NULL);
	g_free(put(G.hooks_dir, "10-db", "#!/bin/false\n", 0700));
	g_free(put(G.hooks_dir, "20-app", "#!/bin/false\n", 0700));
	G.vss_conf = (struct enl_vss_conf){
		.mountinfo = G.mountinfo, .sysfs = G.sysfs,
		.hooks_dir = G.hooks_dir,
		.pre_freeze_script = "/nonexistent/enl-fuzz/pre-freeze",
		.post_thaw_script = "/nonexistent/enl-fuzz/post-thaw",
		.hook_timeout_ms = 1000, .auto_thaw_ms = 10000,
	};
	enl_log_set_level(LOG_DEBUG);
	enl_log_set_hold(swallow);
	enl_holdlog_set_sink(quiet_sink);
}

/*
 * Empty the KVP store's directory: each input starts from no pools. The
 * directory itself stays, as /var/lib/enlighten/kvp does between starts of
 * enl-kvpd (the store's open finds it instead of making it), and is listed
 * through one handle kept for the process: removing a tree per input
 * (open, list, stat each, unlink, rmdir, mkdir) cost more than most inputs.
 */
static void kvp_dir_reset(void)
{
	static DIR *d;
	struct dirent *e;

	if (!d) {
		FUZZ_ASSERT(g_mkdir_with_parents(G.kvp_dir, 0700) == 0);
		d = opendir(G.kvp_dir);
		FUZZ_ASSERT(d);
	}
	rewinddir(d);
	while ((e = readdir(d))) {
		char *path;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !unlinkat(dirfd(d), e->d_name, 0))
			continue;
		/* Not a file: whatever it holds goes too. */
		path = g_build_filename(G.kvp_dir, e->d_name, NULL);
		fuzz_rm_rf(path);
		g_free(path);
	}
}

/* ---- Per-input service ------------------------------------------------- */

static void *service_new(void)
{
	static const struct enl_vss_env vss_env = {
		.fs = &G.fs_ops, .run_hook = fake_hook,
		.set_timer = fake_timer,
	};

	switch (G.svc) {
	case SVC_HB:
		G.hb = (struct enl_hb_guest){ .healthy = true };
		G.ops = &enl_hb_guest_ops;
		return &G.hb;
	case SVC_SD:
		G.sd = (struct enl_sd_guest){
			.power = { .execute = fake_power },
		};
		G.ops = &enl_sd_guest_ops;
		return &G.sd;
	case SVC_TS:
		enl_ts_guest_init(&G.ts);
		G.ts.clock = (struct enl_clock_ops){
			.now = ck_now, .step = ck_move, .slew = ck_move,
			.ntp_active = ck_ntp, .refclock = ck_ref,
			.ref_time = ck_ref_time, .mono = ck_mono,
			.get_freq = ck_get_freq, .set_freq = ck_set_freq,
			.slew_left = ck_slew_left,
		};
		G.freq = G.left = G.mono = 0;
		G.ref = 0;
		G.ref_fail = false;
		G.ops = &enl_ts_guest_ops;
		return &G.ts;
	case SVC_KVP:
		kvp_dir_reset();
		FUZZ_ASSERT(enl_kvp_store_open(&G.store, G.kvp_dir, 16, true) == 0);
		enl_kvp_guest_init(&G.kvp, &G.store);
		G.kvp.facts = (struct enl_kvp_facts_src){
			.os_release = G.osrel, .uname = fake_uname,
			.fqdn = fake_fqdn, .net = { fake_net, NULL },
			.is_version = "0.1.0",
		};
		G.kvp.net = G.kvp.facts.net;
		/* No backend: SET_IP_INFO is parsed, never applied. */
		FUZZ_ASSERT(G.kvp.ip.backend == ENL_KVP_IP_OFF);
		G.kvp.ip.hook = NULL;
		G.kvp.ip.nm_run = G.kvp.ip.networkd_run = NULL;
		G.kvp.ip.bus_address = "";
		G.kvp.ip.nm_dir = G.kvp.ip.networkd_dir = G.kvp_dir;
		G.kvp.ip.reload = false;
		G.ops = &enl_kvp_guest_ops;
		return &G.kvp;
	default:
		fake_fs_init(&G.fs, &G.fs_ops);
		enl_vss_init(&G.vss, &G.vss_conf, &vss_env);
		G.ops = &enl_vss_guest_ops;
		return &G.vss;
	}
}

static void service_free(void)
{
	switch (G.svc) {
	case SVC_KVP:
		enl_kvp_guest_free(&G.kvp);
		enl_kvp_store_close(&G.store);
		break;
	case SVC_VSS:
		/* Never left frozen: the auto-thaw covers a silent host. */
		if (G.vss.state == ENL_VSS_FROZEN)
			enl_vss_auto_thaw(&G.vss);
		FUZZ_ASSERT(G.vss.state == ENL_VSS_THAWED);
		FUZZ_ASSERT(!enl_holdlog_holding());
		/* A thaw the fake failed leaves that one frozen, nothing else. */
		if (G.fs.frozen && !G.thaw_failed)
			fprintf(stderr, "freezer log: %s\n", G.fs.log->str);
		FUZZ_ASSERT(G.fs.frozen == 0 || G.thaw_failed);
		enl_vss_free(&G.vss);
		g_string_free(G.fs.log, TRUE);
		break;
	}
	enl_log_set_hold(swallow);
}

/* ---- Delivery ------------------------------------------------------------ */

/* Every answer the guest sends parses and says it is an answer. */
static bool answer(void)
{
	static uint8_t buf[ENL_CHANNEL_MAX_PACKET + 1];
	struct enl_ic_msg m;
	const char *why;
	ssize_t n;

	n = read(G.peer, buf, sizeof(buf));
	if (n <= 0)
		return false;
	G.answers++;
	FUZZ_ASSERT(n <= ENL_CHANNEL_MAX_PACKET);
	FUZZ_ASSERT(enl_ic_parse(buf, (size_t)n, &m, &why) == 0);
	FUZZ_ASSERT(m.hdr->icflags & ENL_ICMSGHDRFLAG_RESPONSE);
	return true;
}

/* Whatever the guest sent and answer() has not read yet. */
static void drain(void)
{
	while (answer())
		;
}

static void deliver(const void *pkt, size_t len)
{
	/* A zero-length datagram reads as end of stream: not a packet. */
	if (!len || write(G.peer, pkt, len) != (ssize_t)len)
		return;
	enl_ic_service_poll(G.s);
	/*
	 * One packet in, at most one answer out: one read, not a second
	 * that only finds the socket empty. Anything more is read by the
	 * next one or by the drain at the end of the input.
	 */
	answer();
	quiet_again();
}

static uint32_t version(unsigned int pick)
{
	return G.ops->versions.srv[pick % G.ops->versions.n_srv];
}

static void negotiate_as_host(uint8_t flags)
{
	uint8_t buf[1024];
	uint32_t srv = version(flags);
	struct enl_ic_versions v = {
		enl_ic_fw_versions, G_N_ELEMENTS(enl_ic_fw_versions), &srv, 1,
	};
	int n;

	if (flags & 0x40)
		v.srv = G.ops->versions.srv, v.n_srv = G.ops->versions.n_srv;
	n = enl_ic_build_negotiate(buf, sizeof(buf), &v, 1);
	FUZZ_ASSERT(n > 0);
	deliver(buf, (size_t)n);
}

/* ---- Records ------------------------------------------------------------- */

static void raw(const struct rec *r)
{
	/* Long enough to be oversize past 16 KiB. */
	static uint8_t big[ENL_CHANNEL_MAX_PACKET + 4096];

	fuzz_raw(r, big, sizeof(big), deliver);
}

static size_t put16(void *field, size_t size, const char *text)
{
	ssize_t n = enl_utf8_to_utf16le(text, field, size);

	FUZZ_ASSERT(n > 0);
	return (size_t)n;
}

/* FILETIME of the guest clock, a seconds apart. */
static uint64_t filetime(int8_t a)
{
	return (uint64_t)(ck_now(NULL) / 100) + ENL_IC_TIMESYNC_EPOCH_DELTA +
	       (uint64_t)((int64_t)a * 10000000);
}

static size_t kvp_template(uint8_t a, uint8_t *body)
{
	static const char *const keys[] = { "k0", "colour", "Ünïcode", "" };
	uint8_t op = a % ENL_KVP_OP_COUNT;
	const char *key = keys[(a / 30) % 4];
	struct enl_kvp_msg *m = (void *)body;
	struct enl_kvp_ip_msg *ip = (void *)body;
	struct enl_kvp_ipaddr_value *v = &ip->kvp_ip_val;

	if (op >= ENL_KVP_OP_GET_IP_INFO) {
		memset(ip, 0, sizeof(*ip));
		ip->operation = op;
		put16(v->adapter_id, sizeof(v->adapter_id),
		      a & 0x40 ? "{f5bee29c-1741-4aad-a4c2-8fdedb46dcc2}" : MAC);
		v->addr_family = ENL_KVP_ADDR_FAMILY_IPV4 |
				 ENL_KVP_ADDR_FAMILY_IPV6;
		v->dhcp_enabled = a & 0x80 ? 1 : 0;
		if (op == ENL_KVP_OP_SET_IP_INFO) {
			put16(v->ip_addr, sizeof(v->ip_addr),
			      "10.0.0.9;2001:db8::9");
			put16(v->sub_net, sizeof(v->sub_net),
			      "255.255.255.0;64");
			put16(v->gate_way, sizeof(v->gate_way), "10.0.0.1");
			put16(v->dns_addr, sizeof(v->dns_addr), "10.0.0.53");
		}
		return sizeof(*ip);
	}
	memset(m, 0, sizeof(*m));
	m->kvp_hdr.operation = op;
	m->kvp_hdr.pool = (uint8_t)((a / 6) % ENL_KVP_POOL_COUNT);
	switch (op) {
	case ENL_KVP_OP_DELETE:
		m->body.kvp_delete.key_size = (uint32_t)put16(
			m->body.kvp_delete.key, ENL_KVP_MAX_KEY_SIZE, key);
		break;
	case ENL_KVP_OP_ENUMERATE:
		m->body.kvp_enum_data.index = (a / 30) % 4;
		break;
	default:
		m->body.kvp_set.data.key_size = (uint32_t)put16(
			m->body.kvp_set.data.key, ENL_KVP_MAX_KEY_SIZE, key);
		if (op == ENL_KVP_OP_GET)
			break;
		m->body.kvp_set.data.value_type = ENL_KVP_REG_SZ;
		m->body.kvp_set.data.value_size = (uint32_t)put16(
			m->body.kvp_set.data.value, ENL_KVP_MAX_VALUE_SIZE,
			"value");
	}
	return sizeof(*m);
}

/* The body a well-behaved host would send for a. */
static size_t template(uint8_t a, uint8_t *body)
{
	switch (G.svc) {
	case SVC_HB: {
		struct enl_ic_heartbeat_msg m = { .seq_num = a };

		memcpy(body, &m, sizeof(m));
		return sizeof(m);
	}
	case SVC_SD: {
		struct enl_ic_shutdown_msg m = {
			.timeout_seconds = 30, .flags = a & 7,
		};

		put16(m.display_message, sizeof(m.display_message),
		      "maintenance \xe2\x9c\x93");
		memcpy(body, &m, sizeof(m));
		return sizeof(m);
	}
	case SVC_TS:
		if ((G.s->srv ? G.s->srv : version(0)) >=
		    ENL_IC_TIMESYNC_VERSION_4_0) {
			struct enl_ic_timesync_ref_data d = {
				.parenttime = filetime((int8_t)a),
				.flags = (a >> 6) & 3,
			};

			memcpy(body, &d, sizeof(d));
			return sizeof(d);
		} else {
			struct enl_ic_timesync_data d = {
				.parenttime = filetime((int8_t)a),
				.roundtriptime = (uint64_t)(a & 0x3f) * 10000,
				.flags = (a >> 6) & 3,
			};

			memcpy(body, &d, sizeof(d));
			return sizeof(d);
		}
	case SVC_KVP:
		return kvp_template(a, body);
	default: {
		struct enl_vss_msg m = { .vss_hdr.operation = a % 9 };

		memcpy(body, &m, sizeof(m));
		return sizeof(m);
	}
	}
}

static void request(const struct rec *r)
{
	static uint8_t pkt[ENL_CHANNEL_MAX_PACKET + 1];
	static uint8_t body[ENL_CHANNEL_MAX_PACKET];
	size_t len = template(r->a, body), off, end;
	uint32_t srv = G.s->srv ? G.s->srv : version(0);
	int n;

	off = r->off % (len + 1);
	end = off + r->len;
	memcpy(body + off, r->p, r->len);
	if ((r->op & 0x10) || end > len)
		len = end;
	if (r->op & 0x40)
		srv = version(r->a >> 4);
	n = enl_ic_build(pkt, sizeof(pkt), G.ops->msgtype,
			 G.s->fw ? G.s->fw : ENL_IC_FW_VERSION_3_0, srv, r->a,
			 body, len);
	FUZZ_ASSERT(n > 0);
	deliver(pkt, (size_t)n);
}

static void negotiate(const struct rec *r)
{
	uint8_t pkt[2048];
	uint32_t fw[3], srv[7];
	struct enl_ic_versions v = { fw, r->a & 3, srv, (r->a >> 2) & 7 };
	size_t k = 0;
	int n;

	if (r->op & 0x10) {
		n = enl_ic_build(pkt, sizeof(pkt), ENL_ICMSGTYPE_NEGOTIATE, 0,
				 0, r->a, r->p, r->len);
		deliver(pkt, (size_t)n);
		return;
	}
	/* Versions from the bytes (major, minor as two u16), else ours. */
	for (size_t i = 0; i < v.n_fw + v.n_srv; i++, k += 4) {
		uint32_t w = k + 4 <= r->len ?
			     ENL_IC_VERSION(r->p[k] | r->p[k + 1] << 8,
					    r->p[k + 2] | r->p[k + 3] << 8) :
			     i < v.n_fw ? enl_ic_fw_versions[i % 2] :
			     version((unsigned int)i);

		if (i < v.n_fw)
			fw[i] = w;
		else
			srv[i - v.n_fw] = w;
	}
	n = enl_ic_build_negotiate(pkt, sizeof(pkt), &v, r->a);
	FUZZ_ASSERT(n > 0);
	deliver(pkt, (size_t)n);
}

static void environment(const struct rec *r)
{
	struct enl_kvp_store other;

	switch (G.svc) {
	case SVC_HB:
		G.hb.healthy = r->a & 1;
		break;
	case SVC_SD:
		G.sd.allow_hibernate = r->a & 1;
		G.power_fail = r->a & 2;
		break;
	case SVC_TS:
		G.ts.policy = (enum enl_ts_policy)(r->a % 3);
		G.ntp = r->a & 4;
		G.clock_fail = r->a & 8;
		G.ts.step_threshold_ns = (int64_t)r->off * 1000000;
		/* The counter anywhere near what a host may have stamped. */
		G.ref = (uint64_t)r->off * 997;
		G.ref_fail = r->a & 16;
		G.left = (int64_t)(int16_t)r->off * 1000;
		break;
	case SVC_KVP:
		G.net_fail = r->a & 1;
		if (!(r->a & 2))
			break;
		/* enl-kvp (the CLI) changes a pool under the daemon. */
		if (enl_kvp_store_open(&other, G.kvp_dir, 16, false) == 0) {
			char *v = g_strndup((const char *)r->p, r->len);

			if (r->a & 4)
				enl_kvp_store_delete(&other, r->off % 5, "k0");
			else
				enl_kvp_store_set(&other, r->off % 5, "k0", v);
			g_free(v);
		}
		enl_kvp_store_close(&other);
		break;
	case SVC_VSS:
		switch (r->a & 3) {
		case 0:
			enl_vss_auto_thaw(&G.vss);
			break;
		case 1:
			G.fs.fail_freeze = fixture_order[r->off %
						G_N_ELEMENTS(fixture_order)];
			G.fs.fail_errno = r->a >> 2 ? r->a >> 2 : EBUSY;
			break;
		case 2:
			G.hook_fail = r->off & 1 ? "20-app" : "pre-freeze";
			break;
		default:
			G.fs.fail_freeze = NULL;
			G.hook_fail = NULL;
			G.fs.fail_thaw = r->off & 1 ? "/home" : NULL;
			G.thaw_failed |= G.fs.fail_thaw != NULL;
			break;
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec r;
	uint8_t flags;
	int sv[2];
	void *ctx;

	if (size < 2)
		return 0;
	if (!G.kvp_dir)
		setup_once();
	G.svc = data[0] % SVC_N;
	flags = data[1];
	data += 2;
	size -= 2;
	G.hook_fail = NULL;
	G.power_fail = G.clock_fail = G.ntp = G.net_fail = false;
	G.thaw_failed = false;
	G.skew = 0;
	ctx = service_new();
	FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
			       SOCK_CLOEXEC, 0, sv) == 0);
	G.s = enl_ic_service_new(G.ops, ctx, enl_channel_from_fd(sv[0], "fuzz"));
	G.peer = sv[1];
	if (!(flags & 0x80))
		negotiate_as_host(flags);

	while (rec_next(&data, &size, &r)) {
		switch (r.op & 3) {
		case 0:
			raw(&r);
			break;
		case 1:
			request(&r);
			break;
		case 2:
			negotiate(&r);
			break;
		case 3:
			environment(&r);
			break;
		}
		quiet_again();
	}

	drain();
	enl_ic_service_free(G.s);
	close(G.peer);
	service_free();
	return 0;
}

/* ---- Seeds ------------------------------------------------------------ */

static void seeds(const char *dir, GByteArray *s)
{
	char name[32];

	/* Each service, each version, a handful of plain requests. */
	for (int svc = 0; svc < SVC_N; svc++) {
		for (int pick = 0; pick < 4; pick++) {
			uint8_t head[2] = { (uint8_t)svc, (uint8_t)pick };

			g_byte_array_append(s, head, 2);
			for (int a = 0; a < 12; a++)
				seed_rec(s, 1, (uint8_t)(a * 7), 0, NULL, 0);
			snprintf(name, sizeof(name), "svc%d-v%d", svc, pick);
			seed_write(dir, name, s);
		}
	}
	/* KVP: set, get, enumerate and delete in the guest pool; IP both ways. */
	g_byte_array_append(s, (const uint8_t[]){ SVC_KVP, 0 }, 2);
	seed_rec(s, 1, 1 + 6 * 1, 0, NULL, 0);		/* SET pool 1 */
	seed_rec(s, 1, 0 + 6 * 1, 0, NULL, 0);		/* GET pool 1 */
	seed_rec(s, 1, 3 + 6 * 1, 0, NULL, 0);		/* ENUMERATE 1 */
	seed_rec(s, 1, 3 + 6 * 2, 0, NULL, 0);		/* ENUMERATE auto */
	seed_rec(s, 1, 2 + 6 * 1, 0, NULL, 0);		/* DELETE pool 1 */
	seed_rec(s, 1, 4, 0, NULL, 0);			/* GET_IP_INFO */
	seed_rec(s, 1, 5, 0, NULL, 0);			/* SET_IP_INFO */
	seed_rec(s, 3, 2, 1, "blue", 4);		/* the CLI sets */
	seed_rec(s, 1, 0 + 6 * 1, 0, NULL, 0);
	seed_rec(s, 1, 1 + 6 * 1, 4, (const uint8_t[]){ ENL_KVP_REG_U64 }, 1);
	seed_write(dir, "kvp-ops", s);
	/* Time sync 3.0: the last host time that fits, with a round trip. */
	{
		uint64_t edge[3] = {
			ENL_IC_TIMESYNC_EPOCH_DELTA + INT64_MAX / 100, 0, 100,
		};

		g_byte_array_append(s, (const uint8_t[]){ SVC_TS, 1 }, 2);
		seed_rec(s, 1, 0, 0, edge, sizeof(edge));
		seed_write(dir, "ts-edge", s);
	}
	/* VSS: check, freeze, freeze again, thaw; a failing freeze. */
	g_byte_array_append(s, (const uint8_t[]){ SVC_VSS, 0 }, 2);
	seed_rec(s, 1, ENL_VSS_OP_HOT_BACKUP, 0, NULL, 0);
	seed_rec(s, 1, ENL_VSS_OP_FREEZE, 0, NULL, 0);
	seed_rec(s, 1, ENL_VSS_OP_FREEZE, 0, NULL, 0);
	seed_rec(s, 1, ENL_VSS_OP_THAW, 0, NULL, 0);
	seed_rec(s, 3, 1, 3, NULL, 0);
	seed_rec(s, 1, ENL_VSS_OP_FREEZE, 0, NULL, 0);
	seed_rec(s, 3, 3, 0, NULL, 0);
	seed_rec(s, 1, ENL_VSS_OP_FREEZE, 0, NULL, 0);
	seed_rec(s, 3, 0, 0, NULL, 0);
	seed_rec(s, 1, ENL_VSS_OP_THAW, 0, NULL, 0);
	seed_write(dir, "vss-ops", s);
	/* Shutdown: off, reboot, hibernate refused then allowed. */
	g_byte_array_append(s, (const uint8_t[]){ SVC_SD, 0 }, 2);
	seed_rec(s, 1, 0, 0, NULL, 0);
	seed_rec(s, 1, ENL_IC_SHUTDOWN_FLAG_REBOOT, 0, NULL, 0);
	seed_rec(s, 1, ENL_IC_SHUTDOWN_FLAG_HIBERNATE, 0, NULL, 0);
	seed_rec(s, 3, 1, 0, NULL, 0);
	seed_rec(s, 1, ENL_IC_SHUTDOWN_FLAG_HIBERNATE, 0, NULL, 0);
	seed_write(dir, "sd-ops", s);
	/* Negotiation left to the records, raw and listed. */
	g_byte_array_append(s, (const uint8_t[]){ SVC_TS, 0x80 }, 2);
	seed_rec(s, 2, 1 | 2 << 2, 0, (const uint8_t[]){ 3, 0, 0, 0, 4, 0,
							  0, 0, 3, 0, 0, 0 },
		 12);
	seed_rec(s, 1, 0x40, 0, NULL, 0);
	seed_rec(s, 0x12, 0, 0, (const uint8_t[]){ 1, 0, 1, 0, 0, 0, 0, 0,
						  3, 0, 0, 0, 4, 0, 0, 0 },
		 16);
	seed_rec(s, 1, 0x80, 0, NULL, 0);
	seed_write(dir, "ts-negotiate", s);
}

FUZZ_INITIALIZE_WITH_SEEDS(seeds)
