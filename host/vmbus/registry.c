// SPDX-License-Identifier: GPL-2.0-only
/*
 * The registry of VSP state: each offer of a class has the state its
 * create() made (on the channel's context), until the channel is freed;
 * ctl verbs find an offer's state by class and --relid and run on its
 * context.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "server_priv.h"

static void create_on_ctx(void *data)
{
	struct enl_vsp_channel *ch = data;

	ch->vsp_state = ch->cls->create(ch);
}

static void destroy_on_ctx(void *data)
{
	struct enl_vsp_channel *ch = data;

	ch->cls->destroy(ch->vsp_state);
	ch->vsp_state = NULL;
}

int enl_vmbus_state_create(struct enl_vsp_channel *ch)
{
	if (!ch->cls->create)
		return 0;
	enl_vsp_call(ch, create_on_ctx, ch);
	return ch->vsp_state ? 0 : -ENOMEM;
}

void enl_vmbus_state_destroy(struct enl_vsp_channel *ch)
{
	if (ch->cls->destroy && ch->vsp_state)
		enl_vsp_call(ch, destroy_on_ctx, ch);
}

void *enl_vsp_state(const struct enl_vsp_channel *ch)
{
	return ch->vsp_state;
}

struct enl_vsp_channel *enl_vsp_find(struct enl_vmbus_server *srv,
				     uint32_t relid, const char *class_name)
{
	struct enl_vsp_channel *ch = enl_vmbus_chan_lookup(srv, relid);

	return ch && !strcmp(ch->cls->name, class_name) ? ch : NULL;
}

struct enl_vsp_channel *enl_vsp_ctl_find(struct enl_vmbus_server *srv,
					 const char *class_name, int *argc,
					 char **argv, GString *out)
{
	struct enl_vsp_channel *ch;
	uint64_t relid = 0;
	int i;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--relid"))
			continue;
		/* Decimal as `devices` prints it: "0x1" is refused. */
		if (i + 1 >= *argc || enl_ctl_strict_u64(argv[i + 1], &relid) ||
		    !relid || relid > ENL_VMBUS_MAX_RELID) {
			g_string_append(out, "--relid wants a relid "
				       "(enl-host ctl devices lists them)\n");
			return NULL;
		}
		/* The verb's own pointer array: drop the option from it. */
		memmove(&argv[i], &argv[i + 2],
			(size_t)(*argc - i - 1) * sizeof(*argv));
		*argc -= 2;
		break;
	}
	if (relid) {
		ch = enl_vsp_find(srv, (uint32_t)relid, class_name);
		if (ch)
			return ch;
		g_string_append_printf(out, "relid %" G_GUINT64_FORMAT
				       " is no %s device\n",
				       relid, class_name);
		return NULL;
	}
	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++) {
		ch = srv->chan[relid];
		if (ch && ch->state != ENL_CHAN_RESCINDED &&
		    !strcmp(ch->cls->name, class_name))
			return ch;
	}
	g_string_append_printf(out, "no %s device offered (enl-host run "
			       "--offer %s, or enl-host ctl offer %s)\n",
			       class_name, class_name, class_name);
	return NULL;
}

struct verb_call {
	enl_vsp_verb_fn fn;
	void *state;
	int argc;
	char **argv;
	GString *out;
	int ret;
};

static void verb_on_ctx(void *data)
{
	struct verb_call *c = data;

	c->ret = c->fn(c->state, c->argc, c->argv, c->out);
}

struct req_call {
	enl_vsp_req_fn fn;
	void *state;
	struct enl_ctl_req *req;
	int ret;
};

static void req_on_ctx(void *data)
{
	struct req_call *c = data;

	c->ret = c->fn(c->state, c->req);
}

int enl_vsp_ctl_run_req(struct enl_vmbus_server *srv, const char *class_name,
			struct enl_ctl_req *req, enl_vsp_req_fn fn)
{
	struct enl_vsp_channel *ch = enl_vsp_ctl_find(srv, class_name,
						      &req->argc, req->argv,
						      req->out);
	struct req_call c = { fn, NULL, req, 0 };

	if (!ch || !ch->vsp_state)
		return -ENODEV;
	c.state = ch->vsp_state;
	enl_vsp_call(ch, req_on_ctx, &c);
	return c.ret;
}

int enl_vsp_ctl_run(struct enl_vmbus_server *srv, const char *class_name,
		    int argc, char **argv, GString *out, enl_vsp_verb_fn fn)
{
	struct enl_vsp_channel *ch = enl_vsp_ctl_find(srv, class_name, &argc,
						      argv, out);
	struct verb_call c = { fn, NULL, argc, argv, out, 0 };

	if (!ch || !ch->vsp_state)
		return -ENODEV;
	c.state = ch->vsp_state;
	/* The channel cannot go meanwhile: freeing it is this thread's job. */
	enl_vsp_call(ch, verb_on_ctx, &c);
	return c.ret;
}

static int run_each(struct enl_vmbus_server *srv, const char *class_name,
		    struct enl_ctl_req *req, enl_vsp_req_fn fn, bool subs)
{
	uint32_t relid;
	int n = 0;

	for (relid = 1; relid <= ENL_VMBUS_MAX_RELID; relid++) {
		struct enl_vsp_channel *ch = srv->chan[relid];
		struct req_call c = { fn, NULL, req, 0 };

		if (!ch || ch->state == ENL_CHAN_RESCINDED || !ch->vsp_state ||
		    strcmp(ch->cls->name, class_name) || (ch->parent && !subs))
			continue;
		c.state = ch->vsp_state;
		enl_vsp_call(ch, req_on_ctx, &c);
		n++;
	}
	return n;
}

int enl_vsp_ctl_run_all(struct enl_vmbus_server *srv, const char *class_name,
			struct enl_ctl_req *req, enl_vsp_req_fn fn)
{
	return run_each(srv, class_name, req, fn, true);
}

int enl_vsp_ctl_run_primaries(struct enl_vmbus_server *srv,
			      const char *class_name, struct enl_ctl_req *req,
			      enl_vsp_req_fn fn)
{
	return run_each(srv, class_name, req, fn, false);
}
