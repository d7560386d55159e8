// SPDX-License-Identifier: GPL-2.0-only
/*
 * The browser console (host/console with a web directory) as a browser
 * sees it: noVNC's page and modules over HTTP on 5800+N, then a WebSocket
 * handshake on 5900+N with the page's token and RFB inside the WebSocket
 * frames up to ServerInit. Without the token, or without --vnc-web, a
 * WebSocket client is refused and counted; plain RFB still works; a web
 * directory with a UNIX socket or without vnc.html is refused. The page is
 * Debian's novnc (/usr/share/novnc, scripts/deps.sh installs it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "console.h"
#include "display.h"
#include "sockio.h"
#include "tap.h"
#include "web.h"

#define NOVNC_DIR	"/usr/share/novnc"

static int connect_tcp(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* One HTTP/1.0 GET: the whole answer (headers and body), NULL on error. */
static GString *http_get(int port, const char *path)
{
	g_autofree char *req = g_strdup_printf("GET %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n",
					       path, port);
	GString *out;
	char buf[4096];
	ssize_t n;
	int fd = connect_tcp(port);

	if (fd < 0)
		return NULL;
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return NULL;
	}
	out = g_string_new(NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		g_string_append_len(out, buf, n);
	close(fd);
	return out;
}

/* RFC 6455's sample key and the answer it must get. */
#define WS_KEY		"dGhlIHNhbXBsZSBub25jZQ=="
#define WS_ACCEPT	"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

/* The opening handshake on path: the fd if the server switched, else -1. */
static int ws_open(int port, const char *path)
{
	g_autofree char *req = g_strdup_printf(
		"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
		"Origin: http://127.0.0.1:%d\r\nUpgrade: websocket\r\n"
		"Connection: Upgrade\r\nSec-WebSocket-Key: " WS_KEY "\r\n"
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n\r\n",
		path, port, port - 100);
	char resp[1024];
	size_t len = 0;
	int fd = connect_tcp(port);

	if (fd < 0 || write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		goto fail;
	/* Byte by byte: the RFB data that follows must stay in the socket. */
	while (len < sizeof(resp) - 1) {
		if (rd(fd, resp + len, 1))
			goto fail;
		resp[++len] = '\0';
		if (len >= 4 && !memcmp(resp + len - 4, "\r\n\r\n", 4))
			break;
	}
	if (strncmp(resp, "HTTP/1.1 101", 12) ||
	    !strstr(resp, "Sec-WebSocket-Accept: " WS_ACCEPT "\r\n"))
		goto fail;
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Server frames, unmasked binary; their payload read as one stream. */
struct ws {
	int fd;
	uint8_t buf[65536];
	size_t have, used;
};

static int ws_fill(struct ws *w)
{
	uint8_t h[10];
	uint64_t n;

	if (rd(w->fd, h, 2) || (h[0] & 0x0f) != 2 || (h[1] & 0x80))
		return -1;
	n = h[1] & 0x7f;
	if (n == 126) {
		if (rd(w->fd, h + 2, 2))
			return -1;
		n = (uint64_t)h[2] << 8 | h[3];
	} else if (n == 127) {
		if (rd(w->fd, h + 2, 8))
			return -1;
		n = 0;
		for (int i = 2; i < 10; i++)
			n = n << 8 | h[i];
	}
	if (n > sizeof(w->buf))
		return -1;
	w->have = n;
	w->used = 0;
	return rd(w->fd, w->buf, n);
}

static int ws_read(struct ws *w, void *out, size_t n)
{
	uint8_t *o = out;

	while (n) {
		size_t k;

		if (w->used == w->have && ws_fill(w))
			return -1;
		k = MIN(n, w->have - w->used);
		memcpy(o, w->buf + w->used, k);
		w->used += k;
		o += k;
		n -= k;
	}
	return 0;
}

/* A client frame: binary, masked as RFC 6455 requires. */
static int ws_write(int fd, const void *data, size_t n)
{
	static const uint8_t mask[4] = { 0x12, 0x34, 0x56, 0x78 };
	uint8_t f[2 + 4 + 125];
	const uint8_t *d = data;

	if (n > 125)
		return -1;
	f[0] = 0x82;
	f[1] = 0x80 | n;
	memcpy(f + 2, mask, 4);
	for (size_t i = 0; i < n; i++)
		f[6 + i] = d[i] ^ mask[i % 4];
	return write(fd, f, 6 + n) == (ssize_t)(6 + n) ? 0 : -1;
}

/* RFB 3.8 through the WebSocket up to ServerInit: the screen's size. */
static int ws_rfb_login(int fd, uint16_t *width, uint16_t *height)
{
	static struct ws w;
	uint8_t b[24], n, types[16], none = 1, shared = 1;
	char ver[12];

	memset(&w, 0, sizeof(w));
	w.fd = fd;
	if (ws_read(&w, ver, 12) || memcmp(ver, "RFB 003.008\n", 12) ||
	    ws_write(fd, "RFB 003.008\n", 12) || ws_read(&w, &n, 1) || !n ||
	    n > sizeof(types) || ws_read(&w, types, n) || !memchr(types, 1, n) ||
	    ws_write(fd, &none, 1) || ws_read(&w, b, 4) || b[3] != 0 ||
	    ws_write(fd, &shared, 1) || ws_read(&w, b, 24))
		return -1;
	*width = b[0] << 8 | b[1];
	*height = b[2] << 8 | b[3];
	return 0;
}

/*
 * Is the client turned away? libvncserver sends its version before the
 * console's check; the connection must close before any security type.
 */
static bool turned_away(int fd)
{
	uint16_t w, h;

	return fd < 0 || ws_rfb_login(fd, &w, &h) != 0;
}

/* A console with web on the first free :N from a pid-dependent start. */
static struct enl_console *web_console(struct enl_display *d, const char *dir,
				       int *n, GString *err)
{
	for (int i = 0; i < 40; i++) {
		struct enl_console_cfg cfg = { .web_dir = dir };
		g_autofree char *spec = NULL;
		struct enl_console *con;

		*n = 40 + (getpid() + i) % 60;
		spec = g_strdup_printf(":%d", *n);
		cfg.spec = spec;
		g_string_truncate(err, 0);
		con = enl_console_new(&cfg, d, err);
		if (con || !strstr(err->str, "cannot listen"))
			return con;
	}
	return NULL;
}

static void token_cases(void)
{
	struct enl_web_token t;
	g_autofree char *good = NULL, *url = NULL;
	char bad[64];

	tap_ok(!enl_web_token_new(&t) && strlen(t.hex) == 2 * ENL_WEB_TOKEN_BYTES,
	       "a token of %d hex digits", 2 * ENL_WEB_TOKEN_BYTES);
	good = g_strdup_printf("/websockify?token=%s", t.hex);
	tap_ok(enl_web_path_ok(&t, good), "the token's path is let in");
	snprintf(bad, sizeof(bad), "/x?a=1&token=%s&b=2", t.hex);
	tap_ok(enl_web_path_ok(&t, bad), "the token among other parameters is let in");
	snprintf(bad, sizeof(bad), "/websockify?token=%.31s", t.hex);
	tap_ok(!enl_web_path_ok(&t, bad), "a token one digit short is refused");
	snprintf(bad, sizeof(bad), "/websockify?token=%s0", t.hex);
	tap_ok(!enl_web_path_ok(&t, bad), "a token one digit long is refused");
	snprintf(bad, sizeof(bad), "/websockify?token=%s", t.hex);
	bad[strlen(bad) - 1] ^= 1;
	tap_ok(!enl_web_path_ok(&t, bad), "a token with one digit changed is refused");
	snprintf(bad, sizeof(bad), "/websockify/token=%s", t.hex);
	tap_ok(!enl_web_path_ok(&t, bad) && !enl_web_path_ok(&t, NULL) &&
	       !enl_web_path_ok(&t, "/websockify"),
	       "no query, no path: refused");
	url = enl_web_url("127.0.0.1", 5842, 5942, &t);
	tap_ok(g_str_has_prefix(url, "http://127.0.0.1:5842/vnc.html?") &&
	       strstr(url, "&port=5942&") && strstr(url, t.hex),
	       "the page URL names the HTTP port, the WebSocket port and the token");
}

int main(void)
{
	g_autoptr(GString) err = g_string_new(NULL);
	struct enl_display *d = enl_display_new();
	struct enl_console_cfg cfg = { 0 };
	struct enl_console_stats st;
	struct enl_console *con;
	g_autofree char *path = NULL, *spec = NULL;
	GString *page;
	const char *url, *tok;
	uint16_t w = 0, h = 0;
	int n = 0, fd, ok;
	char ver[12];

	token_cases();

	con = web_console(d, NOVNC_DIR, &n, err);
	tap_ok(con != NULL, "a console with the browser page from " NOVNC_DIR " (%s)",
	       con ? enl_console_address(con) : err->str);
	if (!con) {
		tap_diag("is Debian's novnc installed? (scripts/deps.sh)");
		return tap_done();
	}
	url = enl_console_web_url(con);
	tok = url ? strstr(url, "token%3D") : NULL;
	tap_ok(tok && g_str_has_prefix(url, "http://127.0.0.1:") &&
	       strstr(url, "/vnc.html?"), "its page URL: %s", url ? url : "none");

	page = http_get(5800 + n, "/vnc.html");
	tap_ok(page && g_str_has_prefix(page->str, "HTTP/1.0 200") &&
	       strstr(page->str, "noVNC"),
	       "GET /vnc.html on port %d: noVNC's page", 5800 + n);
	if (page)
		g_string_free(page, TRUE);
	page = http_get(5800 + n, "/core/rfb.js");
	tap_ok(page && g_str_has_prefix(page->str, "HTTP/1.0 200") &&
	       strstr(page->str, "Content-Type: application/javascript"),
	       "GET /core/rfb.js: a JavaScript module");
	if (page)
		g_string_free(page, TRUE);
	page = http_get(5800 + n, "/../../etc/passwd");
	tap_ok(page && g_str_has_prefix(page->str, "HTTP/1.0 404"),
	       "a path out of the directory is not found");
	if (page)
		g_string_free(page, TRUE);

	path = g_strdup_printf("/websockify?token=%.*s", 2 * ENL_WEB_TOKEN_BYTES,
			       tok ? tok + strlen("token%3D") : "");
	fd = ws_open(5900 + n, path);
	tap_ok(fd >= 0, "WebSocket handshake on port %d with the page's token",
	       5900 + n);
	ok = fd >= 0 && ws_rfb_login(fd, &w, &h) == 0;
	tap_ok(ok && w == 640 && h == 480, "RFB 3.8 through WebSocket frames up to ServerInit (%ux%u)", w, h);
	if (fd >= 0)
		close(fd);

	fd = ws_open(5900 + n, "/websockify?token=0123456789abcdef0123456789abcdef");
	tap_ok(turned_away(fd), "a WebSocket with a wrong token is turned away");
	if (fd >= 0)
		close(fd);
	fd = ws_open(5900 + n, "/websockify");
	tap_ok(turned_away(fd), "a WebSocket without a token is turned away");
	if (fd >= 0)
		close(fd);
	usleep(100000);
	enl_console_get_stats(con, &st);
	tap_ok(st.web_clients == 1 && st.web_refused == 2,
	       "counted: %" G_GUINT64_FORMAT " let in, %" G_GUINT64_FORMAT " refused",
	       st.web_clients, st.web_refused);

	fd = connect_tcp(5900 + n);
	tap_ok(fd >= 0 && !rd(fd, ver, 12) && !memcmp(ver, "RFB 003.", 8),
	       "plain RFB on the same port still works");
	if (fd >= 0)
		close(fd);
	enl_console_free(con);

	/* Without --vnc-web: no page, and WebSocket clients are refused. */
	for (int i = 0; i < 40; i++) {
		g_free(spec);
		n = 40 + (getpid() + i) % 60;
		spec = g_strdup_printf(":%d", n);
		cfg.spec = spec;
		con = enl_console_new(&cfg, d, err);
		if (con)
			break;
	}
	tap_ok(con && !enl_console_web_url(con), "a console without web: no page URL");
	fd = con ? ws_open(5900 + n, path) : -1;
	tap_ok(con && turned_away(fd),
	       "without web, a WebSocket client is turned away, token or not");
	if (fd >= 0)
		close(fd);
	enl_console_free(con);

	g_string_truncate(err, 0);
	cfg.spec = "unix:/tmp/enl-console-web-test.sock";
	cfg.web_dir = NOVNC_DIR;
	con = enl_console_new(&cfg, d, err);
	tap_ok(!con && strstr(err->str, "needs a TCP console"),
	       "web with a UNIX socket console is refused");
	g_string_truncate(err, 0);
	cfg.spec = ":99";
	cfg.web_dir = "/nonexistent";
	con = enl_console_new(&cfg, d, err);
	tap_ok(!con && strstr(err->str, "no noVNC page"),
	       "a web directory without vnc.html is refused");
	enl_display_free(d);
	return tap_done();
}
