/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The synthvid protocol engine of one video channel, host side: takes the
 * guest's messages (include/enlighten/synthvid.h), answers them, and keeps
 * the display (display.h) up to date. No VMBus here: the VSP glue (vsp.c)
 * and the unit tests feed it bytes and carry its answers.
 */
#ifndef ENL_HOST_VIDEO_ENGINE_H
#define ENL_HOST_VIDEO_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

struct enl_display;
struct enl_vid;

struct enl_vid_ops {
	/* Send one whole message (pipe header first) to the guest. 0/-errno. */
	int (*send)(void *opaque, const void *msg, uint32_t len);
	/*
	 * Host pointer to guest-physical [gpa, gpa + len) where VRAM may lie
	 * (the MMIO window), or NULL.
	 */
	void *(*vram_ptr)(void *opaque, uint64_t gpa, uint64_t len);
};

struct enl_vid_cfg {
	uint32_t max_version;		/* newest version accepted */
	uint32_t vram_size;		/* the offer's mmio_megabytes, in bytes */
	uint32_t max_width, max_height;
};

/* What went wrong, by reason; every bad message is counted once. */
struct enl_vid_stats {
	uint64_t msgs;			/* messages taken */
	uint64_t bad_header;		/* short, or sizes that do not add up */
	uint64_t bad_type;		/* unknown, or one only the host sends */
	uint64_t bad_state;		/* before a version was agreed */
	uint64_t bad_version;		/* refused version requests */
	uint64_t bad_vram;		/* VRAM not where the host can see it */
	uint64_t bad_situation;		/* mode outside VRAM or limits */
	uint64_t bad_dirt;		/* malformed dirt messages or rects */
	uint64_t bad_pointer;		/* malformed pointer messages */
	uint64_t send_fail;		/* answers the ring did not take */
	uint64_t dirt_rects;		/* rectangles reported to the display */
	uint64_t mode_sets;		/* accepted situation updates */
	uint64_t pointer_moves;
	uint64_t pointer_shapes;
};

/* State the ctl verb shows. */
struct enl_vid_info {
	uint32_t version;		/* agreed, 0 before */
	uint64_t vram_gpa;		/* 0 before VRAM_LOCATION */
	bool vram_ok;
	bool active;
	uint32_t width, height, depth, pitch;
};

struct enl_vid *enl_vid_new(const struct enl_vid_cfg *cfg,
			    const struct enl_vid_ops *ops, void *opaque,
			    struct enl_display *display);
void enl_vid_free(struct enl_vid *v);

/*
 * The guest opened the channel (a fresh start: nothing agreed yet) or
 * closed it (the display goes inactive).
 */
void enl_vid_reset(struct enl_vid *v);

/*
 * One in-band packet's payload (len: as the ring gives it, padding
 * included). 0, or -EBADMSG / -EPROTO / -EINVAL for a message that was
 * counted and dropped.
 */
int enl_vid_input(struct enl_vid *v, const void *payload, size_t len);

/*
 * Ask the guest for (or stop asking for) dirt, pointer and situation
 * messages: FEATURE_CHANGE. Sent once a version is agreed too.
 */
int enl_vid_send_features(struct enl_vid *v, bool dirt, bool ptr_pos,
			  bool ptr_shape, bool situ);

/*
 * Fault injection (ctl video inject): send the guest a malformed message.
 * kind: "short" (a version response cut short), "type" (an unknown type),
 * "size" (header sizes past the packet), "rescount" (a resolution response
 * claiming 200 modes), "resindex" (a default index past the list).
 * 0 or -EINVAL for an unknown kind.
 */
int enl_vid_inject(struct enl_vid *v, const char *kind);

/* The kinds enl_vid_inject() knows, NULL-terminated. */
extern const char *const enl_vid_inject_kinds[];

void enl_vid_get_stats(const struct enl_vid *v, struct enl_vid_stats *s);
void enl_vid_get_info(const struct enl_vid *v, struct enl_vid_info *i);
void enl_vid_set_max_version(struct enl_vid *v, uint32_t version);

/* The modes offered in RESOLUTION_RESPONSE (for the tests). */
uint32_t enl_vid_resolutions(const struct enl_vid *v, uint16_t *w,
			     uint16_t *h, uint32_t max);

#endif /* ENL_HOST_VIDEO_ENGINE_H */
