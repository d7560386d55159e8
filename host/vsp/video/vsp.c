// SPDX-License-Identifier: GPL-2.0-only
/*
 * The synthetic video VSP: each video channel's synthvid engine on its
 * worker, answering through the channel's ring; VRAM is found in the hvif
 * MMIO window (guest RAM is accepted too, as a guest may place it there).
 */
#include <errno.h>

#include <enlighten/guids.h>
#include <enlighten/synthvid.h>
#include "display.h"
#include "engine.h"
#include "guest_mem.h"
#include "video_vsp.h"

struct video_chan {
	struct enl_vsp_channel *ch;
	struct enl_vid *vid;
};

static int video_send(void *opaque, const void *msg, uint32_t len)
{
	struct video_chan *vc = opaque;
	struct enl_ring_iov iov = { .base = msg, .len = len };

	/* Answers are small and rare: a full ring means a stuck guest. */
	return enl_vsp_send(vc->ch, ENL_VMPKT_DATA_INBAND, 0, 0, &iov, 1);
}

static void *video_vram_ptr(void *opaque, uint64_t gpa, uint64_t len)
{
	struct video_chan *vc = opaque;
	struct enl_guest_mem *mem = enl_vsp_guest_mem(vc->ch);
	void *p = enl_mmio_ptr(mem, gpa, len);

	return p ? p : enl_gpa_ptr(mem, gpa, len);
}

static const struct enl_vid_ops video_ops = {
	.send = video_send,
	.vram_ptr = video_vram_ptr,
};

static void *video_create(struct enl_vsp_channel *ch)
{
	struct video_chan *vc = g_new0(struct video_chan, 1);
	const struct enl_vid_cfg cfg = {
		.max_version = ENL_SYNTHVID_VERSION_WIN10,
		.vram_size = ENL_VIDEO_MMIO_MEGABYTES << 20,
		.max_width = ENL_VIDEO_MAX_WIDTH,
		.max_height = ENL_VIDEO_MAX_HEIGHT,
	};

	vc->ch = ch;
	vc->vid = enl_vid_new(&cfg, &video_ops, vc, enl_display_get());
	return vc;
}

static void video_destroy(void *state)
{
	struct video_chan *vc = state;

	enl_vid_free(vc->vid);
	g_free(vc);
}

struct enl_vid *enl_video_engine(void *state)
{
	return ((struct video_chan *)state)->vid;
}

static int video_open(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	struct video_chan *vc = enl_vsp_state(ch);

	(void)user_data;
	enl_vid_reset(vc->vid);
	return 0;
}

static int video_packet(struct enl_vsp_channel *ch,
			const struct enl_ring_pkt *pkt, const void *data)
{
	struct video_chan *vc = enl_vsp_state(ch);

	/* Completions and other kinds carry nothing of synthvid's. */
	if (pkt->type != ENL_VMPKT_DATA_INBAND)
		return 0;
	/* Bad messages are counted by the engine, never fatal. */
	enl_vid_input(vc->vid, (const uint8_t *)data + pkt->hdr_len,
		      pkt->len - pkt->hdr_len);
	return 0;
}

static void video_close(struct enl_vsp_channel *ch)
{
	struct video_chan *vc = enl_vsp_state(ch);

	enl_vid_reset(vc->vid);
}

const struct enl_vsp_class enl_vsp_video_class = {
	.name = "video",
	.class_guid = ENL_GUID_SYNTHVID,
	.mmio_megabytes = ENL_VIDEO_MMIO_MEGABYTES,
	.create = video_create,
	.destroy = video_destroy,
	.on_open = video_open,
	.on_packet = video_packet,
	.on_close = video_close,
};
