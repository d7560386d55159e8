// SPDX-License-Identifier: GPL-2.0-only
/* The enl_vmbus bus type: matching offers to drivers by class GUID, modalias, device add. */
#include <linux/device.h>
#include <linux/module.h>
#include "vmbus.h"

static const struct hv_vmbus_device_id *
bus_match_id(const struct hv_vmbus_device_id *id, const guid_t *class_id)
{
	for (; id && !guid_is_null(&id->guid); id++)
		if (guid_equal(&id->guid, class_id))
			return id;
	return NULL;
}

static struct enl_vmbus_driver *to_enl_driver(struct device_driver *drv)
{
	return container_of(drv, struct enl_vmbus_driver, driver);
}

static int bus_match(struct device *dev, struct device_driver *drv)
{
	return !!bus_match_id(to_enl_driver(drv)->id_table,
			      &to_enl_vmbus_device(dev)->class_id);
}

/*
 * Our own alias prefix: the in-tree drivers' "vmbus:" aliases never match
 * our devices, and ours (ENL_VMBUS_MODULE_ALIAS) never match the in-tree
 * bus's, so udev loads exactly one stack's driver for a device.
 */
static int bus_uevent(struct device *dev, struct kobj_uevent_env *env)
{
	struct enl_vmbus_device *vdev = to_enl_vmbus_device(dev);
	int ret;

	ret = add_uevent_var(env, "MODALIAS=" ENL_VMBUS_MODALIAS_PREFIX "%*phN",
			     UUID_SIZE, &vdev->class_id);
	if (!ret)
		ret = add_uevent_var(env, "VMBUS_CLASS_ID=%pUl",
				     &vdev->class_id);
	if (!ret)
		ret = add_uevent_var(env, "VMBUS_DEVICE_ID=%pUl",
				     &vdev->instance_id);
	return ret;
}

static int bus_probe(struct device *dev)
{
	struct enl_vmbus_driver *drv = to_enl_driver(dev->driver);
	struct enl_vmbus_device *vdev = to_enl_vmbus_device(dev);
	const struct hv_vmbus_device_id *id;
	int ret;

	id = bus_match_id(drv->id_table, &vdev->class_id);
	if (!id || !drv->probe)
		return -ENODEV;
	ret = drv->probe(vdev, id);
	/* A failed probe leaves nothing open for the next driver to find. */
	if (ret) {
		enl_vmbus_channel_close_all(vdev->channel);
		enl_mmio_release_device(vdev->channel->vb, vdev);
	}
	return ret;
}

static void bus_remove(struct device *dev)
{
	struct enl_vmbus_driver *drv = to_enl_driver(dev->driver);
	struct enl_vmbus_device *vdev = to_enl_vmbus_device(dev);

	if (drv->remove)
		drv->remove(vdev);
	/* Whatever the driver left open is closed before the next driver. */
	enl_vmbus_channel_close_all(vdev->channel);
	enl_mmio_release_device(vdev->channel->vb, vdev);
}

struct bus_type enl_vmbus_bus = {
	.name = "enl_vmbus",
	.match = bus_match,
	.uevent = bus_uevent,
	.probe = bus_probe,
	.remove = bus_remove,
	.dev_groups = enl_vmbus_dev_groups,
	.bus_groups = enl_vmbus_bus_groups,
};

int enl_bus_add_device(struct enl_vmbus_channel *ch)
{
	struct device *dev = &ch->vdev.dev;
	int ret;

	dev->bus = &enl_vmbus_bus;
	dev->parent = ch->vb->root;
	/* The instance GUID, as the in-tree bus names its devices. */
	ret = dev_set_name(dev, "%pUl", &ch->vdev.instance_id);
	if (!ret)
		ret = device_add(dev);
	if (ret)
		dev_err(ch->vb->root, "cannot add device for relid %u: %d\n",
			ch->relid, ret);
	return ret;
}

int __enl_vmbus_driver_register(struct enl_vmbus_driver *drv,
				struct module *owner, const char *mod_name)
{
	drv->driver.name = drv->name;
	drv->driver.owner = owner;
	drv->driver.mod_name = mod_name;
	drv->driver.bus = &enl_vmbus_bus;
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(__enl_vmbus_driver_register);

void enl_vmbus_driver_unregister(struct enl_vmbus_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(enl_vmbus_driver_unregister);
