// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMBus server's control verbs: devices, offer, rescind, subchannels,
 * stats, version, fault.
 */
#include <errno.h>
#include <stdlib.h>
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

static int parse_relid(const char *s, uint32_t *relid)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v == 0 || v > ENL_VMBUS_MAX_RELID)
		return -EINVAL;
	*relid = v;
	return 0;
}

static int verb_devices(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_vmbus_server *srv = ctx;
	uint32_t relid;

	(void)argc;
	(void)argv;
	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++) {
		struct enl_vsp_channel *ch = srv->chan[relid];

		if (!ch)
			continue;
		g_string_append_printf(out, "%u %s ", relid, ch->cls->name);
		append_guid(out, &ch->cls->class_guid);
		g_string_append_c(out, ' ');
		append_guid(out, &ch->instance);
		g_string_append_printf(out, " %s", enl_vmbus_chan_state_name(ch));
		if (ch->sub_index)
			g_string_append_printf(out, " sub=%u", ch->sub_index);
		g_string_append_c(out, '\n');
	}
	return 0;
}

static int verb_offer(void *ctx, int argc, char **argv, GString *out)
{
	int relid;

	if (argc != 2)
		return -EINVAL;
	relid = enl_vmbus_server_offer(ctx, argv[1]);
	if (relid < 0)
		return relid;
	g_string_append_printf(out, "%d\n", relid);
	return 0;
}

static int verb_rescind(void *ctx, int argc, char **argv, GString *out)
{
	uint32_t relid;

	(void)out;
	if (argc != 2 || parse_relid(argv[1], &relid))
		return -EINVAL;
	return enl_vmbus_server_rescind(ctx, relid);
}

static int verb_subchannels(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_vsp_channel *ch;
	uint32_t relid;
	char *end;
	unsigned long n;
	int ret;

	if (argc != 3 || parse_relid(argv[1], &relid))
		return -EINVAL;
	n = strtoul(argv[2], &end, 0);
	if (end == argv[2] || *end)
		return -EINVAL;
	ch = enl_vmbus_chan_lookup(ctx, relid);
	if (!ch)
		return -ENOENT;
	/* Offers the indexes 1..n not offered now (a lone rescind's too). */
	ret = enl_vsp_create_subchannels(ch, (unsigned int)n);
	if (ret < 0)
		return ret;
	g_string_append_printf(out, "%d\n", ret);
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

static int verb_version(void *ctx, int argc, char **argv, GString *out)
{
	(void)argc;
	(void)argv;
	append_version(out, ctx);
	g_string_append_c(out, '\n');
	return 0;
}

/* write/read index, interrupt mask, pending_send_sz, as the guest sees them */
static void append_ring_ctl(GString *out, const char *name,
			    const struct enl_ring *r)
{
	if (!r->ctl)
		return;
	g_string_append_printf(out, " %s=%u/%u/%u/%u", name,
			       enl_load_once(&r->ctl->write_index),
			       enl_load_once(&r->ctl->read_index),
			       enl_load_once(&r->ctl->interrupt_mask),
			       enl_load_once(&r->ctl->pending_send_sz));
}

static void append_channel_stats(GString *out, struct enl_vsp_channel *ch)
{
	struct enl_ring_stats in, out_st;
	struct enl_vsp_inflight_stats fl;
	GString *rings = g_string_new(NULL);

	enl_vsp_inflight_stats(ch->inflight, &fl);

	/* A snapshot under the ring locks: the worker updates them. */
	g_rec_mutex_lock(&ch->in_lock);
	in = ch->in.stats;
	append_ring_ctl(rings, "ring_in", &ch->in);
	g_rec_mutex_unlock(&ch->in_lock);
	g_mutex_lock(&ch->out_lock);
	out_st = ch->out.stats;
	append_ring_ctl(rings, "ring_out", &ch->out);
	g_mutex_unlock(&ch->out_lock);
	g_string_append_printf(out,
		"channel %u %s %s in_packets=%llu in_bytes=%llu "
		"out_packets=%llu out_bytes=%llu out_full=%llu "
		"signals_in=%llu signals_out=%llu corrupt=%llu opens=%llu "
		"passes=%llu budget_hits=%llu batched_signals=%llu "
		"rechecks=%llu inflight=%u inflight_stale=%llu "
		"inflight_dropped=%llu%s\n",
		ch->relid, ch->cls->name, enl_vmbus_chan_state_name(ch),
		(unsigned long long)in.packets,
		(unsigned long long)in.bytes,
		(unsigned long long)out_st.packets,
		(unsigned long long)out_st.bytes,
		(unsigned long long)out_st.full,
		(unsigned long long)enl_vmbus_stat(&ch->stats.signals_in),
		(unsigned long long)enl_vmbus_stat(&ch->stats.signals_out),
		(unsigned long long)(in.corrupt + out_st.corrupt),
		(unsigned long long)enl_vmbus_stat(&ch->stats.opens),
		(unsigned long long)enl_vmbus_stat(&ch->stats.passes),
		(unsigned long long)enl_vmbus_stat(&ch->stats.budget_hits),
		(unsigned long long)enl_vmbus_stat(&ch->stats.batched_signals),
		(unsigned long long)enl_vmbus_stat(&ch->stats.rechecks),
		fl.outstanding, (unsigned long long)fl.stale,
		(unsigned long long)enl_vmbus_stat(&ch->stats.inflight_dropped),
		rings->str);
	g_string_free(rings, TRUE);
}

static int verb_stats(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_vmbus_server *srv = ctx;
	uint32_t relid;
	int i;

	(void)argc;
	(void)argv;
	g_string_append(out, "version ");
	append_version(out, srv);
	g_string_append_printf(out, "\nunloads %llu\ngpadls %u\n"
			       "messages_in %llu\nmessages_out %llu\nfaults %llu\n"
			       "muted %llu\n",
			       (unsigned long long)srv->stats.unloads,
			       g_hash_table_size(srv->gpadls),
			       (unsigned long long)srv->stats.messages_in,
			       (unsigned long long)
			       enl_vmbus_stat(&srv->stats.messages_out),
			       (unsigned long long)srv->stats.faults,
			       (unsigned long long)
			       enl_vmbus_stat(&srv->stats.muted));
	for (i = 0; i < ENL_VMBUS_ERR_COUNT; i++)
		g_string_append_printf(out, "error %s %llu\n",
				       enl_vmbus_err_names[i],
				       (unsigned long long)
				       enl_vmbus_stat(&srv->stats.errors[i]));
	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++)
		if (srv->chan[relid])
			append_channel_stats(out, srv->chan[relid]);
	return 0;
}

static int verb_fault(void *ctx, int argc, char **argv, GString *out)
{
	if (argc >= 3 && argc <= 5 && !strcmp(argv[1], "mute"))
		return enl_vmbus_fault_mute(ctx, argv[2],
					    argc > 3 ? argv[3] : NULL,
					    argc > 4 ? argv[4] : NULL, out);
	if (argc == 2 && !strcmp(argv[1], "unmute")) {
		enl_vmbus_fault_unmute(ctx);
		g_string_append(out, "unmuted\n");
		return 0;
	}
	if (argc < 2 || argc > 3)
		return -EINVAL;
	return enl_vmbus_fault(ctx, argv[1], argc == 3 ? argv[2] : NULL, out);
}

void enl_vmbus_server_register_ctl(struct enl_vmbus_server *srv,
				   struct enl_ctl *ctl)
{
	enl_ctl_register(ctl, "devices", verb_devices, srv,
			 "devices: relid class class-guid instance-guid state "
			 "[sub=<index> for a sub-channel]");
	enl_ctl_register(ctl, "offer", verb_offer, srv,
			 "offer <class>: hot-add a device, prints its relid");
	enl_ctl_register(ctl, "rescind", verb_rescind, srv,
			 "rescind <relid>: hot-remove a device");
	enl_ctl_register(ctl, "subchannels", verb_subchannels, srv,
			 "subchannels <relid> <n>: offer the primary's "
			 "sub-channels 1..n that are not offered now");
	enl_ctl_register(ctl, "stats", verb_stats, srv,
			 "stats: VMBus counters, errors and per-channel traffic");
	enl_ctl_register(ctl, "version", verb_version, srv,
			 "version: negotiated VMBus version");
	enl_ctl_register(ctl, "fault", verb_fault, srv,
			 "fault bad-offer|oversize [relid]|"
			 "bad-gpadl-created [relid]|corrupt-ring <relid>|"
			 "mute open-result|close|torndown|gpadl-created|"
			 "unload-response [relid [count]]|unmute");
}
