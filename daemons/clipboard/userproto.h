/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What enl-clipboardd and its local users (enl-clip, the desktop bridge)
 * say over /run/enlighten/clipboard.sock, a SOCK_STREAM socket. One
 * request per connection:
 *	"COPY <format> <length>\n" then length bytes	-> "OK\n"
 *	"PASTE <format>\n"				-> "OK <length>\n" + bytes
 *	"TARGETS\n"		-> "OK <n>\n" + n lines "<format> <size>"
 * Any failure is "ERR <why>\n". <format> is a name clip_format.c knows
 * ("text", "png", a MIME type). The daemon checks who connects with
 * SO_PEERCRED before it reads a byte.
 */
#ifndef ENL_CLIP_USERPROTO_H
#define ENL_CLIP_USERPROTO_H

#define ENL_CLIPD_SOCKET_DEFAULT	"/run/enlighten/clipboard.sock"
/* Longest request or reply line, newline included. */
#define ENL_CLIPD_LINE_MAX		256

#endif /* ENL_CLIP_USERPROTO_H */
