// SPDX-License-Identifier: GPL-2.0-only
/*
 * The portable VMBus ring buffer (common/ring.c), compiled into enl_vmbus.
 * Kbuild builds objects only inside the module tree, hence the include.
 */
#include "../../common/ring.c"
