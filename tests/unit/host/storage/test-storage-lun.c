// SPDX-License-Identifier: GPL-2.0-only
/*
 * The storage target's logical units: UNMAP and WRITE SAME punching holes
 * in the image (seen with SEEK_HOLE and st_blocks), malformed UNMAP
 * parameter lists, read-only disks, resize and its unit attention, resets,
 * write-through, the page-cache fallback, a LUN removed under I/O, and the
 * errors of adding one.
 */
#include "storage_test.h"

#define BS	512
#define BLOCKS	2048

static struct enl_stor_target *t;
static struct enl_stor_queue *q;

static int is_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static int read_blocks(uint16_t lun, uint64_t lba, uint32_t n, uint8_t *buf)
{
	uint8_t cdb[16];
	struct st_cmd c;

	cdb_rw16(cdb, SCSI_READ_16, lba, n);
	st_run(q, &c, lun, cdb, 16, ENL_STOR_DIR_FROM_DEV, buf, n * BS);
	return st_good(&c) && c.r.xfer_len == n * BS;
}

static int write_blocks(uint16_t lun, uint64_t lba, uint32_t n,
			const uint8_t *buf)
{
	uint8_t cdb[16];
	struct st_cmd c;

	cdb_rw16(cdb, SCSI_WRITE_16, lba, n);
	st_run(q, &c, lun, cdb, 16, ENL_STOR_DIR_TO_DEV, (void *)buf, n * BS);
	return st_good(&c);
}

/* Is [off, off + len) of the file one hole? */
static int hole_at(int fd, off_t off, off_t len)
{
	off_t h = lseek(fd, off, SEEK_HOLE), d = lseek(fd, off, SEEK_DATA);

	return h == off && (d < 0 || d >= off + len);
}

static blkcnt_t blocks_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_blocks;
}

/* An UNMAP parameter list of n descriptors. */
static uint32_t unmap_list(uint8_t *p, const uint64_t *lba, const uint32_t *cnt,
			   unsigned int n)
{
	unsigned int i;

	memset(p, 0, 8 + 16 * n);
	put_be16(p, (uint16_t)(6 + 16 * n));
	put_be16(p + 2, (uint16_t)(16 * n));
	for (i = 0; i < n; i++) {
		put_be64(p + 8 + 16 * i, lba[i]);
		put_be32(p + 8 + 16 * i + 8, cnt[i]);
	}
	return 8 + 16 * n;
}

static int run_unmap(struct st_cmd *c, uint16_t lun, uint8_t *p, uint32_t plen,
		     uint32_t buflen)
{
	uint8_t cdb[16] = { SCSI_UNMAP };

	put_be16(cdb + 7, (uint16_t)plen);
	return st_run(q, c, lun, cdb, 10, ENL_STOR_DIR_TO_DEV, p, buflen);
}

static void test_unmap(int fd)
{
	static uint8_t p[8 + 16 * 80];
	uint8_t *b = malloc(BLOCKS * BS), *keep = malloc(64 * BS);
	uint64_t lba[80];
	uint32_t cnt[80], len;
	blkcnt_t before = blocks_of(fd);
	struct st_cmd c;
	unsigned int i;

	lba[0] = 64;
	cnt[0] = 64;
	lba[1] = 256;
	cnt[1] = 32;
	len = unmap_list(p, lba, cnt, 2);
	run_unmap(&c, 0, p, len, len);
	tap_ok(st_good(&c) && c.r.xfer_len == len, "UNMAP of two ranges");
	tap_ok(read_blocks(0, 0, 512, b) && is_zero(b + 64 * BS, 64 * BS) &&
	       is_zero(b + 256 * BS, 32 * BS) && !is_zero(b + 63 * BS, BS) &&
	       !is_zero(b + 128 * BS, BS) && !is_zero(b + 288 * BS, BS),
	       "unmapped blocks read zero (LBPRZ), their neighbours do not");
	tap_ok(hole_at(fd, 64 * BS, 64 * BS) && hole_at(fd, 256 * BS, 32 * BS),
	       "the image has holes there (SEEK_HOLE/SEEK_DATA)");
	tap_ok(before - blocks_of(fd) >= 96 * BS / 512,
	       "st_blocks fell by %lld sectors (>= 96 blocks)",
	       (long long)(before - blocks_of(fd)));
	tap_ok(enl_stor_queue_stats(q)->unmapped_blocks >= 96,
	       "counted: %llu blocks unmapped",
	       (unsigned long long)enl_stor_queue_stats(q)->unmapped_blocks);

	/* Malformed lists: nothing is punched. */
	read_blocks(0, 1024, 64, keep);
	run_unmap(&c, 0, p, 4, 4);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR),
	       "UNMAP parameter list of 4 bytes: 1A/00");
	lba[0] = 1024;
	cnt[0] = 8;
	len = unmap_list(p, lba, cnt, 1);
	put_be16(p + 2, 32);		/* claims two descriptors, has one */
	run_unmap(&c, 0, p, len, len);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR),
	       "block descriptor length past the list: 1A/00");
	len = unmap_list(p, lba, cnt, 1);
	put_be16(p, 200);
	run_unmap(&c, 0, p, len, len);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR),
	       "UNMAP data length past the list: 1A/00");
	for (i = 0; i < ENL_STOR_MAX_UNMAP_DESC + 1; i++) {
		lba[i] = 1024 + i;
		cnt[i] = 1;
	}
	len = unmap_list(p, lba, cnt, ENL_STOR_MAX_UNMAP_DESC + 1);
	run_unmap(&c, 0, p, len, len);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST) &&
	       c.r.sense[15] == 0x80 && get_be16(c.r.sense + 16) == 2,
	       "%u descriptors: 26/00, pointer at parameter byte 2",
	       ENL_STOR_MAX_UNMAP_DESC + 1);
	lba[0] = 1024;
	cnt[0] = 8;
	lba[1] = BLOCKS - 4;
	cnt[1] = 8;
	len = unmap_list(p, lba, cnt, 2);
	run_unmap(&c, 0, p, len, len);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LBA_OUT_OF_RANGE),
	       "a descriptor past the end: 21/00");
	lba[1] = UINT64_MAX;
	cnt[1] = 2;
	len = unmap_list(p, lba, cnt, 2);
	run_unmap(&c, 0, p, len, len);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LBA_OUT_OF_RANGE),
	       "a descriptor at LBA 2^64-1: 21/00");
	run_unmap(&c, 0, p, len, len - 1);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "parameter list longer than the buffer: 24/00");
	{
		uint8_t *chk = malloc(64 * BS);

		tap_ok(read_blocks(0, 1024, 64, chk) &&
		       !memcmp(chk, keep, 64 * BS) && !is_zero(chk, BS),
		       "refused lists punched nothing");
		free(chk);
	}
	run_unmap(&c, 0, p, 0, 0);
	tap_ok(st_good(&c), "UNMAP with an empty parameter list: GOOD");
	cnt[0] = 0;
	cnt[1] = 0;
	lba[1] = 5;
	len = unmap_list(p, lba, cnt, 2);
	run_unmap(&c, 0, p, len, len);
	tap_ok(st_good(&c) && c.r.xfer_len == len,
	       "descriptors of 0 blocks only: GOOD");
	{
		uint8_t cdb[16] = { SCSI_UNMAP, 0x01 };

		put_be16(cdb + 7, (uint16_t)len);
		st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, p, len);
		tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
				   SCSI_ASC_INVALID_FIELD_IN_CDB),
		       "UNMAP with ANCHOR: 24/00");
	}
	free(b);
	free(keep);
}

static void ws_cdb(uint8_t *cdb, bool sixteen, uint8_t flags, uint64_t lba,
		   uint32_t n)
{
	if (sixteen) {
		cdb_rw16(cdb, SCSI_WRITE_SAME_16, lba, n);
	} else {
		cdb_rw10(cdb, SCSI_WRITE_SAME_10, (uint32_t)lba, (uint16_t)n);
	}
	cdb[1] = flags;
}

static int all_blocks_are(const uint8_t *b, uint32_t n, const uint8_t *blk)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (memcmp(b + (size_t)i * BS, blk, BS))
			return 0;
	return 1;
}

static void test_write_same(int fd)
{
	uint8_t *b = malloc(BLOCKS * BS), blk[BS], cdb[16];
	struct st_cmd c;
	unsigned int i;

	for (i = 0; i < BS; i++)
		blk[i] = (uint8_t)(i ^ 0xa5);
	ws_cdb(cdb, false, 0, 300, 100);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, blk, BS);
	tap_ok(st_good(&c) && c.r.xfer_len == BS && read_blocks(0, 299, 102, b) &&
	       all_blocks_are(b + BS, 100, blk) && memcmp(b, blk, BS) &&
	       memcmp(b + 101 * BS, blk, BS),
	       "WRITE SAME(10) over 100 blocks, not one more");
	/* 1.5 MiB: more than one pattern chunk, pieces in parallel. */
	blk[0] ^= 0xff;
	ws_cdb(cdb, true, 0, 500, 3072);
	{
		uint8_t *big = malloc(3072 * BS);
		int ok;

		/* The disk has 2048 blocks: grow it for this one. */
		ok = enl_stor_lun_resize(t, 0, 4096 * BS) == 0;
		st_run(q, &c, 0, (uint8_t[]){ SCSI_TEST_UNIT_READY, 0, 0, 0,
			0, 0 }, 6, ENL_STOR_DIR_NONE, NULL, 0);
		ok &= st_sense_is(&c, SCSI_SK_UNIT_ATTENTION,
				  SCSI_ASC_CAPACITY_DATA_CHANGED);
		st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, blk, BS);
		ok &= st_good(&c);
		if (pread(fd, big, 3072 * BS, 500 * BS) != 3072 * BS)
			ok = 0;
		tap_ok(ok && all_blocks_are(big, 3072, blk),
		       "WRITE SAME(16) of 1.5 MiB (chunks in parallel)");
		free(big);
		enl_stor_lun_resize(t, 0, BLOCKS * BS);
		st_run(q, &c, 0, (uint8_t[]){ SCSI_TEST_UNIT_READY, 0, 0, 0,
			0, 0 }, 6, ENL_STOR_DIR_NONE, NULL, 0);
	}
	memset(blk, 0, BS);
	ws_cdb(cdb, true, 0x08, 1536, 128);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, blk, BS);
	tap_ok(st_good(&c) && read_blocks(0, 1536, 128, b) &&
	       is_zero(b, 128 * BS) && hole_at(fd, 1536 * BS, 128 * BS),
	       "WRITE SAME(16) UNMAP of zeros punches a hole");
	ws_cdb(cdb, false, 0x08, 1800, 64);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, blk, BS);
	tap_ok(st_good(&c) && hole_at(fd, 1800 * BS, 64 * BS),
	       "WRITE SAME(10) UNMAP of zeros too");
	blk[7] = 1;
	ws_cdb(cdb, true, 0x08, 1536, 8);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, blk, BS);
	tap_ok(st_good(&c) && read_blocks(0, 1536, 8, b) &&
	       all_blocks_are(b, 8, blk) && !hole_at(fd, 1536 * BS, 8 * BS),
	       "WRITE SAME UNMAP of non-zero data writes it");
	ws_cdb(cdb, true, 0x01, 1536, 8);	/* NDOB */
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_good(&c) && c.r.xfer_len == 0 && read_blocks(0, 1536, 8, b) &&
	       is_zero(b, 8 * BS), "WRITE SAME(16) NDOB writes zeros");

	ws_cdb(cdb, true, 0, 10, 0);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, blk, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB) &&
	       get_be16(c.r.sense + 16) == 10,
	       "WRITE SAME of 0 blocks (WSNZ): 24/00 at byte 10");
	ws_cdb(cdb, true, 0, 0, ENL_STOR_MAX_WRITE_SAME_BLOCKS + 1);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, blk, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "WRITE SAME over the maximum length: 24/00");
	ws_cdb(cdb, true, 0, BLOCKS - 2, 4);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, blk, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LBA_OUT_OF_RANGE), "WRITE SAME past the end");
	ws_cdb(cdb, false, 0x01, 10, 4);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, blk, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "WRITE SAME(10) with the NDOB bit: 24/00");
	ws_cdb(cdb, true, 0x10, 10, 4);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, blk, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB), "ANCHOR: 24/00");
	ws_cdb(cdb, true, 0, 10, 4);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, blk, BS - 1);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_INVALID_FIELD_IN_CDB),
	       "WRITE SAME with less than a block of data: 24/00");
	free(b);
}

static void test_read_only(void)
{
	struct enl_stor_disk_opts o = {
		.path = st_image("ro.img", 256 * BS), .read_only = true,
	};
	uint8_t b[4 * BS], cdb[16], p[24];
	struct st_cmd c;
	uint64_t lba = 0;
	uint32_t cnt = 1;

	tap_ok(enl_stor_lun_add(t, 2, &o) == 0, "read-only LUN 2 added");
	st_run(q, &c, 2, (uint8_t[]){ 0, 0, 0, 0, 0, 0 }, 6,
	       ENL_STOR_DIR_NONE, NULL, 0);	/* nothing pending on a new LUN */
	tap_ok(st_good(&c) && read_blocks(2, 0, 4, b),
	       "a new LUN has no unit attention; reads work");
	cdb_rw10(cdb, SCSI_WRITE_10, 0, 1);
	st_run(q, &c, 2, cdb, 10, ENL_STOR_DIR_TO_DEV, b, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED),
	       "WRITE to a read-only disk: DATA PROTECT 27/00");
	ws_cdb(cdb, true, 0x08, 0, 1);
	st_run(q, &c, 2, cdb, 16, ENL_STOR_DIR_TO_DEV, b, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED),
	       "WRITE SAME: 27/00");
	run_unmap(&c, 2, p, unmap_list(p, &lba, &cnt, 1), 24);
	tap_ok(st_sense_is(&c, SCSI_SK_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED),
	       "UNMAP: 27/00");
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_SYNCHRONIZE_CACHE_10;
	st_run(q, &c, 2, cdb, 10, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_good(&c), "SYNCHRONIZE CACHE: GOOD");
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_MODE_SENSE_6;
	cdb[2] = SCSI_MODE_PAGE_ALL;
	cdb[4] = 255;
	st_run(q, &c, 2, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 255);
	tap_ok(st_good(&c) && (b[2] & 0x80), "MODE SENSE: WP set");
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_INQUIRY;
	cdb[1] = 1;
	cdb[2] = SCSI_VPD_LB_PROVISIONING;
	cdb[4] = 64;
	st_run(q, &c, 2, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 64);
	tap_ok(st_good(&c) && !(b[5] & 0xe0), "VPD B2: no unmapping offered");
	tap_ok(enl_stor_lun_resize(t, 2, 512 * BS) == -EROFS,
	       "a read-only disk is not resized");
}

static void tur_and_expect_ua(uint16_t lun, uint16_t asc, const char *what)
{
	uint8_t cdb[6] = { SCSI_TEST_UNIT_READY };
	struct st_cmd c;
	int ok;

	st_run(q, &c, lun, cdb, 6, ENL_STOR_DIR_NONE, NULL, 0);
	ok = st_sense_is(&c, SCSI_SK_UNIT_ATTENTION, asc);
	st_run(q, &c, lun, cdb, 6, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(ok && st_good(&c), "%s: unit attention %04x, once", what, asc);
}

static void test_resize(void)
{
	const char *path = st_image("grow.img", 128 * BS);
	struct enl_stor_disk_opts o = { .path = path };
	uint8_t b[64], cdb[16], data[BS];
	struct st_cmd c;
	struct stat st;
	int fd;

	tap_ok(enl_stor_lun_add(t, 3, &o) == 0, "LUN 3 (64 KiB) added");
	/* LUN 0 heard of LUN 3; take that out of the way. */
	tur_and_expect_ua(0, SCSI_ASC_REPORTED_LUNS_DATA_CHANGED, "LUN 0");
	tur_and_expect_ua(2, SCSI_ASC_REPORTED_LUNS_DATA_CHANGED, "LUN 2");
	tap_ok(enl_stor_lun_resize(t, 3, 256 * BS) == 0 && !stat(path, &st) &&
	       st.st_size == 256 * BS, "resized to 128 KiB: the file grew");
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_INQUIRY;
	cdb[4] = 36;
	st_run(q, &c, 3, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 36);
	tap_ok(st_good(&c), "INQUIRY does not report the unit attention");
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_REQUEST_SENSE;
	cdb[4] = 18;
	st_run(q, &c, 3, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 18);
	tap_ok(st_good(&c) && (b[2] & 0xf) == SCSI_SK_UNIT_ATTENTION &&
	       b[12] == 0x2a && b[13] == 0x09,
	       "REQUEST SENSE returns CAPACITY DATA HAS CHANGED (2A/09)");
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_READ_CAPACITY_10;
	st_run(q, &c, 3, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, 8);
	tap_ok(st_good(&c) && get_be32(b) == 255,
	       "... and consumed it: READ CAPACITY says 256 blocks");
	memset(data, 0x3c, sizeof(data));
	tap_ok(write_blocks(3, 255, 1, data), "the new last block is writable");

	tap_ok(enl_stor_lun_resize(t, 3, 64 * BS) == 0,
	       "shrunk to 32 KiB");
	tur_and_expect_ua(3, SCSI_ASC_CAPACITY_DATA_CHANGED, "LUN 3 shrunk");
	cdb_rw10(cdb, SCSI_READ_10, 64, 1);
	st_run(q, &c, 3, cdb, 10, ENL_STOR_DIR_FROM_DEV, data, BS);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LBA_OUT_OF_RANGE),
	       "past the new end: 21/00");

	fd = open(path, O_RDWR);
	tap_ok(fd >= 0 && !ftruncate(fd, 1024 * BS) &&
	       enl_stor_lun_resize(t, 3, 0) == 0,
	       "grown from outside, size re-read");
	if (fd >= 0)
		close(fd);
	tur_and_expect_ua(3, SCSI_ASC_CAPACITY_DATA_CHANGED, "LUN 3 re-read");
	tap_ok(enl_stor_lun_resize(t, 3, 0) == 0, "re-read, same size");
	st_run(q, &c, 3, (uint8_t[]){ 0, 0, 0, 0, 0, 0 }, 6, ENL_STOR_DIR_NONE,
	       NULL, 0);
	tap_ok(st_good(&c), "no change, no unit attention");
	tap_ok(enl_stor_lun_resize(t, 3, 1000) == -EINVAL &&
	       enl_stor_lun_resize(t, 9, BS) == -ENOENT,
	       "resize: partial block, empty LUN refused");

	enl_stor_target_reset(t);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_REQUEST_SENSE;
	cdb[4] = 18;
	st_run(q, &c, 3, cdb, 6, ENL_STOR_DIR_FROM_DEV, b, 18);
	tap_ok(st_good(&c) && (b[2] & 0xf) == SCSI_SK_UNIT_ATTENTION &&
	       b[12] == 0x29 && b[13] == 0x02,
	       "after a reset: BUS RESET OCCURRED (29/02)");
	tur_and_expect_ua(0, SCSI_ASC_BUS_RESET, "LUN 0 after the reset");
	tur_and_expect_ua(2, SCSI_ASC_BUS_RESET, "LUN 2 after the reset");
}

static void test_write_through(void)
{
	struct enl_stor_disk_opts o = {
		.path = st_image("wt.img", 256 * 4096), .write_through = true,
		.block_size = 4096,
	};
	struct enl_stor_lun_info info;
	uint8_t cdb[16], b[64];
	uint8_t *data = aligned_alloc(4096, 8 * 4096);
	uint8_t *back = aligned_alloc(4096, 8 * 4096);
	struct st_cmd c;
	int fd = open(o.path, O_RDONLY);
	uint64_t dsync;

	tap_ok(enl_stor_lun_add(t, 4, &o) == 0 &&
	       !enl_stor_lun_info(t, 4, &info) && info.write_through &&
	       info.block_size == 4096, "write-through LUN 4 (4 KiB blocks)");
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_MODE_SENSE_10;
	cdb[1] = 0x08;
	cdb[2] = SCSI_MODE_PAGE_CACHING;
	put_be16(cdb + 7, sizeof(b));
	st_run(q, &c, 4, cdb, 10, ENL_STOR_DIR_FROM_DEV, b, sizeof(b));
	tap_ok(st_good(&c) && b[8] == 0x08 && !(b[10] & 0x04),
	       "caching page: WCE clear");
	memset(data, 0x77, 8 * 4096);
	cdb_rw10(cdb, SCSI_WRITE_10, 3, 8);
	dsync = enl_stor_queue_stats(q)->dsync_writes;
	st_run(q, &c, 4, cdb, 10, ENL_STOR_DIR_TO_DEV, data, 8 * 4096);
	tap_ok(st_good(&c) && pread(fd, back, 8 * 4096, 3 * 4096) == 8 * 4096 &&
	       !memcmp(back, data, 8 * 4096) &&
	       enl_stor_queue_stats(q)->dsync_writes == dsync + 1,
	       "a write-through WRITE goes out with RWF_DSYNC, and is in the file");
	ws_cdb(cdb, true, 0, 20, 4);
	st_run(q, &c, 4, cdb, 16, ENL_STOR_DIR_TO_DEV, data, 4096);
	tap_ok(st_good(&c) && enl_stor_queue_stats(q)->dsync_writes == dsync + 2,
	       "so does its WRITE SAME");
	tur_and_expect_ua(0, SCSI_ASC_REPORTED_LUNS_DATA_CHANGED,
			  "LUN 0 hears of LUN 4");
	cdb_rw10(cdb, SCSI_WRITE_10, 3, 1);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, data, 512);
	tap_ok(st_good(&c) && enl_stor_queue_stats(q)->dsync_writes == dsync + 2,
	       "a write-back disk's WRITE does not");
	cdb[1] = 0x08;			/* FUA */
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, data, 512);
	tap_ok(st_good(&c) && enl_stor_queue_stats(q)->dsync_writes == dsync + 3,
	       "... unless it is FUA");
	close(fd);
	free(data);
	free(back);
}

/* The page cache on request, and a LUN removed while a read is in flight. */
static void test_buffered_and_removal(void)
{
	struct enl_stor_disk_opts o = {
		.path = st_image("buf.img", 64 * 4096), .no_direct = true,
		.block_size = 4096, .ring_io = true,
	};
	struct enl_stor_lun_info info;
	uint8_t *b = aligned_alloc(4096, 16 * 4096);
	uint8_t *want = malloc(16 * 4096);
	struct iovec iov = { .iov_base = b, .iov_len = 16 * 4096 };
	struct st_cmd c;
	int fd = open(o.path, O_RDONLY), queued;

	tap_ok(enl_stor_lun_add(t, 6, &o) == 0 &&
	       !enl_stor_lun_info(t, 6, &info) && !info.direct,
	       "no_direct: LUN 6 through the page cache");
	if (pread(fd, want, 16 * 4096, 0) != 16 * 4096)
		tap_diag("pread failed");
	memset(&c, 0, sizeof(c));
	cdb_rw10(c.r.cdb, SCSI_READ_10, 0, 16);
	c.r.cdb_len = 10;
	c.r.lun = 6;
	c.r.dir = ENL_STOR_DIR_FROM_DEV;
	c.r.iov = &iov;
	c.r.iovcnt = 1;
	c.r.data_len = 16 * 4096;
	c.r.done = st_done;
	c.r.ctx = &c;
	queued = enl_stor_submit(q, &c.r) == ENL_STOR_QUEUED;
	tap_ok(queued && enl_stor_lun_remove(t, 6) == 0,
	       "LUN 6 removed with a read in flight");
	enl_stor_queue_kick(q);
	while (queued && !c.done)
		enl_stor_queue_wait(q);
	tap_ok(st_good(&c) && !memcmp(b, want, 16 * 4096),
	       "the read still completes, with the data");
	st_run(q, &c, 6, (uint8_t[]){ 0, 0, 0, 0, 0, 0 }, 6, ENL_STOR_DIR_NONE,
	       NULL, 0);
	tap_ok(st_sense_is(&c, SCSI_SK_ILLEGAL_REQUEST,
			   SCSI_ASC_LUN_NOT_SUPPORTED) && c.r.no_lun,
	       "then LUN 6 is gone: 25/00");
	close(fd);
	free(b);
	free(want);
}

static void test_add_errors(void)
{
	struct enl_stor_disk_opts o = { .path = st_image("e.img", 4096) };
	struct enl_stor_disk_opts tiny = { .path = st_image("tiny.img", 100) };
	struct enl_stor_disk_opts none = { .path = "/nonexistent/disk.img" };
	struct enl_stor_disk_opts dir = { .path = st_dir, .read_only = true };
	struct enl_stor_disk_opts bad_bs = { .path = o.path, .block_size = 1024 };
	struct enl_stor_disk_opts bad_serial = { .path = o.path,
						 .serial = "tab\there" };

	tap_ok(enl_stor_lun_add(t, 64, &o) == -ERANGE &&
	       enl_stor_lun_add(t, 0, &o) == -EEXIST &&
	       enl_stor_lun_add(t, 10, &none) == -ENOENT &&
	       enl_stor_lun_add(t, 10, &dir) == -ENOTBLK &&
	       enl_stor_lun_add(t, 10, &tiny) == -ENOSPC &&
	       enl_stor_lun_add(t, 10, &bad_bs) == -EINVAL &&
	       enl_stor_lun_add(t, 10, &bad_serial) == -EINVAL,
	       "LUN add refuses: past max, taken, missing, a directory, "
	       "under a block, odd block size, bad serial");
	tap_ok(!enl_stor_target_new(0) &&
	       !enl_stor_target_new(ENL_STOR_MAX_LUNS + 1),
	       "target with 0 or too many LUNs refused");
	{
		uint16_t luns[64];
		unsigned int n = enl_stor_lun_list(t, luns, 64);

		tap_ok(n == 4 && luns[0] == 0 && luns[1] == 2 &&
		       luns[2] == 3 && luns[3] == 4,
		       "LUN list: 0 2 3 4 (%u)", n);
	}
}

int main(void)
{
	struct enl_stor_disk_opts o;
	const char *img;
	int fd;

	st_setup();
	img = st_image("disk.img", BLOCKS * BS);
	o = (struct enl_stor_disk_opts){ .path = img };
	fd = open(img, O_RDONLY);
	t = enl_stor_target_new(64);
	q = enl_stor_queue_new(t, 16);
	if (!t || !q || fd < 0 || enl_stor_lun_add(t, 0, &o)) {
		tap_ok(0, "target, queue and LUN 0 set up");
		return tap_done();
	}
	test_unmap(fd);
	test_write_same(fd);
	test_read_only();
	test_resize();
	test_write_through();
	test_buffered_and_removal();
	test_add_errors();
	enl_stor_queue_free(q);
	enl_stor_target_free(t);
	close(fd);
	return tap_done();
}
