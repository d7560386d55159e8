/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the storage target's unit tests share: test images in a private
 * directory on tmpfs (removed at exit), a target and a queue, and running
 * one command to its end through the real io_uring path.
 */
#ifndef ENL_STORAGE_TEST_H
#define ENL_STORAGE_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stor.h"
#include "tap.h"

static char st_dir[256];

static void st_cleanup(void)
{
	char cmd[300];

	if (st_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", st_dir);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", st_dir);
	}
}

/* A private directory on tmpfs when there is one. */
static inline void st_setup(void)
{
	const char *base = access("/dev/shm", W_OK) ? getenv("TMPDIR") :
			   "/dev/shm";

	snprintf(st_dir, sizeof(st_dir), "%s/enl-stor-XXXXXX",
		 base ? base : "/tmp");
	if (!mkdtemp(st_dir)) {
		perror("mkdtemp");
		exit(1);
	}
	atexit(st_cleanup);
}

/* A test image of size bytes, filled with a pattern of its offsets. */
static inline const char *st_image(const char *name, size_t size)
{
	static char path[4][300];
	static unsigned int k;
	char *p = path[k++ % 4];
	uint8_t *buf;
	size_t i;
	int fd;

	snprintf(p, 300, "%s/%s", st_dir, name);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	buf = malloc(size);
	if (fd < 0 || !buf) {
		perror(p);
		exit(1);
	}
	for (i = 0; i < size; i++)
		buf[i] = (uint8_t)(i * 7 + (i >> 9));
	if (write(fd, buf, size) != (ssize_t)size) {
		perror("write");
		exit(1);
	}
	free(buf);
	close(fd);
	return p;
}

struct st_cmd {
	struct enl_stor_req r;
	int done;
};

static inline void st_done(struct enl_stor_req *r)
{
	((struct st_cmd *)r->ctx)->done++;
}

/* Runs one command over iov to its end; returns its SAM status. */
static inline int st_runv(struct enl_stor_queue *q, struct st_cmd *c, uint16_t lun,
		   const uint8_t *cdb, unsigned int cdb_len,
		   enum enl_stor_dir dir, const struct iovec *iov,
		   unsigned int iovcnt, uint32_t len)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->r.cdb, cdb, cdb_len > 16 ? 16 : cdb_len);
	c->r.cdb_len = (uint8_t)cdb_len;
	c->r.lun = lun;
	c->r.dir = dir;
	c->r.iov = iov;
	c->r.iovcnt = iovcnt;
	c->r.data_len = len;
	c->r.done = st_done;
	c->r.ctx = c;
	if (enl_stor_submit(q, &c->r) == ENL_STOR_QUEUED) {
		enl_stor_queue_kick(q);
		while (!c->done)
			enl_stor_queue_wait(q);
		if (c->done != 1)
			tap_diag("done ran %d times", c->done);
	} else if (c->done) {
		tap_diag("done ran for a command completed at once");
	}
	return c->r.status;
}

static inline int st_run(struct enl_stor_queue *q, struct st_cmd *c, uint16_t lun,
		  const uint8_t *cdb, unsigned int cdb_len,
		  enum enl_stor_dir dir, void *buf, uint32_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	return st_runv(q, c, lun, cdb, cdb_len, dir, &iov, buf ? 1 : 0, len);
}

/* CHECK CONDITION with this key and ASC/ASCQ? */
static inline int st_sense_is(const struct st_cmd *c, uint8_t key, uint16_t asc)
{
	if (c->r.status == SCSI_STATUS_CHECK_CONDITION &&
	    c->r.sense_len == SCSI_SENSE_FIXED_LEN &&
	    (c->r.sense[0] & 0x7f) == 0x70 &&
	    enl_stor_sense_key(&c->r) == key && enl_stor_sense_asc(&c->r) == asc)
		return 1;
	tap_diag("status %#x sense_len %u key %#x asc %#06x (want %#x %#06x)",
		 c->r.status, c->r.sense_len, enl_stor_sense_key(&c->r),
		 enl_stor_sense_asc(&c->r), key, asc);
	return 0;
}

static inline int st_good(const struct st_cmd *c)
{
	if (c->r.status == SCSI_STATUS_GOOD && !c->r.sense_len)
		return 1;
	tap_diag("status %#x key %#x asc %#06x", c->r.status,
		 enl_stor_sense_key(&c->r), enl_stor_sense_asc(&c->r));
	return 0;
}

/* CDB builders. */
static inline unsigned int cdb_rw10(uint8_t *c, uint8_t op, uint32_t lba, uint16_t n)
{
	memset(c, 0, 16);
	c[0] = op;
	put_be32(c + 2, lba);
	put_be16(c + 7, n);
	return 10;
}

static inline unsigned int cdb_rw16(uint8_t *c, uint8_t op, uint64_t lba, uint32_t n)
{
	memset(c, 0, 16);
	c[0] = op;
	put_be64(c + 2, lba);
	put_be32(c + 10, n);
	return 16;
}

#endif /* ENL_STORAGE_TEST_H */
