// SPDX-License-Identifier: GPL-2.0-only
/* Parse /proc/self/mountinfo (see proc(5)) into a table (mountinfo.h). */
#include "mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

/* Bound on the file we read: a mount table this large is not a real one. */
#define MOUNTINFO_MAX_BYTES	(16u << 20)

/*
 * The kernel escapes space, tab, newline and backslash as \ooo in paths;
 * anything else after a backslash is taken literally.
 */
static char *unescape(const char *s)
{
	char *out = g_malloc(strlen(s) + 1), *o = out;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) |
				      (s[3] - '0'));
			s += 4;
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	return out;
}

static bool parse_uint(const char *s, unsigned int *v, char end)
{
	char *e;
	unsigned long x;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	x = strtoul(s, &e, 10);
	if (errno || *e != end || x > 0xfffffffful)
		return false;
	*v = (unsigned int)x;
	return true;
}

/* One line: "id parent maj:min root target opts [optional...] - type src sopts" */
static bool parse_line(char *line, struct enl_mount *m)
{
	char **f = g_strsplit(line, " ", -1);
	unsigned int n = g_strv_length(f), sep, id, parent;
	char *colon;
	bool ok = false;

	for (sep = 6; sep < n; sep++)
		if (!strcmp(f[sep], "-"))
			break;
	/* The separator, then type, source and superblock options. */
	if (sep + 3 >= n)
		goto out;
	colon = strchr(f[2], ':');
	if (!colon || !parse_uint(f[0], &id, '\0') ||
	    !parse_uint(f[1], &parent, '\0'))
		goto out;
	*colon = '\0';
	if (!parse_uint(f[2], &m->major, '\0') ||
	    !parse_uint(colon + 1, &m->minor, '\0'))
		goto out;
	if (f[3][0] != '/' || f[4][0] != '/')
		goto out;
	m->id = (int)id;
	m->parent = (int)parent;
	m->root = unescape(f[3]);
	m->target = unescape(f[4]);
	m->opts = g_strdup(f[5]);
	m->fstype = unescape(f[sep + 1]);
	m->source = unescape(f[sep + 2]);
	m->super_opts = g_strdup(f[sep + 3]);
	ok = true;
out:
	g_strfreev(f);
	return ok;
}

int enl_mountinfo_parse(const char *text, size_t len,
			struct enl_mount_table *t)
{
	char *copy = g_strndup(text, len);
	char **lines = g_strsplit(copy, "\n", -1);
	size_t cap = g_strv_length(lines);

	memset(t, 0, sizeof(*t));
	t->v = g_new0(struct enl_mount, cap ? cap : 1);
	for (size_t i = 0; lines[i]; i++) {
		if (!lines[i][0])
			continue;
		if (parse_line(lines[i], &t->v[t->n]))
			t->n++;
		else
			t->bad_lines++;
	}
	g_strfreev(lines);
	g_free(copy);
	return 0;
}

int enl_mountinfo_load(const char *path, struct enl_mount_table *t)
{
	GString *buf;
	char chunk[8192];
	ssize_t r;
	int fd, ret;

	/* Read by hand: proc files report size 0, so read to EOF. */
	fd = open(path ? path : ENL_MOUNTINFO_DEFAULT, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = g_string_new(NULL);
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto fail;
		}
		if (buf->len + (size_t)r > MOUNTINFO_MAX_BYTES) {
			ret = -EFBIG;
			goto fail;
		}
		g_string_append_len(buf, chunk, r);
	}
	close(fd);
	ret = enl_mountinfo_parse(buf->str, buf->len, t);
	g_string_free(buf, TRUE);
	return ret;
fail:
	close(fd);
	g_string_free(buf, TRUE);
	return ret;
}

void enl_mount_table_free(struct enl_mount_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct enl_mount *m = &t->v[i];

		g_free(m->root);
		g_free(m->target);
		g_free(m->opts);
		g_free(m->fstype);
		g_free(m->source);
		g_free(m->super_opts);
	}
	g_free(t->v);
	memset(t, 0, sizeof(*t));
}

bool enl_mount_has_opt(const char *opts, const char *opt)
{
	size_t l = strlen(opt);
	const char *p = opts;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == l && !strncmp(p, opt, l))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}
