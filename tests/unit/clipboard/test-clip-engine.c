// SPDX-License-Identifier: GPL-2.0-only
/*
 * The clipboard engine, guest against host over a SEQPACKET socketpair with
 * small socket buffers (so -EAGAIN and resume are exercised): negotiation,
 * both directions, ownership races, caps, cancel, a 10 MiB transfer, and
 * malformed input injected raw.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib.h>

#include "clip_engine.h"
#include "tap.h"

struct side {
	struct enl_clip e;
	int fd;
	int ready, announced, received, failed;
	uint32_t last_format, last_error;
	struct enl_clip_offer offer;
	uint8_t *data;
	size_t len;
};

static struct side host, guest;
static uint8_t buf[ENL_CLIP_MAX_PKT_SIZE + 64];

static int sock_send(void *ctx, const void *pkt, size_t len)
{
	struct side *s = ctx;
	ssize_t n = send(s->fd, pkt, len, MSG_DONTWAIT);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return 0;
}

static void on_ready(void *ctx)
{
	((struct side *)ctx)->ready++;
}

static void on_announced(void *ctx, const struct enl_clip_offer *o)
{
	struct side *s = ctx;

	s->announced++;
	s->offer = *o;
}

static void on_received(void *ctx, uint32_t format, const uint8_t *data,
			size_t len)
{
	struct side *s = ctx;

	s->received++;
	s->last_format = format;
	g_free(s->data);
	s->data = g_memdup2(data, len ? len : 1);
	s->len = len;
}

static void on_failed(void *ctx, uint32_t format, uint32_t error)
{
	struct side *s = ctx;

	s->failed++;
	s->last_format = format;
	s->last_error = error;
}

static const struct enl_clip_ops ops = {
	.send = sock_send,
	.ready = on_ready,
	.announced = on_announced,
	.received = on_received,
	.failed = on_failed,
};

/* Move packets both ways until neither side has anything to say. */
static void pump(void)
{
	int progress;

	do {
		struct side *sides[2] = { &host, &guest };

		progress = 0;
		for (int i = 0; i < 2; i++) {
			struct side *s = sides[i];
			ssize_t n;

			if (enl_clip_blocked(&s->e) &&
			    enl_clip_resume(&s->e) != -EAGAIN)
				progress = 1;
			while ((n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
				enl_clip_recv(&s->e, buf, (size_t)n);
				progress = 1;
			}
		}
	} while (progress);
}

static void setup(size_t host_cap, size_t guest_cap)
{
	int sv[2], small = 32768;

	enl_clip_free(&host.e);
	enl_clip_free(&guest.e);
	if (host.fd)
		close(host.fd), close(guest.fd);
	g_free(host.data);
	g_free(guest.data);
	memset(&host, 0, sizeof(host));
	memset(&guest, 0, sizeof(guest));
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	host.fd = sv[0];
	guest.fd = sv[1];
	enl_clip_init(&host.e, ENL_CLIP_HOST, &ops, &host, host_cap);
	enl_clip_init(&guest.e, ENL_CLIP_GUEST, &ops, &guest, guest_cap);
}

static void connect_sides(void)
{
	enl_clip_open(&guest.e);
	enl_clip_open(&host.e);
	pump();
}

static int set1(struct side *s, uint32_t format, const void *data, size_t len)
{
	struct enl_clip_item it = { format, data, len };

	return enl_clip_set(&s->e, &it, 1);
}

/* ---- Raw packets for malformed input ---------------------------------- */

static size_t raw_pkt(const struct side *from, uint8_t *pkt, const void *body,
		      size_t body_len)
{
	int n = enl_ic_build(pkt, ENL_CLIP_MAX_PKT_SIZE + 64,
			     ENL_ICMSGTYPE_CLIPBOARD, from->e.fw, from->e.srv,
			     0, body, body_len);

	return n < 0 ? 0 : (size_t)n;
}

/* Feed a raw DATA chunk to the guest as if from the host. */
static int raw_data(uint32_t id, uint32_t format, uint64_t total,
		    uint64_t off, const void *data, uint32_t n, int32_t lie)
{
	static uint8_t body[sizeof(struct enl_clip_data) + ENL_CLIP_MAX_CHUNK];
	static uint8_t pkt[ENL_CLIP_MAX_PKT_SIZE + 64];
	struct enl_clip_data *d = (void *)body;

	memset(d, 0, sizeof(*d));
	d->hdr.type = ENL_CLIP_MSG_DATA;
	d->hdr.serial = guest.e.rx_serial;
	d->request_id = id;
	d->format = format;
	d->total_len = total;
	d->offset = off;
	d->chunk_len = n + lie;
	memcpy(d->data, data, n);
	return enl_clip_recv(&guest.e, pkt,
			     raw_pkt(&host, pkt, body, sizeof(*d) + n));
}

/* ---- Tests ------------------------------------------------------------ */

static void test_basic(void)
{
	static const char text[] = "Hello, h\xc3\xb4te! \xf0\x9f\x93\x8b";
	static const uint8_t png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
				       '\n', 1, 2, 3 };
	struct enl_clip_item two[2] = {
		{ ENL_CLIP_FMT_TEXT, (const uint8_t *)"both", 4 },
		{ ENL_CLIP_FMT_PNG, png, sizeof(png) },
	};

	setup(0, 0);
	tap_ok(set1(&host, ENL_CLIP_FMT_TEXT, text, strlen(text)) == 0,
	       "host copies before the channel is up");
	tap_ok(enl_clip_request(&guest.e, ENL_CLIP_FMT_TEXT) == -ENOTCONN,
	       "no requests before negotiation");
	connect_sides();
	tap_ok(host.ready == 1 && guest.ready == 1 &&
	       host.e.srv == ENL_CLIP_VERSION_1_0 && guest.e.srv == host.e.srv,
	       "negotiated clipboard 1.0 on both sides");
	tap_ok(guest.announced == 1 && guest.offer.n == 1 &&
	       guest.offer.formats[0] == ENL_CLIP_FMT_TEXT &&
	       guest.offer.sizes[0] == strlen(text),
	       "the pending copy is announced once negotiated");
	tap_ok(enl_clip_request(&guest.e, ENL_CLIP_FMT_PNG) == -ENOENT,
	       "requesting a format not offered: -ENOENT");
	tap_ok(enl_clip_request(&host.e, ENL_CLIP_FMT_TEXT) == -ENOENT,
	       "the owner cannot request from itself");
	enl_clip_request(&guest.e, ENL_CLIP_FMT_TEXT);
	pump();
	tap_ok(guest.received == 1 && guest.len == strlen(text) &&
	       !memcmp(guest.data, text, guest.len), "host to guest: text");

	tap_ok(enl_clip_set(&guest.e, two, 2) == 0, "guest copies text + png");
	pump();
	tap_ok(host.announced == 1 && host.offer.n == 2 && !host.e.we_own &&
	       guest.e.we_own, "ownership moved to the guest");
	enl_clip_request(&host.e, ENL_CLIP_FMT_PNG);
	pump();
	tap_ok(host.received == 1 && host.last_format == ENL_CLIP_FMT_PNG &&
	       host.len == sizeof(png) && !memcmp(host.data, png, sizeof(png)),
	       "guest to host: png");
	enl_clip_request(&host.e, ENL_CLIP_FMT_TEXT);
	pump();
	tap_ok(host.received == 2 && host.len == 4 &&
	       !memcmp(host.data, "both", 4), "guest to host: text of the same copy");

	tap_ok(set1(&host, ENL_CLIP_FMT_TEXT, "", 0) == 0, "empty text copied");
	pump();
	enl_clip_request(&guest.e, ENL_CLIP_FMT_TEXT);
	pump();
	tap_ok(guest.received == 2 && guest.len == 0, "empty text arrives empty");
	tap_ok(enl_clip_set(&guest.e, NULL, 0) == 0, "guest clears");
	pump();
	tap_ok(host.offer.n == 0 && host.announced == 2 && guest.e.we_own,
	       "an empty clipboard is announced with no formats");
}

static void test_rules(void)
{
	struct enl_clip_item dup[2] = {
		{ ENL_CLIP_FMT_TEXT, (const uint8_t *)"a", 1 },
		{ ENL_CLIP_FMT_TEXT, (const uint8_t *)"b", 1 },
	};
	uint8_t *big = g_malloc0(2 << 20);

	setup(0, 1 << 20);
	connect_sides();
	tap_ok(set1(&guest, ENL_CLIP_FMT_TEXT, "\xff", 1) == -EINVAL,
	       "invalid UTF-8 is not copied");
	tap_ok(enl_clip_set(&guest.e, dup, 2) == -EINVAL,
	       "duplicate formats refused");
	tap_ok(set1(&guest, 99, big, 2 << 20) == -EINVAL,
	       "a copy above our own cap is refused");
	/* Host offers more than the guest accepts: the owner says so. */
	memset(big, 'x', 2 << 20);
	set1(&host, ENL_CLIP_FMT_TEXT, big, 2 << 20);
	pump();
	enl_clip_request(&guest.e, ENL_CLIP_FMT_TEXT);
	pump();
	tap_ok(guest.failed == 1 && guest.last_error == ENL_CLIP_ERR_TOO_LARGE &&
	       guest.received == 0, "above the requester's max: TOO_LARGE");

	/* Both copy at once: the host wins the tie on both sides. */
	set1(&host, ENL_CLIP_FMT_TEXT, "host", 4);
	set1(&guest, ENL_CLIP_FMT_TEXT, "guest", 5);
	tap_ok(host.e.owner_serial == guest.e.owner_serial,
	       "simultaneous copies carry the same serial");
	pump();
	tap_ok(host.e.we_own && !guest.e.we_own && guest.offer.n == 1,
	       "tie: both sides agree the host owns");
	enl_clip_request(&guest.e, ENL_CLIP_FMT_TEXT);
	pump();
	tap_ok(guest.len == 4 && !memcmp(guest.data, "host", 4),
	       "and the guest gets the host's text");
	/* A later copy beats an earlier one whatever the side. */
	set1(&guest, ENL_CLIP_FMT_TEXT, "later", 5);
	pump();
	tap_ok(guest.e.we_own && !host.e.we_own, "a later guest copy wins");

	/* A copy while the peer is fetching: its request fails STALE. */
	set1(&host, ENL_CLIP_FMT_TEXT, big, 1 << 20);
	pump();
	guest.failed = 0;
	enl_clip_request(&guest.e, ENL_CLIP_FMT_TEXT);
	set1(&guest, ENL_CLIP_FMT_TEXT, "mine", 4);
	tap_ok(guest.failed == 1 && guest.last_error == ENL_CLIP_ERR_STALE,
	       "copying ends our own fetch as stale");
	pump();
	tap_ok(host.offer.n == 1 && !host.e.we_own && !host.e.tx_active,
	       "the host dropped the transfer for the newer copy");
	g_free(big);
}

static void test_cancel(void)
{
	uint8_t *big = g_malloc(4 << 20);
	ssize_t n;
	int chunks = 0;

	memset(big, 'c', 4 << 20);
	setup(0, 0);
	connect_sides();
	set1(&host, ENL_CLIP_FMT_TEXT, big, 4 << 20);
	pump();
	enl_clip_request(&guest.e, ENL_CLIP_FMT_TEXT);
	/* Let a few chunks through by hand, then cancel. */
	for (int i = 0; i < 6; i++) {
		if ((n = recv(host.fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			enl_clip_recv(&host.e, buf, (size_t)n);
		if ((n = recv(guest.fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			enl_clip_recv(&guest.e, buf, (size_t)n);
			chunks++;
		}
	}
	tap_ok(chunks > 0 && guest.e.rx_active && guest.e.rx_got > 0,
	       "transfer under way (%d chunks)", chunks);
	enl_clip_cancel(&guest.e);
	pump();
	tap_ok(!host.e.tx_active && guest.received == 0 && !guest.e.rx_active,
	       "cancel stops the owner; nothing delivered");
	tap_ok(guest.e.stats.rx_stale > 0 || host.e.stats.out_done == 0,
	       "late chunks counted as stale");
	enl_clip_request(&guest.e, ENL_CLIP_FMT_TEXT);
	pump();
	tap_ok(guest.received == 1 && guest.len == (4u << 20),
	       "a fresh request afterwards completes");
	g_free(big);
}

static int fail_send(void *ctx, const void *pkt, size_t len)
{
	(void)ctx;
	(void)pkt;
	(void)len;
	return -EIO;
}

static const struct enl_clip_ops failing_ops = {
	.send = fail_send,
	.ready = on_ready,
	.announced = on_announced,
	.received = on_received,
	.failed = on_failed,
};

/*
 * Found by tests/fuzz (fuzz-clipboard): a REQUEST the transport refused
 * for good returned -EIO but stayed out, so a later failed() reported a
 * request its caller had been told never happened.
 */
static void test_send_failure(void)
{
	static const char text[] = "unsent";

	setup(0, 0);
	set1(&host, ENL_CLIP_FMT_TEXT, text, strlen(text));
	connect_sides();
	guest.e.ops = &failing_ops;
	tap_ok(enl_clip_request(&guest.e, ENL_CLIP_FMT_TEXT) == -EIO &&
	       !guest.e.rx_active,
	       "a request the transport refuses: -EIO, no request left out");
	guest.e.ops = &ops;
	enl_clip_request(&guest.e, ENL_CLIP_FMT_TEXT);
	pump();
	tap_ok(guest.received == 1 && guest.failed == 0,
	       "the next request goes through");
	guest.e.ops = &failing_ops;
	enl_clip_request(&guest.e, ENL_CLIP_FMT_TEXT);
	guest.e.ops = &ops;
	enl_clip_close(&guest.e);
	tap_ok(guest.failed == 0,
	       "closing reports no failure for a request never sent");
}

static void test_10mib(void)
{
	size_t len = 10u << 20;
	uint8_t *img = g_malloc(len);
	GRand *r = g_rand_new_with_seed(42);
	static const uint8_t sig[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
				       '\n' };

	for (size_t i = 0; i < len; i += 4) {
		guint32 v = g_rand_int(r);

		memcpy(img + i, &v, 4);
	}
	memcpy(img, sig, sizeof(sig));
	setup(0, 0);
	connect_sides();
	set1(&guest, ENL_CLIP_FMT_PNG, img, len);
	pump();
	enl_clip_request(&host.e, ENL_CLIP_FMT_PNG);
	pump();
	tap_ok(host.received == 1 && host.len == len &&
	       !memcmp(host.data, img, len), "10 MiB guest to host intact");
	tap_ok(guest.e.stats.tx_again > 0,
	       "the sender met a full socket and resumed (%lu times)",
	       guest.e.stats.tx_again);
	tap_ok(guest.e.stats.tx >= len / ENL_CLIP_MAX_CHUNK,
	       "sent in %lu chunked packets", guest.e.stats.tx);
	set1(&host, ENL_CLIP_FMT_PNG, img, len);
	pump();
	enl_clip_request(&guest.e, ENL_CLIP_FMT_PNG);
	pump();
	tap_ok(guest.received == 1 && guest.len == len &&
	       !memcmp(guest.data, img, len), "10 MiB host to guest intact");
	g_rand_free(r);
	g_free(img);
}

static void test_malformed(void)
{
	uint8_t pkt[ENL_CLIP_MAX_PKT_SIZE + 64], body[512];
	struct enl_clip_announce *a = (void *)body;
	struct enl_clip_request *rq = (void *)body;
	struct enl_clip_hdr *h = (void *)body;
	uint32_t id, serial;
	size_t n;
	unsigned long bad;

	setup(0, 1 << 20);
	/* Before negotiation. */
	memset(body, 0, sizeof(body));
	a->hdr.type = ENL_CLIP_MSG_ANNOUNCE;
	n = raw_pkt(&host, pkt, body, sizeof(*a));
	tap_ok(enl_clip_recv(&guest.e, pkt, n) == -EBADMSG,
	       "clipboard message before negotiation dropped");
	connect_sides();
	bad = guest.e.stats.rx_bad;

	tap_ok(enl_clip_recv(&guest.e, pkt, 10) == -EBADMSG,
	       "packet shorter than the IC headers");
	tap_ok(enl_clip_recv(&guest.e, pkt, sizeof(pkt)) == -EMSGSIZE,
	       "packet larger than any message");
	n = raw_pkt(&host, pkt, body, 4);
	tap_ok(enl_clip_recv(&guest.e, pkt, n) == -EBADMSG,
	       "body shorter than the clipboard header");
	n = raw_pkt(&host, pkt, body, sizeof(*a));
	((struct enl_icmsg_hdr *)(pkt + ENL_ICMSG_HDR_OFFSET))->icmsgsize = 400;
	tap_ok(enl_clip_recv(&guest.e, pkt, n) == -EBADMSG,
	       "icmsgsize past the packet");
	a->count = 3;
	a->hdr.serial = 100;
	n = raw_pkt(&host, pkt, body, sizeof(*a) + 2 * sizeof(a->formats[0]));
	tap_ok(enl_clip_recv(&guest.e, pkt, n) == -EBADMSG && !guest.announced,
	       "announce count larger than its body");
	a->count = 60000;
	n = raw_pkt(&host, pkt, body, sizeof(*a));
	tap_ok(enl_clip_recv(&guest.e, pkt, n) == -EBADMSG,
	       "announce count beyond the format limit");
	h->type = 77;
	n = raw_pkt(&host, pkt, body, sizeof(*h));
	tap_ok(enl_clip_recv(&guest.e, pkt, n) == -ENOMSG,
	       "unknown message type ignored");
	rq->hdr.type = ENL_CLIP_MSG_REQUEST;
	n = raw_pkt(&host, pkt, body, sizeof(*rq) - 1);
	tap_ok(enl_clip_recv(&guest.e, pkt, n) == -EBADMSG, "short request");
	tap_ok(guest.e.stats.rx_bad >= bad + 7, "all counted as bad");

	/* A request for nothing we own: STALE back to the host. */
	host.failed = 0;
	memset(body, 0, sizeof(body));
	rq->hdr.type = ENL_CLIP_MSG_REQUEST;
	rq->hdr.serial = 12345;
	rq->request_id = 9;
	rq->format = ENL_CLIP_FMT_TEXT;
	rq->max_size = 100;
	n = raw_pkt(&host, pkt, body, sizeof(*rq));
	enl_clip_recv(&guest.e, pkt, n);
	n = (size_t)recv(host.fd, pkt, sizeof(pkt), MSG_DONTWAIT);
	tap_ok(n == ENL_ICMSG_BODY_OFFSET + sizeof(struct enl_clip_error) &&
	       ((struct enl_clip_error *)(pkt + ENL_ICMSG_BODY_OFFSET))->error ==
	       ENL_CLIP_ERR_STALE, "request for a stale serial: ERROR STALE");
	set1(&guest, ENL_CLIP_FMT_TEXT, "x", 1);
	pump();
	rq->hdr.serial = guest.e.owner_serial;
	rq->format = ENL_CLIP_FMT_PNG;
	n = raw_pkt(&host, pkt, body, sizeof(*rq));
	enl_clip_recv(&guest.e, pkt, n);
	n = (size_t)recv(host.fd, pkt, sizeof(pkt), MSG_DONTWAIT);
	tap_ok(((struct enl_clip_error *)(pkt + ENL_ICMSG_BODY_OFFSET))->error ==
	       ENL_CLIP_ERR_NO_FORMAT, "request for a format not offered: NO_FORMAT");

	/* Chunks that lie, against a real outstanding request. */
	set1(&host, ENL_CLIP_FMT_TEXT, "abcdefgh", 8);
	pump();
#define ARM() do { guest.failed = 0; \
	enl_clip_request(&guest.e, ENL_CLIP_FMT_TEXT); \
	while (recv(host.fd, pkt, sizeof(pkt), MSG_DONTWAIT) > 0) \
		; \
	id = guest.e.rx_id; serial = guest.e.rx_serial; (void)serial; } while (0)

	ARM();
	tap_ok(raw_data(id, ENL_CLIP_FMT_TEXT, 8, 0, "abcd", 4, 1) == -EBADMSG &&
	       guest.e.rx_active, "chunk_len beyond the packet: dropped");
	tap_ok(raw_data(id, ENL_CLIP_FMT_TEXT, 2u << 20, 0, "abcd", 4, 0) ==
	       -EBADMSG && guest.failed == 1 &&
	       guest.last_error == ENL_CLIP_ERR_TOO_LARGE &&
	       guest.e.stats.oversize == 1, "total above the cap: TOO_LARGE");
	ARM();
	tap_ok(raw_data(id, ENL_CLIP_FMT_TEXT, 8, 4, "abcd", 4, 0) == -EBADMSG &&
	       guest.failed == 1, "first chunk not at 0");
	ARM();
	raw_data(id, ENL_CLIP_FMT_TEXT, 8, 0, "abcd", 4, 0);
	tap_ok(raw_data(id, ENL_CLIP_FMT_TEXT, 8, 2, "abcd", 4, 0) == -EBADMSG &&
	       guest.failed == 1, "overlapping chunk");
	ARM();
	raw_data(id, ENL_CLIP_FMT_TEXT, 8, 0, "abcd", 4, 0);
	tap_ok(raw_data(id, ENL_CLIP_FMT_TEXT, 12, 4, "abcd", 4, 0) == -EBADMSG &&
	       guest.failed == 1, "total length changed midway");
	ARM();
	raw_data(id, ENL_CLIP_FMT_TEXT, 6, 0, "abcd", 4, 0);
	tap_ok(raw_data(id, ENL_CLIP_FMT_TEXT, 6, 4, "abcd", 4, 0) == -EBADMSG &&
	       guest.failed == 1 && guest.received == 0, "chunk past the total");
	ARM();
	tap_ok(raw_data(id, ENL_CLIP_FMT_PNG, 4, 0, "abcd", 4, 0) == -EBADMSG &&
	       guest.failed == 1, "chunk of another format");
	ARM();
	raw_data(id, ENL_CLIP_FMT_TEXT, 8, 0, "abcd", 4, 0);
	tap_ok(raw_data(id, ENL_CLIP_FMT_TEXT, 8, 4, "", 0, 0) == -EBADMSG &&
	       guest.failed == 1, "empty chunk before the end");
	ARM();
	tap_ok(raw_data(id, ENL_CLIP_FMT_TEXT, 4, 0, "a\xff" "cd", 4, 0) ==
	       -EBADMSG && guest.failed == 1 &&
	       guest.last_error == ENL_CLIP_ERR_PROTOCOL && guest.received == 0,
	       "invalid UTF-8 text refused");
	ARM();
	tap_ok(raw_data(id + 50, ENL_CLIP_FMT_TEXT, 4, 0, "abcd", 4, 0) == 0 &&
	       guest.e.rx_active && guest.failed == 0,
	       "chunk of another request id ignored as stale");
	raw_data(id, ENL_CLIP_FMT_TEXT, 8, 0, "abcd", 4, 0);
	tap_ok(raw_data(id, ENL_CLIP_FMT_TEXT, 8, 4, "efgh", 4, 0) == 0 &&
	       guest.received == 1 && !memcmp(guest.data, "abcdefgh", 8),
	       "well-formed chunks still reassemble after all that");
#undef ARM
}

int main(void)
{
	test_basic();
	test_rules();
	test_cancel();
	test_send_failure();
	test_10mib();
	test_malformed();
	setup(0, 0);
	enl_clip_free(&host.e);
	enl_clip_free(&guest.e);
	close(host.fd);
	close(guest.fd);
	return tap_done();
}
