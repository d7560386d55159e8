// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_fb: the synthetic video device's driver on the enl_vmbus bus. Probe
 * connects (synthvid handshake, VRAM in the MMIO space enl_vmbus hands
 * out), sets up KMS and the fbdev emulation the text console draws on;
 * remove (also on rescind) unplugs the DRM device first, so that nothing
 * reaches VRAM or the channel after.
 */
#include <linux/module.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fb_helper.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <enlighten/guids.h>
#include "fb.h"

DEFINE_DRM_GEM_FOPS(enl_fb_fops);

static const struct drm_driver enl_fb_driver = {
	.driver_features = DRIVER_MODESET | DRIVER_GEM | DRIVER_ATOMIC,
	.name = "enl_fb",
	.desc = "Enlighten synthetic video",
	.date = "20261201",
	.major = 1,
	.minor = 0,
	.fops = &enl_fb_fops,
	DRM_GEM_SHMEM_DRIVER_OPS,
};

static int enl_fb_probe(struct enl_vmbus_device *vdev,
			const struct hv_vmbus_device_id *id)
{
	struct enl_fb *fb;
	int ret;

	fb = devm_drm_dev_alloc(&vdev->dev, &enl_fb_driver, struct enl_fb, drm);
	if (IS_ERR(fb))
		return PTR_ERR(fb);
	fb->vdev = vdev;
	fb->ch = vdev->channel;
	mutex_init(&fb->req_lock);
	mutex_init(&fb->send_lock);
	spin_lock_init(&fb->wait_lock);
	init_completion(&fb->wait_done);
	dev_set_drvdata(&vdev->dev, fb);

	ret = enl_fb_connect(fb);
	if (ret)
		return ret;
	ret = enl_fb_modeset_init(fb);
	if (ret)
		goto disconnect;
	ret = sysfs_create_group(&vdev->dev.kobj, &enl_fb_attr_group);
	if (ret)
		goto disconnect;
	ret = drm_dev_register(&fb->drm, 0);
	if (ret)
		goto sysfs;
	drm_info(&fb->drm, "synthvid %u.%u, VRAM %pa+%pa, up to %ux%u at %u bpp\n",
		 ENL_SYNTHVID_MAJOR(fb->version),
		 ENL_SYNTHVID_MINOR(fb->version), &fb->vram_gpa,
		 &fb->vram_size, fb->width_max, fb->height_max, fb->depth);
	drm_fbdev_generic_setup(&fb->drm, fb->depth);
	return 0;
sysfs:
	sysfs_remove_group(&vdev->dev.kobj, &enl_fb_attr_group);
disconnect:
	enl_fb_disconnect(fb);
	return ret;
}

static void enl_fb_remove(struct enl_vmbus_device *vdev)
{
	struct enl_fb *fb = dev_get_drvdata(&vdev->dev);

	/* From here on commits skip VRAM and the channel (drm_dev_enter). */
	drm_dev_unplug(&fb->drm);
	drm_atomic_helper_shutdown(&fb->drm);
	sysfs_remove_group(&vdev->dev.kobj, &enl_fb_attr_group);
	enl_fb_disconnect(fb);
}

static const struct hv_vmbus_device_id enl_fb_ids[] = {
	{ .guid = ENL_GUID_SYNTHVID },
	{ },
};
/* ENL_GUID_SYNTHVID in memory order. */
ENL_VMBUS_MODULE_ALIAS("02780ada77e3ac4a8e770558eb1073f8");

static struct enl_vmbus_driver enl_fb_vmbus_driver = {
	.name = "enl_fb",
	.id_table = enl_fb_ids,
	.probe = enl_fb_probe,
	.remove = enl_fb_remove,
};

static int __init enl_fb_init(void)
{
	return enl_vmbus_driver_register(&enl_fb_vmbus_driver);
}

static void __exit enl_fb_exit(void)
{
	enl_vmbus_driver_unregister(&enl_fb_vmbus_driver);
}

module_init(enl_fb_init);
module_exit(enl_fb_exit);

MODULE_DESCRIPTION("Enlighten synthetic video (synthvid) DRM driver");
MODULE_LICENSE("GPL");
