// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LUN table of a target and each LUN's unit attentions. One mutex
 * guards both; a command holds a reference on its disk from parse to
 * completion, so a LUN removed under I/O is closed after its last command.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stor_priv.h"

struct enl_stor_target *enl_stor_target_new(unsigned int max_luns)
{
	struct enl_stor_target *t;

	if (!max_luns || max_luns > ENL_STOR_MAX_LUNS)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->max_luns = max_luns;
	return t;
}

void enl_stor_target_free(struct enl_stor_target *t)
{
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < t->max_luns; i++)
		if (t->lun[i])
			stor_disk_put(t->lun[i]);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* Under the lock: tell every LUN but skip that the LUN inventory changed. */
static void luns_changed(struct enl_stor_target *t, unsigned int skip)
{
	unsigned int i;

	for (i = 0; i < t->max_luns; i++)
		if (t->lun[i] && i != skip)
			t->lun[i]->ua |= STOR_UA_LUNS_CHANGED;
}

int enl_stor_lun_add(struct enl_stor_target *t, unsigned int lun,
		     const struct enl_stor_disk_opts *opts)
{
	struct enl_stor_disk *d;
	int ret;

	if (lun >= t->max_luns)
		return -ERANGE;
	pthread_mutex_lock(&t->lock);
	ret = t->lun[lun] ? -EEXIST : 0;
	pthread_mutex_unlock(&t->lock);
	if (ret)
		return ret;
	/* Opening may block on the device: not under the lock. */
	ret = stor_disk_open(opts, &d);
	if (ret)
		return ret;
	pthread_mutex_lock(&t->lock);
	if (t->lun[lun]) {
		ret = -EEXIST;
	} else {
		t->lun[lun] = d;
		luns_changed(t, lun);
	}
	pthread_mutex_unlock(&t->lock);
	if (ret)
		stor_disk_put(d);
	return ret;
}

int enl_stor_lun_remove(struct enl_stor_target *t, unsigned int lun)
{
	struct enl_stor_disk *d;

	if (lun >= t->max_luns)
		return -ERANGE;
	pthread_mutex_lock(&t->lock);
	d = t->lun[lun];
	t->lun[lun] = NULL;
	if (d)
		luns_changed(t, lun);
	pthread_mutex_unlock(&t->lock);
	if (!d)
		return -ENOENT;
	stor_disk_put(d);
	return 0;
}

int enl_stor_lun_resize(struct enl_stor_target *t, unsigned int lun,
			uint64_t bytes)
{
	struct enl_stor_disk *d = stor_lookup(t, lun);
	uint64_t blocks;
	int ret = 0;

	if (!d)
		return -ENOENT;
	if (bytes) {
		if (bytes % d->bs)
			ret = -EINVAL;
		else
			ret = stor_disk_truncate(d, bytes);
	} else {
		ret = stor_disk_backing_size(d, &bytes);
	}
	if (!ret && bytes < d->bs)
		ret = -ENOSPC;
	if (!ret) {
		blocks = bytes >> d->bs_shift;
		pthread_mutex_lock(&t->lock);
		if (atomic_exchange(&d->blocks, blocks) != blocks)
			d->ua |= STOR_UA_CAPACITY;
		pthread_mutex_unlock(&t->lock);
	}
	stor_disk_put(d);
	return ret;
}

int enl_stor_lun_info(struct enl_stor_target *t, unsigned int lun,
		      struct enl_stor_lun_info *info)
{
	struct enl_stor_disk *d = stor_lookup(t, lun);

	if (!d)
		return -ENOENT;
	memset(info, 0, sizeof(*info));
	info->lun = (uint16_t)lun;
	info->block_size = d->bs;
	info->blocks = atomic_load(&d->blocks);
	info->read_only = d->ro;
	info->write_through = d->wt;
	info->direct = d->direct;
	info->can_unmap = d->can_unmap;
	info->is_blockdev = d->is_bdev;
	info->inline_io = d->memory;
	memcpy(info->serial, d->serial, sizeof(info->serial));
	memcpy(info->path, d->path, sizeof(info->path));
	stor_disk_put(d);
	return 0;
}

unsigned int enl_stor_lun_list(struct enl_stor_target *t, uint16_t *luns,
			       unsigned int max)
{
	return stor_luns(t, luns, max);
}

void enl_stor_target_reset(struct enl_stor_target *t)
{
	unsigned int i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->max_luns; i++)
		if (t->lun[i])
			t->lun[i]->ua |= STOR_UA_RESET;
	pthread_mutex_unlock(&t->lock);
}

struct enl_stor_disk *stor_lookup(struct enl_stor_target *t, unsigned int lun)
{
	struct enl_stor_disk *d = NULL;

	if (lun >= t->max_luns)
		return NULL;
	pthread_mutex_lock(&t->lock);
	d = t->lun[lun];
	if (d)
		stor_disk_get(d);
	pthread_mutex_unlock(&t->lock);
	return d;
}

uint16_t stor_take_ua(struct enl_stor_target *t, struct enl_stor_disk *d)
{
	static const struct {
		uint32_t bit;
		uint16_t asc;
	} order[] = {
		{ STOR_UA_RESET, SCSI_ASC_BUS_RESET },
		{ STOR_UA_CAPACITY, SCSI_ASC_CAPACITY_DATA_CHANGED },
		{ STOR_UA_LUNS_CHANGED, SCSI_ASC_REPORTED_LUNS_DATA_CHANGED },
	};
	uint16_t asc = 0;
	size_t i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (d->ua & order[i].bit) {
			d->ua &= ~order[i].bit;
			asc = order[i].asc;
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return asc;
}

unsigned int stor_luns(struct enl_stor_target *t, uint16_t *luns,
		       unsigned int max)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->max_luns && n < max; i++)
		if (t->lun[i])
			luns[n++] = (uint16_t)i;
	pthread_mutex_unlock(&t->lock);
	return n;
}
