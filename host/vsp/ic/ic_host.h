/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host end of one IC channel, transport-agnostic: it negotiates when the
 * channel opens, stamps requests with the negotiated versions and a
 * transaction id, and validates every answer (the guest is untrusted) before
 * the service sees it. Packets leave through a send callback and arrive
 * through enl_ic_host_recv(): VMBus rings in enl-host (vmbus.c), a socket in
 * the unit tests.
 */
#ifndef ENL_HOST_IC_HOST_H
#define ENL_HOST_IC_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ic.h"

typedef int (*enl_ic_send_fn)(void *tctx, const void *pkt, size_t len);

struct enl_ic_host_ops {
	const char *name;
	uint16_t msgtype;
	const uint32_t *srv_versions;	/* offered, newest first */
	size_t n_srv_versions;
	void (*ready)(void *ctx);	/* negotiation succeeded */
	/* A validated answer to our outstanding request. */
	void (*response)(void *ctx, const struct enl_ic_msg *m);
	void (*closed)(void *ctx);
};

enum enl_ic_host_state {
	ENL_IC_HOST_CLOSED,
	ENL_IC_HOST_NEGOTIATING,
	ENL_IC_HOST_READY,
	ENL_IC_HOST_NO_MATCH,		/* guest speaks none of our versions */
};

struct enl_ic_host_stats {
	unsigned long tx, tx_err, rx, rx_bad, rx_unexpected;
};

struct enl_ic_host {
	const struct enl_ic_host_ops *ops;
	void *ctx;
	enl_ic_send_fn send;
	void *tctx;
	struct enl_ic_versions versions;
	enum enl_ic_host_state state;
	uint32_t fw, srv;
	uint8_t next_tid, pending_tid;
	bool pending;
	struct enl_ic_host_stats stats;
	const char *last_error;
};

void enl_ic_host_init(struct enl_ic_host *h, const struct enl_ic_host_ops *ops,
		      void *ctx);
/* Restrict the offered service versions (tests, ctl); before open. */
void enl_ic_host_set_versions(struct enl_ic_host *h, const uint32_t *srv,
			      size_t n);
/* The channel is up: send NEGOTIATE. 0 or -errno. */
int enl_ic_host_open(struct enl_ic_host *h, enl_ic_send_fn send, void *tctx);
void enl_ic_host_close(struct enl_ic_host *h);
/* One packet from the guest: 0, or -errno when dropped (and counted). */
int enl_ic_host_recv(struct enl_ic_host *h, void *pkt, size_t len);
/* Send a request of the service's type; -ENOTCONN before negotiation. */
int enl_ic_host_request(struct enl_ic_host *h, const void *body, size_t len);

const char *enl_ic_host_state_name(enum enl_ic_host_state s);

#endif /* ENL_HOST_IC_HOST_H */
