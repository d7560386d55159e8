/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMSTOR protocol engine of one storage channel, between the VMBus glue
 * and the SCSI target: it takes the guest's packets (struct
 * enl_vstor_packet, include/enlighten/storvsc.h) with the data buffer the
 * glue mapped from a GPA-direct packet, runs the handshake (begin, version,
 * properties, sub-channels, end), hands each EXECUTE_SRB to the target's
 * queue and answers with COMPLETE_IO carrying the SRB back: SRB status,
 * SCSI status, sense data and bytes moved. No VMBus here: packets go out
 * through ops->send, so the engine runs the same under the unit tests, the
 * fuzzer and enl-host.
 *
 * Everything in a packet is the guest's: its length, the operation for the
 * state the channel is in, the version, the sub-channel count, the SRB's
 * CDB length, target, LUN, direction and transfer length against the
 * buffer. A malformed packet is counted and answered with an error status
 * when it can be; an EXECUTE_SRB beyond max_outstanding is refused with
 * -EBUSY so the glue leaves it in the ring (back-pressure).
 *
 * One thread per engine (the channel's worker), like its queue.
 */
#ifndef ENL_STOR_VSTOR_H
#define ENL_STOR_VSTOR_H

#include <enlighten/storvsc.h>

#include "stor.h"

struct enl_vstor;

struct enl_vstor_ops {
	/*
	 * Send pkt to the guest with transaction id trans_id (the request's
	 * own for a completion, 0 for ENUMERATE_BUS). 0, or -EAGAIN when
	 * the ring is full: the engine keeps it and sends it again from
	 * enl_vstor_flush(). Any other error drops the packet (counted).
	 */
	int (*send)(void *ctx, uint64_t trans_id,
		    const struct enl_vstor_packet *pkt);
	/* The guest asked for n (1..max_subchannels) sub-channels. */
	int (*create_subchannels)(void *ctx, uint16_t n);
};

struct enl_vstor_config {
	uint16_t max_subchannels;	/* 0: no multi-channel */
	uint32_t max_transfer;		/* <= ENL_STOR_MAX_TRANSFER */
	uint32_t max_outstanding;	/* SRBs in flight on this channel */
	bool subchannel;		/* no handshake: SRBs only */
	/* The newest VMSTOR version accepted (0: all we know), for fallbacks. */
	uint16_t max_version;
	/*
	 * IDE accelerator: any target_id. Linux takes the IDE disk's target
	 * from bytes 4-5 of the offer's instance GUID, so it is not 0.
	 */
	bool any_target;
};

struct enl_vstor_stats {
	uint64_t packets, srbs, completions;
	uint64_t bad_length, bad_state, bad_operation, bad_version;
	uint64_t bad_srb, invalid_lun, busy, send_errors, requeued;
};

struct enl_vstor *enl_vstor_new(struct enl_stor_target *t,
				struct enl_stor_queue *q,
				const struct enl_vstor_config *cfg,
				const struct enl_vstor_ops *ops, void *ctx);
/* Waits for the SRBs in flight on q (their answers are dropped). */
void enl_vstor_free(struct enl_vstor *v);

/*
 * One packet from the guest: payload (len bytes from the start of the
 * struct enl_vstor_packet) and, for a GPA-direct packet, its data buffer
 * (iov may be NULL). 0 when handled (answered, or queued on the target),
 * -EBUSY when too many SRBs are in flight (not consumed: retry later),
 * -EBADMSG when malformed (consumed, counted, answered if it could be).
 */
int enl_vstor_packet(struct enl_vstor *v, uint64_t trans_id,
		     const void *payload, uint32_t len,
		     const struct iovec *iov, unsigned int iovcnt);
/* Sends the answers the ring had no room for; 0 or -EAGAIN. */
int enl_vstor_flush(struct enl_vstor *v);
/* Tells the guest the LUN set changed (ENUMERATE_BUS, unsolicited). */
int enl_vstor_enumerate(struct enl_vstor *v);

bool enl_vstor_ready(const struct enl_vstor *v);
uint16_t enl_vstor_version(const struct enl_vstor *v);
unsigned int enl_vstor_outstanding(const struct enl_vstor *v);
const struct enl_vstor_stats *enl_vstor_stats(const struct enl_vstor *v);

/*
 * The SRB of a finished command, as the guest reads it: srb_status,
 * scsi_status, sense data (at most the guest's sense_info_length) and
 * data_transfer_length. no_lun becomes SRB_STATUS_INVALID_LUN, except for
 * INQUIRY, REPORT LUNS and REQUEST SENSE, which a missing LUN answers (so
 * a guest still finds the LUNs after an empty LUN 0).
 */
void enl_vstor_srb_result(const struct enl_stor_req *r,
			  struct enl_vmscsi_request *srb);

#endif /* ENL_STOR_VSTOR_H */
