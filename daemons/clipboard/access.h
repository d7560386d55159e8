/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who may use the clipboard socket: root, the user of the active session
 * on seat0 (when logind runs and seat_user is set) and the configured
 * allow-list. The clipboard is the desktop user's: another local account
 * must not read what the host pasted, nor plant what the host will read.
 */
#ifndef ENL_CLIPD_ACCESS_H
#define ENL_CLIPD_ACCESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "conf.h"

/*
 * The uid of seat0's active session: 0 and *uid set, -ENOENT without an
 * active session, -ENOTSUP without logind. Replaceable for tests.
 */
typedef int (*enl_clipd_seat_fn)(uid_t *uid);
int enl_clipd_seat_logind(uid_t *uid);

/* Whether uid may copy and paste; why says which rule decided. */
bool enl_clipd_allowed(const struct enl_clipd_conf *c, enl_clipd_seat_fn seat,
		       uid_t uid, const char **why);

#endif /* ENL_CLIPD_ACCESS_H */
