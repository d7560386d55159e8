// SPDX-License-Identifier: GPL-2.0-only
/*
 * Commands the target answers from what it knows about the disk, without
 * I/O: INQUIRY (standard data, VPD 00 80 83 B0 B1 B2), READ CAPACITY 10
 * and 16, MODE SENSE 6 and 10, REPORT LUNS, REQUEST SENSE. Each builds its
 * data in a local buffer and returns no more than the CDB's allocation
 * length and the initiator's buffer allow.
 */
#include <string.h>

#include "stor_priv.h"

/*
 * The disk says it is a Microsoft virtual disk: Linux's storvsc enables
 * WRITE SAME only for vendor "Msft" at VMSTOR WIN10, and the guest's own
 * tools recognise it as a Hyper-V disk.
 */
static const char vendor[8] = { 'M', 's', 'f', 't', ' ', ' ', ' ', ' ' };
static const char product[16] = "Virtual Disk    ";
static const char revision[4] = { '1', '.', '0', ' ' };

#define PDT_DISK	0x00	/* direct-access block device */
#define PQ_NO_LUN	0x7f	/* qualifier 011b, type 1Fh: no LUN here */

void stor_data_in(struct enl_stor_req *r, const void *buf, size_t len,
		  size_t alloc)
{
	size_t n = len;

	if (n > alloc)
		n = alloc;
	if (n > r->data_len)
		n = r->data_len;
	if (n && r->dir != ENL_STOR_DIR_FROM_DEV) {
		/* Data-in command sent with a data-out (or no) buffer. */
		stor_check(r, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB);
		return;
	}
	r->xfer_len = (uint32_t)enl_iov_copy_to(r->iov, r->iovcnt, 0, buf, n);
	stor_good(r);
}

static size_t inquiry_std(uint8_t *b, const struct enl_stor_disk *d)
{
	memset(b, 0, 36);
	b[0] = d ? PDT_DISK : PQ_NO_LUN;
	b[2] = 0x06;			/* SPC-4 */
	b[3] = 0x12;			/* HISUP, response data format 2 */
	b[4] = 36 - 5;			/* additional length */
	b[7] = 0x02;			/* CMDQUE: tagged queueing */
	memcpy(b + 8, vendor, sizeof(vendor));
	memcpy(b + 16, product, sizeof(product));
	memcpy(b + 32, revision, sizeof(revision));
	return 36;
}

static const uint8_t vpd_pages[] = {
	SCSI_VPD_SUPPORTED, SCSI_VPD_SERIAL, SCSI_VPD_DEVICE_ID,
	SCSI_VPD_BLOCK_LIMITS, SCSI_VPD_BLOCK_CHARACTERISTICS,
	SCSI_VPD_LB_PROVISIONING,
};

/* Device identification: a locally assigned NAA name and a T10 vendor id. */
static size_t vpd_device_id(uint8_t *b, const struct enl_stor_disk *d)
{
	size_t n = 4, sl = strlen(d->serial);

	/* NAA 3 (locally assigned), binary, LU association, 8 bytes. */
	b[n++] = 0x01;
	b[n++] = 0x03;
	b[n++] = 0;
	b[n++] = 8;
	put_be64(b + n, (d->id & 0x0fffffffffffffffULL) | 0x3000000000000000ULL);
	n += 8;
	/* T10 vendor id + serial, ASCII. */
	b[n++] = 0x02;
	b[n++] = 0x01;
	b[n++] = 0;
	b[n++] = (uint8_t)(sizeof(vendor) + sl);
	memcpy(b + n, vendor, sizeof(vendor));
	n += sizeof(vendor);
	memcpy(b + n, d->serial, sl);
	n += sl;
	return n;
}

static size_t vpd_block_limits(uint8_t *b, const struct enl_stor_disk *d)
{
	uint32_t phys = d->bs < 4096 ? 4096 / d->bs : 1;

	memset(b + 4, 0, 60);
	b[4] = 0x01;			/* WSNZ: WRITE SAME of 0 blocks refused */
	put_be16(b + 6, (uint16_t)phys);	/* optimal granularity */
	put_be32(b + 8, ENL_STOR_MAX_TRANSFER >> d->bs_shift);
	put_be32(b + 12, ENL_STOR_MAX_TRANSFER >> d->bs_shift);
	if (d->can_unmap) {
		put_be32(b + 20, ENL_STOR_MAX_UNMAP_BLOCKS);
		put_be32(b + 24, ENL_STOR_MAX_UNMAP_DESC);
		put_be32(b + 28, phys);	/* optimal unmap granularity */
		put_be32(b + 32, 0x80000000U);	/* UGAVALID, alignment 0 */
	}
	put_be64(b + 36, ENL_STOR_MAX_WRITE_SAME_BLOCKS);
	return 64;
}

static size_t vpd_provisioning(uint8_t *b, const struct enl_stor_disk *d)
{
	memset(b + 4, 0, 4);
	if (d->can_unmap) {
		/* LBPU, LBPWS, LBPWS10; LBPRZ: unmapped blocks read zero. */
		b[5] = 0x80 | 0x40 | 0x20 | 0x04;
		b[6] = 0x02;		/* thin provisioned */
	}
	return 8;
}

static void inquiry_vpd(struct enl_stor_req *r, struct enl_stor_disk *d,
			uint8_t page, size_t alloc)
{
	uint8_t b[128];
	size_t n = 4;

	memset(b, 0, sizeof(b));
	b[0] = d ? PDT_DISK : PQ_NO_LUN;
	b[1] = page;
	if (!d) {
		/* No unit: a bare header is all there is to say. */
		stor_data_in(r, b, 4, alloc);
		return;
	}
	switch (page) {
	case SCSI_VPD_SUPPORTED:
		memcpy(b + 4, vpd_pages, sizeof(vpd_pages));
		n = 4 + sizeof(vpd_pages);
		break;
	case SCSI_VPD_SERIAL:
		n = 4 + strlen(d->serial);
		memcpy(b + 4, d->serial, n - 4);
		break;
	case SCSI_VPD_DEVICE_ID:
		n = vpd_device_id(b, d);
		break;
	case SCSI_VPD_BLOCK_LIMITS:
		n = vpd_block_limits(b, d);
		break;
	case SCSI_VPD_BLOCK_CHARACTERISTICS:
		put_be16(b + 4, 0x0001);	/* non-rotating medium */
		n = 64;
		break;
	case SCSI_VPD_LB_PROVISIONING:
		n = vpd_provisioning(b, d);
		break;
	default:
		stor_bad_cdb(r, 2, -1);
		return;
	}
	put_be16(b + 2, (uint16_t)(n - 4));
	stor_data_in(r, b, n, alloc);
}

void stor_inquiry(struct enl_stor_req *r, struct enl_stor_disk *d)
{
	size_t alloc = get_be16(r->cdb + 3);
	uint8_t b[36];

	if (r->cdb[1] & 0xfe) {		/* CMDDT and reserved bits */
		stor_bad_cdb(r, 1, -1);
		return;
	}
	if (r->cdb[1] & 0x01) {
		inquiry_vpd(r, d, r->cdb[2], alloc);
		return;
	}
	if (r->cdb[2]) {		/* page code without EVPD */
		stor_bad_cdb(r, 2, -1);
		return;
	}
	stor_data_in(r, b, inquiry_std(b, d), alloc);
}

void stor_read_capacity(struct enl_stor_req *r, struct enl_stor_disk *d,
			bool sixteen)
{
	uint64_t last = atomic_load(&d->blocks) - 1;
	uint8_t b[32];

	memset(b, 0, sizeof(b));
	if (!sixteen) {
		/* Too big for 32 bits: all ones sends the guest to the 16. */
		put_be32(b, last > 0xffffffffULL ? 0xffffffffU : (uint32_t)last);
		put_be32(b + 4, d->bs);
		stor_data_in(r, b, 8, 8);
		return;
	}
	put_be64(b, last);
	put_be32(b + 8, d->bs);
	b[13] = d->bs < 4096 ? (uint8_t)(12 - d->bs_shift) : 0; /* 4K physical */
	if (d->can_unmap)
		b[14] = 0x80 | 0x40;	/* LBPME, LBPRZ */
	stor_data_in(r, b, sizeof(b), get_be32(r->cdb + 10));
}

/* ---- MODE SENSE ----------------------------------------------------------- */

static size_t page_caching(uint8_t *p, const struct enl_stor_disk *d, int pc)
{
	memset(p, 0, 20);
	p[0] = SCSI_MODE_PAGE_CACHING;	/* PS 0: nothing is saved */
	p[1] = 18;
	/* Changeable values: none (no MODE SELECT); else WCE = write-back. */
	if (pc != 1 && !d->wt)
		p[2] = 0x04;
	return 20;
}

static size_t page_control(uint8_t *p, int pc)
{
	memset(p, 0, 12);
	p[0] = SCSI_MODE_PAGE_CONTROL;
	p[1] = 10;
	if (pc != 1)
		p[3] = 0x10;		/* unrestricted reordering */
	put_be16(p + 8, 0xffff);	/* busy timeout period: unlimited */
	return 12;
}

void stor_mode_sense(struct enl_stor_req *r, struct enl_stor_disk *d)
{
	bool ten = r->cdb[0] == SCSI_MODE_SENSE_10;
	bool dbd = r->cdb[1] & 0x08, llba = ten && (r->cdb[1] & 0x10);
	int pc = r->cdb[2] >> 6;
	uint8_t page = r->cdb[2] & 0x3f, sub = r->cdb[3];
	size_t alloc = ten ? get_be16(r->cdb + 7) : r->cdb[4];
	size_t hdr = ten ? 8 : 4, n, bdl = 0;
	uint64_t blocks = atomic_load(&d->blocks);
	uint8_t b[128];

	if (pc == 3) {
		stor_check(r, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_SAVING_PARAMS_NOT_SUPPORTED);
		return;
	}
	if (sub && sub != 0xff) {	/* no page here has subpages */
		stor_bad_cdb(r, 3, -1);
		return;
	}
	memset(b, 0, sizeof(b));
	n = hdr;
	if (!dbd) {
		bdl = llba ? 16 : 8;
		if (llba) {
			put_be64(b + n, blocks);
			put_be32(b + n + 12, d->bs);
		} else {
			put_be32(b + n, blocks > 0xffffffffULL ? 0xffffffffU :
				 (uint32_t)blocks);
			put_be32(b + n + 4, d->bs);	/* byte 4: density 0 */
		}
		n += bdl;
	}
	switch (page) {
	case SCSI_MODE_PAGE_CACHING:
		n += page_caching(b + n, d, pc);
		break;
	case SCSI_MODE_PAGE_CONTROL:
		n += page_control(b + n, pc);
		break;
	case SCSI_MODE_PAGE_ALL:
		n += page_caching(b + n, d, pc);
		n += page_control(b + n, pc);
		break;
	default:
		stor_bad_cdb(r, 2, 5);
		return;
	}
	/* Device-specific parameter: WP, and DPOFUA (FUA is honoured). */
	if (ten) {
		put_be16(b, (uint16_t)(n - 2));
		b[3] = (d->ro ? 0x80 : 0) | 0x10;
		b[4] = llba && bdl ? 0x01 : 0;
		put_be16(b + 6, (uint16_t)bdl);
	} else {
		b[0] = (uint8_t)(n - 1);
		b[2] = (d->ro ? 0x80 : 0) | 0x10;
		b[3] = (uint8_t)bdl;
	}
	stor_data_in(r, b, n, alloc);
}

/* ---- REPORT LUNS, REQUEST SENSE ----------------------------------------- */

void stor_report_luns(struct enl_stor_req *r, struct enl_stor_target *t)
{
	uint8_t b[8 + 8 * ENL_STOR_MAX_LUNS];
	uint16_t luns[ENL_STOR_MAX_LUNS];
	uint32_t alloc = get_be32(r->cdb + 6);
	unsigned int n = 0, i;

	/* SPC-4: an allocation length under 4 cannot even hold the length. */
	if (alloc < 4) {
		stor_bad_cdb(r, 6, -1);
		return;
	}
	switch (r->cdb[2]) {
	case 0x00:	/* every LUN */
	case 0x02:	/* every LUN and well-known LUN (there are none) */
		n = stor_luns(t, luns, ENL_STOR_MAX_LUNS);
		break;
	case 0x01:	/* well-known LUNs only */
		break;
	default:
		stor_bad_cdb(r, 2, -1);
		return;
	}
	memset(b, 0, 8 + 8 * (size_t)n);
	put_be32(b, 8 * n);
	/* Peripheral device addressing, bus 0: the LUN is byte 1. */
	for (i = 0; i < n; i++)
		b[8 + 8 * i + 1] = (uint8_t)luns[i];
	stor_data_in(r, b, 8 + 8 * (size_t)n, alloc);
}

void stor_request_sense(struct enl_stor_req *r, uint16_t asc, uint8_t key)
{
	uint8_t b[SCSI_SENSE_FIXED_LEN];

	if (r->cdb[1] & 0x01) {		/* DESC: only fixed format here */
		stor_bad_cdb(r, 1, 0);
		return;
	}
	stor_sense_fill(b, key, asc);
	stor_data_in(r, b, sizeof(b), r->cdb[4]);
}
