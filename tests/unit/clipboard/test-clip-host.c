// SPDX-License-Identifier: GPL-2.0-only
/* enl-host's clipboard service (ctl set/get) against a guest engine. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "clip_pair.h"
#include "tap.h"

static int announced, got;
static uint8_t got_data[64];
static size_t got_len;
static uint32_t got_error;

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

int main(void)
{
	struct enl_clip_item it = { ENL_CLIP_FMT_TEXT,
				    (const uint8_t *)"from guest", 10 };

	tap_ok(pair_open(&guest_ops) == 0, "host negotiates");
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
