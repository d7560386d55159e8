/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The storage VSP: the SCSI controller (class "scsi", ENL_GUID_SCSI) and
 * the IDE accelerator (class "ide", ENL_GUID_IDE) on VMBus. Each offer is
 * a controller with its own storage target (its state in the VSP
 * registry); vsp.c runs, per open channel, a storage queue and a VMSTOR
 * engine (vstor.h) on that channel's worker and moves packets between
 * them and the rings.
 */
#ifndef ENL_HOST_STOR_VSP_H
#define ENL_HOST_STOR_VSP_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "fault.h"
#include "stor.h"
#include "vstor.h"

struct enl_vsp_class;

extern const struct enl_vsp_class enl_vsp_scsi_class;
extern const struct enl_vsp_class enl_vsp_ide_class;

/* SRBs one channel keeps on the target before it stops reading its ring. */
#define ENL_STOR_VSP_MAX_OUTSTANDING	128

/* The glue's own counters of one controller (the engine keeps the rest). */
struct enl_stor_vsp_glue_stats {
	uint64_t bad_gpa;	/* GPA-direct packet refused: dropped */
	uint64_t bad_type;	/* neither in-band nor GPA-direct: dropped */
	uint64_t held;		/* packets left for later (-EBUSY) */
	uint64_t reaps, opens;
	uint64_t polls;		/* looks at a masked ring (STOR_POLL_US) */
	uint64_t unmasks;	/* a look found nothing: the guest signals */
	uint64_t probes;	/* lone requests that masked (STOR_PROBE_US) */
	uint64_t probe_hits;	/* of those, the look found a stream */
};

/* Sub-channels the SCSI controller offers (QUERY_PROPERTIES). */
#define ENL_STOR_VSP_MAX_SUBCHANNELS	15

/*
 * A controller: the registry state of one "scsi" or "ide" offer. Each of
 * its sub-channels has one too, sharing the primary's target (owner).
 */
struct enl_stor_ctrl {
	const char *name;			/* the class name */
	struct enl_vsp_channel *ch;		/* the offer it is the state of */
	struct enl_stor_ctrl *owner;		/* the primary's; itself there */
	struct enl_stor_target *t;		/* owner->t */
	struct enl_vstor_config cfg;
	struct stor_chan *open;			/* its channel while open */
	struct enl_stor_vsp_glue_stats st;
	struct enl_stor_fault fault;		/* the owner's serves them all */
};

/*
 * On the controller's context (enl_vsp_ctl_run): tell the guest its LUNs
 * changed, if it has the controller open and initialized. True if told.
 */
bool enl_stor_ctrl_enumerate(struct enl_stor_ctrl *c);
/* Its engine's counters, zeroes when closed; false when closed. */
bool enl_stor_ctrl_engine_stats(struct enl_stor_ctrl *c,
				struct enl_vstor_stats *st, uint16_t *version);
/*
 * What its queue did on the backing files since the channel opened (bytes,
 * flushes, unmapped blocks, I/O errors...); zeroes when closed.
 */
void enl_stor_ctrl_io_stats(struct enl_stor_ctrl *c, struct enl_stor_stats *st);
/* Commands of this channel the target has not finished yet; 0 when closed. */
unsigned int enl_stor_ctrl_inflight(struct enl_stor_ctrl *c);

struct enl_vmbus_server;
/* The classes' save / reoffer / forget (vsp.h): reoffer.c. */
void *enl_stor_save(struct enl_vsp_channel *ch);
int enl_stor_reoffer(struct enl_vmbus_server *srv, const void *saved);
void enl_stor_forget(void *saved);

#endif /* ENL_HOST_STOR_VSP_H */
