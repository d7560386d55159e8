/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the storage target: the disk behind a LUN, the LUN table, and the
 * steps a command goes through (parse and check in cmd.c, emulated answers
 * in emulate.c, sense data in sense.c, data movement in iov.c and
 * uring.c).
 */
#ifndef ENL_STOR_PRIV_H
#define ENL_STOR_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "iov_copy.h"
#include "stor.h"

/* Pending unit attentions of a LUN, reported highest priority first. */
#define STOR_UA_RESET		(1U << 0)	/* 29/02 */
#define STOR_UA_CAPACITY	(1U << 1)	/* 2A/09 */
#define STOR_UA_LUNS_CHANGED	(1U << 2)	/* 3F/0E */

struct enl_stor_disk {
	int fd;
	atomic_uint refs;
	bool ro, wt, direct, can_unmap, is_bdev;
	/*
	 * On tmpfs or ramfs: reads and writes are memory copies that never
	 * wait for a device, and these file systems take no RWF_NOWAIT, so
	 * io_uring would hand each one to a kernel worker thread (a thread
	 * hop, a wakeup and an eventfd signal per command). They run inline.
	 */
	bool memory;
	uint32_t bs;
	unsigned int bs_shift;
	_Atomic uint64_t blocks;	/* capacity, changed by resize */
	size_t mem_align, dio_align;	/* O_DIRECT buffer rules */
	uint64_t id;			/* stable: NAA designator, serial */
	char serial[21];
	char path[256];
	uint32_t ua;			/* STOR_UA_*, under the target lock */
};

struct enl_stor_target {
	pthread_mutex_t lock;
	unsigned int max_luns;
	struct enl_stor_disk *lun[ENL_STOR_MAX_LUNS];
};

/* ---- disk.c ---- */
int stor_disk_open(const struct enl_stor_disk_opts *o,
		   struct enl_stor_disk **out);
void stor_disk_get(struct enl_stor_disk *d);
void stor_disk_put(struct enl_stor_disk *d);
/* Current size of the backing file or device, in bytes. */
int stor_disk_backing_size(const struct enl_stor_disk *d, uint64_t *bytes);
int stor_disk_truncate(struct enl_stor_disk *d, uint64_t bytes);

/* ---- target.c ---- */
/* The disk at lun with a reference taken, or NULL. */
struct enl_stor_disk *stor_lookup(struct enl_stor_target *t, unsigned int lun);
/* Takes the highest pending unit attention of d: its ASC/ASCQ, or 0. */
uint16_t stor_take_ua(struct enl_stor_target *t, struct enl_stor_disk *d);
/* Fills luns[] (ascending); returns the count. */
unsigned int stor_luns(struct enl_stor_target *t, uint16_t *luns,
		       unsigned int max);

/* ---- sense.c ---- */
void stor_good(struct enl_stor_req *r);
void stor_check(struct enl_stor_req *r, uint8_t key, uint16_t asc);
/* ILLEGAL REQUEST, INVALID FIELD IN CDB, pointing at byte (and bit). */
void stor_bad_cdb(struct enl_stor_req *r, unsigned int byte, int bit);
/* ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST, pointing at byte. */
void stor_bad_param(struct enl_stor_req *r, unsigned int byte);
/* Fills an 18-byte fixed-format sense buffer. */
void stor_sense_fill(uint8_t *s, uint8_t key, uint16_t asc);

/* ---- iov.c ---- */
size_t stor_iov_total(const struct iovec *iov, unsigned int cnt);
/*
 * A private copy of the first len bytes of iov (len <= total). Returns the
 * segment count, or 0 on allocation failure.
 */
unsigned int stor_iov_trim(const struct iovec *iov, unsigned int cnt,
			   size_t len, struct iovec **out);
/* Every base a multiple of mem_align, every length of len_align. */
bool stor_iov_aligned(const struct iovec *iov, unsigned int cnt,
		      size_t mem_align, size_t len_align);
/* Offset of the first byte where iov and buf differ; len if none does. */
size_t stor_iov_cmp(const struct iovec *iov, unsigned int cnt,
		    const void *buf, size_t len);
/* Drops n bytes from the front of iov[*idx..cnt). */
void stor_iov_advance(struct iovec *iov, unsigned int cnt, unsigned int *idx,
		      size_t n);

/* ---- emulate.c: commands answered from the target's own data ---- */
void stor_inquiry(struct enl_stor_req *r, struct enl_stor_disk *d);
void stor_read_capacity(struct enl_stor_req *r, struct enl_stor_disk *d,
			bool sixteen);
void stor_mode_sense(struct enl_stor_req *r, struct enl_stor_disk *d);
void stor_report_luns(struct enl_stor_req *r, struct enl_stor_target *t);
void stor_request_sense(struct enl_stor_req *r, uint16_t asc, uint8_t key);
/* Data-in of an emulated command: min(len, alloc, buffer) bytes. */
void stor_data_in(struct enl_stor_req *r, const void *buf, size_t len,
		  size_t alloc);

/* ---- cmd.c / uring.c: what a command asks of the disk ---- */
enum stor_kind {
	STOR_IO_NONE,
	STOR_IO_READ,		/* readv into the buffer (or a bounce) */
	STOR_IO_WRITE,		/* writev from the buffer (or a bounce) */
	STOR_IO_FLUSH,		/* fdatasync */
	STOR_IO_UNMAP,		/* punch the (lba, blocks) list */
	STOR_IO_WRITE_SAME,	/* the pattern buffer over the range */
	STOR_IO_VERIFY,		/* read into a bounce, compare with data-out */
};

/* Parses and checks r's CDB; completes it, or sets r->priv for the I/O. */
void stor_cmd_parse(struct enl_stor_target *t, struct enl_stor_req *r);
/* Releases what r->priv holds (buffers, the disk reference). */
void stor_req_release(struct enl_stor_req *r);
/* The sense for a failed I/O of the given kind. */
void stor_io_error(struct enl_stor_req *r, int err);

#endif /* ENL_STOR_PRIV_H */
