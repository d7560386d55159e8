/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /etc/enlighten/enlighten.conf: a GKeyFile with one section per daemon.
 * Getters log and count every malformed value so a daemon can refuse to
 * start on a broken configuration instead of guessing.
 */
#ifndef ENL_CONFIG_H
#define ENL_CONFIG_H

#include <stdbool.h>
#include <glib.h>

#define ENL_CONFIG_DEFAULT "/etc/enlighten/enlighten.conf"

struct enl_config {
	GKeyFile *kf;
	char *section;
	unsigned int errors;
};

/*
 * Load path (the default path when NULL). A missing default file means all
 * defaults; a missing explicit file, or a syntax error, is an error (-errno).
 */
int enl_config_load(struct enl_config *c, const char *path,
		    const char *section);
/* The same from a string, for tests. */
int enl_config_load_data(struct enl_config *c, const char *data,
			 const char *section);
void enl_config_free(struct enl_config *c);

bool enl_config_bool(struct enl_config *c, const char *key, bool def);
long enl_config_int(struct enl_config *c, const char *key, long def,
		    long min, long max);
double enl_config_double(struct enl_config *c, const char *key, double def,
			 double min, double max);
/* Newly allocated; def may be NULL. */
char *enl_config_string(struct enl_config *c, const char *key,
			const char *def);
/* One of choices[] (NULL-terminated): its index, or def. */
int enl_config_enum(struct enl_config *c, const char *key, int def,
		    const char *const *choices);

#endif /* ENL_CONFIG_H */
