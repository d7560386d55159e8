// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_fb's KMS side: one CRTC with a primary plane (XRGB8888, or RGB565 at
 * WIN7) and a cursor plane (ARGB8888, up to 96x96, the host's pointer), an
 * encoder and a virtual connector whose modes go up to what the host
 * offered and VRAM holds. Buffers are shmem GEM objects; a commit copies
 * the damaged parts of the primary's into VRAM, line for line at the
 * mode's pitch, and reports them as DIRT. Commits enable the CRTC before
 * planes (SITUATION_UPDATE first), so the first frame of a mode is drawn
 * into the mode the host already knows.
 */
#include <linux/iosys-map.h>
#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_edid.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_format_helper.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_simple_kms_helper.h>
#include "fb.h"

static const u32 formats_32[] = { DRM_FORMAT_XRGB8888 };
static const u32 formats_16[] = { DRM_FORMAT_RGB565 };
static const u32 cursor_formats[] = { DRM_FORMAT_ARGB8888 };
static const u64 modifiers[] = { DRM_FORMAT_MOD_LINEAR, DRM_FORMAT_MOD_INVALID };

/* Bytes per VRAM line of a mode: what SITUATION_UPDATE announces. */
static u32 mode_pitch(struct enl_fb *fb, u32 width)
{
	return width * (fb->depth / 8);
}

/*
 * A plane's new state against its CRTC's, unscaled: the primary covers the
 * screen; the cursor may sit anywhere, partly off it, or be off.
 */
static int plane_check(struct drm_plane *plane, struct drm_atomic_state *state,
		       bool cursor)
{
	struct drm_plane_state *ps = drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *cs = NULL;

	if (ps->crtc)
		cs = drm_atomic_get_new_crtc_state(state, ps->crtc);
	return drm_atomic_helper_check_plane_state(ps, cs, DRM_PLANE_NO_SCALING,
						   DRM_PLANE_NO_SCALING, cursor,
						   cursor);
}

/* ---- Primary plane ---- */

static int primary_check(struct drm_plane *plane,
			 struct drm_atomic_state *state)
{
	return plane_check(plane, state, false);
}

static void primary_update(struct drm_plane *plane,
			   struct drm_atomic_state *state)
{
	struct enl_fb *fb = to_enl_fb(plane->dev);
	struct drm_plane_state *old = drm_atomic_get_old_plane_state(state, plane);
	struct drm_plane_state *ps = plane->state;
	struct drm_shadow_plane_state *sps = to_drm_shadow_plane_state(ps);
	struct drm_framebuffer *dfb = ps->fb;
	struct drm_atomic_helper_damage_iter iter;
	struct drm_rect clip, rects[ENL_FB_DIRT_BATCH];
	unsigned int n = 0, pitch;
	int sx, sy, idx;

	if (!ps->visible || !dfb || !drm_dev_enter(plane->dev, &idx))
		return;
	pitch = mode_pitch(fb, drm_rect_width(&ps->dst));
	sx = ps->src.x1 >> 16;
	sy = ps->src.y1 >> 16;
	drm_atomic_helper_damage_iter_init(&iter, old, ps);
	drm_atomic_for_each_plane_damage(&iter, &clip) {
		struct iosys_map dst;
		struct drm_rect *o = &rects[n];

		/* The clip is in framebuffer coordinates; the screen's start at src. */
		*o = clip;
		drm_rect_translate(o, -sx, -sy);
		if (!drm_rect_intersect(o, &ps->dst))
			continue;
		clip = *o;
		drm_rect_translate(&clip, sx, sy);
		iosys_map_set_vaddr(&dst, fb->vram);
		iosys_map_incr(&dst, o->y1 * pitch + o->x1 * dfb->format->cpp[0]);
		drm_fb_memcpy(&dst, &pitch, sps->data, dfb, &clip);
		if (++n == ENL_FB_DIRT_BATCH) {
			enl_fb_send_dirt(fb, rects, n);
			n = 0;
		}
	}
	enl_fb_send_dirt(fb, rects, n);
	drm_dev_exit(idx);
}

static const struct drm_plane_helper_funcs primary_helper_funcs = {
	DRM_GEM_SHADOW_PLANE_HELPER_FUNCS,
	.atomic_check = primary_check,
	.atomic_update = primary_update,
};

/* ---- Cursor plane: the host's pointer ---- */

static int cursor_check(struct drm_plane *plane,
			struct drm_atomic_state *state)
{
	struct drm_plane_state *ps = drm_atomic_get_new_plane_state(state, plane);
	int ret = plane_check(plane, state, true);

	if (ret || !ps->fb)
		return ret;
	if (ps->fb->width > ENL_SYNTHVID_CURSOR_MAX_X ||
	    ps->fb->height > ENL_SYNTHVID_CURSOR_MAX_Y)
		return -EINVAL;
	return 0;
}

static void cursor_update(struct drm_plane *plane,
			  struct drm_atomic_state *state)
{
	struct enl_fb *fb = to_enl_fb(plane->dev);
	struct drm_plane_state *old = drm_atomic_get_old_plane_state(state, plane);
	struct drm_plane_state *ps = plane->state;
	struct drm_shadow_plane_state *sps = to_drm_shadow_plane_state(ps);
	struct drm_framebuffer *dfb = ps->fb;
	int idx;

	if (!drm_dev_enter(plane->dev, &idx))
		return;
	if (!dfb || !ps->visible) {
		enl_fb_send_pointer_position(fb, false, 0, 0);
		goto out;
	}
	/* A new image, or the same buffer redrawn. */
	if (dfb != old->fb || ps->fb_damage_clips)
		enl_fb_send_pointer_shape(fb, dfb->width, dfb->height,
					  dfb->hot_x, dfb->hot_y,
					  sps->data[0].vaddr, dfb->pitches[0]);
	/* Where the pointer points: the image's corner plus its hotspot. */
	enl_fb_send_pointer_position(fb, true, ps->crtc_x + dfb->hot_x,
				     ps->crtc_y + dfb->hot_y);
out:
	drm_dev_exit(idx);
}

static void cursor_disable(struct drm_plane *plane,
			   struct drm_atomic_state *state)
{
	int idx;

	if (!drm_dev_enter(plane->dev, &idx))
		return;
	enl_fb_send_pointer_position(to_enl_fb(plane->dev), false, 0, 0);
	drm_dev_exit(idx);
}

static const struct drm_plane_helper_funcs cursor_helper_funcs = {
	DRM_GEM_SHADOW_PLANE_HELPER_FUNCS,
	.atomic_check = cursor_check,
	.atomic_update = cursor_update,
	.atomic_disable = cursor_disable,
};

static const struct drm_plane_funcs plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.destroy = drm_plane_cleanup,
	DRM_GEM_SHADOW_PLANE_FUNCS,
};

/* ---- CRTC ---- */

static enum drm_mode_status crtc_mode_valid(struct drm_crtc *crtc,
					    const struct drm_display_mode *mode)
{
	struct enl_fb *fb = to_enl_fb(crtc->dev);

	if (mode->hdisplay > fb->width_max || mode->vdisplay > fb->height_max)
		return MODE_BAD;
	if ((u64)mode_pitch(fb, mode->hdisplay) * mode->vdisplay > fb->vram_size)
		return MODE_MEM;
	return MODE_OK;
}

static int crtc_check(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	struct drm_crtc_state *cs = drm_atomic_get_new_crtc_state(state, crtc);

	return drm_atomic_helper_check_crtc_state(cs, false);
}

/* The host learns the CRTC's mode (on) or that nothing is shown (off). */
static void crtc_situation(struct drm_crtc *crtc, bool on)
{
	struct enl_fb *fb = to_enl_fb(crtc->dev);
	const struct drm_display_mode *m = &crtc->state->mode;
	int idx;

	if (!drm_dev_enter(crtc->dev, &idx))
		return;
	if (on)
		enl_fb_send_situation(fb, true, m->hdisplay, m->vdisplay,
				      mode_pitch(fb, m->hdisplay));
	else
		enl_fb_send_situation(fb, false, 0, 0, 0);
	drm_dev_exit(idx);
}

static void crtc_enable(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	crtc_situation(crtc, true);
}

static void crtc_disable(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	crtc_situation(crtc, false);
}

static const struct drm_crtc_helper_funcs crtc_helper_funcs = {
	.mode_valid = crtc_mode_valid,
	.atomic_check = crtc_check,
	.atomic_enable = crtc_enable,
	.atomic_disable = crtc_disable,
};

static const struct drm_crtc_funcs crtc_funcs = {
	.reset = drm_atomic_helper_crtc_reset,
	.destroy = drm_crtc_cleanup,
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
};

/* ---- Connector ---- */

static int connector_get_modes(struct drm_connector *connector)
{
	struct enl_fb *fb = to_enl_fb(connector->dev);
	int n;

	n = drm_add_modes_noedid(connector, fb->width_max, fb->height_max);
	drm_set_preferred_mode(connector, fb->preferred_width,
			       fb->preferred_height);
	return n;
}

static const struct drm_connector_helper_funcs connector_helper_funcs = {
	.get_modes = connector_get_modes,
};

static const struct drm_connector_funcs connector_funcs = {
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

/* ---- Mode configuration ---- */

static const struct drm_mode_config_funcs mode_config_funcs = {
	.fb_create = drm_gem_fb_create_with_dirty,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

/* CRTC enables before planes: the host knows the mode before its dirt. */
static const struct drm_mode_config_helper_funcs mode_config_helpers = {
	.atomic_commit_tail = drm_atomic_helper_commit_tail_rpm,
};

int enl_fb_modeset_init(struct enl_fb *fb)
{
	struct drm_device *dev = &fb->drm;
	bool win7 = fb->depth == 16;
	int ret;

	ret = drmm_mode_config_init(dev);
	if (ret)
		return ret;
	/* Modes start at 640x480; buffers (a cursor's) may be smaller. */
	dev->mode_config.min_width = 0;
	dev->mode_config.min_height = 0;
	dev->mode_config.max_width = fb->width_max;
	dev->mode_config.max_height = fb->height_max;
	dev->mode_config.preferred_depth = win7 ? 16 : 24;
	dev->mode_config.prefer_shadow = 0;
	dev->mode_config.cursor_width = 64;
	dev->mode_config.cursor_height = 64;
	dev->mode_config.funcs = &mode_config_funcs;
	dev->mode_config.helper_private = &mode_config_helpers;

	ret = drm_universal_plane_init(dev, &fb->primary, 0, &plane_funcs,
				       win7 ? formats_16 : formats_32, 1,
				       modifiers, DRM_PLANE_TYPE_PRIMARY, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&fb->primary, &primary_helper_funcs);
	drm_plane_enable_fb_damage_clips(&fb->primary);

	ret = drm_universal_plane_init(dev, &fb->cursor, 0, &plane_funcs,
				       cursor_formats,
				       ARRAY_SIZE(cursor_formats), modifiers,
				       DRM_PLANE_TYPE_CURSOR, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&fb->cursor, &cursor_helper_funcs);
	drm_plane_enable_fb_damage_clips(&fb->cursor);

	ret = drm_crtc_init_with_planes(dev, &fb->crtc, &fb->primary,
					&fb->cursor, &crtc_funcs, NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(&fb->crtc, &crtc_helper_funcs);

	ret = drm_simple_encoder_init(dev, &fb->encoder,
				      DRM_MODE_ENCODER_VIRTUAL);
	if (ret)
		return ret;
	fb->encoder.possible_crtcs = drm_crtc_mask(&fb->crtc);

	drm_connector_helper_add(&fb->connector, &connector_helper_funcs);
	ret = drm_connector_init(dev, &fb->connector, &connector_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	ret = drm_connector_attach_encoder(&fb->connector, &fb->encoder);
	if (ret)
		return ret;
	drm_mode_config_reset(dev);
	return 0;
}
