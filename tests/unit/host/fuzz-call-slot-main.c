/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Without libFuzzer: replay the files named on the command line, or, with
 * none, a fixed number of pseudo-random inputs seeded with valid calls, so
 * the unit ring (and its ASan/UBSan build) exercises the target.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <enlighten/hv_synic.h>
#include <enlighten/hvif.h>

#include "tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A valid call in slot form, so random mutations start near real use. */
static void seed_call(uint8_t *p, uint32_t seq, uint32_t op, uint64_t a0,
		      uint64_t a1)
{
	struct enl_hvif_call c = { .seq = seq, .op = op };

	c.arg[0] = a0;
	c.arg[1] = a1;
	memcpy(p, &c, sizeof(c));
}

int main(int argc, char **argv)
{
	GRand *rnd = g_rand_new_with_seed(1);
	uint8_t buf[16 * 512];
	int i, runs = 3000;

	for (i = 1; i < argc; i++) {
		gchar *data;
		gsize len;

		if (g_file_get_contents(argv[i], &data, &len, NULL)) {
			LLVMFuzzerTestOneInput((uint8_t *)data, len);
			g_free(data);
		}
	}
	if (argc > 1) {
		tap_ok(1, "replayed %d inputs", argc - 1);
		return tap_done();
	}
	for (i = 0; i < runs; i++) {
		size_t len = g_rand_int_range(rnd, 0, sizeof(buf));
		size_t k;

		seed_call(buf, 1, ENL_HVIF_OP_WRMSR, ENL_HV_MSR_GUEST_OS_ID, 1);
		seed_call(buf + 512, 2, ENL_HVIF_OP_WRMSR, ENL_HV_MSR_SIMP, 0x2001);
		seed_call(buf + 1024, 3, ENL_HVIF_OP_WRMSR, ENL_HV_MSR_SINT(2), 0x30);
		seed_call(buf + 1536, 4, ENL_HVIF_OP_WRMSR, ENL_HV_MSR_SCONTROL, 1);
		for (k = 2048; k < sizeof(buf); k += 4)
			*(uint32_t *)(buf + k) = g_rand_int(rnd);
		/* Flip some bytes of the seeds too. */
		for (k = 0; k < 8; k++)
			buf[g_rand_int_range(rnd, 0, 2048)] ^= (uint8_t)g_rand_int(rnd);
		LLVMFuzzerTestOneInput(buf, len);
	}
	g_rand_free(rnd);
	tap_ok(1, "%d random call-slot streams survived", runs);
	return tap_done();
}
