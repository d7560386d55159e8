// SPDX-License-Identifier: GPL-2.0-only
/* enl-host's clipboard service (ctl set/get) against a guest engine. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "clipboard_host.h"
#include "tap.h"

static struct enl_clip_host host;
static struct enl_clip guest;
static int hfd, gfd, announced, got;
static uint8_t got_data[64];
static size_t got_len;
static uint32_t got_error;

static int fd_send(void *ctx, const void *pkt, size_t len)
{
	int fd = *(int *)ctx;

	return send(fd, pkt, len, MSG_DONTWAIT) < 0 ? -errno : 0;
}

static int guest_send(void *ctx, const void *pkt, size_t len)
{
	(void)ctx;
	return fd_send(&gfd, pkt, len);
}

static void guest_announced(void *ctx, const struct enl_clip_offer *o)
{
	(void)ctx;
	(void)o;
	announced++;
}

static const struct enl_clip_ops guest_ops = {
	.send = guest_send,
	.announced = guest_announced,
};

static void on_get(void *ctx, uint32_t format, const uint8_t *data,
		   size_t len, uint32_t error)
{
	(void)ctx;
	(void)format;
	got++;
	got_error = error;
	got_len = len < sizeof(got_data) ? len : sizeof(got_data);
	if (data)
		memcpy(got_data, data, got_len);
}

static void pump(void)
{
	static uint8_t buf[ENL_CLIP_MAX_PKT_SIZE];
	ssize_t n;
	int progress;

	do {
		progress = 0;
		while ((n = recv(hfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			enl_clip_host_recv(&host, buf, (size_t)n);
			progress = 1;
		}
		while ((n = recv(gfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			enl_clip_recv(&guest, buf, (size_t)n);
			progress = 1;
		}
	} while (progress);
}

int main(void)
{
	struct enl_clip_item it = { ENL_CLIP_FMT_TEXT,
				    (const uint8_t *)"from guest", 10 };
	int sv[2];

	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	hfd = sv[0];
	gfd = sv[1];
	enl_clip_host_init(&host, 0);
	enl_clip_init(&guest, ENL_CLIP_GUEST, &guest_ops, NULL, 0);
	tap_ok(enl_clip_host_open(&host, fd_send, &hfd) == 0, "host negotiates");
	pump();
	tap_ok(host.e.ready && guest.ready, "both ready");
	tap_ok(enl_clip_host_get(&host, ENL_CLIP_FMT_TEXT, on_get, NULL) ==
	       -ENOENT, "get with an empty clipboard: -ENOENT");
	tap_ok(enl_clip_host_set(&host, ENL_CLIP_FMT_TEXT, "from host", 9) == 0,
	       "ctl set");
	pump();
	tap_ok(announced == 1, "guest sees the host's copy");
	tap_ok(enl_clip_host_get(&host, ENL_CLIP_FMT_TEXT, on_get, NULL) == 0 &&
	       got == 1 && got_len == 9 && !memcmp(got_data, "from host", 9),
	       "get of the host's own copy answers at once");
	enl_clip_set(&guest, &it, 1);
	pump();
	tap_ok(host.guest_copies == 1, "the guest's copy is announced");
	tap_ok(enl_clip_host_get(&host, ENL_CLIP_FMT_TEXT, on_get, NULL) == 0,
	       "get sent");
	tap_ok(enl_clip_host_get(&host, ENL_CLIP_FMT_TEXT, on_get, NULL) ==
	       -EBUSY, "a second get while one is pending: -EBUSY");
	pump();
	tap_ok(got == 2 && got_error == 0 && got_len == 10 &&
	       !memcmp(got_data, "from guest", 10), "get fetches the guest's text");
	tap_ok(enl_clip_host_get(&host, ENL_CLIP_FMT_PNG, on_get, NULL) ==
	       -ENOENT, "get of a format the guest does not offer");
	enl_clip_host_get(&host, ENL_CLIP_FMT_TEXT, on_get, NULL);
	enl_clip_host_close(&host);
	tap_ok(got == 3 && got_error == ENL_CLIP_ERR_CANCELLED,
	       "closing the channel ends a pending get");
	enl_clip_host_free(&host);
	enl_clip_free(&guest);
	close(hfd);
	close(gfd);
	return tap_done();
}
