// SPDX-License-Identifier: GPL-2.0-only
/* Persistent pools: locking, reload on change, atomic commit (store.h). */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <glib.h>

#include "poolfile.h"

#define LOCK_NAME	".lock"
#define IMPORT_MARKER	".imported-hyperv-daemons"
#define FILE_MODE	0600

bool enl_kvp_store_persistent(unsigned int pool)
{
	return pool < ENL_KVP_POOL_COUNT && pool != ENL_KVP_POOL_AUTO;
}

static void pool_name(unsigned int pool, char *buf, size_t size)
{
	snprintf(buf, size, "pool_%u", pool);
}

static int lock(struct enl_kvp_store *st, int op)
{
	while (flock(st->lock_fd, op) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static void unlock(struct enl_kvp_store *st)
{
	flock(st->lock_fd, LOCK_UN);
}

/* Read a whole regular file of at most max bytes; NULL with -errno. */
static uint8_t *slurp(int dir_fd, const char *name, size_t max, size_t *len,
		      struct stat *sb, int *err)
{
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd;

	fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	if (fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode)) {
		*err = S_ISREG(sb->st_mode) ? -errno : -EINVAL;
		goto out;
	}
	if ((size_t)sb->st_size > max) {
		*err = -EFBIG;
		goto out;
	}
	buf = g_malloc((size_t)sb->st_size + 1);
	while (got < (size_t)sb->st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb->st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = n < 0 ? -errno : -EIO;
			g_free(buf);
			buf = NULL;
			goto out;
		}
		got += (size_t)n;
	}
	*len = got;
out:
	close(fd);
	return buf;
}

static size_t max_file_size(const struct enl_kvp_store *st)
{
	return 16 + st->pools[0].max *
	       (4 + ENL_KVP_KEY_UTF8_MAX + ENL_KVP_VALUE_UTF8_MAX);
}

/* Same file as loaded? Inode numbers are reused, so times and size too. */
static bool unchanged(const struct stat *last, const struct stat *sb)
{
	return last->st_dev == sb->st_dev && last->st_ino == sb->st_ino &&
	       last->st_size == sb->st_size &&
	       last->st_mtim.tv_sec == sb->st_mtim.tv_sec &&
	       last->st_mtim.tv_nsec == sb->st_mtim.tv_nsec &&
	       last->st_ctim.tv_sec == sb->st_ctim.tv_sec &&
	       last->st_ctim.tv_nsec == sb->st_ctim.tv_nsec;
}

static int load(struct enl_kvp_store *st, unsigned int pool, bool force)
{
	struct enl_kvp_table tmp;
	char name[32];
	struct stat sb;
	const char *why;
	uint8_t *buf;
	size_t len = 0;
	int err = 0;

	pool_name(pool, name, sizeof(name));
	if (fstatat(st->dir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return -errno;
		enl_kvp_pool_clear(&st->pools[pool]);
		st->seen[pool].present = false;
		return 0;
	}
	if (!force && st->seen[pool].present &&
	    unchanged(&st->seen[pool].sb, &sb))
		return 0;
	buf = slurp(st->dir_fd, name, max_file_size(st), &len, &sb, &err);
	if (!buf) {
		st->load_errors++;
		return err;
	}
	enl_kvp_pool_init(&tmp, st->pools[pool].max);
	err = enl_kvp_poolfile_parse(buf, len, &tmp, &why);
	g_free(buf);
	if (err < 0) {
		g_warning("kvp: %s/%s: %s", st->dir, name, why);
		st->load_errors++;
		st->seen[pool].present = false;
		return err;
	}
	enl_kvp_pool_move(&st->pools[pool], &tmp);
	st->seen[pool].present = true;
	st->seen[pool].sb = sb;
	return 0;
}

static int save(struct enl_kvp_store *st, unsigned int pool)
{
	GByteArray *b = enl_kvp_poolfile_encode(&st->pools[pool]);
	char name[32];
	struct stat sb;
	int ret;

	pool_name(pool, name, sizeof(name));
	ret = enl_kvp_atomic_write(st->dir_fd, name, b->data, b->len,
				   FILE_MODE, &st->writer);
	g_byte_array_free(b, TRUE);
	if (!ret && fstatat(st->dir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		st->seen[pool].present = true;
		st->seen[pool].sb = sb;
	}
	return ret;
}

int enl_kvp_store_open(struct enl_kvp_store *st, const char *dir,
		       size_t max_records, bool create)
{
	int ret;

	memset(st, 0, sizeof(*st));
	st->dir_fd = st->lock_fd = -1;
	st->dir = g_strdup(dir);
	for (unsigned int i = 0; i < ENL_KVP_POOL_COUNT; i++)
		enl_kvp_pool_init(&st->pools[i], max_records);
	if (create && g_mkdir_with_parents(dir, 0700) < 0)
		return -errno;
	st->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dir_fd < 0)
		return -errno;
	st->lock_fd = openat(st->dir_fd, LOCK_NAME,
			     O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			     FILE_MODE);
	if (st->lock_fd < 0)
		return -errno;
	ret = lock(st, LOCK_SH);
	for (unsigned int i = 0; !ret && i < ENL_KVP_POOL_COUNT; i++)
		if (enl_kvp_store_persistent(i))
			ret = load(st, i, true);
	unlock(st);
	return ret;
}

void enl_kvp_store_close(struct enl_kvp_store *st)
{
	if (!st->dir)
		return;		/* never opened */
	for (unsigned int i = 0; i < ENL_KVP_POOL_COUNT; i++)
		enl_kvp_pool_clear(&st->pools[i]);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	if (st->dir_fd >= 0)
		close(st->dir_fd);
	st->lock_fd = st->dir_fd = -1;
	g_free(st->dir);
	st->dir = NULL;
}

int enl_kvp_store_refresh(struct enl_kvp_store *st, unsigned int pool)
{
	int ret;

	if (!enl_kvp_store_persistent(pool))
		return pool < ENL_KVP_POOL_COUNT ? 0 : -EINVAL;
	ret = lock(st, LOCK_SH);
	if (ret)
		return ret;
	ret = load(st, pool, false);
	unlock(st);
	return ret;
}

const struct enl_kvp_table *enl_kvp_store_pool(struct enl_kvp_store *st,
					      unsigned int pool)
{
	if (pool >= ENL_KVP_POOL_COUNT || enl_kvp_store_refresh(st, pool))
		return NULL;
	return &st->pools[pool];
}

/* Run op on the freshly loaded pool and commit, all under the lock. */
static int transact(struct enl_kvp_store *st, unsigned int pool,
		    const char *key, const char *value)
{
	int ret;

	if (!enl_kvp_store_persistent(pool))
		return pool == ENL_KVP_POOL_AUTO ? -EPERM : -EINVAL;
	ret = lock(st, LOCK_EX);
	if (ret)
		return ret;
	ret = load(st, pool, false);
	if (ret)
		goto out;
	if (value)
		ret = enl_kvp_pool_set(&st->pools[pool], key, value);
	else
		ret = enl_kvp_pool_delete(&st->pools[pool], key);
	if (ret)
		goto out;
	ret = save(st, pool);
	/* The disk is the truth: a failed commit must not linger here. */
	if (ret)
		load(st, pool, true);
out:
	unlock(st);
	return ret;
}

int enl_kvp_store_set(struct enl_kvp_store *st, unsigned int pool,
		      const char *key, const char *value)
{
	return transact(st, pool, key, value);
}

int enl_kvp_store_delete(struct enl_kvp_store *st, unsigned int pool,
			 const char *key)
{
	return transact(st, pool, key, NULL);
}

/* Merge one legacy pool file; records added or -errno. */
static int import_pool(struct enl_kvp_store *st, int legacy_fd,
		       unsigned int pool)
{
	struct enl_kvp_table *p = &st->pools[pool], legacy;
	size_t len = 0, skipped = 0, added = 0;
	char name[32];
	struct stat sb;
	uint8_t *buf;
	int err = 0;

	snprintf(name, sizeof(name), ".kvp_pool_%u", pool);
	buf = slurp(legacy_fd, name, (p->max + 1) * ENL_KVP_LEGACY_RECORD,
		    &len, &sb, &err);
	if (!buf)
		return err == -ENOENT ? 0 : err;
	enl_kvp_pool_init(&legacy, p->max);
	enl_kvp_poolfile_parse_legacy(buf, len, &legacy, &skipped);
	g_free(buf);
	if (skipped)
		g_warning("kvp: %s: skipped %zu records that are not UTF-8 "
			  "or exceed the KVP size limits", name, skipped);
	for (size_t i = 0; i < legacy.n; i++) {
		const struct enl_kvp_record *r = &legacy.rec[i];

		if (enl_kvp_pool_get(p, r->key))
			continue;
		if (enl_kvp_pool_set(p, r->key, r->value) < 0)
			break;
		added++;
	}
	enl_kvp_pool_clear(&legacy);
	err = added ? save(st, pool) : 0;
	if (err) {
		load(st, pool, true);
		return err;
	}
	return (int)added;
}

int enl_kvp_store_import_legacy(struct enl_kvp_store *st,
				const char *legacy_dir)
{
	static const char note[] = "imported from hyperv-daemons' pools\n";
	int legacy_fd, ret, total = 0;

	legacy_fd = open(legacy_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (legacy_fd < 0)
		return errno == ENOENT ? 0 : -errno;
	ret = lock(st, LOCK_EX);
	if (ret)
		goto out;
	if (faccessat(st->dir_fd, IMPORT_MARKER, F_OK, 0) == 0)
		goto unlock;
	for (unsigned int i = 0; i < ENL_KVP_POOL_COUNT; i++) {
		if (!enl_kvp_store_persistent(i))
			continue;
		ret = load(st, i, false);
		if (!ret)
			ret = import_pool(st, legacy_fd, i);
		if (ret < 0)
			goto unlock;
		total += ret;
	}
	/* Written last: a crash before it just repeats an idempotent merge. */
	ret = enl_kvp_atomic_write(st->dir_fd, IMPORT_MARKER, note,
				   sizeof(note) - 1, FILE_MODE, NULL);
unlock:
	unlock(st);
out:
	close(legacy_fd);
	return ret < 0 ? ret : total;
}
