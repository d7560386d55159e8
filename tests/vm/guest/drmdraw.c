// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-drmdraw: draw through DRM/KMS as a display server would (dumb buffer,
 * ADDFB, SETCRTC, DIRTYFB), for tests/vm/test_display.py and the display
 * benchmark. Raw ioctls: the static guest binary needs no libdrm.
 *
 *   enl-drmdraw modes                     the connector's modes, "WxH" each
 *   enl-drmdraw draw W H SECS             mode WxH showing the test pattern
 *                                         (pattern() below), held SECS s
 *   enl-drmdraw cursor W H SECS           the same, plus a 32x32 cursor at
 *                                         (100, 50) with hotspot (3, 4)
 *   enl-drmdraw bench W H N full|rect [SECS]
 *                                         after "ready" and 2 s,
 *                                         N full-screen redraws or N
 *                                         changes of one 64x64 rectangle,
 *                                         each with its DIRTYFB; prints
 *                                         "frames N seconds S" (at least
 *                                         N frames, and SECS s), then
 *                                         holds the last frame 3 s
 * While it runs it is DRM master; when it exits the console comes back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* The guest kernel's uapi headers, not run through headers_install. */
#define __user
#include <drm/drm.h>
#include <drm/drm_mode.h>

static int fd;

static void die(const char *what)
{
	fprintf(stderr, "enl-drmdraw: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void xioctl(unsigned long req, void *arg, const char *what)
{
	while (ioctl(fd, req, arg) < 0) {
		if (errno != EINTR && errno != EAGAIN)
			die(what);
	}
}

/* The test pattern; tests/vm/test_display.py computes the same. */
static uint32_t pattern(uint32_t x, uint32_t y)
{
	return ((x * 3 + y) & 0xff) << 16 | ((y * 5 + (x >> 2)) & 0xff) << 8 |
	       ((x ^ y) & 0xff);
}

struct output {
	uint32_t crtc, conn;
	struct drm_mode_modeinfo *modes;
	uint32_t nr_modes;
};

static void find_output(struct output *o)
{
	struct drm_mode_card_res res = { 0 };
	struct drm_mode_get_connector c = { 0 };
	uint32_t crtcs[4], conns[4], encs[4];

	xioctl(DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES");
	if (!res.count_crtcs || !res.count_connectors || res.count_crtcs > 4 ||
	    res.count_connectors > 4 || res.count_encoders > 4) {
		fprintf(stderr, "enl-drmdraw: unexpected resources\n");
		exit(1);
	}
	res.count_fbs = 0;
	res.crtc_id_ptr = (uintptr_t)crtcs;
	res.connector_id_ptr = (uintptr_t)conns;
	res.encoder_id_ptr = (uintptr_t)encs;
	xioctl(DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES");
	o->crtc = crtcs[0];
	o->conn = conns[0];
	c.connector_id = o->conn;
	xioctl(DRM_IOCTL_MODE_GETCONNECTOR, &c, "GETCONNECTOR");
	o->nr_modes = c.count_modes;
	o->modes = calloc(c.count_modes + 1, sizeof(*o->modes));
	c.modes_ptr = (uintptr_t)o->modes;
	c.count_props = 0;
	c.count_encoders = 0;
	xioctl(DRM_IOCTL_MODE_GETCONNECTOR, &c, "GETCONNECTOR");
}

static const struct drm_mode_modeinfo *find_mode(const struct output *o,
						 uint32_t w, uint32_t h)
{
	for (uint32_t i = 0; i < o->nr_modes; i++)
		if (o->modes[i].hdisplay == w && o->modes[i].vdisplay == h)
			return &o->modes[i];
	fprintf(stderr, "enl-drmdraw: no %ux%u mode\n", w, h);
	exit(1);
}

struct buffer {
	uint32_t w, h, pitch, handle, fb;
	uint8_t *map;
};

static void make_buffer(struct buffer *b, uint32_t w, uint32_t h)
{
	struct drm_mode_create_dumb cd = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_fb_cmd fbc = { 0 };
	struct drm_mode_map_dumb md = { 0 };

	xioctl(DRM_IOCTL_MODE_CREATE_DUMB, &cd, "CREATE_DUMB");
	fbc.width = w;
	fbc.height = h;
	fbc.pitch = cd.pitch;
	fbc.bpp = 32;
	fbc.depth = 24;
	fbc.handle = cd.handle;
	xioctl(DRM_IOCTL_MODE_ADDFB, &fbc, "ADDFB");
	md.handle = cd.handle;
	xioctl(DRM_IOCTL_MODE_MAP_DUMB, &md, "MAP_DUMB");
	b->map = mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      md.offset);
	if (b->map == MAP_FAILED)
		die("mmap");
	b->w = w;
	b->h = h;
	b->pitch = cd.pitch;
	b->handle = cd.handle;
	b->fb = fbc.fb_id;
}

static void put(struct buffer *b, uint32_t x, uint32_t y, uint32_t p)
{
	memcpy(b->map + (size_t)y * b->pitch + x * 4, &p, 4);
}

static void set_mode(struct output *o, struct buffer *b,
		     const struct drm_mode_modeinfo *m)
{
	struct drm_mode_crtc sc = { 0 };

	sc.crtc_id = o->crtc;
	sc.fb_id = b->fb;
	sc.set_connectors_ptr = (uintptr_t)&o->conn;
	sc.count_connectors = 1;
	sc.mode = *m;
	sc.mode_valid = 1;
	xioctl(DRM_IOCTL_MODE_SETCRTC, &sc, "SETCRTC");
}

/*
 * Tell the driver what changed. A driver that scans the buffer out itself
 * (bochs: dumb buffers in VRAM) has no dirty hook and says ENOSYS, which
 * display servers take as "nothing to flush": so do we.
 */
static void dirty(struct buffer *b, uint32_t x1, uint32_t y1, uint32_t x2,
		  uint32_t y2)
{
	static int no_dirty;
	struct drm_clip_rect clip = { x1, y1, x2, y2 };
	struct drm_mode_fb_dirty_cmd dc = {
		.fb_id = b->fb, .num_clips = 1, .clips_ptr = (uintptr_t)&clip,
	};

	if (no_dirty)
		return;
	while (ioctl(fd, DRM_IOCTL_MODE_DIRTYFB, &dc) < 0) {
		if (errno == ENOSYS) {
			no_dirty = 1;
			return;
		}
		if (errno != EINTR && errno != EAGAIN)
			die("DIRTYFB");
	}
}

static void set_cursor(struct output *o)
{
	struct buffer c;
	struct drm_mode_cursor2 cur = { 0 };

	make_buffer(&c, 32, 32);
	for (uint32_t y = 0; y < 32; y++)
		for (uint32_t x = 0; x < 32; x++)
			put(&c, x, y, (x < 2 || y < 2) ? 0xffffffff :
				      (x == y ? 0xffff0000 : 0x00000000));
	cur.flags = DRM_MODE_CURSOR_BO | DRM_MODE_CURSOR_MOVE;
	cur.crtc_id = o->crtc;
	cur.x = 100 - 3;
	cur.y = 50 - 4;
	cur.width = 32;
	cur.height = 32;
	cur.handle = c.handle;
	cur.hot_x = 3;
	cur.hot_y = 4;
	xioctl(DRM_IOCTL_MODE_CURSOR2, &cur, "CURSOR2");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct output o;
	struct buffer b;
	uint32_t w, h;

	fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/dri/card0");
	find_output(&o);
	if (argc == 2 && !strcmp(argv[1], "modes")) {
		for (uint32_t i = 0; i < o.nr_modes; i++)
			printf("%ux%u\n", o.modes[i].hdisplay, o.modes[i].vdisplay);
		return 0;
	}
	if (argc < 5) {
		fprintf(stderr, "usage: enl-drmdraw modes | draw W H SECS | "
			"cursor W H SECS | bench W H N full|rect [SECS]\n");
		return 2;
	}
	w = strtoul(argv[2], NULL, 0);
	h = strtoul(argv[3], NULL, 0);
	make_buffer(&b, w, h);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			put(&b, x, y, pattern(x, y));
	set_mode(&o, &b, find_mode(&o, w, h));
	if (!strcmp(argv[1], "cursor"))
		set_cursor(&o);
	if (!strcmp(argv[1], "draw") || !strcmp(argv[1], "cursor")) {
		printf("drawn %ux%u pitch %u\n", w, h, b.pitch);
		fflush(stdout);
		sleep(strtoul(argv[4], NULL, 0));
		return 0;
	}
	if (!strcmp(argv[1], "bench") && (argc == 6 || argc == 7)) {
		uint32_t n = strtoul(argv[4], NULL, 0), i;
		int full = !strcmp(argv[5], "full");
		double secs = argc == 7 ? strtod(argv[6], NULL) : 0, t0;

		/* The mode's first picture settles before the clock starts. */
		printf("ready\n");
		fflush(stdout);
		sleep(2);
		t0 = now();
		for (i = 0; i < n || now() - t0 < secs; i++) {
			uint32_t c = (i * 0x3f2d1b) & 0xffffff;
			uint32_t x0 = full ? 0 : 200, y0 = full ? 0 : 200;
			uint32_t x1 = full ? w : 264, y1 = full ? h : 264;

			for (uint32_t y = y0; y < y1; y++)
				for (uint32_t x = x0; x < x1; x++)
					put(&b, x, y, c ^ pattern(x, y));
			dirty(&b, x0, y0, x1, y1);
		}
		printf("frames %u seconds %.3f\n", i, now() - t0);
		fflush(stdout);
		/*
		 * Hold the last frame a while: a client sees the end as quiet
		 * before the console comes back and draws again.
		 */
		sleep(3);
		return 0;
	}
	fprintf(stderr, "enl-drmdraw: unknown command %s\n", argv[1]);
	return 2;
}
