// SPDX-License-Identifier: GPL-2.0-only
/*
 * The disk behind a LUN: a raw image file or a block device, opened with
 * O_DIRECT when the backing allows it (the guest has its own page cache; a
 * second one on the host only costs memory and a copy), otherwise through
 * the page cache with a log line saying why. Write-through is not a flag
 * of the file: every write of such a disk carries RWF_DSYNC (uring.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <glib.h>

#include "stor_priv.h"

static int open_backing(const char *path, bool ro, bool direct)
{
	int flags = (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC;

	return open(path, flags | (direct ? O_DIRECT : 0));
}

/*
 * What O_DIRECT asks of buffers and offsets here: statx knows since Linux
 * 6.1; before that, the device's logical block size and a page for memory.
 */
static void dio_rules(struct enl_stor_disk *d)
{
	struct statx sx;
	int lbs = 0;

	d->mem_align = 4096;
	d->dio_align = 4096;
#ifdef STATX_DIOALIGN
	if (!statx(d->fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) &&
	    (sx.stx_mask & STATX_DIOALIGN) && sx.stx_dio_offset_align) {
		d->mem_align = sx.stx_dio_mem_align ? sx.stx_dio_mem_align : 1;
		d->dio_align = sx.stx_dio_offset_align;
		return;
	}
#else
	(void)sx;
#endif
	if (d->is_bdev && !ioctl(d->fd, BLKSSZGET, &lbs) && lbs > 0)
		d->dio_align = (size_t)lbs;
}

/* tmpfs or ramfs: the page cache is all there is. */
static bool on_memory_fs(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf))
		return false;
	return sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC;
}

/* One aligned read at offset 0: filesystems that accept O_DIRECT at open
 * but refuse it on I/O say so here rather than on the guest's first read. */
static bool dio_probe(struct enl_stor_disk *d)
{
	size_t n = d->bs > d->dio_align ? d->bs : d->dio_align;
	size_t al = d->mem_align > 4096 ? d->mem_align : 4096;
	void *buf;
	ssize_t got;

	if (posix_memalign(&buf, al, n))
		return false;
	got = pread(d->fd, buf, n, 0);
	free(buf);
	return got >= 0;
}

/* FNV-1a over the file's identity: stable across restarts of enl-host. */
static uint64_t disk_hash(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

int stor_disk_backing_size(const struct enl_stor_disk *d, uint64_t *bytes)
{
	struct stat st;

	if (d->is_bdev)
		return ioctl(d->fd, BLKGETSIZE64, bytes) ? -errno : 0;
	if (fstat(d->fd, &st))
		return -errno;
	*bytes = (uint64_t)st.st_size;
	return 0;
}

int stor_disk_truncate(struct enl_stor_disk *d, uint64_t bytes)
{
	if (d->is_bdev)
		return -ENOTSUP;
	if (d->ro)
		return -EROFS;
	if (bytes > (uint64_t)INT64_MAX)
		return -EFBIG;
	return ftruncate(d->fd, (off_t)bytes) ? -errno : 0;
}

/*
 * Can holes be punched? A punch past the end of the file changes nothing
 * but tells whether the filesystem supports it.
 */
static bool punch_probe(struct enl_stor_disk *d, uint64_t size)
{
	off_t at = (off_t)((size + d->bs - 1) / d->bs * d->bs + d->bs);

	if (d->ro)
		return false;
	if (d->is_bdev)	/* the block layer zeroes what it cannot discard */
		return true;
	return !fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			  at, d->bs);
}

static int set_ids(struct enl_stor_disk *d, const struct enl_stor_disk_opts *o,
		   const struct stat *st)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	if (o->serial) {
		if (!*o->serial || strlen(o->serial) >= sizeof(d->serial))
			return -EINVAL;
		for (i = 0; o->serial[i]; i++)
			if (o->serial[i] < 0x20 || o->serial[i] > 0x7e)
				return -EINVAL;
		h = disk_hash(o->serial, strlen(o->serial), h);
		snprintf(d->serial, sizeof(d->serial), "%s", o->serial);
	} else {
		h = disk_hash(&st->st_dev, sizeof(st->st_dev), h);
		h = disk_hash(&st->st_ino, sizeof(st->st_ino), h);
		h = disk_hash(&st->st_rdev, sizeof(st->st_rdev), h);
		snprintf(d->serial, sizeof(d->serial), "%016llx",
			 (unsigned long long)h);
	}
	d->id = h;
	return 0;
}

int stor_disk_open(const struct enl_stor_disk_opts *o,
		   struct enl_stor_disk **out)
{
	struct enl_stor_disk *d;
	uint32_t bs = o->block_size ? o->block_size : 512;
	uint64_t size;
	struct stat st;
	int ret;

	if ((bs != 512 && bs != 4096) || !o->path ||
	    strlen(o->path) >= sizeof(d->path))
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->bs = bs;
	d->bs_shift = bs == 512 ? 9 : 12;
	d->ro = o->read_only;
	d->wt = o->write_through;
	snprintf(d->path, sizeof(d->path), "%s", o->path);
	atomic_init(&d->refs, 1);

	d->direct = !o->no_direct;
	d->fd = open_backing(o->path, d->ro, d->direct);
	if (d->fd < 0 && errno == EINVAL && d->direct) {
		g_message("storage: %s: no O_DIRECT here, using the page cache",
			  o->path);
		d->direct = false;
		d->fd = open_backing(o->path, d->ro, false);
	}
	if (d->fd < 0) {
		ret = -errno;
		goto fail_free;
	}
	if (fstat(d->fd, &st)) {
		ret = -errno;
		goto fail_close;
	}
	if (S_ISBLK(st.st_mode)) {
		d->is_bdev = true;
	} else if (!S_ISREG(st.st_mode)) {
		ret = -ENOTBLK;
		goto fail_close;
	}
	ret = stor_disk_backing_size(d, &size);
	if (ret)
		goto fail_close;
	if (size < bs) {
		ret = -ENOSPC;		/* not even one block */
		goto fail_close;
	}
	ret = set_ids(d, o, &st);
	if (ret)
		goto fail_close;
	atomic_init(&d->blocks, size >> d->bs_shift);

	if (d->direct) {
		dio_rules(d);
		if (bs % d->dio_align) {
			g_message("storage: %s: %u-byte blocks on %zu-byte O_DIRECT alignment, using the page cache",
				  o->path, bs, d->dio_align);
			d->direct = false;
		} else if (!dio_probe(d)) {
			g_message("storage: %s: O_DIRECT read refused (%s), using the page cache",
				  o->path, strerror(errno));
			d->direct = false;
		}
		if (!d->direct) {
			close(d->fd);
			d->fd = open_backing(o->path, d->ro, false);
			if (d->fd < 0) {
				ret = -errno;
				goto fail_free;
			}
		}
	}
	if (!d->direct) {
		d->mem_align = 1;
		d->dio_align = 1;
	}
	d->can_unmap = punch_probe(d, size);
	d->memory = !d->is_bdev && !o->ring_io && on_memory_fs(d->fd);
	if (d->memory)
		g_message("storage: %s: on tmpfs: reads and writes run inline, not through io_uring",
			  o->path);
	*out = d;
	return 0;

fail_close:
	close(d->fd);
fail_free:
	free(d);
	return ret;
}

void stor_disk_get(struct enl_stor_disk *d)
{
	atomic_fetch_add(&d->refs, 1);
}

void stor_disk_put(struct enl_stor_disk *d)
{
	if (atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	close(d->fd);
	free(d);
}
