// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-vssd against enl-host's backup service over a socketpair: check,
 * freeze, thaw, failing hooks and file systems, auto-thaw, bad requests.
 * The freezer and the hooks are fakes; the sequencing is the real one.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <enlighten/ic_vss.h>

#include "fixture.h"
#include "holdlog.h"
#include "pair.h"
#include "tap.h"
#include "vss.h"
#include "vss_host.h"

struct fake_hooks {
	GString *log;
	const char *fail;	/* basename that fails */
};

static int fake_hook(void *ctx, const char *path, const char *arg,
		     unsigned int timeout_ms)
{
	struct fake_hooks *h = ctx;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	(void)timeout_ms;
	g_string_append_printf(h->log, "%s:%s ", base, arg);
	return h->fail && !strcmp(base, h->fail) && !strcmp(arg, "freeze") ?
	       -ECHILD : 0;
}

static unsigned int timer_ms;
static int timer_sets;

static void fake_timer(void *ctx, unsigned int ms)
{
	(void)ctx;
	timer_ms = ms;
	timer_sets++;
}

static void quiet(int prio, const char *line)
{
	(void)prio;
	(void)line;
}

static struct pair p;
static struct enl_vss_host host;
static struct enl_vss vss;

/* One host request answered by the guest; returns the status. */
static uint32_t ask(unsigned int op)
{
	int ret = enl_vss_host_request(&host, op);

	if (ret < 0) {
		tap_diag("request %u: %s", op, strerror(-ret));
		return 0xdeadbeef;
	}
	pair_pump(&p);
	return host.have_result ? host.status : 0xdeadbeef;
}

/* A raw VSS packet body from the "host"; the guest's raw answer back. */
static ssize_t raw(const void *body, size_t len, uint8_t *ans, size_t size)
{
	uint8_t pkt[512];
	int n = enl_ic_build(pkt, sizeof(pkt), ENL_ICMSGTYPE_VSS, host.ic.fw,
			     host.ic.srv, 200, body, len);

	if (n < 0 || pair_inject(&p, pkt, (size_t)n) < 0)
		return -1;
	return pair_take(&p, ans, size);
}

static uint32_t raw_status(const uint8_t *ans)
{
	const struct enl_icmsg_hdr *h = (const void *)(ans + ENL_ICMSG_HDR_OFFSET);

	return h->status;
}

int main(void)
{
	char *dir = g_dir_make_tmp("enl-vss-ic-XXXXXX", NULL);
	char *mi = g_build_filename(dir, "mountinfo", NULL);
	char *hooks = g_build_filename(dir, "vss.d", NULL);
	char *sys = fake_sysfs("/home/img");
	struct enl_freeze_ops ops;
	struct fake_fs f;
	struct fake_hooks fh = { g_string_new(NULL), NULL };
	struct enl_vss_conf conf = {
		.mountinfo = mi, .sysfs = sys, .hooks_dir = hooks,
		.hook_timeout_ms = 1000, .auto_thaw_ms = 60000,
	};
	struct enl_vss_env env = {
		.fs = &ops, .run_hook = fake_hook, .hook_ctx = &fh,
		.set_timer = fake_timer,
	};
	struct enl_vss_msg msg = { 0 };
	uint8_t ans[512];
	ssize_t n;

	enl_holdlog_set_sink(quiet);
	g_file_set_contents(mi, fixture_mountinfo, -1, NULL);
	mkdir(hooks, 0700);
	for (int i = 0; i < 2; i++) {
		char *h = g_build_filename(hooks, i ? "20-b" : "10-a", NULL);

		g_file_set_contents(h, "#!/bin/sh\n", -1, NULL);
		chmod(h, 0755);
		g_free(h);
	}
	fake_fs_init(&f, &ops);
	enl_vss_init(&vss, &conf, &env);
	enl_vss_host_init(&host);
	pair_open(&p, &enl_vss_guest_ops, &vss, &host.ic);
	pair_host_open(&p);
	pair_pump(&p);
	tap_ok(host.ic.state == ENL_IC_HOST_READY &&
	       host.ic.srv == ENL_IC_VSS_VERSION_5_0, "negotiated VSS 5.0");

	tap_ok(ask(ENL_VSS_OP_HOT_BACKUP) == ENL_HV_S_OK &&
	       host.feature_flags == ENL_VSS_HBU_NO_AUTO_RECOVERY,
	       "check: S_OK, no auto-recovery");
	tap_ok(f.frozen == 0 && fh.log->len == 0, "check touches nothing");

	tap_ok(ask(ENL_VSS_OP_FREEZE) == ENL_HV_S_OK &&
	       host.state == ENL_VSS_HOST_FROZEN && vss.state == ENL_VSS_FROZEN,
	       "freeze: S_OK, both sides frozen");
	tap_ok(f.frozen == 7 && g_str_has_suffix(f.log->str, "F:/opt F:/ "),
	       "7 file systems frozen, root last");
	tap_ok(!strcmp(fh.log->str, "10-a:freeze 20-b:freeze "),
	       "freeze hooks in name order");
	tap_ok(timer_ms == 60000, "auto-thaw armed");
	tap_ok(enl_holdlog_holding(), "logs held while frozen");
	tap_ok(ask(ENL_VSS_OP_FREEZE) == ENL_HV_S_OK && f.frozen == 7,
	       "a repeated freeze keeps the machine frozen once");
	g_string_truncate(fh.log, 0);
	g_string_truncate(f.log, 0);
	tap_ok(ask(ENL_VSS_OP_THAW) == ENL_HV_S_OK &&
	       host.state == ENL_VSS_HOST_IDLE && vss.state == ENL_VSS_THAWED,
	       "thaw: S_OK, both sides thawed");
	tap_ok(f.frozen == 0 && g_str_has_prefix(f.log->str, "T:/ T:/opt "),
	       "thawed in reverse");
	tap_ok(!strcmp(fh.log->str, "20-b:thaw 10-a:thaw "),
	       "thaw hooks in reverse order");
	tap_ok(timer_ms == 0 && !enl_holdlog_holding(),
	       "auto-thaw disarmed, logs flushed");
	tap_ok(ask(ENL_VSS_OP_THAW) == ENL_HV_S_OK, "thaw when thawed: S_OK");

	/* A failing hook: E_FAIL, no fs touched, freezefail in reverse. */
	g_string_truncate(fh.log, 0);
	g_string_truncate(f.log, 0);
	fh.fail = "20-b";
	tap_ok(ask(ENL_VSS_OP_FREEZE) == ENL_HV_E_FAIL &&
	       host.state == ENL_VSS_HOST_IDLE, "failing hook: E_FAIL");
	tap_ok(f.log->len == 0 && !strcmp(fh.log->str,
	       "10-a:freeze 20-b:freeze 20-b:freezefail 10-a:freezefail "),
	       "failing hook: no fs frozen, freezefail to the hooks that ran");
	fh.fail = NULL;

	/* A refusing file system midway. */
	g_string_truncate(fh.log, 0);
	f.fail_freeze = "/home";
	f.fail_errno = EBUSY;
	tap_ok(ask(ENL_VSS_OP_FREEZE) == ENL_HV_E_FAIL && f.frozen == 0 &&
	       vss.state == ENL_VSS_THAWED && !enl_holdlog_holding(),
	       "busy fs: E_FAIL, everything thawed, logs flushed");
	tap_ok(g_str_has_suffix(fh.log->str, "20-b:freezefail 10-a:freezefail "),
	       "busy fs: freezefail hooks ran");
	f.fail_freeze = NULL;
	tap_ok(vss.stats.freeze_failures == 2, "failures counted");

	/* Unreadable mount table. */
	conf.mountinfo = "/nonexistent/mountinfo";
	tap_ok(ask(ENL_VSS_OP_FREEZE) == ENL_HV_E_FAIL && f.frozen == 0,
	       "no mount table: E_FAIL");
	conf.mountinfo = mi;

	/* Host goes silent after freeze. */
	tap_ok(ask(ENL_VSS_OP_FREEZE) == ENL_HV_S_OK && f.frozen == 7,
	       "frozen again");
	enl_vss_auto_thaw(&vss);
	tap_ok(f.frozen == 0 && vss.state == ENL_VSS_THAWED &&
	       vss.stats.auto_thaws == 1 && !enl_holdlog_holding(),
	       "auto-thaw thaws everything");
	tap_ok(ask(ENL_VSS_OP_THAW) == ENL_HV_E_FAIL,
	       "the late thaw learns it was auto-thawed (E_FAIL)");
	tap_ok(ask(ENL_VSS_OP_THAW) == ENL_HV_S_OK, "then thaw is S_OK again");
	enl_vss_auto_thaw(&vss);
	tap_ok(vss.stats.auto_thaws == 1, "auto-thaw while thawed does nothing");

	tap_ok(ask(ENL_VSS_OP_GET_DM_INFO) == ENL_HV_S_OK &&
	       ask(ENL_VSS_OP_BU_COMPLETE) == ENL_HV_S_OK &&
	       ask(ENL_VSS_OP_CREATE) == ENL_HV_S_OK,
	       "bookkeeping operations: S_OK");
	tap_ok(enl_vss_host_request(&host, 99) == -EINVAL,
	       "host refuses an unknown operation");

	/* Raw requests the host logic would never send. */
	msg.vss_hdr.operation = 42;
	n = raw(&msg, sizeof(msg), ans, sizeof(ans));
	tap_ok(n == ENL_ICMSG_BODY_OFFSET + (ssize_t)sizeof(msg) &&
	       raw_status(ans) == ENL_HV_ERROR_NOT_SUPPORTED,
	       "unknown operation: NOT_SUPPORTED, answered at the same length");
	msg.vss_hdr.operation = ENL_VSS_OP_FREEZE;
	n = raw(&msg, 4, ans, sizeof(ans));
	tap_ok(n > 0 && raw_status(ans) == ENL_HV_E_FAIL && f.frozen == 0,
	       "short body: E_FAIL, nothing frozen");
	{
		uint8_t big[ENL_ICMSG_BODY_OFFSET + 6260];
		struct enl_icmsg_hdr *h = (void *)(big + ENL_ICMSG_HDR_OFFSET);
		int len;

		memset(big, 0, sizeof(big));
		msg.vss_hdr.operation = ENL_VSS_OP_HOT_BACKUP;
		len = enl_ic_build(big, sizeof(big), ENL_ICMSGTYPE_VSS,
				   host.ic.fw, host.ic.srv, 201, &msg, sizeof(msg));
		/* A freeze-sized request with LUN data after the message. */
		h->icmsgsize = 6260;
		((struct enl_vmbuspipe_hdr *)big)->msgsize = 20 + 6260;
		(void)len;
		pair_inject(&p, big, sizeof(big));
		n = pair_take(&p, big, sizeof(big));
		tap_ok(n == (ssize_t)sizeof(big) && h->status == ENL_HV_S_OK,
		       "6260-byte request answered in full");
		h->icmsgsize = 60000;
		pair_inject(&p, big, sizeof(big));
		n = pair_take(&p, big, sizeof(big));
		tap_ok(n < 0 && p.guest->stats.rx_bad > 0,
		       "icmsgsize beyond the packet: dropped, counted");
	}
	tap_ok(vss.stats.bad_requests == 2, "bad requests counted");

	pair_close(&p);
	enl_vss_free(&vss);
	enl_vss_host_init(&host);
	g_string_free(fh.log, TRUE);
	g_string_free(f.log, TRUE);
	rm_rf(dir);
	rm_rf(sys);
	g_free(dir);
	g_free(sys);
	g_free(mi);
	g_free(hooks);
	return tap_done();
}
