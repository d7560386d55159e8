// SPDX-License-Identifier: GPL-2.0-only
/*
 * Status and fixed-format sense data (SPC-4 4.5.3) of a finished command.
 * The field pointer (sense-key specific bytes) tells the initiator which
 * CDB or parameter byte was refused; sg3_utils prints it.
 */
#include <string.h>

#include "stor_priv.h"

void stor_sense_fill(uint8_t *s, uint8_t key, uint16_t asc)
{
	memset(s, 0, SCSI_SENSE_FIXED_LEN);
	s[0] = SCSI_SENSE_FIXED_CURRENT;
	s[2] = key & 0x0f;
	s[7] = SCSI_SENSE_FIXED_LEN - 8;	/* additional sense length */
	s[12] = (uint8_t)(asc >> 8);
	s[13] = (uint8_t)asc;
}

void stor_good(struct enl_stor_req *r)
{
	r->status = SCSI_STATUS_GOOD;
	r->sense_len = 0;
}

void stor_check(struct enl_stor_req *r, uint8_t key, uint16_t asc)
{
	r->status = SCSI_STATUS_CHECK_CONDITION;
	r->sense_len = SCSI_SENSE_FIXED_LEN;
	r->xfer_len = 0;
	stor_sense_fill(r->sense, key, asc);
}

/* SKSV, C/D (the CDB or the parameter list), BPV and the bit, the byte. */
static void field_pointer(struct enl_stor_req *r, bool cdb, unsigned int byte,
			  int bit)
{
	r->sense[15] = 0x80 | (cdb ? 0x40 : 0) |
		       (bit >= 0 ? 0x08 | (bit & 7) : 0);
	put_be16(r->sense + 16, (uint16_t)(byte > 0xffff ? 0xffff : byte));
}

void stor_bad_cdb(struct enl_stor_req *r, unsigned int byte, int bit)
{
	stor_check(r, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	field_pointer(r, true, byte, bit);
}

void stor_bad_param(struct enl_stor_req *r, unsigned int byte)
{
	stor_check(r, SCSI_SK_ILLEGAL_REQUEST,
		   SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST);
	field_pointer(r, false, byte, -1);
}
