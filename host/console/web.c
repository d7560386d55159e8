// SPDX-License-Identifier: GPL-2.0-only
/* The browser console's token, its check and the page URL (web.h). */
#include "web.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <glib.h>

int enl_web_token_new(struct enl_web_token *t)
{
	uint8_t raw[ENL_WEB_TOKEN_BYTES];
	ssize_t n = getrandom(raw, sizeof(raw), 0);

	if (n != (ssize_t)sizeof(raw))
		return n < 0 ? -errno : -EIO;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(t->hex + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

bool enl_web_path_ok(const struct enl_web_token *t, const char *path)
{
	const char *q, *p;
	size_t len = strlen(t->hex);
	unsigned int diff = 0;

	if (!path || !(q = strchr(path, '?')))
		return false;
	/* Look at each parameter of the query for token=. */
	for (p = q + 1; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		const char *v;
		size_t vlen;

		if (strncmp(p, "token=", 6))
			continue;
		v = p + 6;
		vlen = strcspn(v, "&#");
		if (vlen != len)
			return false;
		/* Every byte compared: the time says nothing about the token. */
		for (size_t i = 0; i < len; i++)
			diff |= (unsigned char)v[i] ^ (unsigned char)t->hex[i];
		return diff == 0;
	}
	return false;
}

char *enl_web_url(const char *host, int http_port, int rfb_port,
		  const struct enl_web_token *t)
{
	/* noVNC decodes its parameters: the path's '?' and '=' are escaped. */
	return g_strdup_printf("http://%s:%d/vnc.html?autoconnect=1&host=%s&port=%d&path=websockify%%3Ftoken%%3D%s",
			       host, http_port, host, rfb_port, t->hex);
}
