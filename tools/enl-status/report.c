// SPDX-License-Identifier: GPL-2.0-only
/* The verdict and its text and JSON renderings (report.h). */
#include <string.h>
#include "escape.h"
#include "report.h"

static gboolean offered(const char *service, void *ctx)
{
	const struct vmbus_state *vb = ctx;

	for (guint i = 0; i < vb->channels->len; i++) {
		const struct vmbus_channel *ch = vb->channels->pdata[i];

		if (g_strcmp0(ch->class_name, service) == 0)
			return TRUE;
	}
	return FALSE;
}

void status_collect(struct status *st, const char *root, const char *kernel)
{
	memset(st, 0, sizeof(*st));
	st->devices = devices_scan(root);
	vmbus_scan(root, kernel, &st->vb);
	for (int c = 0; c < DC_COUNT; c++)
		st->drivers[c] = drv_presence(root, st->vb.kernel,
					      drv_for_class(c));
	daemons_query(st->daemons, offered, &st->vb);
	status_judge(st);
}

static void reason(struct status *st, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void reason(struct status *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_ptr_array_add(st->reasons, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

static const char *drv(const struct dev_info *d)
{
	return d->driver ? d->driver : "no driver";
}

static void judge_vmbus(struct status *st)
{
	const struct vmbus_state *vb = &st->vb;

	if (vb->hv_builtin)
		reason(st, "hv_vmbus is built into kernel %s: the kernel's own "
		       "Hyper-V stack owns VMBus and cannot be replaced; boot a "
		       "kernel with CONFIG_HYPERV=m", vb->kernel);
	if (vb->hv_loaded)
		reason(st, "the in-tree hv_vmbus is loaded and owns VMBus "
		       "(see /usr/lib/modprobe.d/enlighten.conf)");
	if (!vb->loaded)
		reason(st, "enl_vmbus is not loaded");
	else if (!vb->connected)
		reason(st, "VMBus is not connected (version %s, transport %s)",
		       vb->version ? vb->version : "?",
		       vb->transport ? vb->transport : "?");
}

/*
 * A class that is not synthetic because this kernel has no Enlighten
 * driver for it at all (dkms did not build it for this kernel): named
 * apart from a misconfigured VM, since the fix is in the guest.
 */
static gboolean not_yet(const struct status *st, int c)
{
	return st->drivers[c] == DRV_MISSING;
}

static int not_yet_classes(const struct status *st)
{
	int n = 0;

	for (int c = 0; c < DC_COUNT; c++)
		n += st->classes[c] == CS_NOT_YET;
	return n;
}

/* Storage, network, display: every counted device synthetic. Input: a
 * synthetic keyboard or mouse, since Hyper-V keeps the emulated PS/2
 * controller next to the synthetic devices. */
static void judge_devices(struct status *st)
{
	gboolean any[DC_COUNT] = { FALSE }, synth[DC_COUNT] = { FALSE };
	gboolean all[DC_COUNT] = { TRUE, TRUE, TRUE, TRUE };

	for (guint i = 0; i < st->devices->len; i++) {
		const struct dev_info *d = st->devices->pdata[i];

		if (!d->counted)
			continue;
		any[d->cls] = TRUE;
		if (d->kind == KIND_SYNTHETIC)
			synth[d->cls] = TRUE;
		else
			all[d->cls] = FALSE;
	}
	for (int c = 0; c < DC_COUNT; c++) {
		gboolean ok = c == DC_INPUT ? synth[c] : all[c];
		GPtrArray *to;

		st->classes[c] = !any[c] ? CS_ABSENT :
				 ok ? CS_SYNTHETIC :
				 not_yet(st, c) ? CS_NOT_YET : CS_NOT_SYNTHETIC;
		to = st->classes[c] == CS_NOT_YET ? st->not_yet : st->reasons;
		if (st->classes[c] == CS_NOT_YET)
			g_ptr_array_add(to, g_strdup_printf(
				"%s: kernel %s has no %s, Enlighten's driver for it",
				dev_class_name(c), st->vb.kernel ? st->vb.kernel : "?",
				drv_for_class(c)));
		for (guint i = 0; i < st->devices->len; i++) {
			const struct dev_info *d = st->devices->pdata[i];

			if ((int)d->cls == c && d->counted &&
			    d->kind != KIND_SYNTHETIC && c != DC_INPUT)
				g_ptr_array_add(to, g_strdup_printf(
					"%s %s is on %s (%s)", dev_class_name(c),
					d->name, drv(d), dev_kind_name(d->kind)));
		}
	}
	if (st->classes[DC_INPUT] == CS_NOT_SYNTHETIC ||
	    st->classes[DC_INPUT] == CS_NOT_YET) {
		GString *s = g_string_new("input has no synthetic keyboard or mouse (");

		for (guint i = 0, n = 0; i < st->devices->len; i++) {
			const struct dev_info *d = st->devices->pdata[i];

			if (d->cls == DC_INPUT && d->counted)
				g_string_append_printf(s, "%s%s on %s", n++ ? ", " : "",
						       d->name, drv(d));
		}
		g_string_append_c(s, ')');
		g_ptr_array_add(st->classes[DC_INPUT] == CS_NOT_YET ? st->not_yet
								     : st->reasons,
				g_string_free(s, FALSE));
	}
}

static void judge_daemons(struct status *st)
{
	for (int i = 0; i < DAEMON_COUNT; i++) {
		const struct daemon_state *d = &st->daemons[i];

		if (!d->offered || daemon_ready(d))
			continue;
		if (!d->known)
			reason(st, "%s: state unknown (%s)", d->unit, d->error);
		else
			reason(st, "%s is %s (%s, result %s)", d->unit,
			       d->active_state, d->sub_state ? d->sub_state : "?",
			       d->result ? d->result : "?");
	}
}

void status_judge(struct status *st)
{
	if (st->reasons)
		g_ptr_array_unref(st->reasons);
	st->reasons = g_ptr_array_new_with_free_func(g_free);
	if (st->not_yet)
		g_ptr_array_unref(st->not_yet);
	st->not_yet = g_ptr_array_new_with_free_func(g_free);
	judge_vmbus(st);
	judge_devices(st);
	judge_daemons(st);
	st->enlightened = st->reasons->len == 0 && st->not_yet->len == 0;
}

void status_clear(struct status *st)
{
	if (st->devices)
		g_ptr_array_unref(st->devices);
	if (st->reasons)
		g_ptr_array_unref(st->reasons);
	if (st->not_yet)
		g_ptr_array_unref(st->not_yet);
	vmbus_clear(&st->vb);
	daemons_clear(st->daemons);
	memset(st, 0, sizeof(*st));
}

static const char *class_state_name(enum class_state s)
{
	return s == CS_ABSENT ? "absent" :
	       s == CS_SYNTHETIC ? "synthetic" :
	       s == CS_NOT_YET ? "not-yet-synthetic" : "not-synthetic";
}

/* Text: escaped, padded to width (in characters of the escaped form). */
static void t(GString *out, const char *s, int width)
{
	gsize start = out->len;
	glong n;

	esc_text(out, s ? s : "-");
	n = g_utf8_strlen(out->str + start, -1);
	for (; n < width; n++)
		g_string_append_c(out, ' ');
}

void status_text(GString *out, const struct status *st)
{
	const struct vmbus_state *vb = &st->vb;

	g_string_append(out, "VMBus: ");
	if (!vb->loaded) {
		g_string_append(out, "enl_vmbus not loaded");
	} else {
		g_string_append(out, vb->connected ? "connected, version " :
				"not connected, version ");
		t(out, vb->version, 0);
		g_string_append(out, ", transport ");
		t(out, vb->transport, 0);
		for (int i = 0; i < VMBUS_BUS_ERRORS; i++)
			if (vb->have_err[i] && vb->err[i])
				g_string_append_printf(out, ", %s %" G_GUINT64_FORMAT,
						       vmbus_bus_error_names[i], vb->err[i]);
	}
	if (vb->hv_loaded)
		g_string_append(out, "; in-tree hv_vmbus loaded");
	if (vb->hv_builtin)
		g_string_append(out, "; hv_vmbus built into the kernel");
	g_string_append(out, "\n\nChannels:\n");
	if (!vb->channels->len)
		g_string_append(out, "  (none)\n");
	for (guint i = 0; i < vb->channels->len; i++) {
		const struct vmbus_channel *ch = vb->channels->pdata[i];

		g_string_append(out, "  ");
		t(out, ch->class_name, 10);
		g_string_append(out, " relid ");
		if (ch->have_relid)
			g_string_append_printf(out, "%-4" G_GUINT64_FORMAT, ch->relid);
		else
			g_string_append(out, "?   ");
		g_string_append_c(out, ' ');
		t(out, ch->state, 9);
		g_string_append(out, " driver ");
		t(out, ch->driver, 14);
		g_string_append_c(out, ' ');
		t(out, ch->device, 0);
		g_string_append(out, "\n   ");
		for (int c = 0; c < VMBUS_CHAN_COUNTERS; c++) {
			g_string_append_printf(out, " %s ", vmbus_chan_counter_names[c]);
			if (ch->have[c])
				g_string_append_printf(out, "%" G_GUINT64_FORMAT,
						       ch->counter[c]);
			else
				g_string_append_c(out, '?');
		}
		g_string_append_c(out, '\n');
	}
	g_string_append(out, "\nDevices:\n");
	for (int c = 0; c < DC_COUNT; c++) {
		g_string_append_printf(out, "  %-8s %s\n", dev_class_name(c),
				       class_state_name(st->classes[c]));
		for (guint i = 0; i < st->devices->len; i++) {
			const struct dev_info *d = st->devices->pdata[i];

			if ((int)d->cls != c)
				continue;
			g_string_append(out, "    ");
			t(out, d->name, 10);
			g_string_append_c(out, ' ');
			t(out, drv(d), 14);
			g_string_append_c(out, ' ');
			t(out, dev_kind_name(d->kind), 0);
			if (!d->counted)
				g_string_append(out, " (not counted)");
			if (d->label) {
				g_string_append(out, " \"");
				esc_text(out, d->label);
				g_string_append_c(out, '"');
			}
			g_string_append_c(out, '\n');
		}
	}
	g_string_append(out, "\nDaemons:\n");
	for (int i = 0; i < DAEMON_COUNT; i++) {
		const struct daemon_state *d = &st->daemons[i];

		g_string_append(out, "  ");
		t(out, d->unit, 23);
		g_string_append(out, d->offered ? " offered     " : " not offered ");
		if (!d->known) {
			g_string_append(out, "unknown: ");
			t(out, d->error, 0);
		} else {
			t(out, d->active_state, 0);
			g_string_append_c(out, '/');
			t(out, d->sub_state, 0);
			if (d->result && strcmp(d->result, "success") != 0) {
				g_string_append(out, ", last error ");
				t(out, d->result, 0);
			}
			if (d->status && *d->status) {
				g_string_append(out, ", \"");
				esc_text(out, d->status);
				g_string_append_c(out, '"');
			}
		}
		g_string_append_c(out, '\n');
	}
	if (st->not_yet->len) {
		g_string_append(out, "\nNot yet synthetic (this kernel has no Enlighten driver for them):\n");
		for (guint i = 0; i < st->not_yet->len; i++) {
			g_string_append(out, "  - ");
			esc_text(out, st->not_yet->pdata[i]);
			g_string_append_c(out, '\n');
		}
	}
	if (st->enlightened)
		g_string_append(out, "\nFully enlightened.\n");
	else
		g_string_append(out, "\nNot enlightened:\n");
	if (not_yet_classes(st)) {
		g_string_append(out, "  - no Enlighten driver in this kernel for:");
		for (int c = 0; c < DC_COUNT; c++)
			if (st->classes[c] == CS_NOT_YET)
				g_string_append_printf(out, " %s", dev_class_name(c));
		g_string_append(out, " (above)\n");
	}

	for (guint i = 0; i < st->reasons->len; i++) {
		g_string_append(out, "  - ");
		esc_text(out, st->reasons->pdata[i]);
		g_string_append_c(out, '\n');
	}
}

/* JSON helpers: a key, and values that may be absent (null). */
static void jkey(GString *out, const char *k)
{
	esc_json(out, k);
	g_string_append_c(out, ':');
}

static void jstr(GString *out, const char *k, const char *v)
{
	jkey(out, k);
	if (v)
		esc_json(out, v);
	else
		g_string_append(out, "null");
}

static void ju64(GString *out, const char *k, gboolean have, guint64 v)
{
	jkey(out, k);
	if (have)
		g_string_append_printf(out, "%" G_GUINT64_FORMAT, v);
	else
		g_string_append(out, "null");
}

static void jbool(GString *out, const char *k, gboolean v)
{
	jkey(out, k);
	g_string_append(out, v ? "true" : "false");
}

/* "k":["s",...] from an array of strings. */
static void jstrv(GString *out, const char *k, const GPtrArray *v)
{
	jkey(out, k);
	g_string_append_c(out, '[');
	for (guint i = 0; i < v->len; i++) {
		if (i)
			g_string_append_c(out, ',');
		esc_json(out, v->pdata[i]);
	}
	g_string_append_c(out, ']');
}

static void json_vmbus(GString *out, const struct vmbus_state *vb)
{
	jkey(out, "vmbus");
	g_string_append_c(out, '{');
	jbool(out, "loaded", vb->loaded);
	g_string_append_c(out, ',');
	jbool(out, "connected", vb->connected);
	g_string_append_c(out, ',');
	jstr(out, "version", vb->version);
	g_string_append_c(out, ',');
	jstr(out, "transport", vb->transport);
	g_string_append_c(out, ',');
	jkey(out, "errors");
	g_string_append_c(out, '{');
	for (int i = 0; i < VMBUS_BUS_ERRORS; i++) {
		if (i)
			g_string_append_c(out, ',');
		ju64(out, vmbus_bus_error_names[i], vb->have_err[i], vb->err[i]);
	}
	g_string_append(out, "},");
	jbool(out, "hv_vmbus_loaded", vb->hv_loaded);
	g_string_append_c(out, ',');
	jbool(out, "hv_vmbus_builtin", vb->hv_builtin);
	g_string_append_c(out, ',');
	jstr(out, "kernel", vb->kernel);
	g_string_append(out, "},");
	jkey(out, "channels");
	g_string_append_c(out, '[');
	for (guint i = 0; i < vb->channels->len; i++) {
		const struct vmbus_channel *ch = vb->channels->pdata[i];

		g_string_append(out, i ? ",{" : "{");
		jstr(out, "device", ch->device);
		g_string_append_c(out, ',');
		jstr(out, "class", ch->class_name);
		g_string_append_c(out, ',');
		jstr(out, "class_id", ch->class_id);
		g_string_append_c(out, ',');
		jstr(out, "state", ch->state);
		g_string_append_c(out, ',');
		jstr(out, "driver", ch->driver);
		g_string_append_c(out, ',');
		ju64(out, "relid", ch->have_relid, ch->relid);
		g_string_append_c(out, ',');
		ju64(out, "target_cpu", ch->have_cpu, ch->target_cpu);
		for (int c = 0; c < VMBUS_CHAN_COUNTERS; c++) {
			g_string_append_c(out, ',');
			ju64(out, vmbus_chan_counter_names[c], ch->have[c],
			     ch->counter[c]);
		}
		g_string_append_c(out, '}');
	}
	g_string_append(out, "],");
}

void status_json(GString *out, const struct status *st)
{
	g_string_append_c(out, '{');
	jbool(out, "enlightened", st->enlightened);
	g_string_append_c(out, ',');
	jstrv(out, "reasons", st->reasons);
	g_string_append_c(out, ',');
	jstrv(out, "not_yet", st->not_yet);
	g_string_append_c(out, ',');
	json_vmbus(out, &st->vb);
	jkey(out, "classes");
	g_string_append_c(out, '{');
	for (int c = 0; c < DC_COUNT; c++) {
		if (c)
			g_string_append_c(out, ',');
		jstr(out, dev_class_name(c), class_state_name(st->classes[c]));
	}
	g_string_append(out, "},");
	jkey(out, "devices");
	g_string_append_c(out, '[');
	for (guint i = 0; i < st->devices->len; i++) {
		const struct dev_info *d = st->devices->pdata[i];

		g_string_append(out, i ? ",{" : "{");
		jstr(out, "class", dev_class_name(d->cls));
		g_string_append_c(out, ',');
		jstr(out, "name", d->name);
		g_string_append_c(out, ',');
		jstr(out, "driver", d->driver);
		g_string_append_c(out, ',');
		jstr(out, "kind", dev_kind_name(d->kind));
		g_string_append_c(out, ',');
		jbool(out, "synthetic", d->kind == KIND_SYNTHETIC);
		g_string_append_c(out, ',');
		jbool(out, "counted", d->counted);
		g_string_append_c(out, ',');
		jstr(out, "label", d->label);
		g_string_append_c(out, '}');
	}
	g_string_append(out, "],");
	jkey(out, "daemons");
	g_string_append_c(out, '[');
	for (int i = 0; i < DAEMON_COUNT; i++) {
		const struct daemon_state *d = &st->daemons[i];

		g_string_append(out, i ? ",{" : "{");
		jstr(out, "unit", d->unit);
		g_string_append_c(out, ',');
		jkey(out, "services");
		g_string_append_c(out, '[');
		for (const char *const *s = d->services; *s; s++) {
			if (s != d->services)
				g_string_append_c(out, ',');
			esc_json(out, *s);
		}
		g_string_append(out, "],");
		jbool(out, "offered", d->offered);
		g_string_append_c(out, ',');
		jbool(out, "known", d->known);
		g_string_append_c(out, ',');
		jbool(out, "ready", daemon_ready(d));
		g_string_append_c(out, ',');
		jbool(out, "running", g_strcmp0(d->sub_state, "running") == 0);
		g_string_append_c(out, ',');
		jstr(out, "load_state", d->load_state);
		g_string_append_c(out, ',');
		jstr(out, "active_state", d->active_state);
		g_string_append_c(out, ',');
		jstr(out, "sub_state", d->sub_state);
		g_string_append_c(out, ',');
		jstr(out, "result", d->result);
		g_string_append_c(out, ',');
		jstr(out, "status", d->status);
		g_string_append_c(out, ',');
		jstr(out, "error", d->error);
		g_string_append_c(out, '}');
	}
	g_string_append(out, "]}\n");
}
