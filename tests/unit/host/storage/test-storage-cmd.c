// SPDX-License-Identifier: GPL-2.0-only
/*
 * The storage target's command set against a test image on tmpfs, through
 * the real io_uring path, then again with reads and writes inline (as on
 * tmpfs, unless ring_io): INQUIRY and its VPD pages, READ CAPACITY, every
 * READ and WRITE size checked byte for byte against the file, unaligned
 * buffers (bounced), VERIFY, SYNCHRONIZE CACHE, MODE SENSE, REPORT LUNS,
 * REQUEST SENSE, and the sense data of out-of-range and malformed commands.
 */
#include "storage_test.h"

#define BLOCKS	2048		/* 1 or 8 MiB image */
#define BS	bs		/* 512 (page cache on tmpfs), 4096 (O_DIRECT) */

static uint32_t bs;
static bool inline_io;		/* the second round: not ring_io */

static struct enl_stor_target *t;
static struct enl_stor_queue *q;
static const char *img;
static int img_fd;

/* The image's bytes at off, read behind the target's back. */
static int file_has(uint64_t off, const void *want, size_t len)
{
	uint8_t *got = malloc(len);
	int same;

	if (pread(img_fd, got, len, (off_t)off) != (ssize_t)len) {
		free(got);
		return 0;
	}
	same = !memcmp(got, want, len);
	free(got);
	return same;
}

static void fill_random(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static void test_inquiry(void)
{
	uint8_t cdb[16] = { SCSI_INQUIRY, 0, 0, 0, 96, 0 };
	uint8_t b[256];
	struct st_cmd c;
	int i, ok;

	memset(b, 0xee, sizeof(b));
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 96);
	tap_ok(st_good(&c) && c.r.xfer_len == 36 && b[0] == 0 && b[2] == 6 &&
	       b[4] == 31 && (b[7] & 0x02) && !memcmp(b + 8, "Msft    ", 8) &&
	       !memcmp(b + 16, "Virtual Disk    ", 16) && !c.r.no_lun,
	       "INQUIRY: standard data, 36 bytes, Msft Virtual Disk");

	cdb[4] = 5;
	memset(b, 0xee, sizeof(b));
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_good(&c) && c.r.xfer_len == 5 && b[5] == 0xee,
	       "INQUIRY: allocation length 5 returns 5 bytes");

	cdb[4] = 96;
	st_run(q, &c, 9, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 96);
	tap_ok(st_good(&c) && b[0] == 0x7f && c.r.no_lun,
	       "INQUIRY of an empty LUN: qualifier 3, type 1Fh, no_lun");

	cdb[1] = 1;
	cdb[2] = SCSI_VPD_SUPPORTED;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 96);
	tap_ok(st_good(&c) && c.r.xfer_len == 10 && get_be16(b + 2) == 6 &&
	       b[4] == 0x00 && b[5] == 0x80 && b[6] == 0x83 && b[7] == 0xb0 &&
	       b[8] == 0xb1 && b[9] == 0xb2, "VPD 00: 00 80 83 B0 B1 B2");

	cdb[2] = SCSI_VPD_SERIAL;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 96);
	tap_ok(st_good(&c) && b[1] == 0x80 && get_be16(b + 2) == 6 &&
	       !memcmp(b + 4, "DISK-0", 6), "VPD 80: the serial given");

	cdb[2] = SCSI_VPD_DEVICE_ID;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 96);
	tap_ok(st_good(&c) && b[4] == 0x01 && (b[5] & 0x0f) == 3 &&
	       b[7] == 8 && (b[8] >> 4) == 3 && b[16] == 0x02 &&
	       (b[17] & 0x0f) == 1 && !memcmp(b + 20, "Msft    DISK-0", 14) &&
	       get_be16(b + 2) == 4 + 8 + 4 + 14,
	       "VPD 83: NAA 3 and T10 vendor id designators");

	cdb[2] = SCSI_VPD_BLOCK_LIMITS;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 96);
	tap_ok(st_good(&c) && c.r.xfer_len == 64 && get_be16(b + 2) == 60 &&
	       (b[4] & 1) && get_be32(b + 8) == ENL_STOR_MAX_TRANSFER / BS &&
	       get_be32(b + 20) == ENL_STOR_MAX_UNMAP_BLOCKS &&
	       get_be32(b + 24) == ENL_STOR_MAX_UNMAP_DESC &&
	       get_be64(b + 36) == ENL_STOR_MAX_WRITE_SAME_BLOCKS,
	       "VPD B0: block limits (transfer, unmap, write same, WSNZ)");

	cdb[2] = SCSI_VPD_BLOCK_CHARACTERISTICS;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 96);
	tap_ok(st_good(&c) && c.r.xfer_len == 64 && get_be16(b + 4) == 1,
	       "VPD B1: non-rotating medium");

	cdb[2] = SCSI_VPD_LB_PROVISIONING;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 96);
	tap_ok(st_good(&c) && c.r.xfer_len == 8 && (b[5] & 0xe0) == 0xe0 &&
	       (b[5] & 0x1c) == 0x04 && (b[6] & 7) == 2,
	       "VPD B2: LBPU, LBPWS, LBPWS10, LBPRZ, thin");

	cdb[2] = 0x89;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 96);
	ok = st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			 SCSI_ASC_INVALID_FIELD_IN_CDB) &&
	     c.r.sense[15] == 0xc0 && get_be16(c.r.sense + 16) == 2;
	tap_ok(ok, "VPD 89 (not served): 24/00, field pointer CDB byte 2");

	cdb[1] = 0;
	cdb[2] = 0x80;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 96);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "page code without EVPD: 24/00");

	cdb[2] = 0;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_TO_DEV, b, 96);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "INQUIRY with a data-out buffer: 24/00");

	/* Every allocation length from 0 to 40 is honoured exactly. */
	ok = 1;
	for (i = 0; i <= 40; i++) {
		cdb[4] = (uint8_t)i;
		st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
		ok &= st_good(&c) && c.r.xfer_len == (uint32_t)(i < 36 ? i : 36);
	}
	tap_ok(ok, "INQUIRY allocation lengths 0..40");
}

static void test_capacity(void)
{
	uint8_t cdb[16] = { SCSI_READ_CAPACITY_10 };
	uint8_t b[64];
	struct st_cmd c;

	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, 8);
	tap_ok(st_good(&c) && c.r.xfer_len == 8 &&
	       get_be32(b) == BLOCKS - 1 && get_be32(b + 4) == BS,
	       "READ CAPACITY 10: last LBA and block size");
	put_be32(cdb + 2, 5);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, 8);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "READ CAPACITY 10 with an LBA and no PMI: 24/00");

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_SERVICE_ACTION_IN_16;
	cdb[1] = SCSI_SAI_READ_CAPACITY_16;
	put_be32(cdb + 10, 32);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_FROM_DEV, b, 64);
	tap_ok(st_good(&c) && c.r.xfer_len == 32 &&
	       get_be64(b) == BLOCKS - 1 && get_be32(b + 8) == BS &&
	       (b[13] & 0x0f) == (BS == 512 ? 3 : 0) &&
	       (b[14] & 0xc0) == 0xc0,
	       "READ CAPACITY 16: 4K physical, LBPME, LBPRZ");
	put_be32(cdb + 10, 12);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_FROM_DEV, b, 64);
	tap_ok(st_good(&c) && c.r.xfer_len == 12,
	       "READ CAPACITY 16: allocation length 12");
	cdb[1] = 0x11;
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_FROM_DEV, b, 64);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "SERVICE ACTION IN 16, unknown action: 24/00");
}

/* WRITE then READ with each CDB size; the file holds what was written. */
static void test_rw_sizes(void)
{
	static const struct {
		uint8_t rd, wr;
		const char *name;
	} ops[] = {
		{ SCSI_READ_6, SCSI_WRITE_6, "6" },
		{ SCSI_READ_10, SCSI_WRITE_10, "10" },
		{ SCSI_READ_12, SCSI_WRITE_12, "12" },
		{ SCSI_READ_16, SCSI_WRITE_16, "16" },
	};
	uint8_t *out = aligned_alloc(4096, 64 * BS);
	uint8_t *in = aligned_alloc(4096, 64 * BS);
	uint8_t cdb[16];
	struct st_cmd c;
	unsigned int i, len = 0;
	uint32_t lba, n;

	for (i = 0; i < 4; i++) {
		lba = 100 + 200 * i;
		n = 8 << i;
		fill_random(out, n * BS, i + 1);
		memset(in, 0, n * BS);
		memset(cdb, 0, sizeof(cdb));
		switch (i) {
		case 0:
			cdb[0] = ops[i].wr;
			cdb[1] = (uint8_t)(lba >> 16);
			put_be16(cdb + 2, (uint16_t)lba);
			cdb[4] = (uint8_t)n;
			len = 6;
			break;
		case 1:
			len = cdb_rw10(cdb, ops[i].wr, lba, (uint16_t)n);
			break;
		case 2:
			cdb[0] = ops[i].wr;
			put_be32(cdb + 2, lba);
			put_be32(cdb + 6, n);
			len = 12;
			break;
		case 3:
			len = cdb_rw16(cdb, ops[i].wr, lba, n);
			break;
		}
		st_run(q, &c, 0, cdb, len, ENL_STOR_DIR_TO_DEV, out, n * BS);
		tap_ok(st_good(&c) && c.r.xfer_len == n * BS &&
		       file_has((uint64_t)lba * BS, out, n * BS),
		       "WRITE(%s) of %u blocks lands in the file", ops[i].name,
		       n);
		cdb[0] = ops[i].rd;
		st_run(q, &c, 0, cdb, len, ENL_STOR_DIR_FROM_DEV, in, n * BS);
		tap_ok(st_good(&c) && c.r.xfer_len == n * BS &&
		       !memcmp(in, out, n * BS),
		       "READ(%s) returns it byte for byte", ops[i].name);
	}

	/* READ(6) with length 0 means 256 blocks. */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_READ_6;
	{
		uint8_t *big = malloc(256 * BS);

		st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, big, 256 * BS);
		tap_ok(st_good(&c) && c.r.xfer_len == 256 * BS &&
		       file_has(0, big, 256 * BS),
		       "READ(6) length 0 transfers 256 blocks");
		free(big);
	}

	/* A bigger buffer than the transfer: only the transfer moves. */
	cdb_rw10(cdb, SCSI_READ_10, 0, 2);
	memset(in, 0x5a, 4 * BS);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, in, 4 * BS);
	tap_ok(st_good(&c) && c.r.xfer_len == 2 * BS && in[2 * BS] == 0x5a &&
	       file_has(0, in, 2 * BS), "buffer larger than the transfer");

	/* FUA write. */
	cdb_rw10(cdb, SCSI_WRITE_10, 50, 1);
	cdb[1] = 0x08;
	fill_random(out, BS, 99);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, out, BS);
	tap_ok(st_good(&c) && file_has(50 * BS, out, BS), "WRITE(10) FUA");

	/* Zero-length transfers are not an error. */
	cdb_rw10(cdb, SCSI_READ_10, 7, 0);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_good(&c) && c.r.xfer_len == 0, "READ(10) of 0 blocks");
	free(out);
	free(in);
}

/* Buffers O_DIRECT cannot take as they are go through a bounce buffer. */
static void test_unaligned(void)
{
	uint8_t *raw = malloc(16 * BS + 8192), *out = malloc(16 * BS);
	struct iovec iov[5];
	uint64_t bounced = enl_stor_queue_stats(q)->bounced;
	uint8_t cdb[16];
	struct st_cmd c;
	int direct;
	struct enl_stor_lun_info info;

	enl_stor_lun_info(t, 0, &info);
	direct = info.direct;
	fill_random(out, 16 * BS, 7);
	/* Odd addresses and odd segment sizes, 16 blocks in all. */
	iov[0].iov_base = raw + 3;
	iov[0].iov_len = 1000;
	iov[1].iov_base = raw + 1100;
	iov[1].iov_len = 1;
	iov[2].iov_base = raw + 1200;
	iov[2].iov_len = 0;
	iov[3].iov_base = raw + 1300;
	iov[3].iov_len = 4000;
	iov[4].iov_base = raw + 5400;
	iov[4].iov_len = 16 * BS - 5001 + 100;	/* 100 bytes to spare */
	{
		size_t off = 0, k;

		for (k = 0; k < 5; k++) {
			size_t n = iov[k].iov_len;

			if (n > 16 * BS - off)
				n = 16 * BS - off;
			memcpy(iov[k].iov_base, out + off, n);
			off += n;
		}
	}
	cdb_rw10(cdb, SCSI_WRITE_10, 1000, 16);
	st_runv(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, iov, 5, 16 * BS);
	tap_ok(st_good(&c) && c.r.xfer_len == 16 * BS &&
	       file_has(1000 * BS, out, 16 * BS),
	       "WRITE from 5 unaligned segments");
	memset(raw, 0, 16 * BS + 8192);
	cdb[0] = SCSI_READ_10;
	st_runv(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, iov, 5, 16 * BS);
	{
		uint8_t *back = malloc(16 * BS);
		size_t off = 0, k;

		for (k = 0; k < 5; k++) {
			size_t n = iov[k].iov_len;

			if (n > 16 * BS - off)
				n = 16 * BS - off;
			memcpy(back + off, iov[k].iov_base, n);
			off += n;
		}
		tap_ok(st_good(&c) && !memcmp(back, out, 16 * BS) &&
		       raw[0] == 0 && raw[1300 - 1] == 0,
		       "READ into 5 unaligned segments, nothing outside them");
		free(back);
	}
	tap_ok(!direct || enl_stor_queue_stats(q)->bounced == bounced + 2,
	       "both went through a bounce buffer (O_DIRECT: %s)",
	       direct ? "yes" : "no");
	free(raw);
	free(out);
}

static void test_out_of_range(void)
{
	uint8_t *b = aligned_alloc(4096, ENL_STOR_MAX_TRANSFER + 4096);
	uint8_t cdb[16];
	struct st_cmd c;

	cdb_rw10(cdb, SCSI_READ_10, BLOCKS - 1, 1);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, BS);
	tap_ok(st_good(&c) && file_has((BLOCKS - 1) * BS, b, BS),
	       "READ of the last block");
	cdb_rw10(cdb, SCSI_READ_10, BLOCKS - 1, 2);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, 2 * BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LBA_OUT_OF_RANGE) && c.r.xfer_len == 0,
	       "READ across the end: 21/00");
	cdb_rw10(cdb, SCSI_WRITE_10, BLOCKS, 0);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LBA_OUT_OF_RANGE),
	       "WRITE of 0 blocks past the end: 21/00");
	cdb_rw16(cdb, SCSI_READ_16, UINT64_MAX, 2);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_FROM_DEV, b, 2 * BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LBA_OUT_OF_RANGE),
	       "READ(16) at LBA 2^64-1 (LBA + length overflows): 21/00");
	cdb_rw16(cdb, SCSI_WRITE_16, UINT64_MAX - 3, 8);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, b, 8 * BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LBA_OUT_OF_RANGE),
	       "WRITE(16) at 2^64-4 for 8 blocks (wraps): 21/00");
	cdb_rw16(cdb, SCSI_WRITE_16, 1, UINT32_MAX);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, b, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "WRITE(16) of 2^32-1 blocks: over the maximum transfer, 24/00");
	cdb_rw10(cdb, SCSI_READ_10, 0, ENL_STOR_MAX_TRANSFER / BS + 1);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b,
	       ENL_STOR_MAX_TRANSFER + BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB) &&
	       get_be16(c.r.sense + 16) == 7,
	       "READ over the maximum transfer length: 24/00 at byte 7");
	cdb_rw10(cdb, SCSI_READ_10, 0, ENL_STOR_MAX_TRANSFER / BS);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b,
	       ENL_STOR_MAX_TRANSFER);
	tap_ok(BLOCKS * BS > ENL_STOR_MAX_TRANSFER ?
	       st_good(&c) && file_has(0, b, ENL_STOR_MAX_TRANSFER) :
	       st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LBA_OUT_OF_RANGE),
	       "READ of the maximum transfer length (beyond a 1 MiB disk: 21/00)");
	{
		uint32_t n = BLOCKS * BS <= ENL_STOR_MAX_TRANSFER ? BLOCKS :
			     ENL_STOR_MAX_TRANSFER / BS;

		cdb_rw10(cdb, SCSI_READ_10, BLOCKS - n, (uint16_t)n);
		st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, n * BS);
		tap_ok(st_good(&c) && c.r.xfer_len == n * BS &&
		       file_has((uint64_t)(BLOCKS - n) * BS, b, n * BS),
		       "READ of %u blocks up to the end", n);
	}
	cdb_rw10(cdb, SCSI_READ_10, 0, 8);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, 8 * BS - 1);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "READ into a buffer one byte short: 24/00");
	{
		struct iovec iov = { .iov_base = b, .iov_len = 4 * BS };

		st_runv(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, &iov, 1,
			8 * BS);
		tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
				   SCSI_ASC_INVALID_FIELD_IN_CDB),
		       "data_len beyond the iovec list counts as the list");
	}
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, b, 8 * BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "READ with a data-out buffer: 24/00");
	cdb[0] = SCSI_WRITE_10;
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, 8 * BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "WRITE with a data-in buffer: 24/00");
	free(b);
}

static void test_malformed(void)
{
	uint8_t cdb[16], b[64];
	struct st_cmd c;
	static const uint8_t unknown[] = { 0x4d, 0x1e, 0xa3, 0x85, 0x5f, 0x04 };
	unsigned int i;
	int ok = 1;

	cdb_rw10(cdb, SCSI_READ_10, 0, 1);
	st_run(q, &c, 0, cdb, 0, ENL_STOR_DIR_FROM_DEV, b, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB), "CDB length 0: 24/00");
	st_run(q, &c, 0, cdb, 17, ENL_STOR_DIR_FROM_DEV, b, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB), "CDB length 17: 24/00");
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "READ(10) in a 6-byte CDB: 24/00");
	cdb[9] = 0x04;
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB) &&
	       c.r.sense[15] == (0x80 | 0x40 | 0x08 | 2) &&
	       get_be16(c.r.sense + 16) == 9,
	       "NACA in the control byte: 24/00, pointer byte 9 bit 2");
	cdb[9] = 0;
	cdb[1] = 0x20;
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "RDPROTECT on a disk without protection: 24/00");
	for (i = 0; i < sizeof(unknown); i++) {
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = unknown[i];
		st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_NONE, NULL, 0);
		ok &= st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
				  SCSI_ASC_INVALID_OPCODE);
	}
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0xc0;			/* vendor-specific group */
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_NONE, NULL, 0);
	ok &= st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE);
	tap_ok(ok, "unknown opcodes (LOG SENSE, ATA PT, vendor...): 20/00");
	cdb[0] = SCSI_TEST_UNIT_READY;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_good(&c), "TEST UNIT READY");
	st_run(q, &c, 4, cdb, 6, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LUN_NOT_SUPPORTED) && c.r.no_lun,
	       "TEST UNIT READY on an empty LUN: 25/00, no_lun");
	st_run(q, &c, 300, cdb, 6, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LUN_NOT_SUPPORTED), "LUN 300: 25/00");
	cdb[0] = SCSI_START_STOP_UNIT;
	cdb[4] = 1;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_good(&c), "START STOP UNIT");
	cdb[0] = SCSI_REQUEST_SENSE;
	cdb[4] = 18;
	memset(b, 0xee, sizeof(b));
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_good(&c) && c.r.xfer_len == 18 && b[0] == 0x70 &&
	       (b[2] & 0xf) == 0 && b[12] == 0 && b[7] == 10,
	       "REQUEST SENSE: no sense, 18 bytes");
	cdb[1] = 1;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "REQUEST SENSE asking for descriptor format: 24/00");
}

static void test_sync_verify(void)
{
	uint8_t cdb[16], *b = aligned_alloc(4096, 8 * BS);
	uint64_t flushes = enl_stor_queue_stats(q)->flushes;
	struct st_cmd c;

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_SYNCHRONIZE_CACHE_10;
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_good(&c), "SYNCHRONIZE CACHE(10)");
	cdb_rw16(cdb, SCSI_SYNCHRONIZE_CACHE_16, 10, 20);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_good(&c) &&
	       enl_stor_queue_stats(q)->flushes == flushes + 2,
	       "SYNCHRONIZE CACHE(16) over a range: both fdatasync'd");
	cdb_rw16(cdb, SCSI_SYNCHRONIZE_CACHE_16, BLOCKS - 1, 2);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LBA_OUT_OF_RANGE),
	       "SYNCHRONIZE CACHE past the end: 21/00");

	cdb_rw10(cdb, SCSI_VERIFY_10, 20, 8);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_good(&c), "VERIFY(10), BYTCHK 0");
	if (pread(img_fd, b, 8 * BS, 20 * BS) != 8 * BS)
		tap_diag("pread failed");
	cdb[1] = 0x02;			/* BYTCHK 01: compare */
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, b, 8 * BS);
	tap_ok(st_good(&c) && c.r.xfer_len == 8 * BS,
	       "VERIFY(10), BYTCHK 1, same data: GOOD");
	b[3 * BS + 17] ^= 0x40;
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, b, 8 * BS);
	tap_ok(st_sense_is(&c, SCSI_SK_MISCOMPARE,
			   SCSI_ASC_MISCOMPARE_DURING_VERIFY) &&
	       (c.r.sense[0] & 0x80) && get_be32(c.r.sense + 3) == 3 * BS + 17,
	       "VERIFY(10), one bit differs: MISCOMPARE 1D/00 at its offset");
	cdb[1] = 0x06;			/* BYTCHK 11 */
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, b, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "VERIFY BYTCHK 11 (not served): 24/00");
	cdb_rw16(cdb, SCSI_VERIFY_16, BLOCKS, 1);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LBA_OUT_OF_RANGE), "VERIFY(16) past the end");
	b[3 * BS + 17] ^= 0x40;
	cdb_rw16(cdb, SCSI_VERIFY_16, 20, 8);
	cdb[1] = 0x02;
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, b, 8 * BS);
	tap_ok(st_good(&c), "VERIFY(16), BYTCHK 1: GOOD");
	free(b);
}

static void test_mode_sense(void)
{
	uint8_t cdb[16], b[256];
	struct st_cmd c;

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_MODE_SENSE_6;
	cdb[2] = SCSI_MODE_PAGE_CACHING;
	cdb[4] = 255;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_good(&c) && c.r.xfer_len == 4 + 8 + 20 && b[0] == 31 &&
	       !(b[2] & 0x80) && (b[2] & 0x10) && b[3] == 8 &&
	       get_be32(b + 4) == BLOCKS && get_be24(b + 9) == BS &&
	       b[12] == 0x08 && b[13] == 18 && (b[14] & 0x04),
	       "MODE SENSE(6) caching page: block descriptor, WCE (write-back)");
	cdb[1] = 0x08;			/* DBD */
	cdb[2] = SCSI_MODE_PAGE_ALL;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_good(&c) && c.r.xfer_len == 4 + 20 + 12 && b[3] == 0 &&
	       b[4] == 0x08 && b[24] == 0x0a && b[25] == 10,
	       "MODE SENSE(6) all pages, DBD: caching and control");
	cdb[2] = 0x40 | SCSI_MODE_PAGE_CACHING;	/* changeable values */
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_good(&c) && !(b[6] & 0x04), "changeable values: none");
	cdb[2] = 0xc0 | SCSI_MODE_PAGE_CACHING;	/* saved values */
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_SAVING_PARAMS_NOT_SUPPORTED),
	       "saved values: 39/00");
	cdb[2] = 0x1c;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "page 1C (not served): 24/00");
	cdb[2] = SCSI_MODE_PAGE_CACHING;
	cdb[3] = 0x01;
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB), "subpage 1: 24/00");

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_MODE_SENSE_10;
	cdb[1] = 0x10;			/* LLBAA */
	cdb[2] = SCSI_MODE_PAGE_ALL;
	cdb[3] = 0xff;
	put_be16(cdb + 7, sizeof(b));
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_good(&c) && c.r.xfer_len == 8 + 16 + 20 + 12 &&
	       get_be16(b) == 8 + 16 + 32 - 2 && (b[4] & 1) &&
	       get_be16(b + 6) == 16 && get_be64(b + 8) == BLOCKS &&
	       get_be32(b + 20) == BS && b[24] == 0x08 && (b[26] & 0x04),
	       "MODE SENSE(10) all pages and subpages, long LBA descriptor");
	put_be16(cdb + 7, 10);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_good(&c) && c.r.xfer_len == 10,
	       "MODE SENSE(10) allocation length 10");
}

static void test_report_luns(void)
{
	uint8_t cdb[16], b[128];
	struct st_cmd c;
	struct enl_stor_disk_opts o = { .path = st_image("lun5.img", 65536) };

	tap_ok(enl_stor_lun_add(t, 5, &o) == 0, "LUN 5 added");
	/* The other LUN heard about it. */
	memset(cdb, 0, sizeof(cdb));
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_sense_is(&c, SCSI_SK_UNIT_ATTENTION,
			   SCSI_ASC_REPORTED_LUNS_DATA_CHANGED),
	       "LUN 0: REPORTED LUNS DATA HAS CHANGED (3F/0E)");
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_REPORT_LUNS;
	put_be32(cdb + 6, sizeof(b));
	st_run(q, &c, 7, cdb, 12, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_good(&c) && c.r.xfer_len == 24 && get_be32(b) == 16 &&
	       b[9] == 0 && b[17] == 5 && b[16] == 0,
	       "REPORT LUNS (to an empty LUN): 0 and 5");
	cdb[2] = 1;
	st_run(q, &c, 0, cdb, 12, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_good(&c) && c.r.xfer_len == 8 && get_be32(b) == 0,
	       "REPORT LUNS, well-known only: none");
	cdb[2] = 0x07;
	st_run(q, &c, 0, cdb, 12, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "REPORT LUNS, select report 7: 24/00");
	cdb[2] = 0;
	put_be32(cdb + 6, 3);
	st_run(q, &c, 0, cdb, 12, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "REPORT LUNS, allocation length 3: 24/00");
	put_be32(cdb + 6, 12);
	st_run(q, &c, 0, cdb, 12, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_good(&c) && c.r.xfer_len == 12 && get_be32(b) == 16,
	       "REPORT LUNS, allocation length 12: list length still 16");
	tap_ok(enl_stor_lun_remove(t, 5) == 0 &&
	       enl_stor_lun_remove(t, 5) == -ENOENT, "LUN 5 removed");
	memset(cdb, 0, sizeof(cdb));
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_sense_is(&c, SCSI_SK_UNIT_ATTENTION,
			   SCSI_ASC_REPORTED_LUNS_DATA_CHANGED),
	       "LUN 0 hears of the removal too");
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_good(&c), "... once");
}

/* Many commands, one kick; the eventfd says when to reap. */
static void test_batch(void)
{
	enum { N = 24 };
	static struct st_cmd c[N];
	static struct iovec iov[N];
	uint8_t *buf = aligned_alloc(4096, N * 4 * BS);
	struct pollfd pfd = { .fd = enl_stor_queue_fd(q), .events = POLLIN };
	unsigned int i, got = 0, rounds = 0;
	int ok = 1, queued = 0;

	for (i = 0; i < N; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		cdb_rw10(c[i].r.cdb, SCSI_READ_10, 64 * i, 4);
		c[i].r.cdb_len = 10;
		c[i].r.dir = ENL_STOR_DIR_FROM_DEV;
		iov[i].iov_base = buf + i * 4 * BS;
		iov[i].iov_len = 4 * BS;
		c[i].r.iov = &iov[i];
		c[i].r.iovcnt = 1;
		c[i].r.data_len = 4 * BS;
		c[i].r.done = st_done;
		c[i].r.ctx = &c[i];
		queued += enl_stor_submit(q, &c[i].r) == ENL_STOR_QUEUED;
	}
	if (inline_io) {
		/* tmpfs, inline: each finished when submit returns. */
		for (i = 0; i < N; i++)
			ok &= !c[i].done && st_good(&c[i]) &&
			      file_has(64 * i * BS, buf + i * 4 * BS, 4 * BS);
		tap_ok(!queued && ok && !enl_stor_queue_inflight(q) &&
		       enl_stor_queue_stats(q)->inline_io >= N,
		       "inline: %d reads answered at once, none queued, data right",
		       N);
		free(buf);
		return;
	}
	tap_ok(queued == N && enl_stor_queue_inflight(q) == N,
	       "%d reads queued before any system call", queued);
	enl_stor_queue_kick(q);
	while (got < N && rounds++ < 1000) {
		if (poll(&pfd, 1, 5000) != 1)
			break;
		got += enl_stor_queue_reap(q);
	}
	for (i = 0; i < N; i++)
		ok &= c[i].done == 1 && st_good(&c[i]) &&
		      file_has(64 * i * BS, buf + i * 4 * BS, 4 * BS);
	tap_ok(got == N && ok && !enl_stor_queue_inflight(q),
	       "all completed through the eventfd, data right (%u rounds)",
	       rounds);
	free(buf);
}

/* The whole command set on one disk of block size bs. */
static void suite(void)
{
	struct enl_stor_disk_opts o = { .serial = "DISK-0" };
	struct enl_stor_lun_info info;
	char name[32];

	snprintf(name, sizeof(name), "disk0-%u%s.img", bs,
		 inline_io ? "-inline" : "");
	img = st_image(name, (size_t)BLOCKS * BS);
	o.path = img;
	o.block_size = bs;
	o.ring_io = !inline_io;
	img_fd = open(img, O_RDONLY);
	t = enl_stor_target_new(64);
	q = enl_stor_queue_new(t, 32);
	if (!t || !q || img_fd < 0 || enl_stor_lun_add(t, 0, &o)) {
		tap_ok(0, "target, queue and LUN 0 set up");
		return;
	}
	enl_stor_lun_info(t, 0, &info);
	tap_diag("%u-byte blocks, image on %s, O_DIRECT %s, punch %s, %s", bs,
		 st_dir, info.direct ? "yes" : "no",
		 info.can_unmap ? "yes" : "no",
		 info.inline_io ? "reads and writes inline" : "all through io_uring");
	if (inline_io && !info.inline_io) {
		tap_ok(1, "inline I/O # SKIP %s is not tmpfs", st_dir);
		goto out;
	}
	test_inquiry();
	test_capacity();
	test_rw_sizes();
	test_unaligned();
	test_out_of_range();
	test_malformed();
	test_sync_verify();
	test_mode_sense();
	test_report_luns();
	test_batch();
	tap_ok(enl_stor_queue_stats(q)->commands > 100 &&
	       enl_stor_queue_stats(q)->check_conditions > 30,
	       "queue counters: %llu commands, %llu check conditions",
	       (unsigned long long)enl_stor_queue_stats(q)->commands,
	       (unsigned long long)enl_stor_queue_stats(q)->check_conditions);
out:
	enl_stor_queue_free(q);
	enl_stor_target_free(t);
	close(img_fd);
}

int main(void)
{
	st_setup();
	bs = 512;
	suite();
	bs = 4096;
	suite();
	/* The same commands done inline, as enl-host does on tmpfs. */
	inline_io = true;
	bs = 512;
	suite();
	bs = 4096;
	suite();
	return tap_done();
}
