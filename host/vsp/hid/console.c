// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VNC console's input on the synthetic keyboard and mouse: X11 keysyms
 * become scancodes, RFB pointer events absolute reports. Any thread.
 */
#include <glib.h>

#include "hid_glue.h"
#include "hid_vsp.h"

#define RFB_LEFT	0x01
#define RFB_MIDDLE	0x02
#define RFB_RIGHT	0x04
#define RFB_WHEEL_UP	0x08
#define RFB_WHEEL_DOWN	0x10

static struct {
	GMutex lock;
	bool (*source)(uint32_t *width, uint32_t *height);
	uint32_t width, height;	/* the guest screen, 0 when unknown */
	uint32_t rfb_buttons;	/* the last pointer event's mask */
} con;

void enl_hid_set_screen_size(uint32_t width, uint32_t height)
{
	g_mutex_lock(&con.lock);
	con.width = width;
	con.height = height;
	g_mutex_unlock(&con.lock);
}

void enl_hid_set_screen_source(bool (*fn)(uint32_t *width, uint32_t *height))
{
	g_mutex_lock(&con.lock);
	con.source = fn;
	g_mutex_unlock(&con.lock);
}

void enl_hid_screen_size(uint32_t *width, uint32_t *height)
{
	bool (*source)(uint32_t *w, uint32_t *h);

	g_mutex_lock(&con.lock);
	source = con.source;
	g_mutex_unlock(&con.lock);
	if (source && source(width, height))
		return;
	g_mutex_lock(&con.lock);
	*width = con.width;
	*height = con.height;
	g_mutex_unlock(&con.lock);
}

void enl_hid_console_key(void *opaque, bool down, uint32_t keysym)
{
	struct enl_scan_event ev[ENL_SCAN_MAX_PER_KEY];
	size_t n = enl_scan_keysym(keysym, down, ev);

	(void)opaque;
	if (n)
		enl_hid_queue_keys(ev, n);
}

/* v of 0..size-1 on 0..ENL_SYNTHHID_ABS_MAX, clamped. */
static uint16_t scale(int32_t v, uint32_t size)
{
	if (v <= 0 || size < 2)
		return 0;
	if ((uint32_t)v >= size - 1)
		return ENL_SYNTHHID_ABS_MAX;
	return (uint16_t)((uint64_t)v * ENL_SYNTHHID_ABS_MAX / (size - 1));
}

void enl_hid_console_pointer(void *opaque, uint32_t buttons, int32_t x,
			     int32_t y, uint32_t width, uint32_t height)
{
	struct enl_synthhid_mouse_report r = {
		.x = scale(x, width),
		.y = scale(y, height),
	};
	uint32_t pressed;

	(void)opaque;
	g_mutex_lock(&con.lock);
	pressed = buttons & ~con.rfb_buttons;
	con.rfb_buttons = buttons;
	g_mutex_unlock(&con.lock);
	r.buttons = (buttons & RFB_LEFT ? ENL_SYNTHHID_BTN_LEFT : 0) |
		    (buttons & RFB_MIDDLE ? ENL_SYNTHHID_BTN_MIDDLE : 0) |
		    (buttons & RFB_RIGHT ? ENL_SYNTHHID_BTN_RIGHT : 0);
	/* RFB presses a wheel "button" per notch. */
	if (pressed & RFB_WHEEL_UP)
		r.wheel = 1;
	else if (pressed & RFB_WHEEL_DOWN)
		r.wheel = -1;
	enl_hid_queue_mouse(&r);
}
