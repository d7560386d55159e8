// SPDX-License-Identifier: GPL-2.0-only
/* Crash-safe whole-file replacement (see atomic.h). */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

static void stage(const struct enl_kvp_writer *w, enum enl_kvp_stage s)
{
	if (w && w->stage)
		w->stage(w->ctx, s);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int enl_kvp_atomic_write(int dir_fd, const char *name, const void *data,
			 size_t len, mode_t mode, const struct enl_kvp_writer *w)
{
	char tmp[512];
	int fd, ret;

	/*
	 * One fixed temp name per target: writers of one target are
	 * serialized by the caller (the pool lock), and a temp file a crash
	 * left behind is truncated and reused rather than piling up.
	 */
	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	stage(w, ENL_KVP_STAGE_TEMP_WRITE);
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	/* O_CREAT ignores mode for an existing leftover: set it. */
	if (fchmod(fd, mode) < 0) {
		ret = -errno;
		goto fail;
	}
	ret = write_all(fd, data, len);
	if (ret < 0)
		goto fail;
	stage(w, ENL_KVP_STAGE_FSYNC);
	if (fsync(fd) < 0) {
		ret = -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = -errno;
		goto fail;
	}
	fd = -1;
	stage(w, ENL_KVP_STAGE_RENAME);
	if (renameat(dir_fd, tmp, dir_fd, name) < 0) {
		ret = -errno;
		goto fail;
	}
	/* Without this the rename itself may not survive a power cut. */
	stage(w, ENL_KVP_STAGE_DIR_FSYNC);
	if (fsync(dir_fd) < 0)
		return -errno;
	stage(w, ENL_KVP_STAGE_DONE);
	return 0;

fail:
	if (fd >= 0)
		close(fd);
	unlinkat(dir_fd, tmp, 0);
	return ret;
}

const char *enl_kvp_stage_name(enum enl_kvp_stage s)
{
	static const char *const names[] = {
		"temp write", "fsync", "rename", "dir fsync", "done",
	};

	return s < ENL_KVP_STAGE_COUNT ? names[s] : "?";
}
