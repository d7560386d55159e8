/* SPDX-License-Identifier: GPL-2.0-only */
/* A fake guest for the SynIC tests: malloc'd RAM and a recording SINT sink. */
#ifndef ENL_TESTS_FAKE_GUEST_H
#define ENL_TESTS_FAKE_GUEST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "hv.h"

#define FAKE_RAM_SIZE	(1u << 20)
#define FAKE_MAX_RAISES	256

struct fake_guest {
	struct enl_guest_mem mem;
	unsigned int nr_raised;
	struct { uint32_t vp, sint; } raised[FAKE_MAX_RAISES];
};

static inline int fake_raise(void *ctx, uint32_t vp, uint32_t sint)
{
	struct fake_guest *g = ctx;

	if (g->nr_raised < FAKE_MAX_RAISES) {
		g->raised[g->nr_raised].vp = vp;
		g->raised[g->nr_raised].sint = sint;
	}
	g->nr_raised++;
	return 0;
}

static const struct enl_hv_irq_ops fake_irq_ops = { .raise_sint = fake_raise };

static inline void fake_guest_init(struct fake_guest *g, uint64_t ram)
{
	void *base = aligned_alloc(4096, ram);

	memset(g, 0, sizeof(*g));
	memset(base, 0, ram);
	enl_guest_mem_set_flat(&g->mem, base, ram);
}

static inline void fake_guest_fini(struct fake_guest *g)
{
	free(g->mem.base);
	memset(&g->mem, 0, sizeof(g->mem));
}

#endif /* ENL_TESTS_FAKE_GUEST_H */
