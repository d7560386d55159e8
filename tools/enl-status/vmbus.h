/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMBus as enl_vmbus shows it in sysfs (kmod/vmbus/sysfs.c): the
 * connection (version, transport, error counters) and every channel with
 * its identity, state and counters. Also whether the in-tree hv_vmbus is
 * loaded or built into the kernel, which keeps enl_vmbus off the bus.
 */
#ifndef ENL_STATUS_VMBUS_H
#define ENL_STATUS_VMBUS_H

#include <glib.h>

/* Per-channel counters, in the order sysfs.c lists them. */
#define VMBUS_CHAN_COUNTERS 8
extern const char *const vmbus_chan_counter_names[VMBUS_CHAN_COUNTERS];
/* Bus-wide error counters. */
#define VMBUS_BUS_ERRORS 4
extern const char *const vmbus_bus_error_names[VMBUS_BUS_ERRORS];

struct vmbus_channel {
	char *device;		/* the sysfs name: the instance GUID */
	char *class_name;	/* echo, heartbeat, kvp, ... or unknown */
	char *class_id;
	char *state;		/* offered, open, rescinded, ... */
	char *driver;		/* bound driver, NULL when none */
	gboolean have_relid, have_cpu;
	guint64 relid, target_cpu;
	/* Each counter with whether it could be read as a number. */
	gboolean have[VMBUS_CHAN_COUNTERS];
	guint64 counter[VMBUS_CHAN_COUNTERS];
};

struct vmbus_state {
	gboolean loaded;	/* /sys/bus/enl_vmbus exists */
	gboolean connected;	/* a version was negotiated on a transport */
	char *version;		/* "5.3"; NULL when not loaded */
	char *transport;	/* "pci", "hv", "none" */
	gboolean have_err[VMBUS_BUS_ERRORS];
	guint64 err[VMBUS_BUS_ERRORS];
	gboolean hv_loaded;	/* /sys/bus/vmbus: the in-tree stack is up */
	gboolean hv_builtin;	/* hv_vmbus in modules.builtin */
	char *kernel;		/* the release whose modules.builtin was read */
	GPtrArray *channels;	/* struct vmbus_channel, by class then device */
};

/* Read it all below root; kernel is the release for modules.builtin
 * (NULL: root's /proc/sys/kernel/osrelease, else uname). */
void vmbus_scan(const char *root, const char *kernel, struct vmbus_state *vb);
void vmbus_clear(struct vmbus_state *vb);

/* Whether a kernel's modules.builtin (its text) lists hv_vmbus. */
gboolean vmbus_builtin_listed(const char *modules_builtin);

#endif
