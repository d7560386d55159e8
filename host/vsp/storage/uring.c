// SPDX-License-Identifier: GPL-2.0-only
/*
 * A queue: one io_uring, owned by one thread, whose completions are
 * signalled on an eventfd the caller polls. A command's I/O is cut into
 * pieces (one readv/writev, one fdatasync, one hole per UNMAP descriptor, a
 * chunk of a WRITE SAME), at most ENL_STOR_PIECES of them in flight; each
 * SQE's user_data is the request with the piece's slot in its low bits.
 * SQEs are only prepared as commands arrive; enl_stor_queue_kick() hands
 * the batch to the kernel in one system call.
 */
#include <errno.h>
#include <linux/falloc.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "stor_priv.h"

struct enl_stor_queue {
	struct enl_stor_target *t;
	struct io_uring ring;
	int efd;
	unsigned int inflight;		/* commands */
	unsigned int prepared;		/* SQEs not yet submitted */
	struct enl_stor_stats st;
};

_Static_assert(ENL_STOR_PIECES <= 8, "piece slot lives in 3 pointer bits");
_Static_assert(_Alignof(struct enl_stor_req) >= 8, "request alignment");

struct enl_stor_queue *enl_stor_queue_new(struct enl_stor_target *t,
					  unsigned int depth)
{
	struct enl_stor_queue *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->t = t;
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->efd < 0)
		goto fail;
	if (io_uring_queue_init(depth ? depth : 64, &q->ring, 0))
		goto fail_efd;
	if (io_uring_register_eventfd(&q->ring, q->efd))
		goto fail_ring;
	return q;

fail_ring:
	io_uring_queue_exit(&q->ring);
fail_efd:
	close(q->efd);
fail:
	free(q);
	return NULL;
}

void enl_stor_queue_free(struct enl_stor_queue *q)
{
	if (!q)
		return;
	while (q->inflight)
		enl_stor_queue_wait(q);
	io_uring_queue_exit(&q->ring);
	close(q->efd);
	free(q);
}

int enl_stor_queue_fd(struct enl_stor_queue *q)
{
	return q->efd;
}

unsigned int enl_stor_queue_inflight(const struct enl_stor_queue *q)
{
	return q->inflight;
}

const struct enl_stor_stats *enl_stor_queue_stats(const struct enl_stor_queue *q)
{
	return &q->st;
}

int enl_stor_queue_kick(struct enl_stor_queue *q)
{
	int ret;

	if (!q->prepared)
		return 0;
	ret = io_uring_submit(&q->ring);
	if (ret < 0)
		return ret;
	q->prepared = 0;
	return 0;
}

/* An SQE, submitting the batch so far when the ring is full. */
static struct io_uring_sqe *get_sqe(struct enl_stor_queue *q)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);

	if (!sqe && !enl_stor_queue_kick(q))
		sqe = io_uring_get_sqe(&q->ring);
	return sqe;
}

/* ---- Pieces --------------------------------------------------------------- */

static bool more_to_issue(const struct enl_stor_req *r)
{
	if (r->priv.kind == STOR_IO_UNMAP)
		return r->priv.next_unmap < r->priv.nunmap;
	return r->priv.next_off < r->priv.end_off;
}

/* Claims the next piece of r's work into p. */
static void next_piece(struct enl_stor_req *r, struct enl_stor_piece *p)
{
	struct enl_stor_disk *d = r->priv.disk;
	uint64_t left = r->priv.end_off - r->priv.next_off;

	p->pos = 0;
	p->zero = false;
	switch (r->priv.kind) {
	case STOR_IO_UNMAP:
		p->off = r->priv.unmap[2 * r->priv.next_unmap] << d->bs_shift;
		p->len = r->priv.unmap[2 * r->priv.next_unmap + 1] <<
			 d->bs_shift;
		r->priv.next_unmap++;
		return;
	case STOR_IO_WRITE_SAME:
		p->len = left < r->priv.buf_len ? left : r->priv.buf_len;
		break;
	default:			/* one piece does it all */
		p->len = left;
		break;
	}
	p->off = r->priv.next_off;
	r->priv.next_off += p->len;
}

/* Prepares the SQE for what is left of piece slot of r. */
static int prep_piece(struct enl_stor_queue *q, struct enl_stor_req *r,
		      unsigned int slot)
{
	struct enl_stor_piece *p = &r->priv.piece[slot];
	struct enl_stor_disk *d = r->priv.disk;
	struct io_uring_sqe *sqe = get_sqe(q);
	uint64_t off = p->off + p->pos, len = p->len - p->pos;
	unsigned int cnt = r->priv.iovcnt - r->priv.iov_idx;
	struct iovec *iov = NULL;
	int mode;

	if (!sqe)
		return -EAGAIN;
	if (r->priv.iov)	/* what is left of the data buffer */
		iov = r->priv.iov + r->priv.iov_idx;
	switch (r->priv.kind) {
	case STOR_IO_READ:
	case STOR_IO_VERIFY:
		io_uring_prep_readv(sqe, d->fd, iov, cnt, off);
		break;
	case STOR_IO_WRITE:
		io_uring_prep_writev(sqe, d->fd, iov, cnt, off);
		if (d->wt || r->priv.fua) {
			sqe->rw_flags = RWF_DSYNC;
			q->st.dsync_writes++;
		}
		break;
	case STOR_IO_WRITE_SAME:
		/* The pattern repeats every block, and chunks start on one. */
		io_uring_prep_write(sqe, d->fd, r->priv.buf + p->pos,
				    (unsigned int)len, off);
		if (d->wt) {
			sqe->rw_flags = RWF_DSYNC;
			q->st.dsync_writes++;
		}
		break;
	case STOR_IO_FLUSH:
		io_uring_prep_fsync(sqe, d->fd, IORING_FSYNC_DATASYNC);
		break;
	case STOR_IO_UNMAP:
		mode = (p->zero ? FALLOC_FL_ZERO_RANGE : FALLOC_FL_PUNCH_HOLE) |
		       FALLOC_FL_KEEP_SIZE;
		io_uring_prep_fallocate(sqe, d->fd, mode, off, len);
		break;
	default:
		return -EINVAL;
	}
	io_uring_sqe_set_data64(sqe, (uintptr_t)r | slot);
	q->prepared++;
	p->busy = true;
	r->priv.busy++;
	return 0;
}

/* Puts more of r in flight, up to ENL_STOR_PIECES pieces. */
static void fill(struct enl_stor_queue *q, struct enl_stor_req *r)
{
	unsigned int slot;
	int ret;

	for (slot = 0; slot < ENL_STOR_PIECES && !r->priv.err; slot++) {
		if (r->priv.piece[slot].busy)
			continue;
		if (!more_to_issue(r))
			return;
		next_piece(r, &r->priv.piece[slot]);
		ret = prep_piece(q, r, slot);
		if (ret)
			r->priv.err = ret;
	}
}

/* ---- Completion ----------------------------------------------------------- */

static void finish(struct enl_stor_queue *q, struct enl_stor_req *r)
{
	size_t at;

	if (r->priv.err) {
		stor_io_error(r, r->priv.err);
		q->st.io_errors++;
	} else {
		switch (r->priv.kind) {
		case STOR_IO_READ:
			if (r->priv.buf)
				enl_iov_copy_to(r->iov, r->iovcnt, 0,
						r->priv.buf, r->priv.need);
			q->st.read_bytes += r->priv.need;
			break;
		case STOR_IO_WRITE:
			q->st.written_bytes += r->priv.need;
			break;
		case STOR_IO_FLUSH:
			q->st.flushes++;
			break;
		case STOR_IO_UNMAP:
			for (at = 0; at < r->priv.nunmap; at++)
				q->st.unmapped_blocks +=
					r->priv.unmap[2 * at + 1];
			break;
		case STOR_IO_WRITE_SAME:
			q->st.written_bytes += r->priv.end_off -
					       r->priv.start_off;
			break;
		default:
			break;
		}
		stor_good(r);
		r->xfer_len = r->priv.need;
		if (r->priv.kind == STOR_IO_VERIFY) {
			at = stor_iov_cmp(r->iov, r->iovcnt, r->priv.buf,
					  r->priv.need);
			if (at < r->priv.need) {
				stor_check(r, SCSI_SK_MISCOMPARE,
					   SCSI_ASC_MISCOMPARE_DURING_VERIFY);
				/* INFORMATION: offset of the first miscompare */
				r->sense[0] |= 0x80;
				put_be32(r->sense + 3, (uint32_t)at);
			}
		}
	}
	if (r->status == SCSI_STATUS_CHECK_CONDITION)
		q->st.check_conditions++;
	stor_req_release(r);
	r->priv.kind = STOR_IO_NONE;
}

static void complete_piece(struct enl_stor_queue *q, struct enl_stor_req *r,
			   unsigned int slot, int res)
{
	struct enl_stor_piece *p = &r->priv.piece[slot];
	int ret;

	p->busy = false;
	r->priv.busy--;
	if (res == -EOPNOTSUPP && r->priv.kind == STOR_IO_UNMAP && !p->zero) {
		/* A device that cannot deallocate can still zero. */
		p->zero = true;
		res = 0;
	} else if (res < 0) {
		if (!r->priv.err)
			r->priv.err = res;
	} else if (r->priv.kind == STOR_IO_READ ||
		   r->priv.kind == STOR_IO_VERIFY ||
		   r->priv.kind == STOR_IO_WRITE ||
		   r->priv.kind == STOR_IO_WRITE_SAME) {
		if (!res && !r->priv.err) {
			/* End of file under the capacity: shrunk outside. */
			r->priv.err = r->priv.kind == STOR_IO_READ ||
				      r->priv.kind == STOR_IO_VERIFY ?
				      -ENODATA : -EIO;
		}
		p->pos += (uint64_t)res;
		if (r->priv.kind != STOR_IO_WRITE_SAME)
			stor_iov_advance(r->priv.iov, r->priv.iovcnt,
					 &r->priv.iov_idx, (size_t)res);
		if (p->pos >= p->len)
			res = -1;	/* piece done */
	} else {
		res = -1;
	}
	/* A short transfer, or a punch retried as a zeroing: go on. */
	if (res >= 0 && !r->priv.err) {
		ret = prep_piece(q, r, slot);
		if (ret)
			r->priv.err = ret;
	}
	if (!r->priv.err)
		fill(q, r);
}

unsigned int enl_stor_queue_reap(struct enl_stor_queue *q)
{
	struct io_uring_cqe *cqe;
	struct enl_stor_req *r;
	unsigned int n = 0, slot;
	uint64_t ud, cnt;
	int res;

	/* Clear the eventfd first: a completion after this re-arms it. */
	if (read(q->efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return 0;
	while (!io_uring_peek_cqe(&q->ring, &cqe)) {
		ud = io_uring_cqe_get_data64(cqe);
		res = cqe->res;
		io_uring_cqe_seen(&q->ring, cqe);
		r = (struct enl_stor_req *)(uintptr_t)(ud & ~(uint64_t)7);
		slot = (unsigned int)(ud & 7);
		complete_piece(q, r, slot, res);
		if (r->priv.busy)
			continue;
		finish(q, r);
		q->inflight--;
		q->st.completed++;
		n++;
		r->done(r);
	}
	enl_stor_queue_kick(q);
	return n;
}

unsigned int enl_stor_queue_wait(struct enl_stor_queue *q)
{
	struct io_uring_cqe *cqe;

	if (!q->inflight)
		return 0;
	enl_stor_queue_kick(q);
	if (io_uring_wait_cqe(&q->ring, &cqe))
		return 0;
	return enl_stor_queue_reap(q);
}

/*
 * A read or write of a memory-backed disk (disk.c: tmpfs), done here with
 * preadv/pwritev2: the same pieces and iovec walk as the ring's, without
 * the round trip through an io_uring worker thread.
 */
static void run_inline(struct enl_stor_queue *q, struct enl_stor_req *r)
{
	struct enl_stor_piece *p = &r->priv.piece[0];
	struct enl_stor_disk *d = r->priv.disk;
	bool read = r->priv.kind == STOR_IO_READ;
	int flags = 0;
	ssize_t res;

	if (!read && (d->wt || r->priv.fua)) {
		flags = RWF_DSYNC;
		q->st.dsync_writes++;
	}
	while (!r->priv.err && more_to_issue(r)) {
		next_piece(r, p);
		while (p->pos < p->len) {
			struct iovec *iov = r->priv.iov + r->priv.iov_idx;
			int cnt = (int)(r->priv.iovcnt - r->priv.iov_idx);
			off_t off = (off_t)(p->off + p->pos);

			res = read ? preadv(d->fd, iov, cnt, off) :
				     pwritev2(d->fd, iov, cnt, off, flags);
			if (res < 0 && errno == EINTR)
				continue;
			if (res <= 0) {
				/* End of file under the capacity: shrunk outside. */
				r->priv.err = res < 0 ? -errno :
					      read ? -ENODATA : -EIO;
				break;
			}
			p->pos += (uint64_t)res;
			stor_iov_advance(r->priv.iov, r->priv.iovcnt,
					 &r->priv.iov_idx, (size_t)res);
		}
	}
	q->st.inline_io++;
	finish(q, r);
}

int enl_stor_submit(struct enl_stor_queue *q, struct enl_stor_req *r)
{
	q->st.commands++;
	r->priv.q = q;
	stor_cmd_parse(q->t, r);
	if (r->priv.kind == STOR_IO_NONE) {
		if (r->status == SCSI_STATUS_CHECK_CONDITION)
			q->st.check_conditions++;
		else if (r->status == SCSI_STATUS_BUSY)
			q->st.busy++;
		return ENL_STOR_DONE;
	}
	if (r->priv.buf && (r->priv.kind == STOR_IO_READ ||
			    r->priv.kind == STOR_IO_WRITE))
		q->st.bounced++;
	if (r->priv.disk->memory && (r->priv.kind == STOR_IO_READ ||
				     r->priv.kind == STOR_IO_WRITE)) {
		run_inline(q, r);
		return ENL_STOR_DONE;
	}
	fill(q, r);
	if (!r->priv.busy) {
		/* Nothing could be put in flight: answer now. */
		finish(q, r);
		return ENL_STOR_DONE;
	}
	q->inflight++;
	q->st.queued++;
	return ENL_STOR_QUEUED;
}
