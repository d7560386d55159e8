// SPDX-License-Identifier: GPL-2.0-only
/*
 * One SCSI command from the guest: check the CDB (length, control byte,
 * reserved and protection fields), the LUN, pending unit attentions, the
 * LBA range against the capacity, the transfer against the data buffer and
 * its direction, the UNMAP parameter list; answer what needs no I/O, and
 * for the rest describe in r->priv what uring.c has to do. Every refusal is
 * CHECK CONDITION with the sense data SPC-4/SBC-3 ask for.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stor_priv.h"

#define WS_CHUNK	(1U << 20)	/* pattern buffer of WRITE SAME */

/* CDB length by operation-code group; 0: a group with no commands here. */
static unsigned int cdb_len_of(uint8_t op)
{
	switch (op >> 5) {
	case 0:
		return 6;
	case 1:
	case 2:
		return 10;
	case 4:
		return 16;
	case 5:
		return 12;
	default:
		return 0;
	}
}

static void bad_opcode(struct enl_stor_req *r)
{
	stor_check(r, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE);
}

/* SBC-3: the range [lba, lba + n) must lie within the medium. */
static bool range_ok(struct enl_stor_req *r, struct enl_stor_disk *d,
		     uint64_t lba, uint64_t n)
{
	uint64_t cap = atomic_load(&d->blocks);

	if (lba >= cap || n > cap - lba) {
		stor_check(r, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	return true;
}

static bool writable(struct enl_stor_req *r, struct enl_stor_disk *d)
{
	if (!d->ro)
		return true;
	stor_check(r, SCSI_SK_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED);
	return false;
}

/* The buffer must go the command's way and hold what it moves. */
static bool buffer_ok(struct enl_stor_req *r, enum enl_stor_dir dir,
		      uint64_t need)
{
	if (r->dir == dir && r->data_len >= need)
		return true;
	stor_check(r, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	return false;
}

static void busy(struct enl_stor_req *r)
{
	r->status = SCSI_STATUS_BUSY;
	r->sense_len = 0;
	r->xfer_len = 0;
}

static void *aligned_alloc_n(size_t align, size_t n)
{
	void *p;

	if (align < 4096)
		align = 4096;
	return posix_memalign(&p, align, n ? n : 1) ? NULL : p;
}

/*
 * Where the kernel moves the data: the caller's buffer itself (trimmed to
 * the transfer) when the disk takes it as it is, else a bounce buffer.
 * O_DIRECT wants aligned segments; guest scatter lists mostly are.
 */
static bool setup_data(struct enl_stor_req *r, struct enl_stor_disk *d,
		       bool bounce)
{
	size_t need = r->priv.need;
	struct iovec *v = NULL;
	unsigned int n = 0;

	if (!bounce) {
		n = stor_iov_trim(r->iov, r->iovcnt, need, &v);
		if (!n)
			return false;
		if (n <= ENL_STOR_MAX_IOV &&
		    stor_iov_aligned(v, n, d->mem_align, d->dio_align)) {
			r->priv.iov = v;
			r->priv.iovcnt = n;
			return true;
		}
		free(v);
	}
	r->priv.buf = aligned_alloc_n(d->mem_align, need);
	r->priv.iov = calloc(1, sizeof(*r->priv.iov));
	if (!r->priv.buf || !r->priv.iov)
		return false;
	r->priv.buf_len = need;
	r->priv.iov[0].iov_base = r->priv.buf;
	r->priv.iov[0].iov_len = need;
	r->priv.iovcnt = 1;
	if (r->priv.kind == STOR_IO_WRITE)
		enl_iov_copy_from(r->iov, r->iovcnt, 0, r->priv.buf, need);
	return true;
}

/* ---- READ / WRITE / VERIFY ------------------------------------------------ */

static void rw(struct enl_stor_req *r, struct enl_stor_disk *d, bool write,
	       uint64_t lba, uint64_t n, unsigned int len_byte)
{
	uint8_t op = r->cdb[0];

	if (op != SCSI_READ_6 && op != SCSI_WRITE_6) {
		if (r->cdb[1] & 0xe0) {	/* RD/WRPROTECT: no protection */
			stor_bad_cdb(r, 1, 7);
			return;
		}
		r->priv.fua = r->cdb[1] & 0x08;
	}
	if (write && !writable(r, d))
		return;
	if (n > (ENL_STOR_MAX_TRANSFER >> d->bs_shift)) {
		stor_bad_cdb(r, len_byte, -1);
		return;
	}
	if (!range_ok(r, d, lba, n))
		return;
	if (!n) {
		stor_good(r);
		return;
	}
	r->priv.need = (uint32_t)(n << d->bs_shift);
	if (!buffer_ok(r, write ? ENL_STOR_DIR_TO_DEV : ENL_STOR_DIR_FROM_DEV,
		       r->priv.need))
		return;
	r->priv.kind = write ? STOR_IO_WRITE : STOR_IO_READ;
	r->priv.next_off = lba << d->bs_shift;
	r->priv.end_off = r->priv.next_off + r->priv.need;
	if (!setup_data(r, d, false))
		busy(r);
}

static void verify(struct enl_stor_req *r, struct enl_stor_disk *d,
		   uint64_t lba, uint64_t n, unsigned int len_byte)
{
	unsigned int bytchk = (r->cdb[1] >> 1) & 3;

	if (r->cdb[1] & 0xe0) {		/* VRPROTECT */
		stor_bad_cdb(r, 1, 7);
		return;
	}
	if (bytchk > 1) {		/* reserved, or one block for all */
		stor_bad_cdb(r, 1, 2);
		return;
	}
	if (!range_ok(r, d, lba, n))
		return;
	/*
	 * Without BYTCHK there is nothing to learn ahead of a read: a file
	 * or a block device reports a bad sector when it is read.
	 */
	if (!n || !bytchk) {
		stor_good(r);
		return;
	}
	if (n > (ENL_STOR_MAX_TRANSFER >> d->bs_shift)) {
		stor_bad_cdb(r, len_byte, -1);
		return;
	}
	r->priv.need = (uint32_t)(n << d->bs_shift);
	if (!buffer_ok(r, ENL_STOR_DIR_TO_DEV, r->priv.need))
		return;
	r->priv.kind = STOR_IO_VERIFY;
	r->priv.cmp = true;
	r->priv.next_off = lba << d->bs_shift;
	r->priv.end_off = r->priv.next_off + r->priv.need;
	if (!setup_data(r, d, true))
		busy(r);
}

/* ---- SYNCHRONIZE CACHE ------------------------------------------------------ */

static void sync_cache(struct enl_stor_req *r, struct enl_stor_disk *d,
		       uint64_t lba, uint64_t n)
{
	/* The whole file is flushed: fdatasync has no range that is durable. */
	if (!range_ok(r, d, lba, n))
		return;
	r->priv.kind = STOR_IO_FLUSH;
	r->priv.next_off = 0;
	r->priv.end_off = 1;
}

/* ---- WRITE SAME ------------------------------------------------------------ */

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static bool unmap_list(struct enl_stor_req *r, uint64_t lba, uint64_t n)
{
	r->priv.unmap = calloc(2, sizeof(uint64_t));
	if (!r->priv.unmap)
		return false;
	r->priv.unmap[0] = lba;
	r->priv.unmap[1] = n;
	r->priv.nunmap = 1;
	r->priv.kind = STOR_IO_UNMAP;
	return true;
}

static void write_same(struct enl_stor_req *r, struct enl_stor_disk *d,
		       uint64_t lba, uint64_t n, unsigned int len_byte)
{
	bool sixteen = r->cdb[0] == SCSI_WRITE_SAME_16;
	bool unmap = r->cdb[1] & 0x08, ndob = sixteen && (r->cdb[1] & 0x01);
	uint8_t block[4096];
	size_t i;

	if (r->cdb[1] & 0xe0) {		/* WRPROTECT */
		stor_bad_cdb(r, 1, 7);
		return;
	}
	if (r->cdb[1] & 0x10) {		/* ANCHOR: not supported (ANC_SUP 0) */
		stor_bad_cdb(r, 1, 4);
		return;
	}
	if (!sixteen && (r->cdb[1] & 0x01)) {
		stor_bad_cdb(r, 1, 0);
		return;
	}
	if (!writable(r, d))
		return;
	if (!n || n > ENL_STOR_MAX_WRITE_SAME_BLOCKS) {	/* WSNZ, B0 limit */
		stor_bad_cdb(r, len_byte, -1);
		return;
	}
	if (!range_ok(r, d, lba, n))
		return;
	if (ndob) {
		memset(block, 0, d->bs);
		r->priv.need = 0;
	} else {
		if (!buffer_ok(r, ENL_STOR_DIR_TO_DEV, d->bs))
			return;
		enl_iov_copy_from(r->iov, r->iovcnt, 0, block, d->bs);
		r->priv.need = d->bs;
	}
	/* Unmapped blocks read as zeros (LBPRZ): a hole is the same data. */
	if (unmap && d->can_unmap && all_zero(block, d->bs)) {
		if (!unmap_list(r, lba, n))
			busy(r);
		return;
	}
	r->priv.kind = STOR_IO_WRITE_SAME;
	r->priv.next_off = lba << d->bs_shift;
	r->priv.start_off = r->priv.next_off;
	r->priv.end_off = r->priv.next_off + (n << d->bs_shift);
	r->priv.buf_len = r->priv.end_off - r->priv.next_off;
	if (r->priv.buf_len > WS_CHUNK)
		r->priv.buf_len = WS_CHUNK;
	r->priv.buf = aligned_alloc_n(d->mem_align, r->priv.buf_len);
	if (!r->priv.buf) {
		busy(r);
		return;
	}
	for (i = 0; i < r->priv.buf_len; i += d->bs)
		memcpy(r->priv.buf + i, block, d->bs);
}

/* ---- UNMAP ----------------------------------------------------------------- */

#define UNMAP_HDR	8
#define UNMAP_DESC	16

static void unmap(struct enl_stor_req *r, struct enl_stor_disk *d)
{
	uint8_t p[UNMAP_HDR + UNMAP_DESC * ENL_STOR_MAX_UNMAP_DESC];
	uint32_t plen = get_be16(r->cdb + 7), udl, bddl, ndesc, i, k = 0;
	uint64_t total = 0, lba, n;

	if (!writable(r, d))
		return;
	if (!d->can_unmap) {		/* LBPU 0: the command does not exist */
		bad_opcode(r);
		return;
	}
	if (r->cdb[1] & 0x01) {		/* ANCHOR */
		stor_bad_cdb(r, 1, 0);
		return;
	}
	if (!plen) {
		stor_good(r);
		return;
	}
	if (plen < UNMAP_HDR) {
		stor_check(r, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR);
		return;
	}
	if (!buffer_ok(r, ENL_STOR_DIR_TO_DEV, plen))
		return;
	enl_iov_copy_from(r->iov, r->iovcnt, 0, p, UNMAP_HDR);
	udl = get_be16(p);
	bddl = get_be16(p + 2);
	if (udl > plen - 2 || bddl > plen - UNMAP_HDR) {
		stor_check(r, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR);
		return;
	}
	ndesc = bddl / UNMAP_DESC;	/* a partial descriptor is ignored */
	if (ndesc > ENL_STOR_MAX_UNMAP_DESC) {
		stor_bad_param(r, 2);
		return;
	}
	enl_iov_copy_from(r->iov, r->iovcnt, UNMAP_HDR, p + UNMAP_HDR,
			  (size_t)ndesc * UNMAP_DESC);
	/* Check every descriptor before the first hole is punched. */
	for (i = 0; i < ndesc; i++) {
		const uint8_t *e = p + UNMAP_HDR + UNMAP_DESC * i;

		lba = get_be64(e);
		n = get_be32(e + 8);
		if (n && !range_ok(r, d, lba, n))
			return;
		total += n;
		if (total > ENL_STOR_MAX_UNMAP_BLOCKS) {
			stor_bad_param(r, UNMAP_HDR + UNMAP_DESC * i + 8);
			return;
		}
	}
	r->priv.need = plen;
	if (!total) {
		stor_good(r);
		r->xfer_len = plen;
		return;
	}
	r->priv.unmap = calloc(2 * (size_t)ndesc, sizeof(uint64_t));
	if (!r->priv.unmap) {
		busy(r);
		return;
	}
	for (i = 0; i < ndesc; i++) {
		const uint8_t *e = p + UNMAP_HDR + UNMAP_DESC * i;

		if (!get_be32(e + 8))
			continue;
		r->priv.unmap[2 * k] = get_be64(e);
		r->priv.unmap[2 * k + 1] = get_be32(e + 8);
		k++;
	}
	r->priv.nunmap = k;
	r->priv.kind = STOR_IO_UNMAP;
}

/* ---- Dispatch -------------------------------------------------------------- */

static void read_capacity_10(struct enl_stor_req *r, struct enl_stor_disk *d)
{
	/* PMI 0 with an LBA is an invalid field (SBC-3 5.15). */
	if (!(r->cdb[8] & 0x01) && get_be32(r->cdb + 2)) {
		stor_bad_cdb(r, 2, -1);
		return;
	}
	stor_read_capacity(r, d, false);
}

static void service_action_in(struct enl_stor_req *r, struct enl_stor_disk *d)
{
	if ((r->cdb[1] & 0x1f) != SCSI_SAI_READ_CAPACITY_16) {
		stor_bad_cdb(r, 1, 4);
		return;
	}
	stor_read_capacity(r, d, true);
}

static void dispatch(struct enl_stor_req *r, struct enl_stor_disk *d)
{
	const uint8_t *c = r->cdb;

	switch (c[0]) {
	case SCSI_TEST_UNIT_READY:
	case SCSI_START_STOP_UNIT:	/* a virtual disk is always spinning */
		stor_good(r);
		break;
	case SCSI_READ_6:
	case SCSI_WRITE_6:
		/* 21-bit LBA; a length of 0 means 256 blocks. */
		rw(r, d, c[0] == SCSI_WRITE_6, get_be24(c + 1) & 0x1fffff,
		   c[4] ? c[4] : 256, 4);
		break;
	case SCSI_READ_10:
	case SCSI_WRITE_10:
		rw(r, d, c[0] == SCSI_WRITE_10, get_be32(c + 2),
		   get_be16(c + 7), 7);
		break;
	case SCSI_READ_12:
	case SCSI_WRITE_12:
		rw(r, d, c[0] == SCSI_WRITE_12, get_be32(c + 2),
		   get_be32(c + 6), 6);
		break;
	case SCSI_READ_16:
	case SCSI_WRITE_16:
		rw(r, d, c[0] == SCSI_WRITE_16, get_be64(c + 2),
		   get_be32(c + 10), 10);
		break;
	case SCSI_VERIFY_10:
		verify(r, d, get_be32(c + 2), get_be16(c + 7), 7);
		break;
	case SCSI_VERIFY_16:
		verify(r, d, get_be64(c + 2), get_be32(c + 10), 10);
		break;
	case SCSI_SYNCHRONIZE_CACHE_10:
		sync_cache(r, d, get_be32(c + 2), get_be16(c + 7));
		break;
	case SCSI_SYNCHRONIZE_CACHE_16:
		sync_cache(r, d, get_be64(c + 2), get_be32(c + 10));
		break;
	case SCSI_WRITE_SAME_10:
		write_same(r, d, get_be32(c + 2), get_be16(c + 7), 7);
		break;
	case SCSI_WRITE_SAME_16:
		write_same(r, d, get_be64(c + 2), get_be32(c + 10), 10);
		break;
	case SCSI_UNMAP:
		unmap(r, d);
		break;
	case SCSI_READ_CAPACITY_10:
		read_capacity_10(r, d);
		break;
	case SCSI_SERVICE_ACTION_IN_16:
		service_action_in(r, d);
		break;
	case SCSI_MODE_SENSE_6:
	case SCSI_MODE_SENSE_10:
		stor_mode_sense(r, d);
		break;
	default:
		bad_opcode(r);
		break;
	}
}

/* Commands that work without a disk and never report a unit attention. */
static bool lun_independent(struct enl_stor_target *t, struct enl_stor_req *r,
			    struct enl_stor_disk *d)
{
	uint16_t asc;

	switch (r->cdb[0]) {
	case SCSI_INQUIRY:
		stor_inquiry(r, d);
		return true;
	case SCSI_REPORT_LUNS:
		stor_report_luns(r, t);
		return true;
	case SCSI_REQUEST_SENSE:
		/* The pending unit attention is the sense data, and is gone. */
		if (!d)
			stor_request_sense(r, SCSI_ASC_LUN_NOT_SUPPORTED,
					   SCSI_SK_ILLEGAL_REQUEST);
		else if ((asc = stor_take_ua(t, d)))
			stor_request_sense(r, asc, SCSI_SK_UNIT_ATTENTION);
		else
			stor_request_sense(r, SCSI_ASC_NONE, SCSI_SK_NO_SENSE);
		return true;
	default:
		return false;
	}
}

void stor_cmd_parse(struct enl_stor_target *t, struct enl_stor_req *r)
{
	struct enl_stor_queue *q = r->priv.q;
	struct enl_stor_disk *d;
	unsigned int len;
	size_t total;
	uint16_t asc;

	memset(&r->priv, 0, sizeof(r->priv));
	r->priv.q = q;
	r->status = SCSI_STATUS_GOOD;
	r->sense_len = 0;
	r->xfer_len = 0;
	r->no_lun = false;
	/* The buffer is what the iovec list really holds, at most. */
	total = r->iov ? stor_iov_total(r->iov, r->iovcnt) : 0;
	if (r->data_len > total)
		r->data_len = (uint32_t)total;
	if (r->dir > ENL_STOR_DIR_FROM_DEV)
		r->dir = ENL_STOR_DIR_NONE;

	if (!r->cdb_len || r->cdb_len > ENL_STOR_CDB_MAX) {
		stor_bad_cdb(r, 0, -1);
		return;
	}
	len = cdb_len_of(r->cdb[0]);
	if (!len) {
		bad_opcode(r);
		return;
	}
	if (r->cdb_len < len) {
		stor_bad_cdb(r, r->cdb_len - 1u, -1);
		return;
	}
	/* Control byte: no NACA, no linked commands. */
	if (r->cdb[len - 1] & 0x05) {
		stor_bad_cdb(r, len - 1, r->cdb[len - 1] & 0x04 ? 2 : 0);
		return;
	}

	d = stor_lookup(t, r->lun);
	r->no_lun = !d;
	if (lun_independent(t, r, d))
		goto out;
	if (!d) {
		stor_check(r, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LUN_NOT_SUPPORTED);
		return;
	}
	asc = stor_take_ua(t, d);
	if (asc) {
		stor_check(r, SCSI_SK_UNIT_ATTENTION, asc);
		goto out;
	}
	dispatch(r, d);
	if (r->priv.kind != STOR_IO_NONE && r->status == SCSI_STATUS_GOOD) {
		r->priv.disk = d;	/* the reference goes with the I/O */
		return;
	}
	stor_req_release(r);
	r->priv.kind = STOR_IO_NONE;
out:
	if (d)
		stor_disk_put(d);
}

void stor_req_release(struct enl_stor_req *r)
{
	free(r->priv.iov);
	free(r->priv.buf);
	free(r->priv.unmap);
	r->priv.iov = NULL;
	r->priv.buf = NULL;
	r->priv.unmap = NULL;
	if (r->priv.disk) {
		stor_disk_put(r->priv.disk);
		r->priv.disk = NULL;
	}
}

void stor_io_error(struct enl_stor_req *r, int err)
{
	bool reading = r->priv.kind == STOR_IO_READ ||
		       r->priv.kind == STOR_IO_VERIFY;

	switch (err) {
	case -ENOMEM:
	case -EAGAIN:
	case -EBUSY:
		busy(r);
		break;
	case -ENOSPC:
	case -EDQUOT:
		stor_check(r, SCSI_SK_DATA_PROTECT,
			   SCSI_ASC_SPACE_ALLOC_FAILED_WP);
		break;
	case -EROFS:
	case -EPERM:
	case -EBADF:
		stor_check(r, reading ? SCSI_SK_MEDIUM_ERROR :
			   SCSI_SK_DATA_PROTECT, reading ?
			   SCSI_ASC_UNRECOVERED_READ_ERROR :
			   SCSI_ASC_WRITE_PROTECTED);
		break;
	case -EIO:
	case -ENODATA:
		stor_check(r, SCSI_SK_MEDIUM_ERROR, reading ?
			   SCSI_ASC_UNRECOVERED_READ_ERROR :
			   SCSI_ASC_WRITE_ERROR);
		break;
	default:
		stor_check(r, SCSI_SK_HARDWARE_ERROR,
			   SCSI_ASC_INTERNAL_TARGET_FAILURE);
		break;
	}
}
