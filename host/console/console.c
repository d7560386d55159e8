// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VNC console. libvncserver runs on a thread of its own (rfbProcessEvents
 * in a loop); the display's listener (called on the video channel's worker)
 * only queues what changed, and this thread applies it between passes: a
 * new mode becomes rfbNewFramebuffer over the guest's VRAM itself (no copy:
 * libvncserver reads the pixels when it encodes an update), dirty
 * rectangles become rfbMarkRectAsModified, a new pointer shape the cursor.
 * With a web directory, http.c serves noVNC's page on 5800+N and WebSocket
 * clients with the token (web.h) are let in on the RFB port.
 */
#include "console.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rfb/rfb.h>

#include "display.h"
#include "http.h"
#include "web.h"

/* Shown while the guest has no mode: black, the size of VGA. */
#define BLANK_W		640
#define BLANK_H		480
/* Past this many queued rectangles, one bounding box stands for them. */
#define MAX_RECTS	256
#define LOOP_USEC	5000

struct enl_console {
	rfbScreenInfoPtr screen;
	struct enl_display *d;
	GThread *thread;
	gint stop;
	char *address;
	char *passwords[2];
	int unix_fd;
	char *unix_path;
	uint32_t *blank;
	char *web_dir;			/* NULL: no browser console */
	char *web_url;
	struct enl_http *http;
	struct enl_web_token token;

	GMutex lock;			/* everything below */
	bool mode_pending, cursor_pending;
	GArray *rects;			/* struct enl_display_rect */
	const struct enl_console_input_ops *in;
	void *in_opaque;
	uint32_t width, height;		/* what clients see now */
	struct enl_console_stats st;
};

static struct enl_console *the_console;

struct enl_console *enl_console_get(void)
{
	return the_console;
}

void enl_console_set_default(struct enl_console *con)
{
	the_console = con;
}

void enl_console_set_input(struct enl_console *con,
			   const struct enl_console_input_ops *ops, void *opaque)
{
	g_mutex_lock(&con->lock);
	con->in = ops;
	con->in_opaque = opaque;
	g_mutex_unlock(&con->lock);
}

const char *enl_console_address(const struct enl_console *con)
{
	return con->address;
}

const char *enl_console_web_url(const struct enl_console *con)
{
	return con->web_url;
}

void enl_console_get_stats(struct enl_console *con,
			   struct enl_console_stats *s)
{
	g_mutex_lock(&con->lock);
	*s = con->st;
	g_mutex_unlock(&con->lock);
}

/* ---- The display's listener: queue only (the video worker's thread) ---- */

static void on_mode(void *opaque, const struct enl_display_mode *m)
{
	struct enl_console *con = opaque;

	(void)m;
	g_mutex_lock(&con->lock);
	con->mode_pending = true;
	g_array_set_size(con->rects, 0);
	g_mutex_unlock(&con->lock);
}

static void on_damage(void *opaque, const struct enl_display_rect *r)
{
	struct enl_console *con = opaque;

	g_mutex_lock(&con->lock);
	if (con->rects->len < MAX_RECTS) {
		g_array_append_val(con->rects, *r);
	} else {
		struct enl_display_rect *b =
			&g_array_index(con->rects, struct enl_display_rect, 0);

		b->x1 = MIN(b->x1, r->x1);
		b->y1 = MIN(b->y1, r->y1);
		b->x2 = MAX(b->x2, r->x2);
		b->y2 = MAX(b->y2, r->y2);
		g_array_set_size(con->rects, 1);
	}
	g_mutex_unlock(&con->lock);
}

static void on_cursor(void *opaque)
{
	struct enl_console *con = opaque;

	g_mutex_lock(&con->lock);
	con->cursor_pending = true;
	g_mutex_unlock(&con->lock);
}

static const struct enl_display_listener listener = {
	.mode = on_mode, .damage = on_damage, .cursor = on_cursor,
};

/* ---- The console's thread ---- */

/* libvncserver's defaults put red in the low byte; VRAM is XRGB8888 / RGB565. */
static void set_format(rfbScreenInfoPtr s, uint32_t depth)
{
	rfbClientIteratorPtr it;
	rfbClientPtr cl;

	if (depth == 32) {
		s->serverFormat.redShift = 16;
		s->serverFormat.greenShift = 8;
		s->serverFormat.blueShift = 0;
	} else {
		s->serverFormat.redMax = 31;
		s->serverFormat.greenMax = 63;
		s->serverFormat.blueMax = 31;
		s->serverFormat.redShift = 11;
		s->serverFormat.greenShift = 5;
		s->serverFormat.blueShift = 0;
	}
	it = rfbGetClientIterator(s);
	while ((cl = rfbClientIteratorNext(it)))
		s->setTranslateFunction(cl);
	rfbReleaseClientIterator(it);
}

static void apply_mode(struct enl_console *con)
{
	struct enl_display_mode m;
	uint32_t bpp;

	if (!enl_display_mode(con->d, &m)) {
		m = (struct enl_display_mode){
			.width = BLANK_W, .height = BLANK_H, .depth = 32,
			.pitch = BLANK_W * 4, .pixels = (uint8_t *)con->blank,
		};
	}
	bpp = m.depth / 8;
	rfbNewFramebuffer(con->screen, (char *)m.pixels, m.width, m.height,
			  m.depth == 32 ? 8 : 5, 3, bpp);
	con->screen->paddedWidthInBytes = m.pitch;
	set_format(con->screen, m.depth);
	g_mutex_lock(&con->lock);
	con->width = m.width;
	con->height = m.height;
	con->st.mode_changes++;
	g_mutex_unlock(&con->lock);
}

static void apply_cursor(struct enl_console *con)
{
	struct enl_display_cursor *c = g_new(struct enl_display_cursor, 1);
	rfbScreenInfoPtr s = con->screen;
	rfbCursorPtr rc;
	uint32_t w, h, bpp = s->serverFormat.bitsPerPixel / 8;
	rfbClientIteratorPtr it;
	rfbClientPtr cl;

	enl_display_cursor(con->d, c);
	/* No shape, or hidden: a transparent pixel. */
	w = c->visible && c->width ? c->width : 1;
	h = c->visible && c->width ? c->height : 1;
	rc = calloc(1, sizeof(*rc));
	rc->width = w;
	rc->height = h;
	rc->xhot = c->visible ? c->hot_x : 0;
	rc->yhot = c->visible ? c->hot_y : 0;
	rc->richSource = calloc((size_t)w * h, bpp);
	rc->alphaSource = calloc((size_t)w * h, 1);
	if (c->visible && c->width) {
		for (uint32_t i = 0; i < w * h; i++) {
			uint32_t p = c->argb[i];

			rc->alphaSource[i] = p >> 24;
			if (bpp == 4) {
				memcpy(rc->richSource + 4 * i, &p, 4);
			} else {
				uint16_t q = ((p >> 19) & 0x1f) << 11 |
					     ((p >> 10) & 0x3f) << 5 |
					     ((p >> 3) & 0x1f);

				memcpy(rc->richSource + 2 * i, &q, 2);
			}
		}
	}
	rc->mask = (unsigned char *)rfbMakeMaskFromAlphaSource(w, h,
							      rc->alphaSource);
	rfbMakeXCursorFromRichCursor(s, rc);
	rc->cleanup = TRUE;
	rc->cleanupSource = TRUE;
	rc->cleanupMask = TRUE;
	rc->cleanupRichSource = TRUE;
	rfbSetCursor(s, rc);
	s->cursorX = c->x;
	s->cursorY = c->y;
	it = rfbGetClientIterator(s);
	while ((cl = rfbClientIteratorNext(it)))
		cl->cursorWasMoved = TRUE;
	rfbReleaseClientIterator(it);
	g_free(c);
	g_mutex_lock(&con->lock);
	con->st.cursor_changes++;
	g_mutex_unlock(&con->lock);
}

static void apply_pending(struct enl_console *con)
{
	g_autoptr(GArray) rects = NULL;
	bool mode, cursor;

	g_mutex_lock(&con->lock);
	mode = con->mode_pending;
	cursor = con->cursor_pending;
	con->mode_pending = con->cursor_pending = false;
	if (con->rects->len) {
		rects = con->rects;
		con->rects = g_array_new(FALSE, FALSE,
					 sizeof(struct enl_display_rect));
		con->st.updates += rects->len;
	}
	g_mutex_unlock(&con->lock);
	if (mode)
		apply_mode(con);
	if (cursor)
		apply_cursor(con);
	for (guint i = 0; rects && i < rects->len; i++) {
		const struct enl_display_rect *r =
			&g_array_index(rects, struct enl_display_rect, i);

		/* The mode may have shrunk since: libvncserver clips. */
		rfbMarkRectAsModified(con->screen, r->x1, r->y1, r->x2, r->y2);
	}
}

static void accept_unix(struct enl_console *con)
{
	int fd;

	if (con->unix_fd < 0)
		return;
	while ((fd = accept4(con->unix_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		rfbNewClient(con->screen, fd);
}

static gpointer console_thread(gpointer data)
{
	struct enl_console *con = data;

	while (!g_atomic_int_get(&con->stop)) {
		accept_unix(con);
		rfbProcessEvents(con->screen, LOOP_USEC);
		apply_pending(con);
	}
	return NULL;
}

/* ---- Input: to whoever registered (the synthetic keyboard and mouse) ---- */

static void kbd_event(rfbBool down, rfbKeySym sym, rfbClientPtr cl)
{
	struct enl_console *con = cl->screen->screenData;
	const struct enl_console_input_ops *in;
	void *opaque;

	g_mutex_lock(&con->lock);
	in = con->in;
	opaque = con->in_opaque;
	g_mutex_unlock(&con->lock);
	if (in && in->key)
		in->key(opaque, down, sym);
}

static void ptr_event(int mask, int x, int y, rfbClientPtr cl)
{
	struct enl_console *con = cl->screen->screenData;
	const struct enl_console_input_ops *in;
	uint32_t w, h;
	void *opaque;

	g_mutex_lock(&con->lock);
	in = con->in;
	opaque = con->in_opaque;
	w = con->width;
	h = con->height;
	g_mutex_unlock(&con->lock);
	rfbDefaultPtrAddEvent(mask, x, y, cl);
	if (in && in->pointer)
		in->pointer(opaque, (uint32_t)mask, x, y, w, h);
}

/*
 * libvncserver 0.9.14 never frees a WebSocket client's context (about
 * 45 KiB); nothing of it is used after this hook, so it goes here.
 */
static void ws_gone(rfbClientPtr cl)
{
	free(cl->wsctx);
	cl->wsctx = NULL;
}

static void client_gone(rfbClientPtr cl)
{
	struct enl_console *con = cl->screen->screenData;

	ws_gone(cl);

	g_mutex_lock(&con->lock);
	con->st.clients--;
	g_mutex_unlock(&con->lock);
}

static enum rfbNewClientAction new_client(rfbClientPtr cl)
{
	struct enl_console *con = cl->screen->screenData;
	/* libvncserver sets wspath only for a WebSocket handshake. */
	bool ws = cl->wspath != NULL;

	if (ws && !(con->web_dir && enl_web_path_ok(&con->token, cl->wspath))) {
		g_mutex_lock(&con->lock);
		con->st.web_refused++;
		g_mutex_unlock(&con->lock);
		cl->clientGoneHook = ws_gone;
		return RFB_CLIENT_REFUSE;
	}
	cl->clientGoneHook = client_gone;
	g_mutex_lock(&con->lock);
	con->st.clients++;
	if (ws)
		con->st.web_clients++;
	g_mutex_unlock(&con->lock);
	return RFB_CLIENT_ACCEPT;
}

/* ---- Set-up ---- */

static int read_password(struct enl_console *con, const char *path,
			 GString *err)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) e = NULL;
	char *nl;

	if (!g_file_get_contents(path, &text, NULL, &e)) {
		g_string_append_printf(err, "--vnc-password-file: %s\n",
				       e->message);
		return -EINVAL;
	}
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	if (!*text) {
		g_string_append_printf(err, "--vnc-password-file %s: empty\n",
				       path);
		return -EINVAL;
	}
	con->passwords[0] = g_strdup(text);
	con->passwords[1] = NULL;
	con->screen->authPasswdData = con->passwords;
	con->screen->passwordCheck = rfbCheckPasswordByList;
	return 0;
}

static int listen_unix(struct enl_console *con, const char *path,
		       GString *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		g_string_append_printf(err, "--vnc unix:%s: path too long\n",
				       path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	/* A stale socket of ours may go; anything else stays. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old = umask(0077);
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret < 0 || listen(fd, 8) < 0) {
		ret = -errno;
		g_string_append_printf(err, "--vnc unix:%s: %s\n", path,
				       g_strerror(-ret));
		close(fd);
		return ret;
	}
	con->unix_fd = fd;
	con->unix_path = g_strdup(path);
	con->address = g_strdup_printf("unix:%s", path);
	return 0;
}

/*
 * The browser console: http.c on port 5800+N of the same address serves
 * the directory (noVNC); the token guards WebSocket.
 */
static int set_web(struct enl_console *con, const struct enl_console_cfg *cfg,
		   int port, GString *err)
{
	g_autofree char *page = NULL;
	int ret;

	if (!port) {
		g_string_append(err, "--vnc-web needs a TCP console (--vnc :N or HOST:N)\n");
		return -EINVAL;
	}
	page = g_build_filename(cfg->web_dir, "vnc.html", NULL);
	if (!g_file_test(page, G_FILE_TEST_IS_REGULAR)) {
		g_string_append_printf(err, "--vnc-web: no noVNC page %s (install Debian's novnc, or --vnc-web-dir DIR)\n",
				       page);
		return -ENOENT;
	}
	ret = enl_web_token_new(&con->token);
	if (ret) {
		g_string_append_printf(err, "--vnc-web: no random token: %s\n",
				       g_strerror(-ret));
		return ret;
	}
	con->web_dir = g_strdup(cfg->web_dir);
	return 0;
}

/* ":N" or "HOST:N": listen address and port. */
static int parse_tcp(const char *spec, in_addr_t *addr, int *port,
		     GString *err)
{
	const char *colon = strrchr(spec, ':');
	g_autofree char *host = NULL;
	char *end;
	unsigned long n;

	if (!colon || !colon[1])
		goto bad;
	n = strtoul(colon + 1, &end, 10);
	if (*end || n > 100)
		goto bad;
	host = g_strndup(spec, colon - spec);
	if (!*host) {
		g_free(host);
		host = g_strdup("127.0.0.1");
	}
	if (inet_pton(AF_INET, host, addr) != 1)
		goto bad;
	*port = 5900 + (int)n;
	return 0;
bad:
	g_string_append_printf(err, "--vnc %s: want :N, HOST:N (IPv4) or unix:PATH\n",
			       spec);
	return -EINVAL;
}

struct enl_console *enl_console_new(const struct enl_console_cfg *cfg,
				    struct enl_display *d, GString *err)
{
	struct enl_console *con = g_new0(struct enl_console, 1);
	in_addr_t addr = 0;
	int port = 0, argc = 0;

	g_mutex_init(&con->lock);
	con->d = d;
	con->unix_fd = -1;
	con->rects = g_array_new(FALSE, FALSE, sizeof(struct enl_display_rect));
	con->blank = g_new0(uint32_t, BLANK_W * BLANK_H);
	if (!g_str_has_prefix(cfg->spec, "unix:") &&
	    parse_tcp(cfg->spec, &addr, &port, err))
		goto fail;
	/* Anyone who can reach a non-loopback address could take the console. */
	if (port && (ntohl(addr) >> 24) != 127 && !cfg->password_file) {
		g_string_append_printf(err, "--vnc %s: a non-loopback address needs --vnc-password-file\n",
				       cfg->spec);
		goto fail;
	}
	rfbLogEnable(0);
	con->screen = rfbGetScreen(&argc, NULL, BLANK_W, BLANK_H, 8, 3, 4);
	if (!con->screen)
		goto fail;
	con->screen->screenData = con;
	con->screen->desktopName = "Enlighten guest";
	con->screen->frameBuffer = (char *)con->blank;
	con->screen->alwaysShared = TRUE;
	con->screen->kbdAddEvent = kbd_event;
	con->screen->ptrAddEvent = ptr_event;
	con->screen->newClientHook = new_client;
	con->screen->autoPort = FALSE;
	con->screen->port = port;
	con->screen->ipv6port = 0;
	con->screen->listenInterface = addr;
	con->screen->httpPort = 0;
	if (cfg->web_dir && set_web(con, cfg, port, err))
		goto fail;
	set_format(con->screen, 32);
	if (cfg->password_file && read_password(con, cfg->password_file, err))
		goto fail;
	if (!port && listen_unix(con, cfg->spec + strlen("unix:"), err))
		goto fail;
	rfbInitServer(con->screen);
	if (port) {
		if (con->screen->listenSock == RFB_INVALID_SOCKET) {
			g_string_append_printf(err, "--vnc %s: cannot listen on port %d\n",
					       cfg->spec, port);
			goto fail;
		}
		con->address = g_strdup_printf("%s:%d",
			inet_ntoa((struct in_addr){ addr }), port);
	}
	if (con->web_dir) {
		con->http = enl_http_new(addr, port - 100, con->web_dir, err);
		if (!con->http)
			goto fail;
		con->web_url = enl_web_url(inet_ntoa((struct in_addr){ addr }),
					   port - 100, port, &con->token);
	}
	/*
	 * The guest's pointer from the start: none until it sets one (else
	 * libvncserver's own arrow would be drawn into the picture of
	 * clients that cannot take a cursor shape).
	 */
	con->mode_pending = true;
	con->cursor_pending = true;
	enl_display_set_listener(d, &listener, con);
	con->thread = g_thread_new("enl-vnc", console_thread, con);
	return con;
fail:
	enl_console_free(con);
	return NULL;
}

void enl_console_free(struct enl_console *con)
{
	if (!con)
		return;
	if (con->thread) {
		enl_display_set_listener(con->d, NULL, NULL);
		g_atomic_int_set(&con->stop, 1);
		g_thread_join(con->thread);
	}
	if (con->screen) {
		rfbShutdownServer(con->screen, TRUE);
		con->screen->frameBuffer = NULL;
		rfbScreenCleanup(con->screen);
	}
	enl_http_free(con->http);
	if (con->unix_fd >= 0) {
		close(con->unix_fd);
		unlink(con->unix_path);
	}
	if (the_console == con)
		the_console = NULL;
	g_free(con->unix_path);
	g_free(con->address);
	g_free(con->web_dir);
	g_free(con->web_url);
	g_free(con->passwords[0]);
	g_array_free(con->rects, TRUE);
	g_free(con->blank);
	g_mutex_clear(&con->lock);
	g_free(con);
}
