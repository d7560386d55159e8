// SPDX-License-Identifier: GPL-2.0-only
/* Clipboard protocol engine: ownership, transfers, negotiation. */
#include "clip_engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clip_format.h"

static const uint32_t clip_srv_versions[] = { ENL_CLIP_VERSION_1_0 };
static const struct enl_ic_versions clip_versions =
	ENL_IC_VERSIONS(enl_ic_fw_versions, clip_srv_versions);

void enl_clip_init(struct enl_clip *e, enum enl_clip_role role,
		   const struct enl_clip_ops *ops, void *ctx, size_t cap)
{
	memset(e, 0, sizeof(*e));
	e->role = role;
	e->ops = ops;
	e->ctx = ctx;
	e->cap = cap ? cap : ENL_CLIP_DEFAULT_CAP;
	if (e->cap > ENL_CLIP_HARD_CAP)
		e->cap = ENL_CLIP_HARD_CAP;
	e->next_id = 1;
	e->max_chunk = ENL_CLIP_MAX_CHUNK;
}

void enl_clip_set_max_chunk(struct enl_clip *e, size_t n)
{
	e->max_chunk = n && n < ENL_CLIP_MAX_CHUNK ? n : ENL_CLIP_MAX_CHUNK;
}

static void free_local(struct enl_clip *e)
{
	for (size_t i = 0; i < e->n_local; i++)
		free(e->local[i].data);
	e->n_local = 0;
}

static void rx_reset(struct enl_clip *e)
{
	free(e->rx_buf);
	e->rx_buf = NULL;
	e->rx_active = e->rx_started = false;
	e->rx_total = e->rx_got = 0;
}

void enl_clip_free(struct enl_clip *e)
{
	rx_reset(e);
	free_local(e);
	e->tx_active = false;
}

/* ---- Sending ---------------------------------------------------------- */

/* Headers in front of the body_len bytes already at buf + BODY_OFFSET. */
static size_t frame(struct enl_clip *e, uint8_t *buf, size_t size,
		    uint16_t type, size_t body_len)
{
	struct enl_vmbuspipe_hdr *pipe = (void *)buf;
	struct enl_icmsg_hdr *hdr = (void *)(buf + ENL_ICMSG_HDR_OFFSET);

	enl_ic_build(buf, size, type, e->fw, e->srv, 0, NULL, 0);
	hdr->icmsgsize = (uint16_t)body_len;
	pipe->msgsize += (uint32_t)body_len;
	/* Not a transaction: nobody answers a clipboard packet in place. */
	hdr->icflags = ENL_ICMSGHDRFLAG_REQUEST;
	return ENL_ICMSG_BODY_OFFSET + body_len;
}

static int send_now(struct enl_clip *e, const void *pkt, size_t len)
{
	int ret = e->ops->send(e->ctx, pkt, len);

	if (ret == -EAGAIN)
		e->stats.tx_again++;
	else if (ret < 0)
		e->stats.tx_err++;
	else
		e->stats.tx++;
	return ret;
}

static void tx_next_chunk(struct enl_clip *e, size_t *len)
{
	struct enl_clip_data *d = (void *)(e->pkt + ENL_ICMSG_BODY_OFFSET);
	size_t left = e->tx_item->len - e->tx_off;
	size_t n = left < e->max_chunk ? left : e->max_chunk;

	memset(d, 0, sizeof(*d));
	d->hdr.type = ENL_CLIP_MSG_DATA;
	d->hdr.serial = e->tx_serial;
	d->request_id = e->tx_id;
	d->format = e->tx_format;
	d->total_len = e->tx_item->len;
	d->offset = e->tx_off;
	d->chunk_len = (uint32_t)n;
	if (n)
		memcpy(d->data, e->tx_item->data + e->tx_off, n);
	*len = frame(e, e->pkt, sizeof(e->pkt), ENL_ICMSGTYPE_CLIPBOARD,
		     sizeof(*d) + n);
}

/* Control packets first (in order), then the data stream. */
static int flush(struct enl_clip *e)
{
	int ret;

	while (e->n_ctrl) {
		ret = send_now(e, e->ctrlq[0].buf, e->ctrlq[0].len);
		if (ret == -EAGAIN)
			return ret;
		/* Sent or failed for good: either way it leaves the queue. */
		memmove(&e->ctrlq[0], &e->ctrlq[1],
			--e->n_ctrl * sizeof(e->ctrlq[0]));
		if (ret < 0)
			return ret;
	}
	while (e->tx_active && e->ready) {
		size_t len;

		tx_next_chunk(e, &len);
		ret = send_now(e, e->pkt, len);
		if (ret < 0) {
			if (ret != -EAGAIN)
				e->tx_active = false;
			return ret;
		}
		e->tx_sent_any = true;
		e->tx_off += len - ENL_ICMSG_BODY_OFFSET -
			     sizeof(struct enl_clip_data);
		if (e->tx_off == e->tx_item->len) {
			e->tx_active = false;
			e->stats.out_done++;
		}
	}
	return 0;
}

/* Queue a control message (body of body_len bytes) and try to send. */
static int send_ctrl(struct enl_clip *e, const void *body, size_t body_len)
{
	uint8_t *buf;
	int ret;

	if (!e->ready)
		return -ENOTCONN;
	if (e->n_ctrl == ENL_CLIP_CTRL_QUEUE) {
		/* A peer that reads nothing: forget the oldest. */
		memmove(&e->ctrlq[0], &e->ctrlq[1],
			--e->n_ctrl * sizeof(e->ctrlq[0]));
		e->stats.ctrl_dropped++;
	}
	buf = e->ctrlq[e->n_ctrl].buf;
	memcpy(buf + ENL_ICMSG_BODY_OFFSET, body, body_len);
	e->ctrlq[e->n_ctrl].len = frame(e, buf, ENL_CLIP_CTRL_MAX,
					ENL_ICMSGTYPE_CLIPBOARD, body_len);
	e->n_ctrl++;
	ret = flush(e);
	/* Queued is as good as sent: resume delivers it in order. */
	return ret == -EAGAIN ? 0 : ret;
}

static void send_error(struct enl_clip *e, uint32_t serial, uint32_t id,
		       uint32_t error)
{
	struct enl_clip_error m = {
		.hdr = { .type = ENL_CLIP_MSG_ERROR, .serial = serial },
		.request_id = id,
		.error = error,
	};

	send_ctrl(e, &m, sizeof(m));
}

static void announce(struct enl_clip *e)
{
	uint8_t body[sizeof(struct enl_clip_announce) +
		     ENL_CLIP_MAX_FORMATS * sizeof(struct enl_clip_format)];
	struct enl_clip_announce *a = (void *)body;

	memset(body, 0, sizeof(body));
	a->hdr.type = ENL_CLIP_MSG_ANNOUNCE;
	a->hdr.serial = e->owner_serial;
	a->count = (uint16_t)e->n_local;
	for (size_t i = 0; i < e->n_local; i++) {
		a->formats[i].format = e->local[i].format;
		a->formats[i].size = e->local[i].len;
	}
	send_ctrl(e, body, sizeof(*a) + e->n_local * sizeof(a->formats[0]));
}

int enl_clip_resume(struct enl_clip *e)
{
	return flush(e);
}

bool enl_clip_blocked(const struct enl_clip *e)
{
	return e->n_ctrl || (e->tx_active && e->ready);
}

/* ---- Ownership -------------------------------------------------------- */

/* Our request is over: tell the user (when it did not succeed). */
static void rx_fail(struct enl_clip *e, uint32_t error)
{
	uint32_t format = e->rx_format;

	if (!e->rx_active)
		return;
	rx_reset(e);
	if (e->ops->failed)
		e->ops->failed(e->ctx, format, error);
}

int enl_clip_set(struct enl_clip *e, const struct enl_clip_item *items,
		 size_t n)
{
	if (n > ENL_CLIP_MAX_FORMATS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!items[i].format || items[i].len > e->cap ||
		    (items[i].len && !items[i].data) ||
		    !enl_clip_payload_valid(items[i].format, items[i].data,
					    items[i].len))
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (items[j].format == items[i].format)
				return -EINVAL;
	}
	/* Whatever the peer was fetching or being sent is stale now. */
	e->tx_active = false;
	rx_fail(e, ENL_CLIP_ERR_STALE);
	free_local(e);
	for (size_t i = 0; i < n; i++) {
		uint8_t *copy = malloc(items[i].len ? items[i].len : 1);

		if (!copy) {
			free_local(e);
			return -ENOMEM;
		}
		if (items[i].len)
			memcpy(copy, items[i].data, items[i].len);
		e->local[i].format = items[i].format;
		e->local[i].data = copy;
		e->local[i].len = items[i].len;
		e->n_local = i + 1;
	}
	e->we_own = true;
	e->owner_serial = ++e->clock;
	e->owner_is_host = e->role == ENL_CLIP_HOST;
	memset(&e->remote, 0, sizeof(e->remote));
	if (e->ready)
		announce(e);
	return 0;
}

/* Does (serial, from_host) take ownership from the current owner? */
static bool wins(const struct enl_clip *e, uint32_t serial, bool from_host)
{
	if (!e->owner_serial)
		return true;
	if (serial != e->owner_serial)
		return serial > e->owner_serial;
	return from_host && !e->owner_is_host;
}

static int on_announce(struct enl_clip *e, const uint8_t *body, size_t len)
{
	const struct enl_clip_announce *a = (const void *)body;
	bool from_host = e->role == ENL_CLIP_GUEST;
	size_t n;

	if (len < sizeof(*a))
		return -EBADMSG;
	n = a->count;
	if (n > ENL_CLIP_MAX_FORMATS ||
	    len != sizeof(*a) + n * sizeof(a->formats[0])) {
		e->last_error = "announce count does not match its length";
		return -EBADMSG;
	}
	if (a->hdr.serial > e->clock)
		e->clock = a->hdr.serial;
	if (!wins(e, a->hdr.serial, from_host)) {
		/* Our own newer copy is on its way to the peer. */
		e->stats.rx_stale++;
		return 0;
	}
	e->we_own = false;
	e->owner_serial = a->hdr.serial;
	e->owner_is_host = from_host;
	e->tx_active = false;
	free_local(e);
	memset(&e->remote, 0, sizeof(e->remote));
	e->remote.serial = a->hdr.serial;
	for (size_t i = 0; i < n; i++) {
		e->remote.formats[e->remote.n] = a->formats[i].format;
		e->remote.sizes[e->remote.n] = a->formats[i].size;
		e->remote.n++;
	}
	if (e->rx_active && e->rx_serial != a->hdr.serial)
		rx_fail(e, ENL_CLIP_ERR_STALE);
	if (e->ops->announced)
		e->ops->announced(e->ctx, &e->remote);
	return 0;
}

/* ---- Requests --------------------------------------------------------- */

int enl_clip_request(struct enl_clip *e, uint32_t format)
{
	struct enl_clip_request r = { 0 };
	bool offered = false;
	int ret;

	if (!e->ready)
		return -ENOTCONN;
	for (size_t i = 0; !e->we_own && i < e->remote.n; i++)
		offered |= e->remote.formats[i] == format;
	if (!offered)
		return -ENOENT;
	/* One request at a time: the new one supersedes. */
	rx_reset(e);
	e->rx_active = true;
	e->rx_id = e->next_id++;
	e->rx_format = format;
	e->rx_serial = e->remote.serial;
	r.hdr.type = ENL_CLIP_MSG_REQUEST;
	r.hdr.serial = e->rx_serial;
	r.request_id = e->rx_id;
	r.format = format;
	r.max_size = e->cap;
	ret = send_ctrl(e, &r, sizeof(r));
	/* Not sent: no request is out, and no callback may report one. */
	if (ret < 0)
		rx_reset(e);
	return ret;
}

void enl_clip_cancel(struct enl_clip *e)
{
	if (!e->rx_active)
		return;
	send_error(e, e->rx_serial, e->rx_id, ENL_CLIP_ERR_CANCELLED);
	rx_reset(e);
}

static int on_request(struct enl_clip *e, const uint8_t *body, size_t len)
{
	const struct enl_clip_request *r = (const void *)body;
	const struct enl_clip_local *item = NULL;

	if (len != sizeof(*r))
		return -EBADMSG;
	if (!e->we_own || r->hdr.serial != e->owner_serial) {
		e->stats.rx_stale++;
		send_error(e, r->hdr.serial, r->request_id, ENL_CLIP_ERR_STALE);
		return 0;
	}
	for (size_t i = 0; i < e->n_local; i++)
		if (e->local[i].format == r->format)
			item = &e->local[i];
	if (!item) {
		send_error(e, r->hdr.serial, r->request_id,
			   ENL_CLIP_ERR_NO_FORMAT);
		return 0;
	}
	if (item->len > r->max_size) {
		send_error(e, r->hdr.serial, r->request_id,
			   ENL_CLIP_ERR_TOO_LARGE);
		return 0;
	}
	/* A new request from the peer supersedes the one we were serving. */
	e->tx_active = true;
	e->tx_id = r->request_id;
	e->tx_format = r->format;
	e->tx_serial = r->hdr.serial;
	e->tx_item = item;
	e->tx_off = 0;
	e->tx_sent_any = false;
	flush(e);
	return 0;
}

static int on_error(struct enl_clip *e, const uint8_t *body, size_t len)
{
	const struct enl_clip_error *m = (const void *)body;

	if (len != sizeof(*m))
		return -EBADMSG;
	if (e->rx_active && m->request_id == e->rx_id) {
		rx_fail(e, m->error ? m->error : ENL_CLIP_ERR_PROTOCOL);
		return 0;
	}
	if (e->tx_active && m->request_id == e->tx_id) {
		e->tx_active = false;	/* the requester gave up */
		return 0;
	}
	e->stats.rx_stale++;
	return 0;
}

/* A chunk that breaks the rules ends our request on both sides. */
static int rx_abort(struct enl_clip *e, uint32_t error, const char *why)
{
	e->last_error = why;
	send_error(e, e->rx_serial, e->rx_id, error);
	rx_fail(e, error);
	return -EBADMSG;
}

static int on_data(struct enl_clip *e, const uint8_t *body, size_t len)
{
	const struct enl_clip_data *d = (const void *)body;

	if (len < sizeof(*d) || d->chunk_len != len - sizeof(*d) ||
	    d->chunk_len > ENL_CLIP_MAX_CHUNK) {
		e->last_error = "chunk length does not match the packet";
		return -EBADMSG;
	}
	if (!e->rx_active || d->request_id != e->rx_id) {
		/* Late chunks of a superseded or cancelled request. */
		e->stats.rx_stale++;
		return 0;
	}
	if (d->format != e->rx_format || d->hdr.serial != e->rx_serial)
		return rx_abort(e, ENL_CLIP_ERR_PROTOCOL,
				"chunk of another format or serial");
	if (!e->rx_started) {
		if (d->total_len > e->cap) {
			e->stats.oversize++;
			return rx_abort(e, ENL_CLIP_ERR_TOO_LARGE,
					"total length above our cap");
		}
		if (d->offset)
			return rx_abort(e, ENL_CLIP_ERR_PROTOCOL,
					"first chunk not at offset 0");
		e->rx_buf = malloc(d->total_len ? d->total_len : 1);
		if (!e->rx_buf)
			return rx_abort(e, ENL_CLIP_ERR_INTERNAL,
					"out of memory");
		e->rx_total = d->total_len;
		e->rx_started = true;
	}
	if (d->total_len != e->rx_total || d->offset != e->rx_got ||
	    d->chunk_len > e->rx_total - e->rx_got)
		return rx_abort(e, ENL_CLIP_ERR_PROTOCOL,
				"chunk out of order or past the total");
	if (!d->chunk_len && e->rx_got != e->rx_total)
		return rx_abort(e, ENL_CLIP_ERR_PROTOCOL, "empty chunk");
	memcpy(e->rx_buf + e->rx_got, d->data, d->chunk_len);
	e->rx_got += d->chunk_len;
	if (e->rx_got < e->rx_total)
		return 0;
	if (!enl_clip_payload_valid(e->rx_format, e->rx_buf, e->rx_total))
		return rx_abort(e, ENL_CLIP_ERR_PROTOCOL,
				"payload invalid for its format");
	e->stats.in_done++;
	{
		uint8_t *buf = e->rx_buf;
		uint32_t format = e->rx_format;
		size_t total = e->rx_total;

		/* Detach first: the callback may start the next request. */
		e->rx_buf = NULL;
		rx_reset(e);
		if (e->ops->received)
			e->ops->received(e->ctx, format, buf, total);
		free(buf);
	}
	return 0;
}

/* ---- Channel ---------------------------------------------------------- */

static void became_ready(struct enl_clip *e)
{
	e->ready = true;
	e->n_ctrl = 0;
	if (e->ops->ready)
		e->ops->ready(e->ctx);
	if (e->we_own)
		announce(e);
}

int enl_clip_open(struct enl_clip *e)
{
	int n;

	e->ready = false;
	if (e->role == ENL_CLIP_GUEST)
		return 0;
	e->neg_tid++;
	n = enl_ic_build_negotiate(e->pkt, sizeof(e->pkt), &clip_versions,
				   e->neg_tid);
	if (n < 0)
		return n;
	return send_now(e, e->pkt, (size_t)n);
}

void enl_clip_close(struct enl_clip *e)
{
	e->ready = false;
	e->n_ctrl = 0;
	e->tx_active = false;
	rx_fail(e, ENL_CLIP_ERR_CANCELLED);
	if (!e->we_own) {
		memset(&e->remote, 0, sizeof(e->remote));
		e->owner_serial = 0;
	}
}

static int on_negotiate(struct enl_clip *e, struct enl_ic_msg *m)
{
	const char *why = NULL;
	size_t resp_len = m->len;
	int ret;

	if (e->role == ENL_CLIP_HOST) {
		if (!(m->hdr->icflags & ENL_ICMSGHDRFLAG_RESPONSE) ||
		    m->hdr->ictransaction_id != e->neg_tid || e->ready)
			return -EBADMSG;
		ret = enl_ic_negotiate_result(m, &clip_versions, &e->fw,
					      &e->srv, &why);
		if (ret < 0) {
			e->last_error = why ? why : "no common version";
			return ret;
		}
		became_ready(e);
		return 0;
	}
	/* Guest: a (re)negotiation restarts the channel. */
	enl_clip_close(e);
	ret = enl_ic_negotiate_answer(m, sizeof(e->pkt), &clip_versions,
				      &e->fw, &e->srv, &resp_len, &why);
	send_now(e, m->pkt, resp_len);
	if (ret < 0) {
		e->last_error = why ? why : "no common version";
		return ret;
	}
	became_ready(e);
	return 0;
}

int enl_clip_recv(struct enl_clip *e, const void *pkt, size_t len)
{
	const struct enl_clip_hdr *h;
	struct enl_ic_msg m;
	const char *why = NULL;
	int ret;

	e->stats.rx++;
	/* A private copy: negotiation answers in place, the caller's is const. */
	if (len > sizeof(e->pkt)) {
		e->stats.rx_bad++;
		e->last_error = "packet larger than any clipboard message";
		return -EMSGSIZE;
	}
	memcpy(e->pkt, pkt, len);
	if (enl_ic_parse(e->pkt, len, &m, &why) < 0) {
		e->stats.rx_bad++;
		e->last_error = why;
		return -EBADMSG;
	}
	if (m.hdr->icmsgtype == ENL_ICMSGTYPE_NEGOTIATE) {
		ret = on_negotiate(e, &m);
		if (ret == -EBADMSG)
			e->stats.rx_bad++;
		return ret;
	}
	if (m.hdr->icmsgtype != ENL_ICMSGTYPE_CLIPBOARD) {
		e->stats.rx_unknown++;
		return -ENOMSG;
	}
	if (!e->ready || m.body_len < sizeof(*h)) {
		e->stats.rx_bad++;
		e->last_error = e->ready ? "short clipboard message" :
			"clipboard message before negotiation";
		return -EBADMSG;
	}
	h = (const void *)m.body;
	switch (h->type) {
	case ENL_CLIP_MSG_ANNOUNCE:
		ret = on_announce(e, m.body, m.body_len);
		break;
	case ENL_CLIP_MSG_REQUEST:
		ret = on_request(e, m.body, m.body_len);
		break;
	case ENL_CLIP_MSG_DATA:
		ret = on_data(e, m.body, m.body_len);
		break;
	case ENL_CLIP_MSG_ERROR:
		ret = on_error(e, m.body, m.body_len);
		break;
	default:
		e->stats.rx_unknown++;
		return -ENOMSG;
	}
	if (ret < 0)
		e->stats.rx_bad++;
	return ret;
}
