/* SPDX-License-Identifier: GPL-2.0-only */
/* enl-host's console glue: the `vnc` ctl verb (compiled into enl-host). */
#ifndef ENL_HOST_CONSOLE_GLUE_H
#define ENL_HOST_CONSOLE_GLUE_H

struct enl_ctl;

void enl_console_register_ctl(struct enl_ctl *ctl);

#endif /* ENL_HOST_CONSOLE_GLUE_H */
