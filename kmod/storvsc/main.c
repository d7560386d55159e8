// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_storvsc: the guest's SCSI low-level driver for VMBus storage, the
 * synthetic SCSI controller and the IDE accelerator, on the enl_vmbus
 * driver API. Probe opens the channels and shakes hands (protocol.c),
 * then registers a Scsi_Host with one blk-mq hardware queue per channel;
 * remove takes the host away and closes the channels.
 */
#include <linux/blk-mq.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>
#include <enlighten/guids.h>
#include "storvsc.h"

/* driver_data of the id table: which controller it is. */
#define STOR_CLASS_SCSI		0
#define STOR_CLASS_IDE		1

static int stor_slave_configure(struct scsi_device *sdev)
{
	blk_queue_rq_timeout(sdev->request_queue, STOR_CMD_TIMEOUT_S * HZ);
	return 0;
}

/*
 * Having this hook spares every command the midlayer's memset of its
 * private data (a 2 KiB page list here), which queuecommand fills as far
 * as it uses it anyway.
 */
static int stor_init_cmd_priv(struct Scsi_Host *shost, struct scsi_cmnd *cmd)
{
	struct stor_cmd *sc = scsi_cmd_priv(cmd);

	sc->chan = NULL;
	sc->slot = NULL;
	return 0;
}

static struct scsi_host_template stor_template = {
	.module			= THIS_MODULE,
	.name			= "enl_storvsc",
	.proc_name		= "enl_storvsc",
	.queuecommand		= stor_queuecommand,
	.eh_abort_handler	= stor_eh_abort,
	.eh_host_reset_handler	= stor_eh_host_reset,
	.slave_configure	= stor_slave_configure,
	.change_queue_depth	= scsi_change_queue_depth,
	.this_id		= -1,
	.cmd_size		= sizeof(struct stor_cmd),
	.init_cmd_priv		= stor_init_cmd_priv,
	/* Lets one GPA range carry every request: see stor_map_data(). */
	.virt_boundary_mask	= PAGE_SIZE - 1,
	.sg_tablesize		= STOR_MAX_PFNS,
	.shost_groups		= stor_shost_groups,
};

/*
 * Commands one channel can carry at once: as many of the largest packet
 * (GPA-direct header, one range of STOR_MAX_PFNS pages, the SRB packet,
 * the ring's trailing index) as fit in its send ring. VMSTOR's properties
 * carry no queue depth; the ring is the limit.
 */
static u32 stor_depth(void)
{
	u32 pkt = sizeof(struct enl_vmdata_gpa_direct) +
		  sizeof(struct enl_gpa_range) + STOR_MAX_PFNS * sizeof(u64) +
		  sizeof(struct enl_vstor_packet);

	pkt = ALIGN(pkt, 8) + sizeof(u64);
	return min_t(u32, STOR_SEND_RING_SIZE / pkt, STOR_MAX_DEPTH);
}

static int stor_probe(struct enl_vmbus_device *vdev,
		      const struct hv_vmbus_device_id *id)
{
	bool ide = id->driver_data == STOR_CLASS_IDE;
	struct Scsi_Host *shost;
	struct stor_dev *sd;
	unsigned int target = 0;
	int ret;

	/*
	 * The IDE accelerator names its disk's target in bytes 4-5 of the
	 * instance GUID, any 16-bit value (Linux reads it the same way); the
	 * SRB carries its low byte, which the host does not check for IDE.
	 */
	if (ide)
		target = vdev->instance_id.b[5] << 8 | vdev->instance_id.b[4];
	shost = scsi_host_alloc(&stor_template, sizeof(*sd));
	if (!shost)
		return -ENOMEM;
	sd = shost_priv(shost);
	sd->vdev = vdev;
	sd->shost = shost;
	sd->ide = ide;
	sd->ide_target = target;
	sd->depth = stor_depth();
	mutex_init(&sd->ctl_lock);
	spin_lock_init(&sd->ctl_spin);
	sd->ctl.kind = STOR_REQ_CTL;
	init_completion(&sd->ctl.done);
	INIT_WORK(&sd->scan_work, stor_scan_work);

	ret = stor_open_channels(sd);
	if (ret)
		goto put;

	shost->nr_hw_queues = sd->nr_chan;
	shost->can_queue = sd->depth;
	shost->cmd_per_lun = sd->depth;
	shost->max_sectors = sd->max_transfer >> SECTOR_SHIFT;
	shost->sg_tablesize = sd->max_transfer / PAGE_SIZE + 1;
	if (ide) {
		shost->max_channel = 0;
		shost->max_id = max_t(unsigned int, target + 1,
				      ENL_VSTOR_IDE_MAX_TARGETS);
		shost->max_lun = ENL_VSTOR_IDE_MAX_LUNS;
	} else {
		shost->max_channel = ENL_VSTOR_SCSI_MAX_CHANNELS - 1;
		shost->max_id = ENL_VSTOR_SCSI_MAX_TARGETS;
		shost->max_lun = ENL_VSTOR_SCSI_MAX_LUNS;
	}
	shost->max_cmd_len = ENL_VMSCSI_MAX_CDB_LEN;

	ret = scsi_add_host(shost, &vdev->dev);
	if (ret)
		goto close;
	dev_set_drvdata(&vdev->dev, sd);
	WRITE_ONCE(sd->added, true);
	dev_info(&vdev->dev, "%s controller: VMSTOR %u.%u, %u queue(s), max transfer %u, depth %u\n",
		 ide ? "IDE" : "SCSI", sd->version >> 8, sd->version & 0xff,
		 sd->nr_chan, sd->max_transfer, sd->depth);
	if (ide) {
		ret = scsi_add_device(shost, 0, target, 0);
		if (ret)
			dev_warn(&vdev->dev, "IDE disk %u: %d\n", target, ret);
	} else {
		scsi_scan_host(shost);
	}
	return 0;
close:
	stor_close_channels(sd);
put:
	scsi_host_put(shost);
	return ret;
}

static void stor_remove(struct enl_vmbus_device *vdev)
{
	struct stor_dev *sd = dev_get_drvdata(&vdev->dev);
	struct Scsi_Host *shost = sd->shost;

	WRITE_ONCE(sd->removing, true);
	cancel_work_sync(&sd->scan_work);
	/* Waits for the I/O in flight; a host that is gone fails it via EH. */
	scsi_remove_host(shost);
	stor_close_channels(sd);
	cancel_work_sync(&sd->scan_work);
	scsi_host_put(shost);
}

static const struct hv_vmbus_device_id stor_ids[] = {
	{ .guid = ENL_GUID_SCSI, .driver_data = STOR_CLASS_SCSI },
	{ .guid = ENL_GUID_IDE, .driver_data = STOR_CLASS_IDE },
	{ },
};
/* ENL_GUID_SCSI and ENL_GUID_IDE in memory order. */
ENL_VMBUS_MODULE_ALIAS("d96361baa104294db60572e2ffb1dc7f");
ENL_VMBUS_MODULE_ALIAS("32264132cb86a2449b5c50d1417354f5");

static struct enl_vmbus_driver stor_driver = {
	.name = "enl_storvsc",
	.id_table = stor_ids,
	.probe = stor_probe,
	.remove = stor_remove,
	.sub_rescind = stor_sub_rescind,
};

static int __init stor_init(void)
{
	return enl_vmbus_driver_register(&stor_driver);
}

static void __exit stor_exit(void)
{
	enl_vmbus_driver_unregister(&stor_driver);
}

module_init(stor_init);
module_exit(stor_exit);

MODULE_DESCRIPTION("Enlighten synthetic storage (VMSTOR) SCSI driver");
MODULE_LICENSE("GPL");
