// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over the clipboard engine (common/proto/
 * clip_engine.c), as the guest (enl-clipboardd) and as the host (enl-host's
 * clipboard service), fed peer packets after a valid negotiation. The
 * harness plays a peer that reads the engine's state, so its ANNOUNCE,
 * REQUEST, DATA and ERROR messages are about the transfer under way, and
 * the fuzzer bends them from there. The receive cap is 4 to 32 KiB, so
 * memory stays bounded whatever total_len the peer claims.
 *
 * Input: [setup][max chunk] then records (fuzz.h):
 *	op & 3 == 0	raw packet: the bytes (0x10: off bytes of them
 *			repeated, past the largest clipboard packet)
 *	op & 3 == 1	a clipboard message of type (a & 3) + 1, shaped by a
 *			and the op flags (see message())
 *	op & 3 == 2	a local action: copy, request, cancel, resume, send
 *			failures, close and reopen
 *	op & 3 == 3	negotiation: a well-formed NEGOTIATE (guest role) or
 *			answer (host role) with the bytes laid over it at off
 * setup: & 1 host role, & 2 leaves negotiation to the records, >> 2 & 3
 * picks the cap.
 */
#include "clip_engine.h"
#include "clip_format.h"
#include "fuzz.h"

static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
				    '\n' };
static const uint32_t formats[] = {
	ENL_CLIP_FMT_TEXT, ENL_CLIP_FMT_PNG, ENL_CLIP_FMT_HTML,
	ENL_CLIP_FMT_URI_LIST, 0x4242,
};

static const uint32_t clip_srv[] = { ENL_CLIP_VERSION_1_0 };

#define PKT_MAX	(ENL_CLIP_MAX_PKT_SIZE + 64)

static struct {
	struct enl_clip e;
	int send_mode;			/* 0 sent, 1 -EAGAIN, 2 -EIO */
	uint8_t neg[PKT_MAX];		/* the host engine's last NEGOTIATE */
	size_t neg_len;
	bool requested;
	uint32_t req_format;
	unsigned long received, failed, announced;
} C;

/* ---- The engine's ops: every packet it sends is checked --------------- */

static void check_sent(const uint8_t *pkt, size_t len)
{
	uint8_t copy[PKT_MAX];
	const struct enl_clip_hdr *h;
	struct enl_ic_msg m;
	const char *why;

	FUZZ_ASSERT(len <= sizeof(C.e.pkt));
	memcpy(copy, pkt, len);
	FUZZ_ASSERT(enl_ic_parse(copy, len, &m, &why) == 0);
	/*
	 * A negotiate answer keeps the request's length, as ICs do, padding
	 * included; what the engine says on its own fits a clipboard packet.
	 */
	if (m.hdr->icmsgtype == ENL_ICMSGTYPE_NEGOTIATE)
		return;
	FUZZ_ASSERT(len <= ENL_CLIP_MAX_PKT_SIZE);
	FUZZ_ASSERT(m.body_len == len - ENL_ICMSG_BODY_OFFSET);
	FUZZ_ASSERT(m.hdr->icmsgtype == ENL_ICMSGTYPE_CLIPBOARD);
	FUZZ_ASSERT(m.body_len >= sizeof(*h));
	h = (const void *)m.body;
	switch (h->type) {
	case ENL_CLIP_MSG_ANNOUNCE: {
		const struct enl_clip_announce *a = (const void *)m.body;

		FUZZ_ASSERT(a->count <= ENL_CLIP_MAX_FORMATS);
		FUZZ_ASSERT(m.body_len == sizeof(*a) +
			    a->count * sizeof(a->formats[0]));
		break;
	}
	case ENL_CLIP_MSG_REQUEST:
		FUZZ_ASSERT(m.body_len == sizeof(struct enl_clip_request));
		break;
	case ENL_CLIP_MSG_DATA: {
		const struct enl_clip_data *d = (const void *)m.body;

		FUZZ_ASSERT(m.body_len >= sizeof(*d));
		FUZZ_ASSERT(d->chunk_len == m.body_len - sizeof(*d));
		FUZZ_ASSERT(d->chunk_len <= C.e.max_chunk);
		FUZZ_ASSERT(d->offset + d->chunk_len <= d->total_len);
		break;
	}
	case ENL_CLIP_MSG_ERROR:
		FUZZ_ASSERT(m.body_len == sizeof(struct enl_clip_error));
		break;
	default:
		FUZZ_ASSERT(!"the engine sent an unknown message type");
	}
}

static int clip_send(void *ctx, const void *pkt, size_t len)
{
	const struct enl_icmsg_hdr *hdr =
		(const void *)((const uint8_t *)pkt + ENL_ICMSG_HDR_OFFSET);

	(void)ctx;
	check_sent(pkt, len);
	if (C.send_mode == 1)
		return -EAGAIN;
	if (C.send_mode == 2)
		return -EIO;
	if (hdr->icmsgtype == ENL_ICMSGTYPE_NEGOTIATE &&
	    !(hdr->icflags & ENL_ICMSGHDRFLAG_RESPONSE)) {
		memcpy(C.neg, pkt, len);
		C.neg_len = len;
	}
	return 0;
}

static void on_ready(void *ctx)
{
	(void)ctx;
}

static void on_announced(void *ctx, const struct enl_clip_offer *o)
{
	(void)ctx;
	C.announced++;
	FUZZ_ASSERT(o->n <= ENL_CLIP_MAX_FORMATS);
}

/* What reaches the user is whole, within the cap and valid for its format. */
static void on_received(void *ctx, uint32_t format, const uint8_t *data,
			size_t len)
{
	(void)ctx;
	C.received++;
	FUZZ_ASSERT(C.requested && format == C.req_format);
	FUZZ_ASSERT(len <= C.e.cap);
	FUZZ_ASSERT(enl_clip_payload_valid(format, data, len));
	C.requested = false;
}

static void on_failed(void *ctx, uint32_t format, uint32_t error)
{
	(void)ctx;
	C.failed++;
	FUZZ_ASSERT(C.requested && format == C.req_format);
	FUZZ_ASSERT(error != 0);
	C.requested = false;
}

static const struct enl_clip_ops ops = {
	.send = clip_send,
	.ready = on_ready,
	.announced = on_announced,
	.received = on_received,
	.failed = on_failed,
};

/* ---- The peer ------------------------------------------------------------ */

static void deliver(const void *pkt, size_t len)
{
	enl_clip_recv(&C.e, pkt, len);
	/* Whatever the peer claims, we hold at most cap bytes of it. */
	FUZZ_ASSERT(!C.e.rx_buf || C.e.rx_total <= C.e.cap);
	FUZZ_ASSERT(C.e.n_ctrl <= ENL_CLIP_CTRL_QUEUE);
}

/* Headers for a body already at pkt + ENL_ICMSG_BODY_OFFSET. */
static size_t frame(uint8_t *pkt, uint16_t type, size_t body_len)
{
	uint8_t body[PKT_MAX];
	int n;

	memcpy(body, pkt + ENL_ICMSG_BODY_OFFSET, body_len);
	n = enl_ic_build(pkt, PKT_MAX, type, ENL_IC_FW_VERSION_3_0,
			 ENL_CLIP_VERSION_1_0, 0, body, body_len);
	FUZZ_ASSERT(n > 0);
	((struct enl_icmsg_hdr *)(pkt + ENL_ICMSG_HDR_OFFSET))->icflags =
		ENL_ICMSGHDRFLAG_REQUEST;
	return (size_t)n;
}

/* The negotiation packet a well-behaved peer sends next, in pkt. */
static size_t negotiation(uint8_t *pkt)
{
	struct enl_ic_versions v = ENL_IC_VERSIONS(enl_ic_fw_versions,
						   clip_srv);
	struct enl_ic_msg m;
	const char *why;
	uint32_t fw, srv;
	size_t len;
	int n;

	if (C.e.role == ENL_CLIP_GUEST) {
		n = enl_ic_build_negotiate(pkt, PKT_MAX, &v, 1);
		FUZZ_ASSERT(n > 0);
		return (size_t)n;
	}
	if (!C.neg_len)
		return 0;
	memcpy(pkt, C.neg, C.neg_len);
	if (enl_ic_parse(pkt, C.neg_len, &m, &why) < 0)
		return 0;
	enl_ic_negotiate_answer(&m, PKT_MAX, &v, &fw, &srv, &len, &why);
	return len;
}

static void negotiate(const struct rec *r)
{
	uint8_t pkt[PKT_MAX];
	size_t len = negotiation(pkt), off;

	if (!len)
		return;
	if (r) {
		off = r->off % (len + 1);
		memcpy(pkt + off, r->p, r->len);
		if (off + r->len > len)
			len = off + r->len;
	}
	deliver(pkt, len);
}

static void raw(const struct rec *r)
{
	static uint8_t big[PKT_MAX + 256];

	fuzz_raw(r, big, sizeof(big), deliver);
}

/*
 * One message about the engine's current state:
 *	ANNOUNCE	(a >> 2) & 15 formats; serial = clock + (op >> 4 & 3)
 *	REQUEST		our serial (0x10: the next one), format (a >> 2) % 5,
 *			max_size tiny with 0x20
 *	DATA		the next chunk of our request: the bytes; 0x10
 *			another request id, 0x20 total_len + (a >> 2),
 *			0x40 the bytes laid over the header at off
 *	ERROR		about our request (a & 4) or the one we serve
 */
static void message(const struct rec *r)
{
	uint8_t pkt[PKT_MAX];
	uint8_t *body = pkt + ENL_ICMSG_BODY_OFFSET;
	size_t len = 0, off;

	memset(pkt, 0, ENL_ICMSG_BODY_OFFSET + sizeof(struct enl_clip_data) +
	       256);
	switch ((r->a & 3) + 1) {
	case ENL_CLIP_MSG_ANNOUNCE: {
		struct enl_clip_announce *a = (void *)body;
		size_t n = (r->a >> 2) & 15;

		a->hdr.type = ENL_CLIP_MSG_ANNOUNCE;
		a->hdr.serial = C.e.clock + ((r->op >> 4) & 3);
		a->count = (uint16_t)n;
		for (size_t i = 0; i < n; i++) {
			a->formats[i].format = formats[i % 5] + (uint32_t)(i / 5);
			a->formats[i].size = i * 10;
		}
		len = sizeof(*a) + n * sizeof(a->formats[0]);
		break;
	}
	case ENL_CLIP_MSG_REQUEST: {
		struct enl_clip_request *q = (void *)body;

		q->hdr.type = ENL_CLIP_MSG_REQUEST;
		q->hdr.serial = C.e.owner_serial + (r->op & 0x10 ? 1 : 0);
		q->request_id = r->off;
		q->format = formats[(r->a >> 2) % 5];
		q->max_size = r->op & 0x20 ? 4 : UINT64_MAX;
		len = sizeof(*q);
		break;
	}
	case ENL_CLIP_MSG_DATA: {
		struct enl_clip_data *d = (void *)body;

		d->hdr.type = ENL_CLIP_MSG_DATA;
		d->hdr.serial = C.e.rx_serial;
		d->request_id = C.e.rx_id + (r->op & 0x10 ? 1 : 0);
		d->format = C.e.rx_format;
		d->offset = C.e.rx_got;
		d->total_len = C.e.rx_started ? C.e.rx_total :
			       C.e.rx_got + r->len;
		if (r->op & 0x20)
			d->total_len += r->a >> 2;
		d->chunk_len = (uint32_t)r->len;
		memcpy(d->data, r->p, r->len);
		len = sizeof(*d) + r->len;
		if (r->op & 0x40) {
			off = r->off % (len + 1);
			memcpy(body + off, r->p, r->len);
			if (off + r->len > len)
				len = off + r->len;
		}
		break;
	}
	case ENL_CLIP_MSG_ERROR: {
		struct enl_clip_error *m = (void *)body;

		m->hdr.type = ENL_CLIP_MSG_ERROR;
		m->hdr.serial = r->a & 4 ? C.e.rx_serial : C.e.tx_serial;
		m->request_id = r->a & 4 ? C.e.rx_id : C.e.tx_id;
		m->error = r->a >> 3;
		len = sizeof(*m);
		break;
	}
	}
	deliver(pkt, frame(pkt, ENL_ICMSGTYPE_CLIPBOARD, len));
}

/* Copy: up to three items cut from the bytes (PNG ones get a signature). */
static void copy(const struct rec *r)
{
	struct enl_clip_item items[3];
	uint8_t png[8 + 256];
	size_t n = r->off % 4, at = 0;

	for (size_t i = 0; i < n; i++) {
		size_t take = (r->len - at) / (n - i);

		items[i].format = formats[(r->a + i) % 5];
		items[i].data = r->p + at;
		items[i].len = take;
		if (items[i].format == ENL_CLIP_FMT_PNG && (r->op & 0x10)) {
			memcpy(png, png_sig, 8);
			memcpy(png + 8, r->p + at, take);
			items[i].data = png;
			items[i].len = take + 8;
		}
		at += take;
	}
	enl_clip_set(&C.e, items, n);
}

static void action(const struct rec *r)
{
	uint32_t format;

	switch (r->a % 6) {
	case 0:
		copy(r);
		break;
	case 1:
		format = (r->op & 0x10) && C.e.remote.n ?
			 C.e.remote.formats[r->off % C.e.remote.n] :
			 formats[(r->a >> 3) % 5];
		if (enl_clip_request(&C.e, format) == 0) {
			C.requested = true;
			C.req_format = format;
		} else if (!C.e.rx_active) {
			/* It superseded ours, then could not be sent. */
			C.requested = false;
		}
		break;
	case 2:
		enl_clip_cancel(&C.e);
		if (!C.e.rx_active)
			C.requested = false;
		break;
	case 3:
		enl_clip_resume(&C.e);
		break;
	case 4:
		C.send_mode = r->off % 3;
		break;
	case 5:
		enl_clip_close(&C.e);
		C.neg_len = 0;
		enl_clip_open(&C.e);
		if (!(r->op & 0x10))
			negotiate(NULL);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec r;
	uint8_t setup;

	if (size < 2)
		return 0;
	setup = data[0];
	C.send_mode = 0;
	C.neg_len = 0;
	C.requested = false;
	enl_clip_init(&C.e, setup & 1 ? ENL_CLIP_HOST : ENL_CLIP_GUEST, &ops,
		      NULL, (size_t)4096 << ((setup >> 2) & 3));
	enl_clip_set_max_chunk(&C.e, (size_t)data[1] * 64);
	data += 2;
	size -= 2;
	enl_clip_open(&C.e);
	if (!(setup & 2))
		negotiate(NULL);

	while (rec_next(&data, &size, &r)) {
		switch (r.op & 3) {
		case 0:
			raw(&r);
			break;
		case 1:
			message(&r);
			break;
		case 2:
			action(&r);
			break;
		case 3:
			negotiate(&r);
			break;
		}
		/* A request we made ends in received or failed, never silently. */
		FUZZ_ASSERT(C.e.rx_active || !C.requested);
	}
	enl_clip_free(&C.e);
	return 0;
}

/* ---- Seeds ------------------------------------------------------------ */

static void seeds(const char *dir, GByteArray *s)
{
	static const char text[] = "hello, clipboard \xe2\x9c\x93";
	char name[32];

	for (int role = 0; role < 2; role++) {
		/* The peer copies text; we fetch it in one and in two chunks. */
		g_byte_array_append(s, (const uint8_t[]){ (uint8_t)role, 0 }, 2);
		seed_rec(s, 1, 0 | 1 << 2, 0, NULL, 0);		/* ANNOUNCE */
		seed_rec(s, 2, 1, 0, NULL, 0);			/* request */
		seed_rec(s, 1, 2, 0, text, sizeof(text) - 1);	/* DATA */
		seed_rec(s, 2, 1, 0, NULL, 0);
		seed_rec(s, 0x21, 2 | 9 << 2, 0, text, 9);	/* DATA +9 */
		seed_rec(s, 1, 2, 0, text + 9, sizeof(text) - 10);
		snprintf(name, sizeof(name), "fetch-%d", role);
		seed_write(dir, name, s);

		/* We copy text and PNG; the peer fetches, then cancels. */
		g_byte_array_append(s, (const uint8_t[]){ (uint8_t)role, 1 }, 2);
		seed_rec(s, 0x12, 0, 2, text, sizeof(text) - 1);	/* copy */
		seed_rec(s, 1, 1, 1, NULL, 0);			/* REQUEST */
		seed_rec(s, 1, 1 | 1 << 2, 2, NULL, 0);
		seed_rec(s, 1, 3, 2, NULL, 0);			/* ERROR */
		seed_rec(s, 2, 4, 1, NULL, 0);			/* EAGAIN */
		seed_rec(s, 1, 1, 3, NULL, 0);
		seed_rec(s, 2, 4, 0, NULL, 0);
		seed_rec(s, 2, 3, 0, NULL, 0);			/* resume */
		snprintf(name, sizeof(name), "serve-%d", role);
		seed_write(dir, name, s);

		/* Both copy at once; then the channel restarts. */
		g_byte_array_append(s, (const uint8_t[]){ (uint8_t)role, 0 }, 2);
		seed_rec(s, 2, 0, 1, text, 5);
		seed_rec(s, 1, 0 | 3 << 2, 0, NULL, 0);
		seed_rec(s, 0x11, 0 | 2 << 2, 0, NULL, 0);
		seed_rec(s, 2, 5, 0, NULL, 0);
		seed_rec(s, 3, 0, 0, NULL, 0);
		snprintf(name, sizeof(name), "race-%d", role);
		seed_write(dir, name, s);
	}
}

FUZZ_INITIALIZE_WITH_SEEDS(seeds)
