/* SPDX-License-Identifier: GPL-2.0-only */
/* enl-host's display glue: the ctl verbs (compiled into enl-host). */
#ifndef ENL_HOST_VIDEO_GLUE_H
#define ENL_HOST_VIDEO_GLUE_H

struct enl_ctl;
struct enl_vmbus_server;

/* `screenshot FILE` and `video ...`. */
void enl_video_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl);

#endif /* ENL_HOST_VIDEO_GLUE_H */
