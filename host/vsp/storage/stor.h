/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The storage target: a SCSI target whose logical units are raw image files
 * or block devices, with the data I/O on io_uring. No VMBus in here: the
 * storage VSP hands it one command at a time (CDB, LUN, a data buffer as an
 * iovec list over guest memory, its direction and length) and sends back
 * what it produces (SAM status, fixed-format sense data, bytes moved).
 *
 *	target	the LUN table (add, remove, resize, read-only, cache mode) and
 *		each LUN's pending unit attentions; shared by every queue,
 *		safe to use from several threads
 *	queue	one io_uring and its eventfd, owned by one thread (one per
 *		channel worker): commands are submitted on it, and those that
 *		need I/O complete on it, through the request's done callback
 *
 * A command either completes at once (enl_stor_submit returns
 * ENL_STOR_DONE; done is not called) or is in flight (ENL_STOR_QUEUED):
 * the I/O is prepared on the ring, goes to the kernel with the rest of the
 * batch at enl_stor_queue_kick(), and done(req) runs from
 * enl_stor_queue_reap() once everything the command needed has finished.
 * Poll enl_stor_queue_fd() for readability to know when to reap.
 *
 * Everything in the request comes from the guest and is checked: the CDB,
 * the LBA range against the capacity (and for 64-bit overflow), the
 * transfer against the data buffer and the direction, the allocation
 * lengths, the UNMAP parameter list.
 */
#ifndef ENL_STOR_H
#define ENL_STOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "scsi.h"

/* Limits the target enforces and reports in VPD page B0. */
#define ENL_STOR_MAX_LUNS		256
#define ENL_STOR_MAX_TRANSFER		(2U << 20)	/* bytes per command */
#define ENL_STOR_MAX_IOV		1024		/* else bounced */
#define ENL_STOR_MAX_UNMAP_DESC		64
#define ENL_STOR_MAX_UNMAP_BLOCKS	(1U << 22)	/* per command */
#define ENL_STOR_MAX_WRITE_SAME_BLOCKS	(1U << 16)
#define ENL_STOR_CDB_MAX		16
/* Pieces of one command in flight at once (WRITE SAME chunks, UNMAP). */
#define ENL_STOR_PIECES			4

struct enl_stor_target;
struct enl_stor_queue;
struct enl_stor_disk;

/* ---- Logical units --------------------------------------------------------- */

struct enl_stor_disk_opts {
	const char *path;		/* raw image file or block device */
	bool read_only;
	bool write_through;		/* WCE=0: every write is O_DSYNC */
	bool no_direct;			/* page cache even where O_DIRECT works */
	/*
	 * Reads and writes through io_uring even on tmpfs, where they
	 * otherwise run inline (memory copies; see disk.c).
	 */
	bool ring_io;
	uint32_t block_size;		/* 512 (0 means 512) or 4096 */
	const char *serial;		/* VPD 0x80; default from the file's id */
};

struct enl_stor_lun_info {
	uint16_t lun;
	uint32_t block_size;
	uint64_t blocks;
	bool read_only, write_through, direct, can_unmap, is_blockdev;
	bool inline_io;			/* tmpfs: reads and writes inline */
	char serial[21];
	char path[256];
};

/* max_luns: highest LUN + 1 the controller offers (<= ENL_STOR_MAX_LUNS). */
struct enl_stor_target *enl_stor_target_new(unsigned int max_luns);
void enl_stor_target_free(struct enl_stor_target *t);

/*
 * Attach a disk at lun (-EEXIST if taken, -ERANGE past max_luns, -errno of
 * opening it). Every other LUN gets a REPORTED LUNS DATA HAS CHANGED unit
 * attention, the guest's cue to rescan; likewise on remove. A removed disk
 * is closed once the last command using it has completed.
 */
int enl_stor_lun_add(struct enl_stor_target *t, unsigned int lun,
		     const struct enl_stor_disk_opts *opts);
int enl_stor_lun_remove(struct enl_stor_target *t, unsigned int lun);
/*
 * New capacity in bytes, a whole number of blocks: a regular file is
 * truncated or extended to it. bytes == 0 re-reads the backing size instead
 * (a block device or a file grown from outside). A change sets CAPACITY
 * DATA HAS CHANGED on that LUN.
 */
int enl_stor_lun_resize(struct enl_stor_target *t, unsigned int lun,
			uint64_t bytes);
int enl_stor_lun_info(struct enl_stor_target *t, unsigned int lun,
		      struct enl_stor_lun_info *info);
/* The LUNs in use, ascending; returns how many (at most max written). */
unsigned int enl_stor_lun_list(struct enl_stor_target *t, uint16_t *luns,
			       unsigned int max);
/* A bus or LUN reset: every LUN reports POWER ON/RESET once (29/02). */
void enl_stor_target_reset(struct enl_stor_target *t);

/* ---- Commands -------------------------------------------------------------- */

enum enl_stor_dir {
	ENL_STOR_DIR_NONE,
	ENL_STOR_DIR_TO_DEV,		/* data-out: guest -> disk (write) */
	ENL_STOR_DIR_FROM_DEV,		/* data-in: disk -> guest (read) */
};

struct enl_stor_piece {
	uint64_t off;			/* byte offset on the disk */
	uint64_t len, pos;		/* bytes, and how many are done */
	bool busy, zero;		/* zero: punch fell back to ZERO_RANGE */
};

struct enl_stor_req {
	/* ---- filled by the caller ---- */
	uint8_t cdb[ENL_STOR_CDB_MAX];
	uint8_t cdb_len;
	uint16_t lun;
	enum enl_stor_dir dir;
	const struct iovec *iov;	/* the data buffer */
	unsigned int iovcnt;
	uint32_t data_len;		/* buffer bytes; clamped to the iov sum */
	void (*done)(struct enl_stor_req *req);
	void *ctx;

	/* ---- results ---- */
	uint8_t status;			/* SCSI_STATUS_* */
	uint8_t sense_len;		/* 0 or SCSI_SENSE_FIXED_LEN */
	uint8_t sense[SCSI_SENSE_FIXED_LEN];
	bool no_lun;			/* no disk at that LUN */
	uint32_t xfer_len;		/* bytes moved, <= data_len */

	/* ---- the library's, until done ---- */
	struct {
		struct enl_stor_queue *q;
		struct enl_stor_disk *disk;
		uint8_t kind;
		bool fua, cmp;
		int err;
		unsigned int busy;	/* pieces in flight */
		uint64_t start_off, next_off, end_off;	/* disk bytes */
		uint32_t need;		/* data bytes the command moves */
		struct iovec *iov;	/* private, trimmed copy */
		unsigned int iovcnt, iov_idx;
		uint8_t *buf;		/* bounce / pattern buffer */
		size_t buf_len;
		uint64_t *unmap;	/* (lba, blocks) pairs */
		unsigned int nunmap, next_unmap;
		struct enl_stor_piece piece[ENL_STOR_PIECES];
	} priv;
};

#define ENL_STOR_DONE		0
#define ENL_STOR_QUEUED		1

/* Counters of one queue. */
struct enl_stor_stats {
	uint64_t commands, check_conditions, queued, completed;
	uint64_t read_bytes, written_bytes, flushes, unmapped_blocks;
	uint64_t bounced, io_errors, busy;
	uint64_t dsync_writes;		/* write-through or FUA: RWF_DSYNC */
	uint64_t inline_io;		/* memory-backed: done without the ring */
};

/* depth: SQ entries of the ring (rounded up by the kernel to a power of 2). */
struct enl_stor_queue *enl_stor_queue_new(struct enl_stor_target *t,
					  unsigned int depth);
/* Waits for everything in flight and runs its done callbacks, then frees. */
void enl_stor_queue_free(struct enl_stor_queue *q);
/* Readable (an eventfd) when completions wait for enl_stor_queue_reap. */
int enl_stor_queue_fd(struct enl_stor_queue *q);
int enl_stor_submit(struct enl_stor_queue *q, struct enl_stor_req *req);
/* Hands the batch of prepared I/O to the kernel: one system call. */
int enl_stor_queue_kick(struct enl_stor_queue *q);
/* Runs done() of every command that finished; returns how many. */
unsigned int enl_stor_queue_reap(struct enl_stor_queue *q);
/* Blocks until at least one command finishes, then reaps. */
unsigned int enl_stor_queue_wait(struct enl_stor_queue *q);
unsigned int enl_stor_queue_inflight(const struct enl_stor_queue *q);
const struct enl_stor_stats *enl_stor_queue_stats(const struct enl_stor_queue *q);

/* Sense data of a finished request: key, and ASC << 8 | ASCQ. */
static inline uint8_t enl_stor_sense_key(const struct enl_stor_req *r)
{
	return r->sense_len ? r->sense[2] & 0x0f : 0;
}

static inline uint16_t enl_stor_sense_asc(const struct enl_stor_req *r)
{
	return r->sense_len ? (uint16_t)(r->sense[12] << 8 | r->sense[13]) : 0;
}

#endif /* ENL_STOR_H */
