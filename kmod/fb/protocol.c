// SPDX-License-Identifier: GPL-2.0-only
/*
 * synthvid, guest side: the handshake (version WIN10..WIN7, supported
 * resolutions, VRAM location) and the messages a running display sends.
 * Every host message is bounded by its own headers, which are bounded by
 * the packet; anything that does not add up, or that nobody asked for, is
 * counted (sysfs enl_fb_stats) and dropped.
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include "fb.h"

static const u32 versions[] = ENL_SYNTHVID_VERSIONS_NEWEST_FIRST;

static bool version_ge(u32 a, u32 b)
{
	if (ENL_SYNTHVID_MAJOR(a) != ENL_SYNTHVID_MAJOR(b))
		return ENL_SYNTHVID_MAJOR(a) > ENL_SYNTHVID_MAJOR(b);
	return ENL_SYNTHVID_MINOR(a) >= ENL_SYNTHVID_MINOR(b);
}

/*
 * Send one message of body bytes. Process context: a full ring is waited
 * for, briefly (the host drains it on its own worker).
 */
static int fb_send(struct enl_fb *fb, struct enl_synthvid_msg *m, u32 type,
		   u32 body)
{
	u32 len = ENL_SYNTHVID_HDRS_SIZE + body;
	int ret, tries = 0;

	m->hdr.type = type;
	m->hdr.size = ENL_SYNTHVID_HDR_SIZE(body);
	m->pipe.type = ENL_SYNTHVID_PIPE_MSG_DATA;
	m->pipe.size = m->hdr.size;
	mutex_lock(&fb->send_lock);
	do {
		ret = enl_vmbus_send(fb->ch, m, len, 0, ENL_VMPKT_DATA_INBAND, 0);
		if (ret != -EAGAIN)
			break;
		usleep_range(500, 1000);
	} while (++tries < 100);
	mutex_unlock(&fb->send_lock);
	if (ret)
		atomic64_inc(&fb->st.send_fail);
	return ret;
}

/* The least body of each message the host may send; 0: not the host's. */
static u32 min_body(u32 type)
{
	switch (type) {
	case ENL_SYNTHVID_VERSION_RESPONSE:
		return sizeof(struct enl_synthvid_version_resp);
	case ENL_SYNTHVID_VRAM_LOCATION_ACK:
		return sizeof(struct enl_synthvid_vram_location_ack);
	case ENL_SYNTHVID_SITUATION_UPDATE_ACK:
		return sizeof(struct enl_synthvid_situation_update_ack);
	case ENL_SYNTHVID_FEATURE_CHANGE:
		return sizeof(struct enl_synthvid_feature_change);
	case ENL_SYNTHVID_RESOLUTION_RESPONSE:
		return offsetof(struct enl_synthvid_resolution_resp,
				supported_resolution);
	default:
		return 0;
	}
}

/* Hand an awaited answer to its waiter; anything else is unexpected. */
static void fb_deliver(struct enl_fb *fb, u32 type, const void *msg, u32 len)
{
	unsigned long flags;
	bool taken = false;

	spin_lock_irqsave(&fb->wait_lock, flags);
	if (fb->wait_type == type) {
		memcpy(fb->wait_buf, msg, len);
		fb->wait_len = len;
		fb->wait_type = 0;
		taken = true;
		complete(&fb->wait_done);
	}
	spin_unlock_irqrestore(&fb->wait_lock, flags);
	if (!taken)
		atomic64_inc(&fb->st.unexpected);
}

static void fb_handle(struct enl_fb *fb, const u8 *buf, u32 len)
{
	const struct enl_synthvid_msg *m = (const void *)buf;
	u32 body, need, type;

	if (len < ENL_SYNTHVID_HDRS_SIZE ||
	    m->pipe.type != ENL_SYNTHVID_PIPE_MSG_DATA ||
	    m->pipe.size > len - sizeof(m->pipe) ||
	    m->hdr.size < sizeof(m->hdr) || m->hdr.size > m->pipe.size) {
		atomic64_inc(&fb->st.bad_msg);
		return;
	}
	type = m->hdr.type;
	body = m->hdr.size - sizeof(m->hdr);
	need = min_body(type);
	if (!need) {
		atomic64_inc(&fb->st.bad_type);
		return;
	}
	if (body < need) {
		atomic64_inc(&fb->st.bad_msg);
		return;
	}
	switch (type) {
	case ENL_SYNTHVID_FEATURE_CHANGE:
		WRITE_ONCE(fb->dirt_needed, m->feature.is_dirt_needed);
		WRITE_ONCE(fb->ptr_needed, m->feature.is_ptr_pos_needed ||
					   m->feature.is_ptr_shape_needed);
		atomic64_inc(&fb->st.feature_changes);
		return;
	case ENL_SYNTHVID_SITUATION_UPDATE_ACK:
		return;
	case ENL_SYNTHVID_RESOLUTION_RESPONSE:
		/* Only resolution_count entries need to be there. */
		if (m->res_resp.resolution_count > ENL_SYNTHVID_MAX_RESOLUTION_COUNT ||
		    body < need + m->res_resp.resolution_count *
			   sizeof(struct enl_synthvid_screen_info)) {
			atomic64_inc(&fb->st.bad_value);
			return;
		}
		break;
	}
	fb_deliver(fb, type, buf, ENL_SYNTHVID_HDRS_SIZE + body);
}

/* The counters of host packets turned away, summed. */
static s64 fb_rejected(struct enl_fb *fb)
{
	return atomic64_read(&fb->st.bad_msg) + atomic64_read(&fb->st.bad_type) +
	       atomic64_read(&fb->st.bad_value) +
	       atomic64_read(&fb->st.unexpected) +
	       atomic64_read(&fb->st.too_big);
}

/*
 * Each rejection is counted where it is found (fb_handle and below); said
 * here, once per packet and rate-limited.
 */
static void fb_say_rejected(struct enl_fb *fb, s64 before,
			    const struct enl_vmbus_pkt_info *info)
{
	if (fb_rejected(fb) == before)
		return;
	dev_warn_ratelimited(&fb->vdev->dev,
			     "host packet (type %u, %u bytes) turned away; bad_msg %lld bad_type %lld bad_value %lld unexpected %lld too_big %lld\n",
			     info->type, info->len,
			     (long long)atomic64_read(&fb->st.bad_msg),
			     (long long)atomic64_read(&fb->st.bad_type),
			     (long long)atomic64_read(&fb->st.bad_value),
			     (long long)atomic64_read(&fb->st.unexpected),
			     (long long)atomic64_read(&fb->st.too_big));
}

/* on_event, softirq: take up to budget packets. */
static int fb_on_event(struct enl_vmbus_channel *ch, int budget)
{
	struct enl_fb *fb = enl_vmbus_channel_priv(ch);
	struct enl_vmbus_pkt_info info;
	int n = 0, ret;
	s64 before;

	while (n < budget) {
		before = fb_rejected(fb);
		ret = enl_vmbus_recv(ch, fb->recv_buf, sizeof(fb->recv_buf),
				     &info);
		if (ret == -EMSGSIZE) {
			atomic64_inc(&fb->st.too_big);
			fb_say_rejected(fb, before, &info);
			if (enl_vmbus_recv_skip(ch))
				break;
			n++;
			continue;
		}
		if (ret < 0)
			break;
		n++;
		/* A completion (we ask for none) is harmless; other kinds not. */
		if (info.type == ENL_VMPKT_DATA_INBAND)
			fb_handle(fb, fb->recv_buf, ret);
		else if (info.type != ENL_VMPKT_COMP)
			atomic64_inc(&fb->st.bad_type);
		fb_say_rejected(fb, before, &info);
	}
	return n;
}

/* Send m and wait for an answer of type want: its bytes in fb->wait_buf. */
static int fb_request(struct enl_fb *fb, struct enl_synthvid_msg *m, u32 type,
		      u32 body, u32 want)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&fb->wait_lock, flags);
	fb->wait_type = want;
	fb->wait_len = 0;
	reinit_completion(&fb->wait_done);
	spin_unlock_irqrestore(&fb->wait_lock, flags);
	ret = fb_send(fb, m, type, body);
	if (!ret && !wait_for_completion_timeout(&fb->wait_done,
						 msecs_to_jiffies(ENL_FB_TIMEOUT_MS)))
		ret = -ETIMEDOUT;
	spin_lock_irqsave(&fb->wait_lock, flags);
	fb->wait_type = 0;
	spin_unlock_irqrestore(&fb->wait_lock, flags);
	return ret;
}

static const struct enl_synthvid_msg *answer(struct enl_fb *fb)
{
	return (const struct enl_synthvid_msg *)fb->wait_buf;
}

static int fb_negotiate(struct enl_fb *fb)
{
	struct enl_synthvid_msg m;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		memset(&m, 0, sizeof(m));
		m.ver_req.version = versions[i];
		ret = fb_request(fb, &m, ENL_SYNTHVID_VERSION_REQUEST,
				 sizeof(m.ver_req),
				 ENL_SYNTHVID_VERSION_RESPONSE);
		if (ret)
			return ret;
		if (answer(fb)->ver_resp.is_accepted) {
			if (answer(fb)->ver_resp.version != versions[i]) {
				atomic64_inc(&fb->st.bad_value);
				continue;
			}
			fb->version = versions[i];
			return 0;
		}
	}
	return -EPROTONOSUPPORT;
}

/* WIN10 and later: the host's modes give the largest and the preferred. */
static int fb_get_resolutions(struct enl_fb *fb)
{
	const struct enl_synthvid_resolution_resp *r;
	struct enl_synthvid_msg m = { 0 };
	u32 w_max = 0, h_max = 0;
	unsigned int i, n;
	int ret;

	m.res_req.maximum_resolution_count = ENL_SYNTHVID_MAX_RESOLUTION_COUNT;
	ret = fb_request(fb, &m, ENL_SYNTHVID_RESOLUTION_REQUEST,
			 sizeof(m.res_req), ENL_SYNTHVID_RESOLUTION_RESPONSE);
	if (ret)
		return ret;
	r = &answer(fb)->res_resp;
	n = r->resolution_count;
	if (!n || r->default_resolution_index >= n) {
		atomic64_inc(&fb->st.bad_value);
		return -EPROTO;
	}
	for (i = 0; i < n; i++) {
		u32 w = r->supported_resolution[i].width;
		u32 h = r->supported_resolution[i].height;

		/* A mode VRAM cannot hold is not one we can use. */
		if (!w || !h || (u64)w * h * (fb->depth / 8) > fb->vram_size)
			continue;
		w_max = max(w_max, w);
		h_max = max(h_max, h);
	}
	if (!w_max) {
		atomic64_inc(&fb->st.bad_value);
		return -EPROTO;
	}
	fb->width_max = w_max;
	fb->height_max = h_max;
	fb->preferred_width = r->supported_resolution[r->default_resolution_index].width;
	fb->preferred_height = r->supported_resolution[r->default_resolution_index].height;
	return 0;
}

int enl_fb_send_vram(struct enl_fb *fb)
{
	struct enl_synthvid_msg m = { 0 };
	int ret;

	m.vram.user_ctx = fb->vram_gpa;
	m.vram.is_vram_gpa_specified = 1;
	m.vram.vram_gpa = fb->vram_gpa;
	ret = fb_request(fb, &m, ENL_SYNTHVID_VRAM_LOCATION, sizeof(m.vram),
			 ENL_SYNTHVID_VRAM_LOCATION_ACK);
	if (ret)
		return ret;
	return answer(fb)->vram_ack.user_ctx == fb->vram_gpa ? 0 : -ENXIO;
}

int enl_fb_connect(struct enl_fb *fb)
{
	struct enl_vmbus_offer_info info;
	struct enl_vmbus_open_params p = {
		.send_ring_size = ENL_FB_RING_SIZE,
		.recv_ring_size = ENL_FB_RING_SIZE,
		.on_event = fb_on_event,
		.priv = fb,
	};
	int ret;

	enl_vmbus_channel_offer_info(fb->ch, &info);
	fb->vram_size = (resource_size_t)info.mmio_megabytes << 20;
	if (fb->vram_size < ENL_SYNTHVID_VRAM_WIN7) {
		dev_err(&fb->vdev->dev, "the host offers %u MiB of VRAM, too little\n",
			info.mmio_megabytes);
		return -ENODEV;
	}
	ret = enl_vmbus_channel_open(fb->ch, &p);
	if (ret)
		return ret;
	ret = fb_negotiate(fb);
	if (ret) {
		dev_err(&fb->vdev->dev, "no synthvid version agreed: %d\n", ret);
		goto close;
	}
	fb->depth = version_ge(fb->version, ENL_SYNTHVID_VERSION_WIN8) ?
		    ENL_SYNTHVID_DEPTH_WIN8 : ENL_SYNTHVID_DEPTH_WIN7;
	fb->width_max = ENL_SYNTHVID_WIDTH_WIN8;
	fb->height_max = ENL_SYNTHVID_HEIGHT_WIN8;
	fb->preferred_width = 1024;
	fb->preferred_height = 768;
	if (version_ge(fb->version, ENL_SYNTHVID_VERSION_WIN10)) {
		ret = fb_get_resolutions(fb);
		if (ret)
			dev_warn(&fb->vdev->dev, "no usable resolution list (%d): up to %ux%u\n",
				 ret, fb->width_max, fb->height_max);
	}
	/* Whatever the host says, a mode must fit VRAM. */
	while ((u64)fb->width_max * fb->height_max * (fb->depth / 8) >
	       fb->vram_size && fb->height_max > 480)
		fb->height_max -= 8;
	fb->preferred_width = clamp_t(u32, fb->preferred_width, 640,
				      fb->width_max);
	fb->preferred_height = clamp_t(u32, fb->preferred_height, 480,
				       fb->height_max);

	ret = enl_vmbus_mmio_alloc(fb->vdev, 0, 0, fb->vram_size, SZ_1M,
				   &fb->vram_gpa);
	if (ret)
		goto close;
	/* Ordinary memory on the host's side: map it cacheable. */
	fb->vram = memremap(fb->vram_gpa, fb->vram_size, MEMREMAP_WB);
	if (!fb->vram) {
		ret = -ENOMEM;
		goto free_mmio;
	}
	ret = enl_fb_send_vram(fb);
	if (ret) {
		dev_err(&fb->vdev->dev, "the host did not take VRAM at %pa: %d\n",
			&fb->vram_gpa, ret);
		goto unmap;
	}
	return 0;
unmap:
	memunmap(fb->vram);
	fb->vram = NULL;
free_mmio:
	enl_vmbus_mmio_free(fb->vdev, fb->vram_gpa);
close:
	enl_vmbus_channel_close(fb->ch);
	return ret;
}

void enl_fb_disconnect(struct enl_fb *fb)
{
	enl_vmbus_channel_close(fb->ch);
	if (fb->vram) {
		memunmap(fb->vram);
		fb->vram = NULL;
		enl_vmbus_mmio_free(fb->vdev, fb->vram_gpa);
	}
}

int enl_fb_send_situation(struct enl_fb *fb, bool active, u32 w, u32 h,
			  u32 pitch)
{
	struct enl_synthvid_msg m = { 0 };

	m.situ.video_output_count = 1;
	m.situ.video_output[0].active = active;
	m.situ.video_output[0].vram_offset = 0;
	m.situ.video_output[0].depth_bits = fb->depth;
	m.situ.video_output[0].width_pixels = w;
	m.situ.video_output[0].height_pixels = h;
	m.situ.video_output[0].pitch_bytes = pitch;
	return fb_send(fb, &m, ENL_SYNTHVID_SITUATION_UPDATE, sizeof(m.situ));
}

int enl_fb_send_dirt(struct enl_fb *fb, const struct drm_rect *r,
		     unsigned int n)
{
	struct {
		struct enl_synthvid_msg m;
		struct enl_synthvid_rect more[ENL_FB_DIRT_BATCH - 1];
	} __packed d;
	unsigned int i;
	int ret;

	if (!READ_ONCE(fb->dirt_needed) || !n)
		return 0;
	if (n > ENL_FB_DIRT_BATCH)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	d.m.dirt.video_output = 0;
	d.m.dirt.dirt_count = n;
	for (i = 0; i < n; i++) {
		struct enl_synthvid_rect *o = &d.m.dirt.rect[0] + i;

		o->x1 = r[i].x1;
		o->y1 = r[i].y1;
		o->x2 = r[i].x2;
		o->y2 = r[i].y2;
	}
	ret = fb_send(fb, &d.m, ENL_SYNTHVID_DIRT,
		      offsetof(struct enl_synthvid_dirt, rect) +
		      n * sizeof(struct enl_synthvid_rect));
	if (!ret) {
		atomic64_inc(&fb->st.dirt_msgs);
		atomic64_add(n, &fb->st.dirt_rects);
	}
	return ret;
}

int enl_fb_send_pointer_position(struct enl_fb *fb, bool visible, s32 x,
				 s32 y)
{
	struct enl_synthvid_msg m = { 0 };
	int ret;

	if (!READ_ONCE(fb->ptr_needed))
		return 0;
	m.ptr_pos.is_visible = visible;
	m.ptr_pos.video_output = 0;
	m.ptr_pos.image_x = x;
	m.ptr_pos.image_y = y;
	ret = fb_send(fb, &m, ENL_SYNTHVID_POINTER_POSITION, sizeof(m.ptr_pos));
	if (!ret)
		atomic64_inc(&fb->st.pointer_msgs);
	return ret;
}

int enl_fb_send_pointer_shape(struct enl_fb *fb, u32 w, u32 h, u32 hot_x,
			      u32 hot_y, const void *argb, u32 pitch)
{
	const u32 off = offsetof(struct enl_synthvid_pointer_shape, data);
	struct enl_synthvid_msg *m;
	u8 *data;
	u32 y;
	int ret;

	if (!READ_ONCE(fb->ptr_needed))
		return 0;
	if (!w || !h || w > ENL_SYNTHVID_CURSOR_MAX_X ||
	    h > ENL_SYNTHVID_CURSOR_MAX_Y)
		return -EINVAL;
	m = kzalloc(ENL_SYNTHVID_MAX_MSG_SIZE, GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->ptr_shape.part_idx = ENL_SYNTHVID_CURSOR_COMPLETE;
	m->ptr_shape.is_argb = 1;
	m->ptr_shape.width = w;
	m->ptr_shape.height = h;
	m->ptr_shape.hot_x = min(hot_x, w - 1);
	m->ptr_shape.hot_y = min(hot_y, h - 1);
	data = (u8 *)&m->ptr_shape + off;
	for (y = 0; y < h; y++)
		memcpy(data + y * w * 4, (const u8 *)argb + y * pitch, w * 4);
	ret = fb_send(fb, m, ENL_SYNTHVID_POINTER_SHAPE, off + w * h * 4);
	if (!ret)
		atomic64_inc(&fb->st.pointer_msgs);
	kfree(m);
	return ret;
}
