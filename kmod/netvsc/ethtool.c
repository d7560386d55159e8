// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_netvsc ethtool_ops: driver info, link and speed, channels (-l/-L:
 * a re-attach with another count), buffer sizes (-g), RSS key and table
 * (-x), and per-queue counters (-S).
 */
#include <linux/ethtool.h>
#include "netvsc.h"

static const char *const nv_stat_names[NV_ST_COUNT] = {
	[NV_ST_rx_packets] = "rx_packets",
	[NV_ST_rx_bytes] = "rx_bytes",
	[NV_ST_rx_csum_ok] = "rx_csum_ok",
	[NV_ST_rx_dropped_nomem] = "rx_dropped_nomem",
	[NV_ST_rx_malformed] = "rx_malformed",
	[NV_ST_rx_bad_xfer] = "rx_bad_xfer",
	[NV_ST_rx_comp_deferred] = "rx_comp_deferred",
	[NV_ST_rx_rsc_packets] = "rx_rsc_packets",
	[NV_ST_rx_rsc_frags] = "rx_rsc_frags",
	[NV_ST_tx_packets] = "tx_packets",
	[NV_ST_tx_bytes] = "tx_bytes",
	[NV_ST_tx_copied] = "tx_copied",
	[NV_ST_tx_gpa] = "tx_gpa",
	[NV_ST_tx_batches] = "tx_batches",
	[NV_ST_tx_tso] = "tx_tso",
	[NV_ST_tx_csum] = "tx_csum",
	[NV_ST_tx_linearized] = "tx_linearized",
	[NV_ST_tx_dropped] = "tx_dropped",
	[NV_ST_tx_stopped] = "tx_stopped",
	[NV_ST_tx_host_failed] = "tx_host_failed",
	[NV_ST_bad_completions] = "bad_completions",
	[NV_ST_unsolicited] = "unsolicited",
};

/* Device-wide counters, before the per-queue ones. */
static const char *const nv_dev_stat_names[] = {
	"ctl_malformed", "indications",
};

static void nv_get_drvinfo(struct net_device *ndev,
			   struct ethtool_drvinfo *info)
{
	struct nv_dev *nd = netdev_priv(ndev);

	strscpy(info->driver, "enl_netvsc", sizeof(info->driver));
	snprintf(info->fw_version, sizeof(info->fw_version), "NVSP %x NDIS %u.%u",
		 nd->nvsp_version, nd->ndis_version >> 16,
		 nd->ndis_version & 0xffff);
	strscpy(info->bus_info, dev_name(&nd->vdev->dev), sizeof(info->bus_info));
}

static int nv_get_link_ksettings(struct net_device *ndev,
				 struct ethtool_link_ksettings *cmd)
{
	struct nv_dev *nd = netdev_priv(ndev);
	u32 speed = READ_ONCE(nd->link_speed);

	ethtool_link_ksettings_zero_link_mode(cmd, supported);
	ethtool_link_ksettings_zero_link_mode(cmd, advertising);
	cmd->base.speed = netif_carrier_ok(ndev) && speed ? speed : SPEED_UNKNOWN;
	cmd->base.duplex = netif_carrier_ok(ndev) ? DUPLEX_FULL : DUPLEX_UNKNOWN;
	cmd->base.port = PORT_OTHER;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

static void nv_get_channels(struct net_device *ndev,
			    struct ethtool_channels *ch)
{
	struct nv_dev *nd = netdev_priv(ndev);

	ch->max_combined = max_t(u32, nd->max_chan, 1);
	ch->combined_count = nd->nr_chan;
}

static int nv_set_channels(struct net_device *ndev,
			   struct ethtool_channels *ch)
{
	struct nv_dev *nd = netdev_priv(ndev);

	if (ch->rx_count || ch->tx_count || ch->other_count ||
	    !ch->combined_count || ch->combined_count > max_t(u32, nd->max_chan, 1))
		return -EINVAL;
	if (ch->combined_count == nd->nr_chan)
		return 0;
	return nv_reconfigure(nd, ndev->mtu, ch->combined_count);
}

/* Sections of the receive and send buffers: frames each can hold. */
static void nv_get_ringparam(struct net_device *ndev,
			     struct ethtool_ringparam *rp,
			     struct kernel_ethtool_ringparam *krp,
			     struct netlink_ext_ack *extack)
{
	struct nv_dev *nd = netdev_priv(ndev);

	rp->rx_max_pending = nd->recv_sections;
	rp->rx_pending = nd->recv_sections;
	rp->tx_max_pending = nd->send_sections;
	rp->tx_pending = nd->send_sections;
}

static int nv_get_sset_count(struct net_device *ndev, int sset)
{
	struct nv_dev *nd = netdev_priv(ndev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return ARRAY_SIZE(nv_dev_stat_names) + nd->stats_chan * NV_ST_COUNT;
}

static void nv_get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	struct nv_dev *nd = netdev_priv(ndev);
	unsigned int i, k;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(nv_dev_stat_names); i++)
		ethtool_sprintf(&data, "%s", nv_dev_stat_names[i]);
	for (i = 0; i < nd->stats_chan; i++)
		for (k = 0; k < NV_ST_COUNT; k++)
			ethtool_sprintf(&data, "q%u_%s", i, nv_stat_names[k]);
}

static void nv_get_ethtool_stats(struct net_device *ndev,
				 struct ethtool_stats *stats, u64 *data)
{
	struct nv_dev *nd = netdev_priv(ndev);
	unsigned int i;

	*data++ = atomic64_read(&nd->malformed_ctl);
	*data++ = atomic64_read(&nd->indications);
	for (i = 0; i < nd->stats_chan; i++) {
		nv_read_stats(&nd->chan[i], data);
		data += NV_ST_COUNT;
	}
}

static u32 nv_get_rxfh_key_size(struct net_device *ndev)
{
	return ENL_NDIS_RSS_KEY_SIZE;
}

static u32 nv_get_rxfh_indir_size(struct net_device *ndev)
{
	return NV_ITAB_SIZE;
}

static int nv_get_rxfh(struct net_device *ndev, u32 *indir, u8 *key, u8 *hfunc)
{
	struct nv_dev *nd = netdev_priv(ndev);
	unsigned int i;

	if (hfunc)
		*hfunc = ETH_RSS_HASH_TOP;
	if (indir)
		for (i = 0; i < NV_ITAB_SIZE; i++)
			indir[i] = nd->nr_chan > 1 ? nd->rx_table[i] : 0;
	if (key)
		memcpy(key, nd->rss_key, sizeof(nd->rss_key));
	return 0;
}

const struct ethtool_ops nv_ethtool_ops = {
	.get_drvinfo		= nv_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= nv_get_link_ksettings,
	.get_channels		= nv_get_channels,
	.set_channels		= nv_set_channels,
	.get_ringparam		= nv_get_ringparam,
	.get_sset_count		= nv_get_sset_count,
	.get_strings		= nv_get_strings,
	.get_ethtool_stats	= nv_get_ethtool_stats,
	.get_rxfh_key_size	= nv_get_rxfh_key_size,
	.get_rxfh_indir_size	= nv_get_rxfh_indir_size,
	.get_rxfh		= nv_get_rxfh,
};
