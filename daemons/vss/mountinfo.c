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
 * anything else after a backslash is taken literally. In place: the text
 * only shrinks.
 */
static char *unescape(char *s)
{
	char *out = s, *o;

	/* Most fields have no escape: find the first one without a byte loop. */
	s = strchr(s, '\\');
	if (!s)
		return out;
	o = s;
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

/* The next space-separated field of *p, NUL-terminated in place; NULL at the end. */
static char *field(char **p)
{
	char *f = *p, *sp;

	if (!f)
		return NULL;
	sp = strchr(f, ' ');
	if (sp) {
		*sp = '\0';
		*p = sp + 1;
	} else {
		*p = NULL;
	}
	return f;
}

/*
 * One line: "id parent maj:min root target opts [optional...] - type src sopts",
 * cut up in place: m's strings point into line.
 */
static bool parse_line(char *line, struct enl_mount *m)
{
	char *f[6], *tail[3], *sep, *colon, *p = line;
	unsigned int i, id, parent;

	for (i = 0; i < 6; i++)
		if (!(f[i] = field(&p)))
			return false;
	/* Optional fields up to the separator, then type, source and sopts. */
	do {
		sep = field(&p);
	} while (sep && strcmp(sep, "-"));
	for (i = 0; i < 3; i++)
		if (!(tail[i] = field(&p)))
			return false;
	colon = strchr(f[2], ':');
	if (!colon || !parse_uint(f[0], &id, '\0') ||
	    !parse_uint(f[1], &parent, '\0'))
		return false;
	*colon = '\0';
	if (!parse_uint(f[2], &m->major, '\0') ||
	    !parse_uint(colon + 1, &m->minor, '\0'))
		return false;
	if (f[3][0] != '/' || f[4][0] != '/')
		return false;
	m->id = (int)id;
	m->parent = (int)parent;
	m->root = unescape(f[3]);
	m->target = unescape(f[4]);
	m->opts = f[5];
	m->fstype = unescape(tail[0]);
	m->source = unescape(tail[1]);
	m->super_opts = tail[2];
	return true;
}

/*
 * One copy of the text holds every string of the table, cut up in place:
 * two allocations however many mounts (a host with thousands of container
 * mounts parses this at every freeze).
 */
int enl_mountinfo_parse(const char *text, size_t len,
			struct enl_mount_table *t)
{
	size_t cap = 1;
	char *p, *nl;

	memset(t, 0, sizeof(*t));
	/* Like a C string: the text ends at a NUL. */
	len = strnlen(text, len);
	t->buf = g_malloc(len + 1);
	memcpy(t->buf, text, len);
	t->buf[len] = '\0';
	for (p = t->buf; (nl = strchr(p, '\n')); p = nl + 1)
		cap++;
	t->v = g_new0(struct enl_mount, cap);
	for (p = t->buf; p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		if (!p[0])
			continue;
		if (parse_line(p, &t->v[t->n]))
			t->n++;
		else
			t->bad_lines++;
	}
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
	g_free(t->v);
	g_free(t->buf);
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
