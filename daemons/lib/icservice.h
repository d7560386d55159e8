/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest side of one IC channel: receive a request, answer NEGOTIATE
 * itself, hand the service's own messages to the daemon's handler, send the
 * response. Every guest daemon runs its services on this; the per-packet
 * step (enl_ic_service_process) needs no main loop, so tests drive it
 * directly against host service logic.
 */
#ifndef ENL_ICSERVICE_H
#define ENL_ICSERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "channel.h"
#include "ic.h"

struct enl_ic_service;

struct enl_ic_service_ops {
	const char *name;		/* "heartbeat": for log lines */
	uint16_t msgtype;		/* ENL_ICMSGTYPE_* served */
	struct enl_ic_versions versions;
	/*
	 * Answer one request of msgtype in place (m->body; the packet buffer
	 * holds buf_size bytes), return the HRESULT status. *resp_len starts
	 * as m->len. srv is the service version in force.
	 */
	uint32_t (*handle)(void *ctx, struct enl_ic_msg *m, uint32_t srv,
			   size_t buf_size, size_t *resp_len);
	/* Optional: after the response went out (e.g. act on a shutdown). */
	void (*after)(void *ctx);
	/* Optional: the channel ended (EOF or error); the service is idle. */
	void (*closed)(void *ctx);
};

struct enl_ic_stats {
	unsigned long rx, tx, rx_bad, rx_unknown, tx_err, negotiated;
};

struct enl_ic_service {
	const struct enl_ic_service_ops *ops;
	void *ctx;
	struct enl_channel *ch;
	uint32_t fw, srv;		/* negotiated; 0 until then */
	guint watch;
	struct enl_ic_stats stats;
	uint8_t buf[ENL_CHANNEL_MAX_PACKET + 1];
};

/* Takes ownership of ch. */
struct enl_ic_service *enl_ic_service_new(const struct enl_ic_service_ops *ops,
					  void *ctx, struct enl_channel *ch);
void enl_ic_service_free(struct enl_ic_service *s);

/* Serve requests from the GLib main loop. */
void enl_ic_service_attach(struct enl_ic_service *s);

/*
 * Handle the packet in s->buf[0..len) and send the answer. Returns 0, or
 * -errno when the packet was dropped or the answer could not be sent.
 */
int enl_ic_service_process(struct enl_ic_service *s, size_t len);

/* Receive and process every pending packet: 0, or -errno at EOF/error. */
int enl_ic_service_poll(struct enl_ic_service *s);

#endif /* ENL_ICSERVICE_H */
