/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A mount table with one of every case enl-vssd must decide on, and a fake
 * freezer that records what it was asked, so no test freezes this machine.
 */
#ifndef ENL_TEST_VSS_FIXTURE_H
#define ENL_TEST_VSS_FIXTURE_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "freeze.h"

static const char fixture_mountinfo[] =
	"1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
	"2 1 0:22 / /proc rw,nosuid - proc proc rw\n"
	"3 1 0:5 / /dev rw - devtmpfs udev rw,size=1k\n"
	"4 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
	"5 1 8:2 / /home rw,relatime shared:2 master:7 - xfs /dev/sda2 rw\n"
	"6 5 8:3 / /home/user/data rw - ext4 /dev/sda3 rw\n"
	"7 1 8:2 /srv /srv/bind rw - xfs /dev/sda2 rw\n"
	"8 1 0:40 / /mnt/nfs rw - nfs4 server:/x rw\n"
	"9 1 0:41 / /mnt/fuse rw - fuse.sshfs u@h:/ rw\n"
	"10 1 8:4 / /boot/efi rw - vfat /dev/sda4 rw\n"
	"11 1 8:5 / /mnt/ro ro - ext4 /dev/sda5 ro\n"
	"12 1 7:0 / /mnt/loop rw - ext4 /dev/loop0 rw\n"
	"13 1 8:6 / /mnt/with\\040space rw - ext4 /dev/sda6 rw\n"
	"14 1 0:50 / /tmp rw - tmpfs tmpfs rw\n"
	"15 1 0:51 / /data rw - btrfs /dev/sdb rw\n"
	"16 1 0:51 /sub /data2 rw - btrfs /dev/sdb rw\n"
	"17 1 8:7 / /opt rw - ext4 /dev/sda7 rw\n"
	"18 1 8:8 / /opt rw - ext4 /dev/sda8 rw\n"
	"19 1 8:9 / /mnt/rosb rw - ext4 /dev/sda9 ro\n"
	"20 1 0:60 / /run/user/1000 rw - overlay overlay rw\n"
	"garbage line\n"
	"21 1 8:9\n"
	"22 1 x:9 / /bad rw - ext4 /dev/sdz rw\n";

/* Freeze order for the fixture with /dev/loop0 backed by /home/img. */
static const char *const fixture_order[] = {
	"/home/user/data", "/mnt/loop", "/mnt/with space", "/home", "/data",
	"/opt", "/",
};

struct fake_fs {
	GString *log;		/* "F:/path T:/path ..." */
	const char *fail_freeze;
	int fail_errno;
	const char *fail_thaw;
	int frozen;		/* currently frozen, per the fake */
};

static int fake_freeze(void *ctx, const char *path)
{
	struct fake_fs *f = ctx;

	g_string_append_printf(f->log, "F:%s ", path);
	if (f->fail_freeze && !strcmp(path, f->fail_freeze))
		return -f->fail_errno;
	f->frozen++;
	return 0;
}

static int fake_thaw(void *ctx, const char *path)
{
	struct fake_fs *f = ctx;

	g_string_append_printf(f->log, "T:%s ", path);
	if (f->fail_thaw && !strcmp(path, f->fail_thaw))
		return -EIO;
	if (!f->frozen)
		return -EINVAL;
	f->frozen--;
	return 0;
}

static inline void fake_fs_init(struct fake_fs *f, struct enl_freeze_ops *ops)
{
	memset(f, 0, sizeof(*f));
	f->log = g_string_new(NULL);
	ops->freeze = fake_freeze;
	ops->thaw = fake_thaw;
	ops->ctx = f;
}

/* A sysfs tree saying loop0 is backed by backing (NULL: no loop info). */
static inline char *fake_sysfs(const char *backing)
{
	char *dir = g_dir_make_tmp("enl-vss-sysfs-XXXXXX", NULL);
	char *sub = g_build_filename(dir, "dev/block/7:0/loop", NULL);
	char *file = g_build_filename(sub, "backing_file", NULL);

	g_mkdir_with_parents(sub, 0700);
	if (backing)
		g_file_set_contents(file, backing, -1, NULL);
	g_free(sub);
	g_free(file);
	return dir;
}

static inline void rm_rf(const char *dir)
{
	char *cmd[] = { "rm", "-rf", (char *)dir, NULL };

	g_spawn_sync(NULL, cmd, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
		     NULL, NULL, NULL);
}

#endif /* ENL_TEST_VSS_FIXTURE_H */
