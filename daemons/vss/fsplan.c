// SPDX-License-Identifier: GPL-2.0-only
/* Choose and order the file systems to freeze (fsplan.h). */
#include "fsplan.h"

#include <string.h>

/* Loop devices have block major 7 (Documentation/admin-guide/devices.txt). */
#define LOOP_MAJOR	7

static const char *const pseudo_fs[] = {
	"proc", "sysfs", "devtmpfs", "devpts", "tmpfs", "ramfs", "cgroup",
	"cgroup2", "securityfs", "debugfs", "tracefs", "pstore", "bpf",
	"configfs", "fusectl", "mqueue", "hugetlbfs", "autofs", "binfmt_misc",
	"efivarfs", "rpc_pipefs", "nfsd", "selinuxfs", "overlay", "aufs",
	"nsfs", "pipefs", "sockfs", "rootfs", "devfs", "squashfs", "iso9660",
	"udf", "erofs", "cramfs", "zonefs", NULL,
};

static const char *const network_fs[] = {
	"nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "9p", "afs", "ncpfs",
	"glusterfs", "lustre", "gfs2", "ocfs2", "virtiofs", "sshfs", "davfs",
	"coda", "orangefs", "beegfs", "gpfs", NULL,
};

/* Local file systems whose kernel drivers have no freeze_fs. */
static const char *const nofreeze_fs[] = {
	"vfat", "msdos", "fat", "exfat", "ntfs", "ntfs3", "hfs", "hfsplus",
	"minix", NULL,
};

/*
 * The lists as one table, built at first use: one lookup per mount instead
 * of a compare with every name (a freeze classifies every mount of the
 * table, thousands on a container host). Class + 1, 0 when not listed.
 */
static GHashTable *fs_classes(void)
{
	static const struct {
		const char *const *list;
		enum enl_fs_class cls;
	} lists[] = {
		{ network_fs, ENL_FS_NETWORK },
		{ pseudo_fs, ENL_FS_PSEUDO },
		{ nofreeze_fs, ENL_FS_NOFREEZE },
	};
	static GHashTable *table;
	static gsize once;

	if (g_once_init_enter(&once)) {
		table = g_hash_table_new(g_str_hash, g_str_equal);
		/* A name in two lists keeps the first one's class. */
		for (size_t i = 0; i < G_N_ELEMENTS(lists); i++) {
			gpointer c = GUINT_TO_POINTER(lists[i].cls + 1);

			for (const char *const *n = lists[i].list; *n; n++)
				if (!g_hash_table_contains(table, *n))
					g_hash_table_insert(table, (gpointer)*n, c);
		}
		g_once_init_leave(&once, 1);
	}
	return table;
}

enum enl_fs_class enl_fs_classify(const char *fstype)
{
	guint c;

	/* fuse.sshfs, fuseblk (ntfs-3g) ...: userspace may be frozen itself */
	if (!strncmp(fstype, "fuse", 4))
		return ENL_FS_NETWORK;
	c = GPOINTER_TO_UINT(g_hash_table_lookup(fs_classes(), fstype));
	return c ? (enum enl_fs_class)(c - 1) : ENL_FS_LOCAL;
}

/* Whether dir is path or one of its ancestors ("/" is everyone's). */
static bool is_under(const char *path, const char *dir)
{
	size_t l;

	if (dir[0] == '/' && !dir[1])
		return true;
	l = strlen(dir);
	return !strncmp(path, dir, l) && (path[l] == '/' || path[l] == '\0');
}

/*
 * Whether dir is a strict ancestor of path, given both lengths: is_under()
 * and not the same path. The byte after dir's length in path decides most
 * pairs without comparing the strings (plan building asks this of every
 * pair of siblings and of candidates).
 */
static bool strictly_under(const char *path, size_t plen, const char *dir,
			   size_t dlen)
{
	if (dlen == 1 && dir[0] == '/')
		return plen != 1 || path[0] != '/';
	return plen > dlen && path[dlen] == '/' && !memcmp(path, dir, dlen);
}

static unsigned int depth(const char *path)
{
	unsigned int d = 0;

	for (; *path; path++)
		d += *path == '/' && path[1];
	return d;
}

/* The loop device's backing file, or NULL. */
static char *loop_backing(const char *sysfs, unsigned int major,
			  unsigned int minor)
{
	char *path, *data = NULL;
	size_t len = 0;

	if (!sysfs || major != LOOP_MAJOR)
		return NULL;
	path = g_strdup_printf("%s/dev/block/%u:%u/loop/backing_file", sysfs,
			       major, minor);
	if (!g_file_get_contents(path, &data, &len, NULL) || !len ||
	    data[0] != '/') {
		g_free(data);
		data = NULL;
	} else {
		g_strchomp(data);
	}
	g_free(path);
	return data;
}

static void skip(struct enl_freeze_plan *p, const struct enl_mount *m,
		 const char *why)
{
	g_ptr_array_add(p->skipped, g_strconcat(m->target, ": ", why, NULL));
}

/*
 * What plan building learns about each mount once and asks again for every
 * mount below it: without it, each candidate's walk up the tree rescans the
 * whole table at every level (quadratic per candidate on a host with
 * thousands of mounts).
 */
struct mount_memo {
	bool known;
	ssize_t up;			/* the parent mount's index, or -1 */
	const struct enl_mount *over;	/* the sibling mounted over it */
};

/*
 * The table indexed once per plan: the first mount of each id, and the
 * mounts on each path in table order. Looking up a mount's parent, and its
 * ancestors (as many as its path has levels) for a sibling over it, then
 * costs no scan of the table per mount.
 */
struct paths {
	GHashTable *id;		/* mount id -> index of its first mount + 1 */
	GHashTable *first;	/* target -> index of the first mount on it + 1 */
	size_t *next;		/* the next mount on the same target, or n */
	char *scratch;		/* a copy of a target, cut at each level */
};

static void paths_index(const struct enl_mount_table *t, const size_t *len,
			struct paths *ix)
{
	size_t longest = 0;

	ix->id = g_hash_table_new(g_direct_hash, g_direct_equal);
	ix->first = g_hash_table_new(g_str_hash, g_str_equal);
	ix->next = g_new(size_t, t->n ? t->n : 1);
	/* Backwards: the first of equal keys is inserted last and stays. */
	for (size_t i = t->n; i-- > 0;) {
		gpointer f = g_hash_table_lookup(ix->first, t->v[i].target);

		ix->next[i] = f ? GPOINTER_TO_SIZE(f) - 1 : t->n;
		g_hash_table_insert(ix->first, t->v[i].target,
				    GSIZE_TO_POINTER(i + 1));
		g_hash_table_insert(ix->id, GINT_TO_POINTER(t->v[i].id),
				    GSIZE_TO_POINTER(i + 1));
		if (len[i] > longest)
			longest = len[i];
	}
	ix->scratch = g_malloc(longest + 1);
}

static void paths_free(struct paths *ix)
{
	g_hash_table_destroy(ix->id);
	g_hash_table_destroy(ix->first);
	g_free(ix->next);
	g_free(ix->scratch);
}

static ssize_t mount_by_id(const struct paths *ix, int id)
{
	gpointer f = g_hash_table_lookup(ix->id, GINT_TO_POINTER(id));

	return f ? (ssize_t)GPOINTER_TO_SIZE(f) - 1 : -1;
}

/* The first mount on path that can be over t->v[i]: a sibling, not itself. */
static size_t sibling_on(const struct enl_mount_table *t,
			 const struct paths *ix, const char *path, size_t i)
{
	const struct enl_mount *m = &t->v[i];
	gpointer f = g_hash_table_lookup(ix->first, path);

	for (size_t j = f ? GPOINTER_TO_SIZE(f) - 1 : t->n; j < t->n;
	     j = ix->next[j]) {
		const struct enl_mount *q = &t->v[j];

		if (j != i && q->parent == m->parent && q->id != m->id &&
		    q->id != m->parent)
			return j;
	}
	return t->n;
}

/* The first sibling (in table order) on a strict ancestor of its path. */
static const struct enl_mount *over_of(const struct enl_mount_table *t,
				       const size_t *len,
				       const struct paths *ix, size_t i)
{
	const char *target = t->v[i].target;
	size_t best = t->n, j;
	char *s = ix->scratch, *p;

	/* "/" is every other path's ancestor (strictly_under()). */
	if (len[i] != 1 || target[0] != '/')
		best = sibling_on(t, ix, "/", i);
	if (!len[i])
		return best < t->n ? &t->v[best] : NULL;
	/* Then each prefix that ends before a '/' of the path. */
	memcpy(s, target, len[i] + 1);
	for (p = strchr(s + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		j = sibling_on(t, ix, s, i);
		*p = '/';
		if (j < best)
			best = j;
	}
	return best < t->n ? &t->v[best] : NULL;
}

static struct mount_memo *memo_of(const struct enl_mount_table *t,
				  struct mount_memo *memo, const size_t *len,
				  const struct paths *ix, size_t i)
{
	struct mount_memo *k = &memo[i];

	if (k->known)
		return k;
	k->known = true;
	k->up = mount_by_id(ix, t->v[i].parent);
	k->over = over_of(t, len, ix, i);
	return k;
}

/*
 * The mount that hides t->v[i] from path lookup, or NULL: a sibling (same
 * parent mount) on a strict ancestor of its mount point was mounted over
 * it (had it come first, it would be the parent); or its parent is itself
 * hidden. The root mount may list itself as its parent (an initramfs's
 * rootfs does): a parent is never its child's sibling. 64 levels bound
 * the walk up a malformed table's parent loops.
 */
static const struct enl_mount *hider(const struct enl_mount_table *t,
				     struct mount_memo *memo, const size_t *len,
				     const struct paths *ix, size_t i)
{
	for (unsigned int depth = 0;; depth++) {
		const struct mount_memo *k = memo_of(t, memo, len, ix, i);

		if (k->over)
			return k->over;
		if (k->up < 0 || (size_t)k->up == i || depth >= 64)
			return NULL;
		i = (size_t)k->up;
	}
}

static const char *unfreezable(const struct enl_mount *m)
{
	switch (enl_fs_classify(m->fstype)) {
	case ENL_FS_PSEUDO:
		return "pseudo file system";
	case ENL_FS_NETWORK:
		return "network or userspace file system";
	case ENL_FS_NOFREEZE:
		return "file system cannot freeze";
	case ENL_FS_LOCAL:
		break;
	}
	if (enl_mount_has_opt(m->opts, "ro") ||
	    enl_mount_has_opt(m->super_opts, "ro"))
		return "read-only";
	/* Block-backed file systems have a real device; btrfs uses anon 0:N. */
	if (m->major == 0 && strcmp(m->fstype, "btrfs"))
		return "no block device";
	return NULL;
}

struct cand {
	const struct enl_mount *m;
	size_t len;		/* of m->target */
	unsigned int depth;	/* of m->target */
	char *backing;
	size_t waiting;		/* candidates not yet ordered that precede it */
	bool done;
};

/* Whether candidate a must be frozen before b. */
static bool must_precede(const struct cand *a, const struct cand *b)
{
	if (strictly_under(a->m->target, a->len, b->m->target, b->len))
		return true;
	return a->backing && is_under(a->backing, b->m->target);
}

/*
 * Each step takes the deepest candidate that nothing unordered must
 * precede (the first of equal depth), or, when a cycle leaves none, the
 * deepest of all. Counting each candidate's unordered predecessors once
 * and taking one off as each is placed asks must_precede about every pair
 * once or twice in all, instead of again at every step.
 */
static void order(struct enl_freeze_plan *p, struct cand *c, size_t n)
{
	p->v = g_new0(struct enl_fs_target, n ? n : 1);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (j != i && must_precede(&c[j], &c[i]))
				c[i].waiting++;
	for (size_t k = 0; k < n; k++) {
		size_t best = n, any = n;

		for (size_t i = 0; i < n; i++) {
			if (c[i].done)
				continue;
			if (any == n || c[i].depth > c[any].depth)
				any = i;
			/* Deeper first among the free ones: stable output. */
			if (!c[i].waiting &&
			    (best == n || c[i].depth > c[best].depth))
				best = i;
		}
		if (best == n) {
			/* A cycle (a loop file inside its own mount tree). */
			p->cycles++;
			best = any;
		}
		c[best].done = true;
		for (size_t i = 0; i < n; i++)
			if (!c[i].done && must_precede(&c[best], &c[i]))
				c[i].waiting--;
		p->v[p->n].path = g_strdup(c[best].m->target);
		p->v[p->n].major = c[best].m->major;
		p->v[p->n].minor = c[best].m->minor;
		p->n++;
	}
}

void enl_freeze_plan_build(const struct enl_mount_table *t, const char *sysfs,
			   struct enl_freeze_plan *p)
{
	struct cand *c = g_new0(struct cand, t->n ? t->n : 1);
	struct mount_memo *memo = g_new0(struct mount_memo, t->n ? t->n : 1);
	size_t *len = g_new(size_t, t->n ? t->n : 1);
	struct paths ix;
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < t->n; i++)
		len[i] = strlen(t->v[i].target);
	paths_index(t, len, &ix);
	p->skipped = g_ptr_array_new_with_free_func(g_free);
	p->hidden = g_ptr_array_new_with_free_func(g_free);
	for (size_t i = 0; i < t->n; i++) {
		const struct enl_mount *m = &t->v[i];
		const char *why = unfreezable(m);
		const struct enl_mount *over;
		bool dup = false;

		if (why) {
			skip(p, m, why);
			continue;
		}
		over = hider(t, memo, len, &ix, i);
		if (over) {
			char *w = g_strdup_printf("hidden under the mount on %s",
						  over->target);

			skip(p, m, w);
			g_ptr_array_add(p->hidden, g_strdup_printf("%s: %s",
					m->target, w));
			g_free(w);
			continue;
		}
		/* A later mount on the same path hides this one from open(). */
		if (ix.next[i] < t->n) {
			skip(p, m, "over-mounted");
			continue;
		}
		/* Bind mounts and btrfs subvolumes: freeze a superblock once. */
		for (size_t j = 0; j < n && !dup; j++)
			dup = c[j].m->major == m->major &&
			      c[j].m->minor == m->minor;
		if (dup) {
			skip(p, m, "superblock already listed");
			continue;
		}
		c[n].m = m;
		c[n].len = len[i];
		c[n].depth = depth(m->target);
		c[n].backing = loop_backing(sysfs, m->major, m->minor);
		n++;
	}
	order(p, c, n);
	for (size_t i = 0; i < n; i++)
		g_free(c[i].backing);
	g_free(c);
	g_free(memo);
	g_free(len);
	paths_free(&ix);
}

void enl_freeze_plan_free(struct enl_freeze_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		g_free(p->v[i].path);
	g_free(p->v);
	if (p->skipped)
		g_ptr_array_free(p->skipped, TRUE);
	if (p->hidden)
		g_ptr_array_free(p->hidden, TRUE);
	memset(p, 0, sizeof(*p));
}
