// SPDX-License-Identifier: GPL-2.0-only
/* What waits between the guest and enl-host, for `status` (see .h). */
#include "status_pending.h"

#include <inttypes.h>

/* Posted signal bits still set: connection id and the doorbell it rings. */
static void posted_signals(const struct enl_hvif_shared *sh, GString *out,
			   struct enl_json *j)
{
	bool any = false;
	uint32_t w;

	g_string_append(out, "posted-signals:");
	if (j)
		enl_json_arr(j, "posted_signals");
	for (w = 0; w < ENL_HVIF_SIGNAL_WORDS; w++) {
		uint64_t bits = __atomic_load_n(&sh->signal_bits[w],
						__ATOMIC_RELAXED);

		while (bits) {
			uint32_t bit = w * 64 + (uint32_t)__builtin_ctzll(bits);
			uint32_t conn = ENL_HVIF_SIGNAL_CONN_BASE + bit;
			uint16_t v = __atomic_load_n(&sh->signal_vector[bit],
						     __ATOMIC_RELAXED);

			bits &= bits - 1;
			any = true;
			g_string_append_printf(out, " 0x%x@%u", conn, v);
			if (!j)
				continue;
			enl_json_obj(j, NULL);
			enl_json_u64(j, "connection", conn);
			enl_json_u64(j, "vector", v);
			enl_json_end(j);
		}
	}
	g_string_append(out, any ? "\n" : " none\n");
	if (j)
		enl_json_end(j);
}

static void posted_eoms(const struct enl_hvif_shared *sh, GString *out,
			struct enl_json *j)
{
	uint64_t bits = __atomic_load_n(&sh->eom_bits, __ATOMIC_RELAXED);

	g_string_append(out, "posted-eoms:");
	if (!bits)
		g_string_append(out, " none");
	if (j)
		enl_json_arr(j, "posted_eoms");
	while (bits) {
		uint32_t vp = (uint32_t)__builtin_ctzll(bits);

		bits &= bits - 1;
		g_string_append_printf(out, " vp%u", vp);
		if (j)
			enl_json_u64(j, NULL, vp);
	}
	g_string_append_c(out, '\n');
	if (j)
		enl_json_end(j);
}

static void sint_line(uint32_t vp, uint32_t sint,
		      const struct enl_hv_sint_pending *p, GString *out,
		      struct enl_json *j)
{
	uint32_t i, shown = MIN(p->nr_flags, ENL_HV_PENDING_FLAGS_MAX);

	g_string_append_printf(out, "vp%u sint%u: message 0x%" PRIx32
			       " queued %" PRIu32 " events", vp, sint,
			       p->msg_type, p->queued);
	for (i = 0; i < shown; i++)
		g_string_append_printf(out, " %" PRIu32, p->flags[i]);
	if (p->nr_flags > shown)
		g_string_append_printf(out, " (%" PRIu32 " in all)",
				       p->nr_flags);
	if (!p->nr_flags)
		g_string_append(out, " none");
	g_string_append_c(out, '\n');
	if (!j)
		return;
	enl_json_obj(j, NULL);
	enl_json_u64(j, "vp", vp);
	enl_json_u64(j, "sint", sint);
	enl_json_u64(j, "message_type", p->msg_type);
	enl_json_u64(j, "queued", p->queued);
	enl_json_u64(j, "nr_events", p->nr_flags);
	enl_json_arr(j, "events");
	for (i = 0; i < shown; i++)
		enl_json_u64(j, NULL, p->flags[i]);
	enl_json_end(j);
	enl_json_end(j);
}

void enl_status_pending(struct enl_hv *hv,
			const struct enl_hvif_shared *shared, GString *out,
			struct enl_json *j)
{
	struct enl_hv_sint_pending p;
	bool any = false;
	uint32_t vp, sint;

	if (shared) {
		posted_signals(shared, out, j);
		posted_eoms(shared, out, j);
	}
	if (j)
		enl_json_arr(j, "sint_pending");
	for (vp = 0; vp < enl_hv_nr_vp(hv); vp++)
		for (sint = 0; sint < ENL_HV_SYNIC_SINT_COUNT; sint++) {
			if (enl_hv_sint_pending(hv, vp, sint, &p) ||
			    (!p.msg_type && !p.queued && !p.nr_flags))
				continue;
			any = true;
			sint_line(vp, sint, &p, out, j);
		}
	if (!any)
		g_string_append(out, "sint-pending: none\n");
	if (j)
		enl_json_end(j);
}
