// SPDX-License-Identifier: GPL-2.0-only
/* The clipboard socket's access policy (access.h). */
#include "access.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-login.h>

int enl_clipd_seat_logind(uid_t *uid)
{
	char *session = NULL;
	int ret;

	/* sd_seat_* read /run/systemd: meaningless without logind. */
	if (sd_booted() <= 0 || access("/run/systemd/seats", F_OK) < 0)
		return -ENOTSUP;
	ret = sd_seat_get_active("seat0", &session, uid);
	free(session);
	return ret < 0 ? -ENOENT : 0;
}

static bool listed(char *const *list, uid_t uid)
{
	for (; list && *list; list++) {
		struct passwd *pw;
		char *end;
		unsigned long n;

		if (!**list)
			continue;
		n = strtoul(*list, &end, 10);
		if (!*end && (uid_t)n == uid)
			return true;
		pw = getpwnam(*list);
		if (pw && pw->pw_uid == uid)
			return true;
	}
	return false;
}

bool enl_clipd_allowed(const struct enl_clipd_conf *c, enl_clipd_seat_fn seat,
		       uid_t uid, const char **why)
{
	uid_t active;

	if (uid == 0) {
		*why = "root";
		return true;
	}
	if (listed(c->allow_users, uid)) {
		*why = "allow-users";
		return true;
	}
	if (c->seat_user && seat && seat(&active) == 0 && active == uid) {
		*why = "active seat session";
		return true;
	}
	*why = "neither root, allow-users nor the active seat session's user";
	return false;
}
