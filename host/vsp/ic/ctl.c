// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-host ctl verbs of the integration services. Whatever the guest wrote
 * (KVP keys and values, IP data) is escaped in text and quoted in JSON.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ic_services.h"
#include "kvp_items.h"
#include "ts_view.h"
#include "vsp.h"

/* |shift| at most 50 years: the clock stays within 1976..2076 or so. */
#define TIME_SHIFT_MAX_MS	(50LL * 36525 * 24 * 3600 * 10)

static void ic_line(struct enl_ctl_req *req, const struct enl_ic_host *h)
{
	struct enl_json *j = req->json;
	char a[16], b[16];

	enl_ic_version_str(h->fw, a, sizeof(a));
	enl_ic_version_str(h->srv, b, sizeof(b));
	g_string_append_printf(req->out, "channel: %s, framework %s, version %s\n",
			       enl_ic_host_state_name(h->state), a, b);
	g_string_append_printf(req->out, "packets: tx %lu, rx %lu, bad %lu, "
			       "unexpected %lu%s%s\n", h->stats.tx,
			       h->stats.rx, h->stats.rx_bad,
			       h->stats.rx_unexpected,
			       h->last_error ? ", last error: " : "",
			       h->last_error ? h->last_error : "");
	if (!j)
		return;
	enl_json_obj(j, "channel");
	enl_json_str(j, "state", enl_ic_host_state_name(h->state));
	enl_json_str(j, "framework", a);
	enl_json_str(j, "version", b);
	enl_json_u64(j, "tx", h->stats.tx);
	enl_json_u64(j, "rx", h->stats.rx);
	enl_json_u64(j, "bad", h->stats.rx_bad);
	enl_json_u64(j, "unexpected", h->stats.rx_unexpected);
	enl_json_str(j, "last_error", h->last_error);
	enl_json_end(j);
}

/*
 * Each verb runs on the worker of the offer it is about (enl_vsp_ctl_run_req),
 * where that offer's service lives: state is its first argument.
 */
static int heartbeat_verb(void *state, struct enl_ctl_req *req)
{
	struct enl_hb_host *hb = state;
	struct enl_json *j = req->json;
	double ago = hb->last_seen ?
		     (g_get_real_time() - hb->last_seen) / 1e6 : -1;

	if (enl_ctl_nargs(req, 1, 1))
		return -EINVAL;
	g_string_append_printf(req->out, "state: %s\n",
			       enl_hb_state_name(hb->state));
	if (hb->last_seen)
		g_string_append_printf(req->out, "last seen: %.1f s ago\n",
				       ago);
	else
		g_string_append(req->out, "last seen: never\n");
	g_string_append_printf(req->out, "sequence: %llu, missed: %u\n",
			       (unsigned long long)hb->seq, hb->missed);
	if (j) {
		enl_json_obj(j, NULL);
		enl_json_str(j, "state", enl_hb_state_name(hb->state));
		if (hb->last_seen)
			enl_json_u64(j, "last_seen_ms_ago",
				     (uint64_t)(ago * 1000));
		else
			enl_json_null(j, "last_seen_ms_ago");
		enl_json_u64(j, "sequence", hb->seq);
		enl_json_u64(j, "missed", hb->missed);
	}
	ic_line(req, &hb->ic);
	if (j)
		enl_json_end(j);
	return 0;
}

static int shutdown_verb(void *state, struct enl_ctl_req *req)
{
	struct enl_sd_host *sd = state;
	struct enl_json *j = req->json;
	int reboot, force, ret;

	if (req->argc == 2 && !strcmp(req->argv[1], "status")) {
		g_string_append_printf(req->out, "state: %s, status 0x%08x\n",
				       enl_sd_state_name(sd->state),
				       sd->last_status);
		if (j) {
			enl_json_obj(j, NULL);
			enl_json_str(j, "state", enl_sd_state_name(sd->state));
			enl_json_u64(j, "status", sd->last_status);
		}
		ic_line(req, &sd->ic);
		if (j)
			enl_json_end(j);
		return 0;
	}
	reboot = enl_ctl_take_flag(req, "--reboot");
	force = enl_ctl_take_flag(req, "--force");
	if (reboot < 0 || force < 0 || enl_ctl_nargs(req, 1, 1))
		return -EINVAL;
	ret = enl_sd_host_request(sd, reboot, force, NULL);
	if (ret)
		return ret;
	g_string_append_printf(req->out, "%s%s requested\n",
			       reboot ? "reboot" : "power off",
			       force ? " (forced)" : "");
	if (j) {
		enl_json_obj(j, NULL);
		enl_json_str(j, "requested", reboot ? "reboot" : "power off");
		enl_json_bool(j, "force", force);
		enl_json_end(j);
	}
	return 0;
}

/*
 * The guest's offset (guest - host): up to version 3.0 from childtime, as
 * Windows hosts read it; else from the guest's own report over KVP, with
 * its age on the clock the host reports (which the guest follows).
 */
static void guest_offset(struct enl_ctl_req *req, const struct enl_ts_host *ts,
			 const struct enl_ts_view *v)
{
	if (ts->have_offset) {
		g_string_append_printf(req->out, "guest offset: %+.3f ms "
				       "(childtime)\n",
				       ts->guest_offset_ns / 1e6);
	} else if (v->have) {
		g_string_append_printf(req->out, "guest offset: %+.3f ms "
				       "+-%.3f, delay %.3f ms, measured %.1f s "
				       "ago (guest report over KVP)\n",
				       -v->r.offset_ns / 1e6,
				       v->r.err_ns / 1e6, v->r.delay_ns / 1e6,
				       (enl_ts_host_now(ts) - v->r.at_ns) / 1e9);
	} else {
		g_string_append(req->out, "guest offset: not reported\n");
	}
	if (v->bad)
		g_string_append_printf(req->out, "guest reports refused: %lu\n",
				       v->bad);
}

static void guest_offset_json(struct enl_json *j, const struct enl_ts_host *ts,
			      const struct enl_ts_view *v)
{
	if (ts->have_offset) {
		enl_json_i64(j, "guest_offset_ns", ts->guest_offset_ns);
		enl_json_str(j, "guest_offset_source", "childtime");
	} else if (v->have) {
		enl_json_i64(j, "guest_offset_ns", -v->r.offset_ns);
		enl_json_str(j, "guest_offset_source", "kvp");
		enl_json_i64(j, "guest_offset_err_ns", v->r.err_ns);
		enl_json_i64(j, "guest_delay_ns", v->r.delay_ns);
		enl_json_i64(j, "guest_measured_ns_ago",
			     enl_ts_host_now(ts) - v->r.at_ns);
	} else {
		enl_json_null(j, "guest_offset_ns");
		enl_json_null(j, "guest_offset_source");
	}
	enl_json_u64(j, "guest_reports_refused", v->bad);
}

static int time_verb(void *state, struct enl_ctl_req *req)
{
	struct enl_ts_host *ts = state;
	struct enl_json *j = req->json;
	struct enl_ts_view view = { 0 };
	gint64 base_us;
	bool steady;
	int64_t ms;
	int ret;

	if (req->argc >= 2 && !strcmp(req->argv[1], "shift")) {
		if (enl_ctl_nargs(req, 3, 3))
			return -EINVAL;
		ret = enl_ctl_parse_i64(req, "shift (ms)", req->argv[2],
					-TIME_SHIFT_MAX_MS, TIME_SHIFT_MAX_MS,
					&ms);
		if (ret)
			return ret;
		enl_ts_host_set_shift(ts, ms * 1000000LL);
		/* Report the new time now rather than at the next period. */
		enl_ts_host_send(ts, false);
	} else if (req->argc >= 2 && !strcmp(req->argv[1], "drift")) {
		if (enl_ctl_nargs(req, 3, 3))
			return -EINVAL;
		ret = enl_ctl_parse_i64(req, "drift (ppm)", req->argv[2],
					-ENL_TS_HOST_DRIFT_MAX_PPM,
					ENL_TS_HOST_DRIFT_MAX_PPM, &ms);
		if (ret)
			return ret;
		enl_ts_host_set_drift(ts, (int32_t)ms);
	} else if (req->argc >= 2 && !strcmp(req->argv[1], "sync")) {
		if (enl_ctl_nargs(req, 2, 2))
			return -EINVAL;
		ret = enl_ts_host_send(ts, true);
		if (ret)
			return ret;
	} else if (enl_ctl_nargs(req, 1, 1)) {
		return -EINVAL;
	}
	if (ts->guest_view)
		enl_ts_view_get(ts->guest_view, &view);
	/* The shift as of now: the drift moves it. */
	g_string_append_printf(req->out, "host shift: %+.3f ms\n",
			       enl_ts_host_offset(ts) / 1e6);
	g_string_append_printf(req->out, "host drift: %+d ppm\n",
			       ts->drift_ppm);
	steady = enl_ts_host_steady_base(&base_us);
	if (steady)
		g_string_append_printf(req->out, "host clock: steady, wall - "
				       "monotonic %.6f s\n", base_us / 1e6);
	else
		g_string_append(req->out, "host clock: wall\n");
	guest_offset(req, ts, &view);
	g_string_append_printf(req->out, "round trip: %.3f ms, syncs %lu, "
			       "samples %lu\n", ts->rtt_ns / 1e6, ts->syncs,
			       ts->samples);
	if (j) {
		enl_json_obj(j, NULL);
		enl_json_i64(j, "shift_ns", enl_ts_host_offset(ts));
		enl_json_i64(j, "drift_ppm", ts->drift_ppm);
		enl_json_str(j, "host_clock", steady ? "steady" : "wall");
		if (steady)
			enl_json_i64(j, "steady_base_us", base_us);
		guest_offset_json(j, ts, &view);
		enl_json_i64(j, "rtt_ns", ts->rtt_ns);
		enl_json_u64(j, "syncs", ts->syncs);
		enl_json_u64(j, "samples", ts->samples);
	}
	ic_line(req, &ts->ic);
	if (j)
		enl_json_end(j);
	return 0;
}

/* "--pool N" (taken out of argv); def when absent, -1 refused. */
static int pool_arg(struct enl_ctl_req *req, int def)
{
	const char *v;
	uint32_t n;
	int rc = enl_ctl_take_opt(req, "--pool", &v);

	if (rc < 0)
		return -1;
	if (!rc)
		return def;
	if (enl_ctl_parse_u32(req, "--pool", v, 0, ENL_KVP_POOL_COUNT - 1, &n))
		return -1;
	return (int)n;
}

static void kvp_show_pool(struct enl_ctl_req *req,
			  const struct enl_kvp_host *kh, int p)
{
	const GPtrArray *a = kh->mirror[p].pairs;
	struct enl_json *j = req->json;

	g_string_append_printf(req->out, "# pool %d", p);
	if (kh->mirror_at[p])
		g_string_append_printf(req->out, ", enumerated %.1f s ago",
				       (g_get_real_time() - kh->mirror_at[p]) /
				       1e6);
	if (kh->mirror[p].truncated)
		g_string_append_printf(req->out, ", truncated at %u pairs",
				       a->len);
	g_string_append(req->out, "\n");
	if (j) {
		enl_json_obj(j, NULL);
		enl_json_u64(j, "pool", (uint64_t)p);
		if (kh->mirror_at[p])
			enl_json_u64(j, "enumerated_ms_ago", (uint64_t)
				     (g_get_real_time() - kh->mirror_at[p]) /
				     1000);
		else
			enl_json_null(j, "enumerated_ms_ago");
		enl_json_bool(j, "truncated", kh->mirror[p].truncated);
		enl_json_arr(j, "pairs");
	}
	for (guint i = 0; i < a->len; i++) {
		const struct enl_kvp_host_pair *kv = a->pdata[i];

		enl_ctl_escape(req->out, kv->key, -1);
		g_string_append_c(req->out, '=');
		enl_ctl_escape(req->out, kv->value, -1);
		g_string_append_c(req->out, '\n');
		if (j) {
			enl_json_obj(j, NULL);
			enl_json_str(j, "key", kv->key);
			enl_json_str(j, "value", kv->value);
			enl_json_end(j);
		}
	}
	if (j) {
		enl_json_end(j);
		enl_json_end(j);
	}
}

static void kvp_queued(struct enl_ctl_req *req, const char *what, int pool)
{
	g_string_append_printf(req->out, "%s queued in pool %d\n", what, pool);
	if (req->json) {
		enl_json_obj(req->json, NULL);
		enl_json_str(req->json, "queued", what);
		enl_json_u64(req->json, "pool", (uint64_t)pool);
		enl_json_end(req->json);
	}
}

/*
 * Answers arrive later than a ctl reply: get and list print what the host
 * last saw and ask the guest again, so a second call shows the fresh value.
 */
static int kvp_verb(void *state, struct enl_ctl_req *req)
{
	struct enl_kvp_host *kh = state;
	struct enl_json *j = req->json;
	int pool = pool_arg(req, -2);
	const char *cmd = req->argc > 1 ? req->argv[1] : "list";
	char **argv = req->argv;
	const char *v;
	int ret;

	if (pool == -1)
		return -EINVAL;
	/* The host writes the external pool and reads the guest's. */
	if (pool == -2 && (!strcmp(cmd, "set") || !strcmp(cmd, "delete")))
		pool = ENL_KVP_POOL_EXTERNAL;
	else if (pool == -2 && !strcmp(cmd, "get"))
		pool = ENL_KVP_POOL_GUEST;
	if (!strcmp(cmd, "list")) {
		if (enl_ctl_nargs(req, 1, 2))
			return -EINVAL;
		if (j)
			enl_json_arr(j, NULL);
		for (int p = 0; p < ENL_KVP_POOL_COUNT; p++) {
			if (pool >= 0 && p != pool)
				continue;
			enl_kvp_host_enumerate(kh, (uint8_t)p);
			kvp_show_pool(req, kh, p);
		}
		if (j)
			enl_json_end(j);
	} else if (!strcmp(cmd, "get")) {
		if (enl_ctl_nargs(req, 3, 3))
			return -EINVAL;
		ret = enl_kvp_host_get(kh, (uint8_t)pool, argv[2]);
		if (ret)
			return ret;
		v = enl_kvp_host_mirror_get(kh, (uint8_t)pool, argv[2]);
		if (v)
			enl_ctl_escape(req->out, v, -1);
		else
			g_string_append(req->out,
					"(not seen yet; asked the guest)");
		g_string_append_c(req->out, '\n');
		if (j) {
			enl_json_obj(j, NULL);
			enl_json_u64(j, "pool", (uint64_t)pool);
			enl_json_str(j, "key", argv[2]);
			enl_json_str(j, "value", v);
			enl_json_end(j);
		}
	} else if (!strcmp(cmd, "set")) {
		if (enl_ctl_nargs(req, 4, 4))
			return -EINVAL;
		ret = enl_kvp_host_set(kh, (uint8_t)pool, argv[2], argv[3]);
		if (ret)
			return ret;
		kvp_queued(req, "set", pool);
		/* Kept as the VM's: a later offer gets it again. */
		if (kh->items && enl_kvp_items_set(kh->items, (uint8_t)pool,
						   argv[2], argv[3]))
			g_string_append_printf(req->out, "warning: not kept "
					       "for a later offer (the host "
					       "keeps at most %d items)\n",
					       ENL_KVP_ITEMS_MAX);
	} else if (!strcmp(cmd, "delete")) {
		if (enl_ctl_nargs(req, 3, 3))
			return -EINVAL;
		ret = enl_kvp_host_delete(kh, (uint8_t)pool, argv[2]);
		if (ret)
			return ret;
		if (kh->items)
			enl_kvp_items_delete(kh->items, (uint8_t)pool, argv[2]);
		kvp_queued(req, "delete", pool);
	} else if (!strcmp(cmd, "status")) {
		if (enl_ctl_nargs(req, 2, 2))
			return -EINVAL;
		g_string_append_printf(req->out, "answers %lu, failures %lu, "
				       "malformed %lu, dropped %lu, queued %u\n",
				       kh->answers, kh->failures,
				       kh->bad_answers, kh->dropped,
				       g_queue_get_length(&kh->queue));
		g_string_append_printf(req->out, "resent %lu, lost %lu, "
				       "pool full %lu, walks truncated %lu, "
				       "walks bad %lu, sends held %lu\n",
				       kh->resent, kh->lost, kh->full,
				       kh->walks_truncated, kh->walks_bad,
				       kh->held);
		g_string_append_printf(req->out, "host items %zu, replayed to "
				       "this offer %lu\n", kh->items ?
				       enl_kvp_items_count(kh->items) : 0,
				       kh->replayed);
		g_string_append_printf(req->out, "limits: %zu pairs, %zu bytes "
				       "per pool\n", kh->max_pairs,
				       kh->max_bytes);
		if (kh->last_failure) {
			g_string_append(req->out, "last failure: ");
			enl_ctl_escape(req->out, kh->last_failure, -1);
			g_string_append_c(req->out, '\n');
		}
		if (j) {
			enl_json_obj(j, NULL);
			enl_json_u64(j, "answers", kh->answers);
			enl_json_u64(j, "failures", kh->failures);
			enl_json_u64(j, "malformed", kh->bad_answers);
			enl_json_u64(j, "dropped", kh->dropped);
			enl_json_u64(j, "queued", g_queue_get_length(&kh->queue));
			enl_json_u64(j, "resent", kh->resent);
			enl_json_u64(j, "lost", kh->lost);
			enl_json_u64(j, "pool_full", kh->full);
			enl_json_u64(j, "walks_truncated", kh->walks_truncated);
			enl_json_u64(j, "walks_bad", kh->walks_bad);
			enl_json_u64(j, "sends_held", kh->held);
			enl_json_u64(j, "host_items", kh->items ?
				     enl_kvp_items_count(kh->items) : 0);
			enl_json_u64(j, "replayed", kh->replayed);
			enl_json_u64(j, "max_pairs", kh->max_pairs);
			enl_json_u64(j, "max_bytes", kh->max_bytes);
			enl_json_str(j, "last_failure", kh->last_failure);
		}
		ic_line(req, &kh->ic);
		if (j)
			enl_json_end(j);
	} else if (!strcmp(cmd, "limits")) {
		uint32_t pairs, bytes;

		if (enl_ctl_nargs(req, 4, 4) ||
		    enl_ctl_parse_u32(req, "pairs", argv[2], 1,
				      ENL_KVP_HOST_PAIRS_MAX, &pairs) ||
		    enl_ctl_parse_u32(req, "bytes", argv[3], 1,
				      ENL_KVP_HOST_BYTES_MAX, &bytes))
			return -EINVAL;
		enl_kvp_host_set_limits(kh, pairs, bytes);
		g_string_append_printf(req->out, "limits: %u pairs, %u bytes "
				       "per pool\n", pairs, bytes);
		if (j) {
			enl_json_obj(j, NULL);
			enl_json_u64(j, "max_pairs", pairs);
			enl_json_u64(j, "max_bytes", bytes);
			enl_json_end(j);
		}
	} else {
		return -EINVAL;
	}
	return 0;
}

static const char *const ip_names[4] = {
	"addresses", "subnets", "gateways", "dns"
};

static int ip_verb(void *state, struct enl_ctl_req *req)
{
	struct enl_kvp_host *kh = state;
	struct enl_json *j = req->json;
	char **argv = req->argv;
	int argc = req->argc;
	int ret;

	if (argc >= 2 && !strcmp(argv[1], "get")) {
		if (enl_ctl_nargs(req, 3, 3))
			return -EINVAL;
		ret = enl_kvp_host_get_ip(kh, argv[2], 0);
		if (ret)
			return ret;
		if (j)
			enl_json_obj(j, NULL);
		if (!kh->ip_info[0])
			g_string_append(req->out,
					"(no answer yet; asked the guest)\n");
		for (int i = 0; kh->ip_info[0] && i < 4; i++) {
			g_string_append_printf(req->out, "%s: ", ip_names[i]);
			enl_ctl_escape(req->out, kh->ip_info[i], -1);
			g_string_append_c(req->out, '\n');
			if (j)
				enl_json_str(j, ip_names[i], kh->ip_info[i]);
		}
		if (kh->ip_info[0]) {
			g_string_append_printf(req->out, "dhcp: %s\n",
					       kh->ip_dhcp ? "yes" : "no");
			if (j)
				enl_json_bool(j, "dhcp", kh->ip_dhcp);
		}
		if (kh->ip_status)
			g_string_append_printf(req->out, "last failure: 0x%08x\n",
					       kh->ip_status);
		if (j) {
			enl_json_u64(j, "last_failure", kh->ip_status);
			enl_json_end(j);
		}
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "set") && !strcmp(argv[3], "dhcp"))
		ret = enl_kvp_host_set_ip(kh, argv[2], true, NULL, NULL, NULL,
					  NULL);
	else if (argc >= 6 && argc <= 8 && !strcmp(argv[1], "set") &&
		 !strcmp(argv[3], "static"))
		ret = enl_kvp_host_set_ip(kh, argv[2], false, argv[4], argv[5],
					  argc > 6 ? argv[6] : NULL,
					  argc > 7 ? argv[7] : NULL);
	else
		return -EINVAL;
	if (!ret) {
		g_string_append(req->out, "IP configuration sent to the guest\n");
		enl_json_one_bool(j, "sent", true);
	}
	return ret;
}

#define IC_VERB(verb, cls)					\
static int ctl_##verb(void *ctx, struct enl_ctl_req *req)	\
{								\
	return enl_vsp_ctl_run_req(ctx, cls, req, verb##_verb);	\
}
IC_VERB(heartbeat, "heartbeat")
IC_VERB(shutdown, "shutdown")
IC_VERB(time, "timesync")
IC_VERB(kvp, "kvp")
IC_VERB(ip, "kvp")

void enl_ic_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl)
{
	static const struct enl_ctl_verb verbs[] = {
		{ "heartbeat", ctl_heartbeat,
		  "heartbeat [--relid N]: guest heartbeat state and last seen",
		  0 },
		{ "shutdown", ctl_shutdown,
		  "shutdown [--reboot] [--force] | shutdown status", 0 },
		{ "time", ctl_time,
		  "time [shift <ms> | drift <ppm> | sync]: guest offset, "
		  "host shift (|ms| <= 50 years) and drift (|ppm| <= 10000)",
		  0 },
		{ "kvp", ctl_kvp,
		  "kvp list | get KEY | set KEY VALUE | delete KEY | status | "
		  "limits PAIRS BYTES [--pool N] (set/delete: pool 0, get: 1) "
		  "[--relid N]", 0 },
		{ "ip", ctl_ip,
		  "ip get ADAPTER | ip set ADAPTER dhcp | ip set ADAPTER "
		  "static ADDRS MASKS [GATEWAYS [DNS]] (lists ';'-separated)",
		  0 },
	};

	/* verbs find their offer's state through srv */
	ENL_CTL_ADD_VERBS(ctl, srv, verbs);
}
