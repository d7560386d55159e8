/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl_storvsc: state shared by the driver's files. main.c binds the device
 * and owns the Scsi_Host, protocol.c the VMSTOR handshake and control
 * requests, io.c the data path, eh.c error handling and bus scans, sysfs.c
 * the per-queue counters.
 */
#ifndef _ENL_STORVSC_H
#define _ENL_STORVSC_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_host.h>
#include <enlighten/storvsc.h>
#include "enl_vmbus.h"

/* Ring data area per direction and channel. */
#define STOR_SEND_RING_SIZE	(512 * 1024)
#define STOR_RECV_RING_SIZE	(128 * 1024)
/* Largest transfer we ever ask for, whatever the host allows. */
#define STOR_MAX_TRANSFER	(1024 * 1024)
/* Pages one transfer may touch: an unaligned start adds one. */
#define STOR_MAX_PFNS		(STOR_MAX_TRANSFER / PAGE_SIZE + 1)
/* Commands in flight per channel (blk-mq tags per hardware queue). */
#define STOR_MAX_DEPTH		256
/* How long a control request (handshake, reset) may take under TCG. */
#define STOR_CTL_TIMEOUT_MS	10000
#define STOR_SUB_TIMEOUT_MS	10000
/* VMBus channels (blk-mq hardware queues) a controller uses at most. */
#define STOR_MAX_QUEUES		8
/* Command timeout handed to the block layer. */
#define STOR_CMD_TIMEOUT_S	30

/* What a request id's context is (the first member of each). */
enum stor_req_kind {
	STOR_REQ_IO = 1,
	STOR_REQ_CTL,
};

/* One SRB the host holds: the requestor's context for a command. */
struct stor_slot {
	enum stor_req_kind kind;
	struct stor_slot *next_free;
	struct scsi_cmnd *cmd;		/* NULL once completed or detached */
	u32 asked;			/* data_transfer_length sent */
	bool out;			/* taken: at the host */
};

/* Per-command driver data (scsi_cmd_priv): the GPA range of its data. */
struct stor_cmd {
	struct stor_chan *chan;
	struct stor_slot *slot;
	/* One enl_gpa_range header (8 bytes) and its pfns. */
	u64 gpa[1 + STOR_MAX_PFNS];
};

struct stor_dev;

/* Counters of one channel (one blk-mq hardware queue). */
struct stor_stats {
	atomic64_t submitted;
	atomic64_t completed;
	atomic64_t errors;	/* failed: none of the two below */
	atomic64_t absent;	/* no such target/LUN (a scan's probes) */
	atomic64_t check;	/* CHECK CONDITION with sense: the midlayer's call */
	atomic64_t busy;	/* queuecommand turned away: no slot or ring full */
	atomic64_t bogus;	/* completion dropped or clamped: bad field */
	atomic64_t late;	/* completion of a detached command */
	atomic64_t orphaned;	/* detached by a reset while at the host */
	atomic64_t unsolicited;	/* host-initiated packets (ENUMERATE_BUS...) */
};

struct stor_chan {
	struct stor_dev *sd;
	/* NULL once the host rescinded it alone: read under lock from sysfs. */
	struct enl_vmbus_channel *ch;
	unsigned int index;		/* 0: primary */
	bool open;
	bool gone;			/* rescinded: its queue uses the primary */
	spinlock_t lock;		/* free list, slot->cmd, slot->out */
	struct stor_slot *free;
	struct stor_slot *slots;	/* depth of them */
	struct stor_stats st;
};

/* The one control request in flight (handshake step or reset). */
struct stor_ctl {
	enum stor_req_kind kind;
	struct completion done;
	struct enl_vstor_packet resp;
	bool busy;			/* sent, no answer yet */
	bool short_reply;
};

struct stor_dev {
	struct enl_vmbus_device *vdev;
	struct Scsi_Host *shost;
	bool ide;
	bool added;			/* scsi_add_host done */
	bool removing;
	u16 version;			/* ENL_VMSTOR_VERSION_* agreed */
	u32 max_transfer;		/* bytes, host's limit and ours */
	u16 host_subchannels;		/* what QUERY_PROPERTIES offered */
	bool multi_channel;
	u32 depth;			/* commands per channel */
	u16 ide_target;			/* IDE: the disk's target id */

	struct mutex ctl_lock;		/* one control request at a time */
	spinlock_t ctl_spin;		/* ctl.busy, ctl.resp */
	struct stor_ctl ctl;

	struct work_struct scan_work;
	unsigned long scan_flags;	/* STOR_SCAN_* bits */

	unsigned int nr_chan;
	struct stor_chan chan[STOR_MAX_QUEUES];
};

#define STOR_SCAN_BUS		0	/* ENUMERATE_BUS: look for new LUNs */
#define STOR_SCAN_GONE		1	/* a LUN answered INVALID_LUN */
#define STOR_SCAN_CAPACITY	2	/* a unit attention: re-read sizes */

/* protocol.c */
int stor_handshake(struct stor_dev *sd);
int stor_ctl_request(struct stor_dev *sd, u32 op, u16 arg,
		     struct enl_vstor_packet *resp);
void stor_ctl_done(struct stor_dev *sd, const void *data, u32 len);
int stor_open_channels(struct stor_dev *sd);
void stor_close_channels(struct stor_dev *sd);
void stor_sub_rescind(struct enl_vmbus_device *vdev,
		      struct enl_vmbus_channel *sub);

/* io.c */
int stor_queuecommand(struct Scsi_Host *shost, struct scsi_cmnd *cmd);
int stor_on_event(struct enl_vmbus_channel *ch, int budget);
int stor_chan_init(struct stor_chan *c, u32 depth);
void stor_chan_free(struct stor_chan *c);
unsigned int stor_detach_chan(struct stor_chan *c, int hbyte);
unsigned int stor_detach_all(struct stor_dev *sd, int hbyte);
u32 stor_chan_inflight(struct stor_chan *c);

/* eh.c */
int stor_eh_abort(struct scsi_cmnd *cmd);
int stor_eh_host_reset(struct scsi_cmnd *cmd);
void stor_scan_work(struct work_struct *work);
void stor_schedule_scan(struct stor_dev *sd, unsigned int what);

/* sysfs.c */
extern const struct attribute_group *stor_shost_groups[];

#endif /* _ENL_STORVSC_H */
