// SPDX-License-Identifier: GPL-2.0-only
/* Bounded sysfs reads below a root directory (sysfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sysfs.h"

char *sys_path(const char *root, const char *fmt, ...)
{
	va_list ap;
	char *rel, *p;

	va_start(ap, fmt);
	rel = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	p = g_build_filename(root, rel, NULL);
	g_free(rel);
	return p;
}

char *sys_read(const char *path)
{
	char buf[SYS_ATTR_MAX + 1];
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	while (len < SYS_ATTR_MAX) {
		ssize_t n = read(fd, buf + len, SYS_ATTR_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return g_strdup(buf);
}

char *sys_attr(const char *root, const char *fmt, ...)
{
	va_list ap;
	char *rel, *p, *v;

	va_start(ap, fmt);
	rel = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	p = g_build_filename(root, rel, NULL);
	v = sys_read(p);
	g_free(rel);
	g_free(p);
	return v;
}

char *sys_link_name(const char *path)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return g_path_get_basename(buf);
}

char *sys_resolve(const char *root, const char *path)
{
	char *r = realpath(root, NULL), *p = realpath(path, NULL);
	size_t rl;
	gboolean inside;

	if (!r || !p) {
		free(r);
		free(p);
		return NULL;
	}
	rl = strlen(r);
	inside = strcmp(r, "/") == 0 ||
		 (strncmp(p, r, rl) == 0 && (p[rl] == '/' || p[rl] == '\0'));
	free(r);
	if (!inside) {
		free(p);
		return NULL;
	}
	/* Hand back GLib memory so callers free everything with g_free. */
	r = g_strdup(p);
	free(p);
	return r;
}

static int cmp_names(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

GPtrArray *sys_list(const char *dir)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;

	if (!d)
		return names;
	while ((n = g_dir_read_name(d)))
		g_ptr_array_add(names, g_strdup(n));
	g_dir_close(d);
	g_ptr_array_sort(names, cmp_names);
	return names;
}

gboolean sys_parse_u64(const char *text, guint64 *v)
{
	char *end;

	if (!text || !g_ascii_isdigit(text[0]))
		return FALSE;
	errno = 0;
	*v = g_ascii_strtoull(text, &end, 10);
	return errno == 0 && *end == '\0';
}
