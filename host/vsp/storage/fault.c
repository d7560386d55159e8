// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection on SRB completions (see fault.h): the armed count is
 * taken with a compare-and-swap, so two channels' workers never both take
 * the last one.
 */
#include <stddef.h>

#include "fault.h"

void enl_stor_fault_arm(struct enl_stor_fault *f,
			enum enl_stor_fault_kind kind, uint32_t count,
			uint32_t delay_ms)
{
	/* Disarm first, so a worker never sees the new kind with old left. */
	__atomic_store_n(&f->left, 0, __ATOMIC_SEQ_CST);
	if (kind == ENL_STOR_FAULT_NONE || !count) {
		__atomic_store_n(&f->kind, ENL_STOR_FAULT_NONE,
				 __ATOMIC_SEQ_CST);
		return;
	}
	__atomic_store_n(&f->kind, kind, __ATOMIC_SEQ_CST);
	__atomic_store_n(&f->delay_ms, delay_ms, __ATOMIC_SEQ_CST);
	__atomic_store_n(&f->left, count, __ATOMIC_SEQ_CST);
}

bool enl_stor_fault_is_srb_answer(const struct enl_vstor_packet *pkt)
{
	return pkt->operation == ENL_VSTOR_OP_COMPLETE_IO &&
	       pkt->vm_srb.length == sizeof(struct enl_vmscsi_request);
}

enum enl_stor_fault_kind enl_stor_fault_take(struct enl_stor_fault *f,
					     uint32_t *delay_ms)
{
	uint32_t left = __atomic_load_n(&f->left, __ATOMIC_RELAXED);
	enum enl_stor_fault_kind kind;

	do {
		if (!left)
			return ENL_STOR_FAULT_NONE;
	} while (!__atomic_compare_exchange_n(&f->left, &left, left - 1, false,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	kind = __atomic_load_n(&f->kind, __ATOMIC_SEQ_CST);
	*delay_ms = __atomic_load_n(&f->delay_ms, __ATOMIC_SEQ_CST);
	switch (kind) {
	case ENL_STOR_FAULT_DROP:
		__atomic_add_fetch(&f->dropped, 1, __ATOMIC_RELAXED);
		break;
	case ENL_STOR_FAULT_DELAY:
		__atomic_add_fetch(&f->delayed, 1, __ATOMIC_RELAXED);
		break;
	case ENL_STOR_FAULT_CORRUPT:
		__atomic_add_fetch(&f->corrupted, 1, __ATOMIC_RELAXED);
		break;
	default:
		return ENL_STOR_FAULT_NONE;
	}
	return kind;
}

void enl_stor_fault_corrupt(struct enl_vstor_packet *pkt, uint64_t n)
{
	struct enl_vmscsi_request *srb = &pkt->vm_srb;

	switch (n % ENL_STOR_FAULT_CORRUPTIONS) {
	case 0:
		pkt->operation = 0xbad;
		break;
	case 1:
		srb->srb_status = 0x3d;		/* no such SRB status */
		break;
	case 2:
		srb->srb_status = ENL_SRB_STATUS_SUCCESS;
		srb->scsi_status = 0;
		srb->data_transfer_length = 0xfffffff0u;
		break;
	default:
		srb->srb_status = ENL_SRB_STATUS_ERROR |
				  ENL_SRB_STATUS_AUTOSENSE_VALID;
		srb->scsi_status = 2;		/* CHECK CONDITION */
		srb->sense_info_length = 0xff;
		break;
	}
}

const char *enl_stor_fault_kind_name(enum enl_stor_fault_kind kind)
{
	switch (kind) {
	case ENL_STOR_FAULT_DROP:
		return "drop";
	case ENL_STOR_FAULT_DELAY:
		return "delay";
	case ENL_STOR_FAULT_CORRUPT:
		return "corrupt";
	default:
		return "none";
	}
}
