// SPDX-License-Identifier: GPL-2.0-only
/* The list of built-in device classes; a new VSP adds one line here. */
#include <stddef.h>

#include "echo/echo.h"
#include "hid/hid_vsp.h"
#include "net/net_vsp.h"
#include "storage/stor_vsp.h"
#include "video/video_vsp.h"
#include "vsp_all.h"
#include "vsp.h"

static const struct enl_vsp_class *const classes[] = {
	&enl_vsp_echo_class,
	&enl_vsp_echo_mq_class,
	&enl_vsp_scsi_class,
	&enl_vsp_ide_class,
	&enl_vsp_net_class,
	&enl_vsp_mouse_class,
	&enl_vsp_keyboard_class,
	&enl_vsp_video_class,
};

int enl_vsp_add_all(struct enl_vmbus_server *srv)
{
	size_t i;
	int ret;

	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		ret = enl_vmbus_server_add_class(srv, classes[i]);
		if (ret)
			return ret;
	}
	return 0;
}
