// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over enl-host's integration services fed guest packets:
 * heartbeat, shutdown, time sync, KVP (host/vsp/ic) and backup (host/vsp/vss)
 * through enl_ic_host_recv(). Each input opens one service and, unless told
 * not to, plays a well-behaved guest through negotiation, so the fuzzer
 * spends its time on answers to real requests.
 *
 * Input: [service][flags] then records (fuzz.h):
 *	op & 3 == 0	raw packet from the guest: the bytes
 *	op & 3 == 1	an answer to the host's last request: that request
 *			turned around, status by a & 3, the bytes laid over
 *			its body at off; op flags truncate the body there
 *			(0x10), keep the request flag (0x20), shift the
 *			transaction id by a >> 2 (0x40)
 *	op & 3 == 2	a host-side action of the service (request, tick...)
 *	op & 3 == 3	channel: close, reopen, negotiate, sends failing
 * flags: & 0x80 leaves negotiation to the records; the rest picks the
 * service version the well-behaved guest chooses.
 */
#include <enlighten/ic_heartbeat.h>
#include <enlighten/ic_kvp.h>
#include <enlighten/ic_shutdown.h>
#include <enlighten/ic_timesync.h>
#include <enlighten/ic_vss.h>

#include "fuzz.h"
#include "heartbeat_host.h"
#include "kvp_host.h"
#include "shutdown_host.h"
#include "timesync_host.h"
#include "utf16.h"
#include "vss_host.h"

enum { SVC_HB, SVC_SD, SVC_TS, SVC_KVP, SVC_VSS, SVC_N };

/* The versions a guest may choose from, per service (what guests speak). */
static const uint32_t hb_v[] = {
	ENL_IC_HEARTBEAT_VERSION_3_0, ENL_IC_HEARTBEAT_VERSION_1_0 };
static const uint32_t sd_v[] = {
	ENL_IC_SHUTDOWN_VERSION_3_2, ENL_IC_SHUTDOWN_VERSION_3_1,
	ENL_IC_SHUTDOWN_VERSION_3_0, ENL_IC_SHUTDOWN_VERSION_1_0 };
static const uint32_t ts_v[] = {
	ENL_IC_TIMESYNC_VERSION_4_0, ENL_IC_TIMESYNC_VERSION_3_0,
	ENL_IC_TIMESYNC_VERSION_1_0 };
static const uint32_t kvp_v[] = {
	ENL_IC_KVP_VERSION_4_0, ENL_IC_KVP_VERSION_3_0, ENL_IC_KVP_VERSION_1_0 };
static const uint32_t vss_v[] = { ENL_IC_VSS_VERSION_5_0 };

static const struct { const uint32_t *v; size_t n; } guest_v[SVC_N] = {
	{ hb_v, G_N_ELEMENTS(hb_v) }, { sd_v, G_N_ELEMENTS(sd_v) },
	{ ts_v, G_N_ELEMENTS(ts_v) }, { kvp_v, G_N_ELEMENTS(kvp_v) },
	{ vss_v, G_N_ELEMENTS(vss_v) },
};

#define PKT_MAX	16384

static struct {
	int svc;
	struct enl_ic_host *ic;
	struct enl_hb_host hb;
	struct enl_sd_host sd;
	struct enl_ts_host ts;
	struct enl_kvp_host kvp;
	struct enl_vss_host vss;
	bool send_fails;
	uint8_t last[PKT_MAX];		/* the host's last packet */
	size_t last_len;
	unsigned long results;
} H;

/*
 * enl-host reads the wall and monotonic clocks through GLib; a fake clock
 * that only moves when asked keeps every run of an input the same.
 */
static gint64 fake_us;

gint64 g_get_real_time(void)
{
	return G_GINT64_CONSTANT(1700000000000000) + fake_us;
}

gint64 g_get_monotonic_time(void)
{
	return fake_us += 1000;
}

static int host_send(void *tctx, const void *pkt, size_t len)
{
	uint8_t copy[PKT_MAX];
	struct enl_ic_msg m;
	const char *why;

	(void)tctx;
	if (H.send_fails)
		return -EPIPE;
	/* What enl-host puts on the wire is well formed, always. */
	FUZZ_ASSERT(len <= sizeof(copy));
	memcpy(copy, pkt, len);
	FUZZ_ASSERT(enl_ic_parse(copy, len, &m, &why) == 0);
	FUZZ_ASSERT(m.hdr->icflags & ENL_ICMSGHDRFLAG_REQUEST);
	FUZZ_ASSERT(m.body_len == len - ENL_ICMSG_BODY_OFFSET);
	memcpy(H.last, pkt, len);
	H.last_len = len;
	return 0;
}

/* Every string a KVP answer hands the host's callers is valid UTF-8. */
static void kvp_done(void *ctx, const struct enl_kvp_host_result *r)
{
	const char *s[] = { r->key, r->value, r->ip_addr, r->sub_net,
			    r->gate_way, r->dns_addr };

	(void)ctx;
	H.results++;
	for (size_t i = 0; i < G_N_ELEMENTS(s); i++)
		FUZZ_ASSERT(!s[i] || g_utf8_validate(s[i], -1, NULL));
	FUZZ_ASSERT(!r->malformed || r->status == ENL_HV_S_OK);
}

static void vss_done(void *ctx, struct enl_vss_host *v)
{
	(void)ctx;
	H.results++;
	FUZZ_ASSERT(v->state != ENL_VSS_HOST_BUSY);
}

/* A guest that answers the host's NEGOTIATE the way guests do. */
static void guest_negotiate(unsigned int pick)
{
	uint8_t buf[PKT_MAX];
	uint32_t srv = guest_v[H.svc].v[pick % guest_v[H.svc].n];
	const struct enl_ic_versions v = {
		enl_ic_fw_versions, G_N_ELEMENTS(enl_ic_fw_versions), &srv, 1,
	};
	struct enl_ic_msg m;
	const char *why;
	uint32_t fw, s;
	size_t len;

	if (!H.last_len || H.ic->state != ENL_IC_HOST_NEGOTIATING)
		return;
	memcpy(buf, H.last, H.last_len);
	if (enl_ic_parse(buf, H.last_len, &m, &why) < 0 ||
	    m.hdr->icmsgtype != ENL_ICMSGTYPE_NEGOTIATE)
		return;
	enl_ic_negotiate_answer(&m, sizeof(buf), &v, &fw, &s, &len, &why);
	enl_ic_host_recv(H.ic, buf, len);
}

static void open_channel(uint8_t flags)
{
	H.last_len = 0;
	enl_ic_host_open(H.ic, host_send, NULL);
	if (!(flags & 0x80))
		guest_negotiate(flags);
}

static void raw(const struct rec *r)
{
	uint8_t buf[256];

	memcpy(buf, r->p, r->len);
	enl_ic_host_recv(H.ic, buf, r->len);
}

static void answer(const struct rec *r)
{
	static const uint32_t status[] = {
		ENL_HV_S_OK, ENL_HV_E_FAIL, ENL_HV_S_CONT,
		ENL_HV_ERROR_NOT_SUPPORTED,
	};
	uint8_t buf[PKT_MAX];
	struct enl_icmsg_hdr *hdr = (void *)(buf + ENL_ICMSG_HDR_OFFSET);
	size_t body, off, end, nb;

	if (H.last_len < ENL_ICMSG_BODY_OFFSET)
		return;
	memcpy(buf, H.last, H.last_len);
	body = H.last_len - ENL_ICMSG_BODY_OFFSET;
	off = r->off % (body + 1);
	end = off + r->len;
	nb = (r->op & 0x10) || end > body ? end : body;
	memcpy(buf + ENL_ICMSG_BODY_OFFSET + off, r->p, r->len);
	hdr->icmsgsize = (uint16_t)nb;
	hdr->status = status[r->a & 3];
	if (!(r->op & 0x20))
		hdr->icflags = ENL_ICMSGHDRFLAG_TRANSACTION |
			       ENL_ICMSGHDRFLAG_RESPONSE;
	if (r->op & 0x40)
		hdr->ictransaction_id += r->a >> 2;
	enl_ic_host_recv(H.ic, buf, ENL_ICMSG_BODY_OFFSET + nb);
}

/* The record's bytes as two NUL-terminated strings, split at off. */
static void two_strings(const struct rec *r, char **s1, char **s2)
{
	size_t cut = r->len ? r->off % (r->len + 1) : 0;

	*s1 = g_strndup((const char *)r->p, cut);
	*s2 = g_strndup((const char *)r->p + cut, r->len - cut);
}

static void kvp_action(const struct rec *r)
{
	uint8_t pool = (uint8_t)(r->off % (ENL_KVP_POOL_COUNT + 1));
	char *k, *v;

	two_strings(r, &k, &v);
	switch (r->a % 8) {
	case 0:
		enl_kvp_host_set(&H.kvp, pool, k, v);
		break;
	case 1:
		enl_kvp_host_set_number(&H.kvp, pool, k,
					r->a & 8 ? ENL_KVP_REG_U64 :
					r->a & 16 ? ENL_KVP_REG_U32 : r->a,
					(uint64_t)r->off << 33 | r->a);
		break;
	case 2:
		enl_kvp_host_get(&H.kvp, pool, k);
		break;
	case 3:
		enl_kvp_host_delete(&H.kvp, pool, k);
		break;
	case 4:
		enl_kvp_host_enumerate(&H.kvp, pool);
		break;
	case 5:
		enl_kvp_host_enumerate_one(&H.kvp, pool, r->off);
		break;
	case 6:
		enl_kvp_host_get_ip(&H.kvp, k, (uint8_t)(r->a >> 3));
		break;
	case 7:
		enl_kvp_host_set_ip(&H.kvp, k, r->a & 8, v, r->a & 16 ? v : NULL,
				    r->a & 32 ? k : NULL, r->a & 64 ? v : NULL);
		break;
	}
	if (pool < ENL_KVP_POOL_COUNT)
		enl_kvp_host_mirror_get(&H.kvp, pool, k);
	g_free(k);
	g_free(v);
}

static void action(const struct rec *r)
{
	char *msg;

	switch (H.svc) {
	case SVC_HB:
		enl_hb_host_tick(&H.hb);
		break;
	case SVC_SD:
		msg = r->len ? g_strndup((const char *)r->p, r->len) : NULL;
		enl_sd_host_request(&H.sd, r->a & 1, r->a & 2, msg);
		g_free(msg);
		break;
	case SVC_TS:
		H.ts.shift_ns = (int64_t)(int16_t)r->off * 1000000;
		enl_ts_host_send(&H.ts, r->a & 1);
		break;
	case SVC_KVP:
		kvp_action(r);
		break;
	case SVC_VSS:
		if (r->a & 0x80)
			enl_vss_host_abandon(&H.vss);
		else
			enl_vss_host_request(&H.vss, r->a % (ENL_VSS_OP_COUNT + 1));
		break;
	}
}

static void channel(const struct rec *r)
{
	H.send_fails = r->a & 8;
	if (r->a & 1)
		enl_ic_host_close(H.ic);
	if (r->a & 2)
		open_channel(r->a & 4 ? 0x80 : (uint8_t)r->off);
	else if (r->a & 4)
		guest_negotiate(r->off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec r;
	uint8_t flags;

	if (size < 2)
		return 0;
	fuzz_quiet_glib();
	fake_us = 0;
	H.svc = data[0] % SVC_N;
	flags = data[1];
	data += 2;
	size -= 2;
	H.send_fails = false;
	H.last_len = 0;
	switch (H.svc) {
	case SVC_HB:
		enl_hb_host_init(&H.hb);
		H.hb.seq = 0;	/* not random: the same input, the same run */
		H.ic = &H.hb.ic;
		break;
	case SVC_SD:
		enl_sd_host_init(&H.sd);
		H.ic = &H.sd.ic;
		break;
	case SVC_TS:
		enl_ts_host_init(&H.ts);
		H.ic = &H.ts.ic;
		break;
	case SVC_KVP:
		enl_kvp_host_init(&H.kvp);
		H.kvp.done = kvp_done;
		H.ic = &H.kvp.ic;
		break;
	case SVC_VSS:
		enl_vss_host_init(&H.vss);
		H.vss.done = vss_done;
		H.ic = &H.vss.ic;
		break;
	}
	open_channel(flags);

	while (rec_next(&data, &size, &r)) {
		switch (r.op & 3) {
		case 0:
			raw(&r);
			break;
		case 1:
			answer(&r);
			break;
		case 2:
			action(&r);
			break;
		case 3:
			channel(&r);
			break;
		}
		/* Whatever the guest sent, the state stays one we know. */
		FUZZ_ASSERT(H.ic->state <= ENL_IC_HOST_NO_MATCH);
		FUZZ_ASSERT(H.ic->state != ENL_IC_HOST_READY ||
			    (H.ic->fw && H.ic->srv));
	}

	enl_ic_host_close(H.ic);
	if (H.svc == SVC_KVP)
		enl_kvp_host_free(&H.kvp);
	return 0;
}

/* ---- Seeds ------------------------------------------------------------ */

static void seeds(const char *dir, GByteArray *s)
{
	static const uint8_t hb_ok[8] = { 2 };	/* seq 1 answered with 2 */
	static const uint8_t zero4[4];
	char name[32];

	/* Each service negotiated, answered S_OK as is, then asked again. */
	for (int svc = 0; svc < SVC_N; svc++) {
		for (int pick = 0; pick < 4; pick++) {
			uint8_t head[2] = { (uint8_t)svc, (uint8_t)pick };

			g_byte_array_append(s, head, 2);
			seed_rec(s, 1, 0, 0, NULL, 0);
			seed_rec(s, 2, 1, 1, "key", 3);
			seed_rec(s, 1, 0, 0, NULL, 0);
			seed_rec(s, 2, 5, 2, "key=value", 9);
			seed_rec(s, 1, 2, 0, NULL, 0);
			snprintf(name, sizeof(name), "svc%d-v%d", svc, pick);
			seed_write(dir, name, s);
		}
	}
	/* Heartbeat answered right, then failing. */
	g_byte_array_append(s, (const uint8_t[]){ SVC_HB, 0 }, 2);
	seed_rec(s, 1, 0, 0, hb_ok, sizeof(hb_ok));
	seed_rec(s, 2, 0, 0, NULL, 0);
	seed_rec(s, 1, 1, 0, NULL, 0);
	seed_write(dir, "hb-ok-fail", s);
	/* KVP: a walk of the guest pool, a set, a get, an IP query. */
	g_byte_array_append(s, (const uint8_t[]){ SVC_KVP, 0 }, 2);
	seed_rec(s, 1, 0, 0, NULL, 0);
	seed_rec(s, 1, 2, 0, NULL, 0);
	seed_rec(s, 2, 0, 1, "colourvalue", 11);
	seed_rec(s, 1, 0, 0, NULL, 0);
	seed_rec(s, 2, 2, 6, "colour", 6);
	seed_rec(s, 1, 0, 0, NULL, 0);
	seed_rec(s, 2, 6, 0, "00:15:5D:01:02:03", 17);
	seed_rec(s, 1, 0, 0, NULL, 0);
	seed_write(dir, "kvp-ops", s);
	/* VSS check, freeze, thaw, abandoned request. */
	g_byte_array_append(s, (const uint8_t[]){ SVC_VSS, 0 }, 2);
	seed_rec(s, 2, ENL_VSS_OP_HOT_BACKUP, 0, NULL, 0);
	seed_rec(s, 1, 0, 0, NULL, 0);
	seed_rec(s, 2, ENL_VSS_OP_FREEZE, 0, NULL, 0);
	seed_rec(s, 1, 0, 0, NULL, 0);
	seed_rec(s, 2, ENL_VSS_OP_THAW, 0, NULL, 0);
	seed_rec(s, 2, 0x80, 0, NULL, 0);
	seed_rec(s, 1, 1, 0, zero4, sizeof(zero4));
	seed_write(dir, "vss-ops", s);
	/* Negotiation left to the records: a raw negotiate answer. */
	g_byte_array_append(s, (const uint8_t[]){ SVC_TS, 0x80 }, 2);
	seed_rec(s, 1, 0, 0, (const uint8_t[]){ 1, 0, 1, 0, 0, 0, 0, 0,
						  0, 0, 3, 0, 0, 0, 4, 0 }, 16);
	seed_rec(s, 3, 3, 0, NULL, 0);
	seed_write(dir, "ts-negotiate", s);
}

FUZZ_INITIALIZE_WITH_SEEDS(seeds)
