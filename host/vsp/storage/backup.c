// SPDX-License-Identifier: GPL-2.0-only
/*
 * The disk copy of `enl-host ctl backup --to DEST`, run by the backup verb
 * (host/vsp/vss/ctl.c) while the guest is frozen: every LUN of the first
 * SCSI controller and the first IDE accelerator, copied as a reflink where
 * the file system shares blocks (FICLONE), else data extent by data extent
 * (holes stay holes) with copy_file_range, and made durable before the
 * guest thaws. The LUN list is taken on each controller's own context;
 * the copy runs on the caller's thread (the main loop), which the frozen
 * guest is waiting on anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"
#include "stor_glue.h"
#include "vsp.h"

static const char *const classes[] = { "scsi", "ide" };

/* On the controller's context: "class\tlun\tbytes\tpath\n" per LUN. */
static int list_on_ctx(void *state, int argc, char **argv, GString *out)
{
	struct enl_stor_ctrl *c = state;
	uint16_t luns[ENL_STOR_MAX_LUNS];
	unsigned int n = enl_stor_lun_list(c->t, luns, ENL_STOR_MAX_LUNS);

	(void)argc;
	(void)argv;
	for (unsigned int i = 0; i < n; i++) {
		struct enl_stor_lun_info in;

		if (enl_stor_lun_info(c->t, luns[i], &in) ||
		    strchr(in.path, '\n') || strchr(in.path, '\t'))
			continue;
		g_string_append_printf(out, "%s\t%u\t%" PRIu64 "\t%s\n",
				       c->name, in.lun,
				       in.blocks * in.block_size, in.path);
	}
	return 0;
}

static int copy_range(int in, int out, off_t off, off_t end)
{
	while (off < end) {
		loff_t from = off, to = off;
		ssize_t n = copy_file_range(in, &from, out, &to,
					    (size_t)(end - off), 0);
		char buf[65536];

		if (n > 0) {
			off += n;
			continue;
		}
		if (n == 0)
			return -ENODATA;	/* shrunk under us */
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
		    errno != EOPNOTSUPP)
			return -errno;
		/* No copy_file_range between these two: by hand. */
		n = pread(in, buf, sizeof(buf) < (size_t)(end - off) ?
			  sizeof(buf) : (size_t)(end - off), off);
		if (n <= 0)
			return n ? -errno : -ENODATA;
		if (pwrite(out, buf, (size_t)n, off) != n)
			return -EIO;
		off += n;
	}
	return 0;
}

/* The data extents of in (all of it where SEEK_DATA is unknown). */
static int copy_extents(int in, int out, off_t size)
{
	off_t data = 0, hole;
	int ret;

	for (;;) {
		data = lseek(in, data, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)
				return 0;	/* holes to the end */
			return copy_range(in, out, 0, size);
		}
		if (data >= size)
			return 0;
		hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0 || hole > size)
			hole = size;
		ret = copy_range(in, out, data, hole);
		if (ret)
			return ret;
		data = hole;
	}
}

/* src to a new dst of size bytes; *how says which way. 0 or -errno. */
static int copy_image(const char *src, const char *dst, uint64_t size,
		      const char **how)
{
	int in, out, ret = 0;
	struct stat st;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		   0600);
	if (out < 0) {
		ret = -errno;
		close(in);
		return ret;
	}
	if (!fstat(in, &st) && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size == size && !ioctl(out, FICLONE, in)) {
		*how = "reflink";
	} else {
		*how = "copy";
		if (ftruncate(out, (off_t)size))
			ret = -errno;
		else
			ret = copy_extents(in, out, (off_t)size);
	}
	if (!ret && fsync(out))
		ret = -errno;
	close(out);
	close(in);
	if (ret)
		unlink(dst);
	return ret;
}

int enl_stor_backup(struct enl_vmbus_server *srv, const char *dest,
		    GString *out)
{
	g_autoptr(GString) list = g_string_new(NULL);
	g_auto(GStrv) lines = NULL;
	char *argv[] = { "disk", "backup", NULL };
	unsigned int n = 0, done = 0;
	bool dir = g_file_test(dest, G_FILE_TEST_IS_DIR);

	for (size_t i = 0; i < G_N_ELEMENTS(classes); i++) {
		g_autoptr(GString) none = g_string_new(NULL);
		int ac = 0;

		if (enl_vsp_ctl_find(srv, classes[i], &ac, NULL, none))
			enl_vsp_ctl_run(srv, classes[i], 2, argv, list,
					list_on_ctx);
	}
	lines = g_strsplit(list->str, "\n", -1);
	for (char **l = lines; *l; l++)
		n += **l != '\0';
	if (!n) {
		g_string_append(out, "backup: no synthetic disk to copy\n");
		return -ENOENT;
	}
	if (!dir && n > 1) {
		g_string_append_printf(out, "backup: %u disks need a directory; "
				       "%s is none\n", n, dest);
		return -ENOTDIR;
	}
	for (char **l = lines; *l; l++) {
		g_auto(GStrv) f = g_strsplit(*l, "\t", 4);
		g_autofree char *name = NULL, *dst = NULL;
		const char *how = "";
		int ret;

		if (g_strv_length(f) != 4)
			continue;
		name = g_strdup_printf("%s%s.img", f[0], f[1]);
		dst = dir ? g_build_filename(dest, name, NULL) : g_strdup(dest);
		ret = copy_image(f[3], dst, g_ascii_strtoull(f[2], NULL, 10),
				 &how);
		if (ret) {
			g_string_append_printf(out, "backup: %s:%s %s -> %s: %s\n",
					       f[0], f[1], f[3], dst,
					       g_strerror(-ret));
			return ret;
		}
		g_string_append_printf(out, "copied %s:%s %s -> %s (%s)\n",
				       f[0], f[1], f[3], dst, how);
		done++;
	}
	return done ? 0 : -ENOENT;
}
