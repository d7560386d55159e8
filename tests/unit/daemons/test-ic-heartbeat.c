// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-heartbeatd's heartbeat and shutdown logic against enl-host's services
 * over a socketpair: negotiation, every message type, health, loss,
 * malformed and oversize input, version mismatch.
 */
#include <stddef.h>
#include <stdio.h>
#include <enlighten/ic_heartbeat.h>
#include <enlighten/ic_shutdown.h>

#include "heartbeat.h"
#include "heartbeat_host.h"
#include "log.h"
#include "pair.h"
#include "shutdown.h"
#include "shutdown_host.h"
#include "tap.h"

struct fake_power {
	int calls;
	enum enl_power_action action;
	bool force;
};

static int fake_execute(void *ctx, enum enl_power_action a, bool force)
{
	struct fake_power *fp = ctx;

	fp->calls++;
	fp->action = a;
	fp->force = force;
	return 0;
}

static void test_heartbeat(void)
{
	struct enl_hb_guest g = { .healthy = true };
	struct enl_hb_host h;
	struct pair p;

	enl_hb_host_init(&h);
	pair_open(&p, &enl_hb_guest_ops, &g, &h.ic);
	pair_host_open(&p);
	pair_pump(&p);
	tap_ok(h.ic.state == ENL_IC_HOST_READY, "heartbeat negotiated");
	tap_ok(h.ic.srv == ENL_IC_HEARTBEAT_VERSION_3_0 &&
	       p.guest->srv == h.ic.srv && h.ic.fw == ENL_IC_FW_VERSION_3_0,
	       "highest common versions: framework 3.0, heartbeat 3.0");
	tap_ok(h.state == ENL_HB_OK && g.answered == 1,
	       "first heartbeat answered: ok");
	enl_hb_host_tick(&h);
	pair_pump(&p);
	tap_ok(h.state == ENL_HB_OK && g.answered == 2 && h.last_seen,
	       "second heartbeat: ok, last seen set");

	g.healthy = false;
	enl_hb_host_tick(&h);
	pair_pump(&p);
	tap_ok(h.state == ENL_HB_UNHEALTHY && g.refused == 1,
	       "failing health check: host sees unhealthy");
	g.healthy = true;
	enl_hb_host_tick(&h);
	pair_pump(&p);
	tap_ok(h.state == ENL_HB_OK, "health back: ok again");

	p.guest_silent = 1;
	for (int i = 0; i < 4; i++) {
		enl_hb_host_tick(&h);
		pair_pump(&p);
	}
	tap_ok(h.state == ENL_HB_LOST, "silent guest: lost after %u misses",
	       h.lost_after);
	p.guest_silent = 0;
	enl_hb_host_tick(&h);
	pair_pump(&p);
	tap_ok(h.state == ENL_HB_OK, "guest answers again: ok");
	tap_ok(h.ic.stats.rx_bad == 0 && p.guest->stats.rx_bad == 0,
	       "no bad packets on either side");
	enl_ic_host_close(&h.ic);
	tap_ok(h.state == ENL_HB_LOST, "channel closed: lost");
	pair_close(&p);
}

static void test_heartbeat_v1(void)
{
	static const uint32_t v1[] = { ENL_IC_HEARTBEAT_VERSION_1_0 };
	struct enl_hb_guest g = { .healthy = true };
	struct enl_hb_host h;
	struct pair p;

	enl_hb_host_init(&h);
	enl_ic_host_set_versions(&h.ic, v1, 1);
	pair_open(&p, &enl_hb_guest_ops, &g, &h.ic);
	pair_host_open(&p);
	pair_pump(&p);
	tap_ok(h.ic.srv == ENL_IC_HEARTBEAT_VERSION_1_0 &&
	       h.state == ENL_HB_OK, "heartbeat 1.0 host: negotiated, ok");
	pair_close(&p);
}

static void test_mismatch(void)
{
	static const uint32_t v2[] = { ENL_IC_VERSION(2, 0) };
	struct enl_hb_guest g = { .healthy = true };
	struct enl_hb_host h;
	struct pair p;

	enl_hb_host_init(&h);
	enl_ic_host_set_versions(&h.ic, v2, 1);
	pair_open(&p, &enl_hb_guest_ops, &g, &h.ic);
	pair_host_open(&p);
	pair_pump(&p);
	tap_ok(h.ic.state == ENL_IC_HOST_NO_MATCH && p.guest->srv == 0,
	       "version mismatch: both sides know there is no match");
	tap_ok(enl_ic_host_request(&h.ic, "x", 1) == -ENOTCONN,
	       "no requests after a failed negotiation");
	pair_close(&p);
}

/* Build a request by hand: the host logic never sends malformed ones. */
static size_t raw_req(uint8_t *buf, uint16_t type, const void *body,
		      size_t len, size_t icmsgsize)
{
	struct enl_icmsg_hdr *hdr = (void *)(buf + ENL_ICMSG_HDR_OFFSET);
	int n = enl_ic_build(buf, 8192, type, ENL_IC_FW_VERSION_3_0,
			     ENL_IC_VERSION(3, 0), 7, body, len);

	hdr->icmsgsize = (uint16_t)icmsgsize;
	return (size_t)n;
}

static uint32_t answer_status(struct pair *p, ssize_t *len)
{
	static uint8_t buf[ENL_CHANNEL_MAX_PACKET + 1];
	struct enl_icmsg_hdr *hdr = (void *)(buf + ENL_ICMSG_HDR_OFFSET);

	*len = pair_take(p, buf, sizeof(buf));
	return *len >= ENL_ICMSG_BODY_OFFSET ? hdr->status : 0xdeadbeef;
}

static void test_malformed(void)
{
	static uint8_t big[ENL_CHANNEL_MAX_PACKET + 100];
	struct enl_hb_guest g = { .healthy = true };
	struct enl_hb_host h;
	uint8_t buf[8192];
	uint64_t seq = 5;
	struct pair p;
	ssize_t n;
	size_t len;

	enl_hb_host_init(&h);
	pair_open(&p, &enl_hb_guest_ops, &g, &h.ic);

	pair_inject(&p, buf, 10);
	n = 0;
	answer_status(&p, &n);
	tap_ok(n < 0 && p.guest->stats.rx_bad == 1,
	       "packet shorter than the headers: dropped, counted");

	len = raw_req(buf, ENL_ICMSGTYPE_HEARTBEAT, &seq, sizeof(seq), 200);
	pair_inject(&p, buf, len);
	answer_status(&p, &n);
	tap_ok(n < 0 && p.guest->stats.rx_bad == 2,
	       "icmsgsize past the end: dropped, counted");

	len = raw_req(buf, ENL_ICMSGTYPE_HEARTBEAT, &seq, 4, 4);
	pair_inject(&p, buf, len);
	tap_ok(answer_status(&p, &n) == ENL_HV_E_FAIL,
	       "heartbeat body too short for seq_num: E_FAIL");

	len = raw_req(buf, 42, &seq, sizeof(seq), sizeof(seq));
	pair_inject(&p, buf, len);
	tap_ok(answer_status(&p, &n) == ENL_HV_E_FAIL &&
	       p.guest->stats.rx_unknown == 1,
	       "unknown message type: E_FAIL, counted");

	len = raw_req(buf, ENL_ICMSGTYPE_HEARTBEAT, &seq, sizeof(seq),
		      sizeof(seq));
	((struct enl_icmsg_hdr *)(buf + ENL_ICMSG_HDR_OFFSET))->icvermsg.major = 9;
	pair_inject(&p, buf, len);
	tap_ok(answer_status(&p, &n) == ENL_HV_E_FAIL,
	       "request in a version never negotiated: E_FAIL");

	/* Negotiate with a count far over the limit. */
	{
		struct enl_icmsg_negotiate neg = { .icframe_vercnt = 5000,
						   .icmsg_vercnt = 1 };

		len = raw_req(buf, ENL_ICMSGTYPE_NEGOTIATE, &neg, sizeof(neg),
			      sizeof(neg));
		pair_inject(&p, buf, len);
		tap_ok(answer_status(&p, &n) == ENL_HV_E_FAIL &&
		       p.guest->srv == 0, "negotiate count over limit: E_FAIL");
	}

	memset(big, 0, sizeof(big));
	pair_inject(&p, big, sizeof(big));
	answer_status(&p, &n);
	tap_ok(n < 0 && p.guest->ch->rx_bad == 1,
	       "oversize packet: dropped, counted");

	/* The channel still works after all that. */
	pair_host_open(&p);
	pair_pump(&p);
	tap_ok(h.state == ENL_HB_OK, "service still answers after bad input");

	/* Malformed answers reach the host logic too. */
	len = raw_req(buf, ENL_ICMSGTYPE_HEARTBEAT, &seq, sizeof(seq),
		      sizeof(seq));
	write(p.host_fd, buf, 0);
	enl_ic_host_recv(&h.ic, buf, len);
	tap_ok(h.ic.stats.rx_bad == 1, "host: a request from the guest is bad");
	enl_ic_host_recv(&h.ic, buf, 3);
	tap_ok(h.ic.stats.rx_bad == 2, "host: a truncated answer is bad");
	pair_close(&p);
}

static void test_shutdown(void)
{
	struct fake_power fp = { 0 };
	struct enl_sd_guest g = {
		.power = { .execute = fake_execute, .ctx = &fp },
	};
	struct enl_sd_host h;
	struct pair p;

	enl_sd_host_init(&h);
	tap_ok(enl_sd_host_request(&h, false, false, NULL) == -ENOTCONN,
	       "shutdown before negotiation: -ENOTCONN");
	pair_open(&p, &enl_sd_guest_ops, &g, &h.ic);
	pair_host_open(&p);
	pair_pump(&p);
	tap_ok(h.ic.srv == ENL_IC_SHUTDOWN_VERSION_3_2,
	       "shutdown negotiated 3.2");

	enl_sd_host_request(&h, false, false, "maintenance \xe2\x9c\x93");
	pair_pump(&p);
	tap_ok(h.state == ENL_SD_ACCEPTED && fp.calls == 1 &&
	       fp.action == ENL_POWER_OFF && !fp.force,
	       "power off: accepted, executed after the answer");
	enl_sd_host_request(&h, true, false, NULL);
	pair_pump(&p);
	tap_ok(fp.calls == 2 && fp.action == ENL_POWER_REBOOT && !fp.force,
	       "reboot: executed");
	enl_sd_host_request(&h, true, true, NULL);
	pair_pump(&p);
	tap_ok(fp.calls == 3 && fp.action == ENL_POWER_REBOOT && fp.force,
	       "forced reboot: executed with force");
	enl_sd_host_request(&h, false, true, NULL);
	pair_pump(&p);
	tap_ok(fp.calls == 4 && fp.action == ENL_POWER_OFF && fp.force,
	       "forced power off: executed with force");
	tap_ok(enl_sd_host_request(&h, false, false, "\xff") == -EILSEQ,
	       "host refuses a message that is not UTF-8");

	/* Hibernate and junk flags, by hand. */
	{
		struct enl_ic_shutdown_msg msg = {
			.flags = ENL_IC_SHUTDOWN_FLAG_HIBERNATE };
		uint8_t buf[4096];
		ssize_t n;
		size_t len;

		len = raw_req(buf, ENL_ICMSGTYPE_SHUTDOWN, &msg, sizeof(msg),
			      sizeof(msg));
		pair_inject(&p, buf, len);
		tap_ok(answer_status(&p, &n) == ENL_HV_E_FAIL && fp.calls == 4,
		       "hibernate not allowed: E_FAIL, nothing executed");
		msg.flags = 0x10;
		len = raw_req(buf, ENL_ICMSGTYPE_SHUTDOWN, &msg, sizeof(msg),
			      sizeof(msg));
		pair_inject(&p, buf, len);
		tap_ok(answer_status(&p, &n) == ENL_HV_E_FAIL && fp.calls == 4,
		       "unknown flags: E_FAIL, nothing executed");
		len = raw_req(buf, ENL_ICMSGTYPE_SHUTDOWN, &msg, 8, 8);
		pair_inject(&p, buf, len);
		tap_ok(answer_status(&p, &n) == ENL_HV_E_FAIL && fp.calls == 4,
		       "truncated shutdown body: E_FAIL, nothing executed");
		msg.flags = 0;
		len = raw_req(buf, ENL_ICMSGTYPE_SHUTDOWN, &msg, 12, 12);
		pair_inject(&p, buf, len);
		tap_ok(answer_status(&p, &n) == ENL_HV_S_OK && fp.calls == 5,
		       "request without the message text: accepted");
		g.allow_hibernate = true;
		msg.flags = ENL_IC_SHUTDOWN_FLAG_HIBERNATE;
		len = raw_req(buf, ENL_ICMSGTYPE_SHUTDOWN, &msg, sizeof(msg),
			      sizeof(msg));
		((struct enl_icmsg_hdr *)(buf + ENL_ICMSG_HDR_OFFSET))
			->icvermsg.minor = 2;
		pair_inject(&p, buf, len);
		tap_ok(answer_status(&p, &n) == ENL_HV_S_OK && fp.calls == 6 &&
		       fp.action == ENL_POWER_HIBERNATE,
		       "hibernate allowed by config on 3.2: executed");
	}
	pair_close(&p);
}

int main(void)
{
	enl_log_init("test-ic-heartbeat", true);
	test_heartbeat();
	test_heartbeat_v1();
	test_mismatch();
	test_malformed();
	test_shutdown();
	return tap_done();
}
