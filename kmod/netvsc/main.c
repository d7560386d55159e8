// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_netvsc: the guest's driver for the synthetic network adapter on the
 * enl_vmbus driver API. Probe creates the net_device and attaches it to
 * the host (channels, NVSP, RNDIS); an MTU or channel-count change
 * detaches and attaches again under the same net_device, so name, MAC and
 * configuration survive; remove (also on a rescind) unregisters it.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <enlighten/guids.h>
#include "netvsc.h"

/* Waiting for the host to complete what it holds, before a detach. */
#define NV_DRAIN_MS		2000

/*
 * NAPI is off: no more allocations. Pages the stack still holds free
 * the pool when the last comes back.
 */
static void nv_pool_free(struct nv_chan *c)
{
	page_pool_destroy(c->pool);
	c->pool = NULL;
}

static int nv_open_chan(struct nv_dev *nd, unsigned int i,
			struct enl_vmbus_channel *ch)
{
	struct nv_chan *c = &nd->chan[i];
	struct enl_vmbus_open_params p = {
		.send_ring_size = NV_RING_SIZE,
		.recv_ring_size = NV_RING_SIZE,
		/* The interrupt schedules NAPI; NAPI reads the ring. */
		.flags = ENL_VMBUS_OPEN_NOTIFY | ENL_VMBUS_OPEN_TARGET_CPU,
		.on_event = nv_on_event,
		.priv = c,
		/* Queue i's interrupts and NAPI on the i-th CPU. */
		.target_cpu = enl_vmbus_spread_cpu(i),
		/* The primary also carries one NVSP and one RNDIS request. */
		.max_requests = NV_TX_DESCS + (i ? 0 : 2),
	};
	struct page_pool_params pp = {
		.order = 0,
		.pool_size = NV_RX_POOL_PAGES,
		.nid = NUMA_NO_NODE,
	};
	int ret;

	c->ch = ch;
	c->rescinded = false;
	c->comp_head = 0;
	c->comp_count = 0;
	c->want_room = false;
	c->pool = page_pool_create(&pp);
	if (IS_ERR(c->pool)) {
		ret = PTR_ERR(c->pool);
		c->pool = NULL;
		return ret;
	}
	c->pool_seen = 0;
	napi_enable(&c->napi);
	ret = enl_vmbus_channel_open(ch, &p);
	if (ret) {
		napi_disable(&c->napi);
		nv_pool_free(c);
		return ret;
	}
	c->open = true;
	return 0;
}

/* Ask for sub-channels and open those the host offers. */
static void nv_open_subchannels(struct nv_dev *nd)
{
	struct enl_vmbus_channel *primary = nd->vdev->channel;
	u32 want = min(nd->want_chan, nd->max_chan);
	unsigned int i;
	int n, ret;

	if (want < 2)
		return;
	n = nv_nvsp_subchannels(nd, want - 1);
	if (n <= 0)
		return;
	ret = enl_vmbus_wait_subchannels(primary, n, NV_SUB_TIMEOUT_MS);
	if (ret < 0)
		netdev_warn(nd->ndev, "%d sub-channels granted: %d; using those offered\n",
			    n, ret);
	for (i = 1; i <= n; i++) {
		struct enl_vmbus_channel *sub = enl_vmbus_subchannel(primary, i);

		if (!sub)
			break;
		ret = nv_open_chan(nd, i, sub);
		if (ret) {
			netdev_warn(nd->ndev, "sub-channel %u: %d; %u queues\n",
				    i, ret, nd->nr_chan);
			break;
		}
		nd->nr_chan = i + 1;
	}
}

/* RSS capabilities: how many queues the host spreads receives over. */
static void nv_query_rss(struct nv_dev *nd)
{
	struct enl_ndis_rss_caps caps = {}, in = {};
	u32 len = sizeof(caps);

	nd->max_chan = 1;
	if (nd->nvsp_version < ENL_NVSP_VERSION_5)
		return;
	in.header.type = ENL_NDIS_OBJECT_TYPE_RSS_CAPABILITIES;
	in.header.revision = ENL_NDIS_RSS_CAPS_REVISION_2;
	in.header.size = sizeof(in);
	if (nv_rndis_query(nd, ENL_OID_GEN_RECEIVE_SCALE_CAPABILITIES, &in,
			   sizeof(in), &caps, &len) || len < sizeof(caps))
		return;
	nd->max_chan = clamp_t(u32, caps.num_recv_que, 1,
			       min_t(u32, num_online_cpus(), NV_MAX_QUEUES));
}

/* The host's frame size bounds our MTU; only asked at the first attach. */
static void nv_query_mtu(struct nv_dev *nd, bool first)
{
	struct net_device *ndev = nd->ndev;
	u32 v, len = sizeof(v);

	if (!first)
		return;
	if (!nv_rndis_query(nd, ENL_OID_GEN_MAXIMUM_FRAME_SIZE, NULL, 0, &v,
			    &len) && len == sizeof(v) && v >= ETH_MIN_MTU)
		ndev->max_mtu = min_t(u32, v, NV_MAX_MTU);
	if (nd->nvsp_version < ENL_NVSP_VERSION_2)
		ndev->max_mtu = ETH_DATA_LEN;
	if (ndev->mtu > ndev->max_mtu)
		ndev->mtu = ndev->max_mtu;
}

static int nv_query_mac(struct nv_dev *nd, bool first)
{
	u8 mac[ETH_ALEN];
	u32 len = sizeof(mac);
	int ret;

	ret = nv_rndis_query(nd, ENL_OID_802_3_PERMANENT_ADDRESS, NULL, 0,
			     mac, &len);
	if (ret)
		return ret;
	if (len != ETH_ALEN || !is_valid_ether_addr(mac)) {
		netdev_err(nd->ndev, "host's MAC address %pM (%u bytes) refused\n",
			   mac, len);
		return -EPROTO;
	}
	memcpy(nd->perm_addr, mac, ETH_ALEN);
	if (first) {
		eth_hw_addr_set(nd->ndev, mac);
		memcpy(nd->ndev->perm_addr, mac, ETH_ALEN);
	} else if (nd->mac_set) {
		/* The host forgot the user's address with the reset. */
		ret = nv_rndis_set_mac(nd, nd->ndev->dev_addr);
		if (ret)
			netdev_warn(nd->ndev, "MAC %pM not set again: %d\n",
				    nd->ndev->dev_addr, ret);
	}
	return 0;
}

/* Give each channel its share of the send sections. */
static int nv_setup_queues(struct nv_dev *nd)
{
	u32 per = nd->send_sections / nd->nr_chan, i;
	int ret;

	for (i = 0; i < nd->nr_chan; i++) {
		ret = nv_tx_init(&nd->chan[i], i * per, per);
		if (ret)
			return ret;
	}
	for (i = 0; i < ENL_NVSP_SEND_TABLE_SIZE; i++)
		nd->tx_table[i] = i % nd->nr_chan;
	nd->stats_chan = max(nd->stats_chan, nd->nr_chan);
	return 0;
}

/*
 * Connect to the host: channels, NVSP, RNDIS, offloads, link, sub-channels
 * and RSS. Caller holds nd->lock. On failure everything is undone.
 */
int nv_attach(struct nv_dev *nd)
{
	bool first = !nd->stats_chan;
	int ret;

	nd->gone = false;
	nd->nr_chan = 0;
	ret = nv_open_chan(nd, 0, nd->vdev->channel);
	if (ret)
		return ret;
	nd->nr_chan = 1;
	ret = nv_nvsp_connect(nd);
	if (ret)
		goto fail;
	ret = nv_rndis_init(nd);
	if (ret)
		goto fail;
	nv_query_mtu(nd, first);
	ret = nv_query_mac(nd, first);
	if (ret)
		goto fail;
	ret = nv_rndis_setup_offloads(nd);
	if (ret)
		goto fail;
	nv_rndis_query_link(nd);
	nv_query_rss(nd);
	nv_open_subchannels(nd);
	ret = nv_setup_queues(nd);
	if (ret)
		goto fail;
	if (nd->nr_chan > 1) {
		ret = nv_rndis_set_rss(nd);
		if (ret)
			netdev_warn(nd->ndev, "RSS not set (%d): receives on one queue\n",
				    ret);
	}
	WRITE_ONCE(nd->attached, true);
	schedule_work(&nd->link_work);
	return 0;
fail:
	netdev_err(nd->ndev, "attach failed: %d\n", ret);
	nv_detach(nd);
	return ret;
}

/* Wait (bounded) for the host to complete the sends it holds. */
static void nv_drain(struct nv_dev *nd)
{
	unsigned long until = jiffies + msecs_to_jiffies(NV_DRAIN_MS);
	unsigned int i;
	u32 left;

	do {
		left = 0;
		for (i = 0; i < nd->nr_chan; i++) {
			struct nv_chan *c = &nd->chan[i];

			/* A batch the ring had no room for is dropped. */
			if (c->txd && c->batch_sec != ENL_NVSP_NO_SECTION) {
				nv_count(c, NV_ST_tx_dropped, c->batch_pkts);
				c->batch_sec = ENL_NVSP_NO_SECTION;
			}
			if (!c->rescinded)
				left += READ_ONCE(c->txd_used);
		}
		if (!left || READ_ONCE(nd->gone))
			return;
		msleep(20);
	} while (time_before(jiffies, until));
	netdev_warn(nd->ndev, "%u sends not completed by the host\n", left);
}

static void nv_free_buffers(struct nv_dev *nd)
{
	struct enl_vmbus_channel *ch = nd->vdev->channel;

	/* A buffer the host may still hold (teardown failed) is leaked. */
	if (nd->recv_gpadl && enl_vmbus_gpadl_teardown(ch, nd->recv_gpadl))
		nd->recv_buf = NULL;
	if (nd->send_gpadl && enl_vmbus_gpadl_teardown(ch, nd->send_gpadl))
		nd->send_buf = NULL;
	/* Pages the stack still holds outlive the vfree: it drops them. */
	vfree(nd->recv_buf);
	vfree(nd->send_buf);
	kvfree(nd->recv_pages);
	nd->recv_pages = NULL;
	nd->recv_buf = NULL;
	nd->send_buf = NULL;
	nd->recv_gpadl = 0;
	nd->send_gpadl = 0;
	nd->recv_sections = 0;
	nd->send_sections = 0;
}

/* Undo nv_attach, whatever part of it happened. Caller holds nd->lock. */
void nv_detach(struct nv_dev *nd)
{
	struct net_device *ndev = nd->ndev;
	bool rndis = READ_ONCE(nd->attached);
	unsigned int i;

	WRITE_ONCE(nd->attached, false);
	netif_tx_disable(ndev);
	netif_carrier_off(ndev);
	if (rndis && !nd->gone) {
		if (nd->filter && nv_rndis_set_filter(nd, 0) == -ENODEV)
			nd->gone = true;
		nv_rndis_halt(nd);
	}
	nv_drain(nd);
	if (nd->chan[0].open && !nd->gone)
		nv_nvsp_disconnect(nd);
	for (i = nd->nr_chan; i-- > 0;) {
		struct nv_chan *c = &nd->chan[i];

		if (!c->open)
			continue;
		napi_disable(&c->napi);
		nv_lend_forget(c);
		enl_vmbus_channel_close(c->ch);
		nv_pool_free(c);
		c->open = false;
	}
	nv_free_buffers(nd);
	for (i = 0; i < NV_MAX_QUEUES; i++) {
		nv_tx_free(&nd->chan[i]);
		nd->chan[i].comp_count = 0;
		if (i < ndev->num_tx_queues)
			netdev_tx_reset_queue(netdev_get_tx_queue(ndev, i));
	}
	/* The host's answer to a request we gave up on will not come now. */
	spin_lock_bh(&nd->ctl_spin);
	nd->nctl.busy = false;
	nd->rctl.at_host = false;
	nd->rctl.req_id = 0;
	spin_unlock_bh(&nd->ctl_spin);
	wake_up(&nd->rctl.idle);
	nd->filter = 0;
	nd->nr_chan = 0;
}

/* After an attach: the stack's queue counts, and traffic if up. */
static void nv_resume(struct nv_dev *nd)
{
	struct net_device *ndev = nd->ndev;

	netif_set_real_num_tx_queues(ndev, nd->nr_chan);
	netif_set_real_num_rx_queues(ndev, nd->nr_chan);
	if (netif_running(ndev)) {
		nv_rndis_set_filter(nd, nv_filter(ndev));
		netif_tx_wake_all_queues(ndev);
	}
}

/*
 * Detach and attach again with another MTU, channel count or buffer
 * sizes (rtnl held). If the new configuration fails, the old one is
 * restored.
 */
int nv_reconfigure(struct nv_dev *nd, unsigned int mtu, unsigned int nchan,
		   u32 recv_size, u32 send_size)
{
	struct net_device *ndev = nd->ndev;
	unsigned int old_mtu = ndev->mtu, old_chan = nd->want_chan;
	u32 old_recv = nd->want_recv_size, old_send = nd->want_send_size;
	int ret, ret2;

	ASSERT_RTNL();
	mutex_lock(&nd->lock);
	if (nd->removing || nd->gone) {
		mutex_unlock(&nd->lock);
		return -ENODEV;
	}
	nv_detach(nd);
	WRITE_ONCE(ndev->mtu, mtu);
	nd->want_chan = nchan;
	nd->want_recv_size = recv_size;
	nd->want_send_size = send_size;
	ret = nv_attach(nd);
	if (ret) {
		WRITE_ONCE(ndev->mtu, old_mtu);
		nd->want_chan = old_chan;
		nd->want_recv_size = old_recv;
		nd->want_send_size = old_send;
		ret2 = nv_attach(nd);
		if (ret2)
			netdev_err(ndev, "device lost: attach failed again: %d\n",
				   ret2);
	}
	if (nd->attached)
		nv_resume(nd);
	mutex_unlock(&nd->lock);
	return ret;
}

/*
 * The host rescinded one sub-channel alone (under the device lock, before
 * enl_vmbus closes and releases it). Nothing may use it once this returns:
 * detach now, and attach again from a work item, once it is released, with
 * the channels the host grants then (it offers that index anew).
 */
static void nv_sub_rescind(struct enl_vmbus_device *vdev,
			   struct enl_vmbus_channel *sub)
{
	struct nv_dev *nd = dev_get_drvdata(&vdev->dev);
	bool ours = false;
	unsigned int i;

	if (!nd)
		return;
	rtnl_lock();
	mutex_lock(&nd->lock);
	for (i = 1; i < nd->nr_chan; i++) {
		if (nd->chan[i].open && nd->chan[i].ch == sub) {
			nd->chan[i].rescinded = true;
			ours = true;
		}
	}
	if (ours && !nd->removing) {
		netdev_warn(nd->ndev, "a sub-channel was rescinded by the host: queues set up again\n");
		nv_detach(nd);
		schedule_work(&nd->reattach_work);
	}
	mutex_unlock(&nd->lock);
	rtnl_unlock();
}

static void nv_reattach_work(struct work_struct *w)
{
	struct nv_dev *nd = container_of(w, struct nv_dev, reattach_work);
	int ret;

	rtnl_lock();
	mutex_lock(&nd->lock);
	if (!nd->removing && !nd->gone && !nd->attached) {
		ret = nv_attach(nd);
		if (ret)
			netdev_err(nd->ndev, "attach after a sub-channel rescind failed: %d\n",
				   ret);
		else
			nv_resume(nd);
	}
	mutex_unlock(&nd->lock);
	rtnl_unlock();
}

static int nv_probe(struct enl_vmbus_device *vdev,
		    const struct hv_vmbus_device_id *id)
{
	struct net_device *ndev;
	struct nv_dev *nd;
	unsigned int i;
	int ret;

	ndev = alloc_etherdev_mq(sizeof(*nd), NV_MAX_QUEUES);
	if (!ndev)
		return -ENOMEM;
	SET_NETDEV_DEV(ndev, &vdev->dev);
	nd = netdev_priv(ndev);
	nd->vdev = vdev;
	nd->ndev = ndev;
	mutex_init(&nd->lock);
	spin_lock_init(&nd->ctl_spin);
	nd->nctl.kind = NV_CTX_NVSP;
	init_completion(&nd->nctl.done);
	nd->rctl.kind = NV_CTX_RNDIS;
	init_completion(&nd->rctl.done);
	init_waitqueue_head(&nd->rctl.idle);
	INIT_WORK(&nd->rx_mode_work, nv_rx_mode_work);
	INIT_WORK(&nd->link_work, nv_link_work);
	INIT_WORK(&nd->reattach_work, nv_reattach_work);
	netdev_rss_key_fill(nd->rss_key, sizeof(nd->rss_key));
	nd->want_chan = min_t(u32, num_online_cpus(), NV_MAX_QUEUES);
	nd->want_recv_size = NV_RECV_BUF_SIZE;
	nd->want_send_size = NV_SEND_BUF_SIZE;
	ret = -ENOMEM;
	nd->rctl.page = (void *)get_zeroed_page(GFP_KERNEL);
	if (!nd->rctl.page)
		goto free;
	for (i = 0; i < NV_MAX_QUEUES; i++) {
		struct nv_chan *c = &nd->chan[i];

		c->nd = nd;
		c->index = i;
		spin_lock_init(&c->lock);
		u64_stats_init(&c->syncp);
		c->batch_sec = ENL_NVSP_NO_SECTION;
		c->comp = kvcalloc(NV_COMP_MAX, sizeof(*c->comp), GFP_KERNEL);
		if (!c->comp)
			goto free;
		netif_napi_add(ndev, &c->napi, nv_poll);
		timer_setup(&c->lend_timer, nv_lend_timer, 0);
		c->lend_pg = kvcalloc(NV_LEND_PAGES, sizeof(*c->lend_pg),
				      GFP_KERNEL);
		c->lend_x = kvcalloc(NV_LEND_XFERS, sizeof(*c->lend_x),
				     GFP_KERNEL);
		if (!c->lend_pg || !c->lend_x)
			goto free;
	}

#ifdef CONFIG_BQL
	/* Whatever the user sets in sysfs later wins. */
	for (i = 0; i < ndev->num_tx_queues; i++)
		netdev_get_tx_queue(ndev, i)->dql.min_limit = NV_BQL_MIN;
#endif
	ndev->netdev_ops = &nv_netdev_ops;
	ndev->ethtool_ops = &nv_ethtool_ops;
	/* The host takes a new address at any time (bonding sets it up). */
	ndev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	ndev->min_mtu = ETH_MIN_MTU;
	ndev->max_mtu = NV_MAX_MTU;
	/* Room for the RNDIS header of a frame sent in place. */
	ndev->needed_headroom = NV_TX_HDR_MAX;
	netif_carrier_off(ndev);

	mutex_lock(&nd->lock);
	ret = nv_attach(nd);
	mutex_unlock(&nd->lock);
	if (ret)
		goto free;
	ndev->features = ndev->hw_features | NETIF_F_HIGHDMA;
	ndev->vlan_features = ndev->features & ~NETIF_F_HW_VLAN_CTAG_TX;
	netif_set_real_num_tx_queues(ndev, nd->nr_chan);
	netif_set_real_num_rx_queues(ndev, nd->nr_chan);
	dev_set_drvdata(&vdev->dev, nd);
	ret = register_netdev(ndev);
	if (ret)
		goto detach;
	netdev_info(ndev, "synthetic NIC %pM: NVSP %#x, NDIS %u.%u, %u queue(s), MTU %u (max %u)\n",
		    ndev->dev_addr, nd->nvsp_version, nd->ndis_version >> 16,
		    nd->ndis_version & 0xffff, nd->nr_chan, ndev->mtu,
		    ndev->max_mtu);
	return 0;
detach:
	mutex_lock(&nd->lock);
	nv_detach(nd);
	mutex_unlock(&nd->lock);
	dev_set_drvdata(&vdev->dev, NULL);
free:
	cancel_work_sync(&nd->link_work);
	for (i = 0; i < NV_MAX_QUEUES; i++) {
		if (nd->chan[i].comp)
			netif_napi_del(&nd->chan[i].napi);
		kvfree(nd->chan[i].comp);
		kvfree(nd->chan[i].lend_pg);
		kvfree(nd->chan[i].lend_x);
	}
	free_page((unsigned long)nd->rctl.page);
	free_netdev(ndev);
	return ret;
}

static void nv_remove(struct enl_vmbus_device *vdev)
{
	struct nv_dev *nd = dev_get_drvdata(&vdev->dev);
	struct net_device *ndev = nd->ndev;
	unsigned int i;

	mutex_lock(&nd->lock);
	WRITE_ONCE(nd->removing, true);
	mutex_unlock(&nd->lock);
	cancel_work_sync(&nd->reattach_work);
	/*
	 * Carrier off while still registered: unregistering drops the link
	 * event it queues. A carrier change after unregister_netdev() queues
	 * the device on linkwatch again, which may run after this module is
	 * gone (seen: an oops in dev_get_iflink() after rmmod).
	 */
	cancel_work_sync(&nd->link_work);
	netif_carrier_off(ndev);
	/* Stops the device (filter off) while the host may still answer. */
	unregister_netdev(ndev);
	cancel_work_sync(&nd->rx_mode_work);
	mutex_lock(&nd->lock);
	nv_detach(nd);
	mutex_unlock(&nd->lock);
	cancel_work_sync(&nd->link_work);
	for (i = 0; i < NV_MAX_QUEUES; i++) {
		netif_napi_del(&nd->chan[i].napi);
		kvfree(nd->chan[i].comp);
		kvfree(nd->chan[i].lend_pg);
		kvfree(nd->chan[i].lend_x);
	}
	free_page((unsigned long)nd->rctl.page);
	free_netdev(ndev);
}

static const struct hv_vmbus_device_id nv_ids[] = {
	{ .guid = ENL_GUID_NETWORK },
	{ },
};
/* ENL_GUID_NETWORK in memory order. */
ENL_VMBUS_MODULE_ALIAS("635161f83edfc546913ff2d2f965ed0e");

static struct enl_vmbus_driver nv_driver = {
	.name = "enl_netvsc",
	.id_table = nv_ids,
	.probe = nv_probe,
	.remove = nv_remove,
	.sub_rescind = nv_sub_rescind,
};

static int __init nv_init(void)
{
	return enl_vmbus_driver_register(&nv_driver);
}

static void __exit nv_exit(void)
{
	enl_vmbus_driver_unregister(&nv_driver);
}

module_init(nv_init);
module_exit(nv_exit);

MODULE_DESCRIPTION("Enlighten synthetic network adapter (NVSP/RNDIS) driver");
MODULE_LICENSE("GPL");
