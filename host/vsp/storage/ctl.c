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
static int add_on_ctx(void *state, int argc, char **argv, GString *out)
{
	struct enl_stor_ctrl *c = state;
	struct enl_disk_spec spec;
	int ret, lun;

	if (argc != 3)
		return -EINVAL;
	ret = enl_disk_spec_parse(argv[2], &spec, out);
	if (ret)
		return ret;
	lun = spec.lun;
	if (lun < 0)
		lun = free_lun(c->t, spec.ide ? ENL_VSTOR_IDE_MAX_LUNS :
				     ENL_VSTOR_SCSI_MAX_LUNS);
	ret = lun < 0 ? lun : enl_stor_lun_add(c->t, (unsigned int)lun,
					       &spec.opts);
	if (ret) {
		g_string_append_printf(out, "%s: %s\n", spec.opts.path,
				       ret == -EEXIST ? "that LUN is taken" :
				       ret == -ENOSPC ? "no free LUN" :
				       ret == -ERANGE ? "LUN out of range" :
				       g_strerror(-ret));
	} else {
		enl_stor_ctrl_enumerate(c);
		g_string_append_printf(out, "%s:%d\n", c->name, lun);
	}
	enl_disk_spec_clear(&spec);
	return ret;
}

static bool has_relid(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--relid"))
			return true;
	return false;
}

/* `disk add SPEC [--relid N]` on the main thread. */
static int add(struct enl_vmbus_server *srv, int argc, char **argv,
	       GString *out)
{
	struct enl_disk_spec spec;
	const char *cls;
	int ret;

	/* Which class: parse once here, again where the work runs. */
	if (argc < 3 || enl_disk_spec_parse(argv[2], &spec, out))
		return -EINVAL;
	cls = spec.ide ? "ide" : "scsi";
	enl_disk_spec_clear(&spec);
	if (!has_relid(argc, argv)) {
		g_autoptr(GString) none = g_string_new(NULL);
		int ac = 0;

		if (!enl_vsp_ctl_find(srv, cls, &ac, NULL, none)) {
			ret = enl_vmbus_server_offer(srv, cls);
			if (ret < 0) {
				g_string_append_printf(out, "offering a %s "
						       "controller: %s\n", cls,
						       g_strerror(-ret));
				return ret;
			}
		}
	}
	return enl_vsp_ctl_run(srv, cls, argc, argv, out, add_on_ctx);
}

int enl_stor_add_disk(struct enl_vmbus_server *srv, const char *spec,
		      GString *out)
{
	char *argv[] = { "disk", "add", (char *)spec, NULL };

	return add(srv, 3, argv, out);
}

static int remove_on_ctx(void *state, int argc, char **argv, GString *out)
{
	struct enl_stor_ctrl *c = state;
	unsigned int lun;
	bool ide;
	int ret;

	if (argc != 3 || enl_disk_addr_parse(argv[2], &ide, &lun))
		return -EINVAL;
	ret = enl_stor_lun_remove(c->t, lun);
	if (ret) {
		g_string_append_printf(out, "%s:%u: %s\n", c->name, lun,
				       ret == -ENOENT ? "no such disk" :
				       g_strerror(-ret));
		return ret;
	}
	enl_stor_ctrl_enumerate(c);
	return 0;
}

static int resize_on_ctx(void *state, int argc, char **argv, GString *out)
{
	struct enl_stor_ctrl *c = state;
	unsigned int lun;
	uint64_t bytes;
	bool ide;
	int ret;

	if (argc != 4 || enl_disk_addr_parse(argv[2], &ide, &lun) ||
	    enl_disk_size_parse(argv[3], &bytes))
		return -EINVAL;
	ret = enl_stor_lun_resize(c->t, lun, bytes);
	if (ret)
		g_string_append_printf(out, "%s:%u: %s\n", c->name, lun,
				       ret == -ENOENT ? "no such disk" :
				       ret == -EINVAL ?
				       "not a whole number of blocks" :
				       g_strerror(-ret));
	return ret;
}

/* ---- list and stats ---- */

static void json_str(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			g_string_append_printf(out, "\\%c", ch);
		else if (ch < 0x20)
			g_string_append_printf(out, "\\u%04x", ch);
		else
			g_string_append_c(out, (char)ch);
	}
	g_string_append_c(out, '"');
}

/* argv[1] is "list" or "json" (the entries so far decide the comma). */
static int list_on_ctx(void *state, int argc, char **argv, GString *out)
{
	struct enl_stor_ctrl *c = state;
	bool json = !strcmp(argv[1], "json");
	uint16_t luns[ENL_STOR_MAX_LUNS];
	unsigned int n = enl_stor_lun_list(c->t, luns, ENL_STOR_MAX_LUNS);

	(void)argc;
	for (unsigned int i = 0; i < n; i++) {
		struct enl_stor_lun_info in;

		if (enl_stor_lun_info(c->t, luns[i], &in))
			continue;
		if (!json) {
			g_string_append_printf(out,
				"%s:%u %s %" PRIu64 " bytes bs=%u%s%s%s%s serial=%s\n",
				c->name, in.lun, in.path,
				in.blocks * in.block_size, in.block_size,
				in.read_only ? " ro" : "",
				in.write_through ? " wt" : "",
				in.direct ? " direct" : "",
				in.can_unmap ? " unmap" : "", in.serial);
			continue;
		}
		g_string_append_printf(out,
			"%s{\"controller\":\"%s\",\"lun\":%u,\"path\":",
			out->len > 1 ? "," : "", c->name, in.lun);
		json_str(out, in.path);
		g_string_append_printf(out,
			",\"block_size\":%u,\"blocks\":%" PRIu64
			",\"bytes\":%" PRIu64 ",\"read_only\":%s"
			",\"write_through\":%s,\"direct\":%s"
			",\"unmap\":%s,\"serial\":",
			in.block_size, in.blocks, in.blocks * in.block_size,
			in.read_only ? "true" : "false",
			in.write_through ? "true" : "false",
			in.direct ? "true" : "false",
			in.can_unmap ? "true" : "false");
		json_str(out, in.serial);
		g_string_append_c(out, '}');
	}
	return 0;
}

static int stats_on_ctx(void *state, int argc, char **argv, GString *out)
{
	struct enl_stor_ctrl *c = state;
	struct enl_vstor_stats e;
	uint16_t version;
	bool open = enl_stor_ctrl_engine_stats(c, &e, &version);

	(void)argc;
	(void)argv;
	g_string_append_printf(out,
		"%s: open=%d version=0x%04x opens=%" PRIu64 " reaps=%" PRIu64
		" held=%" PRIu64 " bad_gpa=%" PRIu64 " bad_type=%" PRIu64 "\n",
		c->name, open, version, c->st.opens, c->st.reaps, c->st.held,
		c->st.bad_gpa, c->st.bad_type);
	g_string_append_printf(out,
		"%s engine: packets=%" PRIu64 " srbs=%" PRIu64
		" completions=%" PRIu64 " bad_length=%" PRIu64
		" bad_state=%" PRIu64 " bad_operation=%" PRIu64
		" bad_version=%" PRIu64 " bad_srb=%" PRIu64
		" invalid_lun=%" PRIu64 " busy=%" PRIu64
		" send_errors=%" PRIu64 " requeued=%" PRIu64 "\n",
		c->name, e.packets, e.srbs, e.completions, e.bad_length,
		e.bad_state, e.bad_operation, e.bad_version, e.bad_srb,
		e.invalid_lun, e.busy, e.send_errors, e.requeued);
	return 0;
}

/*
 * One line per channel of a controller, the primary being queue 0: the
 * guest maps each to a blk-mq hardware queue, so an uneven load or a
 * queue that stalls shows here.
 */
static int queue_stats_on_ctx(void *state, int argc, char **argv,
			      GString *out)
{
	struct enl_stor_ctrl *c = state;
	struct enl_vstor_stats e;
	uint16_t version;
	bool open = enl_stor_ctrl_engine_stats(c, &e, &version);

	(void)argc;
	(void)argv;
	g_string_append_printf(out,
		"%s queue %u relid %u (controller relid %u): open=%d"
		" packets=%" PRIu64 " srbs=%" PRIu64 " completions=%" PRIu64
		" inflight=%u busy=%" PRIu64 " held=%" PRIu64
		" requeued=%" PRIu64 " send_errors=%" PRIu64
		" bad=%" PRIu64 "\n",
		c->name, enl_vsp_sub_index(c->ch), enl_vsp_relid(c->ch),
		enl_vsp_relid(c->owner->ch), open, e.packets, e.srbs,
		e.completions, enl_stor_ctrl_inflight(c), e.busy, c->st.held,
		e.requeued, e.send_errors,
		e.bad_length + e.bad_state + e.bad_operation + e.bad_version +
		e.bad_srb + c->st.bad_gpa + c->st.bad_type);
	return 0;
}

/* ---- fault injection ---- */

static bool parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	char *end;
	guint64 x;

	if (!s || !g_ascii_isdigit(*s))
		return false;
	x = g_ascii_strtoull(s, &end, 10);
	if (*end || x > max)
		return false;
	*v = (uint32_t)x;
	return true;
}

/*
 * argv: disk fault KIND [ARGS] with --ide and --relid N anywhere. On the
 * controller's context; its owner's fault state serves all its channels.
 */
static int fault_on_ctx(void *state, int argc, char **argv, GString *out)
{
	struct enl_stor_ctrl *c = state;
	struct enl_stor_fault *f = &c->owner->fault;
	enum enl_stor_fault_kind kind;
	const char *a[4] = { 0 };
	uint32_t count = 1, ms = 0;
	int n = 0;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--relid")) {
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--ide"))
			continue;
		if (n == 4)
			return -EINVAL;
		a[n++] = argv[i];
	}
	if (!n)
		return -EINVAL;
	if (!strcmp(a[0], "show") && n == 1)
		goto show;
	if (!strcmp(a[0], "off") && n == 1) {
		enl_stor_fault_arm(f, ENL_STOR_FAULT_NONE, 0, 0);
		goto show;
	}
	if (!strcmp(a[0], "drop") || !strcmp(a[0], "corrupt")) {
		kind = a[0][0] == 'd' ? ENL_STOR_FAULT_DROP :
					ENL_STOR_FAULT_CORRUPT;
		if (n > 2 || (n == 2 && !parse_u32(a[1], 1000000, &count)))
			return -EINVAL;
	} else if (!strcmp(a[0], "delay")) {
		kind = ENL_STOR_FAULT_DELAY;
		if (n < 2 || n > 3 || !parse_u32(a[1], 600000, &ms) ||
		    (n == 3 && !parse_u32(a[2], 1000000, &count)))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	enl_stor_fault_arm(f, kind, count, ms);
show:
	g_string_append_printf(out,
		"%s: fault %s left=%u delay_ms=%u dropped=%" PRIu64
		" delayed=%" PRIu64 " corrupted=%" PRIu64 "\n", c->name,
		enl_stor_fault_kind_name(__atomic_load_n(&f->left,
							 __ATOMIC_SEQ_CST) ?
					 __atomic_load_n(&f->kind,
							 __ATOMIC_SEQ_CST) :
					 ENL_STOR_FAULT_NONE),
		__atomic_load_n(&f->left, __ATOMIC_SEQ_CST),
		__atomic_load_n(&f->delay_ms, __ATOMIC_SEQ_CST),
		__atomic_load_n(&f->dropped, __ATOMIC_SEQ_CST),
		__atomic_load_n(&f->delayed, __ATOMIC_SEQ_CST),
		__atomic_load_n(&f->corrupted, __ATOMIC_SEQ_CST));
	return 0;
}

static bool has_flag(int argc, char **argv, const char *flag)
{
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], flag))
			return true;
	return false;
}

/* Run fn on the first offer of each class; -ENODEV if there is none. */
static int each(struct enl_vmbus_server *srv, const char *what,
		GString *out, enl_vsp_verb_fn fn)
{
	char *argv[] = { "disk", (char *)what, NULL };
	int found = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(classes); i++) {
		g_autoptr(GString) none = g_string_new(NULL);
		int ac = 0;

		if (!enl_vsp_ctl_find(srv, classes[i], &ac, NULL, none))
			continue;
		found++;
		enl_vsp_ctl_run(srv, classes[i], 2, argv, out, fn);
	}
	if (!found)
		g_string_append(out, "no storage controller offered "
				"(enl-host run --disk FILE, or --offer scsi)\n");
	return found ? 0 : -ENODEV;
}

/* The first argument after the sub-verb that is not --relid N. */
static const char *first_arg(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--relid")) {
			i++;
			continue;
		}
		return argv[i];
	}
	return "";
}

/* The controllers, then every queue of each. */
static int stats(struct enl_vmbus_server *srv, GString *out)
{
	char *argv[] = { "disk", "stats", NULL };
	int ret = each(srv, "stats", out, stats_on_ctx);

	for (size_t i = 0; !ret && i < G_N_ELEMENTS(classes); i++)
		enl_vsp_ctl_run_all(srv, classes[i], 2, argv, out,
				    queue_stats_on_ctx);
	return ret;
}

static int disk_verb(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_vmbus_server *srv = ctx;
	const char *sub = argc > 1 ? argv[1] : "list";
	unsigned int lun;
	bool ide;
	int ret;

	if (!strcmp(sub, "add") && argc >= 3)
		return add(srv, argc, argv, out);
	if ((!strcmp(sub, "remove") || !strcmp(sub, "resize")) && argc >= 3) {
		/* The LUN address names the class; --relid picks the offer. */
		if (enl_disk_addr_parse(first_arg(argc, argv), &ide, &lun))
			goto usage;
		ret = enl_vsp_ctl_run(srv, ide ? "ide" : "scsi", argc, argv, out,
				      !strcmp(sub, "remove") ? remove_on_ctx :
				      resize_on_ctx);
		if (ret == -EINVAL)
			goto usage;
		return ret;
	}
	if (!strcmp(sub, "list") && argc <= 3) {
		bool json = argc == 3 && !strcmp(argv[2], "--json");

		if (argc == 3 && !json)
			goto usage;
		if (json)
			g_string_append_c(out, '[');
		ret = each(srv, json ? "json" : "list", out, list_on_ctx);
		if (json)
			g_string_append(out, "]\n");
		return json ? 0 : ret;
	}
	if (!strcmp(sub, "stats") && argc == 2)
		return stats(srv, out);
	if (!strcmp(sub, "fault") && argc >= 3) {
		ret = enl_vsp_ctl_run(srv, has_flag(argc, argv, "--ide") ?
				      "ide" : "scsi", argc, argv, out,
				      fault_on_ctx);
		if (ret == -EINVAL)
			goto usage;
		return ret;
	}
usage:
	g_string_append(out, "usage: disk list [--json] | disk stats | "
			"disk add FILE[,ro][,wt][,ide][,lun=N][,bs=512|4096]"
			"[,serial=S][,nodirect] [--relid N] | "
			"disk remove [ide:]LUN [--relid N] | "
			"disk resize [ide:]LUN SIZE[K|M|G|T] [--relid N] "
			"(SIZE 0: re-read the file's size) | "
			"disk fault drop|corrupt [COUNT] | delay MS [COUNT] | "
			"off | show [--ide] [--relid N] (the controller's "
			"next COUNT SRB answers, default 1)\n");
	return -EINVAL;
}

void enl_stor_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl)
{
	enl_ctl_register(ctl, "disk", disk_verb, srv,
			 "disk list [--json] | stats | add SPEC | remove "
			 "[ide:]LUN | resize [ide:]LUN SIZE | fault "
			 "drop|corrupt|delay|off|show: the guest's "
			 "synthetic disks");
}
