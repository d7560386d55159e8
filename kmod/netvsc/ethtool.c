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
	[NV_ST_rx_pages] = "rx_pages",
	[NV_ST_rx_pages_new] = "rx_pages_new",
	[NV_ST_rx_lent] = "rx_lent",
	[NV_ST_rx_lend_capped] = "rx_lend_capped",
	[NV_ST_rx_lend_held] = "rx_lend_held",
	[NV_ST_rx_lent_now] = "rx_lent_now",
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
	return nv_reconfigure(nd, ndev->mtu, ch->combined_count,
			      nd->want_recv_size, nd->want_send_size);
}

/*
 * Sections of the receive and send buffers: frames each can hold. The
 * host sizes a section (by the MTU for receive), we size the buffers.
 */
static void nv_get_ringparam(struct net_device *ndev,
			     struct ethtool_ringparam *rp,
			     struct kernel_ethtool_ringparam *krp,
			     struct netlink_ext_ack *extack)
{
	struct nv_dev *nd = netdev_priv(ndev);

	if (!nd->recv_section_size || !nd->send_section_size)
		return;
	rp->rx_max_pending = NV_RECV_BUF_MAX / nd->recv_section_size;
	rp->rx_pending = nd->recv_sections;
	rp->tx_max_pending = NV_SEND_BUF_MAX / nd->send_section_size;
	rp->tx_pending = nd->send_sections;
}

/* New buffer sizes for that many sections: a re-attach. */
static int nv_set_ringparam(struct net_device *ndev,
			    struct ethtool_ringparam *rp,
			    struct kernel_ethtool_ringparam *krp,
			    struct netlink_ext_ack *extack)
{
	struct nv_dev *nd = netdev_priv(ndev);
	u32 rs = nd->recv_section_size, ss = nd->send_section_size;
	u32 rx, tx;

	if (!rs || !ss)
		return -ENODEV;
	if (rp->rx_mini_pending || rp->rx_jumbo_pending)
		return -EINVAL;
	if (rp->rx_pending < NV_RECV_SECTIONS_MIN ||
	    rp->rx_pending > NV_RECV_BUF_MAX / rs ||
	    rp->tx_pending < NV_SEND_SECTIONS_MIN ||
	    rp->tx_pending > NV_SEND_BUF_MAX / ss) {
		NL_SET_ERR_MSG_MOD(extack, "rx or tx sections out of range");
		return -EINVAL;
	}
	if (rp->rx_pending == nd->recv_sections &&
	    rp->tx_pending == nd->send_sections)
		return 0;
	rx = PAGE_ALIGN(rp->rx_pending * rs);
	tx = PAGE_ALIGN(rp->tx_pending * ss);
	return nv_reconfigure(nd, ndev->mtu, nd->want_chan,
			      min(rx, NV_RECV_BUF_MAX), min(tx, NV_SEND_BUF_MAX));
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

/* The ring count: ethtool asks it before it reads or sets the table. */
static int nv_get_rxnfc(struct net_device *ndev, struct ethtool_rxnfc *info,
			u32 *rules)
{
	struct nv_dev *nd = netdev_priv(ndev);

	if (info->cmd != ETHTOOL_GRXRINGS)
		return -EOPNOTSUPP;
	info->data = max_t(u32, nd->nr_chan, 1);
	return 0;
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

/*
 * ethtool -X: a new table (entries below the channel count) and/or key,
 * Toeplitz only, set at the host at once.
 */
static int nv_set_rxfh(struct net_device *ndev, const u32 *indir,
		       const u8 *key, const u8 hfunc)
{
	struct nv_dev *nd = netdev_priv(ndev);
	u32 old_table[NV_ITAB_SIZE];
	u8 old_key[ENL_NDIS_RSS_KEY_SIZE];
	bool old_set;
	unsigned int i;
	int ret = 0;

	if (hfunc != ETH_RSS_HASH_NO_CHANGE && hfunc != ETH_RSS_HASH_TOP)
		return -EOPNOTSUPP;
	mutex_lock(&nd->lock);
	if (!nd->attached || nd->nr_chan < 2) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	for (i = 0; indir && i < NV_ITAB_SIZE; i++)
		if (indir[i] >= nd->nr_chan) {
			ret = -EINVAL;
			goto out;
		}
	memcpy(old_table, nd->rx_table, sizeof(old_table));
	memcpy(old_key, nd->rss_key, sizeof(old_key));
	old_set = nd->rx_table_set;
	if (indir) {
		memcpy(nd->rx_table, indir, sizeof(nd->rx_table));
		/* "-X default" gives the spread: follow the channel count. */
		nd->rx_table_set = false;
		for (i = 0; i < NV_ITAB_SIZE; i++)
			if (indir[i] != ethtool_rxfh_indir_default(i, nd->nr_chan))
				nd->rx_table_set = true;
	}
	if (key)
		memcpy(nd->rss_key, key, sizeof(nd->rss_key));
	ret = nv_rndis_set_rss(nd);
	if (ret) {
		/* The host kept the old ones: so do we. */
		memcpy(nd->rx_table, old_table, sizeof(old_table));
		memcpy(nd->rss_key, old_key, sizeof(old_key));
		nd->rx_table_set = old_set;
	}
out:
	mutex_unlock(&nd->lock);
	return ret;
}

const struct ethtool_ops nv_ethtool_ops = {
	.get_drvinfo		= nv_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= nv_get_link_ksettings,
	.get_channels		= nv_get_channels,
	.set_channels		= nv_set_channels,
	.get_ringparam		= nv_get_ringparam,
	.set_ringparam		= nv_set_ringparam,
	.get_sset_count		= nv_get_sset_count,
	.get_strings		= nv_get_strings,
	.get_ethtool_stats	= nv_get_ethtool_stats,
	.get_rxnfc		= nv_get_rxnfc,
	.get_rxfh_key_size	= nv_get_rxfh_key_size,
	.get_rxfh_indir_size	= nv_get_rxfh_indir_size,
	.get_rxfh		= nv_get_rxfh,
	.set_rxfh		= nv_set_rxfh,
};
