/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the console (VNC) hands to input devices: keys as X11 keysyms, the
 * pointer as absolute positions on the guest's screen. The synthetic
 * keyboard and mouse (host/vsp/hid) register the one sink.
 */
#ifndef ENL_HOST_CONSOLE_INPUT_H
#define ENL_HOST_CONSOLE_INPUT_H

#include <stdbool.h>
#include <stdint.h>

struct enl_console;

/* Called on the console's thread. */
struct enl_console_input_ops {
	/* A key went down (down=true) or up. keysym: X11 keysym as RFB carries it. */
	void (*key)(void *opaque, bool down, uint32_t keysym);
	/*
	 * Absolute pointer: x, y in 0..width-1 / 0..height-1 of the current guest
	 * screen (width/height given so you can scale to 0..0x7fff);
	 * buttons: RFB mask (bit 0 left, 1 middle, 2 right, 3 wheel up, 4 wheel down).
	 */
	void (*pointer)(void *opaque, uint32_t buttons, int32_t x, int32_t y,
			uint32_t width, uint32_t height);
};

/* Register (or with ops NULL, remove) the single input sink. Any thread. */
void enl_console_set_input(struct enl_console *con,
			   const struct enl_console_input_ops *ops, void *opaque);

#endif /* ENL_HOST_CONSOLE_INPUT_H */
