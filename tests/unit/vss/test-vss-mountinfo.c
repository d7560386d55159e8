// SPDX-License-Identifier: GPL-2.0-only
/* enl-vssd: mountinfo parsing and the choice and order of file systems. */
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "fsplan.h"
#include "mountinfo.h"
#include "tap.h"

static const struct enl_mount *find(const struct enl_mount_table *t,
				    const char *target)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].target, target))
			return &t->v[i];
	return NULL;
}

static void test_parse(void)
{
	struct enl_mount_table t;
	const struct enl_mount *m;

	enl_mountinfo_parse(fixture_mountinfo, strlen(fixture_mountinfo), &t);
	tap_ok(t.n == 20, "parsed 20 mounts (got %zu)", t.n);
	tap_ok(t.bad_lines == 3, "3 malformed lines counted (got %u)",
	       t.bad_lines);
	m = find(&t, "/home");
	tap_ok(m && m->major == 8 && m->minor == 2 && m->id == 5 &&
	       m->parent == 1 && !strcmp(m->fstype, "xfs") &&
	       !strcmp(m->source, "/dev/sda2"),
	       "optional fields skipped, fields after '-' read");
	tap_ok(find(&t, "/mnt/with space") != NULL, "\\040 unescaped");
	m = find(&t, "/srv/bind");
	tap_ok(m && !strcmp(m->root, "/srv"), "bind mount root kept");
	tap_ok(enl_mount_has_opt("rw,relatime", "rw") &&
	       !enl_mount_has_opt("rw,relatime", "rel") &&
	       !enl_mount_has_opt("rwx", "rw") &&
	       enl_mount_has_opt("a,ro", "ro"), "option lookup is exact");
	enl_mount_table_free(&t);

	enl_mountinfo_parse("", 0, &t);
	tap_ok(t.n == 0 && t.bad_lines == 0, "empty table");
	enl_mount_table_free(&t);
	/* Not NUL-terminated, cut mid-line: the partial line is bad. */
	enl_mountinfo_parse(fixture_mountinfo, 40, &t);
	tap_ok(t.n == 0 && t.bad_lines == 1, "truncated input parsed safely");
	enl_mount_table_free(&t);
	tap_ok(enl_mountinfo_load("/nonexistent/mountinfo", &t) == -ENOENT,
	       "missing file is -ENOENT");
	tap_ok(enl_mountinfo_load(NULL, &t) == 0 && t.n > 0 &&
	       find(&t, "/") != NULL, "this machine's mountinfo has /");
	enl_mount_table_free(&t);
}

static void check_order(const struct enl_freeze_plan *p,
			const char *const *want, size_t n, const char *what)
{
	bool same = p->n == n;
	GString *got = g_string_new(NULL);

	for (size_t i = 0; i < p->n; i++) {
		g_string_append_printf(got, "%s|", p->v[i].path);
		if (i < n && strcmp(p->v[i].path, want[i]))
			same = false;
	}
	if (!tap_ok(same, "%s", what))
		tap_diag("got %s", got->str);
	g_string_free(got, TRUE);
}

static bool skipped(const struct enl_freeze_plan *p, const char *prefix)
{
	for (size_t i = 0; i < p->skipped->len; i++)
		if (g_str_has_prefix(g_ptr_array_index(p->skipped, i), prefix))
			return true;
	return false;
}

static void test_plan(void)
{
	static const char *const no_loop[] = {
		"/home/user/data", "/mnt/loop", "/mnt/with space", "/home",
		"/data", "/opt", "/",
	};
	struct enl_mount_table t;
	struct enl_freeze_plan p;
	char *sys;

	enl_mountinfo_parse(fixture_mountinfo, strlen(fixture_mountinfo), &t);
	sys = fake_sysfs("/home/img/disk.img\n");
	enl_freeze_plan_build(&t, sys, &p);
	check_order(&p, fixture_order, G_N_ELEMENTS(fixture_order),
		    "deeper first, loop before its backing fs, root last");
	tap_ok(skipped(&p, "/proc: pseudo") && skipped(&p, "/dev: pseudo") &&
	       skipped(&p, "/sys/fs/cgroup: pseudo") &&
	       skipped(&p, "/tmp: pseudo") &&
	       skipped(&p, "/run/user/1000: pseudo"),
	       "pseudo file systems skipped");
	tap_ok(skipped(&p, "/mnt/nfs: network") &&
	       skipped(&p, "/mnt/fuse: network"), "network and fuse skipped");
	tap_ok(skipped(&p, "/mnt/ro: read-only") &&
	       skipped(&p, "/mnt/rosb: read-only"),
	       "read-only mount and read-only superblock skipped");
	tap_ok(skipped(&p, "/srv/bind: superblock") &&
	       skipped(&p, "/data2: superblock"),
	       "bind mount and btrfs subvolume frozen once");
	tap_ok(skipped(&p, "/opt: over-mounted") && p.v[5].minor == 8,
	       "over-mounted /opt skipped, the visible one frozen");
	tap_ok(skipped(&p, "/boot/efi: file system cannot freeze"),
	       "vfat skipped");
	tap_ok(p.cycles == 0, "no cycles");
	enl_freeze_plan_free(&p);
	rm_rf(sys);
	g_free(sys);

	/* Backing file on a deeper fs: that beats depth order. */
	sys = fake_sysfs("/home/user/data/img");
	enl_freeze_plan_build(&t, sys, &p);
	tap_ok(p.n == 7 && !strcmp(p.v[0].path, "/mnt/loop") &&
	       !strcmp(p.v[1].path, "/home/user/data"),
	       "loop fs frozen before the deeper fs holding its backing file");
	enl_freeze_plan_free(&p);
	rm_rf(sys);
	g_free(sys);

	enl_freeze_plan_build(&t, NULL, &p);
	check_order(&p, no_loop, G_N_ELEMENTS(no_loop),
		    "without sysfs: depth order, root last");
	enl_freeze_plan_free(&p);
	enl_mount_table_free(&t);
}

static void test_cycle(void)
{
	static const char mi[] =
		"1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
		"2 1 7:0 / /a rw - ext4 /dev/loop0 rw\n"
		"3 2 8:2 / /a/b rw - ext4 /dev/sda2 rw\n";
	struct enl_mount_table t;
	struct enl_freeze_plan p;
	char *sys = fake_sysfs("/a/b/img");

	enl_mountinfo_parse(mi, strlen(mi), &t);
	enl_freeze_plan_build(&t, sys, &p);
	tap_ok(p.cycles == 1 && p.n == 3 && !strcmp(p.v[2].path, "/"),
	       "a loop file inside its own tree: cycle broken, root still last");
	enl_freeze_plan_free(&p);
	enl_mount_table_free(&t);
	rm_rf(sys);
	g_free(sys);
}

/*
 * A mount whose mount point an ancestor's mount covered since; the root
 * lists itself as its parent, as an initramfs's rootfs does.
 */
static void test_hidden(void)
{
	static const char mi[] =
		"1 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
		"2 1 8:2 / /mnt/a/x rw - ext4 /dev/sda2 rw\n"
		"3 1 0:30 / /mnt/a rw - tmpfs tmpfs rw\n"
		"4 2 8:3 / /mnt/a/x/y rw - ext4 /dev/sda3 rw\n"
		"5 3 8:4 / /mnt/a/z rw - ext4 /dev/sda4 rw\n"
		"6 1 8:5 / /mnt/ab rw - ext4 /dev/sda5 rw\n";
	struct enl_mount_table t;
	struct enl_freeze_plan p;

	enl_mountinfo_parse(mi, strlen(mi), &t);
	enl_freeze_plan_build(&t, NULL, &p);
	tap_ok(p.n == 3 && !strcmp(p.v[0].path, "/mnt/a/z") &&
	       !strcmp(p.v[1].path, "/mnt/ab") && !strcmp(p.v[2].path, "/"),
	       "hidden mounts left out, the one on the over-mount kept (%zu)",
	       p.n);
	tap_ok(p.hidden->len == 2 &&
	       skipped(&p, "/mnt/a/x: hidden under the mount on /mnt/a") &&
	       skipped(&p, "/mnt/a/x/y: hidden under the mount on /mnt/a"),
	       "a mount under a hidden one is hidden too, both named");
	enl_freeze_plan_free(&p);
	enl_mount_table_free(&t);
}

static void test_classify(void)
{
	tap_ok(enl_fs_classify("ext4") == ENL_FS_LOCAL &&
	       enl_fs_classify("xfs") == ENL_FS_LOCAL &&
	       enl_fs_classify("btrfs") == ENL_FS_LOCAL, "ext4/xfs/btrfs local");
	tap_ok(enl_fs_classify("cifs") == ENL_FS_NETWORK &&
	       enl_fs_classify("smb3") == ENL_FS_NETWORK &&
	       enl_fs_classify("ceph") == ENL_FS_NETWORK &&
	       enl_fs_classify("9p") == ENL_FS_NETWORK &&
	       enl_fs_classify("fuseblk") == ENL_FS_NETWORK,
	       "cifs/smb3/ceph/9p/fuseblk network");
	tap_ok(enl_fs_classify("sysfs") == ENL_FS_PSEUDO &&
	       enl_fs_classify("cgroup") == ENL_FS_PSEUDO, "sysfs/cgroup pseudo");
}

int main(void)
{
	test_parse();
	test_plan();
	test_cycle();
	test_hidden();
	test_classify();
	return tap_done();
}
