// SPDX-License-Identifier: GPL-2.0-only
/* enl-host ctl verbs of the integration services. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ic_services.h"
#include "vsp.h"

static void ic_line(GString *out, const struct enl_ic_host *h)
{
	char a[16], b[16];

	g_string_append_printf(out, "channel: %s, framework %s, version %s\n",
			       enl_ic_host_state_name(h->state),
			       enl_ic_version_str(h->fw, a, sizeof(a)),
			       enl_ic_version_str(h->srv, b, sizeof(b)));
	g_string_append_printf(out, "packets: tx %lu, rx %lu, bad %lu, "
			       "unexpected %lu%s%s\n", h->stats.tx,
			       h->stats.rx, h->stats.rx_bad,
			       h->stats.rx_unexpected,
			       h->last_error ? ", last error: " : "",
			       h->last_error ? h->last_error : "");
}

/*
 * Each verb runs on the worker of the offer it is about (enl_vsp_ctl_run),
 * where that offer's service lives: state is its first argument.
 */
static int heartbeat_verb(void *state, int argc, char **argv, GString *out)
{
	struct enl_hb_host *hb = state;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	g_string_append_printf(out, "state: %s\n", enl_hb_state_name(hb->state));
	if (hb->last_seen) {
		gint64 ago = g_get_real_time() - hb->last_seen;

		g_string_append_printf(out, "last seen: %.1f s ago\n",
				       ago / 1e6);
	} else {
		g_string_append(out, "last seen: never\n");
	}
	g_string_append_printf(out, "sequence: %llu, missed: %u\n",
			       (unsigned long long)hb->seq, hb->missed);
	ic_line(out, &hb->ic);
	return 0;
}

static int shutdown_verb(void *state, int argc, char **argv, GString *out)
{
	struct enl_sd_host *sd = state;
	bool reboot = false, force = false;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reboot"))
			reboot = true;
		else if (!strcmp(argv[i], "--force"))
			force = true;
		else if (!strcmp(argv[i], "status"))
			break;
		else
			return -EINVAL;
	}
	if (i < argc) {
		g_string_append_printf(out, "state: %s, status 0x%08x\n",
				       enl_sd_state_name(sd->state),
				       sd->last_status);
		ic_line(out, &sd->ic);
		return 0;
	}
	ret = enl_sd_host_request(sd, reboot, force, NULL);
	if (!ret)
		g_string_append_printf(out, "%s%s requested\n",
				       reboot ? "reboot" : "power off",
				       force ? " (forced)" : "");
	return ret;
}

static int time_verb(void *state, int argc, char **argv, GString *out)
{
	struct enl_ts_host *ts = state;

	if (argc == 3 && !strcmp(argv[1], "shift")) {
		char *end;
		long long ms = strtoll(argv[2], &end, 10);

		if (*end || end == argv[2])
			return -EINVAL;
		ts->shift_ns = ms * 1000000LL;
		/* Report the new time now rather than at the next period. */
		enl_ts_host_send(ts, false);
	} else if (argc == 2 && !strcmp(argv[1], "sync")) {
		int ret = enl_ts_host_send(ts, true);

		if (ret)
			return ret;
	} else if (argc != 1) {
		return -EINVAL;
	}
	g_string_append_printf(out, "host shift: %+.3f ms\n",
			       ts->shift_ns / 1e6);
	if (ts->have_offset)
		g_string_append_printf(out, "guest offset: %+.3f ms\n",
				       ts->guest_offset_ns / 1e6);
	else
		g_string_append(out, "guest offset: not reported\n");
	g_string_append_printf(out, "round trip: %.3f ms, syncs %lu, "
			       "samples %lu\n", ts->rtt_ns / 1e6, ts->syncs,
			       ts->samples);
	ic_line(out, &ts->ic);
	return 0;
}

/* "--pool N" anywhere in argv (removed from it); def when absent. */
static int pool_arg(int *argc, char **argv, int def)
{
	for (int i = 1; i < *argc; i++) {
		char *end;
		long n;

		if (strcmp(argv[i], "--pool"))
			continue;
		if (i + 1 >= *argc)
			return -1;
		n = strtol(argv[i + 1], &end, 10);
		if (*end || end == argv[i + 1] || n < 0 ||
		    n >= ENL_KVP_POOL_COUNT)
			return -1;
		memmove(&argv[i], &argv[i + 2], (size_t)(*argc - i - 2) *
			sizeof(argv[0]));
		*argc -= 2;
		return (int)n;
	}
	return def;
}

static void kvp_show_pool(GString *out, const struct enl_kvp_host *kh, int p)
{
	const GPtrArray *a = kh->mirror[p];

	g_string_append_printf(out, "# pool %d", p);
	if (kh->mirror_at[p])
		g_string_append_printf(out, ", enumerated %.1f s ago",
				       (g_get_real_time() - kh->mirror_at[p]) /
				       1e6);
	g_string_append(out, "\n");
	for (guint i = 0; i < a->len; i++) {
		const struct enl_kvp_host_pair *kv = a->pdata[i];

		g_string_append_printf(out, "%s=%s\n", kv->key, kv->value);
	}
}

/*
 * Answers arrive later than a ctl reply: get and list print what the host
 * last saw and ask the guest again, so a second call shows the fresh value.
 */
static int kvp_verb(void *state, int argc, char **argv, GString *out)
{
	struct enl_kvp_host *kh = state;
	int pool = pool_arg(&argc, argv, -2);
	const char *cmd = argc > 1 ? argv[1] : "list";
	const char *v;
	int ret;

	if (pool == -1)
		return -EINVAL;
	/* The host writes the external pool and reads the guest's. */
	if (pool == -2 && (!strcmp(cmd, "set") || !strcmp(cmd, "delete")))
		pool = ENL_KVP_POOL_EXTERNAL;
	else if (pool == -2 && !strcmp(cmd, "get"))
		pool = ENL_KVP_POOL_GUEST;
	if (!strcmp(cmd, "list") && argc <= 2) {
		for (int p = 0; p < ENL_KVP_POOL_COUNT; p++) {
			if (pool >= 0 && p != pool)
				continue;
			enl_kvp_host_enumerate(kh, (uint8_t)p);
			kvp_show_pool(out, kh, p);
		}
	} else if (!strcmp(cmd, "get") && argc == 3) {
		ret = enl_kvp_host_get(kh, (uint8_t)pool, argv[2]);
		if (ret)
			return ret;
		v = enl_kvp_host_mirror_get(kh, (uint8_t)pool, argv[2]);
		g_string_append_printf(out, "%s\n", v ? v :
				       "(not seen yet; asked the guest)");
	} else if (!strcmp(cmd, "set") && argc == 4) {
		ret = enl_kvp_host_set(kh, (uint8_t)pool, argv[2], argv[3]);
		if (ret)
			return ret;
		g_string_append_printf(out, "set queued in pool %d\n", pool);
	} else if (!strcmp(cmd, "delete") && argc == 3) {
		ret = enl_kvp_host_delete(kh, (uint8_t)pool, argv[2]);
		if (ret)
			return ret;
		g_string_append_printf(out, "delete queued in pool %d\n", pool);
	} else if (!strcmp(cmd, "status") && argc == 2) {
		g_string_append_printf(out, "answers %lu, failures %lu, "
				       "malformed %lu, dropped %lu, queued %u\n",
				       kh->answers, kh->failures,
				       kh->bad_answers, kh->dropped,
				       g_queue_get_length(&kh->queue));
		ic_line(out, &kh->ic);
	} else {
		return -EINVAL;
	}
	return 0;
}

static int ip_verb(void *state, int argc, char **argv, GString *out)
{
	struct enl_kvp_host *kh = state;
	int ret;

	if (argc == 3 && !strcmp(argv[1], "get")) {
		ret = enl_kvp_host_get_ip(kh, argv[2], 0);
		if (ret)
			return ret;
		if (kh->ip_text)
			g_string_append(out, kh->ip_text);
		else
			g_string_append(out, "(no answer yet; asked the guest)\n");
		if (kh->ip_status)
			g_string_append_printf(out, "last failure: 0x%08x\n",
					       kh->ip_status);
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
	if (!ret)
		g_string_append(out, "IP configuration sent to the guest\n");
	return ret;
}

#define IC_VERB(verb, cls)						\
static int ctl_##verb(void *ctx, int argc, char **argv, GString *out)	\
{									\
	return enl_vsp_ctl_run(ctx, cls, argc, argv, out, verb##_verb);	\
}
IC_VERB(heartbeat, "heartbeat")
IC_VERB(shutdown, "shutdown")
IC_VERB(time, "timesync")
IC_VERB(kvp, "kvp")
IC_VERB(ip, "kvp")

void enl_ic_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl)
{
	void *ics = srv;	/* verbs find their offer's state through it */

	enl_ctl_register(ctl, "heartbeat", ctl_heartbeat, ics,
			 "heartbeat [--relid N]: guest heartbeat state and last seen");
	enl_ctl_register(ctl, "shutdown", ctl_shutdown, ics,
			 "shutdown [--reboot] [--force] | shutdown status");
	enl_ctl_register(ctl, "time", ctl_time, ics,
			 "time [shift <ms> | sync]: guest offset, host shift");
	enl_ctl_register(ctl, "kvp", ctl_kvp, ics,
			 "kvp list | get KEY | set KEY VALUE | delete KEY | "
			 "status  [--pool N] (set/delete: pool 0, get: 1)"
			 " [--relid N]");
	enl_ctl_register(ctl, "ip", ctl_ip, ics,
			 "ip get ADAPTER | ip set ADAPTER dhcp | ip set ADAPTER "
			 "static ADDRS MASKS [GATEWAYS [DNS]] (lists ';'-separated)");
}
