// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_storvsc error handling and bus scans. VMSTOR cannot abort one SRB,
 * so a timed-out command escalates to a host reset: RESET_BUS, a bounded
 * wait for the host to answer what it held, and whatever is still out is
 * handed back for a retry (its slot stays taken until the host answers).
 * A host that does not answer the reset fails it and the midlayer takes
 * the devices offline; no step waits without a bound.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_eh.h>
#include "storvsc.h"

int stor_eh_abort(struct scsi_cmnd *cmd)
{
	struct stor_cmd *sc = scsi_cmd_priv(cmd);
	struct stor_chan *c = sc->chan;
	struct stor_slot *s = sc->slot;
	unsigned long flags;
	bool held = false;

	if (c && s) {
		spin_lock_irqsave(&c->lock, flags);
		held = s->cmd == cmd;
		spin_unlock_irqrestore(&c->lock, flags);
	}
	if (!held)
		return SUCCESS;
	scmd_printk(KERN_WARNING, cmd, "timed out at the host: escalating to a reset\n");
	return FAILED;
}

static u32 stor_inflight(struct stor_dev *sd)
{
	unsigned int i;
	u32 n = 0;

	for (i = 0; i < sd->nr_chan; i++)
		n += stor_chan_inflight(&sd->chan[i]);
	return n;
}

int stor_eh_host_reset(struct scsi_cmnd *cmd)
{
	struct stor_dev *sd = shost_priv(cmd->device->host);
	unsigned long deadline;
	struct enl_vstor_packet r;
	unsigned int left;
	bool ok;
	int ret;

	ret = stor_ctl_request(sd, ENL_VSTOR_OP_RESET_BUS, 0, &r);
	ok = !ret && r.status == ENL_VSTOR_STATUS_SUCCESS;
	/* The host answers what it held as it resets; give it the time. */
	deadline = jiffies + msecs_to_jiffies(STOR_CTL_TIMEOUT_MS);
	while (ok && stor_inflight(sd) && time_before(jiffies, deadline))
		msleep(20);
	left = stor_detach_all(sd, DID_RESET);
	dev_warn(&sd->vdev->dev, "host reset %s (%d, status %#x); %u commands handed back\n",
		 ok ? "done" : "failed", ret, ret ? 0 : r.status, left);
	/*
	 * A host that answered the reset is alive: what it still held after
	 * the wait it has lost (a dropped completion), and those commands
	 * go back for a retry with DID_RESET. Only a host that did not
	 * answer fails the reset, and the midlayer takes the devices offline.
	 */
	return ok ? SUCCESS : FAILED;
}

void stor_schedule_scan(struct stor_dev *sd, unsigned int what)
{
	set_bit(what, &sd->scan_flags);
	/* Before the host is added its first scan comes anyway. */
	if (READ_ONCE(sd->added) && !READ_ONCE(sd->removing))
		schedule_work(&sd->scan_work);
}

/*
 * ENUMERATE_BUS, a LUN that answered INVALID_LUN, a capacity change: ask
 * every LUN whether it is still there (gone ones answer INVALID_LUN, which
 * io.c maps to DID_NO_CONNECT) and remove those that are not, scan for new
 * ones, and have sd re-read sizes.
 */
void stor_scan_work(struct work_struct *work)
{
	struct stor_dev *sd = container_of(work, struct stor_dev, scan_work);
	struct Scsi_Host *shost = sd->shost;
	bool bus = test_and_clear_bit(STOR_SCAN_BUS, &sd->scan_flags);
	bool gone = test_and_clear_bit(STOR_SCAN_GONE, &sd->scan_flags);
	bool cap = test_and_clear_bit(STOR_SCAN_CAPACITY, &sd->scan_flags);
	struct scsi_device *sdev;

	if (bus || gone) {
		shost_for_each_device(sdev, shost) {
			int r = scsi_test_unit_ready(sdev, STOR_CMD_TIMEOUT_S * HZ,
						     1, NULL);

			if (r > 0 && host_byte(r) == DID_NO_CONNECT) {
				sdev_printk(KERN_INFO, sdev, "gone from the host: removing\n");
				scsi_remove_device(sdev);
			}
		}
	}
	if (bus && !sd->ide)
		scsi_scan_host(shost);
	if (cap) {
		shost_for_each_device(sdev, shost)
			scsi_rescan_device(sdev);
	}
}
