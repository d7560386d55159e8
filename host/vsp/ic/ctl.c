// SPDX-License-Identifier: GPL-2.0-only
/* enl-host ctl verbs of the integration services. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ic_services.h"

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

static int ctl_heartbeat(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_ic_services *ics = ctx;
	struct enl_hb_host *hb = &ics->hb;

	(void)argc;
	(void)argv;
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

static int ctl_shutdown(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_ic_services *ics = ctx;
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
				       enl_sd_state_name(ics->sd.state),
				       ics->sd.last_status);
		ic_line(out, &ics->sd.ic);
		return 0;
	}
	ret = enl_sd_host_request(&ics->sd, reboot, force, NULL);
	if (!ret)
		g_string_append_printf(out, "%s%s requested\n",
				       reboot ? "reboot" : "power off",
				       force ? " (forced)" : "");
	return ret;
}

static int ctl_time(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_ic_services *ics = ctx;
	struct enl_ts_host *ts = &ics->ts;

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

void enl_ic_register_ctl(struct enl_ic_services *ics, struct enl_ctl *ctl)
{
	enl_ctl_register(ctl, "heartbeat", ctl_heartbeat, ics,
			 "heartbeat: guest heartbeat state and last seen");
	enl_ctl_register(ctl, "shutdown", ctl_shutdown, ics,
			 "shutdown [--reboot] [--force] | shutdown status");
	enl_ctl_register(ctl, "time", ctl_time, ics,
			 "time [shift <ms> | sync]: guest offset, host shift");
}
