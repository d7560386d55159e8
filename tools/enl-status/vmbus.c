// SPDX-License-Identifier: GPL-2.0-only
/* VMBus connection and channels from enl_vmbus's sysfs (vmbus.h). */
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <glib/gstdio.h>
#include "sysfs.h"
#include "vmbus.h"

const char *const vmbus_chan_counter_names[VMBUS_CHAN_COUNTERS] = {
	"in_packets", "in_bytes", "out_packets", "out_bytes",
	"interrupts", "signals", "ring_full", "ring_corrupt",
};

const char *const vmbus_bus_error_names[VMBUS_BUS_ERRORS] = {
	"bad_msg", "bad_relid", "unexpected", "post_fail",
};

/* modules.builtin is at most a few hundred KiB; more is not a real one. */
#define BUILTIN_MAX (8u << 20)

gboolean vmbus_builtin_listed(const char *text)
{
	const char *p = text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		static const char want[] = "hv_vmbus.ko";
		const size_t wl = sizeof(want) - 1;

		if (len >= wl && memcmp(p + len - wl, want, wl) == 0 &&
		    (len == wl || p[len - wl - 1] == '/'))
			return TRUE;
		p = eol ? eol + 1 : NULL;
	}
	return FALSE;
}

static void read_builtin(const char *root, const char *kernel,
			 struct vmbus_state *vb)
{
	g_autofree char *path = NULL, *text = NULL;
	gsize len = 0;
	struct utsname u;
	GStatBuf st;

	if (kernel)
		vb->kernel = g_strdup(kernel);
	if (!vb->kernel)
		vb->kernel = sys_attr(root, "proc/sys/kernel/osrelease");
	if (!vb->kernel && uname(&u) == 0)
		vb->kernel = g_strdup(u.release);
	if (!vb->kernel || strchr(vb->kernel, '/'))
		return;
	path = sys_path(root, "lib/modules/%s/modules.builtin", vb->kernel);
	if (g_stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > (goffset)BUILTIN_MAX)
		return;
	if (g_file_get_contents(path, &text, &len, NULL) && len <= BUILTIN_MAX)
		vb->hv_builtin = vmbus_builtin_listed(text);
}

static int cmp_channel(gconstpointer a, gconstpointer b)
{
	const struct vmbus_channel *x = *(const struct vmbus_channel *const *)a;
	const struct vmbus_channel *y = *(const struct vmbus_channel *const *)b;
	int c = g_strcmp0(x->class_name, y->class_name);

	return c ? c : g_strcmp0(x->device, y->device);
}

static void channel_free(gpointer p)
{
	struct vmbus_channel *ch = p;

	g_free(ch->device);
	g_free(ch->class_name);
	g_free(ch->class_id);
	g_free(ch->state);
	g_free(ch->driver);
	g_free(ch);
}

static struct vmbus_channel *read_channel(const char *root, const char *dev)
{
	struct vmbus_channel *ch = g_new0(struct vmbus_channel, 1);
	const char *base = "sys/bus/enl_vmbus/devices";
	g_autofree char *relid = NULL, *cpu = NULL, *drv = NULL;

	ch->device = g_strdup(dev);
	ch->class_name = sys_attr(root, "%s/%s/class_name", base, dev);
	ch->class_id = sys_attr(root, "%s/%s/class_id", base, dev);
	ch->state = sys_attr(root, "%s/%s/state", base, dev);
	drv = sys_path(root, "%s/%s/driver", base, dev);
	ch->driver = sys_link_name(drv);
	relid = sys_attr(root, "%s/%s/relid", base, dev);
	cpu = sys_attr(root, "%s/%s/target_cpu", base, dev);
	ch->have_relid = sys_parse_u64(relid, &ch->relid);
	ch->have_cpu = sys_parse_u64(cpu, &ch->target_cpu);
	for (int i = 0; i < VMBUS_CHAN_COUNTERS; i++) {
		g_autofree char *v = sys_attr(root, "%s/%s/%s", base, dev,
					      vmbus_chan_counter_names[i]);

		ch->have[i] = sys_parse_u64(v, &ch->counter[i]);
	}
	return ch;
}

void vmbus_scan(const char *root, const char *kernel, struct vmbus_state *vb)
{
	g_autofree char *bus = sys_path(root, "sys/bus/enl_vmbus");
	g_autofree char *hv = sys_path(root, "sys/bus/vmbus");
	g_autofree char *devs = NULL;
	g_autoptr(GPtrArray) names = NULL;

	memset(vb, 0, sizeof(*vb));
	vb->channels = g_ptr_array_new_with_free_func(channel_free);
	vb->hv_loaded = g_file_test(hv, G_FILE_TEST_IS_DIR);
	read_builtin(root, kernel, vb);
	vb->loaded = g_file_test(bus, G_FILE_TEST_IS_DIR);
	if (!vb->loaded)
		return;
	vb->version = sys_attr(root, "sys/bus/enl_vmbus/version");
	vb->transport = sys_attr(root, "sys/bus/enl_vmbus/transport");
	/* sysfs.c shows 0.0 and "none" until a version is negotiated. */
	vb->connected = vb->version && vb->transport &&
			strcmp(vb->version, "0.0") != 0 &&
			strcmp(vb->transport, "none") != 0;
	for (int i = 0; i < VMBUS_BUS_ERRORS; i++) {
		g_autofree char *v = sys_attr(root, "sys/bus/enl_vmbus/%s",
					      vmbus_bus_error_names[i]);

		vb->have_err[i] = sys_parse_u64(v, &vb->err[i]);
	}
	devs = sys_path(root, "sys/bus/enl_vmbus/devices");
	names = sys_list(devs);
	for (guint i = 0; i < names->len; i++)
		g_ptr_array_add(vb->channels, read_channel(root, names->pdata[i]));
	g_ptr_array_sort(vb->channels, cmp_channel);
}

void vmbus_clear(struct vmbus_state *vb)
{
	g_free(vb->version);
	g_free(vb->transport);
	g_free(vb->kernel);
	if (vb->channels)
		g_ptr_array_unref(vb->channels);
	memset(vb, 0, sizeof(*vb));
}
