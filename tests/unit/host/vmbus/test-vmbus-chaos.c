// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hold fault (messages delayed, never reordered, dropped on reset) and
 * the chaos engine over a fake SynIC: strict arguments, a run that reaches
 * its count and heals (every device it took away offered again, as it was
 * where its class can say how), and the same seed choosing the same
 * faults; a channel whose close the host ignored taken away by the heal;
 * the rescind-primary-first fault.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "echo/echo.h"
#include "server.h"
#include "server_priv.h"
#include "tap.h"
#include "test-vmbus-guest.h"

#define RAM	(4u << 20)
#define C4	ENL_VMBUS_MESSAGE_CONNECTION_ID_4

static struct enl_hv *hv;
static struct enl_vmbus_server *srv;
static struct enl_ctl *ctl;

/* RAM behind an fd: the host can map rings the fake guest lays out. */
static void setup_fd(bool want_fd)
{
	hv = fake_hv_new(RAM, want_fd);
	srv = enl_vmbus_server_new(hv);
	enl_vmbus_server_add_class(srv, &enl_vsp_echo_class);
	enl_vmbus_server_offer(srv, "echo");
	enl_vmbus_server_offer(srv, "echo");
	ctl = fake_ctl_new();
	enl_vmbus_server_register_ctl(srv, ctl);
	guest_contact(hv, C4, ENL_VMBUS_VERSION_WIN10_V5_3, 0, 2);
	guest_simple(hv, C4, ENL_CHANNELMSG_REQUESTOFFERS);
	fake_hv_drain(hv);
}

static void setup(void)
{
	setup_fd(false);
}

static void teardown(void)
{
	fake_ctl_free(ctl);
	enl_vmbus_server_free(srv);
	fake_hv_free(hv);
}

static int run(const char *line, char **out)
{
	return fake_ctl_run(ctl, line, out);
}

static void test_hold(void)
{
	struct fake_msg *m;
	char *out = NULL;

	setup();
	tap_ok(enl_vmbus_hold_start(srv, 0) == -EINVAL &&
	       enl_vmbus_hold_start(srv, 10001) == -EINVAL,
	       "hold: 0 ms and more than 10 s refused");
	tap_ok(enl_vmbus_hold_start(srv, 5000) == 0, "hold for 5 s");
	enl_vmbus_server_rescind(srv, 1);
	enl_vmbus_server_offer(srv, "echo");
	enl_vmbus_server_rescind(srv, 2);
	tap_ok(!fake_hv_pop(hv) && srv->stats.held == 3,
	       "while held nothing reaches the guest (3 held)");
	enl_vmbus_hold_release(srv);
	m = fake_hv_pop(hv);
	tap_ok(m && fake_msgtype(m) == ENL_CHANNELMSG_RESCIND_CHANNELOFFER,
	       "released: the first rescind first");
	g_free(m);
	m = fake_hv_pop(hv);
	tap_ok(m && fake_msgtype(m) == ENL_CHANNELMSG_OFFERCHANNEL,
	       "then the offer");
	g_free(m);
	m = fake_hv_pop(hv);
	tap_ok(m && fake_msgtype(m) == ENL_CHANNELMSG_RESCIND_CHANNELOFFER &&
	       !fake_hv_pop(hv), "then the second rescind, nothing more");
	g_free(m);
	/* A reset forgets what was held for the old connection. */
	enl_vmbus_hold_start(srv, 5000);
	enl_vmbus_server_offer(srv, "echo");
	guest_simple(hv, C4, ENL_CHANNELMSG_UNLOAD);
	m = fake_hv_pop(hv);
	tap_ok(m && fake_msgtype(m) == ENL_CHANNELMSG_UNLOAD_RESPONSE &&
	       srv->stats.hold_dropped == 1 && !fake_hv_pop(hv),
	       "UNLOAD: the held offer is dropped (counted), the answer goes");
	g_free(m);
	free(out);
	teardown();
}

static void test_args(void)
{
	char *out = NULL;

	setup();
	tap_ok(run("chaos", &out) == -EINVAL, "chaos without --seed refused");
	free(out);
	tap_ok(run("chaos --seed 1 --count 0", &out) == -EINVAL,
	       "count 0 refused");
	free(out);
	tap_ok(run("chaos --seed 1 --count 5 --interval 1", &out) == -EINVAL,
	       "interval under 10 ms refused");
	free(out);
	tap_ok(run("chaos --seed 1 --count 5 extra", &out) == -EINVAL,
	       "extra argument refused");
	free(out);
	tap_ok(run("chaos --seed 1 --count 5 --classes echo,nosuch", &out) ==
	       -ENOENT && strstr(out, "nosuch"), "unknown class named");
	free(out);
	tap_ok(run("chaos status", &out) == -ENOENT, "status before any run");
	free(out);
	teardown();
}

/* Turn the main loop until the status has want in it, or secs pass. */
static char *chaos_wait(const char *want, int secs)
{
	gint64 deadline = g_get_monotonic_time() + secs * G_USEC_PER_SEC;
	char *out = NULL;

	while (g_get_monotonic_time() < deadline) {
		free(out);
		out = NULL;
		run("chaos status", &out);
		if (out && strstr(out, want))
			break;
		/* Without a blocking wait: a stopped run has no timer left. */
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
		/* The fake guest answers nothing: what the host sent goes. */
		fake_hv_drain(hv);
	}
	return out;
}

/* Run chaos on classes to its end; the status text of the finished run. */
static char *chaos_run_on(uint64_t seed, unsigned int count,
			  const char *classes)
{
	char line[128], *out = NULL;

	snprintf(line, sizeof(line), "chaos --seed %llu --count %u "
		 "--interval 10 --classes %s", (unsigned long long)seed,
		 count, classes);
	if (run(line, &out))
		return out;
	free(out);
	return chaos_wait("state done", 30);
}

static char *chaos_run(uint64_t seed, unsigned int count)
{
	return chaos_run_on(seed, count, "echo");
}

static unsigned int live_echo(void)
{
	unsigned int relid, n = 0;

	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++)
		if (srv->chan[relid] && srv->chan[relid]->state !=
		    ENL_CHAN_RESCINDED && !srv->chan[relid]->sub_index)
			n++;
	return n;
}

/* The faults by kind: the lines after "injected", up to "skipped". */
static char *kinds(const char *status)
{
	const char *a = status ? strstr(status, "rescind ") : NULL;
	const char *b = status ? strstr(status, "skipped") : NULL;

	return a && b && b > a ? g_strndup(a, (gsize)(b - a)) : g_strdup("");
}

static void test_run_and_heal(void)
{
	char *first, *second, *k1, *k2;

	setup();
	first = chaos_run(42, 60);
	tap_ok(first && strstr(first, "state done") &&
	       strstr(first, "injected 60/60"),
	       "60 faults injected, then done");
	tap_ok(live_echo() == 2, "healed: both echo devices offered again "
	       "(%u live)", live_echo());
	tap_ok(!enl_vmbus_hold_active(srv), "nothing held back any more");
	teardown();
	setup();
	second = chaos_run(42, 60);
	k1 = kinds(first);
	k2 = kinds(second);
	tap_ok(*k1 && !strcmp(k1, k2), "the same seed chose the same faults");
	if (strcmp(k1, k2))
		tap_diag("first:\n%s\nsecond:\n%s", k1, k2);
	g_free(k1);
	g_free(k2);
	free(second);
	teardown();
	setup();
	second = chaos_run(43, 60);
	k2 = kinds(second);
	k1 = kinds(first);
	tap_ok(strcmp(k1, k2), "another seed, other faults");
	g_free(k1);
	g_free(k2);
	free(first);
	free(second);
	teardown();
}

/*
 * A class that can say how to offer its device again (save / reoffer /
 * forget): each device has a tag, made anew by a plain offer, kept by a
 * reoffer. keep_fail makes every reoffer fail.
 */
static int keep_next_tag = 1, keep_pending, keep_saves, keep_forgets;
static bool keep_fail, keep_create_fail;

static void *keep_create(struct enl_vsp_channel *ch)
{
	int *tag;

	(void)ch;
	if (keep_create_fail)
		return NULL;
	tag = g_new(int, 1);
	*tag = keep_pending ? keep_pending : keep_next_tag++;
	keep_pending = 0;
	return tag;
}

static void *keep_save(struct enl_vsp_channel *ch)
{
	keep_saves++;
	return g_memdup2(enl_vsp_state(ch), sizeof(int));
}

static int keep_reoffer(struct enl_vmbus_server *s, const void *saved)
{
	if (keep_fail)
		return -EIO;
	keep_pending = *(const int *)saved;
	return enl_vmbus_server_offer(s, "keep");
}

static void keep_forget(void *saved)
{
	keep_forgets++;
	g_free(saved);
}

static int keep_open(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	(void)ch;
	(void)user_data;
	return 0;
}

static int keep_packet(struct enl_vsp_channel *ch,
		       const struct enl_ring_pkt *pkt, const void *data)
{
	(void)ch;
	(void)pkt;
	(void)data;
	return 0;
}

static const struct enl_vsp_class keep_class = {
	.name = "keep",
	.class_guid = { .b = { 0x6b, 0x65, 0x65, 0x70 } },
	.create = keep_create,
	.destroy = g_free,
	.on_open = keep_open,
	.on_packet = keep_packet,
	.save = keep_save,
	.reoffer = keep_reoffer,
	.forget = keep_forget,
};

/* The tags of the live keep devices in relid order, as "2 1 ". */
static char *live_tags(void)
{
	GString *s = g_string_new(NULL);
	unsigned int relid;

	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++) {
		struct enl_vsp_channel *ch = srv->chan[relid];

		if (ch && ch->state != ENL_CHAN_RESCINDED && ch->cls == &keep_class)
			g_string_append_printf(s, "%d ", *(int *)enl_vsp_state(ch));
	}
	return g_string_free(s, FALSE);
}

static char *keep_run(uint64_t seed, bool fail)
{
	setup();
	keep_next_tag = 1;
	keep_saves = keep_forgets = 0;
	keep_fail = fail;
	enl_vmbus_server_add_class(srv, &keep_class);
	enl_vmbus_server_offer(srv, "keep");
	enl_vmbus_server_offer(srv, "keep");
	fake_hv_drain(hv);
	return chaos_run_on(seed, 80, "keep");
}

/* Devices come back as they were where the class says how. */
static void test_heal_as_they_were(void)
{
	char *out = keep_run(7, false), *tags = live_tags(), want[64];

	if (!out || !strstr(out, "state done"))
		tap_diag("%s", out ? out : "(nothing)");
	tap_ok(out && strstr(out, "state done"), "80 faults on two keep "
	       "devices, then done");
	tap_ok((!strcmp(tags, "1 2 ") || !strcmp(tags, "2 1 ")) &&
	       keep_next_tag == 3,
	       "healed with the same two devices, none new (live: %s)", tags);
	snprintf(want, sizeof(want), "reoffers %d\nreoffer_failed 0\n",
		 keep_saves);
	tap_ok(keep_saves > 0 && out && strstr(out, want),
	       "every one taken away was offered again as it was (%d)",
	       keep_saves);
	teardown();
	tap_ok(keep_forgets == keep_saves, "what was saved is freed (%d of %d)",
	       keep_forgets, keep_saves);
	free(out);
	g_free(tags);

	out = keep_run(7, true);
	tags = live_tags();
	snprintf(want, sizeof(want), "reoffers %d\nreoffer_failed %d\n",
		 keep_saves, keep_saves);
	tap_ok(out && strstr(out, "state done") && strstr(out, want) &&
	       keep_next_tag > 3 && strlen(tags) >= 4,
	       "reoffers that fail are counted, and new devices take their "
	       "place (live: %s)", tags);
	teardown();
	tap_ok(keep_forgets == keep_saves, "and what was saved is freed");
	free(out);
	g_free(tags);
}

/*
 * chaos stop while a device cannot come back yet: it goes on healing
 * until the device is there, and only then says stopped.
 */
static void test_stop_heals_to_the_end(void)
{
	gint64 deadline;
	char *out = NULL, *tags;

	setup();
	keep_next_tag = 1;
	keep_saves = keep_forgets = 0;
	keep_fail = true;
	keep_create_fail = false;
	enl_vmbus_server_add_class(srv, &keep_class);
	enl_vmbus_server_offer(srv, "keep");
	enl_vmbus_server_offer(srv, "keep");
	fake_hv_drain(hv);
	keep_create_fail = true;
	run("chaos --seed 5 --count 100000 --interval 10 --classes keep",
	    &out);
	free(out);
	out = NULL;
	deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	while (!keep_saves && g_get_monotonic_time() < deadline) {
		g_main_context_iteration(NULL, TRUE);
		fake_hv_drain(hv);
	}
	tap_ok(keep_saves > 0, "a keep device was taken away (%d)",
	       keep_saves);
	run("chaos stop", &out);
	tap_ok(out && strstr(out, "state healing"),
	       "chaos stop while its class cannot make a device: healing");
	if (!out || !strstr(out, "state healing"))
		tap_diag("%s", out ? out : "(nothing)");
	free(out);
	out = NULL;
	tap_ok(run("chaos --seed 6 --count 5 --classes keep", &out) ==
	       -EBUSY && strstr(out, "still healing"),
	       "a new run waits for the heal");
	free(out);
	keep_create_fail = false;
	out = chaos_wait("state stopped", 20);
	tags = live_tags();
	tap_ok(out && strstr(out, "state stopped") && strlen(tags) >= 4,
	       "once it can, the device comes back, then stopped (live: %s)",
	       tags);
	if (!out || !strstr(out, "state stopped"))
		tap_diag("%s", out ? out : "(nothing)");
	teardown();
	free(out);
	g_free(tags);
}

/* The relid a RESCIND_CHANNELOFFER is about, or 0 for anything else. */
static uint32_t rescinded_relid(struct fake_msg *m)
{
	uint32_t relid = 0;

	if (m && fake_msgtype(m) == ENL_CHANNELMSG_RESCIND_CHANNELOFFER)
		relid = ((struct enl_vmbus_channel_rescind_offer *)m->data)
				->child_relid;
	g_free(m);
	return relid;
}

/* The relid of a live echo device other than not, or 0. */
static uint32_t other_echo(uint32_t not)
{
	uint32_t relid;

	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++)
		if (relid != not && srv->chan[relid] &&
		    srv->chan[relid]->state == ENL_CHAN_OFFERED)
			return relid;
	return 0;
}

/*
 * A close the host ignored (a muted close) leaves the channel open on the
 * host's side, and the guest's next open of it is refused: healing takes
 * it away and offers the device again, which the guest can open.
 */
static void test_heal_ignored_close(void)
{
	struct guest_chan gc = {
		.relid = 1, .gpadl = 0xc1, .out_pfn = 0x100, .out_pages = 4,
		.in_pfn = 0x110, .in_pages = 4,
	};
	struct fake_msg *m;
	char *out = NULL;
	bool rescinded = false;
	uint32_t back;

	setup_fd(true);
	guest_chan_setup(hv, C4, &gc);
	tap_ok(!guest_gpadl_created(hv, gc.gpadl) &&
	       guest_chan_open(hv, C4, &gc, 1), "the guest opens relid 1");
	run("fault mute close 1 1", &out);
	free(out);
	guest_relid_msg(hv, C4, ENL_CHANNELMSG_CLOSECHANNEL, 1);
	tap_ok(srv->chan[1]->state == ENL_CHAN_OPEN &&
	       srv->chan[1]->close_ignored, "its close is ignored: the host "
	       "holds it open");
	tap_ok(!guest_chan_open(hv, C4, &gc, 2), "so the guest cannot open "
	       "it again");
	fake_hv_drain(hv);

	/* No tick comes before the stop: only the heal acts. */
	run("chaos --seed 3 --count 10 --interval 5000 --classes echo", &out);
	free(out);
	out = NULL;
	run("chaos stop", &out);
	while ((m = fake_hv_pop(hv)))
		rescinded |= rescinded_relid(m) == 1;
	tap_ok(rescinded && out && strstr(out, "heal_rescinds 1\n"),
	       "chaos stop heals: relid 1 is taken away, and counted");
	free(out);
	guest_relid_msg(hv, C4, ENL_CHANNELMSG_RELID_RELEASED, 1);
	out = chaos_wait("state stopped", 20);
	back = other_echo(2);
	if (!back)
		tap_diag("%s", out ? out : "(nothing)");
	tap_ok(out && strstr(out, "state stopped") && live_echo() == 2 && back,
	       "once the guest let go, the device is offered again "
	       "(relid %u)", back);
	fake_hv_drain(hv);
	gc.relid = back;
	gc.gpadl = 0xc2;
	guest_chan_setup(hv, C4, &gc);
	tap_ok(back && !guest_gpadl_created(hv, gc.gpadl) &&
	       guest_chan_open(hv, C4, &gc, 3), "and the guest opens it");
	teardown();
	free(out);
}

/*
 * fault rescind-primary-first: the primary's RESCIND before its
 * sub-channels' (ctl rescind sends the subs' first), for guests that must
 * survive either order.
 */
static void test_rescind_primary_first(void)
{
	uint32_t p, first, a, b, sub = 0, i;
	char line[64], *out = NULL;
	int ret, subs;

	setup();
	enl_vmbus_server_add_class(srv, &enl_vsp_echo_mq_class);
	p = enl_vmbus_server_offer(srv, "echo-mq");
	subs = p ? enl_vsp_create_subchannels(srv->chan[p], 2) : -1;
	/* Offered from the main loop when this thread does not own it. */
	while (g_main_context_iteration(NULL, FALSE))
		;
	for (i = 1; i <= ENL_VMBUS_MAX_RELID; i++)
		if (srv->chan[i] && srv->chan[i]->parent == srv->chan[p])
			sub = i;
	tap_ok(subs == 2 && sub, "an echo-mq primary (relid %u) with 2 "
	       "sub-channels (one is relid %u)", p, sub);
	fake_hv_drain(hv);

	snprintf(line, sizeof(line), "fault rescind-primary-first %u", sub);
	ret = run(line, &out);
	tap_ok(ret == -EINVAL, "refused for a sub-channel (%d)", ret);
	g_free(out);
	tap_ok(!fake_hv_pop(hv), "and nothing sent");
	snprintf(line, sizeof(line), "fault rescind-primary-first %u", p);
	ret = run(line, &out);
	tap_ok(ret == 0 && strstr(out, "injected"), "injected on the primary");
	g_free(out);
	first = rescinded_relid(fake_hv_pop(hv));
	a = rescinded_relid(fake_hv_pop(hv));
	b = rescinded_relid(fake_hv_pop(hv));
	tap_ok(first == p && a && b && a != p && b != p && a != b &&
	       srv->chan[a]->parent == srv->chan[p] &&
	       srv->chan[b]->parent == srv->chan[p] && !fake_hv_pop(hv),
	       "the primary's RESCIND first (%u), then its 2 sub-channels' "
	       "(%u, %u), nothing more", first, a, b);
	snprintf(line, sizeof(line), "fault rescind-primary-first %u", p);
	ret = run(line, &out);
	tap_ok(ret < 0, "a second time: already rescinded (%d)", ret);
	g_free(out);
	teardown();
}

int main(void)
{
	test_hold();
	test_args();
	test_run_and_heal();
	test_heal_as_they_were();
	test_stop_heals_to_the_end();
	test_heal_ignored_close();
	test_rescind_primary_first();
	return tap_done();
}
