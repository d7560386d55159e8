/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `enl-host ctl status`: what waits between the guest and enl-host right
 * now. Signals and EOMs the guest posted in BAR2 that no host thread took
 * yet, and per VP and SINT the message in the slot and the event flags the
 * guest did not take. A lost wakeup leaves one of them behind: this names
 * the side.
 */
#ifndef ENL_HOST_STATUS_PENDING_H
#define ENL_HOST_STATUS_PENDING_H

#include <glib.h>

#include <enlighten/hv_synic.h>
#include <enlighten/hvif.h>

#include "hv.h"
#include "json.h"

/* Text lines into out; with j, fields of the object j is in. */
void enl_status_pending(struct enl_hv *hv,
			const struct enl_hvif_shared *shared, GString *out,
			struct enl_json *j);

#endif /* ENL_HOST_STATUS_PENDING_H */
