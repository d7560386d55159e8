/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's keyboard and mouse wired in: the ctl verbs (ctl.c: type, key,
 * mouse, hid) and the console's input (console.c: the VNC server's key
 * and pointer events, with the signatures of its enl_console_input_ops).
 * Compiled into enl-host itself, like the storage glue.
 */
#ifndef ENL_HOST_HID_GLUE_H
#define ENL_HOST_HID_GLUE_H

#include <stdbool.h>
#include <stdint.h>

struct enl_ctl;
struct enl_vmbus_server;

void enl_hid_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl);

/*
 * VNC input (any thread; opaque is unused): an X11 keysym down or up; an
 * absolute pointer at x, y of a width x height screen with the RFB button
 * mask (bit 0 left, 1 middle, 2 right, 3/4 wheel up/down). Events for a
 * device no guest driver has open are dropped (counted in `ctl hid`).
 */
void enl_hid_console_key(void *opaque, bool down, uint32_t keysym);
void enl_hid_console_pointer(void *opaque, uint32_t buttons, int32_t x,
			     int32_t y, uint32_t width, uint32_t height);
/* The guest screen's size (for `ctl mouse` in pixels); on every mode set. */
void enl_hid_set_screen_size(uint32_t width, uint32_t height);
/*
 * Where the size comes from instead (enl-host: the synthetic display's
 * mode); fn returns false while there is none. Set once, at start.
 */
void enl_hid_set_screen_source(bool (*fn)(uint32_t *width, uint32_t *height));
/* The source's answer, else what was set last; 0, 0 when unknown. */
void enl_hid_screen_size(uint32_t *width, uint32_t *height);

#endif /* ENL_HOST_HID_GLUE_H */
