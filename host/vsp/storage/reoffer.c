// SPDX-License-Identifier: GPL-2.0-only
/*
 * A controller taken away and offered again (the class's save / reoffer /
 * forget, vsp.h): a new offer of its class with its disks on the same
 * LUNs, each opened again from its path with the options it had.
 */
#include <errno.h>

#include "server.h"
#include "stor_vsp.h"
#include "vsp.h"

struct ctrl_saved {
	const char *cls;		/* the class name, static */
	unsigned int n;
	struct enl_stor_lun_info luns[];
};

void *enl_stor_save(struct enl_vsp_channel *ch)
{
	struct enl_stor_ctrl *c = enl_vsp_state(ch);
	uint16_t luns[ENL_STOR_MAX_LUNS];
	struct ctrl_saved *s;
	unsigned int n, i;

	if (!c)
		return NULL;
	/* The target locks its own table: no need for the channel's context. */
	n = enl_stor_lun_list(c->t, luns, ENL_STOR_MAX_LUNS);
	s = g_malloc0(sizeof(*s) + n * sizeof(s->luns[0]));
	s->cls = c->name;
	for (i = 0; i < n; i++)
		if (!enl_stor_lun_info(c->t, luns[i], &s->luns[s->n]))
			s->n++;
	return s;
}

int enl_stor_reoffer(struct enl_vmbus_server *srv, const void *saved)
{
	const struct ctrl_saved *s = saved;
	int relid = enl_vmbus_server_offer(srv, s->cls);
	struct enl_vsp_channel *ch;
	struct enl_stor_ctrl *c;
	unsigned int i;

	if (relid < 0)
		return relid;
	ch = enl_vsp_find(srv, (uint32_t)relid, s->cls);
	c = ch ? enl_vsp_state(ch) : NULL;
	if (!c)
		return -ENODEV;
	/*
	 * Before the main loop turns again the guest cannot have opened the
	 * new offer: the disks are there when it first looks.
	 */
	for (i = 0; i < s->n; i++) {
		const struct enl_stor_lun_info *in = &s->luns[i];
		struct enl_stor_disk_opts o = {
			.path = in->path,
			.read_only = in->read_only,
			.write_through = in->write_through,
			.no_direct = !in->direct,
			.ring_io = !in->inline_io,
			.block_size = in->block_size,
			.serial = in->serial,
		};
		int ret = enl_stor_lun_add(c->t, in->lun, &o);

		if (ret)
			g_message("%s: relid %d: LUN %u (%s) not back: %s",
				  s->cls, relid, in->lun, in->path,
				  g_strerror(-ret));
	}
	return relid;
}

void enl_stor_forget(void *saved)
{
	g_free(saved);
}
