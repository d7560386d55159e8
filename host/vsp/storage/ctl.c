// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-host's disks: --disk at start-up and the ctl verb `disk` (add,
 * remove, resize, list [--json], stats). The work runs on the controller's
 * own context (enl_vsp_ctl_run), where its channel lives: adding or
 * removing a LUN tells a guest that has the controller open with
 * ENUMERATE_BUS; a resize reaches it as a unit attention (CAPACITY DATA
 * HAS CHANGED) on its next command, on which Linux rescans.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctl.h"
#include "server.h"
#include "stor_glue.h"
#include "vsp.h"

static const char *const classes[] = { "scsi", "ide" };

static int free_lun(struct enl_stor_target *t, unsigned int max)
{
	uint16_t luns[ENL_STOR_MAX_LUNS];
	unsigned int n = enl_stor_lun_list(t, luns, ENL_STOR_MAX_LUNS);
	unsigned int lun = 0;

	for (unsigned int i = 0; i < n && luns[i] == lun; i++)
		lun++;
	return lun < max ? (int)lun : -ENOSPC;
}

/* On the controller's context: argv[2] is the spec. */
static int add_on_ctx(void *state, struct enl_ctl_req *req)
{
	struct enl_stor_ctrl *c = state;
	struct enl_disk_spec spec;
	int ret, lun;

	if (enl_ctl_nargs(req, 3, 3))
		return -EINVAL;
	ret = enl_disk_spec_parse(req->argv[2], &spec, req->out);
	if (ret)
		return ret;
	lun = spec.lun;
	if (lun < 0)
		lun = free_lun(c->t, spec.ide ? ENL_VSTOR_IDE_MAX_LUNS :
				     ENL_VSTOR_SCSI_MAX_LUNS);
	ret = lun < 0 ? lun : enl_stor_lun_add(c->t, (unsigned int)lun,
					       &spec.opts);
	if (ret) {
		enl_ctl_escape(req->out, spec.opts.path, -1);
		g_string_append_printf(req->out, ": %s\n",
				       ret == -EEXIST ? "that LUN is taken" :
				       ret == -ENOSPC ? "no free LUN" :
				       ret == -ERANGE ? "LUN out of range" :
				       g_strerror(-ret));
	} else {
		enl_stor_ctrl_enumerate(c);
		g_string_append_printf(req->out, "%s:%d\n", c->name, lun);
		if (req->json) {
			enl_json_obj(req->json, NULL);
			enl_json_str(req->json, "controller", c->name);
			enl_json_u64(req->json, "lun", (uint64_t)lun);
			enl_json_end(req->json);
		}
	}
	enl_disk_spec_clear(&spec);
	return ret;
}

static bool has_relid(const struct enl_ctl_req *req)
{
	for (int i = 1; i < req->argc; i++)
		if (!strcmp(req->argv[i], "--relid"))
			return true;
	return false;
}

/* `disk add SPEC [--relid N]` on the main thread. */
static int add(struct enl_vmbus_server *srv, struct enl_ctl_req *req)
{
	struct enl_disk_spec spec;
	const char *cls;
	int ret;

	/* Which class: parse once here, again where the work runs. */
	if (req->argc < 3 || enl_disk_spec_parse(req->argv[2], &spec, req->out))
		return -EINVAL;
	cls = spec.ide ? "ide" : "scsi";
	enl_disk_spec_clear(&spec);
	if (!has_relid(req)) {
		g_autoptr(GString) none = g_string_new(NULL);
		int ac = 0;

		if (!enl_vsp_ctl_find(srv, cls, &ac, NULL, none)) {
			ret = enl_vmbus_server_offer(srv, cls);
			if (ret < 0) {
				g_string_append_printf(req->out, "offering a %s "
						       "controller: %s\n", cls,
						       g_strerror(-ret));
				return ret;
			}
		}
	}
	return enl_vsp_ctl_run_req(srv, cls, req, add_on_ctx);
}

int enl_stor_add_disk(struct enl_vmbus_server *srv, const char *spec,
		      GString *out)
{
	char *argv[] = { "disk", "add", (char *)spec, NULL };
	struct enl_ctl_req req = { .argc = 3, .argv = argv, .out = out };

	return add(srv, &req);
}

/* The LUN address of argv[2] on this controller, or -EINVAL. */
static int lun_arg(struct enl_ctl_req *req, unsigned int *lun)
{
	bool ide;

	if (enl_disk_addr_parse(req->argv[2], &ide, lun)) {
		g_string_append(req->out, "LUN: ");
		enl_ctl_escape(req->out, req->argv[2], -1);
		g_string_append(req->out, " is not [ide:]N\n");
		return -EINVAL;
	}
	return 0;
}

static void lun_json(struct enl_ctl_req *req, const struct enl_stor_ctrl *c,
		     unsigned int lun, const uint64_t *bytes)
{
	if (!req->json)
		return;
	enl_json_obj(req->json, NULL);
	enl_json_str(req->json, "controller", c->name);
	enl_json_u64(req->json, "lun", lun);
	if (bytes)
		enl_json_u64(req->json, "bytes", *bytes);
	enl_json_end(req->json);
}

static int remove_on_ctx(void *state, struct enl_ctl_req *req)
{
	struct enl_stor_ctrl *c = state;
	unsigned int lun;
	int ret;

	if (enl_ctl_nargs(req, 3, 3) || lun_arg(req, &lun))
		return -EINVAL;
	ret = enl_stor_lun_remove(c->t, lun);
	if (ret) {
		g_string_append_printf(req->out, "%s:%u: %s\n", c->name, lun,
				       ret == -ENOENT ? "no such disk" :
				       g_strerror(-ret));
		return ret;
	}
	enl_stor_ctrl_enumerate(c);
	lun_json(req, c, lun, NULL);
	return 0;
}

static int resize_on_ctx(void *state, struct enl_ctl_req *req)
{
	struct enl_stor_ctrl *c = state;
	unsigned int lun;
	uint64_t bytes;
	int ret;

	if (enl_ctl_nargs(req, 4, 4) || lun_arg(req, &lun))
		return -EINVAL;
	if (enl_disk_size_parse(req->argv[3], &bytes)) {
		g_string_append(req->out, "SIZE: ");
		enl_ctl_escape(req->out, req->argv[3], -1);
		g_string_append(req->out, " is not N[K|M|G|T]\n");
		return -EINVAL;
	}
	ret = enl_stor_lun_resize(c->t, lun, bytes);
	if (ret)
		g_string_append_printf(req->out, "%s:%u: %s\n", c->name, lun,
				       ret == -ENOENT ? "no such disk" :
				       ret == -EINVAL ?
				       "not a whole number of blocks" :
				       g_strerror(-ret));
	else
		lun_json(req, c, lun, &bytes);
	return ret;
}

/* ---- list and stats ---- */

/* One line and, with --json, one object per disk of the controller. */
static int list_on_ctx(void *state, struct enl_ctl_req *req)
{
	struct enl_stor_ctrl *c = state;
	struct enl_json *j = req->json;
	uint16_t luns[ENL_STOR_MAX_LUNS];
	unsigned int n = enl_stor_lun_list(c->t, luns, ENL_STOR_MAX_LUNS);
	g_autoptr(GString) head = g_string_new(NULL);

	for (unsigned int i = 0; i < n; i++) {
		struct enl_stor_lun_info in;
		uint64_t bytes;

		if (enl_stor_lun_info(c->t, luns[i], &in))
			continue;
		bytes = in.blocks * in.block_size;
		/* Text leads with where the disk is and its size, unnamed. */
		g_string_printf(head, "%s:%u ", c->name, in.lun);
		enl_ctl_escape(head, in.path, -1);
		g_string_append_printf(head, " %" PRIu64 " bytes bs=%u", bytes,
				       in.block_size);
		enl_ctl_kv_begin(req, NULL, head->str);
		if (j) {
			enl_json_str(j, "controller", c->name);
			enl_json_u64(j, "lun", in.lun);
			enl_json_str(j, "path", in.path);
			enl_json_u64(j, "block_size", in.block_size);
			enl_json_u64(j, "blocks", in.blocks);
			enl_json_u64(j, "bytes", bytes);
		}
		enl_ctl_kv_flag(req, "ro", "read_only", in.read_only);
		enl_ctl_kv_flag(req, "wt", "write_through", in.write_through);
		enl_ctl_kv_flag(req, "direct", "direct", in.direct);
		enl_ctl_kv_flag(req, "unmap", "unmap", in.can_unmap);
		enl_ctl_kv_str(req, "serial", in.serial);
		enl_ctl_kv_u64(req, "controller_relid", enl_vsp_relid(c->ch));
		enl_ctl_kv_end(req);
	}
	return 0;
}

static int stats_on_ctx(void *state, struct enl_ctl_req *req)
{
	struct enl_stor_ctrl *c = state;
	struct enl_vstor_stats e;
	uint16_t version;
	bool open = enl_stor_ctrl_engine_stats(c, &e, &version);
	g_autofree char *head = g_strdup_printf("%s:", c->name);
	g_autofree char *engine = g_strdup_printf("%s engine:", c->name);

	enl_ctl_kv_begin(req, NULL, head);
	if (req->json)
		enl_json_str(req->json, "controller", c->name);
	enl_ctl_kv_u64(req, "relid", enl_vsp_relid(c->ch));
	enl_ctl_kv_bool(req, "open", open);
	enl_ctl_kv_hex(req, "version", version, 4);
	enl_ctl_kv_u64(req, "opens", c->st.opens);
	enl_ctl_kv_u64(req, "reaps", c->st.reaps);
	enl_ctl_kv_u64(req, "held", c->st.held);
	enl_ctl_kv_u64(req, "bad_gpa", c->st.bad_gpa);
	enl_ctl_kv_u64(req, "bad_type", c->st.bad_type);
	g_string_append_c(req->out, '\n');
	enl_ctl_kv_begin(req, "engine", engine);
	enl_ctl_kv_u64(req, "packets", e.packets);
	enl_ctl_kv_u64(req, "srbs", e.srbs);
	enl_ctl_kv_u64(req, "completions", e.completions);
	enl_ctl_kv_u64(req, "bad_length", e.bad_length);
	enl_ctl_kv_u64(req, "bad_state", e.bad_state);
	enl_ctl_kv_u64(req, "bad_operation", e.bad_operation);
	enl_ctl_kv_u64(req, "bad_version", e.bad_version);
	enl_ctl_kv_u64(req, "bad_srb", e.bad_srb);
	enl_ctl_kv_u64(req, "invalid_lun", e.invalid_lun);
	enl_ctl_kv_u64(req, "busy", e.busy);
	enl_ctl_kv_u64(req, "send_errors", e.send_errors);
	enl_ctl_kv_u64(req, "requeued", e.requeued);
	enl_ctl_kv_end(req);
	if (req->json)
		enl_json_end(req->json);
	return 0;
}

/*
 * One line per channel of a controller, the primary being queue 0: the
 * guest maps each to a blk-mq hardware queue, so an uneven load or a
 * queue that stalls shows here.
 */
static int queue_stats_on_ctx(void *state, struct enl_ctl_req *req)
{
	struct enl_stor_ctrl *c = state;
	struct enl_vstor_stats e;
	struct enl_stor_stats io;
	uint16_t version;
	bool open = enl_stor_ctrl_engine_stats(c, &e, &version);
	g_autofree char *head = g_strdup_printf(
		"%s queue %u relid %u (controller relid %u):", c->name,
		enl_vsp_sub_index(c->ch), enl_vsp_relid(c->ch),
		enl_vsp_relid(c->owner->ch));

	enl_ctl_kv_begin(req, NULL, head);
	if (req->json) {
		enl_json_str(req->json, "controller", c->name);
		enl_json_u64(req->json, "queue", enl_vsp_sub_index(c->ch));
		enl_json_u64(req->json, "relid", enl_vsp_relid(c->ch));
		enl_json_u64(req->json, "controller_relid",
			     enl_vsp_relid(c->owner->ch));
	}
	enl_ctl_kv_bool(req, "open", open);
	enl_ctl_kv_u64(req, "packets", e.packets);
	enl_ctl_kv_u64(req, "srbs", e.srbs);
	enl_ctl_kv_u64(req, "completions", e.completions);
	enl_ctl_kv_u64(req, "inflight", enl_stor_ctrl_inflight(c));
	enl_ctl_kv_u64(req, "busy", e.busy);
	enl_ctl_kv_u64(req, "held", c->st.held);
	enl_ctl_kv_u64(req, "polls", c->st.polls);
	enl_ctl_kv_u64(req, "unmasks", c->st.unmasks);
	enl_ctl_kv_u64(req, "probes", c->st.probes);
	enl_ctl_kv_u64(req, "probe_hits", c->st.probe_hits);
	enl_ctl_kv_u64(req, "requeued", e.requeued);
	enl_ctl_kv_u64(req, "send_errors", e.send_errors);
	enl_ctl_kv_u64(req, "bad", e.bad_length + e.bad_state +
		       e.bad_operation + e.bad_version + e.bad_srb +
		       c->st.bad_gpa + c->st.bad_type);
	/* On the backing files, since the channel opened. */
	enl_stor_ctrl_io_stats(c, &io);
	enl_ctl_kv_u64(req, "read_bytes", io.read_bytes);
	enl_ctl_kv_u64(req, "written_bytes", io.written_bytes);
	enl_ctl_kv_u64(req, "flushes", io.flushes);
	enl_ctl_kv_u64(req, "dsync_writes", io.dsync_writes);
	enl_ctl_kv_u64(req, "unmapped_blocks", io.unmapped_blocks);
	enl_ctl_kv_u64(req, "io_errors", io.io_errors);
	enl_ctl_kv_u64(req, "check_conditions", io.check_conditions);
	enl_ctl_kv_u64(req, "inline_io", io.inline_io);
	enl_ctl_kv_u64(req, "bounced", io.bounced);
	enl_ctl_kv_end(req);
	return 0;
}

/* ---- the newest protocol version offered ---- */

static const struct {
	const char *name;
	uint16_t version;
} vmstor_names[] = {
	{ "win10", ENL_VMSTOR_VERSION_WIN10 },
	{ "win8.1", ENL_VMSTOR_VERSION_WIN8_1 },
	{ "win8", ENL_VMSTOR_VERSION_WIN8 },
};

/*
 * argv: disk max-version NAME (--ide and --relid N taken out). The
 * controller's next handshake (the guest's driver binding it again)
 * refuses anything newer, so the guest's fallback can be run.
 */
static int max_version_on_ctx(void *state, struct enl_ctl_req *req)
{
	struct enl_stor_ctrl *c = state;

	if (enl_ctl_nargs(req, 3, 3))
		return -EINVAL;
	for (size_t i = 0; i < G_N_ELEMENTS(vmstor_names); i++) {
		uint16_t v = vmstor_names[i].version;

		if (strcmp(req->argv[2], vmstor_names[i].name))
			continue;
		/* The newest means no cap, as at start. */
		c->owner->cfg.max_version = i ? v : 0;
		g_string_append_printf(req->out, "%s: VMSTOR %u.%u at most from "
				       "the next handshake\n", c->name,
				       v >> 8, v & 0xff);
		if (req->json) {
			enl_json_obj(req->json, NULL);
			enl_json_str(req->json, "controller", c->name);
			enl_json_str(req->json, "max_version",
				     vmstor_names[i].name);
			enl_json_end(req->json);
		}
		return 0;
	}
	g_string_append(req->out, "max-version: want win10, win8.1 or win8\n");
	return -EINVAL;
}

/* ---- fault injection ---- */

/*
 * argv: disk fault KIND [ARGS] (--ide and --relid N taken out). On the
 * controller's context; its owner's fault state serves all its channels.
 */
static int fault_on_ctx(void *state, struct enl_ctl_req *req)
{
	struct enl_stor_ctrl *c = state;
	struct enl_stor_fault *f = &c->owner->fault;
	enum enl_stor_fault_kind kind;
	const char *k = req->argc > 2 ? req->argv[2] : "";
	uint32_t count = 1, ms = 0;
	int n = req->argc - 2;

	if (!strcmp(k, "show") || !strcmp(k, "off")) {
		if (enl_ctl_nargs(req, 3, 3))
			return -EINVAL;
		if (k[1] == 'f')
			enl_stor_fault_arm(f, ENL_STOR_FAULT_NONE, 0, 0);
		goto show;
	}
	if (!strcmp(k, "drop") || !strcmp(k, "corrupt")) {
		kind = k[0] == 'd' ? ENL_STOR_FAULT_DROP :
				     ENL_STOR_FAULT_CORRUPT;
		if (enl_ctl_nargs(req, 3, 4) ||
		    (n == 2 && enl_ctl_parse_u32(req, "COUNT", req->argv[3], 0,
						 1000000, &count)))
			return -EINVAL;
	} else if (!strcmp(k, "delay")) {
		kind = ENL_STOR_FAULT_DELAY;
		if (enl_ctl_nargs(req, 4, 5) ||
		    enl_ctl_parse_u32(req, "MS", req->argv[3], 0, 600000, &ms) ||
		    (n == 3 && enl_ctl_parse_u32(req, "COUNT", req->argv[4], 0,
						 1000000, &count)))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	enl_stor_fault_arm(f, kind, count, ms);
show:
	{
		uint32_t left = __atomic_load_n(&f->left, __ATOMIC_SEQ_CST);
		const char *name = enl_stor_fault_kind_name(
			left ? __atomic_load_n(&f->kind, __ATOMIC_SEQ_CST) :
			       ENL_STOR_FAULT_NONE);
		g_autofree char *head = g_strdup_printf("%s: fault %s",
							c->name, name);

		enl_ctl_kv_begin(req, NULL, head);
		if (req->json) {
			enl_json_str(req->json, "controller", c->name);
			enl_json_str(req->json, "fault", name);
		}
		enl_ctl_kv_u64(req, "left", left);
		ENL_CTL_KV_ATOMIC(req, "delay_ms", &f->delay_ms);
		ENL_CTL_KV_ATOMIC(req, "dropped", &f->dropped);
		ENL_CTL_KV_ATOMIC(req, "delayed", &f->delayed);
		ENL_CTL_KV_ATOMIC(req, "corrupted", &f->corrupted);
		enl_ctl_kv_end(req);
	}
	return 0;
}

int enl_stor_each_ctrl(struct enl_vmbus_server *srv, struct enl_ctl_req *req,
		       enl_vsp_req_fn fn)
{
	int found = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(classes); i++)
		found += enl_vsp_ctl_run_primaries(srv, classes[i], req, fn);
	return found;
}

#define NO_CONTROLLER "no storage controller offered (enl-host run " \
		      "--disk FILE, or --offer scsi)\n"

/* Every disk of every controller of each class: [] when none. */
static int list(struct enl_vmbus_server *srv, struct enl_ctl_req *req)
{
	int found;

	if (enl_ctl_nargs(req, 1, 2))	/* "disk" alone lists too */
		return -EINVAL;
	if (req->json)
		enl_json_arr(req->json, NULL);
	found = enl_stor_each_ctrl(srv, req, list_on_ctx);
	if (req->json)
		enl_json_end(req->json);
	if (!found)
		g_string_append(req->out, NO_CONTROLLER);
	return 0;
}

/* The controllers, then every queue of each. */
static int stats(struct enl_vmbus_server *srv, struct enl_ctl_req *req)
{
	int found;

	if (enl_ctl_nargs(req, 2, 2))
		return -EINVAL;
	if (req->json) {
		enl_json_obj(req->json, NULL);
		enl_json_arr(req->json, "controllers");
	}
	found = enl_stor_each_ctrl(srv, req, stats_on_ctx);
	if (req->json) {
		enl_json_end(req->json);
		enl_json_arr(req->json, "queues");
	}
	for (size_t i = 0; found && i < G_N_ELEMENTS(classes); i++)
		enl_vsp_ctl_run_all(srv, classes[i], req, queue_stats_on_ctx);
	if (req->json) {
		enl_json_end(req->json);
		enl_json_end(req->json);
	}
	if (!found) {
		g_string_append(req->out, NO_CONTROLLER);
		return -ENODEV;
	}
	return 0;
}

static int disk_verb(void *ctx, struct enl_ctl_req *req)
{
	struct enl_vmbus_server *srv = ctx;
	const char *sub = req->argc > 1 ? req->argv[1] : "list";
	const char *cls = "scsi";
	unsigned int lun;
	bool ide;
	int ret;

	if (!strcmp(sub, "add") && req->argc >= 3)
		return add(srv, req);
	if (!strcmp(sub, "remove") || !strcmp(sub, "resize")) {
		/* The LUN address names the class; --relid picks the offer. */
		const char *addr = NULL;
		int ac = req->argc;

		for (int i = 2; i < ac && !addr; i++)
			if (!strcmp(req->argv[i], "--relid"))
				i++;
			else
				addr = req->argv[i];
		if (addr && !enl_disk_addr_parse(addr, &ide, &lun))
			cls = ide ? "ide" : "scsi";
		return enl_vsp_ctl_run_req(srv, cls, req, sub[2] == 'm' ?
					   remove_on_ctx : resize_on_ctx);
	}
	if (!strcmp(sub, "list"))
		return list(srv, req);
	if (!strcmp(sub, "stats"))
		return stats(srv, req);
	if ((!strcmp(sub, "fault") || !strcmp(sub, "max-version")) &&
	    req->argc >= 3) {
		ret = enl_ctl_take_flag(req, "--ide");
		if (ret < 0)
			return ret;
		return enl_vsp_ctl_run_req(srv, ret ? "ide" : "scsi", req,
					   sub[0] == 'f' ? fault_on_ctx :
					   max_version_on_ctx);
	}
	return -EINVAL;
}

void enl_stor_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl)
{
	static const struct enl_ctl_verb verbs[] = {
		{ "disk", disk_verb,
		  "disk list [--json] | disk stats | "
		  "disk add FILE[,ro][,wt][,ide][,lun=N][,bs=512|4096]"
		  "[,serial=S][,nodirect] [--relid N] | "
		  "disk remove [ide:]LUN [--relid N] | "
		  "disk resize [ide:]LUN SIZE[K|M|G|T] [--relid N] "
		  "(SIZE 0: re-read the file's size) | "
		  "disk fault drop|corrupt [COUNT] | delay MS [COUNT] | "
		  "off | show [--ide] [--relid N] (the controller's next "
		  "COUNT SRB answers, default 1) | "
		  "disk max-version win10|win8.1|win8 [--ide] [--relid N] "
		  "(from the guest's next handshake): the guest's synthetic "
		  "disks",
		  ENL_CTL_JSON_ARG },
	};

	ENL_CTL_ADD_VERBS(ctl, srv, verbs);
}
