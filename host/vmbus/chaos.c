// SPDX-License-Identifier: GPL-2.0-only
/*
 * The chaos engine (chaos.h) and its verb. Every fault goes through the
 * same paths as `ctl fault`, `ctl rescind` and `ctl offer`; the engine only
 * chooses, from a seeded generator, what to do next and to whom.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "server_priv.h"

#define CHAOS_MAX_COUNT		1000000u
#define CHAOS_MIN_INTERVAL_MS	10u
#define CHAOS_MAX_INTERVAL_MS	60000u
#define CHAOS_DEFAULT_INTERVAL_MS 100u
/*
 * A class taken away is offered again up to this many ticks later. Ticks,
 * not time: without a guest acting in between, a seed replays exactly.
 */
#define CHAOS_REOFFER_MAX_TICKS	15u
#define CHAOS_HOLD_MIN_MS	20u
#define CHAOS_HOLD_MAX_MS	3000u
#define CHAOS_GARBAGE_MAX	4096u
/* The transaction id of chaos packets, to tell them in guest logs. */
#define CHAOS_TRANS_ID		0xc4a05ull

enum chaos_kind {
	K_RESCIND,		/* rescind; the class is offered again later */
	K_CORRUPT_RING,		/* then rescinded on the next tick */
	K_OVERSIZE_PACKET,	/* fills the guest's inbound ring */
	K_GARBAGE_PACKET,	/* random bytes of random length */
	K_OVERSIZE_MSG,		/* a channel message of no known type */
	K_BAD_OFFER,		/* a cut-off offer */
	K_BAD_GPADL_CREATED,	/* for a handle the guest never asked for */
	K_DROP,			/* one answer left out (a mute) */
	K_DELAY,		/* every message held back for a while */
	K_COUNT
};

static const char *const kind_names[K_COUNT] = {
	[K_RESCIND] = "rescind",
	[K_CORRUPT_RING] = "corrupt-ring",
	[K_OVERSIZE_PACKET] = "oversize-packet",
	[K_GARBAGE_PACKET] = "garbage-packet",
	[K_OVERSIZE_MSG] = "oversize-message",
	[K_BAD_OFFER] = "bad-offer",
	[K_BAD_GPADL_CREATED] = "bad-gpadl-created",
	[K_DROP] = "drop",
	[K_DELAY] = "delay",
};

enum chaos_state { CHAOS_IDLE, CHAOS_RUNNING, CHAOS_HEALING, CHAOS_DONE,
		   CHAOS_STOPPED };

static const char *const state_names[] = {
	[CHAOS_IDLE] = "idle",
	[CHAOS_RUNNING] = "running",
	[CHAOS_HEALING] = "healing",
	[CHAOS_DONE] = "done",
	[CHAOS_STOPPED] = "stopped",
};

struct chaos_class {
	const struct enl_vsp_class *cls;
	unsigned int want;	/* primaries offered when the run began */
	uint64_t reoffer_at;	/* the tick to offer again on; 0: none owed */
	GQueue saved;		/* devices taken away, from cls->save */
};

struct enl_vmbus_chaos {
	struct enl_vmbus_server *srv;
	enum chaos_state state;
	uint64_t seed, rng;
	uint32_t count, done;
	uint64_t ticks;
	unsigned int interval_ms;
	struct chaos_class classes[ENL_VMBUS_MAX_CLASSES];
	unsigned int nr_classes;
	GSource *timer;
	uint64_t by_kind[K_COUNT];
	uint64_t skipped;	/* ticks with nothing to act on */
	uint64_t reoffers, heal_rescinds;
	uint64_t reoffer_failed;	/* saved devices that could not come back */
	bool stop_asked;	/* healing after `chaos stop`: ends stopped */
	char last[96];
};

/* splitmix64: small, and the same sequence for a seed everywhere. */
static uint64_t next_rand(struct enl_vmbus_chaos *c)
{
	uint64_t z = (c->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rand_below(struct enl_vmbus_chaos *c, uint32_t n)
{
	return n ? (uint32_t)(next_rand(c) % n) : 0;
}

static struct chaos_class *class_of(struct enl_vmbus_chaos *c,
				    const struct enl_vsp_class *cls)
{
	unsigned int i;

	for (i = 0; i < c->nr_classes; i++)
		if (c->classes[i].cls == cls)
			return &c->classes[i];
	return NULL;
}

static bool is_primary(const struct enl_vsp_channel *ch)
{
	return !ch->parent && !ch->sub_index;
}

/* The chaos classes' channels in a state, primaries only if asked. */
static unsigned int pick_set(struct enl_vmbus_chaos *c,
			     enum enl_vmbus_chan_state state, bool primaries,
			     struct enl_vsp_channel **set)
{
	struct enl_vmbus_server *srv = c->srv;
	unsigned int n = 0;
	uint32_t relid;

	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++) {
		struct enl_vsp_channel *ch = srv->chan[relid];

		if (!ch || ch->state != state || !class_of(c, ch->cls))
			continue;
		if (primaries && !is_primary(ch))
			continue;
		if (state == ENL_CHAN_OPEN && g_atomic_int_get(&ch->broken))
			continue;
		set[n++] = ch;
	}
	return n;
}

static struct enl_vsp_channel *pick(struct enl_vmbus_chaos *c,
				    enum enl_vmbus_chan_state state,
				    bool primaries)
{
	struct enl_vsp_channel *set[ENL_VMBUS_MAX_RELID];
	unsigned int n = pick_set(c, state, primaries, set);

	return n ? set[rand_below(c, n)] : NULL;
}

static unsigned int live_primaries(struct enl_vmbus_chaos *c,
				   const struct enl_vsp_class *cls)
{
	struct enl_vmbus_server *srv = c->srv;
	unsigned int n = 0;
	uint32_t relid;

	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++) {
		struct enl_vsp_channel *ch = srv->chan[relid];

		if (ch && ch->cls == cls && is_primary(ch) &&
		    ch->state != ENL_CHAN_RESCINDED)
			n++;
	}
	return n;
}

static void take_away(struct enl_vmbus_chaos *c, struct enl_vsp_channel *ch,
		      unsigned int reoffer_ticks)
{
	struct chaos_class *cc = class_of(c, ch->cls);

	/*
	 * A sub-channel's rescind takes no device away: only primaries, and
	 * once (one already going was saved when it went).
	 */
	if (cc && is_primary(ch) && ch->state != ENL_CHAN_RESCINDED) {
		void *saved = ch->cls->save ? ch->cls->save(ch) : NULL;

		if (saved)
			g_queue_push_tail(&cc->saved, saved);
		if (!cc->reoffer_at)
			cc->reoffer_at = c->ticks + 1 + reoffer_ticks;
	}
	enl_vmbus_server_rescind(c->srv, ch->relid);
}

/*
 * The devices taken away come back as they were where the class can say
 * how; false while no relid is free (the guest still holds the old ones).
 */
static bool reoffer_saved(struct enl_vmbus_chaos *c, struct chaos_class *cc)
{
	void *saved;

	while ((saved = g_queue_peek_head(&cc->saved))) {
		int ret = cc->cls->reoffer(c->srv, saved);

		if (ret == -ENOSPC)
			return false;
		if (ret < 0) {
			/* Offered by name below: a device, if not this one. */
			c->reoffer_failed++;
			g_message("vmbus: chaos: a %s device could not be "
				  "offered again: %s", cc->cls->name,
				  g_strerror(-ret));
		} else {
			c->reoffers++;
		}
		cc->cls->forget(g_queue_pop_head(&cc->saved));
	}
	return true;
}

static void forget_saved(struct enl_vmbus_chaos *c)
{
	unsigned int i;
	void *saved;

	for (i = 0; i < c->nr_classes; i++)
		while ((saved = g_queue_pop_head(&c->classes[i].saved)))
			c->classes[i].cls->forget(saved);
}

/* Offer what was taken away, once its time has come (or now: heal). */
static void restore(struct enl_vmbus_chaos *c, bool now)
{
	unsigned int i;

	for (i = 0; i < c->nr_classes; i++) {
		struct chaos_class *cc = &c->classes[i];

		if (!cc->reoffer_at || (!now && c->ticks < cc->reoffer_at))
			continue;
		if (!reoffer_saved(c, cc))
			continue;
		while (live_primaries(c, cc->cls) < cc->want &&
		       enl_vmbus_server_offer(c->srv, cc->cls->name) >= 0)
			c->reoffers++;
		/* No relid free yet (the guest holds rescinded ones): later. */
		if (live_primaries(c, cc->cls) >= cc->want)
			cc->reoffer_at = 0;
	}
}

/*
 * A broken channel serves nothing more: take it away as a host would.
 * Healing, also one whose close the host ignored (a muted close): the
 * guest let go of it and cannot open it again while the host holds it.
 */
static unsigned int rescind_broken(struct enl_vmbus_chaos *c,
				   unsigned int reoffer_ticks, bool healing)
{
	struct enl_vmbus_server *srv = c->srv;
	unsigned int n = 0;
	uint32_t relid;

	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++) {
		struct enl_vsp_channel *ch = srv->chan[relid];

		if (!ch || ch->state == ENL_CHAN_RESCINDED ||
		    !class_of(c, ch->cls))
			continue;
		if (!g_atomic_int_get(&ch->broken) &&
		    !(healing && ch->close_ignored))
			continue;
		/* A broken sub-channel takes its device with it. */
		take_away(c, ch->parent ? ch->parent : ch, reoffer_ticks);
		n++;
	}
	return n;
}

static int garbage_packet(struct enl_vmbus_chaos *c,
			  struct enl_vsp_channel *ch)
{
	uint32_t len = 1 + rand_below(c, CHAOS_GARBAGE_MAX);
	struct enl_ring_iov iov;
	uint8_t *buf = g_malloc(len);
	uint32_t i;
	int ret;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)next_rand(c);
	iov.base = buf;
	iov.len = len;
	ret = enl_vsp_send(ch, ENL_VMPKT_DATA_INBAND, 0, CHAOS_TRANS_ID,
			   &iov, 1);
	g_free(buf);
	return ret;
}

static int fault_on(struct enl_vmbus_chaos *c, const char *kind,
		    struct enl_vsp_channel *ch)
{
	g_autoptr(GString) out = g_string_new(NULL);
	char relid[16];

	if (!ch)
		return enl_vmbus_fault(c->srv, kind, NULL, out);
	snprintf(relid, sizeof(relid), "%u", ch->relid);
	return enl_vmbus_fault(c->srv, kind, relid, out);
}

static int drop_one(struct enl_vmbus_chaos *c, struct enl_vsp_channel **to,
		    const char **what)
{
	static const char *const opening[] = { "open-result",
					       "gpadl-created" };
	static const char *const closing[] = { "close", "torndown" };
	g_autoptr(GString) out = g_string_new(NULL);
	char relid[16];

	/* An answer to an open only comes for an offer not yet opened. */
	if (rand_below(c, 2) && (*to = pick(c, ENL_CHAN_OFFERED, false)))
		*what = opening[rand_below(c, 2)];
	else if ((*to = pick(c, ENL_CHAN_OPEN, false)))
		*what = closing[rand_below(c, 2)];
	else
		return -ENOENT;
	snprintf(relid, sizeof(relid), "%u", (*to)->relid);
	return enl_vmbus_fault_mute(c->srv, *what, relid, "1", out);
}

/* One fault of a random kind; -ENOENT when nothing fits it now. */
static int inject(struct enl_vmbus_chaos *c)
{
	enum chaos_kind k = (enum chaos_kind)rand_below(c, K_COUNT);
	struct enl_vsp_channel *ch = NULL;
	const char *what = NULL;
	unsigned int ms = 0;
	int ret;

	switch (k) {
	case K_RESCIND:
		ch = pick(c, rand_below(c, 4) ? ENL_CHAN_OPEN :
			  ENL_CHAN_OFFERED, true);
		if (!ch)
			return -ENOENT;
		take_away(c, ch, rand_below(c, CHAOS_REOFFER_MAX_TICKS));
		ret = 0;
		break;
	case K_CORRUPT_RING:
		ch = pick(c, ENL_CHAN_OPEN, false);
		ret = ch ? fault_on(c, "corrupt-ring", ch) : -ENOENT;
		break;
	case K_OVERSIZE_PACKET:
		ch = pick(c, ENL_CHAN_OPEN, false);
		ret = ch ? fault_on(c, "oversize", ch) : -ENOENT;
		break;
	case K_GARBAGE_PACKET:
		ch = pick(c, ENL_CHAN_OPEN, false);
		ret = ch ? garbage_packet(c, ch) : -ENOENT;
		break;
	case K_OVERSIZE_MSG:
		ret = fault_on(c, "oversize", NULL);
		break;
	case K_BAD_OFFER:
		ret = fault_on(c, "bad-offer", NULL);
		break;
	case K_BAD_GPADL_CREATED:
		ch = pick(c, ENL_CHAN_OPEN, false);
		ret = fault_on(c, "bad-gpadl-created", ch);
		break;
	case K_DROP:
		ret = drop_one(c, &ch, &what);
		break;
	case K_DELAY:
	default:
		ms = CHAOS_HOLD_MIN_MS +
		     rand_below(c, CHAOS_HOLD_MAX_MS - CHAOS_HOLD_MIN_MS);
		ret = enl_vmbus_hold_start(c->srv, ms);
		break;
	}
	if (ret)
		return ret;
	c->by_kind[k]++;
	if (ms)
		snprintf(c->last, sizeof(c->last), "delay %u ms", ms);
	else
		snprintf(c->last, sizeof(c->last), "%s%s%s relid %u",
			 kind_names[k], what ? " " : "", what ? what : "",
			 ch ? ch->relid : 0);
	return 0;
}

static bool healed(struct enl_vmbus_chaos *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_classes; i++)
		if (c->classes[i].reoffer_at || c->classes[i].saved.length ||
		    live_primaries(c, c->classes[i].cls) < c->classes[i].want)
			return false;
	return true;
}

static void heal(struct enl_vmbus_chaos *c)
{
	unsigned int i;

	enl_vmbus_fault_unmute(c->srv);
	enl_vmbus_hold_release(c->srv);
	c->heal_rescinds += rescind_broken(c, 0, true);
	/* Owed now: restore(now) ignores the tick, and 0 means none owed. */
	for (i = 0; i < c->nr_classes; i++)
		if (live_primaries(c, c->classes[i].cls) < c->classes[i].want)
			c->classes[i].reoffer_at = c->ticks + 1;
	restore(c, true);
}

static gboolean on_tick(gpointer data)
{
	struct enl_vmbus_chaos *c = data;
	int i;

	/* Faults for a guest that is not there are no test. */
	if (!c->srv->connected || !c->srv->offers_requested) {
		c->skipped++;
		return G_SOURCE_CONTINUE;
	}
	if (c->state == CHAOS_HEALING) {
		heal(c);
		if (healed(c)) {
			c->state = c->stop_asked ? CHAOS_STOPPED : CHAOS_DONE;
			g_message("vmbus: chaos seed %" PRIu64 ": %u faults, "
				  "healed", c->seed, c->done);
			g_source_unref(c->timer);
			c->timer = NULL;
			return G_SOURCE_REMOVE;
		}
		return G_SOURCE_CONTINUE;
	}
	c->ticks++;
	rescind_broken(c, rand_below(c, CHAOS_REOFFER_MAX_TICKS), false);
	restore(c, false);
	/* A kind with nothing to act on now: another kind, a few tries. */
	for (i = 0; i < 8; i++)
		if (!inject(c))
			break;
	if (i == 8) {
		c->skipped++;
		return G_SOURCE_CONTINUE;
	}
	c->srv->stats.faults++;
	if (++c->done == c->count) {
		c->state = CHAOS_HEALING;
		heal(c);
	}
	return G_SOURCE_CONTINUE;
}

/* The classes named (comma-separated), or every class that has a device. */
static int choose_classes(struct enl_vmbus_chaos *c, const char *list,
			  GString *why)
{
	struct enl_vmbus_server *srv = c->srv;
	g_auto(GStrv) names = list ? g_strsplit(list, ",", -1) : NULL;
	unsigned int i, j;

	c->nr_classes = 0;
	for (i = 0; i < srv->nr_classes; i++) {
		const struct enl_vsp_class *cls = srv->classes[i];
		bool named = !names;

		for (j = 0; names && names[j]; j++)
			named |= !strcmp(names[j], cls->name);
		if (!named || (!names && !live_primaries(c, cls)))
			continue;
		c->classes[c->nr_classes].cls = cls;
		c->classes[c->nr_classes].want = live_primaries(c, cls);
		c->classes[c->nr_classes].reoffer_at = 0;
		c->nr_classes++;
	}
	for (j = 0; names && names[j]; j++) {
		for (i = 0; i < c->nr_classes; i++)
			if (!strcmp(names[j], c->classes[i].cls->name))
				break;
		if (i == c->nr_classes) {
			g_string_append(why, "no device class '");
			enl_ctl_escape(why, names[j], -1);
			g_string_append(why, "'\n");
			return -ENOENT;
		}
	}
	if (!c->nr_classes) {
		g_string_append(why, "no device to work on\n");
		return -ENOENT;
	}
	return 0;
}

static void report(struct enl_vmbus_chaos *c, struct enl_ctl_req *req)
{
	struct enl_json *j = req->json;
	unsigned int i;

	g_string_append_printf(req->out, "state %s\nseed %" PRIu64
			       "\ninjected %u/%u\n", state_names[c->state],
			       c->seed, c->done, c->count);
	for (i = 0; i < K_COUNT; i++)
		g_string_append_printf(req->out, "%s %" PRIu64 "\n",
				       kind_names[i], c->by_kind[i]);
	g_string_append_printf(req->out, "skipped %" PRIu64 "\nreoffers %"
			       PRIu64 "\nreoffer_failed %" PRIu64
			       "\nheal_rescinds %" PRIu64 "\nlast %s\n",
			       c->skipped, c->reoffers, c->reoffer_failed,
			       c->heal_rescinds, c->last[0] ? c->last : "-");
	if (!j)
		return;
	enl_json_obj(j, NULL);
	enl_json_str(j, "state", state_names[c->state]);
	enl_json_u64(j, "seed", c->seed);
	enl_json_u64(j, "injected", c->done);
	enl_json_u64(j, "count", c->count);
	enl_json_obj(j, "faults");
	for (i = 0; i < K_COUNT; i++)
		enl_json_u64(j, kind_names[i], c->by_kind[i]);
	enl_json_end(j);
	enl_json_u64(j, "skipped", c->skipped);
	enl_json_u64(j, "reoffers", c->reoffers);
	enl_json_u64(j, "reoffer_failed", c->reoffer_failed);
	enl_json_u64(j, "heal_rescinds", c->heal_rescinds);
	enl_json_arr(j, "classes");
	for (i = 0; i < c->nr_classes; i++)
		enl_json_str(j, NULL, c->classes[i].cls->name);
	enl_json_end(j);
	enl_json_end(j);
}

static int start(struct enl_vmbus_server *srv, struct enl_ctl_req *req)
{
	struct enl_vmbus_chaos *c = srv->chaos;
	const char *seed_s, *count_s, *iv_s = NULL, *classes = NULL;
	uint64_t seed;
	uint32_t count, iv = CHAOS_DEFAULT_INTERVAL_MS;
	int ret;

	if (enl_ctl_take_opt(req, "--seed", &seed_s) != 1 ||
	    enl_ctl_take_opt(req, "--count", &count_s) != 1 ||
	    enl_ctl_take_opt(req, "--interval", &iv_s) < 0 ||
	    enl_ctl_take_opt(req, "--classes", &classes) < 0 ||
	    enl_ctl_nargs(req, 1, 1))
		return -EINVAL;
	if (enl_ctl_parse_u64(req, "seed", seed_s, 0, UINT64_MAX, &seed) ||
	    enl_ctl_parse_u32(req, "count", count_s, 1, CHAOS_MAX_COUNT,
			      &count) ||
	    (iv_s && enl_ctl_parse_u32(req, "interval", iv_s,
				       CHAOS_MIN_INTERVAL_MS,
				       CHAOS_MAX_INTERVAL_MS, &iv)))
		return -EINVAL;
	if (c && c->timer) {
		g_string_append(req->out, c->stop_asked ?
				"the last chaos run is still healing "
				"(chaos status)\n" :
				"a chaos run is under way "
				"(chaos stop ends it)\n");
		return -EBUSY;
	}
	{
		struct enl_vmbus_chaos fresh = { .srv = srv };

		ret = choose_classes(&fresh, classes, req->out);
		if (ret)
			return ret;
		if (!c)
			c = srv->chaos = g_new0(struct enl_vmbus_chaos, 1);
		forget_saved(c);
		*c = fresh;
	}
	c->seed = seed;
	c->rng = seed;
	c->count = count;
	c->interval_ms = iv;
	c->state = CHAOS_RUNNING;
	c->timer = g_timeout_source_new(iv);
	g_source_set_callback(c->timer, on_tick, c, NULL);
	g_source_attach(c->timer, NULL);
	g_message("vmbus: chaos seed %" PRIu64 " count %u every %u ms",
		  seed, count, iv);
	report(c, req);
	return 0;
}

/*
 * chaos --seed S --count N [--interval MS] [--classes a,b]: start a run;
 * chaos status: where it is; chaos stop: no more faults, heal now, and
 * while something cannot come back yet (no relid free, a class that
 * cannot make its device), go on healing each interval until it has.
 */
static int verb_chaos(void *ctx, struct enl_ctl_req *req)
{
	struct enl_vmbus_server *srv = ctx;
	struct enl_vmbus_chaos *c = srv->chaos;
	bool status = req->argc >= 2 && !strcmp(req->argv[1], "status");
	bool stop = req->argc >= 2 && !strcmp(req->argv[1], "stop");

	if (!status && !stop)
		return start(srv, req);
	if (enl_ctl_nargs(req, 2, 2))
		return -EINVAL;
	if (!c) {
		g_string_append(req->out, "no chaos run yet\n");
		return -ENOENT;
	}
	if (stop && (c->state == CHAOS_RUNNING ||
		     c->state == CHAOS_HEALING)) {
		c->stop_asked = true;
		heal(c);
		if (healed(c)) {
			enl_vmbus_source_drop(&c->timer);
			c->state = CHAOS_STOPPED;
		} else {
			c->state = CHAOS_HEALING;	/* the timer goes on */
		}
	}
	report(c, req);
	return 0;
}

void enl_vmbus_chaos_register_ctl(struct enl_vmbus_server *srv,
				  struct enl_ctl *ctl)
{
	enl_ctl_add(ctl, "chaos", verb_chaos, srv,
		    "chaos --seed S --count N [--interval MS] "
		    "[--classes a,b,...]|status|stop: random host faults "
		    "(rescind and re-offer, corrupt ring, oversize and "
		    "garbage packets, malformed, dropped and delayed "
		    "messages) on those classes' channels, then heal");
}

void enl_vmbus_chaos_free(struct enl_vmbus_server *srv)
{
	if (!srv->chaos)
		return;
	enl_vmbus_source_drop(&srv->chaos->timer);
	forget_saved(srv->chaos);
	g_free(srv->chaos);
	srv->chaos = NULL;
}
