// SPDX-License-Identifier: GPL-2.0-only
/*
 * The synthvid engine (host/vsp/video) against a scripted guest: version
 * negotiation, VRAM placement, modes, dirt, pointer, resolutions, every
 * malformed header and body counted under its reason, and the display's
 * snapshots and PNGs pixel for pixel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <png.h>

#include <enlighten/synthvid.h>
#include "display.h"
#include "engine.h"
#include "tap.h"

#define VRAM_SIZE	(16u << 20)
#define VRAM_GPA	0xf1000000ull

static uint8_t *vram;
/* What the engine sent, last first. */
static uint8_t sent[8][ENL_SYNTHVID_MAX_MSG_SIZE];
static uint32_t sent_len[8];
static unsigned int nr_sent;
static int send_ret;

static int t_send(void *opaque, const void *msg, uint32_t len)
{
	(void)opaque;
	if (send_ret)
		return send_ret;
	if (nr_sent < 8) {
		memcpy(sent[nr_sent], msg, len);
		sent_len[nr_sent] = len;
	}
	nr_sent++;
	return 0;
}

static void *t_vram(void *opaque, uint64_t gpa, uint64_t len)
{
	(void)opaque;
	if (gpa < VRAM_GPA || gpa - VRAM_GPA > VRAM_SIZE ||
	    len > VRAM_SIZE - (gpa - VRAM_GPA))
		return NULL;
	return vram + (gpa - VRAM_GPA);
}

static const struct enl_vid_ops ops = { .send = t_send, .vram_ptr = t_vram };

/* Damage seen by a listener. */
static struct enl_display_rect last_damage;
static unsigned int damages, modes_seen;

static void l_mode(void *o, const struct enl_display_mode *m)
{
	(void)o;
	(void)m;
	modes_seen++;
}

static void l_damage(void *o, const struct enl_display_rect *r)
{
	(void)o;
	last_damage = *r;
	damages++;
}

static const struct enl_display_listener listener = {
	.mode = l_mode, .damage = l_damage,
};

static int feed(struct enl_vid *v, uint32_t type, const void *body,
		uint32_t len)
{
	uint8_t buf[ENL_SYNTHVID_MAX_MSG_SIZE + 64] = { 0 };
	struct enl_synthvid_msg *m = (void *)buf;

	m->pipe.type = ENL_SYNTHVID_PIPE_MSG_DATA;
	m->hdr.type = type;
	m->hdr.size = ENL_SYNTHVID_HDR_SIZE(len);
	m->pipe.size = m->hdr.size;
	memcpy(buf + ENL_SYNTHVID_HDRS_SIZE, body, len);
	nr_sent = 0;
	/* Padded to 8 as VMBus does. */
	return enl_vid_input(v, buf, (ENL_SYNTHVID_HDRS_SIZE + len + 7) & ~7u);
}

static const struct enl_synthvid_msg *reply(unsigned int i)
{
	return (const struct enl_synthvid_msg *)sent[i];
}

static int situ(struct enl_vid *v, uint8_t active, uint8_t depth, uint32_t w,
		uint32_t h, uint32_t pitch, uint32_t off)
{
	struct enl_synthvid_situation_update s = { 0 };

	s.user_ctx = 77;
	s.video_output_count = 1;
	s.video_output[0].active = active;
	s.video_output[0].vram_offset = off;
	s.video_output[0].depth_bits = depth;
	s.video_output[0].width_pixels = w;
	s.video_output[0].height_pixels = h;
	s.video_output[0].pitch_bytes = pitch;
	return feed(v, ENL_SYNTHVID_SITUATION_UPDATE, &s, sizeof(s));
}

static int dirt(struct enl_vid *v, uint8_t count, const struct enl_synthvid_rect *r,
		uint32_t nr)
{
	uint8_t b[2 + 16 * 8];

	b[0] = 0;
	b[1] = count;
	memcpy(b + 2, r, nr * sizeof(*r));
	return feed(v, ENL_SYNTHVID_DIRT, b, 2 + nr * sizeof(*r));
}

static struct enl_vid *new_vid(struct enl_display *d, uint32_t maxver)
{
	const struct enl_vid_cfg cfg = {
		.max_version = maxver, .vram_size = VRAM_SIZE,
		.max_width = 2560, .max_height = 1600,
	};

	return enl_vid_new(&cfg, &ops, NULL, d);
}

static void test_versions(void)
{
	struct enl_display *d = enl_display_new();
	struct enl_vid *v = new_vid(d, ENL_SYNTHVID_VERSION_WIN8);
	struct enl_vid_stats st;
	struct enl_synthvid_version_req req;
	struct enl_synthvid_resolution_req rr = { 64 };
	int ret;

	ret = feed(v, ENL_SYNTHVID_RESOLUTION_REQUEST, &rr, sizeof(rr));
	enl_vid_get_stats(v, &st);
	tap_ok(ret == -EPROTO && st.bad_state == 1 && nr_sent == 0,
	       "a message before the version is refused (bad_state)");

	req.version = ENL_SYNTHVID_VERSION_WIN10;
	ret = feed(v, ENL_SYNTHVID_VERSION_REQUEST, &req, sizeof(req));
	tap_ok(ret == -EPROTO && nr_sent == 1 &&
	       reply(0)->hdr.type == ENL_SYNTHVID_VERSION_RESPONSE &&
	       !reply(0)->ver_resp.is_accepted &&
	       reply(0)->ver_resp.version == ENL_SYNTHVID_VERSION_WIN10,
	       "WIN10 refused by a host capped at WIN8");
	req.version = ENL_SYNTHVID_VERSION(3, 3);
	feed(v, ENL_SYNTHVID_VERSION_REQUEST, &req, sizeof(req));
	tap_ok(nr_sent == 1 && !reply(0)->ver_resp.is_accepted,
	       "an unknown version (3.3) is refused");
	req.version = ENL_SYNTHVID_VERSION_WIN8;
	ret = feed(v, ENL_SYNTHVID_VERSION_REQUEST, &req, sizeof(req));
	tap_ok(!ret && nr_sent == 2 && reply(0)->ver_resp.is_accepted &&
	       reply(0)->ver_resp.max_video_outputs == 1 &&
	       reply(0)->pipe.size == reply(0)->hdr.size &&
	       reply(0)->hdr.size == 8 + sizeof(struct enl_synthvid_version_resp),
	       "WIN8 accepted, headers sized right");
	tap_ok(reply(1)->hdr.type == ENL_SYNTHVID_FEATURE_CHANGE &&
	       reply(1)->feature.is_dirt_needed &&
	       reply(1)->feature.is_ptr_shape_needed,
	       "FEATURE_CHANGE asks for dirt and pointer once agreed");
	enl_vid_get_stats(v, &st);
	tap_ok(st.bad_version == 2, "refused versions counted (%lu)",
	       (unsigned long)st.bad_version);
	enl_vid_set_max_version(v, ENL_SYNTHVID_VERSION_WIN10);
	req.version = ENL_SYNTHVID_VERSION_WIN7;
	feed(v, ENL_SYNTHVID_VERSION_REQUEST, &req, sizeof(req));
	tap_ok(reply(0)->ver_resp.is_accepted, "WIN7 accepted too");
	enl_vid_free(v);
	enl_display_free(d);
}

static struct enl_vid *negotiated(struct enl_display *d)
{
	struct enl_vid *v = new_vid(d, ENL_SYNTHVID_VERSION_WIN10);
	struct enl_synthvid_version_req req = { ENL_SYNTHVID_VERSION_WIN10 };
	struct enl_synthvid_vram_location loc = { 0 };

	feed(v, ENL_SYNTHVID_VERSION_REQUEST, &req, sizeof(req));
	loc.user_ctx = 0x1234;
	loc.is_vram_gpa_specified = 1;
	loc.vram_gpa = VRAM_GPA;
	feed(v, ENL_SYNTHVID_VRAM_LOCATION, &loc, sizeof(loc));
	return v;
}

static void test_vram_and_modes(void)
{
	struct enl_display *d = enl_display_new();
	struct enl_vid *v = negotiated(d);
	struct enl_synthvid_vram_location loc = { 0 };
	struct enl_display_mode m;
	struct enl_vid_stats st;
	int ret;

	tap_ok(nr_sent == 1 && reply(0)->hdr.type == ENL_SYNTHVID_VRAM_LOCATION_ACK &&
	       reply(0)->vram_ack.user_ctx == 0x1234,
	       "VRAM in the window: the ack echoes user_ctx");
	loc.user_ctx = 5;
	loc.is_vram_gpa_specified = 1;
	loc.vram_gpa = VRAM_GPA + 4096;	/* its end would pass the window */
	ret = feed(v, ENL_SYNTHVID_VRAM_LOCATION, &loc, sizeof(loc));
	enl_vid_get_stats(v, &st);
	tap_ok(ret == -EINVAL && st.bad_vram == 1 &&
	       reply(0)->vram_ack.user_ctx == ~5ull,
	       "VRAM past the window: refused, ack says so, counted");

	enl_display_set_listener(d, &listener, NULL);
	ret = situ(v, 1, 32, 1024, 768, 4096, 0);
	tap_ok(!ret && enl_display_mode(d, &m) && m.width == 1024 &&
	       m.height == 768 && m.pitch == 4096 && m.pixels == vram &&
	       modes_seen == 1 && nr_sent == 1 &&
	       reply(0)->hdr.type == ENL_SYNTHVID_SITUATION_UPDATE_ACK &&
	       reply(0)->situ_ack.user_ctx == 77,
	       "a 1024x768x32 mode reaches the display and is acked");
	ret = situ(v, 1, 32, 2560, 1600, 2560 * 4, 1u << 19);
	tap_ok(ret == -EINVAL, "2560x1600 at offset 512K passes VRAM's end");
	ret = situ(v, 1, 32, 800, 600, 800 * 4 - 4, 0);
	tap_ok(ret == -EINVAL, "pitch shorter than a line");
	ret = situ(v, 1, 24, 800, 600, 800 * 3, 0);
	tap_ok(ret == -EINVAL, "depth 24 refused");
	ret = situ(v, 1, 32, 4096, 600, 4096 * 4, 0);
	tap_ok(ret == -EINVAL, "width past the host's limit");
	ret = situ(v, 1, 32, 0, 600, 4096, 0);
	tap_ok(ret == -EINVAL, "width 0");
	ret = situ(v, 1, 32, 1024, 768, 0xfffffffc, 0);
	tap_ok(ret == -EINVAL, "a huge pitch cannot wrap the end check");
	enl_vid_get_stats(v, &st);
	tap_ok(st.bad_situation == 6 && enl_display_mode(d, &m) &&
	       m.width == 1024, "bad modes counted, the good one kept");
	ret = situ(v, 1, 16, 640, 480, 1280, 0);
	tap_ok(!ret && enl_display_mode(d, &m) && m.depth == 16,
	       "a 16-bit mode (WIN7's)");
	ret = situ(v, 0, 32, 0, 0, 0, 0);
	tap_ok(!ret && !enl_display_mode(d, &m), "inactive: no mode");
	enl_vid_free(v);
	enl_display_free(d);
}

static void test_dirt_pointer(void)
{
	struct enl_display *d = enl_display_new();
	struct enl_vid *v = negotiated(d);
	struct enl_synthvid_rect r[3] = {
		{ 10, 20, 30, 40 }, { 1000, 700, 5000, 5000 }, { 5, 5, 4, 9 },
	};
	struct enl_vid_stats st;
	struct enl_display_cursor c;
	uint8_t shape[18 + 4 * 4 * 4];
	struct enl_synthvid_pointer_shape *ps = (void *)shape;
	struct enl_synthvid_pointer_position pp = { 1, 0, 33, 44 };
	int ret;

	enl_display_set_listener(d, &listener, NULL);
	damages = 0;
	situ(v, 1, 32, 1024, 768, 4096, 0);
	ret = dirt(v, 2, r, 2);
	tap_ok(!ret && damages == 2 && last_damage.x1 == 1000 &&
	       last_damage.x2 == 1024 && last_damage.y2 == 768,
	       "dirt rectangles clipped to the mode");
	ret = dirt(v, 3, r, 3);
	enl_vid_get_stats(v, &st);
	tap_ok(ret == -EINVAL && damages == 4 && st.bad_dirt == 1,
	       "an inverted rectangle is counted, the rest still shown");
	ret = dirt(v, 9, r, 2);
	enl_vid_get_stats(v, &st);
	tap_ok(ret == -EBADMSG && st.bad_dirt == 2 && damages == 4,
	       "dirt_count past the message: dropped whole");
	ret = dirt(v, 0, r, 1);
	tap_ok(ret == -EBADMSG, "dirt_count 0");

	ret = feed(v, ENL_SYNTHVID_POINTER_POSITION, &pp, sizeof(pp));
	enl_display_cursor(d, &c);
	tap_ok(!ret && c.visible && c.x == 33 && c.y == 44,
	       "pointer position");
	memset(shape, 0, sizeof(shape));
	ps->part_idx = ENL_SYNTHVID_CURSOR_COMPLETE;
	ps->is_argb = 1;
	ps->width = 4;
	ps->height = 4;
	ps->hot_x = 1;
	ps->hot_y = 2;
	memset(shape + 18, 0x80, 64);
	ret = feed(v, ENL_SYNTHVID_POINTER_SHAPE, shape, sizeof(shape));
	enl_display_cursor(d, &c);
	tap_ok(!ret && c.width == 4 && c.hot_y == 2 &&
	       c.argb[15] == 0x80808080 && c.shape_gen == 1,
	       "a 4x4 ARGB pointer shape");
	ps->width = 8;
	ret = feed(v, ENL_SYNTHVID_POINTER_SHAPE, shape, sizeof(shape));
	tap_ok(ret == -EINVAL, "a shape larger than its message");
	ps->width = 200;
	ps->height = 1;
	ret = feed(v, ENL_SYNTHVID_POINTER_SHAPE, shape, sizeof(shape));
	tap_ok(ret == -EINVAL, "a shape wider than 96");
	ps->width = 4;
	ps->height = 4;
	ps->hot_x = 4;
	ret = feed(v, ENL_SYNTHVID_POINTER_SHAPE, shape, sizeof(shape));
	enl_vid_get_stats(v, &st);
	tap_ok(ret == -EINVAL && st.bad_pointer == 3 && st.pointer_shapes == 1,
	       "a hotspot outside the shape; bad shapes counted");
	enl_vid_free(v);
	enl_display_free(d);
}

static void test_resolutions_and_headers(void)
{
	struct enl_display *d = enl_display_new();
	struct enl_vid *v = negotiated(d);
	struct enl_synthvid_resolution_req rr = { 64 };
	struct enl_synthvid_msg bad = { 0 };
	const struct enl_synthvid_resolution_resp *rp;
	struct enl_vid_stats st;
	int ret, ok = 1;

	ret = feed(v, ENL_SYNTHVID_RESOLUTION_REQUEST, &rr, sizeof(rr));
	rp = &reply(0)->res_resp;
	for (unsigned int i = 0; i < rp->resolution_count; i++)
		ok &= rp->supported_resolution[i].width <= 2560 &&
		      (uint64_t)rp->supported_resolution[i].width *
		      rp->supported_resolution[i].height * 4 <= VRAM_SIZE;
	tap_ok(!ret && rp->resolution_count >= 10 && ok &&
	       rp->supported_resolution[rp->default_resolution_index].width == 1024 &&
	       reply(0)->hdr.size == 8 + 131 + 4u * rp->resolution_count,
	       "resolution response: %u modes within limits, default 1024x768, only those sent",
	       rp->resolution_count);
	rr.maximum_resolution_count = 3;
	feed(v, ENL_SYNTHVID_RESOLUTION_REQUEST, &rr, sizeof(rr));
	tap_ok(reply(0)->res_resp.resolution_count == 3,
	       "no more modes than asked for");

	tap_ok(enl_vid_input(v, &bad, 8) == -EBADMSG, "shorter than the headers");
	bad.pipe.type = 2;
	bad.pipe.size = bad.hdr.size = 12;
	bad.hdr.type = ENL_SYNTHVID_VERSION_REQUEST;
	tap_ok(enl_vid_input(v, &bad, 24) == -EBADMSG, "pipe type not DATA");
	bad.pipe.type = ENL_SYNTHVID_PIPE_MSG_DATA;
	bad.pipe.size = 100;
	tap_ok(enl_vid_input(v, &bad, 24) == -EBADMSG, "pipe size past the packet");
	bad.pipe.size = 12;
	bad.hdr.size = 16;
	tap_ok(enl_vid_input(v, &bad, 24) == -EBADMSG, "header size past the pipe's");
	bad.hdr.size = 4;
	tap_ok(enl_vid_input(v, &bad, 24) == -EBADMSG, "header size below a header");
	bad.hdr.size = 8 + 2;
	bad.hdr.type = ENL_SYNTHVID_VRAM_LOCATION;
	tap_ok(enl_vid_input(v, &bad, 24) == -EBADMSG, "a body shorter than its type's");
	bad.hdr.size = 12;
	bad.hdr.type = ENL_SYNTHVID_VERSION_RESPONSE;
	tap_ok(enl_vid_input(v, &bad, 24) == -EPROTO, "a host-only type from the guest");
	bad.hdr.type = 0x99;
	tap_ok(enl_vid_input(v, &bad, 24) == -EPROTO, "an unknown type");
	enl_vid_get_stats(v, &st);
	tap_ok(st.bad_header == 6 && st.bad_type == 2,
	       "counted: bad_header %lu bad_type %lu",
	       (unsigned long)st.bad_header, (unsigned long)st.bad_type);
	send_ret = -EAGAIN;
	feed(v, ENL_SYNTHVID_RESOLUTION_REQUEST, &rr, sizeof(rr));
	send_ret = 0;
	enl_vid_get_stats(v, &st);
	tap_ok(st.send_fail == 1, "an answer the ring refused is counted");
	for (const char *const *k = enl_vid_inject_kinds; *k; k++)
		ok &= enl_vid_inject(v, *k) == 0;
	tap_ok(ok && enl_vid_inject(v, "nope") == -EINVAL,
	       "every injection kind sends; unknown ones are refused");
	enl_vid_free(v);
	enl_display_free(d);
}

/* Read a PNG back: width, height and 0xRRGGBB pixels. */
static uint32_t *read_png(const char *path, uint32_t *w, uint32_t *h)
{
	png_image img = { .version = PNG_IMAGE_VERSION };
	uint8_t *rgb;
	uint32_t *px;

	if (!png_image_begin_read_from_file(&img, path))
		return NULL;
	img.format = PNG_FORMAT_RGB;
	rgb = malloc(PNG_IMAGE_SIZE(img));
	if (!png_image_finish_read(&img, NULL, rgb, 0, NULL)) {
		free(rgb);
		return NULL;
	}
	*w = img.width;
	*h = img.height;
	px = malloc((size_t)img.width * img.height * 4);
	for (size_t i = 0; i < (size_t)img.width * img.height; i++)
		px[i] = rgb[3 * i] << 16 | rgb[3 * i + 1] << 8 | rgb[3 * i + 2];
	free(rgb);
	return px;
}

static void test_snapshot_png(void)
{
	struct enl_display *d = enl_display_new();
	struct enl_vid *v = negotiated(d);
	char dir[] = "/tmp/enl-video-test-XXXXXX";
	g_autofree char *path = NULL;
	g_autoptr(GString) err = g_string_new(NULL);
	uint32_t *snap, *back, w = 0, h = 0, bw = 0, bh = 0;
	int same = 1, ret;

	situ(v, 1, 32, 640, 480, 640 * 4 + 64, 8192);
	for (uint32_t y = 0; y < 480; y++)
		for (uint32_t x = 0; x < 640; x++) {
			uint32_t p = (x * 7 + y * 13) * 0x010305 ^ 0xff000000;

			memcpy(vram + 8192 + y * (640 * 4 + 64) + x * 4, &p, 4);
		}
	snap = enl_display_snapshot(d, &w, &h);
	for (uint32_t y = 0; snap && y < 480; y++)
		for (uint32_t x = 0; x < 640; x++)
			same &= snap[y * 640 + x] ==
				(((x * 7 + y * 13) * 0x010305) & 0xffffff);
	tap_ok(snap && w == 640 && h == 480 && same,
	       "snapshot: pitch and offset honoured, X byte dropped");
	path = g_build_filename(mkdtemp(dir), "shot.png", NULL);
	tap_ok(enl_display_write_png(d, path, err) == 0, "PNG written");
	back = read_png(path, &bw, &bh);
	tap_ok(back && bw == 640 && bh == 480 &&
	       !memcmp(back, snap, 640 * 480 * 4),
	       "the PNG holds the same pixels");
	free(back);
	g_free(snap);
	unlink(path);
	rmdir(dir);

	tap_ok(enl_display_rgb565(0xffff) == 0xffffff &&
	       enl_display_rgb565(0xf800) == 0xff0000 &&
	       enl_display_rgb565(0x07e0) == 0x00ff00 &&
	       enl_display_rgb565(0x001f) == 0x0000ff,
	       "RGB565 full scale");
	situ(v, 0, 32, 0, 0, 0, 0);
	g_string_truncate(err, 0);
	ret = enl_display_write_png(d, "/tmp/never.png", err);
	tap_ok(ret == -ENODATA, "no mode: no screenshot (%s)",
	       g_strchomp(err->str));
	enl_vid_free(v);
	enl_display_free(d);
}

/* Random messages: nothing may crash, and the display stays in VRAM. */
static void test_random(void)
{
	struct enl_display *d = enl_display_new();
	struct enl_vid *v = negotiated(d);
	uint8_t buf[512];
	struct enl_display_mode m;
	int ok = 1;

	srand(42);
	for (int i = 0; i < 50000; i++) {
		size_t len = rand() % sizeof(buf);
		struct enl_synthvid_msg *msg = (void *)buf;

		for (size_t j = 0; j < len; j++)
			buf[j] = rand();
		if (len >= 16 && (rand() & 1)) {
			msg->pipe.type = 1;
			msg->hdr.type = rand() % 16;
			msg->hdr.size = len - 8 - rand() % 8;
			msg->pipe.size = msg->hdr.size;
		}
		enl_vid_input(v, buf, len);
		if (enl_display_mode(d, &m))
			ok &= m.pixels >= vram &&
			      m.pixels + (uint64_t)m.pitch * (m.height - 1) +
			      m.width * m.depth / 8 <= vram + VRAM_SIZE;
	}
	tap_ok(ok, "50000 random messages: no crash, mode always inside VRAM");
	enl_vid_free(v);
	enl_display_free(d);
}

int main(void)
{
	vram = calloc(1, VRAM_SIZE);
	test_versions();
	test_vram_and_modes();
	test_dirt_pointer();
	test_resolutions_and_headers();
	test_snapshot_png();
	test_random();
	free(vram);
	return tap_done();
}
