// SPDX-License-Identifier: GPL-2.0-only
/* Host end of an IC channel: negotiation and request/answer (ic_host.h). */
#include "ic_host.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#define IC_HOST_BUF	8192

void enl_ic_host_init(struct enl_ic_host *h, const struct enl_ic_host_ops *ops,
		      void *ctx)
{
	memset(h, 0, sizeof(*h));
	h->ops = ops;
	h->ctx = ctx;
	h->versions.fw = enl_ic_fw_versions;
	h->versions.n_fw = G_N_ELEMENTS(enl_ic_fw_versions);
	h->versions.srv = ops->srv_versions;
	h->versions.n_srv = ops->n_srv_versions;
}

void enl_ic_host_set_versions(struct enl_ic_host *h, const uint32_t *srv,
			      size_t n)
{
	h->versions.srv = srv;
	h->versions.n_srv = n;
}

static int send_pkt(struct enl_ic_host *h, const void *pkt, size_t len)
{
	int ret = h->send(h->tctx, pkt, len);

	if (ret < 0)
		h->stats.tx_err++;
	else
		h->stats.tx++;
	return ret;
}

int enl_ic_host_open(struct enl_ic_host *h, enl_ic_send_fn send, void *tctx)
{
	uint8_t buf[IC_HOST_BUF];
	int len;

	h->send = send;
	h->tctx = tctx;
	h->state = ENL_IC_HOST_NEGOTIATING;
	h->fw = h->srv = 0;
	h->last_error = NULL;
	h->pending_tid = h->next_tid++;
	h->pending = true;
	len = enl_ic_build_negotiate(buf, sizeof(buf), &h->versions,
				     h->pending_tid);
	if (len < 0)
		return len;
	return send_pkt(h, buf, (size_t)len);
}

void enl_ic_host_close(struct enl_ic_host *h)
{
	if (h->state == ENL_IC_HOST_CLOSED)
		return;
	h->state = ENL_IC_HOST_CLOSED;
	h->pending = false;
	h->send = NULL;
	if (h->ops->closed)
		h->ops->closed(h->ctx);
}

static int bad(struct enl_ic_host *h, const char *why)
{
	h->stats.rx_bad++;
	h->last_error = why;
	g_warning("ic %s: bad packet from guest: %s", h->ops->name, why);
	return -EBADMSG;
}

static void negotiated(struct enl_ic_host *h, const struct enl_ic_msg *m)
{
	const char *why = NULL;
	char a[16], b[16];
	int ret;

	ret = enl_ic_negotiate_result(m, &h->versions, &h->fw, &h->srv, &why);
	if (ret == -ENOTSUP) {
		h->state = ENL_IC_HOST_NO_MATCH;
		h->last_error = "no common version";
		g_warning("ic %s: the guest speaks none of our versions",
			  h->ops->name);
		return;
	}
	if (ret < 0) {
		h->state = ENL_IC_HOST_NO_MATCH;
		bad(h, why);
		return;
	}
	h->state = ENL_IC_HOST_READY;
	g_message("ic %s: negotiated framework %s, service %s", h->ops->name,
		  enl_ic_version_str(h->fw, a, sizeof(a)),
		  enl_ic_version_str(h->srv, b, sizeof(b)));
	if (h->ops->ready)
		h->ops->ready(h->ctx);
}

int enl_ic_host_recv(struct enl_ic_host *h, void *pkt, size_t len)
{
	struct enl_ic_msg m;
	const char *why = NULL;

	h->stats.rx++;
	if (enl_ic_parse(pkt, len, &m, &why) < 0)
		return bad(h, why);
	if (!(m.hdr->icflags & ENL_ICMSGHDRFLAG_RESPONSE))
		return bad(h, "guest sent a request; ICs are host-driven");
	if (!h->pending || m.hdr->ictransaction_id != h->pending_tid) {
		h->stats.rx_unexpected++;
		h->last_error = "answer to no outstanding request";
		return -ENOMSG;
	}
	if (h->state == ENL_IC_HOST_NEGOTIATING) {
		if (m.hdr->icmsgtype != ENL_ICMSGTYPE_NEGOTIATE)
			return bad(h, "expected a negotiate answer");
		h->pending = false;
		negotiated(h, &m);
		return 0;
	}
	if (h->state != ENL_IC_HOST_READY || m.hdr->icmsgtype != h->ops->msgtype)
		return bad(h, "answer of the wrong message type");
	h->pending = false;
	if (h->ops->response)
		h->ops->response(h->ctx, &m);
	return 0;
}

int enl_ic_host_request(struct enl_ic_host *h, const void *body, size_t len)
{
	uint8_t buf[IC_HOST_BUF];
	int n;

	if (h->state != ENL_IC_HOST_READY)
		return -ENOTCONN;
	h->pending_tid = h->next_tid++;
	h->pending = true;
	n = enl_ic_build(buf, sizeof(buf), h->ops->msgtype, h->fw, h->srv,
			 h->pending_tid, body, len);
	if (n < 0)
		return n;
	return send_pkt(h, buf, (size_t)n);
}

const char *enl_ic_host_state_name(enum enl_ic_host_state s)
{
	switch (s) {
	case ENL_IC_HOST_CLOSED:	return "closed";
	case ENL_IC_HOST_NEGOTIATING:	return "negotiating";
	case ENL_IC_HOST_READY:		return "ready";
	case ENL_IC_HOST_NO_MATCH:	return "no common version";
	}
	return "?";
}
