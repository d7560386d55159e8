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
	enl_nic_set_next(&spec);
	relid = enl_vmbus_server_offer(srv, "network");
	err = enl_nic_take_error(&why);
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
	g_string_append_printf(out, "%s: no such NIC (nic list shows them)\n",
			       name);
	return -ENODEV;
}

static int run_on(struct enl_vmbus_server *srv, uint32_t relid,
		  const char *what, const char *arg, GString *out,
		  enl_vsp_verb_fn fn)
{
	char num[16];
	char *argv[] = { "nic", (char *)what, "--relid", num, (char *)arg,
			 NULL };

	g_snprintf(num, sizeof(num), "%u", relid);
	return enl_vsp_ctl_run(srv, "network", arg ? 5 : 4, argv, out, fn);
}

/* argv[1] is "list" or "json"; the entries so far decide the comma. */
static int list_on_ctx(void *state, int argc, char **argv, GString *out)
{
	bool json = !strcmp(argv[1], "json");

	(void)argc;
	if (json && out->len > 1)
		g_string_append_c(out, ',');
	enl_nic_describe(enl_nic_of_state(state), json, out);
	return 0;
}

static int name_on_ctx(void *state, int argc, char **argv, GString *out)
{
	(void)argc;
	(void)argv;
	g_string_append(out, enl_nic_tap_name(enl_nic_of_state(state)));
	return 0;
}

static int stats_on_ctx(void *state, int argc, char **argv, GString *out)
{
	(void)argc;
	(void)argv;
	enl_nic_stats(enl_nic_of_state(state), out);
	return 0;
}

static int link_on_ctx(void *state, int argc, char **argv, GString *out)
{
	(void)out;
	if (argc < 3)
		return -EINVAL;
	enl_nic_set_link(enl_nic_of_state(state), !strcmp(argv[2], "up"));
	return 0;
}

static int fault_on_ctx(void *state, int argc, char **argv, GString *out)
{
	if (argc < 3)
		return -EINVAL;
	return enl_nic_fault(enl_nic_of_state(state), argv[2], out);
}

/* A TAP name to its NIC's relid (on each NIC's context); 0 if none. */
static uint32_t by_tap(struct enl_vmbus_server *srv, const char *name)
{
	uint32_t relids[256];
	unsigned int n = enl_nic_relids(relids, G_N_ELEMENTS(relids));

	for (unsigned int k = 0; k < n; k++) {
		g_autoptr(GString) got = g_string_new(NULL);

		if (!run_on(srv, relids[k], "name", NULL, got, name_on_ctx) &&
		    !strcmp(got->str, name))
			return relids[k];
	}
	return 0;
}

/* The NIC a verb names (see pick), TAP names included. */
static int target(struct enl_vmbus_server *srv, int argc, char **argv,
		  int skip, uint32_t *relid, GString *out)
{
	g_autoptr(GString) why = g_string_new(NULL);
	int ret = pick(argc, argv, skip, relid, why);
	int i = 2 + skip;

	if (ret == -ENODEV && i < argc && strcmp(argv[i], "--relid")) {
		*relid = by_tap(srv, argv[i]);
		if (*relid)
			return 0;
	}
	g_string_append(out, why->str);
	return ret;
}

static int nic_verb(void *ctx, int argc, char **argv, GString *out)
{
	struct enl_vmbus_server *srv = ctx;
	const char *sub = argc > 1 ? argv[1] : "list";
	uint32_t relid;
	int ret;

	if (!strcmp(sub, "add") && argc == 3) {
		ret = enl_nic_add(srv, argv[2], out);
		if (ret < 0)
			return ret;
		g_string_append_printf(out, "relid %d\n", ret);
		return 0;
	}
	if (!strcmp(sub, "remove") && argc >= 3) {
		ret = target(srv, argc, argv, 0, &relid, out);
		return ret ? ret : enl_vmbus_server_rescind(srv, relid);
	}
	if (!strcmp(sub, "list") && argc <= 3) {
		bool json = argc == 3 && !strcmp(argv[2], "--json");
		uint32_t relids[256];
		unsigned int n = enl_nic_relids(relids, G_N_ELEMENTS(relids));

		if (argc == 3 && !json)
			goto usage;
		if (json)
			g_string_append_c(out, '[');
		for (unsigned int k = 0; k < n; k++)
			run_on(srv, relids[k], json ? "json" : "list", NULL,
			       out, list_on_ctx);
		if (json)
			g_string_append(out, "]\n");
		return 0;
	}
	if (!strcmp(sub, "link") && argc >= 3 &&
	    (!strcmp(argv[2], "up") || !strcmp(argv[2], "down"))) {
		ret = target(srv, argc, argv, 1, &relid, out);
		return ret ? ret : run_on(srv, relid, "link", argv[2], out,
					  link_on_ctx);
	}
	if (!strcmp(sub, "stats")) {
		ret = target(srv, argc, argv, 0, &relid, out);
		return ret ? ret : run_on(srv, relid, "stats", NULL, out,
					  stats_on_ctx);
	}
	if (!strcmp(sub, "fault") && argc >= 3) {
		if (!strcmp(argv[2], "list")) {
			enl_nic_fault_kinds(out);
			return 0;
		}
		ret = target(srv, argc, argv, 1, &relid, out);
		return ret ? ret : run_on(srv, relid, "fault", argv[2], out,
					  fault_on_ctx);
	}
usage:
	g_string_append(out, "usage: nic add tap=NAME|none[,mac=XX:XX:XX:XX:XX:XX]"
			"[,queues=N][,mtu=N][,link=down] | nic remove NIC | "
			"nic list [--json] | nic link up|down [NIC] | "
			"nic stats [NIC] | nic fault KIND|list [NIC] "
			"(NIC: a relid, --relid N or a TAP name; default the "
			"first)\n");
	return -EINVAL;
}

void enl_nic_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl)
{
	enl_ctl_register(ctl, "nic", nic_verb, srv,
			 "nic add SPEC | remove NIC | list [--json] | "
			 "link up|down [NIC] | stats [NIC] | fault KIND|list "
			 "[NIC]: the guest's synthetic NICs");
}
