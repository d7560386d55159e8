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

static int screenshot_verb(void *ctx, int argc, char **argv, GString *out)
{
	(void)ctx;
	if (argc != 2 || !g_path_is_absolute(argv[1])) {
		g_string_append(out, "usage: screenshot /ABSOLUTE/FILE.png\n");
		return -EINVAL;
	}
	return enl_display_write_png(enl_display_get(), argv[1], out);
}

static void print_status(struct enl_vid *v, GString *out, bool json)
{
	struct enl_vid_info i;
	struct enl_vid_stats s;

	enl_vid_get_info(v, &i);
	enl_vid_get_stats(v, &s);
	if (json) {
		g_string_append_printf(out,
			"{\"version\":\"%u.%u\",\"vram_gpa\":%" PRIu64
			",\"vram_ok\":%s,\"active\":%s,\"width\":%u,"
			"\"height\":%u,\"depth\":%u,\"pitch\":%u,"
			"\"msgs\":%" PRIu64 ",\"dirt_rects\":%" PRIu64
			",\"mode_sets\":%" PRIu64 ",\"pointer_moves\":%" PRIu64
			",\"pointer_shapes\":%" PRIu64 ",\"bad_header\":%" PRIu64
			",\"bad_type\":%" PRIu64 ",\"bad_state\":%" PRIu64
			",\"bad_version\":%" PRIu64 ",\"bad_vram\":%" PRIu64
			",\"bad_situation\":%" PRIu64 ",\"bad_dirt\":%" PRIu64
			",\"bad_pointer\":%" PRIu64 ",\"send_fail\":%" PRIu64
			"}\n",
			ENL_SYNTHVID_MAJOR(i.version),
			ENL_SYNTHVID_MINOR(i.version), i.vram_gpa,
			i.vram_ok ? "true" : "false",
			i.active ? "true" : "false", i.width, i.height,
			i.depth, i.pitch, s.msgs, s.dirt_rects, s.mode_sets,
			s.pointer_moves, s.pointer_shapes, s.bad_header,
			s.bad_type, s.bad_state, s.bad_version, s.bad_vram,
			s.bad_situation, s.bad_dirt, s.bad_pointer,
			s.send_fail);
		return;
	}
	g_string_append_printf(out, "version %u.%u vram %#" PRIx64 " (%s)\n",
			       ENL_SYNTHVID_MAJOR(i.version),
			       ENL_SYNTHVID_MINOR(i.version), i.vram_gpa,
			       i.vram_ok ? "mapped" : "not mapped");
	if (i.active)
		g_string_append_printf(out, "mode %ux%u depth %u pitch %u\n",
				       i.width, i.height, i.depth, i.pitch);
	else
		g_string_append(out, "mode none\n");
	g_string_append_printf(out,
		"msgs %" PRIu64 " dirt_rects %" PRIu64 " mode_sets %" PRIu64
		" pointer_moves %" PRIu64 " pointer_shapes %" PRIu64 "\n"
		"bad_header %" PRIu64 " bad_type %" PRIu64 " bad_state %" PRIu64
		" bad_version %" PRIu64 " bad_vram %" PRIu64
		" bad_situation %" PRIu64 " bad_dirt %" PRIu64
		" bad_pointer %" PRIu64 " send_fail %" PRIu64 "\n",
		s.msgs, s.dirt_rects, s.mode_sets, s.pointer_moves,
		s.pointer_shapes, s.bad_header, s.bad_type, s.bad_state,
		s.bad_version, s.bad_vram, s.bad_situation, s.bad_dirt,
		s.bad_pointer, s.send_fail);
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

/* On the channel's context: argv[1] is the sub-verb. */
static int video_on_ctx(void *state, int argc, char **argv, GString *out)
{
	struct enl_vid *v = enl_video_engine(state);
	const char *sub = argc > 1 ? argv[1] : "status";
	uint32_t ver;
	int ret;

	if (!strcmp(sub, "status") && argc <= 3) {
		print_status(v, out, argc == 3 && !strcmp(argv[2], "--json"));
		return 0;
	}
	if (!strcmp(sub, "inject") && argc == 3) {
		ret = enl_vid_inject(v, argv[2]);
		if (ret == -EINVAL)
			return ret;
		if (ret)
			g_string_append_printf(out, "send: %s\n",
					       g_strerror(-ret));
		return ret;
	}
	if (!strcmp(sub, "max-version") && argc == 3) {
		if (parse_version(argv[2], &ver))
			return -EINVAL;
		enl_vid_set_max_version(v, ver);
		return 0;
	}
	if (!strcmp(sub, "features") && argc == 6) {
		ret = enl_vid_send_features(v, atoi(argv[2]), atoi(argv[3]),
					    atoi(argv[4]), atoi(argv[5]));
		if (ret)
			g_string_append_printf(out, "send: %s\n",
					       g_strerror(-ret));
		return ret;
	}
	return -EINVAL;
}

static int video_verb(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_vmbus_server *srv = ctx;
	int ret;

	ret = enl_vsp_ctl_run(srv, "video", argc, argv, out, video_on_ctx);
	if (ret == -EINVAL)
		g_string_append(out, "usage: video [status [--json]] | "
				"inject short|type|size|rescount|resindex | "
				"max-version win10|win8|win7 | "
				"features DIRT PTR_POS PTR_SHAPE SITU (0|1 each)\n");
	return ret;
}

void enl_video_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl)
{
	enl_ctl_register(ctl, "screenshot", screenshot_verb, srv,
			 "screenshot FILE.png: the guest's screen as a PNG");
	enl_ctl_register(ctl, "video", video_verb, srv,
			 "video [status [--json]] | inject KIND | max-version "
			 "V | features D P S U: the synthetic display");
}
