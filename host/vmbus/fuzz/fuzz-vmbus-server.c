// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over the VMBus server's guest-facing entry points:
 * HvPostMessage payloads, HvSignalEvent, the guest RAM behind an open
 * echo channel's rings, and GPA-direct packets as a data VSP gets them. Each input starts from a connected guest with one
 * channel open, so the fuzzer spends its time past the handshake.
 *
 * Input: records of [op][len][arg][len bytes]; see run_record().
 */
#include <stdint.h>
#include <string.h>

#include "echo/echo.h"
#include "gpa_direct.h"
#include "server.h"
#include "server_priv.h"
#include "test-vmbus-guest.h"

#define RAM	(1u << 20)
#define C4	ENL_VMBUS_MESSAGE_CONNECTION_ID_4

static struct enl_hv *hv;

static void silent(const gchar *domain, GLogLevelFlags level,
		   const gchar *msg, gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

static void run_record(struct enl_ctl *ctl,
		       uint8_t op, uint8_t arg, const uint8_t *p, uint32_t len)
{
	static const char *const verbs[] = {
		"fault bad-offer", "fault oversize", "fault oversize 1",
		"fault bad-gpadl-created 1", "fault corrupt-ring 1",
		"offer echo", "rescind 1", "rescind 2", "stats", "devices",
	};
	struct iovec iov[8];
	struct enl_gpa_direct d = { .iov = iov, .max_iov = 8 };
	char *out;

	switch (op % 5) {
	case 0:		/* a channel message */
		fake_guest_post(hv, arg & 1 ? C4 : 1, p, len);
		break;
	case 1:		/* a signal */
		fake_guest_signal(hv, ENL_VMBUS_CHANNEL_CONN_BASE + arg % 4);
		break;
	case 2:		/* scribble on the first 64 KiB of RAM (the rings) */
		memcpy(hv->mem.base + (size_t)arg * 256, p, len);
		break;
	case 3:		/* host-side actions racing the guest */
		fake_ctl_run(ctl, verbs[arg % G_N_ELEMENTS(verbs)], &out);
		g_free(out);
		break;
	case 4:		/* a GPA-direct packet, payload at arg * 8 */
		if (!enl_gpa_direct_parse(&hv->mem, p, len, arg * 8u, &d))
			for (uint32_t i = 0; i < d.niov; i++)
				/* Touch every byte: ASan checks the bounds. */
				memset(iov[i].iov_base, 0, iov[i].iov_len);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_chan gc = {
		.relid = 1, .gpadl = 0x100, .out_pfn = 4, .out_pages = 3,
		.in_pfn = 1, .in_pages = 3,
	};
	/*
	 * Every channel's work runs on this thread, in a context of this
	 * input's own (nothing of one input can run in the next): no thread
	 * per channel to start and join, no hand-off per step, and a crash
	 * replays the same way.
	 */
	GMainContext *chan_ctx = g_main_context_new();
	struct enl_vmbus_server *srv;
	struct enl_ctl *ctl;

	if (!hv) {
		hv = fake_hv_new(RAM, true);
		hv->quiet = true;
		g_log_set_default_handler(silent, NULL);
	}
	memset(hv->mem.base, 0, 64 * 1024);
	g_main_context_acquire(chan_ctx);
	srv = enl_vmbus_server_new(hv);
	enl_vmbus_server_set_chan_context(srv, chan_ctx);
	enl_vmbus_server_set_ram_fd(srv, hv->memfd);
	enl_vmbus_server_add_class(srv, &enl_vsp_echo_class);
	enl_vmbus_server_offer(srv, "echo");
	enl_vmbus_server_offer(srv, "echo");
	ctl = fake_ctl_new();
	enl_vmbus_server_register_ctl(srv, ctl);

	guest_contact(hv, C4, ENL_VMBUS_VERSION_WIN10_V5_3, 0, 2);
	guest_simple(hv, C4, ENL_CHANNELMSG_REQUESTOFFERS);
	gc.conn_id = ENL_VMBUS_CHANNEL_CONN_BASE + 1;
	guest_chan_setup(hv, C4, &gc);
	guest_open(hv, C4, 1, 1, gc.gpadl, 0, gc.out_pages);
	/* Channel work runs on workers: let it finish before each record. */
	enl_vmbus_server_settle(srv);

	while (size >= 3) {
		uint8_t op = data[0], arg = data[2];
		uint32_t len = MIN((size_t)data[1], size - 3);

		run_record(ctl, op, arg, data + 3, len);
		enl_vmbus_server_settle(srv);
		data += 3 + len;
		size -= 3 + len;
	}
	fake_ctl_free(ctl);
	enl_vmbus_server_free(srv);
	g_main_context_release(chan_ctx);
	g_main_context_unref(chan_ctx);
	return 0;
}
