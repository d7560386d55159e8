// SPDX-License-Identifier: GPL-2.0-only
/* Enlighten's synthetic drivers present for a kernel (drivers.h). */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include "drivers.h"
#include "sysfs.h"

/* modules.dep is well under 1 MiB for a distribution kernel. */
#define DEP_MAX (16u << 20)

const char *drv_for_class(enum dev_class cls)
{
	static const char *const drv[DC_COUNT] = {
		[DC_STORAGE] = "enl_storvsc", [DC_NETWORK] = "enl_netvsc",
		[DC_DISPLAY] = "enl_fb", [DC_INPUT] = "enl_hid",
	};

	return cls < DC_COUNT ? drv[cls] : NULL;
}

/* "kernel/x/enl_netvsc.ko[.xz]: deps" or "kernel/x/enl_netvsc.ko": the
 * first field's last component, up to ".ko", is the module's name. */
static gboolean line_names(const char *line, size_t len, const char *mod)
{
	const char *end = memchr(line, ':', len);
	const char *base, *ko;
	size_t ml = strlen(mod);

	if (end)
		len = (size_t)(end - line);
	base = line;
	for (const char *p = line; p < line + len; p++)
		if (*p == '/')
			base = p + 1;
	ko = base + ml;
	if ((size_t)(line + len - base) < ml + 3 || memcmp(base, mod, ml) != 0 ||
	    memcmp(ko, ".ko", 3) != 0)
		return FALSE;
	/* Nothing but a compression suffix may follow. */
	return ko + 3 == line + len || ko[3] == '.';
}

gboolean drv_listed(const char *text, const char *mod)
{
	const char *p = text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (line_names(p, len, mod))
			return TRUE;
		p = eol ? eol + 1 : NULL;
	}
	return FALSE;
}

/* 1 listed, 0 not, -1 unreadable. */
static int listed_in(const char *path, const char *mod)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	GStatBuf st;

	if (g_stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > (goffset)DEP_MAX)
		return -1;
	if (!g_file_get_contents(path, &text, &len, NULL) || len > DEP_MAX ||
	    memchr(text, '\0', len))
		return -1;
	return drv_listed(text, mod) ? 1 : 0;
}

enum drv_presence drv_presence(const char *root, const char *kernel,
			       const char *mod)
{
	g_autofree char *loaded = NULL, *dep = NULL, *builtin = NULL;
	int in_dep;

	if (!mod || strchr(mod, '/') || !kernel || strchr(kernel, '/'))
		return DRV_UNKNOWN;
	loaded = sys_path(root, "sys/module/%s", mod);
	if (g_file_test(loaded, G_FILE_TEST_IS_DIR))
		return DRV_PRESENT;
	dep = sys_path(root, "lib/modules/%s/modules.dep", kernel);
	in_dep = listed_in(dep, mod);
	if (in_dep < 0)
		return DRV_UNKNOWN;
	builtin = sys_path(root, "lib/modules/%s/modules.builtin", kernel);
	return in_dep > 0 || listed_in(builtin, mod) > 0 ? DRV_PRESENT
							 : DRV_MISSING;
}
