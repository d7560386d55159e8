/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target for the hvif call-slot parser and the SynIC behind it. The
 * input is a stream of 512-byte call slots served one after another, so a
 * run can enable the SynIC, post messages and misbehave in any order. With
 * clang: -fsanitize=fuzzer. Otherwise fuzz-call-slot-main.c drives it.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <enlighten/hvif.h>

#include "fake_guest.h"
#include "hv.h"

static struct enl_hv *fuzz_hv;

/* The "server" answers every post with a message back, to drive delivery. */
static uint16_t fuzz_post(void *ctx, uint32_t conn, uint32_t type,
			  const void *payload, uint32_t size)
{
	(void)ctx;
	enl_hv_post_message(fuzz_hv, conn % 2, conn % 16, type, payload, size);
	return 0;
}

static uint16_t fuzz_signal(void *ctx, uint32_t conn, uint16_t flag)
{
	(void)ctx;
	enl_hv_signal_event(fuzz_hv, conn % 2, conn % 16, flag);
	return 0;
}

static const struct enl_hv_ops fuzz_ops = {
	.post_message = fuzz_post,
	.signal_event = fuzz_signal,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_guest g;
	struct enl_hvif_call calls[2];
	size_t off;

	if (!g.mem.base)
		fake_guest_init(&g, 64 * 1024);
	memset(g.mem.base, 0, g.mem.size);
	memset(calls, 0, sizeof(calls));
	fuzz_hv = enl_hv_new(2, &g.mem, &fake_irq_ops, &g);
	enl_hv_set_ops(fuzz_hv, &fuzz_ops, NULL);
	for (off = 0; off < size; off += sizeof(calls[0])) {
		size_t n = size - off < sizeof(calls[0]) ? size - off
							 : sizeof(calls[0]);
		uint32_t vp = data[off] & 1;

		memcpy(&calls[vp], data + off, n);
		/* Let the guest free a slot now and then, as a driver would. */
		if (data[off] & 2)
			g.mem.base[0x2000 + (data[off] >> 4) * 256] = 0;
		enl_hv_process_calls(fuzz_hv, calls, 2);
	}
	enl_hv_free(fuzz_hv);
	return 0;
}
