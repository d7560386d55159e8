/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What enl-clipboardd and its local users (enl-clip, the desktop bridge)
 * say over /run/enlighten/clipboard.sock, a SOCK_STREAM socket. One
 * request per connection:
 *	"COPY <format> <length>\n" then length bytes	-> "OK\n"
 *	"PASTE <format>\n"				-> "OK <length>\n" + bytes
 *	"TARGETS\n"		-> "OK <n>\n" + n lines "<format> <size>"
 *	"WATCH\n"		-> "OK\n" + a line now and on every change:
 *		"CHANGED <serial> <owner>[ <format>...]\n"
 * Any failure is "ERR <why>\n". <format> is a name clip_format.c knows
 * ("text", "png", a MIME type). The daemon checks who connects with
 * SO_PEERCRED before it reads a byte.
 *
 * WATCH is for the desktop bridge: the connection stays open, the client
 * sends nothing more, and each line says who owns the clipboard now:
 * "host", "guest" (a local user copied) or "none" (serial 0), with the
 * formats on offer. It carries no data: a watcher PASTEs on a connection
 * of its own, checked again then. A watcher that stops reading is dropped
 * (it reconnects and gets the current line first), and so is one whose
 * user is no longer allowed (the seat's session changed): its connection
 * just ends. Every request is checked against the policy as it arrives,
 * not only at connect.
 */
#ifndef ENL_CLIP_USERPROTO_H
#define ENL_CLIP_USERPROTO_H

#define ENL_CLIPD_SOCKET_DEFAULT	"/run/enlighten/clipboard.sock"
/* Longest request or reply line, newline included. */
#define ENL_CLIPD_LINE_MAX		256
/* Watchers served at once; more get "ERR too many watchers". */
#define ENL_CLIPD_WATCH_MAX		32
/*
 * Defaults: seconds a connection may sit without sending its request or
 * taking its reply ("ERR idle timeout", then closed); connections one uid
 * may hold at once, watches included ("ERR too many connections").
 */
#define ENL_CLIPD_IDLE_DEFAULT_S	30
#define ENL_CLIPD_PER_USER_DEFAULT	8

#endif /* ENL_CLIP_USERPROTO_H */
