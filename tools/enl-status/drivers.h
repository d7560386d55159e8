/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which of Enlighten's synthetic device drivers this kernel has. A class
 * of devices (network, say) can only be synthetic where the kernel has its
 * driver (enl_netvsc): without it enl-status reports the class as "not yet
 * synthetic", naming the missing driver (a dkms build missing for this
 * kernel), rather than only the emulated device.
 */
#ifndef ENL_STATUS_DRIVERS_H
#define ENL_STATUS_DRIVERS_H

#include <glib.h>
#include "devices.h"

enum drv_presence {
	DRV_UNKNOWN,		/* no readable modules.dep: cannot tell */
	DRV_PRESENT,		/* loaded, or listed in modules.dep or .builtin */
	DRV_MISSING,		/* this kernel has no such module */
};

/* Enlighten's driver for a device class: "enl_storvsc", "enl_netvsc"... */
const char *drv_for_class(enum dev_class cls);

/*
 * Is module `mod` available to kernel release `kernel` below root: loaded
 * (sys/module/<mod>), or listed in lib/modules/<kernel>/modules.dep or
 * modules.builtin (as "<dir>/<mod>.ko", compressed or not). Reads are
 * bounded; names with '/' are refused (DRV_UNKNOWN).
 */
enum drv_presence drv_presence(const char *root, const char *kernel,
			       const char *mod);

/* Does a modules.dep or modules.builtin text list module `mod`? */
gboolean drv_listed(const char *text, const char *mod);

#endif
