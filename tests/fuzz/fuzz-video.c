// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over enl-host's synthvid engine (host/vsp/video/engine.c)
 * and the display it feeds: guest messages, raw or shaped, mixed with the
 * host's own actions.
 *
 * Input: [setup] then records (fuzz.h):
 *	op & 3 == 0	raw message: the bytes as the packet's payload (op
 *			0x10: repeated to off bytes, for long packets)
 *	op & 3 == 1	shaped message: both headers right for type a & 15
 *			and a body of the bytes; op 0x04 lies in hdr.size
 *			(+off), op 0x08 in pipe.size
 *	op & 3 == 2	host action a % 4: reset (channel reopened), inject
 *			fault kind off % 5, cap the version (off % 3), a
 *			FEATURE_CHANGE
 *	op & 3 == 3	a snapshot of the display: its first and last lines
 *			and line off (every line lies between the first and
 *			the last: those are the reads that could leave VRAM);
 *			op 0xf0 all set: the whole frame (up to 2.3 million
 *			pixels, most of a run's time when it was every
 *			snapshot)
 * setup & 1: the ring refuses the engine's answers (send fails).
 *
 * Invariants: the display's mode always lies inside VRAM (pixels, pitch,
 * height, width) and within the configured size; every answer the engine
 * sends is one of the host's types with headers that add up to its length;
 * a guest message brings at most two answers (a version's: the response
 * and FEATURE_CHANGE);
 * snapshots are the mode's size.
 */
#include <enlighten/synthvid.h>
#include "display.h"
#include "engine.h"
#include "fuzz.h"

#define VRAM_SIZE	(4u << 20)
#define VRAM_GPA	0x80000000ull
#define MAX_W		1920
#define MAX_H		1200

static uint8_t *vram;
static unsigned int answers;
static bool refuse;

static int f_send(void *opaque, const void *msg, uint32_t len)
{
	const struct enl_synthvid_msg *m = msg;
	uint32_t t;

	(void)opaque;
	FUZZ_ASSERT(len >= ENL_SYNTHVID_HDRS_SIZE);
	t = m->hdr.type;
	/* Injected faults are the host's own lies: only check the rest. */
	if (t != 0x7777 && m->hdr.size != 0x10000) {
		FUZZ_ASSERT(m->pipe.type == ENL_SYNTHVID_PIPE_MSG_DATA);
		FUZZ_ASSERT(m->pipe.size == m->hdr.size);
		FUZZ_ASSERT(m->hdr.size + 8 == len);
		FUZZ_ASSERT(t == ENL_SYNTHVID_VERSION_RESPONSE ||
			    t == ENL_SYNTHVID_VRAM_LOCATION_ACK ||
			    t == ENL_SYNTHVID_SITUATION_UPDATE_ACK ||
			    t == ENL_SYNTHVID_FEATURE_CHANGE ||
			    t == ENL_SYNTHVID_RESOLUTION_RESPONSE);
	}
	answers++;
	return refuse ? -EAGAIN : 0;
}

static void *f_vram(void *opaque, uint64_t gpa, uint64_t len)
{
	(void)opaque;
	if (gpa < VRAM_GPA || gpa - VRAM_GPA > VRAM_SIZE ||
	    len > VRAM_SIZE - (gpa - VRAM_GPA))
		return NULL;
	return vram + (gpa - VRAM_GPA);
}

static const struct enl_vid_ops ops = { .send = f_send, .vram_ptr = f_vram };

static void check_mode(struct enl_display *d)
{
	struct enl_display_mode m;

	if (!enl_display_mode(d, &m))
		return;
	FUZZ_ASSERT(m.depth == 16 || m.depth == 32);
	FUZZ_ASSERT(m.width && m.height && m.pitch >= m.width * m.depth / 8);
	FUZZ_ASSERT(m.pixels >= vram);
	FUZZ_ASSERT((uint64_t)(m.pixels - vram) + (uint64_t)m.pitch * (m.height - 1) +
		    m.width * m.depth / 8 <= VRAM_SIZE);
}

static struct enl_vid *vid;
static struct enl_display *disp;

static void snapshot(const struct rec *r)
{
	static uint32_t line[MAX_W];
	struct enl_display_mode m;
	uint32_t w = 0, h = 0, *px;

	if ((r->op & 0xf0) == 0xf0) {
		px = enl_display_snapshot(disp, &w, &h);
		if (enl_display_mode(disp, &m))
			FUZZ_ASSERT(px && w == m.width && h == m.height);
		g_free(px);
		return;
	}
	if (!enl_display_mode(disp, &m))
		return;
	FUZZ_ASSERT(m.width <= MAX_W);
	enl_display_read_line(&m, 0, line);
	enl_display_read_line(&m, r->off % m.height, line);
	enl_display_read_line(&m, m.height - 1, line);
}

static void deliver(const void *pkt, size_t len)
{
	answers = 0;
	enl_vid_input(vid, pkt, len);
	FUZZ_ASSERT(answers <= 2);
	check_mode(disp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t caps[] = ENL_SYNTHVID_VERSIONS_NEWEST_FIRST;
	static uint8_t big[ENL_SYNTHVID_MAX_MSG_SIZE + 64];
	const struct enl_vid_cfg cfg = {
		.max_version = ENL_SYNTHVID_VERSION_WIN10,
		.vram_size = VRAM_SIZE, .max_width = MAX_W, .max_height = MAX_H,
	};
	struct rec r;

	if (!vram)
		vram = calloc(1, VRAM_SIZE);
	if (size < 1)
		return 0;
	refuse = data[0] & 1;
	data++;
	size--;
	disp = enl_display_new();
	vid = enl_vid_new(&cfg, &ops, NULL, disp);
	while (rec_next(&data, &size, &r)) {
		switch (r.op & 3) {
		case 0:
			fuzz_raw(&r, big, sizeof(big), deliver);
			break;
		case 1: {
			uint8_t buf[sizeof(struct enl_synthvid_msg) + 256];
			struct enl_synthvid_msg *m = (void *)buf;
			uint32_t body = (uint32_t)r.len;

			m->pipe.type = ENL_SYNTHVID_PIPE_MSG_DATA;
			m->hdr.type = r.a & 15;
			m->hdr.size = 8 + body + ((r.op & 4) ? r.off : 0);
			m->pipe.size = m->hdr.size + ((r.op & 8) ? r.off : 0);
			memcpy(buf + 16, r.p, r.len);
			deliver(buf, 16 + body);
			break;
		}
		case 2:
			answers = 0;
			switch (r.a % 4) {
			case 0:
				enl_vid_reset(vid);
				break;
			case 1:
				enl_vid_inject(vid, enl_vid_inject_kinds[r.off % 5]);
				break;
			case 2:
				enl_vid_set_max_version(vid, caps[r.off % 3]);
				break;
			default:
				enl_vid_send_features(vid, r.off & 1, r.off & 2,
						      r.off & 4, r.off & 8);
			}
			check_mode(disp);
			break;
		default:
			snapshot(&r);
		}
	}
	enl_vid_free(vid);
	enl_display_free(disp);
	return 0;
}

static void shaped(GByteArray *s, uint8_t type, const void *body, size_t len)
{
	seed_rec(s, 1, type, 0, body, len);
}

static void seeds(const char *dir, GByteArray *s)
{
	struct enl_synthvid_version_req ver = { ENL_SYNTHVID_VERSION_WIN10 };
	struct enl_synthvid_vram_location loc = {
		.user_ctx = 1, .is_vram_gpa_specified = 1, .vram_gpa = VRAM_GPA,
	};
	struct enl_synthvid_situation_update situ = {
		.video_output_count = 1,
		.video_output = { { 1, 0, 32, 800, 600, 3200 } },
	};
	struct enl_synthvid_resolution_req res = { 64 };
	uint8_t dirt[2 + 32] = { 0, 2 };
	struct enl_synthvid_rect rects[2] = { { 0, 0, 10, 10 }, { 700, 500, 900, 700 } };
	uint8_t shape[18 + 4 * 4 * 4] = { 0xff, 1, 4, 0, 0, 0, 4, 0, 0, 0 };
	struct enl_synthvid_pointer_position pos = { 1, 0, 5, 6 };

	memcpy(dirt + 2, rects, sizeof(rects));
	g_byte_array_append(s, (const uint8_t[]){ 0 }, 1);
	shaped(s, ENL_SYNTHVID_VERSION_REQUEST, &ver, sizeof(ver));
	shaped(s, ENL_SYNTHVID_RESOLUTION_REQUEST, &res, sizeof(res));
	shaped(s, ENL_SYNTHVID_VRAM_LOCATION, &loc, sizeof(loc));
	shaped(s, ENL_SYNTHVID_SITUATION_UPDATE, &situ, sizeof(situ));
	shaped(s, ENL_SYNTHVID_DIRT, dirt, sizeof(dirt));
	shaped(s, ENL_SYNTHVID_POINTER_SHAPE, shape, sizeof(shape));
	shaped(s, ENL_SYNTHVID_POINTER_POSITION, &pos, sizeof(pos));
	seed_rec(s, 3, 0, 0, NULL, 0);
	seed_rec(s, 0xf3, 0, 0, NULL, 0);
	seed_rec(s, 2, 1, 3, NULL, 0);
	seed_rec(s, 2, 0, 0, NULL, 0);
	seed_write(dir, "session", s);
}

FUZZ_INITIALIZE_WITH_SEEDS(seeds)
