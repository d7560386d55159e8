// SPDX-License-Identifier: GPL-2.0-only
/* enl_vmbus: Enlighten's VMBus client. */
#include <linux/module.h>

static int __init enl_vmbus_init(void)
{
	return 0;
}

static void __exit enl_vmbus_exit(void)
{
}

module_init(enl_vmbus_init);
module_exit(enl_vmbus_exit);

MODULE_DESCRIPTION("Enlighten VMBus client");
MODULE_LICENSE("GPL");
