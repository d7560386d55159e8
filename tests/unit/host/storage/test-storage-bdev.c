// SPDX-License-Identifier: GPL-2.0-only
/*
 * The storage target on a block device: a loop device over a test image
 * on tmpfs (attached with AUTOCLEAR, so it goes away with the test). Its
 * size comes from BLKGETSIZE64, data goes through O_DIRECT when the device
 * takes it, UNMAP reaches the device as a discard or a zeroing, a grown
 * device is picked up by a re-read with its unit attention, and a block
 * device is never truncated. Skipped where no loop device can be had
 * (no /dev/loop-control, not root).
 */
#include <linux/loop.h>
#include <sys/ioctl.h>

#include "storage_test.h"

#define BS	512
#define SIZE	(4 << 20)

static int loop_fd = -1;
static char loop_path[64];

/* A free loop device over path, or -1. */
static int loop_attach(const char *path)
{
	struct loop_info64 info;
	int ctl, n, fd, img;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (n < 0)
		return -1;
	snprintf(loop_path, sizeof(loop_path), "/dev/loop%d", n);
	fd = open(loop_path, O_RDWR | O_CLOEXEC);
	img = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || img < 0 || ioctl(fd, LOOP_SET_FD, img)) {
		if (fd >= 0)
			close(fd);
		if (img >= 0)
			close(img);
		return -1;
	}
	close(img);
	memset(&info, 0, sizeof(info));
	info.lo_flags = LO_FLAGS_AUTOCLEAR;	/* detached at the last close */
	if (ioctl(fd, LOOP_SET_STATUS64, &info)) {
		ioctl(fd, LOOP_CLR_FD, 0);
		close(fd);
		return -1;
	}
	return fd;
}

static void loop_detach(void)
{
	if (loop_fd >= 0) {
		ioctl(loop_fd, LOOP_CLR_FD, 0);
		close(loop_fd);
		loop_fd = -1;
	}
}

int main(void)
{
	struct enl_stor_target *t;
	struct enl_stor_queue *q;
	struct enl_stor_disk_opts o = { 0 };
	struct enl_stor_lun_info info;
	uint8_t *out = aligned_alloc(4096, 64 * BS);
	uint8_t *in = aligned_alloc(4096, 64 * BS);
	uint8_t cdb[16], p[24];
	struct st_cmd c;
	const char *img;
	size_t i;
	int ok, fd;

	st_setup();
	img = st_image("bdev.img", SIZE);
	loop_fd = loop_attach(img);
	if (loop_fd < 0) {
		tap_diag("no loop device here (%s): skipped", strerror(errno));
		tap_ok(1, "block device # SKIP no loop device");
		return tap_done();
	}
	atexit(loop_detach);
	t = enl_stor_target_new(8);
	q = enl_stor_queue_new(t, 16);
	o.path = loop_path;
	memset(&info, 0, sizeof(info));
	ok = t && q && enl_stor_lun_add(t, 0, &o) == 0 &&
	     !enl_stor_lun_info(t, 0, &info);
	tap_ok(ok && info.is_blockdev && info.blocks == SIZE / BS &&
	       info.can_unmap,
	       "%s as LUN 0: a block device of %llu blocks (O_DIRECT %s)",
	       loop_path, (unsigned long long)info.blocks,
	       info.direct ? "yes" : "no");

	for (i = 0; i < 64 * BS; i++)
		out[i] = (uint8_t)(i * 13 + 5);
	cdb_rw16(cdb, SCSI_WRITE_16, 1000, 64);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, out, 64 * BS);
	ok = st_good(&c);
	cdb[0] = SCSI_SYNCHRONIZE_CACHE_16;
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_NONE, NULL, 0);
	ok &= st_good(&c);
	cdb_rw16(cdb, SCSI_READ_16, 1000, 64);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_FROM_DEV, in, 64 * BS);
	tap_ok(ok && st_good(&c) && !memcmp(in, out, 64 * BS),
	       "WRITE, SYNCHRONIZE CACHE, READ back byte for byte");
	fd = open(img, O_RDONLY);
	tap_ok(fd >= 0 && pread(fd, in, 64 * BS, 1000 * BS) == 64 * BS &&
	       !memcmp(in, out, 64 * BS), "the data is in the image file");

	/* UNMAP 16 blocks: the device discards or zeroes them. */
	memset(p, 0, sizeof(p));
	put_be16(p, 22);
	put_be16(p + 2, 16);
	put_be64(p + 8, 1008);
	put_be32(p + 16, 16);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_UNMAP;
	put_be16(cdb + 7, 24);
	st_run(q, &c, 0, cdb, 10, ENL_STOR_DIR_TO_DEV, p, 24);
	ok = st_good(&c);
	cdb_rw16(cdb, SCSI_READ_16, 1000, 64);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_FROM_DEV, in, 64 * BS);
	{
		static const uint8_t zero[16 * BS];

		tap_ok(ok && st_good(&c) && !memcmp(in + 8 * BS, zero, 16 * BS) &&
		       !memcmp(in, out, 8 * BS) &&
		       !memcmp(in + 24 * BS, out + 24 * BS, 40 * BS),
		       "UNMAP on the block device: those blocks read zero, "
		       "the others are intact");
	}

	/* Grow the image and the device; the target re-reads the size. */
	ok = fd >= 0 && !truncate(img, 2 * SIZE) &&
	     !ioctl(loop_fd, LOOP_SET_CAPACITY, 0) &&
	     enl_stor_lun_resize(t, 0, 0) == 0 &&
	     !enl_stor_lun_info(t, 0, &info);
	tap_ok(ok && info.blocks == 2 * SIZE / BS,
	       "grown device: capacity re-read (%llu blocks)",
	       (unsigned long long)info.blocks);
	memset(cdb, 0, sizeof(cdb));
	st_run(q, &c, 0, cdb, 6, ENL_STOR_DIR_NONE, NULL, 0);
	tap_ok(st_sense_is(&c, SCSI_SK_UNIT_ATTENTION,
			   SCSI_ASC_CAPACITY_DATA_CHANGED),
	       "... with CAPACITY DATA HAS CHANGED");
	cdb_rw16(cdb, SCSI_WRITE_16, SIZE / BS + 100, 8);
	st_run(q, &c, 0, cdb, 16, ENL_STOR_DIR_TO_DEV, out, 8 * BS);
	tap_ok(st_good(&c), "a write past the old end works");
	tap_ok(enl_stor_lun_resize(t, 0, SIZE) == -ENOTSUP,
	       "a block device is not truncated");

	if (fd >= 0)
		close(fd);
	enl_stor_queue_free(q);
	enl_stor_target_free(t);
	loop_detach();
	free(out);
	free(in);
	return tap_done();
}
