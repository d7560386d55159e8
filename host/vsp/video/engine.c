// SPDX-License-Identifier: GPL-2.0-only
/*
 * synthvid, host side: every guest message is bounded by its own headers,
 * which are bounded by the packet; a message that does not add up is
 * counted under its reason and dropped, and the display only ever learns
 * a mode that fits in VRAM and rectangles clipped to that mode.
 */
#include "engine.h"

#include <errno.h>
#include <string.h>

#include <enlighten/synthvid.h>
#include "display.h"

struct enl_vid {
	struct enl_vid_cfg cfg;
	const struct enl_vid_ops *ops;
	void *opaque;
	struct enl_display *display;

	uint32_t version;		/* agreed; 0 before */
	uint64_t vram_gpa;
	uint8_t *vram;			/* mapped VRAM, cfg.vram_size bytes */
	struct enl_display_mode mode;
	bool active;
	struct enl_vid_stats st;
};

/* Common modes, offered up to the limits and what VRAM holds at 32 bpp. */
static const struct { uint16_t w, h; } modes[] = {
	{ 640, 480 }, { 800, 600 }, { 1024, 768 }, { 1152, 864 },
	{ 1280, 720 }, { 1280, 800 }, { 1280, 1024 }, { 1440, 900 },
	{ 1600, 900 }, { 1600, 1200 }, { 1920, 1080 }, { 1920, 1200 },
	{ 2560, 1440 }, { 2560, 1600 },
};
#define DEFAULT_W	1024
#define DEFAULT_H	768

const char *const enl_vid_inject_kinds[] = {
	"short", "type", "size", "rescount", "resindex", NULL
};

static bool version_ge(uint32_t a, uint32_t b)
{
	return ENL_SYNTHVID_MAJOR(a) != ENL_SYNTHVID_MAJOR(b) ?
	       ENL_SYNTHVID_MAJOR(a) > ENL_SYNTHVID_MAJOR(b) :
	       ENL_SYNTHVID_MINOR(a) >= ENL_SYNTHVID_MINOR(b);
}

struct enl_vid *enl_vid_new(const struct enl_vid_cfg *cfg,
			    const struct enl_vid_ops *ops, void *opaque,
			    struct enl_display *display)
{
	struct enl_vid *v = g_new0(struct enl_vid, 1);

	v->cfg = *cfg;
	v->ops = ops;
	v->opaque = opaque;
	v->display = display;
	return v;
}

void enl_vid_free(struct enl_vid *v)
{
	if (!v)
		return;
	if (v->active)
		enl_display_set_mode(v->display, NULL);
	g_free(v);
}

void enl_vid_reset(struct enl_vid *v)
{
	if (v->active)
		enl_display_set_mode(v->display, NULL);
	v->active = false;
	v->version = 0;
	v->vram = NULL;
	v->vram_gpa = 0;
	memset(&v->mode, 0, sizeof(v->mode));
}

void enl_vid_set_max_version(struct enl_vid *v, uint32_t version)
{
	v->cfg.max_version = version;
}

void enl_vid_get_stats(const struct enl_vid *v, struct enl_vid_stats *s)
{
	*s = v->st;
}

void enl_vid_get_info(const struct enl_vid *v, struct enl_vid_info *i)
{
	*i = (struct enl_vid_info){
		.version = v->version,
		.vram_gpa = v->vram_gpa,
		.vram_ok = v->vram != NULL,
		.active = v->active,
		.width = v->mode.width,
		.height = v->mode.height,
		.depth = v->mode.depth,
		.pitch = v->mode.pitch,
	};
}

uint32_t enl_vid_resolutions(const struct enl_vid *v, uint16_t *w,
			     uint16_t *h, uint32_t max)
{
	uint32_t n = 0;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]) && n < max; i++) {
		if (modes[i].w > v->cfg.max_width ||
		    modes[i].h > v->cfg.max_height ||
		    (uint64_t)modes[i].w * modes[i].h * 4 > v->cfg.vram_size)
			continue;
		w[n] = modes[i].w;
		h[n] = modes[i].h;
		n++;
	}
	return n;
}

/* Fill both headers for a body of n bytes and send. */
static int send_msg(struct enl_vid *v, struct enl_synthvid_msg *m,
		    uint32_t type, uint32_t body)
{
	int ret;

	m->hdr.type = type;
	m->hdr.size = ENL_SYNTHVID_HDR_SIZE(body);
	m->pipe.type = ENL_SYNTHVID_PIPE_MSG_DATA;
	m->pipe.size = m->hdr.size;
	ret = v->ops->send(v->opaque, m, ENL_SYNTHVID_HDRS_SIZE + body);
	if (ret)
		v->st.send_fail++;
	return ret;
}

int enl_vid_send_features(struct enl_vid *v, bool dirt, bool ptr_pos,
			  bool ptr_shape, bool situ)
{
	struct enl_synthvid_msg m = { 0 };

	m.feature.is_dirt_needed = dirt;
	m.feature.is_ptr_pos_needed = ptr_pos;
	m.feature.is_ptr_shape_needed = ptr_shape;
	m.feature.is_situ_needed = situ;
	return send_msg(v, &m, ENL_SYNTHVID_FEATURE_CHANGE, sizeof(m.feature));
}

static bool known_version(uint32_t ver)
{
	return ver == ENL_SYNTHVID_VERSION_WIN7 ||
	       ver == ENL_SYNTHVID_VERSION_WIN8 ||
	       ver == ENL_SYNTHVID_VERSION_WIN10;
}

static int on_version(struct enl_vid *v, const struct enl_synthvid_msg *in)
{
	struct enl_synthvid_msg m = { 0 };
	uint32_t ver = in->ver_req.version;
	bool ok = known_version(ver) && version_ge(v->cfg.max_version, ver);
	int ret;

	m.ver_resp.version = ver;
	m.ver_resp.is_accepted = ok;
	m.ver_resp.max_video_outputs = ENL_SYNTHVID_MAX_OUTPUTS;
	if (!ok)
		v->st.bad_version++;
	else
		v->version = ver;
	ret = send_msg(v, &m, ENL_SYNTHVID_VERSION_RESPONSE,
		       sizeof(m.ver_resp));
	/* As Hyper-V does once a viewer is attached: we always are. */
	if (!ret && ok)
		ret = enl_vid_send_features(v, true, true, true, true);
	return ok ? ret : -EPROTO;
}

static int on_vram(struct enl_vid *v, const struct enl_synthvid_msg *in)
{
	struct enl_synthvid_msg m = { 0 };
	uint64_t ctx = in->vram.user_ctx;
	uint64_t gpa = in->vram.vram_gpa;
	uint8_t *p = NULL;

	if (in->vram.is_vram_gpa_specified)
		p = v->ops->vram_ptr(v->opaque, gpa, v->cfg.vram_size);
	if (!p) {
		v->st.bad_vram++;
		/* An ack that does not echo user_ctx says "not taken". */
		m.vram_ack.user_ctx = ~ctx;
		send_msg(v, &m, ENL_SYNTHVID_VRAM_LOCATION_ACK,
			 sizeof(m.vram_ack));
		return -EINVAL;
	}
	/* A new location invalidates the mode drawn in the old one. */
	if (v->active && p != v->vram) {
		v->active = false;
		enl_display_set_mode(v->display, NULL);
	}
	v->vram = p;
	v->vram_gpa = gpa;
	m.vram_ack.user_ctx = ctx;
	return send_msg(v, &m, ENL_SYNTHVID_VRAM_LOCATION_ACK,
			sizeof(m.vram_ack));
}

/* Does the mode fit the limits and VRAM? */
static bool situation_ok(const struct enl_vid *v,
			 const struct enl_synthvid_output_situation *s)
{
	uint64_t bpp = s->depth_bits / 8, end;

	if (!v->vram || (s->depth_bits != 16 && s->depth_bits != 32))
		return false;
	if (!s->width_pixels || !s->height_pixels ||
	    s->width_pixels > v->cfg.max_width ||
	    s->height_pixels > v->cfg.max_height)
		return false;
	if (s->pitch_bytes < s->width_pixels * bpp || s->pitch_bytes % bpp)
		return false;
	end = (uint64_t)s->vram_offset +
	      (uint64_t)s->pitch_bytes * (s->height_pixels - 1) +
	      s->width_pixels * bpp;
	return end <= v->cfg.vram_size;
}

static int on_situation(struct enl_vid *v, const struct enl_synthvid_msg *in,
			uint32_t body)
{
	struct enl_synthvid_msg m = { 0 };
	struct enl_synthvid_output_situation s;

	if (in->situ.video_output_count < 1 ||
	    body < __builtin_offsetof(struct enl_synthvid_situation_update,
				      video_output) + sizeof(s)) {
		v->st.bad_situation++;
		return -EBADMSG;
	}
	/* Output 0 is the only one offered; further ones are ignored. */
	memcpy(&s, &in->situ.video_output[0], sizeof(s));
	if (!s.active) {
		if (v->active)
			enl_display_set_mode(v->display, NULL);
		v->active = false;
	} else if (situation_ok(v, &s)) {
		v->mode = (struct enl_display_mode){
			.width = s.width_pixels,
			.height = s.height_pixels,
			.depth = s.depth_bits,
			.pitch = s.pitch_bytes,
			.pixels = v->vram + s.vram_offset,
		};
		v->active = true;
		v->st.mode_sets++;
		enl_display_set_mode(v->display, &v->mode);
	} else {
		v->st.bad_situation++;
		return -EINVAL;
	}
	m.situ_ack.user_ctx = in->situ.user_ctx;
	return send_msg(v, &m, ENL_SYNTHVID_SITUATION_UPDATE_ACK,
			sizeof(m.situ_ack));
}

static int on_dirt(struct enl_vid *v, const uint8_t *body, uint32_t len)
{
	const uint32_t off = __builtin_offsetof(struct enl_synthvid_dirt, rect);
	struct enl_synthvid_dirt d;
	uint32_t n;
	int bad = 0;

	if (len < off) {
		v->st.bad_dirt++;
		return -EBADMSG;
	}
	memcpy(&d, body, off);
	n = d.dirt_count;
	if (d.video_output != 0 || !n ||
	    n > (len - off) / sizeof(struct enl_synthvid_rect)) {
		v->st.bad_dirt++;
		return -EBADMSG;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct enl_synthvid_rect r;
		struct enl_display_rect c;

		memcpy(&r, body + off + i * sizeof(r), sizeof(r));
		if (r.x1 < 0 || r.y1 < 0 || r.x2 <= r.x1 || r.y2 <= r.y1) {
			bad = 1;
			continue;
		}
		if (!v->active)
			continue;
		/* Clip to the mode: a guest may round rectangles outwards. */
		c.x1 = (uint32_t)r.x1;
		c.y1 = (uint32_t)r.y1;
		c.x2 = (uint32_t)r.x2 < v->mode.width ? (uint32_t)r.x2 :
							v->mode.width;
		c.y2 = (uint32_t)r.y2 < v->mode.height ? (uint32_t)r.y2 :
							 v->mode.height;
		if (c.x1 >= c.x2 || c.y1 >= c.y2)
			continue;
		v->st.dirt_rects++;
		enl_display_damage(v->display, &c);
	}
	if (bad) {
		v->st.bad_dirt++;
		return -EINVAL;
	}
	return 0;
}

static int on_pointer_position(struct enl_vid *v,
			       const struct enl_synthvid_msg *in)
{
	if (in->ptr_pos.video_output != 0) {
		v->st.bad_pointer++;
		return -EINVAL;
	}
	v->st.pointer_moves++;
	enl_display_set_pointer(v->display, in->ptr_pos.is_visible,
				in->ptr_pos.image_x, in->ptr_pos.image_y);
	return 0;
}

static int on_pointer_shape(struct enl_vid *v, const uint8_t *body,
			    uint32_t len)
{
	const uint32_t off = __builtin_offsetof(struct enl_synthvid_pointer_shape,
						data);
	struct enl_synthvid_pointer_shape s;
	uint32_t *argb;
	uint64_t bytes;

	if (len < off) {
		v->st.bad_pointer++;
		return -EBADMSG;
	}
	memcpy(&s, body, off);
	bytes = (uint64_t)s.width * s.height * 4;
	/* One part, ARGB, within 96x96, all of it in the message. */
	if (s.part_idx != ENL_SYNTHVID_CURSOR_COMPLETE || !s.is_argb ||
	    !s.width || !s.height || s.width > ENL_SYNTHVID_CURSOR_MAX_X ||
	    s.height > ENL_SYNTHVID_CURSOR_MAX_Y || bytes > len - off ||
	    s.hot_x >= s.width || s.hot_y >= s.height) {
		v->st.bad_pointer++;
		return -EINVAL;
	}
	/* Aligned pixels (the message's are at an odd offset). */
	argb = g_malloc(bytes);
	memcpy(argb, body + off, bytes);
	v->st.pointer_shapes++;
	enl_display_set_cursor(v->display, s.width, s.height, s.hot_x, s.hot_y,
			       argb);
	g_free(argb);
	return 0;
}

static int on_resolution(struct enl_vid *v, const struct enl_synthvid_msg *in)
{
	struct enl_synthvid_msg m = { 0 };
	uint16_t w[ENL_SYNTHVID_MAX_RESOLUTION_COUNT];
	uint16_t h[ENL_SYNTHVID_MAX_RESOLUTION_COUNT];
	uint32_t max = in->res_req.maximum_resolution_count, n;

	if (max > ENL_SYNTHVID_MAX_RESOLUTION_COUNT)
		max = ENL_SYNTHVID_MAX_RESOLUTION_COUNT;
	n = enl_vid_resolutions(v, w, h, max);
	m.res_resp.resolution_count = n;
	m.res_resp.is_standard = 0;
	for (uint32_t i = 0; i < n; i++) {
		m.res_resp.supported_resolution[i].width = w[i];
		m.res_resp.supported_resolution[i].height = h[i];
		if (w[i] == DEFAULT_W && h[i] == DEFAULT_H)
			m.res_resp.default_resolution_index = i;
	}
	/* Only the modes offered travel. */
	return send_msg(v, &m, ENL_SYNTHVID_RESOLUTION_RESPONSE,
			__builtin_offsetof(struct enl_synthvid_resolution_resp,
					   supported_resolution) +
			n * sizeof(struct enl_synthvid_screen_info));
}

/* Least body size of each message the guest may send (0: not the guest's). */
static uint32_t min_body(uint32_t type)
{
	switch (type) {
	case ENL_SYNTHVID_VERSION_REQUEST:
		return sizeof(struct enl_synthvid_version_req);
	case ENL_SYNTHVID_VRAM_LOCATION:
		return sizeof(struct enl_synthvid_vram_location);
	case ENL_SYNTHVID_SITUATION_UPDATE:
		return __builtin_offsetof(struct enl_synthvid_situation_update,
					  video_output);
	case ENL_SYNTHVID_POINTER_POSITION:
		return sizeof(struct enl_synthvid_pointer_position);
	case ENL_SYNTHVID_POINTER_SHAPE:
		return __builtin_offsetof(struct enl_synthvid_pointer_shape,
					  data);
	case ENL_SYNTHVID_DIRT:
		return __builtin_offsetof(struct enl_synthvid_dirt, rect);
	case ENL_SYNTHVID_RESOLUTION_REQUEST:
		return sizeof(struct enl_synthvid_resolution_req);
	default:
		return 0;
	}
}

int enl_vid_input(struct enl_vid *v, const void *payload, size_t len)
{
	struct enl_synthvid_msg m;
	const uint8_t *body = (const uint8_t *)payload + ENL_SYNTHVID_HDRS_SIZE;
	uint32_t blen, need;

	if (len < ENL_SYNTHVID_HDRS_SIZE) {
		v->st.bad_header++;
		return -EBADMSG;
	}
	/* The headers and the fixed part of any body, copied once. */
	memset(&m, 0, sizeof(m));
	memcpy(&m, payload, len < sizeof(m) ? len : sizeof(m));
	if (m.pipe.type != ENL_SYNTHVID_PIPE_MSG_DATA ||
	    m.pipe.size > len - sizeof(m.pipe) ||
	    m.hdr.size < sizeof(m.hdr) || m.hdr.size > m.pipe.size) {
		v->st.bad_header++;
		return -EBADMSG;
	}
	blen = m.hdr.size - sizeof(m.hdr);
	need = min_body(m.hdr.type);
	if (!need) {
		v->st.bad_type++;
		return -EPROTO;
	}
	if (blen < need) {
		v->st.bad_header++;
		return -EBADMSG;
	}
	/* Bytes past blen are not the message's: the union must not see them. */
	if (blen < sizeof(m) - ENL_SYNTHVID_HDRS_SIZE)
		memset((uint8_t *)&m + ENL_SYNTHVID_HDRS_SIZE + blen, 0,
		       sizeof(m) - ENL_SYNTHVID_HDRS_SIZE - blen);
	if (!v->version && m.hdr.type != ENL_SYNTHVID_VERSION_REQUEST) {
		v->st.bad_state++;
		return -EPROTO;
	}
	v->st.msgs++;
	switch (m.hdr.type) {
	case ENL_SYNTHVID_VERSION_REQUEST:
		return on_version(v, &m);
	case ENL_SYNTHVID_VRAM_LOCATION:
		return on_vram(v, &m);
	case ENL_SYNTHVID_SITUATION_UPDATE:
		return on_situation(v, &m, blen);
	case ENL_SYNTHVID_POINTER_POSITION:
		return on_pointer_position(v, &m);
	case ENL_SYNTHVID_POINTER_SHAPE:
		return on_pointer_shape(v, body, blen);
	case ENL_SYNTHVID_DIRT:
		return on_dirt(v, body, blen);
	default: /* ENL_SYNTHVID_RESOLUTION_REQUEST */
		return on_resolution(v, &m);
	}
}

int enl_vid_inject(struct enl_vid *v, const char *kind)
{
	struct enl_synthvid_msg m = { 0 };

	if (!strcmp(kind, "short")) {
		/* A version response without its body. */
		return send_msg(v, &m, ENL_SYNTHVID_VERSION_RESPONSE, 1);
	}
	if (!strcmp(kind, "type"))
		return send_msg(v, &m, 0x7777, 8);
	if (!strcmp(kind, "size")) {
		m.hdr.type = ENL_SYNTHVID_FEATURE_CHANGE;
		m.hdr.size = 0x10000;
		m.pipe.type = ENL_SYNTHVID_PIPE_MSG_DATA;
		m.pipe.size = 0x10000;
		return v->ops->send(v->opaque, &m, ENL_SYNTHVID_HDRS_SIZE + 4);
	}
	if (!strcmp(kind, "rescount")) {
		m.res_resp.resolution_count = 200;
		return send_msg(v, &m, ENL_SYNTHVID_RESOLUTION_RESPONSE,
				sizeof(m.res_resp));
	}
	if (!strcmp(kind, "resindex")) {
		m.res_resp.resolution_count = 1;
		m.res_resp.default_resolution_index = 5;
		m.res_resp.supported_resolution[0].width = 800;
		m.res_resp.supported_resolution[0].height = 600;
		return send_msg(v, &m, ENL_SYNTHVID_RESOLUTION_RESPONSE,
				sizeof(m.res_resp));
	}
	return -EINVAL;
}
