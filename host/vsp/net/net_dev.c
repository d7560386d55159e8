// SPDX-License-Identifier: GPL-2.0-only
/* The network device engine's lifetime, counters and state; see net_dev.h. */
#include <stdlib.h>
#include <string.h>

#include "net_priv.h"

/*
 * The hash key a device uses until the guest sets its own: the example
 * key of Microsoft's RSS documentation, which Linux guests also use.
 */
static const uint8_t default_rss_key[ENL_NDIS_RSS_KEY_SIZE] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static const char *const stat_names[] = {
#define ENL_NET_STAT_NAME(id, name) name,
	ENL_NET_STATS(ENL_NET_STAT_NAME)
#undef ENL_NET_STAT_NAME
};

const char *enl_net_stat_name(enum enl_net_stat s)
{
	return (unsigned int)s < ENL_NET_STAT_COUNT ? stat_names[s] : "?";
}

uint64_t enl_net_stat(const struct enl_net_dev *d, enum enl_net_stat s)
{
	if ((unsigned int)s >= ENL_NET_STAT_COUNT)
		return 0;
	return atomic_load_explicit(&d->stats[s], memory_order_relaxed);
}

static void fresh_state(struct enl_net_dev *d)
{
	d->phase = ENL_NVSP_WAIT_INIT;
	d->nvsp_version = 0;
	d->ndis_version = 0;
	d->ndis_mtu = 0;
	d->ndis_caps = 0;
	d->subchannels = 0;
	d->datapath = ENL_NVSP_DATAPATH_SYNTHETIC;
	d->rndis_initialized = false;
	atomic_store(&d->packet_filter, 0);
	memcpy(d->mac, d->cfg.mac, 6);
	atomic_store(&d->pending_ind, 0);
	atomic_store(&d->offl, 0);
	d->encap_v4 = d->encap_v6 = 0;
	atomic_store(&d->rss_enabled, false);
	d->rss_hashinfo = ENL_NDIS_HASH_FUNC_TOEPLITZ | ENL_NDIS_HASH_IPV4 |
			  ENL_NDIS_HASH_TCP_IPV4 | ENL_NDIS_HASH_IPV6 |
			  ENL_NDIS_HASH_TCP_IPV6;
	d->rss_itab_size = 0;
	memcpy(d->rss_key, default_rss_key, sizeof(d->rss_key));
}

struct enl_net_dev *enl_net_new(const struct enl_net_cfg *cfg,
				const struct enl_net_ops *ops, void *ctx)
{
	struct enl_net_dev *d;

	if (!cfg || !ops || !ops->map_buffer || !ops->unmap_buffer ||
	    !ops->tx_frame || !ops->send_xfer)
		return NULL;
	if (cfg->max_mtu < ENL_ETH_MIN_MTU || cfg->max_mtu > 65535 - ENL_ETH_HLEN ||
	    !cfg->max_queues || cfg->max_queues > ENL_NVSP_MAX_CHANNELS ||
	    cfg->send_section_size < 2048 || cfg->send_section_size > (1u << 20) ||
	    cfg->recv_section_min > (1u << 20))
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cfg = *cfg;
	d->ops = ops;
	d->ctx = ctx;
	pthread_mutex_init(&d->rx.lock, NULL);
	atomic_store(&d->link_up, cfg->link_up);
	d->link_speed_bps = cfg->link_speed_bps;
	fresh_state(d);
	return d;
}

void enl_net_reset(struct enl_net_dev *d)
{
	net_rx_teardown(d);
	net_buf_detach(d, &d->rx.buf);
	net_buf_detach(d, &d->tx.buf);
	d->tx.nsections = d->tx.section_size = 0;
	fresh_state(d);
}

void enl_net_free(struct enl_net_dev *d)
{
	if (!d)
		return;
	enl_net_reset(d);
	pthread_mutex_destroy(&d->rx.lock);
	free(d);
}

void enl_net_get_state(const struct enl_net_dev *d, struct enl_net_state *st)
{
	uint32_t o = atomic_load(&d->offl);

	memset(st, 0, sizeof(*st));
	st->nvsp_version = enl_net_nvsp_version(d);
	st->ndis_version = d->ndis_version;
	st->ndis_mtu = d->ndis_mtu;
	st->ndis_caps = d->ndis_caps;
	st->rndis_initialized = d->rndis_initialized;
	st->packet_filter = atomic_load(&d->packet_filter);
	memcpy(st->mac, d->mac, 6);
	st->link_up = atomic_load(&d->link_up);
	st->link_speed_bps = d->link_speed_bps;
	st->recv_sections = d->rx.nsections;
	st->recv_section_size = d->rx.section_size;
	st->send_sections = d->tx.nsections;
	st->send_section_size = d->tx.section_size;
	st->tun_flags = net_tun_flags(d);
	st->tx_csum_v4 = o & ENL_OFFL_TX_CSUM4;
	st->tx_csum_v6 = o & ENL_OFFL_TX_CSUM6;
	st->lso_v4 = o & ENL_OFFL_LSO4;
	st->lso_v6 = o & ENL_OFFL_LSO6;
	st->rsc_v4 = o & ENL_OFFL_RSC4;
	st->rsc_v6 = o & ENL_OFFL_RSC6;
	st->rss_enabled = atomic_load(&d->rss_enabled);
	st->rss_hashinfo = d->rss_hashinfo;
	st->rss_itab_size = d->rss_itab_size;
	memcpy(st->rss_key, d->rss_key, sizeof(st->rss_key));
	st->subchannels = d->subchannels;
	st->datapath = d->datapath;
}

uint32_t enl_net_rss_queue(const struct enl_net_dev *d, uint32_t hash)
{
	if (!atomic_load(&d->rss_enabled) || !d->rss_itab_size)
		return 0;
	return d->rss_itab[hash % d->rss_itab_size];
}
