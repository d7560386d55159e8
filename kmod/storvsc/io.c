// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_storvsc data path: queuecommand turns a SCSI command into an
 * EXECUTE_SRB whose data travels as one GPA-direct range over the
 * request's own pages; the channel callback takes COMPLETE_IO packets in
 * place and maps their SRB status and sense data to SCSI results.
 *
 * A command's request id (the requestor's) names a slot, not the command:
 * a slot stays taken until the host answers it, even when a reset has
 * already handed its command back to the midlayer, so a late answer finds
 * an empty slot instead of a reused command.
 */
#include <linux/blk-mq.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <scsi/scsi.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_proto.h>
#include "storvsc.h"

/* Hyper-V page numbers are 4 KiB ones. */
static_assert(PAGE_SIZE == 4096);

int stor_chan_init(struct stor_chan *c, u32 depth)
{
	u32 i;

	spin_lock_init(&c->lock);
	c->slots = kvcalloc(depth, sizeof(*c->slots), GFP_KERNEL);
	if (!c->slots)
		return -ENOMEM;
	c->free = NULL;
	for (i = depth; i-- > 0;) {
		c->slots[i].kind = STOR_REQ_IO;
		c->slots[i].next_free = c->free;
		c->free = &c->slots[i];
	}
	return 0;
}

void stor_chan_free(struct stor_chan *c)
{
	kvfree(c->slots);
	c->slots = NULL;
	c->free = NULL;
}

static struct stor_slot *slot_get(struct stor_chan *c, struct scsi_cmnd *cmd,
				  u32 asked)
{
	struct stor_slot *s;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	s = c->free;
	if (s) {
		c->free = s->next_free;
		s->cmd = cmd;
		s->asked = asked;
		s->out = true;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return s;
}

static void slot_put_locked(struct stor_chan *c, struct stor_slot *s)
{
	s->cmd = NULL;
	s->out = false;
	s->next_free = c->free;
	c->free = s;
}

/* Commands the host holds for this channel (detached ones not counted). */
u32 stor_chan_inflight(struct stor_chan *c)
{
	unsigned long flags;
	u32 i, n = 0;

	if (!c->slots)
		return 0;
	spin_lock_irqsave(&c->lock, flags);
	for (i = 0; i < c->sd->depth; i++)
		n += c->slots[i].cmd != NULL;
	spin_unlock_irqrestore(&c->lock, flags);
	return n;
}

/*
 * Hand every command the host still holds on c back to the midlayer with
 * hbyte; their slots stay taken until the host answers. Returns how many
 * there were.
 */
unsigned int stor_detach_chan(struct stor_chan *c, int hbyte)
{
	unsigned int n = 0;
	unsigned long flags;
	u32 k;

	for (k = 0; c->slots && k < c->sd->depth; k++) {
		struct scsi_cmnd *cmd;

		spin_lock_irqsave(&c->lock, flags);
		cmd = c->slots[k].cmd;
		c->slots[k].cmd = NULL;
		spin_unlock_irqrestore(&c->lock, flags);
		if (!cmd)
			continue;
		atomic64_inc(&c->st.orphaned);
		set_host_byte(cmd, hbyte);
		scsi_done(cmd);
		n++;
	}
	return n;
}

unsigned int stor_detach_all(struct stor_dev *sd, int hbyte)
{
	unsigned int i, n = 0;

	for (i = 0; i < sd->nr_chan; i++)
		n += stor_detach_chan(&sd->chan[i], hbyte);
	return n;
}

/*
 * The data as one GPA range: byte_offset into the first page, byte_count
 * in all, then every page in order. That needs every segment but the
 * first to start on a page boundary and every one but the last to end on
 * one, which the host template's virt_boundary_mask makes the block layer
 * guarantee; anything else is refused rather than sent wrong. Returns the
 * range's size in bytes, or 0.
 */
static u32 stor_map_data(struct stor_cmd *sc, struct scsi_cmnd *cmd, u32 len)
{
	struct enl_gpa_range *r = (struct enl_gpa_range *)sc->gpa;
	u64 *pfns = &sc->gpa[1];
	unsigned int nents = scsi_sg_count(cmd);
	struct scatterlist *sg;
	u32 n = 0, seen = 0;
	unsigned int i;

	r->byte_offset = 0;
	for_each_sg(scsi_sglist(cmd), sg, nents, i) {
		unsigned long pfn = page_to_pfn(sg_page(sg)) +
				    (sg->offset >> PAGE_SHIFT);
		u32 off = offset_in_page(sg->offset);
		u32 pages = DIV_ROUND_UP(off + sg->length, PAGE_SIZE);
		u32 k;

		if ((i && off) ||
		    (i + 1 < nents && offset_in_page(off + sg->length)))
			return 0;
		if (pages > STOR_MAX_PFNS - n)
			return 0;
		if (!i)
			r->byte_offset = off;
		for (k = 0; k < pages; k++)
			pfns[n++] = pfn + k;
		seen += sg->length;
	}
	if (!n || seen < len)
		return 0;
	r->byte_count = len;
	return sizeof(*r) + n * sizeof(u64);
}

static void stor_build_srb(struct stor_dev *sd, struct scsi_cmnd *cmd,
			   struct enl_vstor_packet *pkt, u32 len)
{
	struct enl_vmscsi_request *srb = &pkt->vm_srb;

	memset(pkt, 0, sizeof(*pkt));
	pkt->operation = ENL_VSTOR_OP_EXECUTE_SRB;
	pkt->flags = ENL_VSTOR_FLAG_REQUEST_COMPLETION;
	srb->length = sizeof(*srb);
	srb->port_number = sd->shost->host_no;
	srb->path_id = cmd->device->channel;
	srb->target_id = cmd->device->id;
	srb->lun = cmd->device->lun;
	srb->cdb_length = cmd->cmd_len;
	memcpy(srb->cdb, cmd->cmnd, cmd->cmd_len);
	srb->sense_info_length = ENL_VMSCSI_SENSE_BUFFER_SIZE;
	srb->data_transfer_length = len;
	srb->time_out_value = STOR_CMD_TIMEOUT_S;
	srb->srb_flags = ENL_SRB_FLAGS_DISABLE_SYNCH_TRANSFER;
	if (cmd->device->tagged_supported) {
		srb->srb_flags |= ENL_SRB_FLAGS_QUEUE_ACTION_ENABLE |
				  ENL_SRB_FLAGS_NO_QUEUE_FREEZE;
		srb->queue_tag = ENL_SRB_QUEUE_UNTAGGED;
		srb->queue_action = ENL_SRB_SIMPLE_TAG_REQUEST;
	}
	switch (cmd->sc_data_direction) {
	case DMA_TO_DEVICE:
		srb->data_in = ENL_VMSCSI_DATA_WRITE;
		srb->srb_flags |= ENL_SRB_FLAGS_DATA_OUT;
		break;
	case DMA_FROM_DEVICE:
		srb->data_in = ENL_VMSCSI_DATA_READ;
		srb->srb_flags |= ENL_SRB_FLAGS_DATA_IN;
		break;
	default:
		srb->data_in = ENL_VMSCSI_DATA_UNKNOWN;
		srb->srb_flags |= ENL_SRB_FLAGS_NO_DATA_TRANSFER;
		break;
	}
}

static int stor_fail_now(struct scsi_cmnd *cmd, int hbyte)
{
	set_host_byte(cmd, hbyte);
	scsi_done(cmd);
	return 0;
}

static int stor_queue_on(struct stor_dev *sd, struct stor_chan *c,
			 struct scsi_cmnd *cmd)
{
	struct stor_cmd *sc = scsi_cmd_priv(cmd);
	u32 len = scsi_bufflen(cmd), ranges_len = 0;
	struct enl_vstor_packet pkt;
	struct stor_slot *s;
	unsigned long flags;
	int ret;

	/* Not cleared by the midlayer (stor_init_cmd_priv): eh reads them. */
	sc->chan = NULL;
	sc->slot = NULL;
	if (cmd->cmd_len > ENL_VMSCSI_MAX_CDB_LEN || len > sd->max_transfer ||
	    cmd->sc_data_direction == DMA_BIDIRECTIONAL)
		return stor_fail_now(cmd, DID_ERROR);
	stor_build_srb(sd, cmd, &pkt, len);
	if (len) {
		ranges_len = stor_map_data(sc, cmd, len);
		if (!ranges_len) {
			scmd_printk(KERN_ERR, cmd, "scatterlist not page-contiguous: refused\n");
			return stor_fail_now(cmd, DID_ERROR);
		}
	}
	s = slot_get(c, cmd, len);
	if (!s) {
		atomic64_inc(&c->st.busy);
		return SCSI_MLQUEUE_HOST_BUSY;
	}
	/* Before the send: the answer may come before it returns. */
	sc->chan = c;
	sc->slot = s;
	if (len)
		ret = enl_vmbus_send_gpa_request(c->ch,
						 (struct enl_gpa_range *)sc->gpa,
						 ranges_len, 1, &pkt,
						 sizeof(pkt), s);
	else
		ret = enl_vmbus_send_request(c->ch, &pkt, sizeof(pkt), s);
	if (!ret) {
		atomic64_inc(&c->st.submitted);
		return 0;
	}
	/* Not sent: no answer will come for the slot. */
	spin_lock_irqsave(&c->lock, flags);
	slot_put_locked(c, s);
	spin_unlock_irqrestore(&c->lock, flags);
	sc->slot = NULL;
	switch (ret) {
	case -EAGAIN:
	case -EBUSY:
		atomic64_inc(&c->st.busy);
		return SCSI_MLQUEUE_DEVICE_BUSY;
	case -ENODEV:
		/* The channel is rescinded: the caller decides. */
		return -ENODEV;
	default:
		return stor_fail_now(cmd, DID_ERROR);
	}
}

/*
 * A queue whose channel the host took away uses the primary's. Choosing
 * and sending are one RCU read section: stor_sub_rescind() waits for it
 * before the rescinded channel is released. stor_queue_on() returns what
 * queuecommand does, or -ENODEV with the command neither sent nor done.
 */
int stor_queuecommand(struct Scsi_Host *shost, struct scsi_cmnd *cmd)
{
	struct stor_dev *sd = shost_priv(shost);
	u16 hwq = blk_mq_unique_tag_to_hwq(blk_mq_unique_tag(scsi_cmd_to_rq(cmd)));
	struct stor_chan *c = &sd->chan[hwq < sd->nr_chan ? hwq : 0];
	int ret;

	rcu_read_lock();
	if (READ_ONCE(c->gone))
		c = &sd->chan[0];
	ret = stor_queue_on(sd, c, cmd);
	/* Rescinded before stor_sub_rescind() ran: the primary takes it. */
	if (ret == -ENODEV && c != &sd->chan[0])
		ret = stor_queue_on(sd, &sd->chan[0], cmd);
	rcu_read_unlock();
	return ret == -ENODEV ? stor_fail_now(cmd, DID_NO_CONNECT) : ret;
}

/* A field from the host this driver cannot use: counted and said. */
static void stor_bogus(struct stor_chan *c, const char *what, u32 val)
{
	atomic64_inc(&c->st.bogus);
	dev_warn_ratelimited(&c->sd->vdev->dev, "queue %u: %s (%u) from the host\n",
			     c->index, what, val);
}

/* Sense data the midlayer may act on; capacity changes also rescan. */
static void stor_take_sense(struct stor_chan *c, struct scsi_cmnd *cmd,
			    const struct enl_vmscsi_request *srb)
{
	u8 n = srb->sense_info_length;
	struct scsi_sense_hdr hdr;

	if (n > ENL_VMSCSI_SENSE_BUFFER_SIZE) {
		stor_bogus(c, "sense length clamped", n);
		n = ENL_VMSCSI_SENSE_BUFFER_SIZE;
	}
	n = min_t(u8, n, SCSI_SENSE_BUFFERSIZE);
	memset(cmd->sense_buffer, 0, SCSI_SENSE_BUFFERSIZE);
	memcpy(cmd->sense_buffer, srb->sense_data, n);
	if (!scsi_normalize_sense(cmd->sense_buffer, n, &hdr))
		return;
	/*
	 * The command itself is retried by the midlayer, as for any unit
	 * attention; these also need a scan. REPORTED LUNS DATA HAS CHANGED:
	 * the bus. CAPACITY DATA HAS CHANGED or another parameter change
	 * (e.g. the discard granularity): sd reads the devices again.
	 */
	if (hdr.sense_key != UNIT_ATTENTION)
		return;
	if (hdr.asc == 0x3f && hdr.ascq == 0x0e)
		stor_schedule_scan(c->sd, STOR_SCAN_BUS);
	else if ((hdr.asc == 0x2a && hdr.ascq == 0x09) ||
		 (hdr.asc == 0x3f && hdr.ascq != 0x03))
		stor_schedule_scan(c->sd, STOR_SCAN_CAPACITY);
}

/* Map one SRB to the command's result and residual. */
static void stor_set_result(struct stor_chan *c, struct scsi_cmnd *cmd,
			    const struct enl_vmscsi_request *srb, u32 asked)
{
	u8 status = ENL_SRB_STATUS(srb->srb_status);
	bool sense = (srb->srb_status & ENL_SRB_STATUS_AUTOSENSE_VALID) &&
		     srb->scsi_status == SAM_STAT_CHECK_CONDITION;
	u32 moved = srb->data_transfer_length;

	cmd->result = srb->scsi_status;
	if (sense)
		stor_take_sense(c, cmd, srb);
	switch (status) {
	case ENL_SRB_STATUS_SUCCESS:
	case ENL_SRB_STATUS_DATA_OVERRUN:
		/* data_transfer_length says what moved. */
		break;
	case ENL_SRB_STATUS_ERROR:
	case ENL_SRB_STATUS_ABORTED:
	case ENL_SRB_STATUS_INVALID_REQUEST:
		moved = 0;
		/*
		 * With sense data or a SCSI status (BUSY, TASK SET FULL,
		 * RESERVATION CONFLICT...) the midlayer decides: retry, fail,
		 * unit attention. Without either there is nothing to decide
		 * on, except for a TEST UNIT READY, which asks just that.
		 */
		if (!sense && srb->scsi_status == SAM_STAT_GOOD &&
		    cmd->cmnd[0] != TEST_UNIT_READY)
			set_host_byte(cmd, DID_ERROR);
		break;
	case ENL_SRB_STATUS_INVALID_LUN:
	case ENL_SRB_STATUS_NO_DEVICE:
	case ENL_SRB_STATUS_SELECTION_TIMEOUT:
		/*
		 * The LUN is gone: fail fast, and let a scan remove it (not
		 * for the probes of a scan, which ask about absent LUNs).
		 */
		moved = 0;
		set_host_byte(cmd, DID_NO_CONNECT);
		if (cmd->device->sdev_state == SDEV_RUNNING)
			stor_schedule_scan(c->sd, STOR_SCAN_GONE);
		break;
	case ENL_SRB_STATUS_TIMEOUT:
		moved = 0;
		set_host_byte(cmd, DID_TIME_OUT);
		break;
	case ENL_SRB_STATUS_BUS_RESET:
		moved = 0;
		set_host_byte(cmd, DID_RESET);
		break;
	default:
		moved = 0;
		stor_bogus(c, "unknown SRB status", srb->srb_status);
		set_host_byte(cmd, DID_ERROR);
		break;
	}
	if (moved > asked) {
		stor_bogus(c, "transfer length over the request's", moved);
		moved = asked;
	}
	scsi_set_resid(cmd, asked - moved);
}

static void stor_io_done(struct stor_chan *c, struct stor_slot *s,
			 const struct enl_vstor_packet *vp, bool whole)
{
	struct scsi_cmnd *cmd;
	unsigned long flags;
	u32 asked;

	spin_lock_irqsave(&c->lock, flags);
	cmd = s->cmd;
	asked = s->asked;
	slot_put_locked(c, s);
	spin_unlock_irqrestore(&c->lock, flags);
	if (!cmd) {
		/* Its command was handed back by a reset already. */
		atomic64_inc(&c->st.late);
		return;
	}
	atomic64_inc(&c->st.completed);
	if (!whole || vp->operation != ENL_VSTOR_OP_COMPLETE_IO) {
		stor_bogus(c, whole ? "completion of operation" :
			   "short completion, operation", vp->operation);
		cmd->result = 0;
		set_host_byte(cmd, DID_ERROR);
		scsi_set_resid(cmd, asked);
	} else {
		stor_set_result(c, cmd, &vp->vm_srb, asked);
	}
	/*
	 * A bus scan asks every target and LUN; the absent ones answer
	 * INVALID_LUN or NO_DEVICE. sd's probe asks for pages and opcodes a
	 * disk may not have (ILLEGAL REQUEST). Neither is a failed I/O.
	 */
	if (host_byte(cmd->result) == DID_NO_CONNECT)
		atomic64_inc(&c->st.absent);
	else if (cmd->result == SAM_STAT_CHECK_CONDITION)
		atomic64_inc(&c->st.check);
	else if (cmd->result)
		atomic64_inc(&c->st.errors);
	scsi_done(cmd);
}

/* Packets the host sends on its own. */
static void stor_unsolicited(struct stor_chan *c,
			     const struct enl_vstor_packet *vp)
{
	atomic64_inc(&c->st.unsolicited);
	switch (vp->operation) {
	case ENL_VSTOR_OP_ENUMERATE_BUS:
	case ENL_VSTOR_OP_REMOVE_DEVICE:
		/* LUNs came or went: look for new ones, drop gone ones. */
		stor_schedule_scan(c->sd, STOR_SCAN_BUS);
		break;
	case ENL_VSTOR_OP_FCHBA_DATA:
		break;
	default:
		stor_bogus(c, "unknown unsolicited operation", vp->operation);
		break;
	}
}

static void stor_take(struct stor_chan *c, struct enl_vmbus_channel *ch,
		      const struct enl_vmbus_pkt *pkt)
{
	struct enl_vstor_packet vp;
	u32 len = min_t(u32, pkt->len, sizeof(vp));
	void *ctx;

	/* Read the shared packet once; every decision uses this copy. */
	memset(&vp, 0, sizeof(vp));
	memcpy(&vp, pkt->data, len);
	if (pkt->type == ENL_VMPKT_COMP) {
		/* Unknown, duplicate and stale ids: NULL, counted by enl_vmbus. */
		ctx = enl_vmbus_request_complete(ch, pkt->trans_id);
		if (!ctx) {
			atomic64_inc(&c->st.bogus);
			return;
		}
		if (*(enum stor_req_kind *)ctx == STOR_REQ_CTL)
			stor_ctl_done(c->sd, &vp, pkt->len);
		else
			stor_io_done(c, ctx, &vp, pkt->len >= sizeof(vp));
		return;
	}
	if (pkt->type == ENL_VMPKT_DATA_INBAND &&
	    pkt->len >= offsetof(struct enl_vstor_packet, vm_srb)) {
		stor_unsolicited(c, &vp);
		return;
	}
	stor_bogus(c, "packet of type", pkt->type);
}

int stor_on_event(struct enl_vmbus_channel *ch, int budget)
{
	struct stor_chan *c = enl_vmbus_channel_priv(ch);
	struct enl_vmbus_pkt pkt;
	int n = 0;

	if (enl_vmbus_read_begin(ch))
		return 0;
	while (n < budget && !enl_vmbus_read_next(ch, &pkt)) {
		stor_take(c, ch, &pkt);
		n++;
	}
	enl_vmbus_read_end(ch);
	return n;
}
