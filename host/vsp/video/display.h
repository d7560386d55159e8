/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's screen as the host's consumers see it (VNC, screenshots):
 * the mode the guest set, where its pixels are (VRAM, mapped), what changed
 * and the pointer. The synthvid engine writes it on the video channel's
 * worker; consumers on other threads read it. One per enl-host: the VM's
 * console.
 *
 * The pixels themselves are the guest's VRAM, which the guest writes at
 * any time: a reader may see a frame half drawn, never memory outside it.
 */
#ifndef ENL_HOST_DISPLAY_H
#define ENL_HOST_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

struct enl_display;

/* A mode: what the guest's SITUATION_UPDATE said, checked against VRAM. */
struct enl_display_mode {
	uint32_t width, height;
	uint32_t depth;		/* 16 (RGB565) or 32 (XRGB8888) */
	uint32_t pitch;		/* bytes per line */
	uint8_t *pixels;	/* the first line, in mapped VRAM */
};

/* x2, y2 exclusive, within the mode. */
struct enl_display_rect {
	uint32_t x1, y1, x2, y2;
};

#define ENL_DISPLAY_CURSOR_MAX	96

struct enl_display_cursor {
	bool visible;
	int32_t x, y;			/* the hotspot's position */
	uint32_t width, height;		/* 0: no shape */
	uint32_t hot_x, hot_y;
	uint32_t argb[ENL_DISPLAY_CURSOR_MAX * ENL_DISPLAY_CURSOR_MAX];
	uint64_t shape_gen;		/* bumped by every new shape */
};

/*
 * A consumer (the VNC server): called on the writer's thread, with the
 * display's lock NOT held, so a listener may read the display. Keep them
 * short: queue the work to your own thread.
 */
struct enl_display_listener {
	void (*mode)(void *opaque, const struct enl_display_mode *m);
	void (*damage)(void *opaque, const struct enl_display_rect *r);
	void (*cursor)(void *opaque);
};

/* The VM's display (created on first use; lives as long as enl-host). */
struct enl_display *enl_display_get(void);
/* A private one (unit tests). */
struct enl_display *enl_display_new(void);
void enl_display_free(struct enl_display *d);

/* One listener at a time; NULL removes it. */
void enl_display_set_listener(struct enl_display *d,
			      const struct enl_display_listener *l,
			      void *opaque);

/*
 * Besides the listener: told the screen's size on every mode set (0, 0
 * when none), e.g. the synthetic mouse's `ctl mouse` in pixels. NULL: none.
 */
void enl_display_set_size_hook(struct enl_display *d,
			       void (*hook)(uint32_t width, uint32_t height));

/* ---- The writer (synthvid engine) ---- */

/* m NULL: the guest's output is inactive (or its channel closed). */
void enl_display_set_mode(struct enl_display *d,
			  const struct enl_display_mode *m);
/* A rectangle the guest redrew, already clipped to the mode. */
void enl_display_damage(struct enl_display *d,
			const struct enl_display_rect *r);
void enl_display_set_pointer(struct enl_display *d, bool visible, int32_t x,
			     int32_t y);
/* argb: width * height pixels; width, height <= ENL_DISPLAY_CURSOR_MAX. */
void enl_display_set_cursor(struct enl_display *d, uint32_t width,
			    uint32_t height, uint32_t hot_x, uint32_t hot_y,
			    const uint32_t *argb);

/* ---- Readers ---- */

/* The current mode; false when none is active. */
bool enl_display_mode(struct enl_display *d, struct enl_display_mode *m);
void enl_display_cursor(struct enl_display *d, struct enl_display_cursor *c);
/* Damage reports since start (figures for ctl video / the bench). */
uint64_t enl_display_damage_count(struct enl_display *d);
uint64_t enl_display_mode_count(struct enl_display *d);

/*
 * The screen as 0x00RRGGBB pixels, width * height of them (g_free it), or
 * NULL when no mode is active.
 */
uint32_t *enl_display_snapshot(struct enl_display *d, uint32_t *width,
			       uint32_t *height);
/*
 * Line y (< m->height) of a mode enl_display_mode() returned, as m->width
 * 0x00RRGGBB pixels into out: what a snapshot is made of, for a reader
 * that needs some lines, not the whole frame.
 */
void enl_display_read_line(const struct enl_display_mode *m, uint32_t y,
			   uint32_t *out);

/* Write the screen to path as an 8-bit RGB PNG: 0 or -errno (why in err). */
int enl_display_write_png(struct enl_display *d, const char *path,
			  GString *err);

/* Pixel conversion, exposed for the PNG writer and the tests. */
static inline uint32_t enl_display_rgb565(uint16_t p)
{
	uint32_t r = (p >> 11) & 0x1f, g = (p >> 5) & 0x3f, b = p & 0x1f;

	/* Replicate the top bits so that full scale is 0xff. */
	r = r << 3 | r >> 2;
	g = g << 2 | g >> 4;
	b = b << 3 | b >> 2;
	return r << 16 | g << 8 | b;
}

#endif /* ENL_HOST_DISPLAY_H */
