/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How a ctl request travels, so that an argument can hold any byte (a KVP
 * value with a newline, a quote, a space):
 *
 *   framed:  "\0" then one netstring per argument, "<len>:<bytes>," (len in
 *            decimal, no leading zero), then "\n". `enl-host ctl` sends this.
 *   line:    one shell-quoted line ending in "\n" (socat, nc, old scripts);
 *            it cannot carry a newline.
 *
 * The first byte tells them apart: a line never starts with NUL. Limits keep
 * one client from making the host buffer much: ENL_CTL_ARGS_MAX arguments,
 * ENL_CTL_REQ_MAX bytes in all.
 */
#ifndef ENL_HOST_CTL_FRAME_H
#define ENL_HOST_CTL_FRAME_H

#include <stddef.h>

#include <glib.h>

#define ENL_CTL_ARGS_MAX	256
#define ENL_CTL_REQ_MAX		(256 * 1024)
#define ENL_CTL_LINE_MAX	4096

/* Append the framed form of argv[0..argc) to req. */
void enl_ctl_frame_encode(GString *req, int argc, char *const *argv);

/*
 * Parse what has arrived so far (len bytes; eof: the client closed its
 * side). Returns 1 with *argv (NULL-terminated, g_strfreev) and *argc when
 * the request is whole, 0 when more bytes are needed, -1 with a reason in
 * why when it can never be a valid request. An argument holding NUL is
 * refused: verbs take C strings.
 */
int enl_ctl_frame_decode(const char *buf, size_t len, bool eof, int *argc,
			 char ***argv, GString *why);

#endif /* ENL_HOST_CTL_FRAME_H */
