// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_netvsc net_device_ops: up and down (the host's packet filter), the
 * receive mode, the MAC address, the MTU (a re-attach), counters, and the
 * carrier as the host reports it.
 */
#include <linux/rtnetlink.h>
#include "netvsc.h"

/* The packet filter the interface's flags ask for. */
u32 nv_filter(struct net_device *ndev)
{
	u32 f = ENL_NDIS_PACKET_TYPE_DIRECTED;
	unsigned int flags = READ_ONCE(ndev->flags);

	if (flags & IFF_PROMISC)
		return ENL_NDIS_PACKET_TYPE_PROMISCUOUS;
	/* The host filters no multicast list: any group means all. */
	if ((flags & IFF_ALLMULTI) || !netdev_mc_empty(ndev))
		f |= ENL_NDIS_PACKET_TYPE_ALL_MULTICAST;
	if (flags & IFF_BROADCAST)
		f |= ENL_NDIS_PACKET_TYPE_BROADCAST;
	return f;
}

static int nv_open(struct net_device *ndev)
{
	struct nv_dev *nd = netdev_priv(ndev);
	int ret = 0;

	mutex_lock(&nd->lock);
	if (nd->attached) {
		ret = nv_rndis_set_filter(nd, nv_filter(ndev));
		if (!ret)
			netif_tx_wake_all_queues(ndev);
	}
	mutex_unlock(&nd->lock);
	return ret;
}

static int nv_stop(struct net_device *ndev)
{
	struct nv_dev *nd = netdev_priv(ndev);

	netif_tx_disable(ndev);
	mutex_lock(&nd->lock);
	if (nd->attached && nd->filter)
		nv_rndis_set_filter(nd, 0);
	mutex_unlock(&nd->lock);
	return 0;
}

/* RNDIS sets sleep: ndo_set_rx_mode may not. */
void nv_rx_mode_work(struct work_struct *w)
{
	struct nv_dev *nd = container_of(w, struct nv_dev, rx_mode_work);
	struct net_device *ndev = nd->ndev;
	u32 f;

	mutex_lock(&nd->lock);
	if (nd->attached && !nd->removing && netif_running(ndev)) {
		netif_addr_lock_bh(ndev);
		f = nv_filter(ndev);
		netif_addr_unlock_bh(ndev);
		if (f != nd->filter)
			nv_rndis_set_filter(nd, f);
	}
	mutex_unlock(&nd->lock);
}

static void nv_set_rx_mode(struct net_device *ndev)
{
	struct nv_dev *nd = netdev_priv(ndev);

	schedule_work(&nd->rx_mode_work);
}

void nv_link_work(struct work_struct *w)
{
	struct nv_dev *nd = container_of(w, struct nv_dev, link_work);

	/* nv_remove() turned the carrier off for good. */
	if (READ_ONCE(nd->removing))
		return;
	if (READ_ONCE(nd->link_up) && READ_ONCE(nd->attached))
		netif_carrier_on(nd->ndev);
	else
		netif_carrier_off(nd->ndev);
}

static int nv_set_mac(struct net_device *ndev, void *p)
{
	struct nv_dev *nd = netdev_priv(ndev);
	struct sockaddr *sa = p;
	int ret;

	ret = eth_prepare_mac_addr_change(ndev, p);
	if (ret)
		return ret;
	mutex_lock(&nd->lock);
	ret = nd->attached ? nv_rndis_set_mac(nd, sa->sa_data) : -ENODEV;
	if (!ret) {
		eth_commit_mac_addr_change(ndev, p);
		/* Back to the host's own address: nothing to set again. */
		nd->mac_set = !ether_addr_equal(sa->sa_data, nd->perm_addr);
	}
	mutex_unlock(&nd->lock);
	return ret;
}

static int nv_change_mtu(struct net_device *ndev, int mtu)
{
	struct nv_dev *nd = netdev_priv(ndev);

	/* The host sizes its receive sections from the MTU: attach again. */
	return nv_reconfigure(nd, mtu, nd->want_chan, nd->want_recv_size,
			      nd->want_send_size);
}

/*
 * Only LRO (the host's receive coalescing) is the host's business; the
 * other features are applied per packet on our side.
 */
static int nv_set_features(struct net_device *ndev,
			   netdev_features_t features)
{
	struct nv_dev *nd = netdev_priv(ndev);
	bool on = features & NETIF_F_LRO;
	int ret = 0;

	if (!((ndev->features ^ features) & NETIF_F_LRO))
		return 0;
	mutex_lock(&nd->lock);
	if (nd->attached)
		ret = nv_rndis_set_rsc(nd, on);
	if (!ret)
		nd->rsc_off = !on;
	mutex_unlock(&nd->lock);
	return ret;
}

static void nv_get_stats64(struct net_device *ndev,
			   struct rtnl_link_stats64 *s)
{
	struct nv_dev *nd = netdev_priv(ndev);
	unsigned int i;

	for (i = 0; i < NV_MAX_QUEUES; i++) {
		struct nv_chan *c = &nd->chan[i];
		u64 st[NV_ST_COUNT];

		nv_read_stats(c, st);
		s->rx_packets += st[NV_ST_rx_packets];
		s->rx_bytes += st[NV_ST_rx_bytes];
		s->rx_dropped += st[NV_ST_rx_dropped_nomem];
		s->rx_errors += st[NV_ST_rx_malformed] + st[NV_ST_rx_bad_xfer];
		s->tx_packets += st[NV_ST_tx_packets];
		s->tx_bytes += st[NV_ST_tx_bytes];
		s->tx_dropped += st[NV_ST_tx_dropped];
		s->tx_errors += st[NV_ST_tx_host_failed];
	}
}

const struct net_device_ops nv_netdev_ops = {
	.ndo_open		= nv_open,
	.ndo_stop		= nv_stop,
	.ndo_start_xmit		= nv_start_xmit,
	.ndo_select_queue	= nv_select_queue,
	.ndo_set_rx_mode	= nv_set_rx_mode,
	.ndo_set_mac_address	= nv_set_mac,
	.ndo_change_mtu		= nv_change_mtu,
	.ndo_set_features	= nv_set_features,
	.ndo_get_stats64	= nv_get_stats64,
	.ndo_validate_addr	= eth_validate_addr,
};
