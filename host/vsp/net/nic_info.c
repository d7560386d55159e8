// SPDX-License-Identifier: GPL-2.0-only
/*
 * What `enl-host ctl nic list|stats|link` reads and changes of a NIC; all
 * of it runs on the NIC's primary context (enl_vsp_ctl_run), where the
 * engine's control state lives.
 */
#include <inttypes.h>
#include <stdio.h>

#include "nic.h"

static const char *const glue_names[] = {
#define ENL_NIC_STAT_NAME(n) #n,
	ENL_NIC_GLUE_STATS(ENL_NIC_STAT_NAME)
#undef ENL_NIC_STAT_NAME
};

static void mac_str(const uint8_t *m, char *buf)
{
	g_snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		   m[3], m[4], m[5]);
}

void enl_nic_describe(struct enl_nic *n, bool json, GString *out)
{
	struct enl_net_state st;
	struct nic_queue *q0 = n->queues[0];
	char mac[18], cur[18], key[2 * ENL_NDIS_RSS_KEY_SIZE + 1];
	unsigned int open = __atomic_load_n(&n->open_queues, __ATOMIC_RELAXED);

	enl_net_get_state(n->dev, &st);
	for (size_t i = 0; i < sizeof(st.rss_key); i++)
		snprintf(key + 2 * i, 3, "%02x", st.rss_key[i]);
	mac_str(n->spec.mac, mac);
	mac_str(st.mac, cur);
	if (!json) {
		g_string_append_printf(out,
			"relid=%u tap=%s mac=%s current_mac=%s queues=%u mtu=%u "
			"link=%s open=%d channels_open=%u nvsp=0x%x ndis=0x%x "
			"ndis_mtu=%u rndis=%d subchannels=%u rss=%d "
			"recv_sections=%u send_sections=%u\n",
			n->relid, n->tap ? enl_tap_name(n->tap) : "-", mac, cur,
			n->spec.queues, n->spec.mtu, st.link_up ? "up" : "down",
			q0 && q0->open, open, st.nvsp_version, st.ndis_version,
			st.ndis_mtu, st.rndis_initialized, st.subchannels,
			st.rss_enabled, st.recv_sections, st.send_sections);
		return;
	}
	g_string_append_printf(out,
		"{\"relid\":%u,\"tap\":\"%s\",\"mac\":\"%s\","
		"\"current_mac\":\"%s\",\"queues\":%u,\"mtu\":%u,"
		"\"link\":\"%s\",\"open\":%s,\"channels_open\":%u,"
		"\"nvsp_version\":%u,\"ndis_version\":%u,\"ndis_mtu\":%u,"
		"\"rndis_initialized\":%s,\"subchannels\":%u,\"rss\":%s,"
		"\"recv_sections\":%u,\"send_sections\":%u,"
		"\"rss_key\":\"%s\"}",
		n->relid, n->tap ? enl_tap_name(n->tap) : "", mac, cur,
		n->spec.queues, n->spec.mtu, st.link_up ? "up" : "down",
		q0 && q0->open ? "true" : "false", open, st.nvsp_version,
		st.ndis_version, st.ndis_mtu,
		st.rndis_initialized ? "true" : "false", st.subchannels,
		st.rss_enabled ? "true" : "false", st.recv_sections,
		st.send_sections, st.rss_enabled ? key : "");
}

void enl_nic_stats(struct enl_nic *n, GString *out)
{
	const uint64_t *glue = (const uint64_t *)&n->st;

	g_string_append_printf(out, "relid=%u tap=%s\n", n->relid,
			       n->tap ? enl_tap_name(n->tap) : "-");
	for (unsigned int i = 0; i < ENL_NET_STAT_COUNT; i++)
		g_string_append_printf(out, "%s=%" PRIu64 "\n",
				       enl_net_stat_name(i),
				       enl_net_stat(n->dev, i));
	for (size_t i = 0; i < G_N_ELEMENTS(glue_names); i++)
		g_string_append_printf(out, "%s=%" PRIu64 "\n", glue_names[i],
				       __atomic_load_n(&glue[i],
						       __ATOMIC_RELAXED));
	for (unsigned int i = 0; i < ENL_NIC_MAX_QUEUES; i++) {
		struct enl_vsp_inflight_stats is;
		struct nic_queue *q;

		g_mutex_lock(&n->lock);
		q = n->queues[i];
		if (q)
			enl_vsp_inflight_stats(q_inflight(q), &is);
		g_mutex_unlock(&n->lock);
		if (q)
			g_string_append_printf(out,
				"queue%u: open=%d stopped=%d xfers_out=%u "
				"xfers=%" PRIu64 " completed=%" PRIu64
				" stale=%" PRIu64 " guest_packets=%" PRIu64
				" frames_up=%" PRIu64 " bytes_up=%" PRIu64
				" frames_down=%" PRIu64 " bytes_down=%" PRIu64
				" tap_drops=%" PRIu64 "\n", i, q->open,
				q->stopped, is.outstanding, is.added,
				is.completed, is.stale,
				__atomic_load_n(&q->guest_packets,
						__ATOMIC_RELAXED),
				__atomic_load_n(&q->frames_up,
						__ATOMIC_RELAXED),
				__atomic_load_n(&q->bytes_up,
						__ATOMIC_RELAXED),
				__atomic_load_n(&q->frames_down,
						__ATOMIC_RELAXED),
				__atomic_load_n(&q->bytes_down,
						__ATOMIC_RELAXED),
				__atomic_load_n(&q->tap_drops,
						__ATOMIC_RELAXED));
	}
}

void enl_nic_set_link(struct enl_nic *n, bool up)
{
	struct nic_queue *q0 = n->queues[0];

	if (q0 && q0->open)
		enl_vsp_batch_begin(q0->ch);
	enl_net_set_link(n->dev, up);
	if (q0 && q0->open)
		enl_vsp_batch_end(q0->ch);
}
