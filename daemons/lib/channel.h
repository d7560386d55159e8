/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An IC channel as a daemon sees it: a file descriptor that carries whole
 * packets (IC pipe header + icmsg header + body, exactly as on Hyper-V).
 * Two transports carry the same packets:
 *  - the guest character device /dev/vmbus/<service> (enl_vmbus): one read()
 *    returns one inband packet payload, one write() sends one;
 *  - "unix:<path>", a SOCK_SEQPACKET socket to an enl-host IC service, so a
 *    daemon and a host service meet without a VM. SEQPACKET keeps packet
 *    boundaries, so no extra framing is needed.
 */
#ifndef ENL_CHANNEL_H
#define ENL_CHANNEL_H

#include <stddef.h>
#include <sys/types.h>

/* Largest packet we accept; anything longer is oversize and dropped. */
#define ENL_CHANNEL_MAX_PACKET	16384

struct enl_channel {
	int fd;
	char *name;		/* for log lines */
	unsigned long rx_bad;	/* packets dropped as malformed or oversize */
};

/* spec is a device path, "dev:<path>" or "unix:<path>"; NULL with errno. */
struct enl_channel *enl_channel_open(const char *spec);
/* Adopt a connected packet fd (socketpair in tests); takes ownership. */
struct enl_channel *enl_channel_from_fd(int fd, const char *name);
void enl_channel_free(struct enl_channel *ch);

/*
 * Receive one packet into buf (size >= ENL_CHANNEL_MAX_PACKET). Returns its
 * length, 0 at end of stream, -EAGAIN when nothing is pending, -EMSGSIZE for
 * an oversize packet (already consumed and dropped), other -errno.
 */
ssize_t enl_channel_recv(struct enl_channel *ch, void *buf, size_t size);
/* Send one packet: 0 or -errno. */
int enl_channel_send(struct enl_channel *ch, const void *buf, size_t len);

#endif /* ENL_CHANNEL_H */
