/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What enl-status found, the verdict drawn from it (fully enlightened or
 * not, and why not), and its two renderings: text for people, JSON for
 * image pipelines. The definition of "fully enlightened" is the one in
 * enl-status(1); status_judge() is its only implementation.
 */
#ifndef ENL_STATUS_REPORT_H
#define ENL_STATUS_REPORT_H

#include <glib.h>
#include "daemons.h"
#include "devices.h"
#include "drivers.h"
#include "vmbus.h"

/*
 * CS_NOT_YET: not synthetic, but this kernel has no Enlighten driver for
 * the class (drivers.h): reported in not_yet, and the VM is not enlightened.
 */
enum class_state { CS_ABSENT, CS_SYNTHETIC, CS_NOT_SYNTHETIC, CS_NOT_YET };

struct status {
	GPtrArray *devices;		/* struct dev_info */
	struct vmbus_state vb;
	struct daemon_state daemons[DAEMON_COUNT];
	enum drv_presence drivers[DC_COUNT];	/* drv_for_class()'s module */
	/* Filled by status_judge(). */
	enum class_state classes[DC_COUNT];
	GPtrArray *reasons;		/* why not enlightened; raw text */
	GPtrArray *not_yet;		/* classes without a driver yet; raw text */
	gboolean enlightened;
};

/* Scan everything below root (see vmbus_scan for kernel) and judge. */
void status_collect(struct status *st, const char *root, const char *kernel);
void status_judge(struct status *st);
void status_clear(struct status *st);

/* Every string from the system is escaped on the way out (escape.h). */
void status_text(GString *out, const struct status *st);
void status_json(GString *out, const struct status *st);

#endif
