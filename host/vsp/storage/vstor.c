// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMSTOR engine of one channel (see vstor.h): the handshake state,
 * EXECUTE_SRB into the target's queue, and the answers, kept in order in a
 * FIFO while the guest's ring is full. Answers waiting there stop the
 * engine from taking more packets, so a guest that never reads its ring
 * cannot make the host queue without bound.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vstor.h"

enum vstor_state {
	VS_WAIT_BEGIN,		/* nothing yet */
	VS_INIT,		/* begun: version, properties, end */
	VS_READY,		/* SRBs, sub-channels, resets */
};

/* An answer, or an SRB in flight (then its answer once it finishes). */
struct vstor_msg {
	struct enl_stor_req r;
	struct enl_vstor *v;
	struct vstor_msg *next;
	uint64_t trans_id;
	struct enl_vstor_packet pkt;
	struct iovec *iov;
};

struct enl_vstor {
	struct enl_stor_target *t;
	struct enl_stor_queue *q;
	struct enl_vstor_config cfg;
	const struct enl_vstor_ops *ops;
	void *ctx;
	enum vstor_state state;
	uint16_t version;
	bool subchannels_made, closing;
	unsigned int outstanding;	/* SRBs on the target */
	struct vstor_msg *head, *tail;	/* answers the ring had no room for */
	unsigned int pending;
	struct enl_vstor_stats st;
};

static const uint16_t versions[] = ENL_VMSTOR_VERSIONS_NEWEST_FIRST;

struct enl_vstor *enl_vstor_new(struct enl_stor_target *t,
				struct enl_stor_queue *q,
				const struct enl_vstor_config *cfg,
				const struct enl_vstor_ops *ops, void *ctx)
{
	struct enl_vstor *v;

	if (!t || !q || !cfg || !ops || !ops->send || !cfg->max_outstanding ||
	    !cfg->max_transfer || cfg->max_transfer > ENL_STOR_MAX_TRANSFER)
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->t = t;
	v->q = q;
	v->cfg = *cfg;
	v->ops = ops;
	v->ctx = ctx;
	/* A sub-channel belongs to a controller that finished its handshake. */
	v->state = cfg->subchannel ? VS_READY : VS_WAIT_BEGIN;
	return v;
}

static void msg_free(struct vstor_msg *m)
{
	free(m->iov);
	free(m);
}

void enl_vstor_free(struct enl_vstor *v)
{
	struct vstor_msg *m;

	if (!v)
		return;
	v->closing = true;
	enl_stor_queue_kick(v->q);
	while (v->outstanding && enl_stor_queue_inflight(v->q))
		enl_stor_queue_wait(v->q);
	while ((m = v->head)) {
		v->head = m->next;
		msg_free(m);
	}
	free(v);
}

/* ---- Answers ----------------------------------------------------------------- */

/* Sends m's packet, or queues it behind the others; m is consumed. */
static void emit(struct enl_vstor *v, struct vstor_msg *m)
{
	int ret = -EAGAIN;

	if (v->closing) {
		msg_free(m);
		return;
	}
	if (!v->head)
		ret = v->ops->send(v->ctx, m->trans_id, &m->pkt);
	if (ret == -EAGAIN) {
		m->next = NULL;
		if (v->tail)
			v->tail->next = m;
		else
			v->head = m;
		v->tail = m;
		v->pending++;
		v->st.requeued++;
		return;
	}
	if (ret)
		v->st.send_errors++;
	msg_free(m);
}

int enl_vstor_flush(struct enl_vstor *v)
{
	struct vstor_msg *m;
	int ret;

	while ((m = v->head)) {
		ret = v->ops->send(v->ctx, m->trans_id, &m->pkt);
		if (ret == -EAGAIN)
			return -EAGAIN;
		if (ret)
			v->st.send_errors++;
		v->head = m->next;
		if (!v->head)
			v->tail = NULL;
		v->pending--;
		msg_free(m);
	}
	return 0;
}

static struct vstor_msg *answer_new(uint64_t trans_id, uint32_t status)
{
	struct vstor_msg *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->trans_id = trans_id;
	m->pkt.operation = ENL_VSTOR_OP_COMPLETE_IO;
	m->pkt.status = status;
	return m;
}

static int answer(struct enl_vstor *v, uint64_t trans_id, uint32_t status)
{
	struct vstor_msg *m = answer_new(trans_id, status);

	if (!m)
		return -ENOMEM;
	emit(v, m);
	return 0;
}

int enl_vstor_enumerate(struct enl_vstor *v)
{
	struct vstor_msg *m = answer_new(0, 0);

	if (!m)
		return -ENOMEM;
	m->pkt.operation = ENL_VSTOR_OP_ENUMERATE_BUS;
	emit(v, m);
	return 0;
}

/* ---- SRBs --------------------------------------------------------------------- */

static bool lun_free_command(uint8_t op)
{
	return op == SCSI_INQUIRY || op == SCSI_REPORT_LUNS ||
	       op == SCSI_REQUEST_SENSE;
}

void enl_vstor_srb_result(const struct enl_stor_req *r,
			  struct enl_vmscsi_request *srb)
{
	uint8_t room = srb->sense_info_length, n;

	srb->data_transfer_length = 0;
	srb->sense_info_length = 0;
	srb->scsi_status = r->status;
	if (r->no_lun && !lun_free_command(r->cdb[0])) {
		/* The guest's driver takes this as "no device here". */
		srb->srb_status = ENL_SRB_STATUS_INVALID_LUN;
		srb->scsi_status = SCSI_STATUS_GOOD;
		return;
	}
	switch (r->status) {
	case SCSI_STATUS_GOOD:
		srb->srb_status = ENL_SRB_STATUS_SUCCESS;
		srb->data_transfer_length = r->xfer_len;
		break;
	case SCSI_STATUS_CHECK_CONDITION:
		srb->srb_status = ENL_SRB_STATUS_ERROR;
		n = room < r->sense_len ? room : r->sense_len;
		if (n > ENL_VMSCSI_SENSE_BUFFER_SIZE)
			n = ENL_VMSCSI_SENSE_BUFFER_SIZE;
		/* The sense bytes take the CDB's place in the answer. */
		memset(srb->sense_data, 0, sizeof(srb->sense_data));
		if (n) {
			memcpy(srb->sense_data, r->sense, n);
			srb->sense_info_length = n;
			srb->srb_status |= ENL_SRB_STATUS_AUTOSENSE_VALID;
		}
		break;
	default:
		/* BUSY and the like: a SCSI status the guest retries on. */
		srb->srb_status = ENL_SRB_STATUS_SUCCESS;
		break;
	}
}

static void srb_done(struct enl_stor_req *r)
{
	struct vstor_msg *m = r->ctx;
	struct enl_vstor *v = m->v;

	enl_vstor_srb_result(r, &m->pkt.vm_srb);
	m->pkt.operation = ENL_VSTOR_OP_COMPLETE_IO;
	m->pkt.flags = 0;
	m->pkt.status = ENL_VSTOR_STATUS_SUCCESS;
	free(m->iov);
	m->iov = NULL;
	v->outstanding--;
	v->st.completions++;
	if (m->r.no_lun && !lun_free_command(m->r.cdb[0]))
		v->st.invalid_lun++;
	emit(v, m);
}

/* An SRB refused before the target sees it. */
static void srb_refuse(struct enl_vstor *v, struct vstor_msg *m, uint8_t srb)
{
	m->pkt.operation = ENL_VSTOR_OP_COMPLETE_IO;
	m->pkt.flags = 0;
	m->pkt.vm_srb.srb_status = srb;
	m->pkt.vm_srb.scsi_status = SCSI_STATUS_GOOD;
	m->pkt.vm_srb.data_transfer_length = 0;
	m->pkt.vm_srb.sense_info_length = 0;
	emit(v, m);
}

static int execute_srb(struct enl_vstor *v, uint64_t trans_id,
		       const struct enl_vstor_packet *p,
		       const struct iovec *iov, unsigned int iovcnt)
{
	const struct enl_vmscsi_request *s = &p->vm_srb;
	struct vstor_msg *m;
	enum enl_stor_dir dir;
	size_t have = 0;
	unsigned int i;

	if (v->outstanding >= v->cfg.max_outstanding) {
		v->st.busy++;
		return -EBUSY;
	}
	m = answer_new(trans_id, ENL_VSTOR_STATUS_SUCCESS);
	if (!m)
		return -EBUSY;
	m->v = v;
	m->pkt = *p;		/* the answer is the SRB, filled in */
	v->st.srbs++;
	for (i = 0; iov && i < iovcnt; i++)
		have += iov[i].iov_len;
	switch (s->data_in) {
	case ENL_VMSCSI_DATA_WRITE:
		dir = ENL_STOR_DIR_TO_DEV;
		break;
	case ENL_VMSCSI_DATA_READ:
		dir = ENL_STOR_DIR_FROM_DEV;
		break;
	case ENL_VMSCSI_DATA_UNKNOWN:
		dir = ENL_STOR_DIR_NONE;
		break;
	default:
		v->st.bad_srb++;
		srb_refuse(v, m, ENL_SRB_STATUS_INVALID_REQUEST);
		return -EBADMSG;
	}
	if (s->length != sizeof(*s) || !s->cdb_length ||
	    s->cdb_length > ENL_VMSCSI_MAX_CDB_LEN ||
	    s->data_transfer_length > v->cfg.max_transfer ||
	    s->data_transfer_length > have ||
	    (dir == ENL_STOR_DIR_NONE && s->data_transfer_length)) {
		v->st.bad_srb++;
		srb_refuse(v, m, ENL_SRB_STATUS_INVALID_REQUEST);
		return -EBADMSG;
	}
	/* One target per controller, as Hyper-V presents its disks. */
	if (s->path_id || (s->target_id && !v->cfg.any_target)) {
		v->st.invalid_lun++;	/* a scan, not a malformed packet */
		srb_refuse(v, m, ENL_SRB_STATUS_INVALID_LUN);
		return 0;
	}
	if (iovcnt && iov) {
		m->iov = calloc(iovcnt, sizeof(*iov));
		if (!m->iov) {
			msg_free(m);
			return -EBUSY;
		}
		memcpy(m->iov, iov, iovcnt * sizeof(*iov));
	}
	memcpy(m->r.cdb, s->cdb, s->cdb_length);
	m->r.cdb_len = s->cdb_length;
	m->r.lun = s->lun;
	m->r.dir = dir;
	m->r.iov = m->iov;
	m->r.iovcnt = m->iov ? iovcnt : 0;
	m->r.data_len = s->data_transfer_length;
	m->r.done = srb_done;
	m->r.ctx = m;
	v->outstanding++;
	if (enl_stor_submit(v->q, &m->r) == ENL_STOR_DONE)
		srb_done(&m->r);
	return 0;
}

/* ---- Packets ------------------------------------------------------------------ */

static bool version_known(uint16_t ver)
{
	size_t i;

	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i] == ver)
			return true;
	return false;
}

/* Bytes of the packet an operation needs (header and its payload). */
static uint32_t needed(uint32_t op)
{
	const uint32_t hdr = offsetof(struct enl_vstor_packet, buffer);

	switch (op) {
	case ENL_VSTOR_OP_EXECUTE_SRB:
		return hdr + sizeof(struct enl_vmscsi_request);
	case ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION:
		return hdr + sizeof(struct enl_vmstorage_protocol_version);
	case ENL_VSTOR_OP_CREATE_SUB_CHANNELS:
		return hdr + sizeof(uint16_t);
	default:
		return hdr;
	}
}

static int bad(struct enl_vstor *v, uint64_t *counter, uint64_t trans_id)
{
	(*counter)++;
	answer(v, trans_id, ENL_VSTOR_STATUS_INVALID_PARAMETER);
	return -EBADMSG;
}

static struct vstor_msg *properties(struct enl_vstor *v, uint64_t trans_id)
{
	struct vstor_msg *m = answer_new(trans_id, ENL_VSTOR_STATUS_SUCCESS);
	struct enl_vmstorage_channel_properties *pr;

	if (!m)
		return NULL;
	pr = &m->pkt.storage_channel_properties;
	pr->max_channel_cnt = v->cfg.max_subchannels;
	if (v->cfg.max_subchannels)
		pr->flags = ENL_VSTOR_PROP_SUPPORTS_MULTI_CHANNEL;
	pr->max_transfer_bytes = v->cfg.max_transfer;
	return m;
}

static int create_subchannels(struct enl_vstor *v, uint64_t trans_id,
			      uint16_t n)
{
	int ret;

	if (!v->cfg.max_subchannels || !n || n > v->cfg.max_subchannels ||
	    v->subchannels_made || !v->ops->create_subchannels)
		return bad(v, &v->st.bad_operation, trans_id);
	ret = v->ops->create_subchannels(v->ctx, n);
	if (!ret)
		v->subchannels_made = true;
	return answer(v, trans_id, ret ? ENL_VSTOR_STATUS_UNSUCCESSFUL :
		      ENL_VSTOR_STATUS_SUCCESS);
}

int enl_vstor_packet(struct enl_vstor *v, uint64_t trans_id,
		     const void *payload, uint32_t len,
		     const struct iovec *iov, unsigned int iovcnt)
{
	struct enl_vstor_packet p;
	struct vstor_msg *m;

	/* Answers still waiting for ring space: take nothing more yet. */
	if (v->head && enl_vstor_flush(v)) {
		v->st.busy++;
		return -EBUSY;
	}
	v->st.packets++;
	if (!payload || len < offsetof(struct enl_vstor_packet, buffer)) {
		v->st.bad_length++;
		return -EBADMSG;	/* not even an operation to answer */
	}
	memset(&p, 0, sizeof(p));
	memcpy(&p, payload, len < sizeof(p) ? len : sizeof(p));
	if (len < needed(p.operation))
		return bad(v, &v->st.bad_length, trans_id);
	if (v->cfg.subchannel && p.operation != ENL_VSTOR_OP_EXECUTE_SRB)
		return bad(v, &v->st.bad_state, trans_id);

	switch (p.operation) {
	case ENL_VSTOR_OP_BEGIN_INITIALIZATION:
		if (v->outstanding)	/* a restart with SRBs in flight */
			return bad(v, &v->st.bad_state, trans_id);
		v->state = VS_INIT;
		v->version = 0;
		v->subchannels_made = false;
		return answer(v, trans_id, ENL_VSTOR_STATUS_SUCCESS);
	case ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION:
		if (v->state != VS_INIT)
			return bad(v, &v->st.bad_state, trans_id);
		if (!version_known(p.version.major_minor) ||
		    (v->cfg.max_version &&
		     p.version.major_minor > v->cfg.max_version)) {
			/* Not an error: the guest tries the next one. */
			v->st.bad_version++;
			return answer(v, trans_id,
				      ENL_VSTOR_STATUS_REVISION_MISMATCH);
		}
		v->version = p.version.major_minor;
		m = answer_new(trans_id, ENL_VSTOR_STATUS_SUCCESS);
		if (!m)
			return -EBUSY;
		m->pkt.version.major_minor = v->version;
		emit(v, m);
		return 0;
	case ENL_VSTOR_OP_QUERY_PROPERTIES:
		if (v->state != VS_INIT || !v->version)
			return bad(v, &v->st.bad_state, trans_id);
		m = properties(v, trans_id);
		if (!m)
			return -EBUSY;
		emit(v, m);
		return 0;
	case ENL_VSTOR_OP_END_INITIALIZATION:
		if (v->state != VS_INIT || !v->version)
			return bad(v, &v->st.bad_state, trans_id);
		v->state = VS_READY;
		return answer(v, trans_id, ENL_VSTOR_STATUS_SUCCESS);
	case ENL_VSTOR_OP_CREATE_SUB_CHANNELS:
		if (v->state != VS_READY)
			return bad(v, &v->st.bad_state, trans_id);
		return create_subchannels(v, trans_id, p.sub_channel_count);
	case ENL_VSTOR_OP_EXECUTE_SRB:
		if (v->state != VS_READY)
			return bad(v, &v->st.bad_state, trans_id);
		return execute_srb(v, trans_id, &p, iov, iovcnt);
	case ENL_VSTOR_OP_RESET_LUN:
	case ENL_VSTOR_OP_RESET_ADAPTER:
	case ENL_VSTOR_OP_RESET_BUS:
		if (v->state != VS_READY)
			return bad(v, &v->st.bad_state, trans_id);
		/* Commands in flight finish; every LUN then says 29/02. */
		enl_stor_target_reset(v->t);
		return answer(v, trans_id, ENL_VSTOR_STATUS_SUCCESS);
	default:
		return bad(v, &v->st.bad_operation, trans_id);
	}
}

bool enl_vstor_ready(const struct enl_vstor *v)
{
	return v->state == VS_READY;
}

uint16_t enl_vstor_version(const struct enl_vstor *v)
{
	return v->version;
}

unsigned int enl_vstor_outstanding(const struct enl_vstor *v)
{
	return v->outstanding;
}

const struct enl_vstor_stats *enl_vstor_stats(const struct enl_vstor *v)
{
	return &v->st;
}
