/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl_fb: the synthetic video device's DRM/KMS driver. The guest draws into
 * shmem GEM buffers; on every commit the damaged rectangles are copied
 * into VRAM (the MMIO space the host maps) and reported to the host as
 * DIRT. The cursor plane goes to the host as POINTER_SHAPE and
 * POINTER_POSITION. protocol.c speaks synthvid; modeset.c is the KMS side.
 */
#ifndef _ENL_FB_H
#define _ENL_FB_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_plane.h>
#include <drm/drm_rect.h>
#include <enlighten/synthvid.h>
#include "enl_vmbus.h"

/* Rings: host messages are small; a whole pointer shape must fit ours. */
#define ENL_FB_RING_SIZE	(128 * 1024)
/* The host's answers (version, VRAM, resolutions) must come this fast. */
#define ENL_FB_TIMEOUT_MS	5000
/* Largest host message taken (a full resolution response). */
#define ENL_FB_RECV_SIZE	512
/* Rectangles per DIRT message. */
#define ENL_FB_DIRT_BATCH	16

/* Bad or unexpected input from the host, counted (sysfs enl_fb_stats). */
struct enl_fb_stats {
	atomic64_t bad_msg;		/* short, sizes that do not add up */
	atomic64_t bad_type;		/* unknown type */
	atomic64_t bad_value;		/* fields out of range */
	atomic64_t unexpected;		/* an answer nobody waits for */
	atomic64_t too_big;		/* packets past ENL_FB_RECV_SIZE */
	atomic64_t send_fail;		/* messages the ring did not take */
	atomic64_t dirt_msgs;		/* DIRT messages sent */
	atomic64_t dirt_rects;
	atomic64_t pointer_msgs;
	atomic64_t feature_changes;
};

struct enl_fb {
	struct drm_device drm;
	struct drm_plane primary;
	struct drm_plane cursor;
	struct drm_crtc crtc;
	struct drm_encoder encoder;
	struct drm_connector connector;

	struct enl_vmbus_device *vdev;
	struct enl_vmbus_channel *ch;

	/* Protocol state. */
	u32 version;
	u32 depth;			/* 32, or 16 at WIN7 */
	u32 width_max, height_max;
	u32 preferred_width, preferred_height;
	bool dirt_needed;
	bool ptr_needed;

	/* VRAM: MMIO space the host backs, mapped write-back. */
	phys_addr_t vram_gpa;
	resource_size_t vram_size;
	void *vram;

	/* One answer awaited at a time (probe), under wait_lock. */
	struct mutex req_lock;
	spinlock_t wait_lock;
	u32 wait_type;			/* 0: none */
	u32 wait_len;
	u8 wait_buf[ENL_FB_RECV_SIZE];
	struct completion wait_done;

	/* Sends come from commits and the receive path (features). */
	struct mutex send_lock;
	u8 recv_buf[ENL_FB_RECV_SIZE];

	struct enl_fb_stats st;
};

#define to_enl_fb(d)	container_of(d, struct enl_fb, drm)

/* protocol.c */
int enl_fb_connect(struct enl_fb *fb);
void enl_fb_disconnect(struct enl_fb *fb);
int enl_fb_send_vram(struct enl_fb *fb);
int enl_fb_send_situation(struct enl_fb *fb, bool active, u32 w, u32 h,
			  u32 pitch);
int enl_fb_send_dirt(struct enl_fb *fb, const struct drm_rect *r,
		     unsigned int n);
int enl_fb_send_pointer_position(struct enl_fb *fb, bool visible, s32 x,
				 s32 y);
int enl_fb_send_pointer_shape(struct enl_fb *fb, u32 w, u32 h, u32 hot_x,
			      u32 hot_y, const void *argb, u32 pitch);

/* modeset.c */
int enl_fb_modeset_init(struct enl_fb *fb);

/* sysfs.c */
extern const struct attribute_group enl_fb_attr_group;

#endif /* _ENL_FB_H */
