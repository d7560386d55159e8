// SPDX-License-Identifier: GPL-2.0-only
/*
 * Devices and their drivers, from sysfs (devices.h). A class entry's
 * "device" link leads into /sys/devices; the driver that matters is the
 * first one found walking up from there, skipping the SCSI upper-level
 * drivers (sd, sr): for sda that is the host adapter's (ata_piix,
 * virtio_scsi, enl_storvsc).
 */
#include <string.h>
#include "devices.h"
#include "sysfs.h"

const char *dev_class_name(enum dev_class cls)
{
	static const char *const names[DC_COUNT] = {
		[DC_STORAGE] = "storage", [DC_NETWORK] = "network",
		[DC_DISPLAY] = "display", [DC_INPUT] = "input",
	};

	return cls < DC_COUNT ? names[cls] : "unknown";
}

const char *dev_kind_name(enum dev_kind kind)
{
	switch (kind) {
	case KIND_SYNTHETIC:	return "synthetic";
	case KIND_EMULATED:	return "emulated";
	case KIND_PARAVIRT:	return "virtio";
	case KIND_HV_INTREE:	return "hyperv-in-tree";
	case KIND_OTHER:	return "other";
	default:		return "no-driver";
	}
}

/* Drivers of the devices QEMU and Hyper-V emulate (and USB ones QEMU adds). */
static const char *const emulated[] = {
	"ata_piix", "ahci", "ata_generic", "pata_acpi", "piix", "nvme",
	"mptspi", "sym53c8xx", "megaraid_sas", "usb-storage", "uas", "floppy",
	"e1000", "e1000e", "8139cp", "8139too", "ne2k-pci", "pcnet32",
	"tulip", "vmxnet3",
	"bochs-drm", "bochs", "cirrus", "cirrus-qemu", "vga16fb", "vesafb",
	"efifb", "simpledrm", "simple-framebuffer", "qxl", "vmwgfx",
	"psmouse", "atkbd", "i8042", "serio_raw", "usbhid", "hid-generic",
	NULL,
};

/* The in-tree Hyper-V drivers, for guests running the kernel's own stack. */
static const char *const hv_intree[] = {
	"hv_storvsc", "hv_netvsc", "hyperv_drm", "hyperv_fb", "hid_hyperv",
	"hid-hyperv", "hyperv_keyboard", NULL,
};

static gboolean in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return TRUE;
	return FALSE;
}

enum dev_kind dev_kind_of(const char *driver, gboolean enl, gboolean hv)
{
	if (enl || (driver && g_str_has_prefix(driver, "enl_")))
		return KIND_SYNTHETIC;
	if (!driver)
		return KIND_NONE;
	if (hv || in(driver, hv_intree))
		return KIND_HV_INTREE;
	if (g_str_has_prefix(driver, "virtio"))
		return KIND_PARAVIRT;
	if (in(driver, emulated))
		return KIND_EMULATED;
	return KIND_OTHER;
}

/* SCSI upper-level drivers: the adapter below them is what matters. */
static gboolean upper_level(const char *driver)
{
	return strcmp(driver, "sd") == 0 || strcmp(driver, "sr") == 0 ||
	       strcmp(driver, "st") == 0 || strcmp(driver, "ses") == 0;
}

/*
 * Walk from a class entry's device up to root/sys/devices: the first
 * driver that is not an upper-level one, and whether any device on the
 * way sits on the enl_vmbus or the in-tree vmbus bus.
 */
static void find_driver(const char *root, const char *devlink, char **driver,
			gboolean *enl, gboolean *hv)
{
	char *top = sys_path(root, "sys/devices");
	char *rtop = sys_resolve(root, top);
	char *cur = sys_resolve(root, devlink);
	int depth = 0;

	*driver = NULL;
	*enl = *hv = FALSE;
	while (cur && rtop && g_str_has_prefix(cur, rtop) &&
	       strcmp(cur, rtop) != 0 && depth++ < 64) {
		char *p = g_build_filename(cur, "driver", NULL);
		char *drv = sys_link_name(p);
		char *bus;

		g_free(p);
		if (drv && !*driver && !upper_level(drv))
			*driver = g_steal_pointer(&drv);
		g_free(drv);
		p = g_build_filename(cur, "subsystem", NULL);
		bus = sys_link_name(p);
		g_free(p);
		if (bus && strcmp(bus, "enl_vmbus") == 0)
			*enl = TRUE;
		if (bus && strcmp(bus, "vmbus") == 0)
			*hv = TRUE;
		g_free(bus);
		p = g_path_get_dirname(cur);
		g_free(cur);
		cur = p;
	}
	g_free(cur);
	g_free(rtop);
	g_free(top);
}

/* One class entry (root/<dir>/<name>) with a device link; NULL otherwise. */
static struct dev_info *probe(const char *root, enum dev_class cls,
			      const char *dir, const char *name)
{
	char *devlink = sys_path(root, "%s/%s/device", dir, name);
	struct dev_info *d;
	gboolean enl, hv;

	if (!g_file_test(devlink, G_FILE_TEST_IS_SYMLINK)) {
		g_free(devlink);
		return NULL;	/* virtual: loop, lo, uinput ... */
	}
	d = g_new0(struct dev_info, 1);
	d->cls = cls;
	d->name = g_strdup(name);
	find_driver(root, devlink, &d->driver, &enl, &hv);
	d->kind = dev_kind_of(d->driver, enl, hv);
	d->counted = TRUE;
	g_free(devlink);
	return d;
}

static void dev_free(gpointer p)
{
	struct dev_info *d = p;

	g_free(d->name);
	g_free(d->label);
	g_free(d->driver);
	g_free(d);
}

static void scan_storage(const char *root, GPtrArray *out)
{
	g_autoptr(GPtrArray) names = NULL;
	g_autofree char *dir = sys_path(root, "sys/block");

	names = sys_list(dir);
	for (guint i = 0; i < names->len; i++) {
		const char *n = names->pdata[i];
		struct dev_info *d = probe(root, DC_STORAGE, "sys/block", n);
		g_autofree char *type = NULL, *model = NULL;

		if (!d)
			continue;
		type = sys_attr(root, "sys/block/%s/device/type", n);
		model = sys_attr(root, "sys/block/%s/device/model", n);
		/* Optical (SCSI type 5) and floppy drives: removable media,
		 * which Hyper-V keeps emulated even for enlightened guests. */
		if ((type && strcmp(type, "5") == 0) || g_str_has_prefix(n, "sr") ||
		    g_str_has_prefix(n, "fd"))
			d->counted = FALSE;
		if (model && *model)
			d->label = g_strdup(g_strstrip(model));
		g_ptr_array_add(out, d);
	}
}

static void scan_network(const char *root, GPtrArray *out)
{
	g_autoptr(GPtrArray) names = NULL;
	g_autofree char *dir = sys_path(root, "sys/class/net");

	names = sys_list(dir);
	for (guint i = 0; i < names->len; i++) {
		struct dev_info *d = probe(root, DC_NETWORK, "sys/class/net",
					   names->pdata[i]);

		if (d)
			g_ptr_array_add(out, d);
	}
}

/* DRM cards (card0, not their connectors card0-HDMI-A-1); the fbdev
 * framebuffers only where there is no DRM driver at all (fbcon on a DRM
 * driver would list the same device twice). */
static void scan_display(const char *root, GPtrArray *out)
{
	g_autoptr(GPtrArray) cards = NULL, fbs = NULL;
	g_autofree char *drm = sys_path(root, "sys/class/drm");
	g_autofree char *gfx = sys_path(root, "sys/class/graphics");
	guint before = out->len;

	cards = sys_list(drm);
	for (guint i = 0; i < cards->len; i++) {
		const char *n = cards->pdata[i];
		struct dev_info *d;

		if (!g_str_has_prefix(n, "card") || !n[4] ||
		    strspn(n + 4, "0123456789") != strlen(n + 4))
			continue;
		d = probe(root, DC_DISPLAY, "sys/class/drm", n);
		if (d)
			g_ptr_array_add(out, d);
	}
	if (out->len != before)
		return;
	fbs = sys_list(gfx);
	for (guint i = 0; i < fbs->len; i++) {
		struct dev_info *d;

		if (!g_str_has_prefix(fbs->pdata[i], "fb"))
			continue;
		d = probe(root, DC_DISPLAY, "sys/class/graphics", fbs->pdata[i]);
		if (d)
			g_ptr_array_add(out, d);
	}
}

/* Keyboards and mice count; power buttons, speakers, ACPI video do not. */
static gboolean keyboard_or_mouse(const struct dev_info *d)
{
	static const char *const drivers[] = {
		"atkbd", "psmouse", "i8042", "serio_raw", "usbhid",
		"virtio_input", "hyperv_keyboard", "hid_hyperv", NULL,
	};

	if (d->kind == KIND_SYNTHETIC)
		return TRUE;
	return d->driver && (in(d->driver, drivers) ||
			     g_str_has_prefix(d->driver, "hid-"));
}

static void scan_input(const char *root, GPtrArray *out)
{
	g_autoptr(GPtrArray) names = NULL;
	g_autofree char *dir = sys_path(root, "sys/class/input");

	names = sys_list(dir);
	for (guint i = 0; i < names->len; i++) {
		const char *n = names->pdata[i];
		struct dev_info *d;

		/* inputN only: eventN and mouseN are its handlers. */
		if (!g_str_has_prefix(n, "input"))
			continue;
		d = probe(root, DC_INPUT, "sys/class/input", n);
		if (!d)
			continue;
		d->label = sys_attr(root, "sys/class/input/%s/name", n);
		d->counted = keyboard_or_mouse(d);
		g_ptr_array_add(out, d);
	}
}

GPtrArray *devices_scan(const char *root)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(dev_free);

	scan_storage(root, out);
	scan_network(root, out);
	scan_display(root, out);
	scan_input(root, out);
	return out;
}
