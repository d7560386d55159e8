// SPDX-License-Identifier: GPL-2.0-only
/* GKeyFile configuration with validated getters (see config.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int config_init(struct enl_config *c, const char *section)
{
	memset(c, 0, sizeof(*c));
	c->kf = g_key_file_new();
	c->section = g_strdup(section);
	return 0;
}

int enl_config_load(struct enl_config *c, const char *path,
		    const char *section)
{
	const char *p = path ? path : ENL_CONFIG_DEFAULT;
	GError *err = NULL;

	config_init(c, section);
	if (g_key_file_load_from_file(c->kf, p, G_KEY_FILE_NONE, &err))
		return 0;
	if (!path && g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
		g_error_free(err);
		return 0;
	}
	enl_err("config %s: %s", p, err->message);
	g_error_free(err);
	return -EINVAL;
}

int enl_config_load_data(struct enl_config *c, const char *data,
			 const char *section)
{
	GError *err = NULL;

	config_init(c, section);
	if (g_key_file_load_from_data(c->kf, data, -1, G_KEY_FILE_NONE, &err))
		return 0;
	enl_err("config: %s", err->message);
	g_error_free(err);
	return -EINVAL;
}

void enl_config_free(struct enl_config *c)
{
	if (c->kf)
		g_key_file_free(c->kf);
	g_free(c->section);
	c->kf = NULL;
	c->section = NULL;
}

/* The raw value, or NULL when the key is absent. */
static char *raw(struct enl_config *c, const char *key)
{
	return g_key_file_get_value(c->kf, c->section, key, NULL);
}

static void bad(struct enl_config *c, const char *key, const char *val,
		const char *want)
{
	enl_err("config [%s] %s=%s: expected %s", c->section, key, val, want);
	c->errors++;
}

bool enl_config_bool(struct enl_config *c, const char *key, bool def)
{
	char *v = raw(c, key);
	bool r = def;

	if (!v)
		return def;
	g_strstrip(v);
	if (!g_ascii_strcasecmp(v, "true") || !g_ascii_strcasecmp(v, "yes") ||
	    !strcmp(v, "1") || !g_ascii_strcasecmp(v, "on"))
		r = true;
	else if (!g_ascii_strcasecmp(v, "false") ||
		 !g_ascii_strcasecmp(v, "no") || !strcmp(v, "0") ||
		 !g_ascii_strcasecmp(v, "off"))
		r = false;
	else
		bad(c, key, v, "a boolean");
	g_free(v);
	return r;
}

long enl_config_int(struct enl_config *c, const char *key, long def,
		    long min, long max)
{
	char *v = raw(c, key), *end;
	long r;

	if (!v)
		return def;
	g_strstrip(v);
	errno = 0;
	r = strtol(v, &end, 10);
	if (errno || end == v || *end || r < min || r > max) {
		char want[64];

		snprintf(want, sizeof(want), "an integer in [%ld, %ld]", min,
			 max);
		bad(c, key, v, want);
		r = def;
	}
	g_free(v);
	return r;
}

double enl_config_double(struct enl_config *c, const char *key, double def,
			 double min, double max)
{
	char *v = raw(c, key), *end;
	double r;

	if (!v)
		return def;
	g_strstrip(v);
	r = g_ascii_strtod(v, &end);
	if (end == v || *end || !isfinite(r) || r < min || r > max) {
		char want[80];

		snprintf(want, sizeof(want), "a number in [%g, %g]", min, max);
		bad(c, key, v, want);
		r = def;
	}
	g_free(v);
	return r;
}

char *enl_config_string(struct enl_config *c, const char *key,
			const char *def)
{
	char *v = g_key_file_get_string(c->kf, c->section, key, NULL);

	if (!v)
		return g_strdup(def);
	g_strstrip(v);
	return v;
}

int enl_config_enum(struct enl_config *c, const char *key, int def,
		    const char *const *choices)
{
	char *v = raw(c, key);
	int i, r = def;

	if (!v)
		return def;
	g_strstrip(v);
	for (i = 0; choices[i]; i++)
		if (!strcmp(v, choices[i]))
			break;
	if (choices[i]) {
		r = i;
	} else {
		GString *want = g_string_new("one of");

		for (i = 0; choices[i]; i++)
			g_string_append_printf(want, " %s", choices[i]);
		bad(c, key, v, want->str);
		g_string_free(want, TRUE);
	}
	g_free(v);
	return r;
}
