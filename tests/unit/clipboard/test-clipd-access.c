// SPDX-License-Identifier: GPL-2.0-only
/* enl-clipboardd's socket policy: root, allow-users, the active seat user. */
#include <errno.h>
#include <glib.h>

#include "access.h"
#include "tap.h"

static uid_t seat_uid;
static int seat_ret;

static int fake_seat(uid_t *uid)
{
	*uid = seat_uid;
	return seat_ret;
}

int main(void)
{
	struct enl_clipd_conf c = { .seat_user = true };
	char *list[] = { "", "1234", "nosuchuser-enl", NULL };
	const char *why = NULL;

	seat_ret = -ENOTSUP;
	tap_ok(enl_clipd_allowed(&c, fake_seat, 0, &why) && why,
	       "root is always served");
	tap_ok(!enl_clipd_allowed(&c, fake_seat, 1000, &why),
	       "no logind, empty allow-users: others refused");
	seat_ret = 0;
	seat_uid = 1000;
	tap_ok(enl_clipd_allowed(&c, fake_seat, 1000, &why),
	       "the active seat session's user is served");
	tap_ok(!enl_clipd_allowed(&c, fake_seat, 1001, &why),
	       "another user beside the seat's is refused");
	c.seat_user = false;
	tap_ok(!enl_clipd_allowed(&c, fake_seat, 1000, &why),
	       "seat-user=false: the seat's user is refused too");
	seat_ret = -ENOENT;
	c.allow_users = list;
	tap_ok(enl_clipd_allowed(&c, fake_seat, 1234, &why),
	       "a uid in allow-users is served");
	tap_ok(!enl_clipd_allowed(&c, fake_seat, 4321, &why),
	       "unknown names and empty entries match nobody");
	tap_ok(!enl_clipd_allowed(&c, NULL, 1000, &why),
	       "no seat lookup at all: only root and the list");
	return tap_done();
}
