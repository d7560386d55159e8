// SPDX-License-Identifier: GPL-2.0-only
/* Screenshots: the display's current frame as an 8-bit RGB PNG (libpng). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <unistd.h>

#include <png.h>

#include "display.h"

static int write_rows(FILE *f, const uint32_t *px, uint32_t w, uint32_t h)
{
	png_structp png;
	png_infop info;
	png_bytep row;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (!png)
		return -ENOMEM;
	info = png_create_info_struct(png);
	row = g_malloc((size_t)w * 3);
	if (!info || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		g_free(row);
		return -EIO;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (uint32_t y = 0; y < h; y++) {
		const uint32_t *p = px + (size_t)y * w;

		for (uint32_t x = 0; x < w; x++) {
			row[3 * x] = p[x] >> 16;
			row[3 * x + 1] = p[x] >> 8;
			row[3 * x + 2] = p[x];
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	g_free(row);
	return 0;
}

int enl_display_write_png(struct enl_display *d, const char *path,
			  GString *err)
{
	g_autofree uint32_t *px = NULL;
	uint32_t w, h;
	FILE *f;
	int fd, ret;

	px = enl_display_snapshot(d, &w, &h);
	if (!px) {
		g_string_append(err, "the guest has no active display mode\n");
		return -ENODATA;
	}
	/* A new file or a regular one we replace; never follow a symlink. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		ret = -errno;
		g_string_append_printf(err, "%s: %s\n", path, g_strerror(-ret));
		return ret;
	}
	f = fdopen(fd, "wb");
	if (!f) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = write_rows(f, px, w, h);
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		g_string_append_printf(err, "%s: cannot write PNG: %s\n", path,
				       g_strerror(-ret));
	return ret;
}
