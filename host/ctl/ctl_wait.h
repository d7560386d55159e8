/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For ctl verbs whose answer comes from the guest (vss freeze, clipboard
 * get): run the main loop until the answer is in or a deadline passes. A
 * reply goes out when the verb returns, so waiting is the only way to put
 * the guest's answer in it. Nested: guest packets, other ctl clients and
 * timers keep being served meanwhile, so verbs that can be re-entered must
 * guard against that themselves (-EBUSY).
 */
#ifndef ENL_HOST_CTL_WAIT_H
#define ENL_HOST_CTL_WAIT_H

#include <stdbool.h>

/* Keep it below the ctl client's 30 s reply timeout. */
#define ENL_CTL_WAIT_MAX_MS	25000

/*
 * true once *done (read atomically: another thread, a channel's worker,
 * may set it with g_atomic_int_set() and then g_main_context_wakeup(NULL)),
 * false when timeout_ms passed first.
 */
bool enl_ctl_wait(const int *done, unsigned int timeout_ms);

#endif /* ENL_HOST_CTL_WAIT_H */
