// SPDX-License-Identifier: GPL-2.0-only
/* Freeze in plan order, thaw in reverse, undo on failure (freeze.h). */
#include "freeze.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/fs.h>

#include "holdlog.h"

static int fs_ioctl(const char *path, unsigned long cmd)
{
	int fd, ret = 0;

	/* O_NONBLOCK: a FIFO bind-mounted over a path must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, cmd, 0) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int ioctl_freeze(void *ctx, const char *path)
{
	(void)ctx;
	return fs_ioctl(path, FIFREEZE);
}

static int ioctl_thaw(void *ctx, const char *path)
{
	(void)ctx;
	return fs_ioctl(path, FITHAW);
}

const struct enl_freeze_ops enl_freeze_ioctl_ops = {
	.freeze = ioctl_freeze,
	.thaw = ioctl_thaw,
};

int enl_thaw_all(const struct enl_freeze_plan *p, size_t n_frozen,
		 const struct enl_freeze_ops *ops)
{
	int first = 0;

	if (n_frozen > p->n)
		n_frozen = p->n;
	for (size_t i = n_frozen; i-- > 0;) {
		int ret = ops->thaw(ops->ctx, p->v[i].path);

		if (ret == -EINVAL)
			continue;
		if (ret < 0) {
			enl_vss_log(LOG_ERR, "thaw %s: %s", p->v[i].path,
				    strerror(-ret));
			if (!first)
				first = ret;
		}
	}
	return first;
}

int enl_freeze_all(const struct enl_freeze_plan *p,
		   const struct enl_freeze_ops *ops, size_t *n_frozen,
		   const char **failed)
{
	*n_frozen = 0;
	*failed = NULL;
	for (size_t i = 0; i < p->n; i++) {
		int ret = ops->freeze(ops->ctx, p->v[i].path);

		/*
		 * EBUSY means someone else froze it: we must not claim it
		 * (and later thaw it under them), so it aborts like any
		 * other refusal.
		 */
		if (ret < 0) {
			*failed = p->v[i].path;
			enl_vss_log(LOG_ERR, "freeze %s: %s; thawing %zu",
				    p->v[i].path, strerror(-ret), i);
			enl_thaw_all(p, i, ops);
			*n_frozen = 0;
			return ret;
		}
		*n_frozen = i + 1;
	}
	return 0;
}
