// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO space for devices that need guest physical address space of their
 * own, such as the synthetic video device's VRAM (the offer's
 * mmio_megabytes says how much). The host side of the device backs it.
 * Where the transport has a window the host backs (pci: the hvif MMIO
 * window in BAR2), space comes from there; otherwise (hv: the VMBus ACPI
 * device's _CRS is not parsed yet) it is carved out of the free part of
 * iomem_resource. Either way it shows in /proc/iomem under the device's
 * name and no other driver can claim it.
 */
#include <linux/ioport.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include "vmbus.h"

struct enl_mmio_region {
	struct list_head node;
	struct enl_vmbus_device *vdev;
	struct resource res;
};

int enl_vmbus_mmio_alloc(struct enl_vmbus_device *vdev, resource_size_t min,
			 resource_size_t max, resource_size_t size,
			 resource_size_t align, phys_addr_t *start)
{
	struct enl_vmbus *vb = vdev->channel->vb;
	struct resource *root = vb->t->mmio_window ?: &iomem_resource;
	struct enl_mmio_region *r;
	int ret;

	if (vb->t->mmio_window) {
		/* The window is all there is: (0, 0) or a range around it. */
		if (!max)
			max = root->end;
		min = max_t(resource_size_t, min, root->start);
		max = min_t(resource_size_t, max, root->end);
	} else if (!min && !max) {
		/* Below 4 GiB and above what low RAM usually reaches. */
		min = SZ_2G;
		max = SZ_4G - 1;
	}
	if (!size || min > max || (align & (align - 1)))
		return -EINVAL;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->vdev = vdev;
	r->res.name = dev_name(&vdev->dev);
	r->res.flags = IORESOURCE_MEM | IORESOURCE_BUSY;
	ret = allocate_resource(root, &r->res, size, min, max,
				align ?: PAGE_SIZE, NULL, NULL);
	if (ret) {
		dev_err(&vdev->dev, "no %pa bytes of MMIO space in [%pa, %pa]: %d\n",
			&size, &min, &max, ret);
		kfree(r);
		return ret;
	}
	mutex_lock(&vb->mmio_lock);
	list_add_tail(&r->node, &vb->mmio);
	mutex_unlock(&vb->mmio_lock);
	*start = r->res.start;
	dev_info(&vdev->dev, "MMIO %pR reserved\n", &r->res);
	return 0;
}
EXPORT_SYMBOL_GPL(enl_vmbus_mmio_alloc);

/* Release one region of vdev (start), or all of them (all). */
static void mmio_release(struct enl_vmbus *vb, struct enl_vmbus_device *vdev,
			 phys_addr_t start, bool all)
{
	struct enl_mmio_region *r, *tmp;

	mutex_lock(&vb->mmio_lock);
	list_for_each_entry_safe(r, tmp, &vb->mmio, node) {
		if (r->vdev != vdev || (!all && r->res.start != start))
			continue;
		list_del(&r->node);
		release_resource(&r->res);
		kfree(r);
	}
	mutex_unlock(&vb->mmio_lock);
}

void enl_vmbus_mmio_free(struct enl_vmbus_device *vdev, phys_addr_t start)
{
	mmio_release(vdev->channel->vb, vdev, start, false);
}
EXPORT_SYMBOL_GPL(enl_vmbus_mmio_free);

void enl_mmio_release_device(struct enl_vmbus *vb,
			     struct enl_vmbus_device *vdev)
{
	mmio_release(vb, vdev, 0, true);
}
