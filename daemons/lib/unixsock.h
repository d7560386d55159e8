/* SPDX-License-Identifier: GPL-2.0-only */
/* Connecting to a local UNIX socket by path (no GLib: enl-clip uses it too). */
#ifndef ENL_UNIXSOCK_H
#define ENL_UNIXSOCK_H

/*
 * Connect a socket of type (SOCK_STREAM or SOCK_SEQPACKET, optionally or'ed
 * with SOCK_NONBLOCK) to path, close-on-exec. The fd, or -1 with errno
 * (ENAMETOOLONG when path does not fit sockaddr_un).
 */
int enl_unix_connect(const char *path, int type);

#endif /* ENL_UNIXSOCK_H */
