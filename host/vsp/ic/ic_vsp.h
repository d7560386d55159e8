/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An IC-framed host service (struct enl_ic_host) on a VMBus channel: the
 * open/packet/close callbacks every such VSP class shares.
 */
#ifndef ENL_HOST_IC_VSP_H
#define ENL_HOST_IC_VSP_H

#include "ic_host.h"
#include "vsp.h"

/* Bind h to the channel and start the IC negotiation. */
int enl_ic_vsp_open(struct enl_vsp_channel *ch, struct enl_ic_host *h);
/* on_packet: hand an inband packet's payload to the bound service. */
int enl_ic_vsp_packet(struct enl_vsp_channel *ch,
		      const struct enl_ring_pkt *pkt, const void *data);
/* on_close: the channel is gone (close, unload or rescind). */
void enl_ic_vsp_close(struct enl_vsp_channel *ch);

#endif /* ENL_HOST_IC_VSP_H */
