// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VNC console (host/console) over a UNIX socket, as an RFB client sees
 * it: the handshake, the display's pixels in 32-bit true colour, a mode
 * change as DesktopSize, damage as a small incremental update; a password
 * file makes VNC authentication the only security type; a non-loopback
 * address without a password and malformed specs are refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "console.h"
#include "display.h"
#include "sockio.h"
#include "tap.h"

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* Version and security: the types offered, in types[] (count returned). */
static int hello(int fd, uint8_t *types)
{
	char ver[12];
	uint8_t n;

	if (rd(fd, ver, 12) || memcmp(ver, "RFB 003.", 8))
		return -1;
	if (write(fd, "RFB 003.008\n", 12) != 12 || rd(fd, &n, 1) ||
	    rd(fd, types, n))
		return -1;
	return n;
}

/* Security None, client init, server init: the screen's size. */
static int login(int fd, uint16_t *w, uint16_t *h)
{
	uint8_t b[24], none = 1, shared = 1, types[16];
	static const uint8_t fmt[20] = {
		0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0,
	};
	static const uint8_t enc[] = {
		2, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21, /* Raw, DesktopSize */
	};
	int n = hello(fd, types);

	if (n < 1 || !memchr(types, 1, n) || write(fd, &none, 1) != 1 ||
	    rd(fd, b, 4) || be32(b) != 0 || write(fd, &shared, 1) != 1 ||
	    rd(fd, b, 24))
		return -1;
	*w = b[0] << 8 | b[1];
	*h = b[2] << 8 | b[3];
	{
		uint8_t name[256];
		uint32_t len = be32(b + 20);

		if (len > sizeof(name) || rd(fd, name, len))
			return -1;
	}
	if (write(fd, fmt, sizeof(fmt)) != sizeof(fmt) ||
	    write(fd, enc, sizeof(enc)) != sizeof(enc))
		return -1;
	return 0;
}

static int ask(int fd, int incremental, uint16_t w, uint16_t h)
{
	uint8_t r[10] = { 3, (uint8_t)incremental, 0, 0, 0, 0,
			  (uint8_t)(w >> 8), (uint8_t)w, (uint8_t)(h >> 8), (uint8_t)h };

	return write(fd, r, 10) == 10 ? 0 : -1;
}

struct rect { uint16_t x, y, w, h; int32_t enc; };

/*
 * One FramebufferUpdate: its rectangles (at most 8), raw pixels of the
 * first raw one into px (if it fits), bytes in *bytes.
 */
static int update(int fd, struct rect *r, int *nr, uint32_t *px, size_t pxn,
		  size_t *bytes)
{
	uint8_t b[12];
	int n;

	do {
		if (rd(fd, b, 1))
			return -1;
	} while (b[0] != 0 && b[0] == 2);	/* bell */
	if (b[0] != 0 || rd(fd, b, 3))
		return -1;
	n = b[1] << 8 | b[2];
	*bytes = 4;
	*nr = 0;
	for (int i = 0; i < n; i++) {
		struct rect q;

		if (rd(fd, b, 12))
			return -1;
		q.x = b[0] << 8 | b[1];
		q.y = b[2] << 8 | b[3];
		q.w = b[4] << 8 | b[5];
		q.h = b[6] << 8 | b[7];
		q.enc = (int32_t)be32(b + 8);
		*bytes += 12;
		if (q.enc == 0) {
			size_t len = (size_t)q.w * q.h * 4;
			uint8_t *tmp = malloc(len);

			if (rd(fd, tmp, len)) {
				free(tmp);
				return -1;
			}
			if (*nr == 0 && len <= pxn * 4)
				memcpy(px, tmp, len);
			free(tmp);
			*bytes += len;
		}
		if (*nr < 8)
			r[(*nr)++] = q;
	}
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/enl-console-test-XXXXXX";
	g_autofree char *sock = NULL, *spec = NULL, *pw = NULL, *spec2 = NULL;
	g_autoptr(GString) err = g_string_new(NULL);
	struct enl_display *d = enl_display_new();
	struct enl_console_cfg cfg = { 0 };
	struct enl_console *con;
	struct enl_display_mode m = { 64, 48, 32, 64 * 4 + 32, NULL };
	uint32_t *vram = calloc(1, (64 * 4 + 32) * 48 + 640 * 480 * 4);
	uint32_t *px = calloc(640 * 480, 4);
	struct rect r[8];
	uint16_t w = 0, h = 0;
	size_t bytes;
	int fd, nr, ok;

	mkdtemp(dir);
	sock = g_build_filename(dir, "vnc.sock", NULL);
	spec = g_strdup_printf("unix:%s", sock);
	m.pixels = (uint8_t *)vram;
	for (uint32_t y = 0; y < 48; y++)
		for (uint32_t x = 0; x < 64; x++)
			vram[y * (m.pitch / 4) + x] = 0xff000000 | x << 16 | y << 8 | (x ^ y);
	enl_display_set_mode(d, &m);

	cfg.spec = spec;
	con = enl_console_new(&cfg, d, err);
	tap_ok(con && !strcmp(enl_console_address(con), spec),
	       "console on a UNIX socket (%s)", con ? enl_console_address(con) : err->str);
	fd = con ? connect_unix(sock) : -1;
	ok = fd >= 0 && login(fd, &w, &h) == 0;
	tap_ok(ok && w == 64 && h == 48,
	       "RFB login without auth; the screen is the display's mode (%ux%u)", w, h);
	ok = !ask(fd, 0, w, h) && !update(fd, r, &nr, px, 640 * 480, &bytes) &&
	     nr == 1 && r[0].w == 64 && r[0].h == 48;
	for (uint32_t y = 0; ok && y < 48; y++)
		for (uint32_t x = 0; x < 64; x++)
			ok &= px[y * 64 + x] == (x << 16 | y << 8 | (x ^ y));
	tap_ok(ok, "a full update carries the display's pixels (pitch honoured)");

	/* Damage: only that rectangle travels. */
	ask(fd, 1, w, h);
	usleep(100000);
	vram[10 * (m.pitch / 4) + 20] = 0x123456;
	enl_display_damage(d, &(struct enl_display_rect){ 20, 10, 21, 11 });
	ok = !update(fd, r, &nr, px, 640 * 480, &bytes);
	tap_ok(ok && nr == 1 && r[0].x == 20 && r[0].y == 10 && r[0].w == 1 &&
	       r[0].h == 1 && px[0] == 0x123456 && bytes == 4 + 12 + 4,
	       "damage of one pixel: one 1x1 update of %zu bytes", bytes);

	/* A new mode: DesktopSize, then the new size's pixels. */
	ask(fd, 1, w, h);
	m.width = 640;
	m.height = 480;
	m.pitch = 640 * 4;
	enl_display_set_mode(d, &m);
	ok = !update(fd, r, &nr, px, 640 * 480, &bytes);
	ok = ok && nr >= 1 && r[nr - 1].enc == -223 && r[nr - 1].w == 640 &&
	     r[nr - 1].h == 480;
	tap_ok(ok, "a mode change reaches the client as DesktopSize 640x480");
	enl_display_set_mode(d, NULL);
	usleep(100000);
	if (fd >= 0)
		close(fd);
	enl_console_free(con);

	/* A password: VNC authentication is all that is offered. */
	pw = g_build_filename(dir, "pw", NULL);
	g_file_set_contents(pw, "secret\nignored\n", -1, NULL);
	cfg.password_file = pw;
	con = enl_console_new(&cfg, d, err);
	fd = con ? connect_unix(sock) : -1;
	{
		uint8_t types[16];
		int n = fd >= 0 ? hello(fd, types) : -1;

		tap_ok(n == 1 && types[0] == 2,
		       "with a password file only VNC authentication is offered");
	}
	if (fd >= 0)
		close(fd);
	enl_console_free(con);
	tap_ok(access(sock, F_OK) != 0, "the socket is removed at the end");

	g_string_truncate(err, 0);
	cfg.password_file = NULL;
	cfg.spec = "0.0.0.0:7";
	con = enl_console_new(&cfg, d, err);
	tap_ok(!con && strstr(err->str, "needs --vnc-password-file"),
	       "a non-loopback address without a password is refused");
	for (const char *const *s = (const char *const[]){ "7", ":", ":x", ":101",
			"nohost:1", NULL }; *s; s++) {
		g_string_truncate(err, 0);
		cfg.spec = *s;
		con = enl_console_new(&cfg, d, err);
		tap_ok(!con && err->len, "--vnc %s refused", *s);
	}
	g_string_truncate(err, 0);
	g_file_set_contents(pw, "\n", -1, NULL);
	cfg.spec = spec;
	cfg.password_file = pw;
	con = enl_console_new(&cfg, d, err);
	tap_ok(!con && strstr(err->str, "empty"), "an empty password is refused");
	spec2 = g_strdup_printf("unix:%s/%0200d", dir, 0);
	cfg.spec = spec2;
	cfg.password_file = NULL;
	con = enl_console_new(&cfg, d, err);
	tap_ok(!con, "a UNIX socket path that is too long is refused");

	unlink(pw);
	rmdir(dir);
	enl_display_free(d);
	free(vram);
	free(px);
	return tap_done();
}
