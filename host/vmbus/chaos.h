/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Chaos: random host faults, one every interval, against the channels of
 * chosen classes while the guest works (`enl-host ctl chaos`). The seed
 * makes the choices repeatable; what the guest does in between is not.
 * When the count is reached the engine heals: unmutes, delivers held
 * messages, rescinds channels it broke and offers every class it took
 * away again, so a test can check that the guest came through whole.
 * A device is offered again as it was (same disks; same TAP and MAC)
 * where its class can say how (enl_vsp_class save / reoffer), else as a
 * new device of its class.
 */
#ifndef ENL_HOST_VMBUS_CHAOS_H
#define ENL_HOST_VMBUS_CHAOS_H

struct enl_vmbus_server;
struct enl_ctl;

void enl_vmbus_chaos_register_ctl(struct enl_vmbus_server *srv,
				  struct enl_ctl *ctl);
void enl_vmbus_chaos_free(struct enl_vmbus_server *srv);

#endif /* ENL_HOST_VMBUS_CHAOS_H */
