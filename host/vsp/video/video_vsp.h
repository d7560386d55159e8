/* SPDX-License-Identifier: GPL-2.0-only */
/* The synthetic video device's VSP class, and what enl-host's glue reaches in it. */
#ifndef ENL_HOST_VIDEO_VSP_H
#define ENL_HOST_VIDEO_VSP_H

#include "vsp.h"

/* MMIO space the device asks for (its VRAM): the hvif window's size. */
#define ENL_VIDEO_MMIO_MEGABYTES	16
/* Largest mode offered: 2560x1600 at 32 bpp fits in 16 MiB. */
#define ENL_VIDEO_MAX_WIDTH		2560
#define ENL_VIDEO_MAX_HEIGHT		1600

extern const struct enl_vsp_class enl_vsp_video_class;

/* The engine of a video channel's state (enl_vsp_state()), for ctl verbs. */
struct enl_vid *enl_video_engine(void *state);

#endif /* ENL_HOST_VIDEO_VSP_H */
