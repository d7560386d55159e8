// SPDX-License-Identifier: GPL-2.0-only
/* The guest's screen for host-side consumers: mode, damage, pointer, snapshots. */
#include "display.h"

#include <string.h>

struct enl_display {
	GMutex lock;
	bool active;
	struct enl_display_mode mode;
	struct enl_display_cursor cursor;
	uint64_t damage_count;
	uint64_t mode_count;
	const struct enl_display_listener *l;
	void *opaque;
	void (*size_hook)(uint32_t width, uint32_t height);
};

struct enl_display *enl_display_new(void)
{
	struct enl_display *d = g_new0(struct enl_display, 1);

	g_mutex_init(&d->lock);
	return d;
}

void enl_display_free(struct enl_display *d)
{
	if (!d)
		return;
	g_mutex_clear(&d->lock);
	g_free(d);
}

struct enl_display *enl_display_get(void)
{
	static struct enl_display *the;
	static gsize once;

	if (g_once_init_enter(&once)) {
		the = enl_display_new();
		g_once_init_leave(&once, 1);
	}
	return the;
}

void enl_display_set_listener(struct enl_display *d,
			      const struct enl_display_listener *l,
			      void *opaque)
{
	g_mutex_lock(&d->lock);
	d->l = l;
	d->opaque = opaque;
	g_mutex_unlock(&d->lock);
}

void enl_display_set_size_hook(struct enl_display *d,
			       void (*hook)(uint32_t width, uint32_t height))
{
	g_mutex_lock(&d->lock);
	d->size_hook = hook;
	g_mutex_unlock(&d->lock);
}

/* The listener, read under the lock, called without it. */
static const struct enl_display_listener *listener(struct enl_display *d,
						    void **opaque)
{
	const struct enl_display_listener *l;

	g_mutex_lock(&d->lock);
	l = d->l;
	*opaque = d->opaque;
	g_mutex_unlock(&d->lock);
	return l;
}

void enl_display_set_mode(struct enl_display *d,
			  const struct enl_display_mode *m)
{
	const struct enl_display_listener *l;
	void (*hook)(uint32_t width, uint32_t height);
	void *opaque;

	g_mutex_lock(&d->lock);
	d->active = m != NULL;
	if (m)
		d->mode = *m;
	else
		memset(&d->mode, 0, sizeof(d->mode));
	d->mode_count++;
	hook = d->size_hook;
	g_mutex_unlock(&d->lock);
	if (hook)
		hook(m ? m->width : 0, m ? m->height : 0);
	l = listener(d, &opaque);
	if (l && l->mode)
		l->mode(opaque, m);
}

void enl_display_damage(struct enl_display *d,
			const struct enl_display_rect *r)
{
	const struct enl_display_listener *l;
	void *opaque;

	g_mutex_lock(&d->lock);
	d->damage_count++;
	g_mutex_unlock(&d->lock);
	l = listener(d, &opaque);
	if (l && l->damage)
		l->damage(opaque, r);
}

void enl_display_set_pointer(struct enl_display *d, bool visible, int32_t x,
			     int32_t y)
{
	const struct enl_display_listener *l;
	void *opaque;

	g_mutex_lock(&d->lock);
	d->cursor.visible = visible;
	d->cursor.x = x;
	d->cursor.y = y;
	g_mutex_unlock(&d->lock);
	l = listener(d, &opaque);
	if (l && l->cursor)
		l->cursor(opaque);
}

void enl_display_set_cursor(struct enl_display *d, uint32_t width,
			    uint32_t height, uint32_t hot_x, uint32_t hot_y,
			    const uint32_t *argb)
{
	const struct enl_display_listener *l;
	void *opaque;

	if (width > ENL_DISPLAY_CURSOR_MAX || height > ENL_DISPLAY_CURSOR_MAX)
		return;
	g_mutex_lock(&d->lock);
	d->cursor.width = width;
	d->cursor.height = height;
	d->cursor.hot_x = hot_x < width ? hot_x : 0;
	d->cursor.hot_y = hot_y < height ? hot_y : 0;
	memcpy(d->cursor.argb, argb, (size_t)width * height * 4);
	d->cursor.shape_gen++;
	g_mutex_unlock(&d->lock);
	l = listener(d, &opaque);
	if (l && l->cursor)
		l->cursor(opaque);
}

bool enl_display_mode(struct enl_display *d, struct enl_display_mode *m)
{
	bool active;

	g_mutex_lock(&d->lock);
	active = d->active;
	*m = d->mode;
	g_mutex_unlock(&d->lock);
	return active;
}

void enl_display_cursor(struct enl_display *d, struct enl_display_cursor *c)
{
	g_mutex_lock(&d->lock);
	*c = d->cursor;
	g_mutex_unlock(&d->lock);
}

uint64_t enl_display_damage_count(struct enl_display *d)
{
	uint64_t n;

	g_mutex_lock(&d->lock);
	n = d->damage_count;
	g_mutex_unlock(&d->lock);
	return n;
}

uint64_t enl_display_mode_count(struct enl_display *d)
{
	uint64_t n;

	g_mutex_lock(&d->lock);
	n = d->mode_count;
	g_mutex_unlock(&d->lock);
	return n;
}

void enl_display_read_line(const struct enl_display_mode *m, uint32_t y,
			   uint32_t *out)
{
	const uint8_t *line = m->pixels + (size_t)y * m->pitch;

	if (m->depth == 32) {
		memcpy(out, line, (size_t)m->width * 4);
		for (uint32_t x = 0; x < m->width; x++)
			out[x] &= 0xffffff;
		return;
	}
	for (uint32_t x = 0; x < m->width; x++) {
		uint16_t p;

		memcpy(&p, line + 2 * x, 2);
		out[x] = enl_display_rgb565(p);
	}
}

uint32_t *enl_display_snapshot(struct enl_display *d, uint32_t *width,
			       uint32_t *height)
{
	struct enl_display_mode m;
	uint32_t *out;

	if (!enl_display_mode(d, &m))
		return NULL;
	out = g_new(uint32_t, (size_t)m.width * m.height);
	for (uint32_t y = 0; y < m.height; y++)
		enl_display_read_line(&m, y, out + (size_t)y * m.width);
	*width = m.width;
	*height = m.height;
	return out;
}
