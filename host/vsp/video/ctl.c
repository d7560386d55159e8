// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-host's display verbs: `screenshot FILE` (the guest's screen as a PNG)
 * and `video` (state, counters, and the knobs the tests turn: fault
 * injection, the newest version accepted, FEATURE_CHANGE). The engine's
 * state is touched only on its channel's context (enl_vsp_ctl_run).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <enlighten/synthvid.h>
#include "ctl.h"
#include "display.h"
#include "engine.h"
#include "server.h"
#include "video_glue.h"
#include "video_vsp.h"

static int screenshot_verb(void *ctx, struct enl_ctl_req *req)
{
	int ret;

	(void)ctx;
	if (enl_ctl_nargs(req, 2, 2))
		return -EINVAL;
	if (!g_path_is_absolute(req->argv[1])) {
		g_string_append(req->out, "usage: screenshot /ABSOLUTE/FILE.png\n");
		return -EINVAL;
	}
	ret = enl_display_write_png(enl_display_get(), req->argv[1], req->out);
	if (!ret)
		enl_json_one_str(req->json, "file", req->argv[1]);
	return ret;
}

static void print_status(struct enl_vid *v, struct enl_ctl_req *req)
{
	struct enl_json *j = req->json;
	GString *out = req->out;
	struct enl_vid_info i;
	struct enl_vid_stats s;
	char ver[16];

	enl_vid_get_info(v, &i);
	enl_vid_get_stats(v, &s);
	g_snprintf(ver, sizeof(ver), "%u.%u", ENL_SYNTHVID_MAJOR(i.version),
		   ENL_SYNTHVID_MINOR(i.version));
	enl_ctl_kv_begin_words(req, NULL, NULL);
	enl_ctl_kv_str(req, "version", ver);
	/* Text says VRAM and the mode in phrases, JSON in plain fields. */
	g_string_append_printf(out, " vram %#" PRIx64 " (%s)\n", i.vram_gpa,
			       i.vram_ok ? "mapped" : "not mapped");
	if (i.active)
		g_string_append_printf(out, "mode %ux%u depth %u pitch %u\n",
				       i.width, i.height, i.depth, i.pitch);
	else
		g_string_append(out, "mode none\n");
	if (j) {
		enl_json_u64(j, "vram_gpa", i.vram_gpa);
		enl_json_bool(j, "vram_ok", i.vram_ok);
		enl_json_bool(j, "active", i.active);
		enl_json_u64(j, "width", i.width);
		enl_json_u64(j, "height", i.height);
		enl_json_u64(j, "depth", i.depth);
		enl_json_u64(j, "pitch", i.pitch);
	}
	/* What the guest sent, then what was refused and why. */
	enl_ctl_kv_u64(req, "msgs", s.msgs);
	enl_ctl_kv_u64(req, "dirt_rects", s.dirt_rects);
	enl_ctl_kv_u64(req, "mode_sets", s.mode_sets);
	enl_ctl_kv_u64(req, "pointer_moves", s.pointer_moves);
	enl_ctl_kv_u64(req, "pointer_shapes", s.pointer_shapes);
	g_string_append_c(out, '\n');
	enl_ctl_kv_u64(req, "bad_header", s.bad_header);
	enl_ctl_kv_u64(req, "bad_type", s.bad_type);
	enl_ctl_kv_u64(req, "bad_state", s.bad_state);
	enl_ctl_kv_u64(req, "bad_version", s.bad_version);
	enl_ctl_kv_u64(req, "bad_vram", s.bad_vram);
	enl_ctl_kv_u64(req, "bad_situation", s.bad_situation);
	enl_ctl_kv_u64(req, "bad_dirt", s.bad_dirt);
	enl_ctl_kv_u64(req, "bad_pointer", s.bad_pointer);
	enl_ctl_kv_u64(req, "send_fail", s.send_fail);
	enl_ctl_kv_end(req);
}

static int parse_version(const char *s, uint32_t *ver)
{
	if (!strcmp(s, "win10"))
		*ver = ENL_SYNTHVID_VERSION_WIN10;
	else if (!strcmp(s, "win8"))
		*ver = ENL_SYNTHVID_VERSION_WIN8;
	else if (!strcmp(s, "win7"))
		*ver = ENL_SYNTHVID_VERSION_WIN7;
	else
		return -EINVAL;
	return 0;
}

/* Each 0 or 1: FEATURE_CHANGE's four flags. */
static int parse_features(struct enl_ctl_req *req, uint32_t f[4])
{
	static const char *const names[] = { "DIRT", "PTR_POS", "PTR_SHAPE",
					     "SITU" };

	for (int k = 0; k < 4; k++)
		if (enl_ctl_parse_u32(req, names[k], req->argv[2 + k], 0, 1,
				      &f[k]))
			return -EINVAL;
	return 0;
}

/* On the channel's context: argv[1] is the sub-verb. */
static int video_on_ctx(void *state, struct enl_ctl_req *req)
{
	struct enl_vid *v = enl_video_engine(state);
	const char *sub = req->argc > 1 ? req->argv[1] : "status";
	uint32_t ver, f[4];
	int ret;

	if (!strcmp(sub, "status")) {
		if (enl_ctl_nargs(req, 1, 2))
			return -EINVAL;
		print_status(v, req);
		return 0;
	}
	if (!strcmp(sub, "inject")) {
		if (enl_ctl_nargs(req, 3, 3))
			return -EINVAL;
		ret = enl_vid_inject(v, req->argv[2]);
		if (ret == -EINVAL)
			return ret;
		if (ret)
			g_string_append_printf(req->out, "send: %s\n",
					       g_strerror(-ret));
		return ret;
	}
	if (!strcmp(sub, "max-version")) {
		if (enl_ctl_nargs(req, 3, 3) || parse_version(req->argv[2], &ver))
			return -EINVAL;
		enl_vid_set_max_version(v, ver);
		return 0;
	}
	if (!strcmp(sub, "features")) {
		if (enl_ctl_nargs(req, 6, 6) || parse_features(req, f))
			return -EINVAL;
		ret = enl_vid_send_features(v, (int)f[0], (int)f[1], (int)f[2],
					    (int)f[3]);
		if (ret)
			g_string_append_printf(req->out, "send: %s\n",
					       g_strerror(-ret));
		return ret;
	}
	return -EINVAL;
}

static int video_verb(void *ctx, struct enl_ctl_req *req)
{
	return enl_vsp_ctl_run_req(ctx, "video", req, video_on_ctx);
}

void enl_video_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl)
{
	static const struct enl_ctl_verb verbs[] = {
		{ "screenshot", screenshot_verb,
		  "screenshot /ABSOLUTE/FILE.png: the guest's screen as a PNG",
		  0 },
		{ "video", video_verb,
		  "video [status [--json]] | video inject "
		  "short|type|size|rescount|resindex | video max-version "
		  "win10|win8|win7 | video features DIRT PTR_POS PTR_SHAPE "
		  "SITU (0|1 each): the synthetic display", ENL_CTL_JSON_ARG },
	};

	ENL_CTL_ADD_VERBS(ctl, srv, verbs);
}
