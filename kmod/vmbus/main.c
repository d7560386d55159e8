// SPDX-License-Identifier: GPL-2.0-only
/* enl_vmbus: module entry, and bringing VMBus up and down on a transport. */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "vmbus.h"

/* How long boot waits for the host's initial offers to be registered. */
#define ENL_OFFERS_TIMEOUT_MS	10000

atomic_long_t enl_leaked_pages = ATOMIC_LONG_INIT(0);

void enl_leak_pages(unsigned long n, const char *what)
{
	long total = atomic_long_add_return(n, &enl_leaked_pages);

	pr_warn("enl_vmbus: %s: the host never confirmed it stopped writing them; leaking %lu page(s), %ld in all\n",
		what, n, total);
}

/* One VMBus per guest: static, so sysfs readers never see it freed. */
static struct enl_vmbus enl_vmbus_state;
static DEFINE_MUTEX(enl_start_lock);

static void root_release(struct device *dev)
{
	kfree(dev);
}

static int root_add(struct enl_vmbus *vb)
{
	struct device *dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	int ret;

	if (!dev)
		return -ENOMEM;
	device_initialize(dev);
	dev->parent = vb->t->parent;
	dev->release = root_release;
	ret = dev_set_name(dev, "enl_vmbus");
	if (!ret)
		ret = device_add(dev);
	if (ret) {
		put_device(dev);
		return ret;
	}
	vb->root = dev;
	return 0;
}

static void vb_free(struct enl_vmbus *vb)
{
	if (vb->root)
		device_unregister(vb->root);
	if (vb->offer_wq)
		destroy_workqueue(vb->offer_wq);
	kfree(vb->chan);
	WRITE_ONCE(enl_vb, NULL);
}

int enl_vmbus_start(struct enl_transport *t)
{
	struct enl_vmbus *vb = &enl_vmbus_state;
	int ret = -EBUSY;

	mutex_lock(&enl_start_lock);
	if (enl_vb) {
		dev_err(t->parent, "VMBus already served by the %s transport\n",
			enl_vb->t->name);
		goto unlock;
	}
	memset(vb, 0, sizeof(*vb));
	vb->t = t;
	spin_lock_init(&vb->wait_lock);
	INIT_LIST_HEAD(&vb->waiters);
	spin_lock_init(&vb->chan_lock);
	INIT_LIST_HEAD(&vb->mmio);
	mutex_init(&vb->mmio_lock);
	init_completion(&vb->all_offers);
	/* Any start will do; Linux's is 0xe1e10, keep ours apart. */
	atomic_set(&vb->next_gpadl, 0xe7100);

	ret = -ENOMEM;
	vb->chan = kcalloc(ENL_MAX_RELID, sizeof(*vb->chan), GFP_KERNEL);
	vb->offer_wq = alloc_ordered_workqueue("enl_vmbus_offers", 0);
	if (!vb->chan || !vb->offer_wq)
		goto free;
	ret = root_add(vb);
	if (ret)
		goto free;
	WRITE_ONCE(enl_vb, vb);
	ret = enl_synic_init(vb);
	if (ret)
		goto free;
	ret = enl_conn_connect(vb);
	if (ret) {
		enl_offer_remove_all(vb);
		enl_conn_unload(vb);
		enl_synic_exit(vb);
		goto free;
	}
	/* Register boot-time devices before probe returns, for determinism. */
	if (!wait_for_completion_timeout(&vb->all_offers,
					 msecs_to_jiffies(ENL_OFFERS_TIMEOUT_MS)))
		dev_warn(vb->root, "host did not finish its offers in time\n");
	flush_workqueue(vb->offer_wq);
	mutex_unlock(&enl_start_lock);
	return 0;
free:
	vb_free(vb);
unlock:
	mutex_unlock(&enl_start_lock);
	return ret;
}

void enl_vmbus_stop(struct enl_transport *t)
{
	struct enl_vmbus *vb = &enl_vmbus_state;

	mutex_lock(&enl_start_lock);
	if (enl_vb == vb && vb->t == t) {
		enl_offer_remove_all(vb);
		enl_conn_unload(vb);
		enl_synic_exit(vb);
		enl_conn_abort_waiters(vb, NULL);
		dev_info(vb->root, "VMBus disconnected\n");
		vb_free(vb);
	}
	mutex_unlock(&enl_start_lock);
}

/*
 * No enl_start_lock here: a crash may have interrupted its holder. VMBus
 * counts as up on t while its SynICs are live (set after they are set up,
 * cleared before they are freed).
 */
static struct enl_vmbus *vb_live_on(struct enl_transport *t)
{
	struct enl_vmbus *vb = READ_ONCE(enl_vb);

	if (!vb || vb->t != t || !READ_ONCE(vb->synic_live))
		return NULL;
	return vb;
}

int enl_vmbus_shutdown(struct enl_transport *t, unsigned int wait_ms)
{
	struct enl_vmbus *vb = vb_live_on(t);

	if (!vb)
		return -ENODEV;
	/* Once: a crash during a kexec shutdown does not UNLOAD twice. */
	if (atomic_xchg(&vb->shutting_down, 1))
		return READ_ONCE(vb->unload_acked) ? 0 : -ETIMEDOUT;
	/* Offers are ignored and CPUs may go offline from now on. */
	WRITE_ONCE(vb->unloading, true);
	return enl_conn_unload_poll(vb, wait_ms);
}

void enl_vmbus_shutdown_synic(struct enl_transport *t, unsigned int idx)
{
	struct enl_vmbus *vb = READ_ONCE(enl_vb);

	if (vb && vb->t == t && vb->synic)
		enl_synic_shutdown(vb, idx);
}

static int __init enl_vmbus_init(void)
{
	int ret;

	ret = bus_register(&enl_vmbus_bus);
	if (ret)
		return ret;
	ret = enl_chardev_init();
	if (ret)
		goto bus;
	/*
	 * No ACPI (or no Hyper-V) only means no hv transport; on Hyper-V,
	 * a VMBus we cannot own (hv_vmbus has it) means not loading at all.
	 */
	ret = enl_transport_hv_register();
	if (ret == -ENODEV)
		pr_info("enl_vmbus: hv transport unavailable (no ACPI)\n");
	else if (ret)
		goto chardev;
	ret = enl_transport_pci_register();
	if (ret)
		goto hv;
	return 0;
hv:
	enl_transport_hv_unregister();
chardev:
	enl_chardev_exit();
bus:
	bus_unregister(&enl_vmbus_bus);
	return ret;
}

static void __exit enl_vmbus_exit(void)
{
	enl_transport_pci_unregister();
	enl_transport_hv_unregister();
	enl_chardev_exit();
	bus_unregister(&enl_vmbus_bus);
}

module_init(enl_vmbus_init);
module_exit(enl_vmbus_exit);

MODULE_DESCRIPTION("Enlighten VMBus client (Hyper-V and enl-host transports)");
MODULE_LICENSE("GPL");
