// SPDX-License-Identifier: GPL-2.0-only
/*
 * What `enl-host ctl nic list|stats|link|speed` reads and changes of a NIC; all
 * of it runs on the NIC's primary context (enl_vsp_ctl_run), where the
 * engine's control state lives.
 */
#include <inttypes.h>
#include <stdio.h>

#include "ctl.h"
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

void enl_nic_describe(struct enl_nic *n, struct enl_ctl_req *req)
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
	enl_ctl_kv_begin(req, NULL, NULL);
	enl_ctl_kv_u64(req, "relid", n->relid);
	enl_ctl_kv_str(req, "tap", n->tap ? enl_tap_name(n->tap) : NULL);
	enl_ctl_kv_str(req, "mac", mac);
	enl_ctl_kv_str(req, "current_mac", cur);
	enl_ctl_kv_u64(req, "queues", n->spec.queues);
	enl_ctl_kv_u64(req, "mtu", n->spec.mtu);
	enl_ctl_kv_str(req, "link", st.link_up ? "up" : "down");
	enl_ctl_kv_u64(req, "speed_mbps", st.link_speed_bps / 1000000);
	enl_ctl_kv_bool(req, "open", q0 && q0->open);
	enl_ctl_kv_u64(req, "channels_open", open);
	/* Text keeps its short names; JSON had these longer ones. */
	g_string_append_printf(req->out, " nvsp=0x%x ndis=0x%x ndis_mtu=%u",
			       st.nvsp_version, st.ndis_version, st.ndis_mtu);
	if (req->json) {
		enl_json_u64(req->json, "nvsp_version", st.nvsp_version);
		enl_json_u64(req->json, "ndis_version", st.ndis_version);
		enl_json_u64(req->json, "ndis_mtu", st.ndis_mtu);
		enl_json_bool(req->json, "rndis_initialized",
			      st.rndis_initialized);
	}
	g_string_append_printf(req->out, " rndis=%d", st.rndis_initialized);
	enl_ctl_kv_u64(req, "subchannels", st.subchannels);
	enl_ctl_kv_bool(req, "rss", st.rss_enabled);
	enl_ctl_kv_u64(req, "recv_sections", st.recv_sections);
	enl_ctl_kv_u64(req, "send_sections", st.send_sections);
	if (req->json)
		enl_json_str(req->json, "rss_key", st.rss_enabled ? key : "");
	enl_ctl_kv_end(req);
}

void enl_nic_stats(struct enl_nic *n, struct enl_ctl_req *req)
{
	const uint64_t *glue = (const uint64_t *)&n->st;

	if (req->json)
		enl_json_obj(req->json, NULL);
	enl_ctl_kv_u64(req, "relid", n->relid);
	enl_ctl_kv_str(req, "tap", n->tap ? enl_tap_name(n->tap) : NULL);
	g_string_append_c(req->out, '\n');
	/* One counter a line in text. */
	for (unsigned int i = 0; i < ENL_NET_STAT_COUNT; i++) {
		enl_ctl_kv_u64(req, enl_net_stat_name(i),
			       enl_net_stat(n->dev, i));
		g_string_append_c(req->out, '\n');
	}
	for (size_t i = 0; i < G_N_ELEMENTS(glue_names); i++) {
		ENL_CTL_KV_ATOMIC(req, glue_names[i], &glue[i]);
		g_string_append_c(req->out, '\n');
	}
	if (req->json)
		enl_json_arr(req->json, "queues");
	for (unsigned int i = 0; i < ENL_NIC_MAX_QUEUES; i++) {
		struct enl_vsp_inflight_stats is;
		struct nic_queue *q;
		char head[16];

		g_mutex_lock(&n->lock);
		q = n->queues[i];
		if (q)
			enl_vsp_inflight_stats(q_inflight(q), &is);
		g_mutex_unlock(&n->lock);
		if (!q)
			continue;
		g_snprintf(head, sizeof(head), "queue%u:", i);
		enl_ctl_kv_begin(req, NULL, head);
		if (req->json)
			enl_json_u64(req->json, "queue", i);
		enl_ctl_kv_bool(req, "open", q->open);
		enl_ctl_kv_bool(req, "stopped", q->stopped);
		enl_ctl_kv_u64(req, "xfers_out", is.outstanding);
		enl_ctl_kv_u64(req, "xfers", is.added);
		enl_ctl_kv_u64(req, "completed", is.completed);
		enl_ctl_kv_u64(req, "stale", is.stale);
		ENL_CTL_KV_ATOMIC(req, "guest_packets", &q->guest_packets);
		ENL_CTL_KV_ATOMIC(req, "frames_up", &q->frames_up);
		ENL_CTL_KV_ATOMIC(req, "bytes_up", &q->bytes_up);
		ENL_CTL_KV_ATOMIC(req, "frames_down", &q->frames_down);
		ENL_CTL_KV_ATOMIC(req, "bytes_down", &q->bytes_down);
		ENL_CTL_KV_ATOMIC(req, "tap_drops", &q->tap_drops);
		enl_ctl_kv_end(req);
	}
	if (req->json) {
		enl_json_end(req->json);
		enl_json_end(req->json);
	}
}

/*
 * What the engine tells the guest about its link goes out in one batch on
 * the primary channel, if open: the channel to end the batch on, or NULL.
 */
static struct enl_vsp_channel *batch_begin(struct enl_nic *n)
{
	struct nic_queue *q0 = n->queues[0];

	if (!q0 || !q0->open)
		return NULL;
	enl_vsp_batch_begin(q0->ch);
	return q0->ch;
}

static void batch_end(struct enl_vsp_channel *ch)
{
	if (ch)
		enl_vsp_batch_end(ch);
}

void enl_nic_set_speed(struct enl_nic *n, uint32_t mbps)
{
	struct enl_vsp_channel *ch = batch_begin(n);

	enl_net_set_speed(n->dev, mbps * 1000000ull);
	batch_end(ch);
}

void enl_nic_set_link(struct enl_nic *n, bool up)
{
	struct enl_vsp_channel *ch = batch_begin(n);

	enl_net_set_link(n->dev, up);
	batch_end(ch);
}
