// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-host's NICs: --nic at start-up and the ctl verb `nic`. Adding a NIC
 * offers a "network" device (a hot add when the guest runs); removing it
 * rescinds the offer. The rest runs on the NIC's primary context
 * (enl_vsp_ctl_run), where its engine's control state lives.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "net_glue.h"
#include "server.h"
#include "vsp.h"

int enl_nic_add(struct enl_vmbus_server *srv, const char *s, GString *out)
{
	struct enl_nic_spec spec;
	g_autofree char *why = NULL;
	int relid, err;

	if (enl_nic_spec_parse(s, &spec, out))
		return -EINVAL;
	relid = enl_nic_offer(srv, &spec, &err, &why);
	if (relid < 0) {
		g_string_append_printf(out, "offering a NIC: %s\n",
				       why ? why : g_strerror(-relid));
		return err ? err : relid;
	}
	return relid;
}

/*
 * The NIC named by the first argument after the sub-verb that is not
 * the sub-verb's own (skip of them): a relid, "--relid N" or a TAP name;
 * the first NIC when none is named. 0 and *relid, or -ENODEV.
 */
static int pick(int argc, char **argv, int skip, uint32_t *relid,
		GString *out)
{
	uint32_t relids[256];
	unsigned int n = enl_nic_relids(relids, G_N_ELEMENTS(relids));
	const char *name = NULL;
	int i = 2 + skip;

	if (i < argc && !strcmp(argv[i], "--relid"))
		i++;
	if (i < argc)
		name = argv[i];
	if (i + 1 < argc) {
		g_string_append(out, "too many arguments\n");
		return -EINVAL;
	}
	if (!n) {
		g_string_append(out, "no NIC offered (enl-host run --nic "
				"tap=NAME, or enl-host ctl nic add tap=NAME)\n");
		return -ENODEV;
	}
	if (!name) {
		*relid = relids[0];
		return 0;
	}
	for (unsigned int k = 0; k < n; k++) {
		char num[16];

		g_snprintf(num, sizeof(num), "%u", relids[k]);
		if (!strcmp(name, num)) {
			*relid = relids[k];
			return 0;
		}
	}
	/* Maybe a TAP name: target() asks each NIC. */
	enl_ctl_escape(out, name, -1);
	g_string_append(out, ": no such NIC (nic list shows them)\n");
	return -ENODEV;
}

/* fn on the NIC of relid's context, with req's text and JSON. */
static int run_on(struct enl_vmbus_server *srv, uint32_t relid,
		  const char *what, const char *arg, struct enl_ctl_req *req,
		  enl_vsp_req_fn fn)
{
	char num[16];
	char *argv[] = { "nic", (char *)what, "--relid", num, (char *)arg,
			 NULL };
	struct enl_ctl_req sub = { .argc = arg ? 5 : 4, .argv = argv,
				   .out = req->out, .json = req->json };

	g_snprintf(num, sizeof(num), "%u", relid);
	return enl_vsp_ctl_run_req(srv, "network", &sub, fn);
}

static int list_on_ctx(void *state, struct enl_ctl_req *req)
{
	enl_nic_describe(enl_nic_of_state(state), req);
	return 0;
}

static int name_on_ctx(void *state, struct enl_ctl_req *req)
{
	g_string_append(req->out, enl_nic_tap_name(enl_nic_of_state(state)));
	return 0;
}

static int stats_on_ctx(void *state, struct enl_ctl_req *req)
{
	enl_nic_stats(enl_nic_of_state(state), req);
	return 0;
}

static int link_on_ctx(void *state, struct enl_ctl_req *req)
{
	bool up = !strcmp(req->argv[2], "up");

	enl_nic_set_link(enl_nic_of_state(state), up);
	enl_json_one_str(req->json, "link", up ? "up" : "down");
	return 0;
}

static int speed_on_ctx(void *state, struct enl_ctl_req *req)
{
	uint32_t mbps = 0;

	if (!enl_nic_speed_parse(req->argv[2], &mbps))
		return -EINVAL;	/* checked before; a parse cannot fail here */
	enl_nic_set_speed(enl_nic_of_state(state), mbps);
	enl_json_one_u64(req->json, "speed_mbps", mbps);
	return 0;
}

static int fault_on_ctx(void *state, struct enl_ctl_req *req)
{
	int ret = enl_nic_fault(enl_nic_of_state(state), req->argv[2],
				req->out);

	if (!ret)
		enl_json_one_str(req->json, "fault", req->argv[2]);
	return ret;
}

/* A TAP name to its NIC's relid (on each NIC's context); 0 if none. */
static uint32_t by_tap(struct enl_vmbus_server *srv, const char *name)
{
	uint32_t relids[256];
	unsigned int n = enl_nic_relids(relids, G_N_ELEMENTS(relids));

	for (unsigned int k = 0; k < n; k++) {
		g_autoptr(GString) got = g_string_new(NULL);
		struct enl_ctl_req q = { .out = got };

		if (!run_on(srv, relids[k], "name", NULL, &q, name_on_ctx) &&
		    !strcmp(got->str, name))
			return relids[k];
	}
	return 0;
}

/* The NIC a verb names (see pick), TAP names included. */
static int target(struct enl_vmbus_server *srv, struct enl_ctl_req *req,
		  int skip, uint32_t *relid)
{
	g_autoptr(GString) why = g_string_new(NULL);
	int ret = pick(req->argc, req->argv, skip, relid, why);
	int i = 2 + skip;

	if (ret == -ENODEV && i < req->argc &&
	    strcmp(req->argv[i], "--relid")) {
		*relid = by_tap(srv, req->argv[i]);
		if (*relid)
			return 0;
	}
	g_string_append(req->out, why->str);
	return ret;
}

static int nic_verb(void *ctx, struct enl_ctl_req *req)
{
	struct enl_vmbus_server *srv = ctx;
	const char *sub = req->argc > 1 ? req->argv[1] : "list";
	uint32_t relid;
	int ret;

	if (!strcmp(sub, "add")) {
		if (enl_ctl_nargs(req, 3, 3))
			return -EINVAL;
		ret = enl_nic_add(srv, req->argv[2], req->out);
		if (ret < 0)
			return ret;
		g_string_append_printf(req->out, "relid %d\n", ret);
		enl_json_one_u64(req->json, "relid", (uint64_t)ret);
		return 0;
	}
	if (!strcmp(sub, "remove")) {
		if (enl_ctl_nargs(req, 3, 4))
			return -EINVAL;
		ret = target(srv, req, 0, &relid);
		if (!ret)
			ret = enl_vmbus_server_rescind(srv, relid);
		if (!ret)
			enl_json_one_u64(req->json, "relid", relid);
		return ret;
	}
	if (!strcmp(sub, "list")) {
		uint32_t relids[256];
		unsigned int n = enl_nic_relids(relids, G_N_ELEMENTS(relids));

		if (enl_ctl_nargs(req, 1, 2))
			return -EINVAL;
		if (req->json)
			enl_json_arr(req->json, NULL);
		for (unsigned int k = 0; k < n; k++)
			run_on(srv, relids[k], "list", NULL, req, list_on_ctx);
		if (req->json)
			enl_json_end(req->json);
		return 0;
	}
	if (!strcmp(sub, "link") && req->argc >= 3 &&
	    (!strcmp(req->argv[2], "up") || !strcmp(req->argv[2], "down"))) {
		ret = target(srv, req, 1, &relid);
		return ret ? ret : run_on(srv, relid, "link", req->argv[2], req,
					  link_on_ctx);
	}
	if (!strcmp(sub, "speed") && req->argc >= 3) {
		uint32_t mbps;

		if (!enl_nic_speed_parse(req->argv[2], &mbps)) {
			g_string_append_printf(req->out, "speed: want 1..%d "
					       "(Mbit/s)\n",
					       ENL_NIC_MAX_SPEED_MBPS);
			return -EINVAL;
		}
		ret = target(srv, req, 1, &relid);
		return ret ? ret : run_on(srv, relid, "speed", req->argv[2],
					  req, speed_on_ctx);
	}
	if (!strcmp(sub, "stats")) {
		ret = target(srv, req, 0, &relid);
		return ret ? ret : run_on(srv, relid, "stats", NULL, req,
					  stats_on_ctx);
	}
	if (!strcmp(sub, "fault") && req->argc >= 3) {
		if (!strcmp(req->argv[2], "list")) {
			if (enl_ctl_nargs(req, 3, 3))
				return -EINVAL;
			enl_nic_fault_kinds(req->out);
			return 0;
		}
		ret = target(srv, req, 1, &relid);
		return ret ? ret : run_on(srv, relid, "fault", req->argv[2],
					  req, fault_on_ctx);
	}
	return -EINVAL;
}

void enl_nic_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl)
{
	static const struct enl_ctl_verb verbs[] = {
		{ "nic", nic_verb,
		  "nic add tap=NAME|none[,mac=XX:XX:XX:XX:XX:XX][,queues=N]"
		  "[,mtu=N][,link=down][,nvsp=V][,speed=MBPS] | nic remove NIC | "
		  "nic list [--json] | nic link up|down [NIC] | "
		  "nic speed MBPS [NIC] | nic stats [NIC] | "
		  "nic fault KIND|list [NIC] (NIC: a relid, --relid N or a TAP "
		  "name; default the first): the guest's synthetic NICs",
		  ENL_CTL_JSON_ARG },
	};

	ENL_CTL_ADD_VERBS(ctl, srv, verbs);
}
