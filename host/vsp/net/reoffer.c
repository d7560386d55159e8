// SPDX-License-Identifier: GPL-2.0-only
/*
 * A NIC taken away and offered again (the class's save / reoffer / forget,
 * vsp.h): the same spec, MAC, link state and speed included, on the same
 * TAP. In between, the TAP is held by one queue of our own, detached so
 * that the kernel steers no frame to it: without it the interface would go
 * with the old NIC's last queue, and with it the host's addresses and
 * routes on it.
 */
#include <errno.h>

#include "nic.h"

struct nic_saved {
	struct enl_nic_spec spec;
	struct enl_tap *hold;
};

struct link_ask {
	struct enl_nic *n;
	struct enl_net_state st;
};

static void link_on_ctx(void *data)
{
	struct link_ask *a = data;

	enl_net_get_state(a->n->dev, &a->st);
}

void *enl_nic_save(struct enl_vsp_channel *ch)
{
	/* The spec and the TAP are the NIC's for its life: safe to read here. */
	struct link_ask a = { .n = enl_nic_of_state(enl_vsp_state(ch)) };
	struct enl_nic *n = a.n;
	struct nic_saved *s;

	if (!n)
		return NULL;
	s = g_new0(struct nic_saved, 1);
	s->spec = n->spec;
	s->spec.mac_set = true;
	/* The link as `nic link` and `nic speed` last set it: the engine's. */
	enl_vsp_call(ch, link_on_ctx, &a);
	s->spec.link_down = !a.st.link_up;
	s->spec.speed_mbps = (uint32_t)(a.st.link_speed_bps / 1000000);
	if (n->tap) {
		/* The name the kernel gave, should the spec have had a %d. */
		g_strlcpy(s->spec.tap, enl_tap_name(n->tap),
			  sizeof(s->spec.tap));
		if (enl_tap_open(s->spec.tap, 1, &s->hold) ||
		    enl_tap_set_queue(s->hold, 0, false)) {
			g_message("nic: TAP %s not held while its NIC is "
				  "away: it goes with the NIC", s->spec.tap);
			g_clear_pointer(&s->hold, enl_tap_close);
		}
	}
	return s;
}

int enl_nic_reoffer(struct enl_vmbus_server *srv, const void *saved)
{
	const struct nic_saved *s = saved;
	g_autofree char *why = NULL;
	int relid, err;

	relid = enl_nic_offer(srv, &s->spec, &err, &why);
	if (why || err)
		g_message("nic: offering %s again: %s", s->spec.tap,
			  why ? why : g_strerror(-err));
	return relid;
}

void enl_nic_forget(void *saved)
{
	struct nic_saved *s = saved;

	/* The new NIC has its own queues on the TAP by now, if it came. */
	enl_tap_close(s->hold);
	g_free(s);
}
