// SPDX-License-Identifier: GPL-2.0-only
/*
 * The disk copy of `enl-host ctl backup --to DEST`, run by the backup verb
 * (host/vsp/vss/ctl.c) while the guest is frozen: every LUN of every SCSI
 * controller and IDE accelerator, copied as a reflink where
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

#include "ctl.h"
#include "server.h"
#include "stor_glue.h"
#include "vsp.h"

/*
 * On a controller's context: "class\trelid\tlun\tbytes\tpath\n" per LUN.
 */
static int list_on_ctx(void *state, struct enl_ctl_req *req)
{
	struct enl_stor_ctrl *c = state;
	uint16_t luns[ENL_STOR_MAX_LUNS];
	unsigned int n = enl_stor_lun_list(c->t, luns, ENL_STOR_MAX_LUNS);

	for (unsigned int i = 0; i < n; i++) {
		struct enl_stor_lun_info in;

		if (enl_stor_lun_info(c->t, luns[i], &in) ||
		    strchr(in.path, '\n') || strchr(in.path, '\t'))
			continue;
		g_string_append_printf(req->out, "%s\t%u\t%u\t%" PRIu64 "\t%s\n",
				       c->name, enl_vsp_relid(c->ch), in.lun,
				       in.blocks * in.block_size, in.path);
	}
	return 0;
}

/*
 * The copy's name in a directory: <class><lun>.img on the first controller
 * of its class (what a single-controller VM has always had), and
 * <class><lun>-relid<relid>.img on the others, so that no two collide.
 */
static char *copy_name(char **f, GHashTable *first)
{
	const char *cls = f[0], *relid = f[1], *lun = f[2];
	const char *seen = g_hash_table_lookup(first, cls);

	if (!seen) {
		g_hash_table_insert(first, g_strdup(cls), g_strdup(relid));
		seen = relid;
	}
	if (!strcmp(seen, relid))
		return g_strdup_printf("%s%s.img", cls, lun);
	return g_strdup_printf("%s%s-relid%s.img", cls, lun, relid);
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
	g_autoptr(GHashTable) first = g_hash_table_new_full(g_str_hash,
							    g_str_equal, g_free,
							    g_free);
	g_auto(GStrv) lines = NULL;
	char *argv[] = { "disk", "backup", NULL };
	struct enl_ctl_req req = { .argc = 2, .argv = argv, .out = list };
	unsigned int n = 0, done = 0;
	bool dir = g_file_test(dest, G_FILE_TEST_IS_DIR);

	/* In relid order: the first controller of a class keeps plain names. */
	enl_stor_each_ctrl(srv, &req, list_on_ctx);
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
		g_auto(GStrv) f = g_strsplit(*l, "\t", 5);
		g_autofree char *name = NULL, *dst = NULL, *what = NULL;
		const char *how = "";
		int ret;

		if (g_strv_length(f) != 5)
			continue;
		name = copy_name(f, first);
		what = g_strdup_printf("%s:%s (relid %s) %s", f[0], f[2], f[1],
				       f[4]);
		dst = dir ? g_build_filename(dest, name, NULL) : g_strdup(dest);
		ret = copy_image(f[4], dst, g_ascii_strtoull(f[3], NULL, 10),
				 &how);
		if (ret) {
			g_string_append_printf(out, "backup: %s -> %s: %s\n",
					       what, dst, g_strerror(-ret));
			return ret;
		}
		g_string_append_printf(out, "copied %s -> %s (%s)\n", what,
				       dst, how);
		done++;
	}
	return done ? 0 : -ENOENT;
}
