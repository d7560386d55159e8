// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMBus server's control verbs: devices, offer, rescind, subchannels,
 * stats, version, fault.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "server_priv.h"

static void append_guid(GString *out, const struct enl_guid *g)
{
	const uint8_t *b = g->b;

	/* First three fields are little-endian on the wire. */
	g_string_append_printf(out,
		"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		"%02x%02x%02x%02x%02x%02x",
		b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6],
		b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static int guid_str(char *buf, size_t len, const struct enl_guid *g)
{
	g_autoptr(GString) s = g_string_new(NULL);

	append_guid(s, g);
	return g_strlcpy(buf, s->str, len) >= len ? -ENOSPC : 0;
}

/* A relid as `devices` prints it (decimal), naming a channel that exists. */
static int parse_relid(struct enl_ctl_req *req, struct enl_vmbus_server *srv,
		       const char *s, uint32_t *relid)
{
	int rc = enl_ctl_parse_u32(req, "relid", s, 1, ENL_VMBUS_MAX_RELID,
				   relid);

	if (rc)
		return rc;
	if (!srv->chan[*relid]) {
		g_string_append_printf(req->out, "no channel with relid %u "
				       "(enl-host ctl devices lists them)\n",
				       *relid);
		return -ENOENT;
	}
	return 0;
}

static int verb_devices(void *ctx, struct enl_ctl_req *req)
{
	struct enl_vmbus_server *srv = ctx;
	char cls[40], inst[40];
	uint32_t relid;

	if (enl_ctl_nargs(req, 1, 1))
		return -EINVAL;
	if (req->json)
		enl_json_arr(req->json, NULL);
	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++) {
		struct enl_vsp_channel *ch = srv->chan[relid];

		if (!ch)
			continue;
		guid_str(cls, sizeof(cls), &ch->cls->class_guid);
		guid_str(inst, sizeof(inst), &ch->instance);
		g_string_append_printf(req->out, "%u %s %s %s %s", relid,
				       ch->cls->name, cls, inst,
				       enl_vmbus_chan_state_name(ch));
		if (ch->sub_index)
			g_string_append_printf(req->out, " sub=%u",
					       ch->sub_index);
		g_string_append_c(req->out, '\n');
		if (!req->json)
			continue;
		enl_json_obj(req->json, NULL);
		enl_json_u64(req->json, "relid", relid);
		enl_json_str(req->json, "class", ch->cls->name);
		enl_json_str(req->json, "class_guid", cls);
		enl_json_str(req->json, "instance", inst);
		enl_json_str(req->json, "state", enl_vmbus_chan_state_name(ch));
		enl_json_u64(req->json, "sub", ch->sub_index);
		enl_json_end(req->json);
	}
	if (req->json)
		enl_json_end(req->json);
	return 0;
}

static int verb_offer(void *ctx, struct enl_ctl_req *req)
{
	int relid;

	if (enl_ctl_nargs(req, 2, 2))
		return -EINVAL;
	relid = enl_vmbus_server_offer(ctx, req->argv[1]);
	if (relid < 0)
		return relid;
	g_string_append_printf(req->out, "%d\n", relid);
	enl_json_one_u64(req->json, "relid", (uint64_t)relid);
	return 0;
}

static int verb_rescind(void *ctx, struct enl_ctl_req *req)
{
	uint32_t relid;
	int rc;

	if (enl_ctl_nargs(req, 2, 2))
		return -EINVAL;
	rc = parse_relid(req, ctx, req->argv[1], &relid);
	if (rc)
		return rc;
	rc = enl_vmbus_server_rescind(ctx, relid);
	if (!rc)
		enl_json_one_u64(req->json, "relid", relid);
	return rc;
}

static int verb_subchannels(void *ctx, struct enl_ctl_req *req)
{
	struct enl_vsp_channel *ch;
	uint32_t relid, n;
	int ret;

	if (enl_ctl_nargs(req, 3, 3))
		return -EINVAL;
	ret = parse_relid(req, ctx, req->argv[1], &relid);
	if (!ret)
		ret = enl_ctl_parse_u32(req, "n", req->argv[2], 0, UINT32_MAX,
					&n);
	if (ret)
		return ret;
	ch = enl_vmbus_chan_lookup(ctx, relid);
	if (!ch)
		return -ENOENT;
	/* Offers the indexes 1..n not offered now (a lone rescind's too). */
	ret = enl_vsp_create_subchannels(ch, n);
	if (ret < 0)
		return ret;
	g_string_append_printf(req->out, "%d\n", ret);
	enl_json_one_u64(req->json, "offered", (uint64_t)ret);
	return 0;
}

static void append_version(GString *out, const struct enl_vmbus_server *srv)
{
	if (srv->connected)
		g_string_append_printf(out, "%u.%u", srv->version >> 16,
				       srv->version & 0xffff);
	else
		g_string_append(out, "none");
}

static int verb_version(void *ctx, struct enl_ctl_req *req)
{
	struct enl_vmbus_server *srv = ctx;

	if (enl_ctl_nargs(req, 1, 1))
		return -EINVAL;
	append_version(req->out, srv);
	g_string_append_c(req->out, '\n');
	if (req->json) {
		enl_json_obj(req->json, NULL);
		enl_json_bool(req->json, "connected", srv->connected);
		enl_json_u64(req->json, "major", srv->connected ?
			     srv->version >> 16 : 0);
		enl_json_u64(req->json, "minor", srv->connected ?
			     srv->version & 0xffff : 0);
		enl_json_end(req->json);
	}
	return 0;
}

/* pre name mid v: the counters of a stats reply, without printf's cost. */
static void append_named(GString *out, const char *pre, const char *name,
			 const char *mid, uint64_t v)
{
	g_string_append(out, pre);
	g_string_append(out, name);
	g_string_append(out, mid);
	enl_ctl_append_u64(out, v);
}

/* write/read index, interrupt mask, pending_send_sz, as the guest sees them */
static void append_ring_ctl(GString *out, struct enl_json *j, const char *name,
			    const struct enl_ring *r)
{
	uint32_t v[4];

	if (!r->ctl)
		return;
	v[0] = enl_load_once(&r->ctl->write_index);
	v[1] = enl_load_once(&r->ctl->read_index);
	v[2] = enl_load_once(&r->ctl->interrupt_mask);
	v[3] = enl_load_once(&r->ctl->pending_send_sz);
	append_named(out, " ", name, "=", v[0]);
	for (int i = 1; i < 4; i++) {
		g_string_append_c(out, '/');
		enl_ctl_append_u64(out, v[i]);
	}
	if (!j)
		return;
	enl_json_obj(j, name);
	enl_json_u64(j, "write_index", v[0]);
	enl_json_u64(j, "read_index", v[1]);
	enl_json_u64(j, "interrupt_mask", v[2]);
	enl_json_u64(j, "pending_send_sz", v[3]);
	enl_json_end(j);
}

struct counter {
	const char *name;
	uint64_t v;
};

static void append_channel_stats(struct enl_ctl_req *req,
				 struct enl_vsp_channel *ch)
{
	struct enl_ring_stats in, out_st;
	struct enl_vsp_inflight_stats fl;
	g_autoptr(GString) rings = g_string_new(NULL);
	g_autoptr(GString) rings_json = g_string_new(NULL);
	struct enl_json rj, *j = req->json;
	struct counter c[17];
	size_t i, n = 0;

	enl_vsp_inflight_stats(ch->inflight, &fl);
	/* A snapshot under the ring locks: the worker updates them. */
	enl_json_init(&rj, rings_json);
	enl_json_obj(&rj, NULL);
	g_rec_mutex_lock(&ch->in_lock);
	in = ch->in.stats;
	append_ring_ctl(rings, j ? &rj : NULL, "ring_in", &ch->in);
	g_rec_mutex_unlock(&ch->in_lock);
	g_mutex_lock(&ch->out_lock);
	out_st = ch->out.stats;
	append_ring_ctl(rings, j ? &rj : NULL, "ring_out", &ch->out);
	g_mutex_unlock(&ch->out_lock);
	enl_json_end(&rj);
#define C(nm, val) (c[n++] = (struct counter){ nm, (uint64_t)(val) })
	C("in_packets", in.packets);
	C("in_bytes", in.bytes);
	C("out_packets", out_st.packets);
	C("out_bytes", out_st.bytes);
	C("out_full", out_st.full);
	C("signals_in", enl_vmbus_stat(&ch->stats.signals_in));
	C("doorbell_signals", enl_vmbus_stat(&ch->stats.doorbell_signals));
	C("signals_out", enl_vmbus_stat(&ch->stats.signals_out));
	C("corrupt", in.corrupt + out_st.corrupt);
	C("opens", enl_vmbus_stat(&ch->stats.opens));
	C("passes", enl_vmbus_stat(&ch->stats.passes));
	C("budget_hits", enl_vmbus_stat(&ch->stats.budget_hits));
	C("batched_signals", enl_vmbus_stat(&ch->stats.batched_signals));
	C("rechecks", enl_vmbus_stat(&ch->stats.rechecks));
	C("inflight", fl.outstanding);
	C("inflight_stale", fl.stale);
	C("inflight_dropped", enl_vmbus_stat(&ch->stats.inflight_dropped));
#undef C
	g_string_append_printf(req->out, "channel %u %s %s", ch->relid,
			       ch->cls->name, enl_vmbus_chan_state_name(ch));
	for (i = 0; i < n; i++)
		append_named(req->out, " ", c[i].name, "=", c[i].v);
	g_string_append(req->out, rings->str);
	g_string_append_c(req->out, '\n');
	if (!j)
		return;
	enl_json_obj(j, NULL);
	enl_json_u64(j, "relid", ch->relid);
	enl_json_str(j, "class", ch->cls->name);
	enl_json_str(j, "state", enl_vmbus_chan_state_name(ch));
	for (i = 0; i < n; i++)
		enl_json_u64(j, c[i].name, c[i].v);
	/* The rings' object, already written whole, without its braces. */
	if (rings_json->len > 2) {
		g_string_append_c(j->buf, ',');
		g_string_append_len(j->buf, rings_json->str + 1,
				    (gssize)rings_json->len - 2);
	}
	enl_json_end(j);
}

static int verb_stats(void *ctx, struct enl_ctl_req *req)
{
	struct enl_vmbus_server *srv = ctx;
	struct enl_json *j = req->json;
	uint32_t relid;
	int i;

	if (enl_ctl_nargs(req, 1, 1))
		return -EINVAL;
	g_string_append(req->out, "version ");
	append_version(req->out, srv);
	append_named(req->out, "\n", "unloads", " ", srv->stats.unloads);
	append_named(req->out, "\n", "gpadls", " ",
		     g_hash_table_size(srv->gpadls));
	append_named(req->out, "\n", "messages_in", " ",
		     srv->stats.messages_in);
	append_named(req->out, "\n", "messages_out", " ",
		     enl_vmbus_stat(&srv->stats.messages_out));
	append_named(req->out, "\n", "faults", " ", srv->stats.faults);
	append_named(req->out, "\n", "muted", " ",
		     enl_vmbus_stat(&srv->stats.muted));
	g_string_append_c(req->out, '\n');
	for (i = 0; i < ENL_VMBUS_ERR_COUNT; i++) {
		append_named(req->out, "error ", enl_vmbus_err_names[i], " ",
			     enl_vmbus_stat(&srv->stats.errors[i]));
		g_string_append_c(req->out, '\n');
	}
	if (j) {
		enl_json_obj(j, NULL);
		enl_json_bool(j, "connected", srv->connected);
		enl_json_u64(j, "version", srv->connected ? srv->version : 0);
		enl_json_u64(j, "unloads", srv->stats.unloads);
		enl_json_u64(j, "gpadls", g_hash_table_size(srv->gpadls));
		enl_json_u64(j, "messages_in", srv->stats.messages_in);
		enl_json_u64(j, "messages_out",
			     enl_vmbus_stat(&srv->stats.messages_out));
		enl_json_u64(j, "faults", srv->stats.faults);
		enl_json_u64(j, "muted", enl_vmbus_stat(&srv->stats.muted));
		enl_json_obj(j, "errors");
		for (i = 0; i < ENL_VMBUS_ERR_COUNT; i++)
			enl_json_u64(j, enl_vmbus_err_names[i],
				     enl_vmbus_stat(&srv->stats.errors[i]));
		enl_json_end(j);
		enl_json_arr(j, "channels");
	}
	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++)
		if (srv->chan[relid])
			append_channel_stats(req, srv->chan[relid]);
	if (j) {
		enl_json_end(j);
		enl_json_end(j);
	}
	return 0;
}

static int verb_fault(void *ctx, struct enl_ctl_req *req)
{
	struct enl_vmbus_server *srv = ctx;
	const char *kind;
	char arg[16];
	uint32_t relid = 0;
	int rc;

	if (req->argc >= 2 && !strcmp(req->argv[1], "mute")) {
		if (enl_ctl_nargs(req, 3, 5))
			return -EINVAL;
		return enl_vmbus_fault_mute(srv, req->argv[2],
					    req->argc > 3 ? req->argv[3] : NULL,
					    req->argc > 4 ? req->argv[4] : NULL,
					    req->out);
	}
	if (req->argc >= 2 && !strcmp(req->argv[1], "unmute")) {
		if (enl_ctl_nargs(req, 2, 2))
			return -EINVAL;
		enl_vmbus_fault_unmute(srv);
		g_string_append(req->out, "unmuted\n");
		return 0;
	}
	if (enl_ctl_nargs(req, 2, 3))
		return -EINVAL;
	kind = req->argv[1];
	if (strcmp(kind, "bad-offer") && strcmp(kind, "oversize") &&
	    strcmp(kind, "bad-gpadl-created") && strcmp(kind, "corrupt-ring") &&
	    strcmp(kind, "rescind-primary-first")) {
		g_string_append(req->out, "unknown fault '");
		enl_ctl_escape(req->out, kind, -1);
		g_string_append(req->out, "'\n");
		return -EINVAL;
	}
	if (req->argc == 3 && !strcmp(kind, "bad-offer"))
		return enl_ctl_nargs(req, 2, 2);
	if (req->argc == 2 && (!strcmp(kind, "corrupt-ring") ||
			       !strcmp(kind, "rescind-primary-first")))
		return enl_ctl_nargs(req, 3, 3);
	if (req->argc == 3) {
		rc = parse_relid(req, srv, req->argv[2], &relid);
		if (rc)
			return rc;
		snprintf(arg, sizeof(arg), "%u", relid);
	}
	rc = enl_vmbus_fault(srv, kind, req->argc == 3 ? arg : NULL, req->out);
	if (!rc && req->json) {
		enl_json_obj(req->json, NULL);
		enl_json_str(req->json, "fault", kind);
		if (relid)
			enl_json_u64(req->json, "relid", relid);
		else
			enl_json_null(req->json, "relid");
		enl_json_end(req->json);
	}
	return rc;
}

void enl_vmbus_server_register_ctl(struct enl_vmbus_server *srv,
				   struct enl_ctl *ctl)
{
	static const struct enl_ctl_verb verbs[] = {
		{ "devices", verb_devices,
		  "devices: relid class class-guid instance-guid state "
		  "[sub=<index> for a sub-channel]", 0 },
		{ "offer", verb_offer,
		  "offer <class>: hot-add a device, prints its relid", 0 },
		{ "rescind", verb_rescind,
		  "rescind <relid>: hot-remove a device", 0 },
		{ "subchannels", verb_subchannels,
		  "subchannels <relid> <n>: offer the primary's sub-channels "
		  "1..n that are not offered now", 0 },
		{ "stats", verb_stats,
		  "stats: VMBus counters, errors and per-channel traffic", 0 },
		{ "version", verb_version,
		  "version: negotiated VMBus version", 0 },
		{ "fault", verb_fault,
		  "fault bad-offer|oversize [relid]|bad-gpadl-created [relid]|"
		  "corrupt-ring <relid>|rescind-primary-first <relid>|"
		  "mute open-result|close|torndown|"
		  "gpadl-created|unload-response [relid [count]]|unmute", 0 },
	};

	ENL_CTL_ADD_VERBS(ctl, srv, verbs);
	enl_vmbus_chaos_register_ctl(srv, ctl);
}
