// SPDX-License-Identifier: GPL-2.0-only
/* Parsing what users write about disks: --disk specs, LUN addresses, sizes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stor_glue.h"

static bool parse_uint(const char *s, unsigned long long max,
		       unsigned long long *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end && *v <= max;
}

void enl_disk_spec_clear(struct enl_disk_spec *spec)
{
	g_free((char *)spec->opts.path);
	g_free((char *)spec->opts.serial);
	memset(spec, 0, sizeof(*spec));
}

int enl_disk_spec_parse(const char *s, struct enl_disk_spec *spec,
			GString *err)
{
	g_auto(GStrv) f = g_strsplit(s ? s : "", ",", -1);
	unsigned long long v;

	memset(spec, 0, sizeof(*spec));
	spec->lun = -1;
	if (!f[0] || !*f[0]) {
		g_string_append(err, "no file named");
		return -EINVAL;
	}
	spec->opts.path = g_strdup(f[0]);
	for (int i = 1; f[i]; i++) {
		const char *o = f[i];

		if (!strcmp(o, "ro")) {
			spec->opts.read_only = true;
		} else if (!strcmp(o, "wt")) {
			spec->opts.write_through = true;
		} else if (!strcmp(o, "ide")) {
			spec->ide = true;
		} else if (!strcmp(o, "nodirect")) {
			spec->opts.no_direct = true;
		} else if (g_str_has_prefix(o, "lun=") &&
			   parse_uint(o + 4, ENL_VSTOR_SCSI_MAX_LUNS - 1, &v)) {
			spec->lun = (int)v;
		} else if (g_str_has_prefix(o, "bs=") &&
			   parse_uint(o + 3, 4096, &v) && (v == 512 || v == 4096)) {
			spec->opts.block_size = (uint32_t)v;
		} else if (g_str_has_prefix(o, "serial=") && o[7] &&
			   strlen(o + 7) <= 20) {
			g_free((char *)spec->opts.serial);
			spec->opts.serial = g_strdup(o + 7);
		} else {
			g_string_append_printf(err,
				"'%s': want ro, wt, ide, nodirect, lun=0..254, "
				"bs=512|4096 or serial=S (at most 20 characters)",
				o);
			enl_disk_spec_clear(spec);
			return -EINVAL;
		}
	}
	if (spec->ide && spec->lun >= ENL_VSTOR_IDE_MAX_LUNS) {
		g_string_append_printf(err, "an IDE controller has LUNs 0..%d",
				       ENL_VSTOR_IDE_MAX_LUNS - 1);
		enl_disk_spec_clear(spec);
		return -EINVAL;
	}
	return 0;
}

int enl_disk_addr_parse(const char *s, bool *ide, unsigned int *lun)
{
	unsigned long long v;

	*ide = false;
	if (g_str_has_prefix(s, "ide:")) {
		*ide = true;
		s += 4;
	} else if (g_str_has_prefix(s, "scsi:")) {
		s += 5;
	}
	if (!parse_uint(s, *ide ?
			ENL_VSTOR_IDE_MAX_LUNS - 1 :
			ENL_VSTOR_SCSI_MAX_LUNS - 1, &v))
		return -EINVAL;
	*lun = (unsigned int)v;
	return 0;
}

int enl_disk_size_parse(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	g_autofree char *num = g_strdup(s);
	size_t n = strlen(num);
	unsigned int shift = 0;
	unsigned long long v;
	const char *u;

	if (n && (u = strchr(units, g_ascii_toupper(num[n - 1]))) && *u) {
		shift = 10 * (unsigned int)(u - units + 1);
		num[n - 1] = 0;
	}
	if (!parse_uint(num, UINT64_MAX >> shift, &v))
		return -EINVAL;
	*bytes = (uint64_t)v << shift;
	return 0;
}
