/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The browser console's page: a small HTTP/1.0 server for the files of one
 * directory (noVNC's), GET and HEAD only, on a thread of its own. Not
 * libvncserver's httpd: that one serves a single connection at a time
 * (a browser loading noVNC's modules in parallel loses some) and aborts
 * on its IPv6 socket when only IPv4 is in use. Requests are handled one
 * after the other; each has a few seconds to arrive.
 */
#ifndef ENL_HOST_CONSOLE_HTTP_H
#define ENL_HOST_CONSOLE_HTTP_H

#include <netinet/in.h>
#include <stdint.h>

#include <glib.h>

struct enl_http;

/* Serve dir on addr:port (network order addr). NULL with why in err. */
struct enl_http *enl_http_new(in_addr_t addr, int port, const char *dir,
			      GString *err);
void enl_http_free(struct enl_http *h);

/* Requests answered 200, and refused (bad, not found, too slow). */
void enl_http_counts(struct enl_http *h, uint64_t *served, uint64_t *refused);

#endif /* ENL_HOST_CONSOLE_HTTP_H */
