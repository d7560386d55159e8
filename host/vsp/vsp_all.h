/* SPDX-License-Identifier: GPL-2.0-only */
/* Every device class enl-host can offer, registered with the VMBus server in one call. */
#ifndef ENL_HOST_VSP_ALL_H
#define ENL_HOST_VSP_ALL_H

struct enl_vmbus_server;

/* Make all built-in classes offerable by name. 0 or -errno. */
int enl_vsp_add_all(struct enl_vmbus_server *srv);

#endif /* ENL_HOST_VSP_ALL_H */
