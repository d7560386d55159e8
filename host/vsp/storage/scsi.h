/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SCSI command set the storage target serves (SPC-4 / SBC-3 numbers):
 * operation codes, SAM status, sense keys and the additional sense codes it
 * reports, and big-endian field access for CDBs and parameter data. Host
 * only: the guest's driver uses the kernel's own SCSI headers.
 */
#ifndef ENL_STOR_SCSI_H
#define ENL_STOR_SCSI_H

#include <stdint.h>

/* ---- Operation codes ---------------------------------------------------- */
#define SCSI_TEST_UNIT_READY		0x00
#define SCSI_REQUEST_SENSE		0x03
#define SCSI_READ_6			0x08
#define SCSI_WRITE_6			0x0a
#define SCSI_INQUIRY			0x12
#define SCSI_MODE_SENSE_6		0x1a
#define SCSI_START_STOP_UNIT		0x1b
#define SCSI_READ_CAPACITY_10		0x25
#define SCSI_READ_10			0x28
#define SCSI_WRITE_10			0x2a
#define SCSI_VERIFY_10			0x2f
#define SCSI_SYNCHRONIZE_CACHE_10	0x35
#define SCSI_WRITE_SAME_10		0x41
#define SCSI_UNMAP			0x42
#define SCSI_MODE_SENSE_10		0x5a
#define SCSI_READ_16			0x88
#define SCSI_WRITE_16			0x8a
#define SCSI_VERIFY_16			0x8f
#define SCSI_SYNCHRONIZE_CACHE_16	0x91
#define SCSI_WRITE_SAME_16		0x93
#define SCSI_SERVICE_ACTION_IN_16	0x9e
#define SCSI_SAI_READ_CAPACITY_16	0x10
#define SCSI_REPORT_LUNS		0xa0
#define SCSI_READ_12			0xa8
#define SCSI_WRITE_12			0xaa

/* ---- SAM status --------------------------------------------------------- */
#define SCSI_STATUS_GOOD		0x00
#define SCSI_STATUS_CHECK_CONDITION	0x02
#define SCSI_STATUS_BUSY		0x08

/* ---- Sense keys ---------------------------------------------------------- */
#define SCSI_SK_NO_SENSE		0x0
#define SCSI_SK_NOT_READY		0x2
#define SCSI_SK_MEDIUM_ERROR		0x3
#define SCSI_SK_HARDWARE_ERROR		0x4
#define SCSI_SK_ILLEGAL_REQUEST		0x5
#define SCSI_SK_UNIT_ATTENTION		0x6
#define SCSI_SK_DATA_PROTECT		0x7
#define SCSI_SK_ABORTED_COMMAND		0xb
#define SCSI_SK_MISCOMPARE		0xe

/* ---- Additional sense code and qualifier, as (ASC << 8 | ASCQ) ----------- */
#define SCSI_ASC_NONE				0x0000
#define SCSI_ASC_WRITE_ERROR			0x0c00
#define SCSI_ASC_UNRECOVERED_READ_ERROR		0x1100
#define SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR	0x1a00
#define SCSI_ASC_MISCOMPARE_DURING_VERIFY	0x1d00
#define SCSI_ASC_INVALID_OPCODE			0x2000
#define SCSI_ASC_LBA_OUT_OF_RANGE		0x2100
#define SCSI_ASC_INVALID_FIELD_IN_CDB		0x2400
#define SCSI_ASC_LUN_NOT_SUPPORTED		0x2500
#define SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST	0x2600
#define SCSI_ASC_WRITE_PROTECTED		0x2700
#define SCSI_ASC_SPACE_ALLOC_FAILED_WP		0x2707
#define SCSI_ASC_POWER_ON_RESET			0x2900
#define SCSI_ASC_BUS_RESET			0x2902
#define SCSI_ASC_CAPACITY_DATA_CHANGED		0x2a09
#define SCSI_ASC_SAVING_PARAMS_NOT_SUPPORTED	0x3900
#define SCSI_ASC_REPORTED_LUNS_DATA_CHANGED	0x3f0e
#define SCSI_ASC_INTERNAL_TARGET_FAILURE	0x4400

/* Fixed-format sense data (SPC-4 4.5.3): what every answer here uses. */
#define SCSI_SENSE_FIXED_CURRENT	0x70
#define SCSI_SENSE_FIXED_LEN		18

/* ---- Mode pages ------------------------------------------------------------ */
#define SCSI_MODE_PAGE_CACHING		0x08
#define SCSI_MODE_PAGE_CONTROL		0x0a
#define SCSI_MODE_PAGE_ALL		0x3f

/* ---- VPD pages ------------------------------------------------------------- */
#define SCSI_VPD_SUPPORTED		0x00
#define SCSI_VPD_SERIAL			0x80
#define SCSI_VPD_DEVICE_ID		0x83
#define SCSI_VPD_BLOCK_LIMITS		0xb0
#define SCSI_VPD_BLOCK_CHARACTERISTICS	0xb1
#define SCSI_VPD_LB_PROVISIONING	0xb2

/* ---- Big-endian fields ------------------------------------------------------ */
static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

#endif /* ENL_STOR_SCSI_H */
