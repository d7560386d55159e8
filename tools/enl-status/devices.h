/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's storage, network, display and input devices, each with the
 * driver that serves it and whether that is a synthetic (VMBus) one.
 */
#ifndef ENL_STATUS_DEVICES_H
#define ENL_STATUS_DEVICES_H

#include <glib.h>

enum dev_class { DC_STORAGE, DC_NETWORK, DC_DISPLAY, DC_INPUT, DC_COUNT };

enum dev_kind {
	KIND_SYNTHETIC,		/* enl_* driver, or a device on the enl_vmbus bus */
	KIND_EMULATED,		/* a driver for hardware QEMU or Hyper-V emulates */
	KIND_PARAVIRT,		/* virtio_* */
	KIND_HV_INTREE,		/* the kernel's own hv_* stack, not Enlighten's */
	KIND_OTHER,		/* any other driver: passthrough, unknown */
	KIND_NONE,		/* no driver bound */
};

struct dev_info {
	enum dev_class cls;
	char *name;		/* sda, eth0, card0, input3 */
	char *label;		/* model or input name; may be NULL */
	char *driver;		/* the device's driver; NULL when none */
	enum dev_kind kind;
	/* Whether it takes part in the verdict: optical and floppy drives,
	 * power buttons, speakers and the like do not. */
	gboolean counted;
};

const char *dev_class_name(enum dev_class cls);
const char *dev_kind_name(enum dev_kind kind);

/* Every device of the four classes below root, in class then name order
 * (free with g_ptr_array_unref). */
GPtrArray *devices_scan(const char *root);

/* Classify one driver name, with whether the device sits on the enl_vmbus
 * (enl) or the in-tree vmbus (hv) bus. */
enum dev_kind dev_kind_of(const char *driver, gboolean enl, gboolean hv);

#endif
