// SPDX-License-Identifier: GPL-2.0-only
/* enl-clipboardd: the host <-> guest clipboard over VMBus, for local users. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clipd.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "users.h"

static struct enl_daemon d = {
	.ident = "enl-clipboardd",
	.summary = "Shares the clipboard between the Hyper-V host and local users.",
};

/* Losing the channel is fatal: systemd restarts us, or the device is gone. */
static void on_closed(void *ctx)
{
	(void)ctx;
	enl_daemon_quit(&d, EXIT_FAILURE);
}

int main(int argc, char **argv)
{
	struct enl_clipd_conf conf = { 0 };
	struct enl_clipd_users users = { .fd = -1 };
	struct enl_clipd clip;
	struct enl_channel *ch;
	int ret;

	ret = enl_daemon_init(&d, "clipboard", &argc, &argv, NULL);
	if (ret >= 0)
		return ret;
	enl_clipd_conf_read(&conf, &d.cfg);
	enl_clipd_init(&clip, conf.max_size);
	ret = enl_daemon_config_ok(&d);
	if (ret >= 0)
		goto out;
	ret = EXIT_FAILURE;
	ch = enl_channel_open(conf.channel);
	if (!ch) {
		enl_err("clipboard: cannot open %s: %s", conf.channel,
			strerror(errno));
		goto out;
	}
	clip.closed = on_closed;
	enl_clipd_attach(&clip, ch);
	ret = enl_clipd_users_open(&users, &conf, enl_clipd_seat_logind, &clip);
	if (ret < 0) {
		enl_err("clipboard: cannot listen on %s: %s", conf.socket,
			strerror(-ret));
		ret = EXIT_FAILURE;
		goto out;
	}
	enl_notify_status("sharing the clipboard on %s, users on %s",
			  conf.channel, conf.socket);
	ret = enl_daemon_run(&d);
out:
	if (users.fd >= 0 || users.watch)
		enl_clipd_users_close(&users);
	enl_clipd_free(&clip);
	enl_clipd_conf_free(&conf);
	enl_daemon_free(&d);
	return ret < 0 ? EXIT_FAILURE : ret;
}
