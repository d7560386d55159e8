// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-clipboard-bridge: one per desktop session (systemd user unit or XDG
 * autostart), keeps the session's clipboard and the Hyper-V host's in
 * step through enl-clipboardd (bridge.h).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <glib-unix.h>
#include <gtk/gtk.h>
#include <enlighten/clipboard.h>

#include "bridge.h"
#include "userproto.h"

/*
 * On Wayland, a client without keyboard focus neither sees nor sets the
 * selection (wl_data_device), and GNOME and weston offer no data-control
 * protocol for a background client. Their Xwayland, though, bridges the
 * X CLIPBOARD and the Wayland selection for everyone: so when both are
 * there, we are an X client. GDK_BACKEND, if set, still decides.
 */
static void prefer_xwayland(void)
{
	if (g_getenv("GDK_BACKEND"))
		return;
	if (g_getenv("WAYLAND_DISPLAY") && !g_getenv("DISPLAY"))
		g_warning("Wayland without Xwayland (no DISPLAY): the session's "
			  "clipboard is only seen while the bridge has focus");
	gdk_set_allowed_backends("x11,wayland");
}

/*
 * One bridge per display: a session can start us both as a systemd user
 * unit and from XDG autostart. Two would each copy the other's sets back
 * to the host. The lock lives as long as the process (fd kept open).
 */
static bool first_for_display(GdkDisplay *display)
{
	g_autofree char *name = g_strdup(gdk_display_get_name(display));
	g_autofree char *path = NULL;
	int fd;

	g_strdelimit(name, "/", '_');
	path = g_strdup_printf("%s/enl-clipboard-bridge.%s.lock",
			       g_get_user_runtime_dir(), name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return true;	/* no runtime dir: nothing to guard with */
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return true;
	close(fd);
	return false;
}

static gboolean on_signal(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
	g_autofree char *sock = NULL;
	int cap_mib = ENL_CLIP_DEFAULT_CAP >> 20;
	gboolean verbose = FALSE;
	const GOptionEntry opts[] = {
		{ "socket", 's', 0, G_OPTION_ARG_FILENAME, &sock,
		  "enl-clipboardd's socket (default $ENL_CLIP_SOCKET or "
		  ENL_CLIPD_SOCKET_DEFAULT ")", "PATH" },
		{ "max-size-mib", 'm', 0, G_OPTION_ARG_INT, &cap_mib,
		  "Largest item shared either way, in MiB (default 16, as "
		  "enl-clipboardd's max-size-mib)", "N" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
		  "Say what crosses, and when", NULL },
		{ NULL }
	};
	GOptionContext *oc = g_option_context_new(NULL);
	g_autoptr(GError) err = NULL;
	struct enl_bridge b;
	GdkDisplay *display;
	GMainLoop *loop;

	g_option_context_set_summary(oc, "Keeps this desktop session's "
				     "clipboard and the Hyper-V host's in step "
				     "(through enl-clipboardd).");
	g_option_context_add_main_entries(oc, opts, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "enl-clipboard-bridge: %s\n", err->message);
		g_option_context_free(oc);
		return 2;
	}
	g_option_context_free(oc);
	if (cap_mib < 1 || cap_mib > (int)(ENL_CLIP_HARD_CAP >> 20)) {
		fprintf(stderr, "enl-clipboard-bridge: --max-size-mib: 1 to %u\n",
			ENL_CLIP_HARD_CAP >> 20);
		return 2;
	}
	if (verbose)
		g_setenv("G_MESSAGES_DEBUG", G_LOG_DOMAIN, TRUE);
	if (!sock)
		sock = g_strdup(g_getenv("ENL_CLIP_SOCKET") ?
				g_getenv("ENL_CLIP_SOCKET") :
				ENL_CLIPD_SOCKET_DEFAULT);
	prefer_xwayland();
	/* No display means no session: fail, so the unit says why. */
	if (!gtk_init_check()) {
		fprintf(stderr, "enl-clipboard-bridge: cannot open the display "
			"(DISPLAY=%s WAYLAND_DISPLAY=%s)\n",
			g_getenv("DISPLAY") ? g_getenv("DISPLAY") : "",
			g_getenv("WAYLAND_DISPLAY") ?
			g_getenv("WAYLAND_DISPLAY") : "");
		return 1;
	}
	display = gdk_display_get_default();
	if (!first_for_display(display)) {
		g_message("a bridge already serves %s: leaving it to that one",
			  gdk_display_get_name(display));
		return 0;
	}
	loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_signal, loop);
	g_unix_signal_add(SIGINT, on_signal, loop);
	enl_bridge_start(&b, display, sock, (gsize)cap_mib << 20);
	g_message("sharing the %s clipboard through %s",
		  G_OBJECT_TYPE_NAME(display), sock);
	g_main_loop_run(loop);
	g_message("stopping: %lu copies to the host, %lu from it, %lu failed",
		  b.to_host, b.from_host, b.failures);
	enl_bridge_stop(&b);
	g_main_loop_unref(loop);
	return 0;
}
